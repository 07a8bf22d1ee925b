"""The township naming decision (乡镇（街道）命名决定) with its 花名册, from the confirmed records.

Only households whose status reached township approval (已命名) are listed; the decision is refused
while any of them still has open review items, and the message names them. The 发文字号 and the
date are checked (机关代字〔YYYY〕N号; a date within the campaign year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from service import units
from service.campaign.years import get_year, rules_of
from service.db.models import AdminUnit, UnitLevel
from service.documents.convert import to_pdf
from service.documents.render import render_docx
from service.errors import Conflict, ExternalToolError, InputFileError, NotFound
from service.formats import chinese_date, mask_phone
from service.milestones import check_document_number
from service.roster.export import households_in
from service.settings import Settings
from service.status import HouseholdStatus, Step, statuses

TEMPLATE = "township-naming.docx"


@dataclass
class Issued:
    """A document written: its DOCX, its PDF (when LibreOffice produced it) and how many rows it lists."""

    docx: Path
    pdf: Path | None
    rows: int


def check_date(day: dt.date, year: int) -> dt.date:
    """Refuse a date outside the campaign year (documents of a year are dated within it)."""
    if day.year != year:
        raise InputFileError(
            f"成文日期 {chinese_date(day)} 不在 {year} 年度之内。",
            hint=f"请用 --date 写 {year} 年内的日期，如 {year}-05-10。",
        )
    return day


def fill(template: str, unit: AdminUnit, district: AdminUnit, settings: Settings) -> str:
    """Put the unit's and the district's names into a text from the settings."""
    return template.format(unit=unit.name, district=district.name)


def named_households(session: Session, township: AdminUnit, year: int) -> list[HouseholdStatus]:
    """Return the township's households named 平安家庭 in ``year``; refuse while any has open review items."""
    rules = rules_of(get_year(session, year))
    found = [
        s
        for s in statuses(session, households_in(session, township), year, rules)
        if s.step >= Step.named and not s.rejected
    ]
    pending = [s for s in found if s.open_reviews]
    if pending:
        raise Conflict(
            f"{len(pending)} 户尚有待复核的栏目，不能列入命名决定："
            + "；".join(f"{s.household.label}{len(s.open_reviews)} 项" for s in pending[:20])
            + ("……" if len(pending) > 20 else ""),
            hint="请先用 pingan review list --village 村名 处理这些复核项。",
        )
    if not found:
        raise NotFound(
            f"{township.name}{year}年还没有经乡镇审批命名的家庭，花名册为空，不能生成命名决定。",
            hint="请先收回并识读申报审批表，处理完复核项后再生成；pingan status 可查看各村进度。",
        )
    return found


def naming_context(
    session: Session, township: AdminUnit, year: int, number: str, day: dt.date, settings: Settings
) -> dict[str, Any]:
    """Return the payload of a township's naming decision."""
    district = units.get_district(session)
    rules = rules_of(get_year(session, year))
    named = named_households(session, township, year)
    everyone = statuses(session, households_in(session, township), year, rules)
    taking_part = sum(1 for s in everyone if s.step >= Step.scored)
    attachment = f"{township.name}{year}年度“平安家庭”花名册"
    first = "、".join(s.household.head_name for s in named[:3])
    body = [
        f"根据《{rules.district_title}{year}年“平安家庭”创建工作实施方案》要求，{year}年我{_kind(township)}"
        f"在各村（社区）广泛开展“平安家庭”创建活动，共有 {taking_part} 户家庭参与创建评审。",
        "经家庭自愿申报、评审组对照“十好”标准考核评分、村（社区）推荐、"
        f"{_kind(township)}妇联审核和{_kind(township)}“平安家庭”创建工作领导小组审批，"
        f"{first}等 {len(named)} 户家庭达到“平安家庭”创建标准。经研究，决定命名上述 {len(named)} 户家庭为"
        f"{year}年度“平安家庭”（名单见附件）。",
        "希望受到命名的家庭珍惜荣誉，再接再厉，在学法守法、和睦相处、安全防范等方面发挥示范带头作用。"
        "各村（社区）要做好张榜公示和宣传工作，实行滚动管理，推动“平安家庭”创建活动持续深入开展。",
    ]
    rows = [
        {
            "seq": index,
            "village": s.household.village.name,
            "head": s.household.head_name,
            "size": s.household.family_size or "",
            "address": s.household.address or "",
            "phone": mask_phone(s.household.phone),
            "score": s.total if s.total is not None else "",
            "note": "",
        }
        for index, s in enumerate(named, 1)
    ]
    return {
        "header": fill(settings.doc_header, township, district, settings),
        "number": number,
        "title": f"{fill(settings.doc_issuer, township, district, settings)}关于命名{year}年度“平安家庭”的决定",
        "recipients": settings.doc_recipients,
        "body": body,
        "attachment_title": attachment,
        "issuer": fill(settings.doc_issuer, township, district, settings),
        "date": chinese_date(day),
        "rows": rows,
        "cc": fill(settings.doc_cc, township, district, settings),
        "printer": fill(settings.doc_printer, township, district, settings),
        "printed_on": chinese_date(day),
    }


def _kind(unit: AdminUnit) -> str:
    """Say 镇, 乡 or 街道 as the unit's name ends."""
    for suffix in ("街道", "镇", "乡"):
        if unit.name.endswith(suffix):
            return suffix
    return "乡镇"


def township_naming(
    session: Session,
    township_name: str,
    year: int,
    number: str,
    day: dt.date,
    out: Path,
    settings: Settings,
    pdf: bool = True,
) -> Issued:
    """Write a township's naming decision (DOCX, and PDF through LibreOffice) into ``out``."""
    township = units.find_unit(session, township_name, UnitLevel.township)
    number = check_document_number(number)
    check_date(day, year)
    context = naming_context(session, township, year, number, day, settings)
    docx = render_docx(TEMPLATE, context, out / f"{township.name}{year}年度平安家庭命名决定.docx")
    return Issued(docx, pdf_of(docx, settings) if pdf else None, len(context["rows"]))


def pdf_of(docx: Path, settings: Settings) -> Path:
    """Convert one written DOCX to PDF beside it; when LibreOffice fails, say that the DOCX is there."""
    try:
        return to_pdf([docx], docx.parent, settings.tool_timeout)[0]
    except ExternalToolError as exc:
        raise ExternalToolError(f"{exc.message}（DOCX 已生成：{docx}）", hint=exc.hint) from exc
