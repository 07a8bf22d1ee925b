"""Shared pieces of the command line: the console, settings and opening the database."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.db.session import make_engine, require_current, session_scope
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
