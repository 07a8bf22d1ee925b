"""After township naming: 公示 on working days, objections, 示范户, 授牌, and rolling management (滚动管理)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.campaign.defaults import CampaignRules
from service.campaign.workdays import working_days
from service.db.models import (
    AuditEntry,
    Household,
    Milestone,
    ReviewState,
    TitleReview,
)
from service.errors import InputFileError
from service.formats import parse_date
from service.milestones import check_document_number
from service.status import Step, household_status
from tests.conftest import CliResult
from tests.seeding import FULL, fill

Cli = Callable[..., CliResult]
RULES = CampaignRules.defaults(2026, "清河区")


def test_notice_periods_follow_the_official_calendar() -> None:
    # 2026 National Day: 1–7 October off, Saturday 10 October worked (调休)
    period = working_days(dt.date(2026, 9, 29), 5)
    assert (period.first, period.last, period.official) == (dt.date(2026, 9, 29), dt.date(2026, 10, 10), True)
    assert working_days(dt.date(2026, 10, 1), 1).first == dt.date(2026, 10, 8)
    assert working_days(dt.date(2026, 5, 11), 5).last == dt.date(2026, 5, 15)
    assert working_days(dt.date(2026, 5, 9), 1).first == dt.date(2026, 5, 9)  # a Saturday worked (调休)
    later = working_days(dt.date(2099, 5, 1), 5)  # a year the calendar does not know yet
    assert not later.official and "尚未收录" in later.note and later.last.weekday() < 5


def test_an_office_supplied_calendar_covers_years_not_yet_published(tmp_path: Path) -> None:
    from service.campaign.workdays import WorkCalendar

    days = tmp_path / "节假日.txt"
    days.write_text("# 2099 年安排\n2099-05-01 休\n2099-05-04 休 # 调休\n2099-05-09 班\n", encoding="utf-8")
    calendar = WorkCalendar.from_file(days)
    period = working_days(dt.date(2099, 5, 1), 5, calendar)  # Friday 1 May off, Saturday 9 May worked
    assert (period.first, period.last, period.official) == (dt.date(2099, 5, 5), dt.date(2099, 5, 9), True)
    days.write_text("2099-05-01 休\n2099/05/02 放假\n2099-02-30 班\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        WorkCalendar.from_file(days)
    assert "有 2 行看不懂" in caught.value.message and "第 2 行" in caught.value.message
    assert "2027-02-08 休" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-05-10", dt.date(2026, 5, 10)),
        ("2026年5月10日", dt.date(2026, 5, 10)),
        ("2026.5.1", dt.date(2026, 5, 1)),
    ],
)
def test_dates_are_read_as_offices_write_them(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["2026-02-30", "五月十日", "2026/13/01"])
def test_impossible_dates_are_refused_with_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="不是"):
        parse_date(text)


@pytest.mark.parametrize("number", ["清河妇发〔2026〕8号", "城关镇妇发〔2026〕12号"])
def test_document_numbers_in_the_standard_form_pass(number: str) -> None:
    assert check_document_number(f" {number} ") == number


@pytest.mark.parametrize(
    "number", ["清河妇发[2026]8号", "清河妇发〔2026〕08号", "清河妇发(2026)8号", "〔2026〕8号"]
)
def test_document_numbers_with_wrong_brackets_or_zeros_are_refused(number: str) -> None:
    with pytest.raises(InputFileError) as caught:
        check_document_number(number)
    assert "六角括号" in (caught.value.hint or "")


@pytest.fixture
def session(printed_db: Session) -> Session:
    """Here the database is the one the demo's first steps made."""
    return printed_db


def _step(session: Session, household: Household, day: str) -> tuple[Step, str | None, str]:
    session.expire_all()
    state = household_status(session, household, 2026, RULES, parse_date(day))
    return state.step, state.rejected, state.label


def test_notice_objection_models_and_plaques(printed: Cli, session: Session, named: list[Household]) -> None:
    a, b, c, d, e, f = named
    posted = printed(
        "notice", "post", "--year", "2026", "--village", "南关村", "--start", "2026-05-10"
    )  # a Sunday
    assert posted.code == 0, posted.err
    assert "2026年5月11日至2026年5月15日" in posted.out and "列入公示 5 户" in posted.out
    assert f"{f.head_name}（{f.code}）：尚有 1 项待复核" in posted.out
    assert "公示中，2026-05-11 至 2026-05-15" in _step(session, a, "2026-05-12")[2]
    assert _step(session, a, "2026-05-16")[0] == Step.notice_passed

    late = printed(
        "notice", "object", b.code, "--year", "2026", "--why", "邻里反映有纠纷", "--date", "2026-05-18"
    )
    assert late.code != 0 and "不在公示期" in late.err
    objected = printed(
        "notice", "object", b.code, "--year", "2026", "--why", "邻里反映有纠纷", "--date", "2026-05-13"
    )
    assert objected.code == 0, objected.err
    assert _step(session, b, "2026-05-20")[1] == "公示期内有异议：邻里反映有纠纷"

    early = printed("model", "recommend", "--year", "2026", "--township", "城关镇", "--date", "2026-05-14")
    assert early.code == 0 and "推荐示范户 0 户" in early.out  # the notice has not ended yet
    recommended = printed(
        "model", "recommend", "--year", "2026", "--township", "城关镇", "--date", "2026-05-20", "--limit", "2"
    )
    assert recommended.code == 0, recommended.err
    assert "推荐示范户 2 户" in recommended.out
    assert f"{d.head_name}（{d.code}）：超出示范户指标 2 户" in recommended.out  # 100 and 98 go first
    assert f"{e.head_name}（{e.code}）：得分 94 未达示范户推荐分 95" in recommended.out
    assert _step(session, a, "2026-05-20")[0] == Step.model_recommended
    assert _step(session, c, "2026-05-20")[0] == Step.model_recommended
    assert _step(session, d, "2026-05-20")[0] == Step.notice_passed

    bad = printed("model", "name", "--year", "2026", "--number", "清河妇发[2026]8号")
    assert bad.code != 0 and "六角括号" in bad.err
    named_models = printed(
        "model", "name", "--year", "2026", "--number", "清河妇发〔2026〕8号", "--date", "2026-05-25"
    )
    assert named_models.code == 0 and "命名示范户 2 户" in named_models.out
    award = printed(
        "plaques",
        "award",
        "--year",
        "2026",
        "--township",
        "城关镇",
        "--date",
        "2026-06-01",
        "--note",
        "村妇联主席代领",
    )
    assert award.code == 0 and "授牌 2 户" in award.out
    assert _step(session, a, "2026-06-02")[2] == "已授牌"
    again = printed("plaques", "award", "--year", "2026", "--township", "城关镇", "--date", "2026-06-01")
    assert "授牌 0 户；此前已登记 2 户" in again.out

    history = printed("households", "show", a.code)
    assert "张榜公示至 2026-05-15" in history.out and "命名示范户：清河妇发〔2026〕8号" in history.out
    assert "授牌：村妇联主席代领" in history.out
    assert session.scalar(select(func.count()).select_from(Milestone)) == 5 + 1 + 2 + 2 + 2
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("milestone.%"))
        )
        == 5 + 1 + 2 + 2 + 2
    )

    resolved = printed("notice", "resolve", b.code, "--year", "2026", "--why", "经核查纠纷已调解")
    assert resolved.code == 0 and _step(session, b, "2026-05-20")[0] == Step.notice_passed
    status = printed("status", "--year", "2026", "--township", "城关镇")
    assert status.code == 0 and "2/2/2" in status.out


def test_rolling_review_rectification_and_removal(
    printed: Cli, session: Session, named: list[Household], tmp_path: Path
) -> None:
    a, b, c, d, e, f = named
    assert printed("campaign", "new", "--year", "2027").code == 0
    early = printed("review-cycle", "start", "--year", "2027")
    assert early.code == 0 and "新列入 0 户" in early.out and "未到复核期 6 户" in early.out
    assert printed("campaign", "new", "--year", "2028").code == 0
    started = printed("review-cycle", "start", "--year", "2028", "--date", "2028-03-01")
    assert started.code == 0 and "新列入 6 户" in started.out, started.out
    assert "此前已列入 6 户" in printed("review-cycle", "start", "--year", "2028").out
    assert (
        printed(
            "forms",
            "score",
            "--year",
            "2028",
            "--village",
            "南关村",
            "--out",
            tmp_path / "f2028",
            "--workers",
            "1",
        ).code
        == 0
    )
    fill(session, a, 2028, FULL, approve=False)
    fill(session, b, 2028, [10, 10, 5, 10, 5, 10, 10, 10, 10, 10], approve=False)  # 90: passes
    fill(session, c, 2028, [10, 10, 5, 10, 5, 5, 10, 10, 10, 10], approve=False)  # 85: below the pass mark
    fill(session, d, 2028, [10, 10, 10, 10, 10, 10, 10, 10, 5, 10], approve=False)  # veto item 9 below 6
    session.commit()
    settled = printed("review-cycle", "update", "--year", "2028", "--as-of", "2028-05-01")
    assert settled.code == 0, settled.err
    assert f"{c.head_name}（{c.code}）：待复核 → 限时整改至 2028-07-30：总分 85 未达合格分 90" in settled.out
    assert "一票否决项第9项得 5 分（低于 6 分）" in settled.out
    assert f"{e.head_name}（{e.code}）：尚未收到本年度评分表" in settled.out
    assert printed("review-cycle", "rectified", a.code, "--year", "2028", "--note", "x").code != 0
    fixed = printed("review-cycle", "rectified", c.code, "--year", "2028", "--note", "已调解并签订承诺书")
    assert fixed.code == 0, fixed.err
    late = printed("review-cycle", "update", "--year", "2028", "--as-of", "2028-08-01")
    assert f"{d.head_name}（{d.code}）：限时整改中 → 拟摘牌：限时整改期满（2028-07-30）未整改到位" in late.out
    session.expire_all()
    states = {
        r.household_id: r.state for r in session.scalars(select(TitleReview).where(TitleReview.year == 2028))
    }
    assert states == {
        a.id: ReviewState.passed,
        b.id: ReviewState.passed,
        c.id: ReviewState.rectified,
        d.id: ReviewState.marked,
        e.id: ReviewState.due,
        f.id: ReviewState.due,
    }
    listing = printed("review-cycle", "list", "--year", "2028", "--state", "marked")
    assert d.code in listing.out and a.code not in listing.out
    history = printed("households", "show", d.code)
    assert "2026年：已命名" in history.out and "滚动管理复核（2026年命名）：拟摘牌" in history.out
    assert printed("campaign", "new", "--year", "2030").code == 0
    next_cycle = printed("review-cycle", "start", "--year", "2030")
    assert "新列入 5 户" in next_cycle.out  # d lost the title; the others are due again
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("title_review.%"))
        )
        == 6 + 4 + 1 + 1 + 5
    )
