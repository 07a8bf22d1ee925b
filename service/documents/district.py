"""Documents going up to and out of the district (区级公文).

- 示范户推荐花名册: a township recommends its 示范户 (recorded, as ``pingan model recommend``);
- 示范户命名决定: the district names them (recorded, as ``pingan model name``), red-header like the
  township decision, its 花名册 giving township and village;
- 摘牌通知: the households a review cycle marked for 摘牌, with the reason;
- 附件1 任务指标分配表: each township's quotas against what it has named so far.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import units
from service.campaign.years import get_year, rules_of
from service.db.models import AdminUnit, Quota, ReviewState, UnitLevel
from service.documents.naming import TEMPLATE as NAMING_TEMPLATE
from service.documents.naming import Issued, check_date, fill, pdf_of
from service.documents.render import render_docx
from service.errors import NotFound
from service.formats import chinese_date, mask_phone
from service.milestones import check_document_number, name_models, recommend_models
from service.rolling import reviews_in
from service.roster.export import households_in
from service.settings import Settings
from service.status import HouseholdStatus, Step, statuses


def _row(index: int, status: HouseholdStatus, village: str) -> dict[str, Any]:
    household = status.household
    return {
        "seq": index,
        "village": village,
        "head": household.head_name,
        "size": household.family_size or "",
        "address": household.address or "",
        "phone": mask_phone(household.phone),
        "score": status.total if status.total is not None else "",
        "note": "",
    }


def model_roster(
    session: Session,
    township: AdminUnit,
    year: int,
    day: dt.date,
    out: Path,
    settings: Settings,
    limit: int | None = None,
    pdf: bool = True,
) -> tuple[Issued, list[tuple[HouseholdStatus, str]]]:
    """Recommend the township's 示范户 and write the 推荐花名册; return it and who was left out (why)."""
    check_date(day, year)
    rules = rules_of(get_year(session, year))
    result = recommend_models(session, township, year, day, rules, settings.actor, limit)
    listed = sorted(result.done + result.already, key=lambda s: (s.household.village.code, s.household.code))
    if not listed:
        raise NotFound(
            f"{township.name}{year}年没有可推荐的示范户（需公示期满、得分不低于 {rules.model_mark} 分）。",
            hint="pingan status 可查看各村进度；公示请用 pingan docs notice。",
        )
    district = units.get_district(session)
    context = {
        "title": f"{township.name}{year}年度“平安家庭示范户”推荐花名册",
        "unit": fill(settings.doc_issuer, township, district, settings),
        "rows": [_row(i, s, s.household.village.name) for i, s in enumerate(listed, 1)],
        "issuer": fill(settings.doc_issuer, township, district, settings),
        "date": chinese_date(day),
    }
    docx = render_docx("model-roster.docx", context, out / f"{township.name}{year}年度示范户推荐花名册.docx")
    return Issued(docx, pdf_of(docx, settings) if pdf else None, len(listed)), result.left_out


def model_naming(
    session: Session,
    year: int,
    number: str,
    day: dt.date,
    out: Path,
    settings: Settings,
    pdf: bool = True,
) -> Issued:
    """Name every recommended household 示范户 (district) and write the decision with its 花名册."""
    number = check_document_number(number)
    check_date(day, year)
    district = units.get_district(session)
    rules = rules_of(get_year(session, year))
    name_models(session, district, year, number, day, rules, settings.actor)
    named = [
        s
        for s in statuses(session, households_in(session, district), year, rules, as_of=day)
        if s.step >= Step.model_named and not s.rejected
    ]
    if not named:
        raise NotFound(
            f"{year}年还没有乡镇推荐的示范户，不能生成命名决定。",
            hint="请先由乡镇推荐：pingan docs model-roster --township 乡镇 或 pingan model recommend。",
        )
    issuer = fill(settings.doc_issuer, district, district, settings)
    by_township: dict[str, int] = {}
    for status in named:
        town = status.household.village.parent.name if status.household.village.parent else ""
        by_township[town] = by_township.get(town, 0) + 1
    spread = "、".join(f"{town} {count} 户" for town, count in by_township.items())
    attachment = f"{rules.district_title}{year}年度“平安家庭示范户”名单"
    context = {
        "header": fill(settings.doc_header, district, district, settings),
        "number": number,
        "title": f"{issuer}关于命名{year}年度“平安家庭示范户”的决定",
        "recipients": "各乡镇（街道）妇联",
        "body": [
            f"{year}年，全区各乡镇（街道）按照《{rules.district_title}{year}年“平安家庭”创建工作实施方案》要求，"
            "广泛开展“平安家庭”创建活动，在命名“平安家庭”的基础上推荐了“平安家庭示范户”。",
            f"经各乡镇（街道）推荐、区“平安家庭”创建工作领导小组办公室审核，决定命名 {len(named)} 户家庭"
            f"（{spread}）为{year}年度“平安家庭示范户”（名单见附件），并授予牌匾。",
            "希望受到命名的家庭珍惜荣誉，发挥示范引领、典型引路作用。各乡镇（街道）要做好授牌和宣传工作，"
            "实行滚动管理，推动“平安家庭”创建工作持续深入开展。",
        ],
        "attachment_title": attachment,
        "issuer": issuer,
        "date": chinese_date(day),
        "rows": [
            _row(
                i,
                s,
                (s.household.village.parent.name if s.household.village.parent else "")
                + s.household.village.name,
            )
            for i, s in enumerate(named, 1)
        ],
        "cc": fill(settings.doc_cc, district, district, settings),
        "printer": fill(settings.doc_printer, district, district, settings),
        "printed_on": chinese_date(day),
    }
    docx = render_docx(NAMING_TEMPLATE, context, out / f"{district.name}{year}年度示范户命名决定.docx")
    return Issued(docx, pdf_of(docx, settings) if pdf else None, len(named))


def removal_notice(
    session: Session,
    scope: AdminUnit,
    year: int,
    day: dt.date,
    out: Path,
    settings: Settings,
    pdf: bool = True,
) -> Issued:
    """摘牌通知: the households the year's review marked for 摘牌, with the reason."""
    check_date(day, year)
    marked = [r for r in reviews_in(session, scope, year) if r.state == ReviewState.marked]
    if not marked:
        raise NotFound(
            f"{scope.name}{year}年复核没有拟摘牌的家庭。",
            hint=f"复核结算请用 pingan review-cycle update --year {year}；查看：pingan review-cycle list --year {year}。",
        )
    district = units.get_district(session)
    rules = rules_of(get_year(session, year))
    context = {
        "title": "关于取消部分家庭“平安家庭”称号的通知",
        "recipients": "各村（社区）妇联" if scope.level != UnitLevel.district else "各乡镇（街道）妇联",
        "body": [
            f"根据《{rules.district_title}“平安家庭”创建工作实施方案》“一年一创评、一年一审核”的滚动管理要求，"
            f"{year}年对已命名的“平安家庭”进行了复核。对复核不达标的家庭，已要求限时整改；"
            f"以下 {len(marked)} 户家庭整改期满仍未达到标准，经研究，取消其“平安家庭”称号（摘牌）。",
            "各村（社区）要做好解释和帮扶工作，帮助这些家庭对照“十好”标准查找差距，争取早日重新达标。",
        ],
        "rows": [
            {
                "seq": i,
                "village": r.household.village.name,
                "head": r.household.head_name,
                "named": f"{r.named_year}年",
                "reason": r.reason or "",
            }
            for i, r in enumerate(marked, 1)
        ],
        "issuer": fill(settings.doc_issuer, scope, district, settings),
        "date": chinese_date(day),
    }
    docx = render_docx("removal-notice.docx", context, out / f"{scope.name}{year}年摘牌通知.docx")
    return Issued(docx, pdf_of(docx, settings) if pdf else None, len(marked))


def quota_table(
    session: Session, year: int, as_of: dt.date, out: Path, settings: Settings, pdf: bool = True
) -> Issued:
    """附件1: each township's quotas, how many it has named so far, and the completion rate."""
    district = units.get_district(session)
    rules = rules_of(get_year(session, year))
    quotas = {q.township_id: q for q in session.scalars(select(Quota).where(Quota.year == year))}
    if not quotas:
        raise NotFound(
            f"{year}年的任务指标还没有导入。",
            hint=f"请用 pingan quotas import 文件.xlsx --year {year} 导入附件1。",
        )
    rows = []
    totals = {"households": 0, "family_quota": 0, "named": 0, "model_quota": 0, "models": 0}
    for township in district.children:
        quota = quotas.get(township.id)
        found = statuses(session, households_in(session, township), year, rules, as_of=as_of)
        named = sum(1 for s in found if s.step >= Step.named and not s.rejected)
        models = sum(1 for s in found if s.step >= Step.model_named and not s.rejected)
        households = quota.total_households if quota and quota.total_households else len(found)
        family_quota = quota.family_quota if quota else 0
        model_quota = quota.model_quota if quota else 0
        for key, value in zip(totals, (households, family_quota, named, model_quota, models), strict=True):
            totals[key] += value
        rows.append(_quota_row(township.name, households, family_quota, named, model_quota, models))
    rows.append(
        _quota_row(
            "合计",
            totals["households"],
            totals["family_quota"],
            totals["named"],
            totals["model_quota"],
            totals["models"],
        )
    )
    context = {
        "title": f"{rules.district_title}{year}年度“平安家庭”创建任务指标分配表",
        "as_of": chinese_date(as_of),
        "rows": rows,
    }
    docx = render_docx("quota-table.docx", context, out / f"{district.name}{year}年度任务指标完成情况.docx")
    return Issued(docx, pdf_of(docx, settings) if pdf else None, len(rows) - 1)


def _quota_row(
    name: str, households: int, family: int, named: int, model: int, models: int
) -> dict[str, Any]:
    def rate(done: int, target: int) -> str:
        return f"{100 * done / target:.1f}%" if target else "—"

    return {
        "township": name,
        "households": households,
        "family_quota": family,
        "named": named,
        "family_rate": rate(named, family),
        "model_quota": model,
        "models": models,
        "model_rate": rate(models, model),
    }
