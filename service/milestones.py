"""Steps after naming (命名之后): 张榜公示, 公示异议, 推荐示范户, 命名示范户 and 授牌, recorded per household.

Each step is a :class:`~service.db.models.Milestone` row, written once, with the day, the document
or unit it came from and who recorded it, and an audit entry. Recording a step again for the same
households changes nothing; a household that is not at the step before is left out with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.campaign.defaults import CampaignRules
from service.campaign.workdays import Period, WorkCalendar, working_days
from service.db.models import AdminUnit, Household, Milestone, MilestoneKind, Quota, UnitLevel
from service.errors import Conflict, InputFileError, NotFound
from service.roster.export import households_in
from service.status import HouseholdStatus, Step, statuses

DOCUMENT_NUMBER = re.compile(r"^(?P<agency>[^〔〕\[\]()（）]+)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")


def check_document_number(text: str) -> str:
    """Validate a 发文字号 (机关代字〔YYYY〕N号: 六角括号, no leading zeros) and return it trimmed."""
    number = text.strip()
    if not DOCUMENT_NUMBER.match(number):
        raise InputFileError(
            f"发文字号“{number}”格式不对。",
            hint="应写成“机关代字〔年份〕序号号”，用六角括号〔〕，序号不加“第”、不编虚位，如“清河妇发〔2026〕3号”。",
        )
    return number


@dataclass
class StepResult:
    """What recording a step did: households newly recorded, recorded before, and left out (with why)."""

    kind: MilestoneKind
    done: list[HouseholdStatus] = field(default_factory=list)
    already: list[HouseholdStatus] = field(default_factory=list)
    left_out: list[tuple[HouseholdStatus, str]] = field(default_factory=list)
    period: Period | None = None


def milestone(session: Session, household: Household, year: int, kind: MilestoneKind) -> Milestone | None:
    """Return the household's milestone of a kind in a year, if recorded."""
    return session.scalars(
        select(Milestone).where(
            Milestone.household_id == household.id, Milestone.year == year, Milestone.kind == kind.value
        )
    ).first()


def _record(
    session: Session,
    status: HouseholdStatus,
    year: int,
    kind: MilestoneKind,
    dated: dt.date,
    actor: str,
    *,
    until: dt.date | None = None,
    reference: str | None = None,
    note: str | None = None,
) -> None:
    household = status.household
    session.add(
        Milestone(
            household_id=household.id,
            year=year,
            kind=kind.value,
            dated=dated,
            until=until,
            reference=reference,
            note=note,
            actor=actor,
        )
    )
    audit.record(
        session,
        actor=actor,
        action=f"milestone.{kind.value}",
        entity="household",
        key=household.code,
        new={
            "year": year,
            "step": kind.label,
            "date": dated.isoformat(),
            "until": until.isoformat() if until else None,
            "reference": reference,
            "note": note,
        },
    )


def _advance(
    session: Session,
    found: list[HouseholdStatus],
    year: int,
    kind: MilestoneKind,
    before: Step,
    dated: dt.date,
    actor: str,
    **extra: object,
) -> StepResult:
    """Record ``kind`` for every household standing exactly at ``before``; report the others that came close."""
    result = StepResult(kind)
    for status in found:
        if milestone(session, status.household, year, kind) is not None:
            result.already.append(status)
            continue
        if status.rejected or status.step != before:
            continue
        if status.open_reviews:
            result.left_out.append((status, f"尚有 {len(status.open_reviews)} 项待复核"))
            continue
        _record(session, status, year, kind, dated, actor, **extra)  # type: ignore[arg-type]
        result.done.append(status)
    session.flush()
    return result


def post_notice(
    session: Session,
    scope: AdminUnit,
    year: int,
    start: dt.date,
    rules: CampaignRules,
    actor: str,
    calendar: WorkCalendar | None = None,
) -> StepResult:
    """张榜公示: put every named household of the unit on the public notice from ``start``."""
    period = working_days(start, rules.notice_working_days, calendar)
    found = statuses(session, households_in(session, scope), year, rules, as_of=period.first)
    result = _advance(
        session,
        found,
        year,
        MilestoneKind.notice,
        Step.named,
        period.first,
        actor,
        until=period.last,
        reference=scope.name,
    )
    result.period = period
    return result


def object_to_notice(
    session: Session, household: Household, year: int, why: str, received: dt.date, actor: str
) -> Milestone:
    """公示异议: record an objection received during the household's notice period."""
    notice = milestone(session, household, year, MilestoneKind.notice)
    if notice is None or notice.until is None:
        raise NotFound(
            f"{household.label}{year}年尚未公示，不能登记异议。",
            hint="请先用 pingan notice post 登记公示。",
        )
    if not notice.dated <= received <= notice.until:
        raise Conflict(
            f"异议收到日期 {received} 不在公示期 {notice.dated} 至 {notice.until} 之内。",
            hint="公示期外收到的意见请按信访程序处理；如日期填错，请用 --date 改正。",
        )
    if milestone(session, household, year, MilestoneKind.objection) is not None:
        raise Conflict(
            f"{household.label}{year}年已登记过公示异议。",
            hint="如需改为其他意见，请先用 pingan notice resolve 撤销原异议。",
        )
    if not why.strip():
        raise InputFileError("请用 --why 写明异议内容。")
    entry = Milestone(
        household_id=household.id,
        year=year,
        kind=MilestoneKind.objection.value,
        dated=received,
        note=why.strip(),
        actor=actor,
    )
    session.add(entry)
    audit.record(
        session,
        actor=actor,
        action="milestone.objection",
        entity="household",
        key=household.code,
        new={"year": year, "step": "公示异议", "date": received.isoformat(), "note": why.strip()},
    )
    session.flush()
    return entry


def resolve_objection(session: Session, household: Household, year: int, why: str, actor: str) -> None:
    """Withdraw an objection found groundless after checking, with the reason (audited)."""
    entry = milestone(session, household, year, MilestoneKind.objection)
    if entry is None:
        raise NotFound(f"{household.label}{year}年没有登记公示异议。")
    if not why.strip():
        raise InputFileError("请用 --why 写明核查结论。")
    audit.record(
        session,
        actor=actor,
        action="milestone.objection_resolved",
        entity="household",
        key=household.code,
        old={"year": year, "objection": entry.note, "date": entry.dated.isoformat()},
        new={"year": year, "resolution": why.strip()},
    )
    session.delete(entry)
    session.flush()


def recommend_models(
    session: Session,
    township: AdminUnit,
    year: int,
    dated: dt.date,
    rules: CampaignRules,
    actor: str,
    limit: int | None = None,
) -> StepResult:
    """推荐示范户: recommend the township's households whose notice passed and whose score reaches the 示范户 mark.

    Highest scores first, up to the township's 示范户 quota (or ``limit``); the rest are left out
    with the reason.
    """
    if township.level != UnitLevel.township:
        raise InputFileError(f"“{township.name}”不是乡镇（街道）；示范户由乡镇（街道）推荐。")
    found = statuses(session, households_in(session, township), year, rules, as_of=dated)
    if limit is None:
        quota = session.scalars(
            select(Quota).where(Quota.year == year, Quota.township_id == township.id)
        ).first()
        limit = quota.model_quota if quota else None
    ready = [s for s in found if s.step == Step.notice_passed and not s.rejected]
    low = [s for s in ready if (s.total or 0) < rules.model_mark]
    eligible = sorted((s for s in ready if s not in low), key=lambda s: (-(s.total or 0), s.household.code))
    already = sum(1 for s in found if milestone(session, s.household, year, MilestoneKind.model_recommended))
    room = None if limit is None else max(0, limit - already)
    chosen = eligible if room is None else eligible[:room]
    result = _advance(
        session, chosen, year, MilestoneKind.model_recommended, Step.notice_passed, dated, actor
    )
    result.already = [
        s
        for s in found
        if milestone(session, s.household, year, MilestoneKind.model_recommended) and s not in result.done
    ]
    result.left_out += [(s, f"得分 {s.total} 未达示范户推荐分 {rules.model_mark}") for s in low]
    result.left_out += [(s, f"超出示范户指标 {limit} 户") for s in eligible[len(chosen) :]]
    return result


def name_models(
    session: Session,
    scope: AdminUnit,
    year: int,
    number: str,
    dated: dt.date,
    rules: CampaignRules,
    actor: str,
) -> StepResult:
    """命名示范户: the district names every recommended household of the unit, under one document number."""
    number = check_document_number(number)
    found = statuses(session, households_in(session, scope), year, rules, as_of=dated)
    return _advance(
        session,
        found,
        year,
        MilestoneKind.model_named,
        Step.model_recommended,
        dated,
        actor,
        reference=number,
    )


def award_plaques(
    session: Session,
    scope: AdminUnit,
    year: int,
    dated: dt.date,
    rules: CampaignRules,
    actor: str,
    note: str | None = None,
) -> StepResult:
    """授牌: record that the plaques of the unit's named 示范户 were handed over."""
    found = statuses(session, households_in(session, scope), year, rules, as_of=dated)
    return _advance(session, found, year, MilestoneKind.plaque, Step.model_named, dated, actor, note=note)
