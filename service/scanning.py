"""Connecting the reader to the campaign (识读接入): stored layouts, prefilled values, the text engine."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ocr.engines import TextEngine, make_engine
from ocr.errors import ReadError
from ocr.layout import FormLayout
from ocr.reader import Reader
from ocr.reading import SheetIdentity
from service.db.models import Household, StoredLayout
from service.errors import ExternalToolError
from service.forms.values import household_values
from service.settings import Settings


def reader_for(
    session: Session, settings: Settings, crops: Path | None = None, debug: Path | None = None
) -> Reader:
    """Return a reader that looks layouts up in the database and checks printed names with the configured engine."""

    @lru_cache(maxsize=64)
    def layout(digest: str) -> FormLayout | None:
        stored = session.get(StoredLayout, digest)
        return FormLayout.from_json(stored.body) if stored else None

    def prefill(identity: SheetIdentity) -> dict[str, str]:
        household = session.scalars(
            select(Household)
            .where(Household.code == identity.household)
            .options(selectinload(Household.members))
        ).first()
        return household_values(household) if household else {}

    return Reader(
        settings.signing_key(),
        layout,
        engine=text_engine(settings.ocr_engine),
        prefill=prefill,
        crops=crops,
        debug=debug,
    )


def text_engine(name: str) -> TextEngine:
    """Return the configured text engine, or say clearly why it cannot start."""
    try:
        return make_engine(name)
    except ReadError as exc:
        raise ExternalToolError(exc.message, hint=exc.hint) from exc
