"""Audit log (审计日志): every change to a household, quota or campaign setting, attributed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from service.db.models import AuditEntry


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return only the keys whose values differ, as (old values, new values)."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    keys += [k for k in old if k not in new]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    key: str,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    source: str | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (written with the change it describes)."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity=entity,
        entity_key=key,
        old=dict(old) if old is not None else None,
        new=dict(new) if new is not None else None,
        source=source[:255] if source else None,
    )
    session.add(entry)
    return entry
