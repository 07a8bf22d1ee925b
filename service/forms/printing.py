"""Printing forms (印制表格): prefilled sheets per household, or numbered blank sheets, with a register.

Nothing is half-written: values are checked against the font and the output folder is checked
before serials are allocated; files are rendered under temporary names and only renamed, and the
serials committed, once every file is complete. Re-printing a household's sheet issues a new
serial and marks the old one superseded.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ocr.code import KIND_LETTERS
from ocr.layout import FormLayout
from service import units
from service.campaign.years import get_year, rules_of
from service.concurrency import Executor, SerialExecutor
from service.db.models import AdminUnit, Household, Sheet, SheetStatus, UnitLevel
from service.errors import InputFileError, NotFound
from service.forms.fonts import register_all
from service.forms.layouts import KIND_LABELS, FormKind, build_layout, store_layout
from service.forms.render_pdf import SheetPrint, render_sheets
from service.forms.values import check_printable, household_values, place_of, sheet_info
from service.progress import NullProgress, ProgressBar
from service.roster.export import households_in
from service.settings import get_settings
from service.storage import Storage, storage_for


@dataclass(frozen=True)
class PrintRequest:
    """What to print: which form, for which year and unit, where, and how."""

    kind: FormKind
    year: int
    unit: AdminUnit
    out: Path
    blank: int | None = None
    fmt: str = "pdf"
    fillable: bool = True


@dataclass(frozen=True)
class RenderJob:
    """One output file to render (picklable, for worker processes)."""

    layout_json: str
    sheets: list[SheetPrint]
    path: str
    key: bytes
    fillable: bool
    fmt: str
    standards: list[dict[str, object]] = field(default_factory=list)
    stored: str | None = None  # storage key to hand the file back through, when rendered on another machine


@dataclass
class PrintedFile:
    """A file written: its path, sheets and pages."""

    path: Path
    sheets: int
    pages: int


@dataclass
class PrintReport:
    """What a print run produced (印制结果)."""

    layout_hash: str
    files: list[PrintedFile] = field(default_factory=list)
    register: Path | None = None
    superseded: list[str] = field(default_factory=list)

    @property
    def sheets(self) -> int:
        """Return the number of sheets printed."""
        return sum(f.sheets for f in self.files)

    @property
    def pages(self) -> int:
        """Return the number of pages printed."""
        return sum(f.pages for f in self.files)


def render_job(job: RenderJob) -> tuple[str, int]:
    """Render one file (in a worker process); return its path and page count.

    The cyclic garbage collector is paused while a file is built: a file is hundreds of thousands
    of small PDF objects, all alive until it is saved, and repeated collections over them cost a
    third of the time. It runs once when the file is done.
    """
    layout = FormLayout.from_json(job.layout_json)
    gc.disable()
    try:
        if job.fmt == "docx":
            from service.forms.render_docx import render_docx_sheets

            pages = render_docx_sheets(layout, job.sheets, Path(job.path), job.key, job.standards)
        else:
            pages = render_sheets(layout, job.sheets, Path(job.path), job.key, job.fillable)
    finally:
        gc.enable()
        gc.collect()
    if job.stored is not None:
        storage_for_printing().put_file(job.stored, Path(job.path))
    return job.path, pages


def storage_for_printing() -> Storage:
    """Return the shared storage that files rendered elsewhere come back through."""
    return storage_for(get_settings())


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".pingan-write-test-"):
            pass
    except OSError as exc:
        raise InputFileError(
            f"输出文件夹 {out} 不可写：{exc.strerror}。", hint="请换一个有写权限的文件夹（--out）。"
        ) from exc


def _next_number(session: Session, kind: str, year: int) -> int:
    current = session.scalar(select(func.max(Sheet.number)).where(Sheet.kind == kind, Sheet.year == year))
    return (current or 0) + 1


def _serial(kind: str, year: int, number: int) -> str:
    return f"{year}{KIND_LETTERS[kind]}{number:06d}"


def _safe(name: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in name)


class FormPrinter:
    """Prints a request: allocates serials, renders files, writes the register."""

    def __init__(
        self,
        session: Session,
        key: bytes,
        actor: str,
        executor: Executor | None = None,
        progress: ProgressBar | None = None,
    ) -> None:
        self.session = session
        self.key = key
        self.actor = actor
        self.executor = executor or SerialExecutor()
        self.progress = progress or NullProgress()

    def run(self, request: PrintRequest) -> PrintReport:
        """Print everything the request asks for, or nothing at all."""
        campaign = get_year(self.session, request.year)
        rules = rules_of(campaign)
        layout = build_layout(request.kind, rules, request.year)
        standards: list[dict[str, object]] = [
            {"number": i, "title": s.title, "points": s.points, "criteria": s.criteria}
            for i, s in enumerate(rules.standards, 1)
        ]
        label = KIND_LABELS[request.kind]
        villages = units.villages_of(request.unit)
        if request.blank is not None and request.unit.level != UnitLevel.village:
            raise InputFileError("空白表（--blank）须按村（社区）印制，请用 --village 指定。")
        batches: list[tuple[AdminUnit, list[Household | None]]]
        if request.blank is None:
            batches = [(v, list(households_in(self.session, v))) for v in villages]
            batches = [(v, hs) for v, hs in batches if hs]
            if not batches:
                raise NotFound(
                    f"{request.unit.name} 没有已登记的户，无法印制预填表格。",
                    hint="请先导入花名册，或用 --blank N 印制空白表。",
                )
        else:
            if request.blank < 1 or request.blank > 5000:
                raise InputFileError("--blank 份数应在 1 到 5000 之间。")
            batches = [(villages[0], [None] * request.blank)]
        register_all()
        _check_writable(request.out)

        report = PrintReport(layout_hash=store_layout(self.session, layout))
        number = _next_number(self.session, request.kind, request.year)
        jobs: list[RenderJob] = []
        sheets_by_file: dict[str, list[tuple[Sheet, Household | None]]] = {}
        for village, households in batches:
            prints: list[SheetPrint] = []
            rows: list[tuple[Sheet, Household | None]] = []
            for household in households:
                serial = _serial(request.kind, request.year, number)
                values: dict[str, str] = {}
                if household is not None:
                    values = household_values(household)
                    check_printable(values, layout, f"{village.name} {household.code} {household.head_name}")
                values["sheet_info"] = sheet_info(
                    serial,
                    household.code if household else None,
                    place_of(village, household.group if household else None),
                )
                prints.append(
                    SheetPrint(serial=serial, household=household.code if household else None, values=values)
                )
                rows.append(
                    (
                        Sheet(
                            serial=serial,
                            kind=request.kind,
                            year=request.year,
                            number=number,
                            layout_hash=report.layout_hash,
                            household_id=household.id if household else None,
                            village_id=village.id,
                            status=SheetStatus.issued,
                            actor=self.actor,
                            file_name="",
                        ),
                        household,
                    )
                )
                number += 1
            township = village.parent.name if village.parent else ""
            first, last = prints[0].serial, prints[-1].serial
            blank = f"-空白{len(prints)}份" if request.blank is not None else ""
            suffix = "docx" if request.fmt == "docx" else "pdf"
            name = _safe(f"{township}{village.name}-{label}-{request.year}{blank}-{first}至{last}")
            target = request.out / (name if request.fmt == "docx" else f"{name}.{suffix}")
            for sheet, _ in rows:
                sheet.file_name = target.name
            sheets_by_file[str(target)] = rows
            temp = request.out / f".{target.name}.partial"
            jobs.append(
                RenderJob(
                    layout.canonical_json(),
                    prints,
                    str(temp),
                    self.key,
                    request.fillable,
                    request.fmt,
                    standards,
                    f"outputs/{uuid.uuid4().hex}/{target.name}" if self.executor.remote else None,
                )
            )

        total_pages = sum(len(job.sheets) for job in jobs) * len(layout.pages)
        self.progress.start(total_pages, f"印制{label}", "页")
        written: list[Path] = []
        try:
            stored = {job.path: job.stored for job in jobs}
            for temp_path, pages in self.executor.run(render_job, jobs):
                key = stored[temp_path]
                if key is not None and not Path(temp_path).exists():  # rendered on another machine
                    shutil.copyfile(storage_for_printing().fetch(key), temp_path)
                written.append(Path(temp_path))
                self.progress.advance(pages)
            self.progress.finish()
            for job in jobs:
                temp = Path(job.path)
                final = temp.with_name(temp.name[1:].removesuffix(".partial"))
                os.replace(temp, final)
                written.remove(temp)
                written.append(final)
                pages = len(job.sheets) * len(layout.pages)
                report.files.append(PrintedFile(final, len(job.sheets), pages))
            replaced = self._supersede(
                request, [(sheet, owner) for rows in sheets_by_file.values() for sheet, owner in rows]
            )
            report.superseded = sorted(replaced)
            for rows in sheets_by_file.values():
                self.session.add_all(sheet for sheet, _ in rows)
            self.session.flush()
            report.register = self._write_register(request, sheets_by_file, replaced)
            written.append(report.register)
        except BaseException:
            self.progress.finish()
            for path in written:
                path.unlink(missing_ok=True)
            for job in jobs:
                Path(job.path).unlink(missing_ok=True)
            raise
        return report

    def _supersede(
        self, request: PrintRequest, printed: list[tuple[Sheet, Household | None]]
    ) -> dict[str, str]:
        """Mark the households' earlier sheets of this form and year superseded; return {old: new serial}."""
        new_serial = {owner.id: sheet.serial for sheet, owner in printed if owner is not None}
        replaced: dict[str, str] = {}
        ids = sorted(new_serial)
        for start in range(0, len(ids), 500):
            older = self.session.scalars(
                select(Sheet).where(
                    Sheet.kind == request.kind,
                    Sheet.year == request.year,
                    Sheet.household_id.in_(ids[start : start + 500]),
                    Sheet.status == SheetStatus.issued,
                )
            ).all()
            for sheet in older:
                assert sheet.household_id is not None
                sheet.status = SheetStatus.superseded
                sheet.superseded_by = new_serial[sheet.household_id]
                replaced[sheet.serial] = sheet.superseded_by
        return replaced

    def _write_register(
        self,
        request: PrintRequest,
        files: dict[str, list[tuple[Sheet, Household | None]]],
        replaced: dict[str, str],
    ) -> Path:
        label = KIND_LABELS[request.kind]
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = request.out / _safe(f"{request.unit.name}-{label}-{request.year}-登记表-{stamp}.xlsx")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "印制登记"
        headers = [
            "序号",
            "表格编号",
            "表格",
            "年度",
            "乡镇（街道）",
            "村（社区）",
            "村民小组",
            "户编号",
            "户主姓名",
            "文件",
            "代替的旧编号",
            "印制时间",
            "印制人",
        ]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        by_new: dict[str, list[str]] = {}
        for old, new in replaced.items():
            by_new.setdefault(new, []).append(old)
        index = 0
        for rows in files.values():
            for printed, owner in rows:
                index += 1
                village = owner.village if owner else self.session.get(AdminUnit, printed.village_id)
                older = by_new.get(printed.serial, [])
                sheet.append(
                    [
                        index,
                        printed.serial,
                        label,
                        request.year,
                        village.parent.name if village and village.parent else "",
                        village.name if village else "",
                        owner.group.name if owner and owner.group else "",
                        owner.code if owner else "（空白表）",
                        owner.head_name if owner else "",
                        printed.file_name,
                        "、".join(older),
                        now,
                        self.actor,
                    ]
                )
        for letter, width in zip(
            "ABCDEFGHIJKLM", (6, 14, 10, 6, 12, 12, 14, 20, 12, 50, 16, 17, 10), strict=True
        ):
            sheet.column_dimensions[letter].width = width
        book.save(path)
        return path
