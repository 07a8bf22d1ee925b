"""How values are written for people (书写格式): dates, birth months, masked phones and names."""

from __future__ import annotations

import datetime as dt


def chinese_date(day: dt.date) -> str:
    """Return a date the way official documents write it: ``2026年5月15日`` (no padding)."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_birth(value: str | None) -> str:
    """Return 出生年月 as villages write it: ``1975.03``."""
    return value.replace("-", ".") if value else ""


def mask_phone(phone: str | None) -> str:
    """Mask a phone number for display: ``138****1234``."""
    if not phone:
        return ""
    digits = phone.replace("-", "")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    """Hide the middle of a name for a public notice without consent: ``张*萍``, ``王*``, ``欧阳**华``."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def parse_date(text: str) -> dt.date:
    """Read a date as offices write it: ``2026-05-10``, ``2026.5.10``, ``2026/5/10`` or ``2026年5月10日``.

    Raises ``ValueError`` with a Chinese message naming the text when it is not a real date.
    """
    import re

    match = re.fullmatch(r"\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*", text)
    if not match:
        raise ValueError(f"“{text}”不是日期，请写成 2026-05-10 或 2026年5月10日")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(f"“{text}”不是真实存在的日期") from None
