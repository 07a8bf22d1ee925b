"""Seeding records as if returned sheets had been read and confirmed (for tests past the reader)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import Household, Record, RecordValue, Sheet


def _sheet(session: Session, household: Household, year: int, kind: str) -> str:
    serial = session.scalars(
        select(Sheet.serial).where(Sheet.household_id == household.id, Sheet.year == year, Sheet.kind == kind)
    ).first()
    assert serial, f"no {kind} sheet printed for {household.head_name} in {year}"
    return serial


def _value(record: Record, name: str, value: object, kind: str = "bubbles") -> RecordValue:
    return RecordValue(record=record, field=name, kind=kind, value=value, confidence=1.0, state="accepted")


def fill(
    session: Session,
    household: Household,
    year: int,
    scores: list[int],
    *,
    approve: bool = True,
    consent: bool | None = None,
) -> None:
    """Record what a returned score sheet (and, when ``approve``, an approved application) says."""
    score = Record(
        serial=_sheet(session, household, year, "score"), kind="score", year=year, household=household
    )
    session.add(score)
    session.add_all(_value(score, f"item{n:02d}_score", str(v)) for n, v in enumerate(scores, 1))
    if approve:
        application = Record(
            serial=_sheet(session, household, year, "application"),
            kind="application",
            year=year,
            household=household,
        )
        session.add(application)
        session.add(_value(application, "recommend", "yes"))
        if consent is not None:
            session.add(_value(application, "publication_consent", "yes" if consent else "no"))
        for level in ("village", "federation", "township"):
            session.add(_value(application, f"{level}_decision", "yes"))
            session.add(_value(application, f"{level}_seal", True, "seal"))
    session.flush()


FULL = [10] * 10
SCORES = {
    0: FULL,
    1: [10, 10, 9, 10, 10, 10, 10, 10, 10, 10],
    2: [10, 10, 10, 10, 8, 10, 10, 10, 10, 10],
    3: [10, 10, 10, 10, 10, 8, 10, 10, 10, 8],
    4: [10, 10, 8, 10, 6, 10, 10, 10, 10, 10],
}
