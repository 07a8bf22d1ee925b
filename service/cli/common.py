"""Shared pieces of the command line: the console, settings and opening the database."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service import units
from service.db.models import AdminUnit, Household, UnitLevel
from service.db.session import make_engine, require_current, session_scope
from service.errors import InputFileError, NotFound
from service.formats import parse_date
from service.settings import Settings, get_settings


def _width() -> int | None:
    """Let a terminal decide the width; write logs and pipes 140 columns wide so tables stay whole."""
    return None if sys.stdout.isatty() else 140


console = Console(highlight=False, width=_width())
err_console = Console(stderr=True, highlight=False, width=_width())


def settings() -> Settings:
    """Return the process's settings."""
    return get_settings()


def engine() -> Engine:
    """Return an engine on the configured database (not checked for schema)."""
    return make_engine(settings().resolved_database_url)


@contextmanager
def database() -> Iterator[Session]:
    """Open a session on an initialised, current database; commit on success."""
    db = engine()
    try:
        require_current(db)
        with session_scope(db) as session:
            yield session
    finally:
        db.dispose()


def percent(part: float, whole: float | None) -> str:
    """Format a ratio as a percentage, or — when the base is unknown."""
    if not whole:
        return "—"
    return f"{100 * part / whole:.1f}%"


def day_option(text: str | None) -> dt.date:
    """Turn a ``--date`` option into a date (today when not given), or stop with a clear error."""
    if text is None:
        return dt.date.today()
    try:
        return parse_date(text)
    except ValueError as exc:
        raise InputFileError(str(exc), hint="日期请写成 2026-05-10 或 2026年5月10日。") from None


def find_household(session: Session, code: str) -> Household:
    """Return a household by its 户编号, or stop saying how to find it."""
    household = session.scalars(select(Household).where(Household.code == code)).first()
    if household is None:
        raise NotFound(
            f"没有户编号为 {code} 的户。", hint="请用 pingan roster list --village 村名 查看户编号。"
        )
    return household


YearOption = Annotated[int, typer.Option(help="创建年度")]
DateOption = Annotated[str | None, typer.Option("--date", help="日期，如 2026-05-20；不填为今天")]


def unit_scope(session: Session, village: str | None, township: str | None) -> AdminUnit:
    """Return the unit a command works on: a village, a township, or the whole district."""
    if village and township:
        raise InputFileError("--village 与 --township 只能选一个。")
    if village:
        return units.find_unit(session, village, UnitLevel.village)
    if township:
        return units.find_unit(session, township, UnitLevel.township)
    return units.get_district(session)
