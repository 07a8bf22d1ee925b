"""The public notice (张榜公示) of the households to be named, posted by a village or a township.

Posting the notice records it (service/milestones.py): the period is counted on the working-day
calendar and stays with each household. The notice carries only 序号, 村（社区）, 户主姓名 and 称号
— never a phone, an address or a score — and a head who did not consent to publication is shown
as ``张*萍``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from service import units
from service.campaign.workdays import WorkCalendar
from service.campaign.years import get_year, rules_of
from service.db.models import AdminUnit, MilestoneKind, UnitLevel
from service.documents.naming import Issued, check_date, fill, pdf_of
from service.documents.render import render_docx
from service.errors import NotFound
from service.formats import chinese_date, mask_name
from service.milestones import StepResult, milestone, post_notice
from service.settings import Settings
from service.status import HouseholdStatus

TEMPLATE = "notice.docx"


def _township_of(unit: AdminUnit) -> AdminUnit:
    return unit.parent if unit.level == UnitLevel.village and unit.parent is not None else unit


def notice_context(
    session: Session, scope: AdminUnit, year: int, result: StepResult, settings: Settings
) -> tuple[dict[str, Any], list[HouseholdStatus]]:
    """Return the payload of a notice, and the households it lists (those of this posting's period)."""
    assert result.period is not None
    period = result.period
    rules = rules_of(get_year(session, year))
    district = units.get_district(session)
    listed = []
    for status in result.done + result.already:
        notice = milestone(session, status.household, year, MilestoneKind.notice)
        if notice is not None and (notice.dated, notice.until) == (period.first, period.last):
            listed.append(status)
    if not listed:
        raise NotFound(
            f"{scope.name}{year}年没有可以公示的家庭（已命名、无待复核项、尚未在其他日期公示）。",
            hint="pingan status 可查看各村进度；已公示过的户请用原公示日期重新生成：--start 原日期。",
        )
    listed.sort(key=lambda s: (s.household.village.code, s.household.code))
    rows = [
        {
            "seq": index,
            "village": s.household.village.name,
            "head": s.household.head_name
            if s.values.get("publication_consent") == "yes"
            else mask_name(s.household.head_name),
            "title": "平安家庭",
        }
        for index, s in enumerate(listed, 1)
    ]
    township = _township_of(scope)
    context = {
        "title": f"关于{year}年度“平安家庭”拟命名对象的公示",
        "body": [
            f"根据《{rules.district_title}{year}年“平安家庭”创建工作实施方案》，经家庭自愿申报、评审组对照“十好”标准"
            f"考核评分、村（社区）推荐、乡镇（街道）妇联审核和乡镇（街道）创建工作领导小组审批，"
            f"以下 {len(listed)} 户家庭拟命名为{year}年度“平安家庭”，现予以公示。",
        ],
        "rows": rows,
        "closing": [
            f"公示期：{chinese_date(period.first)}至{chinese_date(period.last)}"
            f"（{rules.notice_working_days}个工作日）。",
            f"公示期内，如对公示对象有异议，{fill(settings.notice_contact, township, district, settings)}。"
            "反映情况应实事求是，以单位名义反映的请加盖公章，以个人名义反映的请署真实姓名并留联系方式。",
        ],
        "issuer": fill(settings.doc_issuer, scope, district, settings),
        "date": chinese_date(period.first),
    }
    return context, listed


def public_notice(
    session: Session,
    scope: AdminUnit,
    year: int,
    start: dt.date,
    out: Path,
    settings: Settings,
    pdf: bool = True,
) -> tuple[Issued, StepResult]:
    """Post the notice of a village or township (recorded) and write it as DOCX and PDF."""
    check_date(start, year)
    rules = rules_of(get_year(session, year))
    calendar = WorkCalendar.from_file(settings.holiday_file)
    result = post_notice(session, scope, year, start, rules, settings.actor, calendar)
    context, _ = notice_context(session, scope, year, result, settings)
    docx = render_docx(TEMPLATE, context, out / f"{scope.name}{year}年度平安家庭公示.docx")
    return Issued(docx, pdf_of(docx, settings) if pdf else None, len(context["rows"])), result
