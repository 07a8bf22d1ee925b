"""Campaign years: the ten standards word for word from the plan, rules as data, changes audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.campaign.defaults import TEN_STANDARDS, CampaignRules
from service.campaign.years import get_year, rules_of
from service.db.models import AuditEntry
from tests.conftest import CliResult

Cli = Callable[..., CliResult]
PLAN = (Path(__file__).parent / "fixtures" / "seed-plan.txt").read_text(encoding="utf-8")


def test_ten_standards_are_attachment_2_word_for_word() -> None:
    attachment_2 = PLAN[PLAN.index("附件2：") : PLAN.index("附件3：")]
    assert len(TEN_STANDARDS) == 10
    for standard in TEN_STANDARDS:
        assert f"{standard.title}（{standard.points}分）" in attachment_2
        assert standard.criteria in attachment_2
    # and in the plan's own order (三、创建标准)
    positions = [attachment_2.index(s.criteria) for s in TEN_STANDARDS]
    assert positions == sorted(positions)


def test_new_year_from_defaults(initialised: Cli, session: Session) -> None:
    rules = rules_of(get_year(session, 2026))
    assert rules == CampaignRules.defaults(2026, "清河区")
    assert (rules.pass_mark, rules.model_mark, rules.veto_items, rules.veto_floor) == (
        90,
        95,
        [1, 2, 4, 9],
        6,
    )
    assert rules.participation_target == 0.9
    assert rules.report_deadline == dt.date(2026, 5, 15)
    assert [(p.name, p.starts, p.ends) for p in rules.phases] == [
        ("全面宣传、营造氛围", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("完善机制、提升质量", dt.date(2026, 2, 1), dt.date(2026, 3, 31)),
        ("分类指导，面上推动", dt.date(2026, 4, 1), dt.date(2026, 5, 15)),
        ("不断深化，总结验收", dt.date(2026, 5, 16), dt.date(2026, 5, 31)),
    ]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "campaign_year")).one()
    assert entry.action == "create" and entry.actor == "测试员"


def test_show_prints_the_rules(initialised: Cli) -> None:
    result = initialised("campaign", "show", "--year", "2026")
    assert result.code == 0
    for text in (
        "合格分 90",
        "示范户推荐分 95",
        "上报截止 2026年5月15日",
        "学法用法无违法，家庭学习好（10分）",
        "分类指导，面上推动",
    ):
        assert text in result.out


def test_set_changes_rules_and_audits(initialised: Cli, session: Session) -> None:
    result = initialised("campaign", "set", "--year", "2026", "--pass-mark", "85", "--veto", "1,2")
    assert result.code == 0, result.err
    assert "pass_mark: 90 → 85" in result.out
    session.expire_all()
    rules = rules_of(get_year(session, 2026))
    assert (rules.pass_mark, rules.veto_items) == (85, [1, 2])
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "campaign_year", AuditEntry.action == "update")
    ).one()
    assert entry.old == {"pass_mark": 90, "veto_items": [1, 2, 4, 9]}
    assert entry.new == {"pass_mark": 85, "veto_items": [1, 2]}
    again = initialised("campaign", "set", "--year", "2026", "--pass-mark", "85")
    assert "规则没有变化" in again.out


def test_inconsistent_rules_are_refused(initialised: Cli, session: Session) -> None:
    result = initialised("campaign", "set", "--year", "2026", "--model-mark", "80")
    assert result.code == 2
    assert "示范户推荐分 80 不能低于合格分 90" in result.err
    bad_veto = initialised("campaign", "set", "--year", "2026", "--veto", "11")
    assert "一票否决项序号 11 不在 1–10 之间" in bad_veto.err
    session.expire_all()
    assert rules_of(get_year(session, 2026)).model_mark == 95


def test_year_exists_and_missing_year(initialised: Cli) -> None:
    again = initialised("campaign", "new", "--year", "2026")
    assert again.code == 5 and "2026 年度已存在" in again.err
    missing = initialised("campaign", "show", "--year", "2031")
    assert missing.code == 4
    assert "2031 年度的创建活动尚未建立" in missing.err and "pingan campaign new --year 2031" in missing.err


def test_copy_rules_from_an_earlier_year(initialised: Cli, session: Session) -> None:
    assert (
        initialised("campaign", "set", "--year", "2026", "--pass-mark", "88", "--notice-days", "7").code == 0
    )
    assert initialised("campaign", "new", "--year", "2027", "--copy-from", "2026").code == 0
    rules = rules_of(get_year(session, 2027))
    assert (rules.pass_mark, rules.notice_working_days) == (88, 7)
    assert rules.report_deadline == dt.date(2027, 5, 15)
    assert rules.phases[2].starts == dt.date(2027, 4, 1)
