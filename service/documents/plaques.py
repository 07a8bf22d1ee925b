"""The plaque list (授牌名单): the 示范户 named by the district, per township and village, to sign for.

Written as DOCX and PDF (to print and sign) and as XLSX (for the office's own tally), from the
households whose status reached 命名示范户.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from service import units
from service.campaign.years import get_year, rules_of
from service.db.models import AdminUnit, UnitLevel
from service.documents.naming import Issued, check_date, fill, pdf_of
from service.documents.render import render_docx
from service.errors import NotFound
from service.formats import chinese_date
from service.roster.export import households_in
from service.settings import Settings
from service.status import Step, statuses

TEMPLATE = "plaque-list.docx"
HEADERS = (
    "序号",
    "乡镇（街道）",
    "村（社区）",
    "户主姓名",
    "牌匾名称",
    "授牌单位",
    "年度",
    "数量",
    "领取人签字",
    "日期",
)


def plaque_context(
    session: Session, scope: AdminUnit, year: int, day: dt.date, settings: Settings
) -> dict[str, Any]:
    """Return the payload of a plaque list: one block of rows per township."""
    district = units.get_district(session)
    rules = rules_of(get_year(session, year))
    townships = [scope] if scope.level == UnitLevel.township else list(scope.children)
    issuer = fill(settings.plaque_issuer, scope, district, settings)
    blocks = []
    for township in townships:
        named = [
            s
            for s in statuses(session, households_in(session, township), year, rules, as_of=day)
            if s.step >= Step.model_named and not s.rejected
        ]
        if not named:
            continue
        blocks.append(
            {
                "name": township.name,
                "rows": [
                    {
                        "seq": index,
                        "township": township.name,
                        "village": s.household.village.name,
                        "head": s.household.head_name,
                        "plaque": settings.plaque_name,
                        "issuer": issuer,
                        "year": f"{year}年度",
                        "count": 1,
                    }
                    for index, s in enumerate(named, 1)
                ],
            }
        )
    if not blocks:
        raise NotFound(
            f"{scope.name}{year}年还没有命名的示范户，授牌名单为空。",
            hint="请先由乡镇推荐（pingan model recommend）、区里命名（pingan model name）。",
        )
    return {
        "title": f"{rules.district_title}{year}年度“{settings.plaque_name}”授牌名单",
        "townships": blocks,
        "issuer": issuer,
        "date": chinese_date(day),
    }


def write_xlsx(context: dict[str, Any], out: Path) -> Path:
    """Write the plaque list as a workbook: one sheet, a title row, the header, every township's rows."""
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.title = "授牌名单"
    sheet.append([context["title"]])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(HEADERS))
    for block in context["townships"]:
        for row in block["rows"]:
            sheet.append(
                [row["seq"], row["township"], row["village"], row["head"], row["plaque"], row["issuer"],
                 row["year"], row["count"], "", ""]
            )  # fmt: skip
    for index, width in enumerate((6, 14, 14, 12, 18, 30, 10, 6, 14, 12), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def plaque_list(
    session: Session,
    scope: AdminUnit,
    year: int,
    day: dt.date,
    out: Path,
    settings: Settings,
    pdf: bool = True,
) -> tuple[Issued, Path]:
    """Write the plaque list of a township (or the district) as DOCX, PDF and XLSX."""
    check_date(day, year)
    context = plaque_context(session, scope, year, day, settings)
    stem = f"{scope.name}{year}年度示范户授牌名单"
    docx = render_docx(TEMPLATE, context, out / f"{stem}.docx")
    xlsx = write_xlsx(context, out / f"{stem}.xlsx")
    rows = sum(len(block["rows"]) for block in context["townships"])
    return Issued(docx, pdf_of(docx, settings) if pdf else None, rows), xlsx
