"""Bad roster files get a clear message naming file, sheet, row and column — and nothing is half-written."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msoffcrypto
import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.models import AdminUnit, AuditEntry, Household
from tests.conftest import SAMPLES, CliResult

Cli = Callable[..., CliResult]
HEADER = ["序号", "乡镇（街道）", "村（社区）", "村民小组", "户主姓名", "出生年月", "家庭人数", "联系电话"]


def write_roster(
    path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, title: str | None = None
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    if title:
        sheet.append([title])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def household_rows(n: int, start: int = 1) -> list[list[Any]]:
    return [
        [i, "石桥乡", f"村{i % 7}", f"第{'一二三'[i % 3]}村民小组", "王" + chr(0x4E00 + i // 150) + chr(0x5000 + i % 150),
         f"19{50 + i % 40}.{1 + i % 12:02d}", 3, f"13{i:09d}"]
        for i in range(start, start + n)
    ]  # fmt: skip


def state(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(m)) or 0 for m in (Household, AuditEntry, AdminUnit)
    )  # type: ignore[return-value]


def refused(cli: Cli, path: Path, *fragments: str, code: int = 2) -> CliResult:
    result = cli("roster", "import", path)
    assert result.code == code, result.out + result.err
    for fragment in fragments:
        assert fragment in result.err
    assert "处理办法" in result.err
    return result


def test_zero_byte_file(initialised: Cli, tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    refused(initialised, path, "空.xlsx", "空文件（0 字节）")


def test_text_file_named_xlsx(initialised: Cli, tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_text("户主姓名,电话\n张三,13800000000\n", encoding="utf-8")
    refused(initialised, path, "名单.xlsx 不是 Excel 工作簿", "另存为 .xlsx")


def test_word_document_renamed(initialised: Cli, tmp_path: Path) -> None:
    path = tmp_path / "申报表.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    refused(initialised, path, "不是 Excel 工作簿")


def test_truncated_workbook(initialised: Cli, tmp_path: Path) -> None:
    path = tmp_path / "截断.xlsx"
    path.write_bytes((SAMPLES / "roster-2026.xlsx").read_bytes()[:3000])
    refused(initialised, path, "截断.xlsx 已损坏")


def test_old_xls_format(initialised: Cli, tmp_path: Path) -> None:
    path = tmp_path / "旧表.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    refused(initialised, path, "Excel 97-2003 (.xls)", "另存为")


def test_password_protected_workbook(initialised: Cli, tmp_path: Path) -> None:
    plain = write_roster(tmp_path / "plain.xlsx", household_rows(3))
    encrypted = tmp_path / "加密.xlsx"
    with plain.open("rb") as source, encrypted.open("wb") as target:
        office = msoffcrypto.OfficeFile(source)
        office.encrypt("secret", target) if hasattr(office, "encrypt") else pytest.fail(
            "msoffcrypto cannot encrypt"
        )
    refused(initialised, encrypted, "加密.xlsx 设置了打开密码", "取消密码")


def test_missing_required_columns_and_the_way_out(initialised: Cli, session: Session, tmp_path: Path) -> None:
    header = ["序号", "户主姓名", "出生年月", "联系电话"]
    path = write_roster(tmp_path / "南关村.xlsx", [[1, "张三", "1970.01", "13800000001"]], header=header)
    refused(initialised, path, "工作表“花名册”缺少必需的列：乡镇（街道）、村（社区）", "--township")
    result = initialised("roster", "import", path, "--township", "城关镇", "--village", "南关村")
    assert result.code == 0, result.err
    assert "新增 1 户" in result.out


def test_no_header_anywhere(initialised: Cli, tmp_path: Path) -> None:
    path = write_roster(tmp_path / "无表头.xlsx", [["张三", "13800000001"]], header=["甲", "乙"])
    refused(initialised, path, "没有可导入的花名册", "未找到表头")


def test_empty_workbook_and_header_without_rows(initialised: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "空表.xlsx"
    openpyxl.Workbook().save(empty)
    refused(initialised, empty, "空表.xlsx 中没有可导入的花名册", "为空")
    header_only = write_roster(tmp_path / "只有表头.xlsx", [])
    refused(initialised, header_only, "有表头但没有任何数据行")


def test_merged_header_cells(initialised: Cli, tmp_path: Path) -> None:
    path = write_roster(tmp_path / "合并.xlsx", household_rows(2), title="石桥乡花名册")
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("F2:G2")
    book.save(path)
    refused(initialised, path, "表头第 2 行含合并单元格 F2:G2", "取消合并")


def test_two_columns_for_one_field(initialised: Cli, tmp_path: Path) -> None:
    header = ["乡镇", "村", "户主姓名", "电话", "手机"]
    path = write_roster(
        tmp_path / "两列电话.xlsx",
        [["石桥乡", "石桥村", "张三", "13800000001", "13800000002"]],
        header=header,
    )
    refused(initialised, path, "表头“电话”(D列)和“手机”(E列)都表示“联系电话”")


def test_missing_file_and_folder(initialised: Cli, tmp_path: Path) -> None:
    refused(initialised, tmp_path / "没有这个.xlsx", "不存在")
    refused(initialised, tmp_path, "是文件夹")


def test_formula_with_a_cached_value_is_read(initialised: Cli, session: Session, tmp_path: Path) -> None:
    path = write_roster(
        tmp_path / "公式.xlsx",
        [[1, "石桥乡", "石桥村", "第一村民小组", "张三", "1970.01", "=1+2", "13800000001"]],
    )
    patched = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<f>1\+2</f><v\s*(/>|></v>)", b"<f>1+2</f><v>3</v>", data)
            target.writestr(item, data)
    path.write_bytes(patched.getvalue())
    result = initialised("roster", "import", path)
    assert result.code == 0, result.err
    assert session.scalars(select(Household.family_size).where(Household.head_name == "张三")).one() == 3


def test_full_width_and_half_width_digits_mixed(initialised: Cli, session: Session, tmp_path: Path) -> None:
    rows = [
        [1, "石桥乡", "石桥村", "１组", "张三", "１９７０．０１", "３", "１３８００００００１１"],
        [2, "石桥乡", "石桥村", "第一村民小组", "李四", "1971年2月", "4人", "138 0000 0012"],
    ]
    path = write_roster(tmp_path / "全角.xlsx", rows)
    result = initialised("roster", "import", path)
    assert result.code == 0, result.err
    found = {
        h.head_name: (h.head_birth, h.family_size, h.phone, h.group.name if h.group else None)
        for h in session.scalars(select(Household))
    }
    assert found == {
        "张三": ("1970-01", 3, "13800000011", "第一村民小组"),
        "李四": ("1971-02", 4, "13800000012", "第一村民小组"),
    }


@pytest.mark.slow
def test_ten_thousand_rows_all_or_nothing(initialised: Cli, session: Session, tmp_path: Path) -> None:
    rows = household_rows(10_500)
    rows[9_876][7] = "12345"
    path = write_roster(tmp_path / "大表.xlsx", rows)
    before = state(session)
    result = refused(initialised, path, "大表.xlsx 中有 1 行数据有误")
    assert "花名册!9878, 联系电话（H列）：“12345”不是有效的电话号码" in result.err
    assert state(session) == before
    rows[9_876][7] = "13999999999"
    write_roster(path, rows)
    result = initialised("roster", "import", path)
    assert result.code == 0, result.err
    assert "共 10500 行；新增 10500 户" in result.out
    assert state(session)[0] == 10_500
