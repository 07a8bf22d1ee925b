"""Form layouts by kind, and the store of every layout ever printed (版式库)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from ocr.layout import FormLayout
from service.campaign.defaults import CampaignRules
from service.db.models import StoredLayout
from service.errors import NotFound
from service.forms.application_layout import build_application_layout
from service.forms.score_layout import build_score_layout

FormKind = Literal["score", "application"]
KIND_LABELS: dict[str, str] = {"score": "评分表", "application": "申报审批表"}


def build_layout(kind: FormKind, rules: CampaignRules, year: int) -> FormLayout:
    """Return the layout of a form for a campaign year."""
    if kind == "score":
        return build_score_layout(rules, year)
    return build_application_layout(rules, year)


def store_layout(session: Session, layout: FormLayout) -> str:
    """Keep a layout by its hash (once); return the hash."""
    digest = layout.layout_hash()
    if session.get(StoredLayout, digest) is None:
        session.add(
            StoredLayout(
                hash=digest,
                kind=layout.kind,
                year=layout.year,
                title=layout.title,
                body=layout.canonical_json(),
            )
        )
        session.flush()
    return digest


def load_layout(session: Session, digest: str) -> FormLayout:
    """Return a stored layout by the hash printed in a sheet's code."""
    stored = session.get(StoredLayout, digest)
    if stored is None:
        raise NotFound(
            f"版式 {digest} 未在本系统登记：该表格不是本系统印制的，或来自其他数据库。",
            hint="请使用本系统印制的表格；不要猜测版式。",
        )
    return FormLayout.from_json(stored.body)
