"""The kinds of background job (任务种类): roster import, printing, scan intake and documents.

Each takes its parameters as the API checked them, does the same work as the CLI command of the
same name under the submitting user's login, and returns a result with Chinese summary lines.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from service import units
from service.campaign.years import get_year
from service.db.models import AdminUnit, UnitLevel
from service.documents.district import model_naming, model_roster, quota_table, removal_notice
from service.documents.naming import Issued, township_naming
from service.documents.notice import public_notice
from service.documents.plaques import plaque_list
from service.documents.report import evaluation_report
from service.errors import Forbidden, InputFileError, NotFound
from service.forms.layouts import KIND_LABELS, FormKind
from service.forms.printing import FormPrinter, PrintRequest
from service.intake import ingest
from service.jobs.executors import executor_from
from service.jobs.runner import JobContext, JobResult, job_kind
from service.roster.importer import RosterImporter
from service.status import HouseholdStatus

# the documents a job can write, with who may ask for them (the lowest unit level allowed)
DOCUMENTS: dict[str, tuple[str, UnitLevel]] = {
    "naming": ("命名决定（附花名册）", UnitLevel.township),
    "notice": ("张榜公示", UnitLevel.village),
    "model-roster": ("示范户推荐花名册", UnitLevel.township),
    "plaques": ("示范户授牌名单", UnitLevel.township),
    "removal": ("摘牌通知", UnitLevel.township),
    "model-naming": ("示范户命名决定", UnitLevel.district),
    "quotas": ("任务指标分配表（附件1）", UnitLevel.district),
    "report": ("问效评估报告", UnitLevel.district),
}


def _unit(session: Session, context: JobContext) -> AdminUnit:
    unit = session.get(AdminUnit, context.unit_id)
    if unit is None:
        raise NotFound(f"任务 {context.job_id} 的单位已不存在。")
    return unit


def _inputs(context: JobContext) -> list[Path]:
    files = [context.inbox / name for name in context.params.get("files", [])]
    missing = [p.name for p in files if not p.exists()]
    if missing:
        raise InputFileError(f"上传的文件 {'、'.join(missing)} 已不在任务文件夹中。", hint="请重新上传。")
    return files


@job_kind("roster", "导入花名册")
def import_roster(context: JobContext, session: Session) -> JobResult:
    """Import the uploaded rosters into the unit's households, all files or none."""
    scope = _unit(session, context)
    year = context.params.get("year")
    if year is not None:
        get_year(session, year)
    importer = RosterImporter(session, context.actor)
    files = _inputs(context)
    context.progress.start(len(files), "导入花名册", "个文件")
    lines: list[str] = []
    for path in files:
        report = importer.run(
            path,
            max_bytes=context.settings.max_roster_bytes,
            max_rows=context.settings.max_roster_rows,
            skip_invalid=bool(context.params.get("skip_invalid")),
            year=year,
            scope=scope,
        )
        lines += [f"提示：{note}" for note in report.notes]
        lines += [f"新增单位：{name}" for name in report.new_units]
        lines.append(report.summary())
        lines += [str(problem) for problem in report.problems]
        if report.rejected_file is not None:
            shutil.move(report.rejected_file, context.outbox / report.rejected_file.name)
            lines.append(f"错误行已另存为 {report.rejected_file.name}（改正后可直接再次导入）。")
        context.progress.advance()
    return {"summary": lines}


@job_kind("forms", "印制表格")
def print_forms(context: JobContext, session: Session) -> JobResult:
    """Print prefilled (or numbered blank) sheets for the unit into the job's folder."""
    unit = _unit(session, context)
    kind: FormKind = "application" if context.params["form"] == "application" else "score"
    request = PrintRequest(
        kind=kind,
        year=int(context.params["year"]),
        unit=unit,
        out=context.outbox,
        blank=context.params.get("blank"),
        fmt=context.params.get("format", "pdf"),
    )
    executor = executor_from(context.settings, context.settings.job_workers, start="forkserver")
    printer = FormPrinter(session, context.settings.signing_key(), context.actor, executor, context.progress)
    report = printer.run(request)
    lines = [
        f"已印制{KIND_LABELS[kind]} {report.sheets} 份（{report.pages} 页），版式 {report.layout_hash}。"
    ]
    lines += [f"{printed.path.name}：{printed.sheets} 份" for printed in report.files]
    if report.superseded:
        lines.append(f"{len(report.superseded)} 个旧编号已作废（被新印的表格代替，见登记表）。")
    return {"summary": lines, "sheets": report.sheets, "pages": report.pages}


@job_kind("scans", "扫描件入库")
def ingest_scans(context: JobContext, session: Session) -> JobResult:
    """Store, read and record the uploaded scans, page by page (re-running it is harmless)."""
    files = _inputs(context)
    executor = executor_from(context.settings, context.settings.job_workers, start="forkserver")
    year = context.params.get("year")
    report = ingest(session, context.settings, files, context.actor, year, executor, context.progress)
    lines = [report.summary(), *(f"跳过非扫描文件：{name}" for name in report.skipped), *report.rejected]
    return {
        "summary": lines,
        "file_ids": report.file_ids,
        "pages": report.pages,
        "reviews": report.reviews,
        "outcomes": dict(report.outcomes),
    }


def _left_out(left_out: list[tuple[HouseholdStatus, str]]) -> list[str]:
    return [f"未列入：{s.household.village.name} {s.household.label}：{why}" for s, why in left_out]


def _day(context: JobContext, name: str) -> dt.date:
    text = context.params.get(name)
    return dt.date.fromisoformat(text) if text else dt.date.today()


@job_kind("document", "生成公文")
def write_document(context: JobContext, session: Session) -> JobResult:
    """Write one official document (DOCX, and PDF through LibreOffice) into the job's folder."""
    unit = _unit(session, context)
    params, settings, out = context.params, context.settings, context.outbox
    which, year, pdf = params["document"], int(params["year"]), bool(params.get("pdf", True))
    context.progress.stage_only(f"生成{DOCUMENTS[which][0]}")
    extra: list[str] = []
    issued: Issued
    if which == "naming":
        issued = township_naming(
            session, unit.name, year, params["number"], _day(context, "date"), out, settings, pdf
        )
    elif which == "notice":
        issued, result = public_notice(session, unit, year, _day(context, "date"), out, settings, pdf)
        if result.period is not None:
            extra.append(f"公示期 {result.period.first} 至 {result.period.last}（{result.period.note}）。")
        extra += _left_out(result.left_out)
    elif which == "model-roster":
        limit = params.get("limit")
        issued, left_out = model_roster(session, unit, year, _day(context, "date"), out, settings, limit, pdf)
        extra += _left_out(left_out)
    elif which == "plaques":
        issued, _xlsx = plaque_list(session, unit, year, _day(context, "date"), out, settings, pdf)
    elif which == "removal":
        issued = removal_notice(session, unit, year, _day(context, "date"), out, settings, pdf)
    elif which == "model-naming":
        issued = model_naming(session, year, params["number"], _day(context, "date"), out, settings, pdf)
    elif which == "quotas":
        issued = quota_table(session, year, _day(context, "date"), out, settings, pdf)
    else:
        issued = evaluation_report(session, year, _day(context, "date"), out, settings, pdf)
    counted = "个乡镇（街道）" if which in ("quotas", "report") else "户"
    lines = [f"{DOCUMENTS[which][0]}已生成，{issued.rows} {counted}。", *extra]
    if pdf and issued.pdf is None:
        lines.append("PDF 未能生成（LibreOffice 出错），已保留 DOCX，可在 Word 或 WPS 中打开后打印。")
    return {"summary": lines, "rows": issued.rows}


def unit_for_document(session: Session, which: str, unit: AdminUnit) -> AdminUnit:
    """Check a document can be asked for at this unit's level (a village cannot name households)."""
    if which not in DOCUMENTS:
        raise NotFound(f"没有“{which}”这种公文。", hint=f"可选：{'、'.join(DOCUMENTS)}。")
    label, lowest = DOCUMENTS[which]
    order = [UnitLevel.district, UnitLevel.township, UnitLevel.village]
    if order.index(unit.level) > order.index(lowest):
        raise Forbidden(
            f"{label}须由{'区妇联' if lowest == UnitLevel.district else '乡镇（街道）或区妇联'}生成，"
            f"不能按{unit.name}生成。"
        )
    if (
        lowest == UnitLevel.township
        and which in ("naming", "model-roster")
        and unit.level != UnitLevel.township
    ):
        raise InputFileError(f"{label}按乡镇（街道）生成，请指定乡镇（街道）。")
    return units.get_district(session) if lowest == UnitLevel.district else unit
