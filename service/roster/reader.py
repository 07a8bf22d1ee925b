"""Reading roster workbooks (读取花名册): find the header row, map columns, yield raw rows.

Villages keep rosters in Excel with their own wording and column order, a title row above the
header, several sheets, formulas and full-width digits. This module turns such a workbook into
raw rows keyed by field, or refuses the file with a message that names file, sheet, row and
column. It never writes anything.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from service.errors import InputFileError
from service.roster.fields import normalise_header

#: Roster fields and the header texts villages use for them (first is the canonical 花名册 header).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "household_code": ("户编号", "户号"),
    "township": (
        "乡镇（街道）",
        "乡镇",
        "街道",
        "乡镇/街道",
        "镇街",
        "乡（镇、街道）",
        "所属乡镇",
        "镇（街道）",
    ),
    "village": (
        "村（社区）",
        "村",
        "社区",
        "村/社区",
        "村居",
        "村（居）",
        "行政村",
        "所属村",
        "村（居委会）",
    ),
    "group": ("村民小组", "组", "小组", "居民小组", "村（居）民小组", "村民组", "组别"),
    "head_name": ("户主姓名", "户主", "户主名", "姓名"),
    "head_birth": ("出生年月", "出生日期", "户主出生年月", "生日"),
    "political_status": ("政治面貌", "户主政治面貌"),
    "occupation": ("职业", "户主职业", "工作"),
    "family_size": ("家庭人数", "家庭人口", "人口", "人数", "家庭人口数", "户人数"),
    "address": ("家庭住址", "住址", "地址", "家庭地址", "居住地址"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
    "members": ("家庭成员", "家庭成员情况", "成员", "家庭成员信息"),
}
IGNORED_HEADERS = frozenset(normalise_header(h) for h in ("序号", "编号", "备注", "说明"))
FIELD_LABELS = {key: names[0] for key, names in HEADER_SYNONYMS.items()}

_LOOKUP = {normalise_header(name): key for key, names in HEADER_SYNONYMS.items() for name in names}
HEADER_SEARCH_ROWS = 10
MAX_UNCOMPRESSED = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    """A mapped column: the roster field, the header as written and its column letter."""

    field: str
    header: str
    letter: str


@dataclass
class RawRow:
    """One data row as read: sheet, Excel row number and the raw value of each mapped field."""

    sheet: str
    row: int
    values: dict[str, Any]
    columns: dict[str, Column]
    original: list[Any]
    formula_cells: dict[str, str] = field(default_factory=dict)


@dataclass
class RosterFile:
    """A roster workbook as read: its rows, the headers of each sheet and notes for the user."""

    path: Path
    rows: list[RawRow]
    headers: dict[str, list[str]]
    notes: list[str]
    header_cells: dict[str, list[Any]] = field(default_factory=dict)

    def fields(self) -> set[str]:
        """Return the fields present as columns in every sheet that had rows."""
        present: set[str] | None = None
        for row in self.rows:
            keys = set(row.columns)
            present = keys if present is None else present & keys
        return present or set()


def header_lookup(synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Return a lookup from normalised header text to field name."""
    return {normalise_header(name): key for key, names in synonyms.items() for name in names}


def match_header(text: str, lookup: dict[str, str] | None = None) -> str | None:
    """Return the field a header text names, or None when it names no known field."""
    table = _LOOKUP if lookup is None else lookup
    key = normalise_header(text)
    if key in table:
        return table[key]
    return table.get(key.split("(", 1)[0])


def sniff(path: Path, max_bytes: int) -> None:
    """Refuse files that are missing, empty, too large, encrypted, old .xls or not a workbook."""
    if not path.exists():
        raise InputFileError(f"文件 {path} 不存在。", hint="请检查文件路径。")
    if path.is_dir():
        raise InputFileError(f"{path} 是文件夹，不是花名册文件。", hint="请指定 .xlsx 文件。")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"文件 {path.name} 是空文件（0 字节）。", hint="请重新导出或复制花名册。")
    if size > max_bytes:
        raise InputFileError(
            f"文件 {path.name} 有 {size // (1024 * 1024)} MB，超过上限 {max_bytes // (1024 * 1024)} MB。",
            hint="请按乡镇拆分为多个文件分别导入。",
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        content = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in content or b"EncryptedPackage" in content:
            raise InputFileError(
                f"文件 {path.name} 设置了打开密码（已加密），无法读取。",
                hint="请在 Excel 或 WPS 中打开，取消密码后另存为 .xlsx 再导入。",
            )
        raise InputFileError(
            f"文件 {path.name} 是旧版 Excel 97-2003 (.xls) 格式。",
            hint="请在 Excel 或 WPS 中“另存为” Excel 工作簿 (.xlsx) 后再导入。",
        )
    if not head.startswith(b"PK\x03\x04"):
        raise InputFileError(
            f"文件 {path.name} 不是 Excel 工作簿 (.xlsx)。",
            hint="如为 CSV 或 WPS 表格，请在 Excel 或 WPS 中另存为 .xlsx 后再导入。",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise InputFileError(
            f"文件 {path.name} 已损坏，无法打开（{exc}）。", hint="请重新导出或复制该文件。"
        ) from exc
    if "xl/workbook.xml" not in names:
        raise InputFileError(
            f"文件 {path.name} 是压缩包或 Word 等其他文件，不是 Excel 工作簿。",
            hint="请选择 .xlsx 格式的花名册。",
        )
    if total > MAX_UNCOMPRESSED:
        raise InputFileError(
            f"文件 {path.name} 解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，已拒绝（疑似压缩炸弹）。",
            hint="请检查文件来源；正常花名册解压后不会这么大。",
        )


def load_workbook(path: Path, data_only: bool = False) -> Any:
    """Open a sniffed workbook, turning openpyxl's many failure kinds into one clear error."""
    try:
        return openpyxl.load_workbook(path, data_only=data_only, read_only=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise InputFileError(
            f"文件 {path.name} 无法作为 Excel 工作簿打开：{exc}",
            hint="请在 Excel 或 WPS 中打开并重新保存为 .xlsx。",
        ) from exc


def find_header_row(
    sheet: Any,
    path: Path,
    lookup: dict[str, str] | None = None,
    anchor: str = "head_name",
    labels: dict[str, str] | None = None,
) -> tuple[int, dict[int, Column]] | None:
    """Find the header row among the first rows: the one naming ``anchor`` and the most known fields.

    Refuses a header row with merged cells or with two columns for the same field.
    """
    labels = labels or FIELD_LABELS
    best: tuple[int, dict[int, Column]] | None = None
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, HEADER_SEARCH_ROWS)):
        columns: dict[int, Column] = {}
        for cell in row:
            if not isinstance(cell.value, str):
                continue
            key = match_header(cell.value, lookup)
            if key is not None:
                columns[cell.column] = Column(key, cell.value.strip(), get_column_letter(cell.column))
        keys = [c.field for c in columns.values()]
        if anchor in keys and len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (row[0].row, columns)
    if best is None:
        return None
    row_number, columns = best
    seen: dict[str, Column] = {}
    for column in columns.values():
        if column.field in seen:
            first = seen[column.field]
            raise InputFileError(
                f"{path.name} 工作表“{sheet.title}”第 {row_number} 行：表头“{first.header}”({first.letter}列)"
                f"和“{column.header}”({column.letter}列)都表示“{labels[column.field]}”。",
                hint="请删除或改名其中一列，使每项信息只有一列。",
            )
        seen[column.field] = column
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row_number <= merged.max_row and (
            merged.max_col > merged.min_col or merged.max_row > merged.min_row
        ):
            raise InputFileError(
                f"{path.name} 工作表“{sheet.title}”的表头第 {row_number} 行含合并单元格 {merged.coord}。",
                hint="请取消合并，让每一列只有一个表头、表头只占一行（标题行可以保留合并）。",
            )
    return best


def read_roster(
    path: Path, *, max_bytes: int, max_rows: int, required: Iterable[str] = ("head_name",)
) -> RosterFile:
    """Read every sheet of a roster workbook into raw rows, refusing unreadable files."""
    sniff(path, max_bytes)
    book = load_workbook(path, data_only=False)
    cached: Any = None
    rows: list[RawRow] = []
    headers: dict[str, list[str]] = {}
    header_cells: dict[str, list[Any]] = {}
    notes: list[str] = []
    required = tuple(required)
    for sheet in book.worksheets:
        if sheet.max_row <= 1 and sheet.max_column <= 1 and sheet.cell(1, 1).value is None:
            notes.append(f"工作表“{sheet.title}”为空，已跳过。")
            continue
        found = find_header_row(sheet, path)
        if found is None:
            notes.append(f"工作表“{sheet.title}”中未找到表头（需含“户主姓名”等列），已跳过。")
            continue
        header_row, columns = found
        fields = {c.field: c for c in columns.values()}
        missing = [FIELD_LABELS[k] for k in required if k not in fields]
        if missing:
            raise InputFileError(
                f"{path.name} 工作表“{sheet.title}”缺少必需的列：{'、'.join(missing)}。"
                f"已识别的列：{'、'.join(c.header for c in columns.values())}。",
                hint="请补上这些列，或用 --township / --village 指定整个文件所属的乡镇、村。",
            )
        headers[sheet.title] = [c.header for c in columns.values()]
        header_cells[sheet.title] = [c.value for c in sheet[header_row]]
        if sheet.max_row - header_row > max_rows:
            raise InputFileError(
                f"{path.name} 工作表“{sheet.title}”有 {sheet.max_row - header_row} 行，超过上限 {max_rows} 行。",
                hint="请按乡镇拆分后分别导入，或调高 PINGAN_MAX_ROSTER_ROWS。",
            )
        for excel_row in sheet.iter_rows(min_row=header_row + 1):
            values: dict[str, Any] = {}
            formulas: dict[str, str] = {}
            for cell in excel_row:
                column = columns.get(cell.column)
                if column is None or cell.value is None:
                    continue
                value = cell.value
                if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                    if cached is None:
                        cached = load_workbook(path, data_only=True)
                    formulas[column.field] = str(value)
                    value = cached[sheet.title].cell(cell.row, cell.column).value
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                values[column.field] = value
            if not values and not formulas:
                continue
            rows.append(
                RawRow(
                    sheet=sheet.title,
                    row=excel_row[0].row,
                    values=values,
                    columns=fields,
                    original=[c.value for c in excel_row],
                    formula_cells=formulas,
                )
            )
    if not headers:
        detail = "；".join(notes) if notes else "工作簿中没有工作表。"
        raise InputFileError(
            f"{path.name} 中没有可导入的花名册：{detail}",
            hint="花名册需有一行表头（如 乡镇（街道）、村（社区）、户主姓名……），其下每行一户。",
        )
    if not rows:
        raise InputFileError(
            f"{path.name} 有表头但没有任何数据行。", hint="请在表头下方每行填写一户后再导入。"
        )
    return RosterFile(path=path, rows=rows, headers=headers, notes=notes, header_cells=header_cells)
