"""Working days (工作日): the Chinese official calendar, with its holidays and make-up working days (调休).

The calendar comes from the maintained ``chinese-calendar`` package, which carries each year's
State Council schedule once it is published (usually in November for the next year). An office
can supply the days the package does not know yet in a small text file (``PINGAN_HOLIDAY_FILE``),
one day per line — ``2027-02-08 休`` for a holiday, ``2027-02-20 班`` for a weekend worked —
which also overrides the package. For a day known to neither, Monday to Friday count and the
answer says it is provisional, so the office can check the dates against the published schedule.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar

from service.errors import InputFileError

LINE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s+(休|班)\s*(?:#.*)?$")


@dataclass(frozen=True)
class Period:
    """A span of working days: its first and last day, and whether an official calendar covered it."""

    first: dt.date
    last: dt.date
    official: bool

    @property
    def note(self) -> str:
        """Say, in Chinese, how the period was counted."""
        if self.official:
            return "按法定节假日安排（含本单位补充的安排）计算工作日"
        return f"{self.last.year}年节假日安排尚未收录，暂按周一至周五计算，请对照当年安排核对"


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar plus the office's own list of holidays (休) and worked weekends (班)."""

    extra: dict[dt.date, bool] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path | None) -> WorkCalendar:
        """Read an office-supplied list of days; each bad line is named with what to write instead."""
        if path is None:
            return cls()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputFileError(
                f"读不了节假日文件 {path}：{exc.strerror}。", hint="请检查 PINGAN_HOLIDAY_FILE 的路径。"
            ) from exc
        days: dict[dt.date, bool] = {}
        problems = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            match = LINE.match(line)
            try:
                day = (
                    dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in match.group(1).split("-")))
                    if match
                    else None
                )
            except ValueError:
                day = None
            if match is None or day is None:
                problems.append(f"第 {number} 行“{line.strip()}”")
                continue
            days[day] = match.group(2) == "班"
        if problems:
            raise InputFileError(
                f"节假日文件 {path} 有 {len(problems)} 行看不懂：{'；'.join(problems[:5])}。",
                hint="每行写一个日期和“休”或“班”，如“2027-02-08 休”“2027-02-20 班”；# 后为注释。",
            )
        return cls(days)

    def is_workday(self, day: dt.date) -> tuple[bool, bool]:
        """Return (is a working day, an official or office-supplied calendar knew the day)."""
        if day in self.extra:
            return self.extra[day], True
        try:
            return bool(chinese_calendar.is_workday(day)), True
        except NotImplementedError:
            # a year the office listed is covered: the days it does not list follow the week
            return day.weekday() < 5, any(known.year == day.year for known in self.extra)

    def working_days(self, start: dt.date, count: int) -> Period:
        """Return the ``count`` working days starting on ``start`` (or the next working day after it)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day, first, official, seen = start, None, True, 0
        while True:
            work, known = self.is_workday(day)
            official = official and known
            if work:
                first = first or day
                seen += 1
                if seen == count:
                    return Period(first, day, official)
            day += dt.timedelta(days=1)


def working_days(start: dt.date, count: int, calendar: WorkCalendar | None = None) -> Period:
    """Return the ``count`` working days from ``start`` on the official (and office-supplied) calendar."""
    return (calendar or WorkCalendar()).working_days(start, count)
