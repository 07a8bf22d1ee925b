"""Working days (工作日): the Chinese official calendar, with its holidays and make-up working days (调休).

The calendar comes from the maintained ``chinese-calendar`` package, which carries each year's
State Council schedule once it is published (usually in November for the next year). For a year
it does not know yet, Monday to Friday are counted and the answer says it is provisional, so the
office can check the dates against the published schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar


@dataclass(frozen=True)
class Period:
    """A span of working days: its first and last day, and whether the official calendar covered it."""

    first: dt.date
    last: dt.date
    official: bool

    @property
    def note(self) -> str:
        """Say, in Chinese, how the period was counted."""
        if self.official:
            return "按国务院公布的节假日安排计算工作日"
        return f"{self.last.year}年节假日安排尚未收录，暂按周一至周五计算，请对照当年安排核对"


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """Return (is a working day, the official calendar knew the day)."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def working_days(start: dt.date, count: int) -> Period:
    """Return the ``count`` working days starting on ``start`` (or the next working day after it)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day, first, official, seen = start, None, True, 0
    while True:
        work, known = is_workday(day)
        official = official and known
        if work:
            first = first or day
            seen += 1
            if seen == count:
                return Period(first, day, official)
        day += dt.timedelta(days=1)
