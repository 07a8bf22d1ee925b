"""Quotas (任务指标, 附件1): each township's targets for 平安家庭 and 示范户, imported from Excel."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import audit, units
from service.campaign.years import get_year
from service.db.models import AdminUnit, Household, Quota, UnitLevel
from service.errors import InputFileError, InvalidRows
from service.roster.fields import cell_text, fold_width
from service.roster.importer import RowProblem
from service.roster.reader import find_header_row, header_lookup, load_workbook, sniff

QUOTA_SYNONYMS: dict[str, tuple[str, ...]] = {
    "township": ("乡镇（街道）", "乡镇", "街道", "乡镇/街道", "单位"),
    "total_households": ("总户数", "户数", "辖区总户数", "家庭总户数"),
    "family_quota": (
        "平安家庭指标（户）",
        "平安家庭指标",
        "平安家庭（户）",
        "平安家庭",
        "平安家庭任务数",
        "创建指标",
    ),
    "model_quota": (
        "示范户指标（户）",
        "示范户指标",
        "示范户（户）",
        "示范户",
        "平安家庭示范户",
        "示范户任务数",
    ),
}
QUOTA_LABELS = {key: names[0] for key, names in QUOTA_SYNONYMS.items()}
_QUOTA_LOOKUP = header_lookup(QUOTA_SYNONYMS)
TOTAL_ROW_MARKS = ("合计", "总计", "小计")


@dataclass(frozen=True)
class QuotaRow:
    """One township's quota as read from the 附件1 table."""

    township: AdminUnit
    total_households: int | None
    family_quota: int
    model_quota: int


@dataclass(frozen=True)
class QuotaLine:
    """A township's quotas beside what it has (for ``quotas show``)."""

    township: str
    total_households: int | None
    registered: int
    family_quota: int | None
    model_quota: int | None


def _count(value: object) -> int | None:
    text = cell_text(value)
    if text is None:
        return None
    text = fold_width(text).removesuffix("户").strip()
    if not text.isdigit():
        raise ValueError(f"“{text}”不是非负整数")
    return int(text)


def import_quotas(
    session: Session, path: Path, year: int, actor: str, max_bytes: int
) -> tuple[int, int, int]:
    """Import the 附件1 table for ``year``; all-or-nothing; return (created, updated, unchanged)."""
    get_year(session, year)
    district = units.get_district(session)
    sniff(path, max_bytes)
    book = load_workbook(path)
    rows: list[QuotaRow] = []
    problems: list[RowProblem] = []
    found_any = False
    for sheet in book.worksheets:
        found = find_header_row(sheet, path, _QUOTA_LOOKUP, anchor="township", labels=QUOTA_LABELS)
        if found is None:
            continue
        header_row, columns = found
        fields = {c.field: c for c in columns.values()}
        missing = [QUOTA_LABELS[k] for k in ("family_quota", "model_quota") if k not in fields]
        if missing:
            raise InputFileError(
                f"{path.name} 工作表“{sheet.title}”缺少列：{'、'.join(missing)}。",
                hint="可用 pingan quotas template 生成空白模板后填写。",
            )
        found_any = True
        for excel_row in sheet.iter_rows(min_row=header_row + 1):
            values = {columns[c.column].field: c.value for c in excel_row if c.column in columns}
            name = cell_text(values.get("township"))
            if name is None and all(cell_text(v) is None for v in values.values()):
                continue
            if name is not None and name.replace(" ", "") in TOTAL_ROW_MARKS:
                continue
            where = (sheet.title, excel_row[0].row)
            if name is None:
                problems.append(RowProblem(*where, fields["township"].header, "乡镇（街道）为空"))
                continue
            township = units.child(session, district, name.replace(" ", ""))
            if township is None:
                problems.append(
                    RowProblem(
                        *where,
                        fields["township"].header,
                        f"乡镇（街道）“{name}”未登记；请先导入该乡镇的花名册",
                    )
                )
                continue
            numbers: dict[str, int | None] = {}
            for key in ("total_households", "family_quota", "model_quota"):
                try:
                    numbers[key] = _count(values.get(key))
                except ValueError as exc:
                    problems.append(RowProblem(*where, fields[key].header, f"{QUOTA_LABELS[key]}{exc}"))
                    numbers[key] = None
            family, model, total = (
                numbers["family_quota"],
                numbers["model_quota"],
                numbers["total_households"],
            )
            if family is None or model is None:
                for key in ("family_quota", "model_quota"):
                    if numbers[key] is None and cell_text(values.get(key)) is None:
                        problems.append(RowProblem(*where, fields[key].header, f"{QUOTA_LABELS[key]}为空"))
                continue
            if model > family:
                problems.append(
                    RowProblem(
                        *where, fields["model_quota"].header, f"示范户指标 {model} 大于平安家庭指标 {family}"
                    )
                )
                continue
            if total is not None and family > total:
                problems.append(
                    RowProblem(
                        *where, fields["family_quota"].header, f"平安家庭指标 {family} 大于总户数 {total}"
                    )
                )
                continue
            if any(r.township.id == township.id for r in rows):
                problems.append(
                    RowProblem(*where, fields["township"].header, f"乡镇（街道）“{name}”重复出现")
                )
                continue
            rows.append(QuotaRow(township, total, family, model))
    if not found_any:
        raise InputFileError(
            f"{path.name} 中未找到指标表的表头（需含“乡镇（街道）”“平安家庭指标（户）”“示范户指标（户）”）。",
            hint="可用 pingan quotas template --out 指标.xlsx 生成模板。",
        )
    if problems:
        raise InvalidRows(
            f"{path.name} 中有 {len(problems)} 处错误，未导入任何指标：", [str(p) for p in problems]
        )
    return _store(session, year, rows, actor, path.name)


def _store(
    session: Session, year: int, rows: list[QuotaRow], actor: str, source: str
) -> tuple[int, int, int]:
    created = updated = unchanged = 0
    for row in rows:
        quota = session.scalars(
            select(Quota).where(Quota.year == year, Quota.township_id == row.township.id)
        ).first()
        new = {
            "total_households": row.total_households,
            "family_quota": row.family_quota,
            "model_quota": row.model_quota,
        }
        key = f"{year}/{row.township.code}"
        if quota is None:
            session.add(Quota(year=year, township_id=row.township.id, **new))
            audit.record(
                session, actor=actor, action="create", entity="quota", key=key, new=new, source=source
            )
            created += 1
            continue
        before = {name: getattr(quota, name) for name in new}
        old_changed, new_changed = audit.changed(before, new)
        if not new_changed:
            unchanged += 1
            continue
        for name, value in new.items():
            setattr(quota, name, value)
        audit.record(
            session,
            actor=actor,
            action="update",
            entity="quota",
            key=key,
            old=old_changed,
            new=new_changed,
            source=source,
        )
        updated += 1
    session.flush()
    return created, updated, unchanged


def participation_needed(base: int, target: float) -> int:
    """Return how many households must take part to reach the participation target (rounded up)."""
    return math.ceil(round(base * target, 6))


def registered_households(session: Session, township: AdminUnit) -> int:
    """Return the number of active households registered in a township."""
    village_ids = [v.id for v in township.children]
    if not village_ids:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.village_id.in_(village_ids), Household.active)
        )
        or 0
    )


def quota_lines(session: Session, year: int) -> list[QuotaLine]:
    """Return every township's quotas for ``year`` beside its registered households."""
    get_year(session, year)
    district = units.get_district(session)
    quotas = {q.township_id: q for q in session.scalars(select(Quota).where(Quota.year == year))}
    lines = []
    for township in district.children:
        quota = quotas.get(township.id)
        lines.append(
            QuotaLine(
                township=township.name,
                total_households=quota.total_households if quota else None,
                registered=registered_households(session, township),
                family_quota=quota.family_quota if quota else None,
                model_quota=quota.model_quota if quota else None,
            )
        )
    return lines


def write_template(session: Session, year: int, out: Path) -> Path:
    """Write an 附件1 quota table to fill in: one row per township, current quotas prefilled."""
    district = units.get_district(session)
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.title = "附件1"
    headers = ["序号", "乡镇（街道）", "总户数", "平安家庭指标（户）", "示范户指标（户）"]
    sheet.append([f"{district.name}{year}年“平安家庭”创建工作任务指标分配表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for line_no, line in enumerate(quota_lines(session, year), start=1):
        sheet.append(
            [
                line_no,
                line.township,
                line.total_households or line.registered,
                line.family_quota,
                line.model_quota,
            ]
        )
    for letter, width in zip("ABCDE", (6, 16, 10, 20, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        book.save(out)
    except OSError as exc:
        raise InputFileError(f"无法写入 {out}：{exc.strerror}", hint="请换一个可写的文件夹。") from exc
    return out


__all__ = [
    "QuotaLine",
    "UnitLevel",
    "import_quotas",
    "quota_lines",
    "registered_households",
    "write_template",
]
