"""Household status in the approval chain (创建进度), computed from the records and decisions.

registered → scored → recommended → village approved → township WF approved → named 平安家庭
(awaiting the public notice) → notice passed → recommended as 示范户 → named 示范户 → plaque
awarded; or rejected at a step, with the reason. The steps after naming come from the recorded
milestones (service/milestones.py). Only values that count (accepted by the reader or
confirmed by a person) are used; a household with open review items says so.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service.campaign.defaults import CampaignRules
from service.db.models import Household, Milestone, MilestoneKind, Record, ReviewItem
from service.records import final_values


class Step(enum.IntEnum):
    """A step of the approval chain, in order."""

    registered = 0
    scored = 1
    recommended = 2
    village_approved = 3
    federation_approved = 4
    named = 5
    notice_passed = 6
    model_recommended = 7
    model_named = 8
    plaque_awarded = 9

    @property
    def label(self) -> str:
        """Return the step in Chinese."""
        return STEP_LABELS[self]


STEP_LABELS = {
    Step.registered: "已登记",
    Step.scored: "已评分",
    Step.recommended: "已推荐",
    Step.village_approved: "村（社区）已同意",
    Step.federation_approved: "乡镇（街道）妇联已同意",
    Step.named: "已命名“平安家庭”（待公示）",
    Step.notice_passed: "“平安家庭”公示期满",
    Step.model_recommended: "已推荐为示范户",
    Step.model_named: "已命名“平安家庭示范户”",
    Step.plaque_awarded: "已授牌",
}


@dataclass
class HouseholdStatus:
    """Where one household stands in one year."""

    household: Household
    step: Step = Step.registered
    total: int | None = None
    rejected: str | None = None
    score_failure: str | None = None
    detail: str | None = None
    open_reviews: list[str] = field(default_factory=list)
    scores: dict[int, int] = field(default_factory=dict)
    serials: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Return the status as the office reads it."""
        text = f"未通过：{self.rejected}" if self.rejected else self.step.label
        if self.detail and not self.rejected:
            text += f"（{self.detail}）"
        return text + (f"（待复核 {len(self.open_reviews)} 项）" if self.open_reviews else "")


def household_status(
    session: Session,
    household: Household,
    year: int,
    rules: CampaignRules,
    as_of: dt.date | None = None,
) -> HouseholdStatus:
    """Compute one household's status for a year from its records and milestones (as of a day, default today)."""
    status = HouseholdStatus(household)
    records = list(
        session.scalars(
            select(Record)
            .where(Record.household_id == household.id, Record.year == year)
            .options(selectinload(Record.values))
        )
    )
    status.serials = [r.serial for r in records]
    score: dict[str, Any] = {}
    application: dict[str, Any] = {}
    for record in sorted(records, key=lambda r: r.serial):
        (score if record.kind == "score" else application).update(final_values(record))
        status.open_reviews += [
            f"{record.serial}/{item.field}"
            for item in session.scalars(
                select(ReviewItem).where(ReviewItem.record_id == record.id, ReviewItem.status == "open")
            )
        ]
    status.values = {**score, **application}
    for number in range(1, len(rules.standards) + 1):
        value = score.get(f"item{number:02d}_score")
        if value is not None and str(value).isdigit():
            status.scores[number] = int(str(value))
    if len(status.scores) < len(rules.standards):
        return status
    status.total = sum(status.scores.values())
    status.step = Step.scored
    vetoed = [n for n in rules.veto_items if status.scores[n] < rules.veto_line(n)]
    if status.total < rules.pass_mark:
        status.rejected = status.score_failure = f"总分 {status.total} 未达合格分 {rules.pass_mark}"
        return status
    if vetoed:
        status.rejected = status.score_failure = "一票否决项" + "、".join(
            f"第{n}项得 {status.scores[n]} 分（低于 {rules.veto_line(n)} 分）" for n in vetoed
        )
        return status
    if application.get("recommend") == "no":
        status.rejected = "未同意推荐"
        return status
    if application.get("recommend") != "yes":
        return status
    status.step = Step.recommended
    for level, step, name in (
        ("village", Step.village_approved, "村（社区）"),
        ("federation", Step.federation_approved, "乡镇（街道）妇联"),
        ("township", Step.named, "乡镇（街道）审批"),
    ):
        decision, seal = application.get(f"{level}_decision"), application.get(f"{level}_seal")
        if decision == "no":
            status.rejected = f"{name}不同意"
            return status
        if decision != "yes" or seal is not True:
            return status
        status.step = step
    _after_naming(session, status, year, rules, as_of or dt.date.today())
    return status


def _after_naming(
    session: Session, status: HouseholdStatus, year: int, rules: CampaignRules, today: dt.date
) -> None:
    """Carry a named household on through 公示, 示范户 and 授牌 from its recorded milestones."""
    found = {
        m.kind: m
        for m in session.scalars(
            select(Milestone).where(Milestone.household_id == status.household.id, Milestone.year == year)
        )
    }
    objection = found.get(MilestoneKind.objection)
    if objection is not None:
        status.rejected = f"公示期内有异议：{objection.note or '（未注明）'}"
        return
    notice = found.get(MilestoneKind.notice)
    if notice is None or notice.until is None:
        return
    if today <= notice.until:
        status.detail = f"公示中，{notice.dated:%Y-%m-%d} 至 {notice.until:%Y-%m-%d}"
        return
    status.step = Step.notice_passed
    if status.total is not None and status.total >= rules.model_mark:
        status.detail = f"得分 {status.total}，可推荐示范户"
    for kind, step in (
        (MilestoneKind.model_recommended, Step.model_recommended),
        (MilestoneKind.model_named, Step.model_named),
        (MilestoneKind.plaque, Step.plaque_awarded),
    ):
        if kind not in found:
            return
        status.step, status.detail = step, None


def statuses(
    session: Session,
    households: list[Household],
    year: int,
    rules: CampaignRules,
    as_of: dt.date | None = None,
) -> list[HouseholdStatus]:
    """Compute the status of many households."""
    return [household_status(session, h, year, rules, as_of) for h in households]
