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
