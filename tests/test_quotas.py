"""Quotas (附件1): import, show, template; bad rows refused whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import AuditEntry, Quota
from tests.conftest import SAMPLES, CliResult

Cli = Callable[..., CliResult]


def imported(cli: Cli) -> Cli:
    assert cli("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    return cli


def test_sample_quotas_import_show_and_reimport(initialised: Cli, session: Session) -> None:
    cli = imported(initialised)
    result = cli("quotas", "import", SAMPLES / "quotas-2026.xlsx", "--year", "2026")
    assert result.code == 0, result.err
    assert "新增 3 个乡镇指标" in result.out
    quotas = {
        q.township.name: (q.total_households, q.family_quota, q.model_quota)
        for q in session.scalars(select(Quota))
    }
    assert quotas == {"城关镇": (120, 86, 11), "柳林镇": (118, 86, 11), "东湖街道": (130, 87, 11)}
    again = cli("quotas", "import", SAMPLES / "quotas-2026.xlsx", "--year", "2026")
    assert "新增 0 个乡镇指标，更新 0 个，未变 3 个" in again.out
    show = cli("quotas", "show", "--year", "2026")
    assert show.code == 0
    assert "城关镇" in show.out and "108" in show.out  # 90% of 120 households
    summary = cli("summary", "--year", "2026")
    assert summary.code == 0
    assert "合计" in summary.out and "259" in summary.out


def test_template_round_trip_and_update_is_audited(
    initialised: Cli, session: Session, tmp_path: Path
) -> None:
    cli = imported(initialised)
    template = tmp_path / "指标.xlsx"
    assert cli("quotas", "template", "--year", "2026", "--out", template).code == 0
    book = openpyxl.load_workbook(template)
    sheet = book.active
    assert [c.value for c in sheet[2]] == [
        "序号",
        "乡镇（街道）",
        "总户数",
        "平安家庭指标（户）",
        "示范户指标（户）",
    ]
    assert [sheet.cell(r, 2).value for r in (3, 4, 5)] == ["城关镇", "柳林镇", "东湖街道"]
    for row in (3, 4, 5):
        sheet.cell(row, 4).value = 50
        sheet.cell(row, 5).value = 5
    book.save(template)
    assert cli("quotas", "import", template, "--year", "2026").code == 0
    sheet.cell(3, 4).value = 60
    book.save(template)
    result = cli("quotas", "import", template, "--year", "2026")
    assert "更新 1 个，未变 2 个" in result.out
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "quota", AuditEntry.action == "update")
    ).one()
    assert entry.old == {"family_quota": 50} and entry.new == {"family_quota": 60}


def test_bad_quota_rows_are_refused_whole(initialised: Cli, session: Session, tmp_path: Path) -> None:
    cli = imported(initialised)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "附件1"
    sheet.append(["乡镇（街道）", "总户数", "平安家庭指标（户）", "示范户指标（户）"])
    sheet.append(["城关镇", 120, 86, 11])
    sheet.append(["白云镇", 100, 80, 8])
    sheet.append(["柳林镇", 118, 10, 20])
    sheet.append(["东湖街道", 130, "很多", 11])
    sheet.append(["合计", 468, 176, 50])
    path = tmp_path / "指标.xlsx"
    book.save(path)
    result = cli("quotas", "import", path, "--year", "2026")
    assert result.code == 2
    assert [line.strip() for line in result.err.splitlines() if line.strip().startswith("附件1!")] == [
        "附件1!3, 乡镇（街道）：乡镇（街道）“白云镇”未登记；请先导入该乡镇的花名册",
        "附件1!4, 示范户指标（户）：示范户指标 20 大于平安家庭指标 10",
        "附件1!5, 平安家庭指标（户）：平安家庭指标（户）“很多”不是非负整数",
    ]
    assert session.scalars(select(Quota)).first() is None


def test_quotas_need_a_campaign_year(initialised: Cli) -> None:
    result = initialised("quotas", "import", SAMPLES / "quotas-2026.xlsx", "--year", "2025")
    assert result.code == 4 and "2025 年度的创建活动尚未建立" in result.err
