"""What a prefilled sheet prints for a household (预填内容), checked against the font first."""

from __future__ import annotations

from ocr.layout import FormLayout
from service.db.models import AdminUnit, Household
from service.formats import format_birth
from service.forms.application_layout import MEMBER_ROWS
from service.forms.fonts import MissingGlyph, missing_characters


def place_of(village: AdminUnit, group: AdminUnit | None = None) -> str:
    """Return “城关镇 南关村 第一村民小组”."""
    parts = [village.parent.name if village.parent else "", village.name, group.name if group else ""]
    return " ".join(p for p in parts if p)


def sheet_info(serial: str, household_code: str | None, place: str) -> str:
    """Return the identity line printed under the title."""
    code = f"　户编号 {household_code}" if household_code else "　空白表"
    return f"编号 {serial}{code}　{place}"


def household_values(household: Household) -> dict[str, str]:
    """Return every value a prefilled sheet prints for the household (missing fields left out)."""
    values: dict[str, str] = {
        "head_name": household.head_name,
        "head_birth": format_birth(household.head_birth),
        "occupation": household.occupation or "",
        "address": household.address or "",
        "phone": household.phone or "",
        "registered_political_status": f"登记：{household.political_status}"
        if household.political_status
        else "",
        "registered_family_size": f"登记：{household.family_size}人" if household.family_size else "",
    }
    for index, member in enumerate(household.members[:MEMBER_ROWS], start=1):
        values[f"member{index}_name"] = member.name
        values[f"member{index}_age"] = str(member.age) if member.age is not None else ""
        values[f"member{index}_relation"] = member.relation or ""
        values[f"member{index}_workplace"] = member.workplace or ""
    return {key: value for key, value in values.items() if value}


def check_printable(values: dict[str, str], layout: FormLayout, where: str) -> None:
    """Refuse values the form font cannot print, naming the field and the character."""
    labels = {f.prefill: f.label for _, f in layout.fields() if f.prefill}
    for key, value in values.items():
        missing = missing_characters(value, "sans")
        if missing:
            names = "、".join(f"“{ch}”(U+{ord(ch):04X})" for ch in missing)
            raise MissingGlyph(
                f"{where} 的“{labels.get(key, key)}”含有字体中没有的字 {names}，印出来会是空框。",
                hint="请核对花名册中该字是否录入正确；如确为生僻字，请为该户打印空白表（--blank）由本人手写。",
            )
