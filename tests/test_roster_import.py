"""Importing the sample rosters: exact counts, exact error list, idempotence, updates and the audit log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.models import AdminUnit, AuditEntry, Household, Member, RosterImport, UnitLevel
from tests.conftest import SAMPLES, CliResult

Cli = Callable[..., CliResult]

DIRTY_ERRORS = [
    "花名册!4, 电话（C列）：“1381234567”不是有效的电话号码：手机号应为以 1 开头的 11 位数字，固定电话如 0571-88001234",
    "花名册!6, 户主（B列）：户主姓名为空",
    "花名册!9, 出生日期（G列）：出生年月 1975.1 是数字格式，无法区分 1 月和 10 月；请把该列设为“文本”后填写 1975.01 或 1975.10",
    "花名册!12, 政治面貌（J列）：政治面貌“入党积极分子”不是规范值，应为：中共党员、中共预备党员、共青团员、民革党员、"
    "民盟盟员、民建会员、民进会员、农工党党员、致公党党员、九三学社社员、台盟盟员、无党派人士、群众",
    "花名册!15, 人口（H列）：家庭人数应为正整数，实际为 0",
    "花名册!18, 家庭成员（L列）：家庭成员“张大山”的年龄 150 超出 0–120 岁",
    "花名册!21, 村（社区）（E列）：村（社区）为空",
    "花名册!23, 出生日期（G列）：出生年月“1975年13月”的月份 13 不在 1–12 之间",
    "花名册!26, 人口（H列）：家庭人数 2 少于户主加家庭成员共 4 人",
    "花名册!28, 电话（C列）：“138-1234-567a”不是有效的电话号码：手机号应为以 1 开头的 11 位数字，固定电话如 0571-88001234",
    "花名册!31, 人口（H列）：单元格含公式“=2+1”但没有计算结果；请在 Excel 或 WPS 中打开并保存一次，或把该列“选择性粘贴为数值”",
    "花名册!33, 人口（H列）：家庭人数“2.5”不是正整数",
    "花名册!35, 户主（B列）：与第 25 行重复（同一村、同一户主“杨天佑”、同一出生年月 1981-02）；请删除重复行",
    "花名册!38, 出生日期（G列）：出生年月“2031-05”晚于今天",
    "花名册!40, 户主（B列）：疑似重复：与已登记的户 330199002001-0001（柳林镇柳林村）户主姓名、出生年月、联系电话均相同；"
    "如确为迁居，请在“户编号”列填写 330199002001-0001",
]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def problem_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("花名册!")]


def test_clean_sample_roster_imports_exactly(initialised: Cli, session: Session) -> None:
    result = initialised("roster", "import", SAMPLES / "roster-2026.xlsx", "--year", "2026")
    assert result.code == 0, result.err
    assert "共 324 行；新增 324 户，更新 0 户，未变 0 户，拒收 0 行" in result.out
    assert count(session, Household) == 324
    levels = Counter(session.scalars(select(AdminUnit.level)))
    assert levels[UnitLevel.district] == 1
    assert levels[UnitLevel.township] == 3
    assert levels[UnitLevel.village] == 9
    per_village = dict(
        session.execute(
            select(AdminUnit.name, func.count(Household.id))
            .join(Household, Household.village_id == AdminUnit.id)
            .group_by(AdminUnit.name)
        ).all()
    )
    assert per_village == {
        "南关村": 38, "北街社区": 34, "西郊村": 36,
        "柳林村": 40, "杨家庄村": 32, "河湾村": 35,
        "东湖社区": 37, "湖滨社区": 39, "新华社区": 33,
    }  # fmt: skip
    names = set(session.scalars(select(Household.head_name)))
    assert {"王堃", "李喆", "陈昇", "赵珺", "阿依古丽·买买提"} <= names
    assert count(session, RosterImport) == 1
    assert count(session, AuditEntry) >= 324


def test_reimporting_the_same_roster_changes_nothing(initialised: Cli, session: Session) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    audit_before = count(session, AuditEntry)
    imports_before = count(session, RosterImport)
    result = initialised("roster", "import", SAMPLES / "roster-2026.xlsx")
    assert result.code == 0
    assert "新增 0 户，更新 0 户，未变 324 户" in result.out
    assert count(session, AuditEntry) == audit_before
    assert count(session, RosterImport) == imports_before
    assert count(session, Household) == 324


def test_dirty_roster_is_refused_whole_with_every_problem(
    initialised: Cli, session: Session, sample: Callable[[str], Path]
) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    households = count(session, Household)
    audits = count(session, AuditEntry)
    units = count(session, AdminUnit)
    dirty = sample("roster-dirty.xlsx")
    result = initialised("roster", "import", dirty)
    assert result.code == 2
    assert "roster-dirty.xlsx 中有 15 行数据有误，未导入任何数据" in result.err
    assert problem_lines(result.err) == DIRTY_ERRORS
    assert (count(session, Household), count(session, AuditEntry), count(session, AdminUnit)) == (
        households,
        audits,
        units,
    )
    assert not dirty.with_name("roster-dirty.rejected.xlsx").exists()


def test_skip_invalid_imports_the_rest_and_writes_rejected_rows(
    initialised: Cli, session: Session, sample: Callable[[str], Path]
) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    dirty = sample("roster-dirty.xlsx")
    result = initialised("roster", "import", dirty, "--skip-invalid")
    assert result.code == 0, result.err
    assert "共 40 行；新增 25 户，更新 0 户，未变 0 户，拒收 15 行" in result.out
    assert problem_lines(result.out) == DIRTY_ERRORS
    assert count(session, Household) == 324 + 25
    rejected = dirty.with_name("roster-dirty.rejected.xlsx")
    sheet = openpyxl.load_workbook(rejected).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
    assert [r[0] for r in rows[1:]] == [4, 6, 9, 12, 15, 18, 21, 23, 26, 28, 31, 33, 35, 38, 40]
    assert rows[1][-1].startswith("“1381234567”不是有效的电话号码")
    # normalised values of the valid messy rows
    full_width = session.scalars(select(Household).where(Household.phone == "15812345678")).one()
    assert full_width.village.name in ("石桥村", "龙潭村")
    assert session.scalar(select(func.count()).where(Household.head_birth == "1968-10")) >= 1


def test_rejected_rows_corrected_import_cleanly(
    initialised: Cli, session: Session, sample: Callable[[str], Path]
) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    dirty = sample("roster-dirty.xlsx")
    assert initialised("roster", "import", dirty, "--skip-invalid").code == 0
    rejected = dirty.with_name("roster-dirty.rejected.xlsx")
    book = openpyxl.load_workbook(rejected)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    phone, size = header.index("电话") + 1, header.index("人口") + 1
    sheet.cell(2, phone).value = "13812345670"
    sheet.cell(2, size).value = 3
    keep = 2
    sheet.delete_rows(keep + 1, sheet.max_row - keep)
    book.save(rejected)
    result = initialised("roster", "import", rejected)
    assert result.code == 0, result.err
    assert "新增 1 户" in result.out


def test_edited_roster_updates_households_and_audits_old_and_new(
    initialised: Cli, session: Session, tmp_path: Path
) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    export = tmp_path / "城关镇.xlsx"
    assert initialised("roster", "export", "--township", "城关镇", "--out", export).code == 0
    # the exported roster re-imports without change
    result = initialised("roster", "import", export)
    assert "新增 0 户，更新 0 户，未变 108 户" in result.out
    book = openpyxl.load_workbook(export)
    sheet = book.active
    header = [c.value for c in sheet[2]]
    code = sheet.cell(3, header.index("户编号") + 1).value
    sheet.cell(3, header.index("联系电话") + 1).value = "13900001111"
    sheet.cell(3, header.index("户主姓名") + 1).value = "王新名"
    book.save(export)
    result = initialised("roster", "import", export)
    assert result.code == 0, result.err
    assert "新增 0 户，更新 1 户，未变 107 户" in result.out
    household = session.scalars(select(Household).where(Household.code == code)).one()
    session.refresh(household)
    assert (household.head_name, household.phone) == ("王新名", "13900001111")
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_key == code, AuditEntry.action == "update")
    ).one()
    assert entry.actor == "测试员"
    assert entry.new == {"head_name": "王新名", "phone": "13900001111"}
    assert set(entry.old or {}) == {"head_name", "phone"}
    assert entry.source is not None and "城关镇.xlsx 花名册!3" in entry.source


def test_members_are_stored_in_order(initialised: Cli, session: Session) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    with_members = session.scalars(select(Household).where(Household.family_size >= 3)).first()
    assert with_members is not None
    assert [m.seq for m in with_members.members] == list(range(1, len(with_members.members) + 1))
    assert count(session, Member) > 300


def test_roster_list_masks_phones(initialised: Cli) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    result = initialised("roster", "list", "--village", "南关村")
    assert result.code == 0
    assert "南关村 已登记 38 户" in result.out
    assert "****" in result.out
    ambiguous = initialised("roster", "list", "--village", "不存在村")
    assert ambiguous.code == 4
    assert "没有名为“不存在村”的村（社区）" in ambiguous.err
