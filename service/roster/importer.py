"""Roster import (花名册导入): validate every row, then create or update households in one transaction.

All-or-nothing by default: one invalid row and nothing is written. With ``skip_invalid`` the valid
rows are imported and the rejected ones are written, with their reasons, to an Excel file beside
the input. Importing the same roster again changes nothing; an edited roster updates the matching
households, and every change goes to the audit log with the file, sheet and row it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service import audit, units
from service.db.models import AdminUnit, Household, Member, RosterImport, UnitLevel
from service.errors import InputFileError, InvalidRows
from service.roster import fields as f
from service.roster.reader import FIELD_LABELS, RawRow, RosterFile, read_roster

HOUSEHOLD_FIELDS = (
    "head_name",
    "head_birth",
    "political_status",
    "occupation",
    "family_size",
    "address",
    "phone",
)


@dataclass(frozen=True)
class RowProblem:
    """A problem in one roster row: ``sheet!row, column：what is wrong``."""

    sheet: str
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class HouseholdRow:
    """A valid roster row: one household, normalised."""

    raw: RawRow
    township: str
    village: str
    group: str | None
    code: str | None
    head_name: str
    head_birth: str | None
    political_status: str | None
    occupation: str | None
    family_size: int | None
    address: str | None
    phone: str | None
    members: list[f.MemberRow] | None

    def identity(self) -> tuple[str, ...]:
        """Return the key that identifies the household within its village."""
        if self.code:
            return ("code", self.code)
        third = self.head_birth or self.address or ""
        return (self.township, self.village, self.head_name, third)


@dataclass
class ImportReport:
    """What an import did (导入结果)."""

    file: Path
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[RawRow, list[RowProblem]]] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejected_file: Path | None = None

    def reject(self, raw: RawRow, field_name: str, message: str) -> None:
        """Reject a whole row for one problem in one of its columns."""
        self.rejected.append((raw, [RowProblem(raw.sheet, raw.row, _column_label(raw, field_name), message)]))

    def summary(self) -> str:
        """Return the one-line account of the file: rows, created, updated, unchanged, refused."""
        return (
            f"{self.file.name}：共 {self.rows} 行；新增 {self.created} 户，更新 {self.updated} 户，"
            f"未变 {self.unchanged} 户，拒收 {len(self.rejected)} 行。"
        )

    @property
    def problems(self) -> list[RowProblem]:
        """Return every problem of every rejected row, in file order."""
        return [p for _, problems in self.rejected for p in problems]


def _column_label(raw: RawRow, field_name: str) -> str:
    column = raw.columns.get(field_name)
    if column is None:
        return FIELD_LABELS[field_name]
    return f"{column.header}（{column.letter}列）"


def validate_row(
    raw: RawRow, today: dt.date, township: str | None, village: str | None
) -> HouseholdRow | list[RowProblem]:
    """Check one raw row against the field rules; return the household or every problem found."""
    problems: list[RowProblem] = []

    def problem(field_name: str, message: str) -> None:
        problems.append(RowProblem(raw.sheet, raw.row, _column_label(raw, field_name), message))

    def parse(field_name: str, parser: Any, *args: Any) -> Any:
        if field_name in raw.formula_cells and field_name not in raw.values:
            problem(
                field_name,
                f"单元格含公式“{raw.formula_cells[field_name]}”但没有计算结果；"
                "请在 Excel 或 WPS 中打开并保存一次，或把该列“选择性粘贴为数值”",
            )
            return None
        try:
            return parser(raw.values.get(field_name), *args)
        except f.FieldProblem as exc:
            problem(field_name, str(exc))
            return None

    def unit_name(field_name: str, default: str | None) -> str | None:
        value = parse(field_name, f.parse_text, FIELD_LABELS[field_name], 64)
        if value is None and field_name not in raw.formula_cells:
            value = default
            if value is None:
                problem(field_name, f"{FIELD_LABELS[field_name]}为空")
        return value.replace(" ", "") if value else None

    township_name = unit_name("township", township)
    village_name = unit_name("village", village)
    group = parse("group", f.parse_text, "村民小组", 64)
    code = parse("household_code", f.parse_text, "户编号", 40)
    head_name = parse("head_name", f.parse_name, "户主姓名")
    head_birth = parse("head_birth", f.parse_birth, today)
    political_status = parse("political_status", f.parse_political_status)
    occupation = parse("occupation", f.parse_text, "职业", 64)
    family_size = parse("family_size", f.parse_family_size)
    address = parse("address", f.parse_text, "家庭住址", 200)
    phone = parse("phone", f.parse_phone)
    members = parse("members", f.parse_members) if "members" in raw.columns else None
    if family_size is not None and members and family_size < len(members) + 1:
        problem("family_size", f"家庭人数 {family_size} 少于户主加家庭成员共 {len(members) + 1} 人")
    if problems or township_name is None or village_name is None or head_name is None:
        return problems
    return HouseholdRow(
        raw=raw,
        township=township_name,
        village=village_name,
        group=units.canonical_group_name(group, village_name) if group else None,
        code=code,
        head_name=head_name,
        head_birth=head_birth,
        political_status=political_status,
        occupation=occupation,
        family_size=family_size,
        address=address,
        phone=phone,
        members=members,
    )


def _place(household: Household) -> str:
    village = household.village
    return f"{village.parent.name if village.parent else ''}{village.name}"


def snapshot(household: Household) -> dict[str, Any]:
    """Return a household's roster fields as plain data, for the audit log and comparisons."""
    village = household.village
    return {
        "township": village.parent.name if village.parent else None,
        "village": village.name,
        "group": household.group.name if household.group else None,
        **{name: getattr(household, name) for name in HOUSEHOLD_FIELDS},
        "members": [
            {"name": m.name, "age": m.age, "relation": m.relation, "workplace": m.workplace}
            for m in household.members
        ],
    }


def _row_values(row: HouseholdRow, present: set[str]) -> dict[str, Any]:
    values: dict[str, Any] = {"township": row.township, "village": row.village}
    if row.group is not None:
        values["group"] = row.group
    for name in HOUSEHOLD_FIELDS:
        value = getattr(row, name)
        if value is not None and name in present:
            values[name] = value
    if row.members is not None and (row.members or "members" in row.raw.values):
        values["members"] = [
            {"name": m.name, "age": m.age, "relation": m.relation, "workplace": m.workplace}
            for m in row.members
        ]
    return values


class RosterImporter:
    """Import one roster file into the district's households (导入花名册)."""

    def __init__(self, session: Session, actor: str, today: dt.date | None = None) -> None:
        self.session = session
        self.actor = actor
        self.today = today or dt.date.today()

    def run(
        self,
        path: Path,
        *,
        max_bytes: int,
        max_rows: int,
        skip_invalid: bool = False,
        township: str | None = None,
        village: str | None = None,
        year: int | None = None,
        scope: AdminUnit | None = None,
    ) -> ImportReport:
        """Validate the whole file, then write it (or refuse it) in the caller's transaction.

        With ``scope`` (a clerk's own township or village), rows of any other unit are refused and
        a file without 乡镇 or 村 columns is taken to be the scope's.
        """
        district = units.get_district(self.session)
        if scope is not None and scope.level != UnitLevel.district:
            place = [scope.parent, scope] if scope.level == UnitLevel.village and scope.parent else [scope]
            township = township or place[0].name
            if len(place) == 2:
                village = village or scope.name
        required = (
            ["head_name"]
            + (["township"] if township is None else [])
            + (["village"] if village is None else [])
        )
        roster = read_roster(path, max_bytes=max_bytes, max_rows=max_rows, required=required)
        report = ImportReport(file=path, rows=len(roster.rows), notes=list(roster.notes))
        valid = self._validate(roster, report, township, village)
        if scope is not None:
            valid = self._within(scope, valid, report)
        valid = self._match(district, valid, report)
        sheet_order = {name: i for i, name in enumerate(roster.headers)}
        report.rejected.sort(key=lambda item: (sheet_order[item[0].sheet], item[0].row))
        if report.rejected and not skip_invalid:
            raise InvalidRows(
                f"{path.name} 中有 {len(report.rejected)} 行数据有误，未导入任何数据：",
                [str(p) for p in report.problems],
                hint="请改正后重新导入；或加 --skip-invalid 只导入正确的行（错误行另存为 Excel）。",
            )
        self._apply(district, valid, report, roster)
        if report.rejected:
            report.rejected_file = write_rejected(roster, report)
        if report.created or report.updated:
            self.session.add(
                RosterImport(
                    file_name=path.name,
                    sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                    year=year,
                    actor=self.actor,
                    rows=report.rows,
                    created=report.created,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    rejected=len(report.rejected),
                )
            )
        self.session.flush()
        return report

    def _validate(
        self, roster: RosterFile, report: ImportReport, township: str | None, village: str | None
    ) -> list[tuple[HouseholdRow, Household | None]]:
        valid: list[tuple[HouseholdRow, Household | None]] = []
        seen: dict[tuple[str, ...], RawRow] = {}
        for raw in roster.rows:
            result = validate_row(raw, self.today, township, village)
            if isinstance(result, list):
                report.rejected.append((raw, result))
                continue
            key = result.identity()
            if key in seen:
                first = seen[key]
                where = f"第 {first.row} 行" if first.sheet == raw.sheet else f"{first.sheet}!{first.row}"
                report.reject(
                    raw,
                    "head_name",
                    f"与{where}重复（同一村、同一户主“{result.head_name}”"
                    + (f"、同一出生年月 {result.head_birth}" if result.head_birth else "")
                    + "）；请删除重复行",
                )
                continue
            seen[key] = raw
            valid.append((result, None))
        return valid

    def _within(
        self, scope: AdminUnit, rows: list[tuple[HouseholdRow, Household | None]], report: ImportReport
    ) -> list[tuple[HouseholdRow, Household | None]]:
        """Refuse the rows of units outside ``scope``."""
        if scope.level == UnitLevel.district:
            return rows
        kept = []
        for row, found in rows:
            if scope.level == UnitLevel.township:
                inside, field_name = row.township == scope.name, "township"
            else:
                township = scope.parent.name if scope.parent else ""
                inside = row.township == township and row.village == scope.name
                field_name = "township" if row.township != township else "village"
            if inside:
                kept.append((row, found))
            else:
                report.reject(
                    row.raw,
                    field_name,
                    f"“{row.township}{row.village}”不属于{scope.name}；本账号只能导入{scope.name}的户",
                )
        return kept

    def _match(
        self, district: AdminUnit, rows: list[tuple[HouseholdRow, Household | None]], report: ImportReport
    ) -> list[tuple[HouseholdRow, Household | None]]:
        names = {row.head_name for row, _ in rows}
        codes = {row.code for row, _ in rows if row.code}
        existing: list[Household] = []
        name_list = sorted(names)
        for start in range(0, len(name_list), 500):
            chunk = name_list[start : start + 500]
            existing += self.session.scalars(
                select(Household)
                .where(Household.head_name.in_(chunk))
                .options(selectinload(Household.members), selectinload(Household.village))
            )
        by_code = {h.code: h for h in existing}
        missing_codes = sorted(codes - set(by_code))
        for start in range(0, len(missing_codes), 500):
            for h in self.session.scalars(
                select(Household).where(Household.code.in_(missing_codes[start : start + 500]))
            ):
                by_code[h.code] = h
        by_key: dict[tuple[str, ...], Household] = {}
        by_person: dict[tuple[str, str, str], list[Household]] = defaultdict(list)
        for h in existing:
            township = h.village.parent.name if h.village.parent else ""
            by_key[(township, h.village.name, h.head_name, h.head_birth or h.address or "")] = h
            if h.head_birth and h.phone:
                by_person[(h.head_name, h.head_birth, h.phone)].append(h)
        matched: list[tuple[HouseholdRow, Household | None]] = []
        claimed: dict[int, HouseholdRow] = {}
        for row, _ in rows:
            household: Household | None
            if row.code:
                household = by_code.get(row.code)
                if household is None:
                    report.reject(
                        row.raw, "household_code", f"户编号 {row.code} 不存在；新登记的户请留空户编号"
                    )
                    continue
            else:
                household = by_key.get(row.identity())
                twins = by_person.get((row.head_name, row.head_birth or "", row.phone or ""), [])
                if household is None and twins:
                    twin = twins[0]
                    report.reject(
                        row.raw,
                        "head_name",
                        f"疑似重复：与已登记的户 {twin.code}（{_place(twin)}）户主姓名、出生年月、联系电话均相同；"
                        f"如确为迁居，请在“户编号”列填写 {twin.code}",
                    )
                    continue
            if household is not None:
                if household.id in claimed:
                    first = claimed[household.id].raw
                    report.reject(
                        row.raw,
                        "head_name",
                        f"与 {first.sheet}!{first.row} 是同一户 {household.code}；请删除重复行",
                    )
                    continue
                claimed[household.id] = row
            matched.append((row, household))
        return matched

    def _apply(
        self,
        district: AdminUnit,
        rows: list[tuple[HouseholdRow, Household | None]],
        report: ImportReport,
        roster: RosterFile,
    ) -> None:
        unit_cache: dict[tuple[int, str], AdminUnit] = {}
        next_seq: dict[int, int] = {}

        def unit(parent: AdminUnit, name: str, source: str) -> AdminUnit:
            key = (parent.id, name)
            if key not in unit_cache:
                found = units.child(self.session, parent, name)
                if found is None:
                    found = units.ensure_child(self.session, parent, name, self.actor, source)
                    report.new_units.append(f"{found.level.label} {name}（{found.code}）")
                unit_cache[key] = found
            return unit_cache[key]

        for row, household in rows:
            source = f"花名册 {roster.path.name} {row.raw.sheet}!{row.raw.row}"
            township = unit(district, row.township, source)
            village = unit(township, row.village, source)
            group = unit(village, row.group, source) if row.group else None
            present = set(row.raw.columns)
            new_values = _row_values(row, present)
            if household is None:
                household = Household(
                    code=self._new_code(village, next_seq), village=village, group=group, members=[]
                )
                self._assign(household, new_values)
                self.session.add(household)
                created = {"group": None, **dict.fromkeys(HOUSEHOLD_FIELDS), "members": [], **new_values}
                audit.record(
                    self.session,
                    actor=self.actor,
                    action="create",
                    entity="household",
                    key=household.code,
                    new=created,
                    source=source,
                )
                report.created += 1
                continue
            before = snapshot(household)
            wanted = {**before, **new_values}
            old, new = audit.changed(before, wanted)
            if not old and not new:
                report.unchanged += 1
                continue
            household.village = village
            if row.group is not None:
                household.group = group
            self._assign(household, new_values)
            audit.record(
                self.session,
                actor=self.actor,
                action="update",
                entity="household",
                key=household.code,
                old=old,
                new=new,
                source=source,
            )
            report.updated += 1

    def _assign(self, household: Household, values: dict[str, Any]) -> None:
        for name in HOUSEHOLD_FIELDS:
            if name in values:
                setattr(household, name, values[name])
        if "members" in values:
            household.members = [
                Member(seq=i, name=m["name"], age=m["age"], relation=m["relation"], workplace=m["workplace"])
                for i, m in enumerate(values["members"], start=1)
            ]

    def _new_code(self, village: AdminUnit, next_seq: dict[int, int]) -> str:
        if village.id not in next_seq:
            prefix = f"{village.code}-"
            codes = self.session.scalars(select(Household.code).where(Household.code.startswith(prefix)))
            next_seq[village.id] = max(
                (int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()), default=0
            )
        next_seq[village.id] += 1
        return f"{village.code}-{next_seq[village.id]:04d}"


def write_rejected(roster: RosterFile, report: ImportReport) -> Path:
    """Write the rejected rows, as read, with a 错误原因 column, to ``<name>.rejected.xlsx`` beside the input.

    The file keeps the original headers, so once corrected it can be imported as it is.
    """
    target = roster.path.with_name(f"{roster.path.stem}.rejected.xlsx")
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets: dict[str, Any] = {}
    for raw, problems in report.rejected:
        if raw.sheet not in sheets:
            sheet = book.create_sheet(raw.sheet[:31])
            sheet.append(["原行号", *roster.header_cells.get(raw.sheet, []), "错误原因"])
            sheets[raw.sheet] = sheet
        sheets[raw.sheet].append([raw.row, *raw.original, "；".join(p.message for p in problems)])
    try:
        book.save(target)
    except OSError as exc:
        raise InputFileError(
            f"无法在 {target.parent} 写入错误行文件 {target.name}：{exc.strerror}",
            hint="请把花名册复制到可写的文件夹后重新导入；本次未导入任何数据。",
        ) from exc
    return target


def import_rosters(session: Session, paths: Iterable[Path], actor: str, **options: Any) -> list[ImportReport]:
    """Import several roster files in one transaction (the caller commits)."""
    importer = RosterImporter(session, actor)
    return [importer.run(path, **options) for path in paths]


__all__ = [
    "HouseholdRow",
    "ImportReport",
    "RosterImporter",
    "RowProblem",
    "UnitLevel",
    "import_rosters",
    "validate_row",
]
