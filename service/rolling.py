"""Rolling management (滚动管理): the periodic re-assessment of households already named 平安家庭.

The plan: 一年一创评、一年一审核; every ``review_cycle_years`` the families already named are
assessed again. Those that no longer reach the standard get a rectification deadline (限时整改,
``rectification_days``); those not rectified by then are marked for 摘牌 with the reason, for the
township to approve. Every year's review stays in the household's history.

A review year's re-assessment uses that year's score sheet (评分表): print it for the households
under review, scan it back as usual, and run :func:`update_cycle` to settle the outcomes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service import audit
from service.campaign.defaults import CampaignRules
from service.campaign.years import get_year, rules_of
from service.db.models import AdminUnit, CampaignYear, Household, Record, ReviewState, TitleReview
from service.errors import Conflict, InputFileError, NotFound
from service.roster.export import households_in
from service.status import Step, household_status


@dataclass(frozen=True)
class TitleHolder:
    """A household holding the 平安家庭 title: the year it was named and the year it was last assessed."""

    household: Household
    named_year: int
    last_assessed: int


@dataclass
class CycleResult:
    """What a step of the cycle did, household by household."""

    opened: list[TitleReview] = field(default_factory=list)
    already: list[TitleReview] = field(default_factory=list)
    not_due: list[TitleHolder] = field(default_factory=list)
    changed: list[tuple[TitleReview, str, str]] = field(default_factory=list)
    waiting: list[tuple[TitleReview, str]] = field(default_factory=list)


def title_holders(session: Session, scope: AdminUnit, before: int) -> list[TitleHolder]:
    """Return the households of a unit holding the title going into year ``before``.

    A household holds it from the year its township approval named it, until a review marks it
    for 摘牌; a review passed (or rectified) counts as its latest assessment.
    """
    households = {h.id: h for h in households_in(session, scope)}
    years = [
        c
        for c in session.scalars(
            select(CampaignYear).where(CampaignYear.year < before).order_by(CampaignYear.year)
        )
    ]
    named: dict[int, int] = {}
    for campaign in years:
        rules = rules_of(campaign)
        ids = set(
            session.scalars(
                select(Record.household_id).where(
                    Record.year == campaign.year, Record.household_id.is_not(None)
                )
            )
        )
        for household_id in ids:
            household = households.get(household_id)  # type: ignore[arg-type]
            if household is None or household_id in named:
                continue
            status = household_status(session, household, campaign.year, rules)
            if status.step >= Step.named and not status.rejected:
                named[household.id] = campaign.year
    reviews: dict[int, list[TitleReview]] = {}
    for review in session.scalars(
        select(TitleReview).where(TitleReview.year < before, TitleReview.household_id.in_(list(named)))
    ):
        reviews.setdefault(review.household_id, []).append(review)
    holders = []
    for household_id, year in sorted(named.items(), key=lambda item: households[item[0]].code):
        past = reviews.get(household_id, [])
        if any(r.state == ReviewState.marked for r in past):
            continue
        assessed = [r.year for r in past if r.state in (ReviewState.passed, ReviewState.rectified)]
        holders.append(TitleHolder(households[household_id], year, max([year, *assessed])))
    return holders


def start_cycle(
    session: Session, scope: AdminUnit, year: int, opened_on: dt.date, actor: str, every: int | None = None
) -> CycleResult:
    """Open the re-assessment of ``year`` for the title holders whose last assessment is ``every`` years old."""
    rules = rules_of(get_year(session, year))
    every = every or rules.review_cycle_years
    if every < 1:
        raise InputFileError("复核周期至少为 1 年。")
    result = CycleResult()
    for holder in title_holders(session, scope, year):
        existing = session.scalars(
            select(TitleReview).where(
                TitleReview.household_id == holder.household.id, TitleReview.year == year
            )
        ).first()
        if existing is not None:
            result.already.append(existing)
            continue
        if year - holder.last_assessed < every:
            result.not_due.append(holder)
            continue
        review = TitleReview(
            household_id=holder.household.id,
            year=year,
            named_year=holder.named_year,
            opened_on=opened_on,
            state=ReviewState.due.value,
        )
        review.household = holder.household
        session.add(review)
        audit.record(
            session,
            actor=actor,
            action="title_review.open",
            entity="household",
            key=holder.household.code,
            new={"year": year, "named_year": holder.named_year, "state": ReviewState.due.label},
        )
        result.opened.append(review)
    session.flush()
    return result


def reviews_in(session: Session, scope: AdminUnit, year: int) -> list[TitleReview]:
    """Return the title reviews of a unit in a year, by household code."""
    ids = [h.id for h in households_in(session, scope)]
    found = session.scalars(
        select(TitleReview)
        .where(TitleReview.year == year, TitleReview.household_id.in_(ids))
        .options(selectinload(TitleReview.household))
    )
    return sorted(found, key=lambda r: r.household.code)


def _change(session: Session, review: TitleReview, state: ReviewState, actor: str, **values: object) -> None:
    old = {
        "state": ReviewState(review.state).label,
        "deadline": str(review.deadline or ""),
        "reason": review.reason,
    }
    review.state = state.value
    for name, value in values.items():
        setattr(review, name, value)
    audit.record(
        session,
        actor=actor,
        action=f"title_review.{state.value}",
        entity="household",
        key=review.household.code,
        old=old,
        new={
            "state": state.label,
            "deadline": str(review.deadline or ""),
            "reason": review.reason,
            "year": review.year,
        },
    )


def update_cycle(session: Session, scope: AdminUnit, year: int, as_of: dt.date, actor: str) -> CycleResult:
    """Settle the year's reviews from the scanned score sheets, as of a day.

    due → passed (score reaches the pass mark, no veto) or rectifying (deadline = as_of +
    rectification days, with the failing rule); rectifying past its deadline → marked for 摘牌.
    A review whose sheet is missing or still has open review items waits, and says so.
    """
    rules: CampaignRules = rules_of(get_year(session, year))
    result = CycleResult()
    for review in reviews_in(session, scope, year):
        state = ReviewState(review.state)
        if state == ReviewState.due:
            status = household_status(session, review.household, year, rules, as_of)
            if status.open_reviews:
                result.waiting.append((review, f"评分表尚有 {len(status.open_reviews)} 项待复核"))
            elif status.step < Step.scored:
                result.waiting.append((review, "尚未收到本年度评分表"))
            elif status.score_failure:
                deadline = as_of + dt.timedelta(days=rules.rectification_days)
                _change(
                    session,
                    review,
                    ReviewState.rectifying,
                    actor,
                    deadline=deadline,
                    reason=status.score_failure,
                )
                result.changed.append((review, state.label, f"限时整改至 {deadline}：{status.score_failure}"))
            else:
                _change(session, review, ReviewState.passed, actor, reason=None)
                result.changed.append((review, state.label, f"复核达标（总分 {status.total}）"))
        elif state == ReviewState.rectifying and review.deadline is not None and as_of > review.deadline:
            reason = f"限时整改期满（{review.deadline}）未整改到位：{review.reason}"
            _change(session, review, ReviewState.marked, actor, reason=reason)
            result.changed.append((review, state.label, f"拟摘牌：{reason}"))
    session.flush()
    return result


def find_review(session: Session, household: Household, year: int) -> TitleReview:
    """Return a household's review of a year, or say how to open it."""
    review = session.scalars(
        select(TitleReview).where(TitleReview.household_id == household.id, TitleReview.year == year)
    ).first()
    if review is None:
        raise NotFound(
            f"{household.label}没有 {year} 年的复核。",
            hint=f"请先用 pingan review-cycle start --year {year} 开启复核。",
        )
    return review


def mark_rectified(session: Session, household: Household, year: int, note: str, actor: str) -> TitleReview:
    """整改到位: the township has verified the rectification; the title is kept (audited, with the note)."""
    review = find_review(session, household, year)
    if review.state != ReviewState.rectifying.value:
        raise Conflict(
            f"{household.label}{year} 年的复核状态是“{ReviewState(review.state).label}”，不在限时整改中。",
            hint="只有限时整改中的家庭可以登记整改到位。",
        )
    if not note.strip():
        raise InputFileError("请用 --note 写明整改核查情况。")
    _change(session, review, ReviewState.rectified, actor, note=note.strip())
    session.flush()
    return review
