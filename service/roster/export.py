"""Roster export (花名册导出) and listing: households of a unit, sorted by village and 村民小组."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service import units
from service.db.models import AdminUnit, Household, Member
from service.errors import InputFileError
from service.formats import format_birth

EXPORT_HEADERS = (
    "序号",
    "户编号",
    "乡镇（街道）",
    "村（社区）",
    "村民小组",
    "户主姓名",
    "出生年月",
    "政治面貌",
    "职业",
    "家庭人数",
    "家庭住址",
    "联系电话",
    "家庭成员",
)


def format_member(member: Member) -> str:
    """Return a member as the roster writes it: ``李秀英（妻，48岁，务农）``."""
    details = [
        d
        for d in (member.relation, f"{member.age}岁" if member.age is not None else None, member.workplace)
        if d
    ]
    return f"{member.name}（{'，'.join(details)}）" if details else member.name


def households_in(session: Session, unit: AdminUnit) -> list[Household]:
    """Return the active households of a unit, ordered by village code, group and household code."""
    village_ids = [v.id for v in units.villages_of(unit)]
    if not village_ids:
        return []
    found = session.scalars(
        select(Household)
        .where(Household.village_id.in_(village_ids), Household.active)
        .options(
            selectinload(Household.members), selectinload(Household.village), selectinload(Household.group)
        )
    )
    return sorted(found, key=lambda h: (h.village.code, h.group.code if h.group else "", h.code))


def export_roster(session: Session, unit: AdminUnit, out: Path) -> int:
    """Write the unit's 花名册 to ``out`` (re-importable as it is); return the number of households."""
    households = households_in(session, unit)
    if not households:
        raise InputFileError(f"{unit.name} 还没有登记任何户，无法导出花名册。", hint="请先导入花名册。")
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.title = "花名册"
    sheet.append([f"{unit.name}“平安家庭”创建花名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(EXPORT_HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(EXPORT_HEADERS))
    for number, h in enumerate(households, start=1):
        sheet.append(
            [
                number,
                h.code,
                h.village.parent.name if h.village.parent else "",
                h.village.name,
                h.group.name if h.group else "",
                h.head_name,
                format_birth(h.head_birth),
                h.political_status or "",
                h.occupation or "",
                h.family_size,
                h.address or "",
                h.phone or "",
                "；".join(format_member(m) for m in h.members),
            ]
        )
    for cell in sheet["G"] + sheet["L"]:
        cell.number_format = "@"
    widths = (6, 20, 12, 12, 14, 12, 10, 10, 10, 8, 36, 15, 60)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        book.save(out)
    except OSError as exc:
        raise InputFileError(f"无法写入 {out}：{exc.strerror}", hint="请换一个可写的文件夹。") from exc
    return len(households)
