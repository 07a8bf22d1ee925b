"""Jobs (后台任务): printing, scan uploads, roster uploads and documents run off the request thread.

Each ``POST`` answers ``202`` with the job at once; ``GET /api/v1/jobs/{id}`` shows its progress,
then its summary and the files it wrote. (No ``from __future__ import annotations``: FastAPI reads
the signatures at run time.)
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import accounts, units
from service.api.deps import ERRORS, UPLOAD_ERRORS, Caller, Config, Db, Runner, YearForm, scope_of
from service.api.schemas import DocumentIn, FieldOut, FormsIn, JobFile, JobOut, PageOut
from service.campaign.years import get_year
from service.db.models import AdminUnit, Job, JobState, ScanFile, ScanPage, Sheet, UnitLevel, User
from service.errors import InputFileError, NotFound, PinganError
from service.jobs.runner import KINDS, JobRunner, create_job, discard_job, elapsed, output_file, output_files
from service.jobs.work import unit_for_document
from service.records import outcome_label
from service.settings import Settings
from service.uploads import ROSTER_KINDS, SCAN_KINDS, save_upload

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def job_out(settings: Settings, job: Job, url_prefix: str = "/api/v1/jobs") -> JobOut:
    """Return the public view of a job."""
    out = output_files(settings, job) if job.state == JobState.done else []
    base = settings.data_dir / "jobs" / job.id / "out"
    took = elapsed(job)
    return JobOut(
        id=job.id,
        kind=job.kind,
        kind_label=KINDS[job.kind].label if job.kind in KINDS else job.kind,
        state=job.state.value,
        state_label=job.state.label,
        stage=job.stage,
        done=job.done,
        total=job.total,
        unit_word=job.unit_word,
        percent=round(100 * min(job.done, job.total) / job.total, 1) if job.total else None,
        unit=job.unit.name,
        actor=job.actor,
        created_at=job.created_at.isoformat(timespec="seconds"),
        seconds=round(took.total_seconds(), 1) if took else None,
        summary=[*job.params.get("refused", []), *((job.result or {}).get("summary", []))],
        error=job.error,
        hint=job.hint,
        files=[
            JobFile(
                name=str(p.relative_to(base)),
                size=p.stat().st_size,
                url=f"{url_prefix}/{job.id}/files/{quote(str(p.relative_to(base)))}",
            )
            for p in out
        ],
    )


def visible_job(session: Session, user: User, job_id: str) -> Job:
    """Return a job of the caller's units."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"没有编号为 {job_id} 的任务。")
    accounts.require_unit(user, job.unit)
    return job


def jobs_of(session: Session, user: User, limit: int = 50) -> list[Job]:
    """Return the newest jobs of the caller's units."""
    allowed = accounts.village_ids(user)
    found = []
    for job in session.scalars(select(Job).order_by(Job.created_at.desc()).limit(limit * 5)):
        if {v.id for v in units.villages_of(job.unit)} <= allowed:
            found.append(job)
        if len(found) == limit:
            break
    return found


def submit_uploads(
    session: Session,
    settings: Settings,
    runner: JobRunner,
    user: User,
    unit: AdminUnit,
    kind: str,
    uploads: list[UploadFile],
    accepted: tuple[str, ...],
    params: dict[str, object],
) -> Job:
    """Keep the acceptable uploads in a new job's folder and start it; refuse it if none is acceptable."""
    if not uploads:
        raise InputFileError("没有收到文件。", hint="请选择要上传的文件。")
    if len(uploads) > settings.max_upload_files:
        raise InputFileError(
            f"一次最多上传 {settings.max_upload_files} 个文件，这次有 {len(uploads)} 个。",
            hint="请分批上传。",
        )
    job = create_job(session, settings, kind, params, unit, user, user.login)
    kept: list[str] = []
    refused: list[PinganError] = []
    for upload in uploads:
        try:
            kept.append(
                save_upload(
                    upload.file,
                    settings.data_dir / "jobs" / job.id / "in",
                    upload.filename or "上传文件",
                    settings.max_upload_bytes,
                    accepted,
                ).name
            )
        except PinganError as exc:
            refused.append(exc)
    if not kept:
        session.rollback()
        discard_job(settings, job.id)
        raise refused[0]
    job.params = {**params, "files": kept, "refused": [f"未接收：{exc.message}" for exc in refused]}
    session.commit()
    runner.submit(job.id)
    return job


@router.post("/scans", status_code=202, response_model=JobOut, responses=UPLOAD_ERRORS, tags=["扫描件"])
def upload_scans(
    session: Db,
    user: Caller,
    settings: Config,
    runner: Runner,
    files: Annotated[list[UploadFile], File(description="扫描件：PDF、TIFF、JPEG、PNG 或填好的 Word 表格")],
    year: YearForm = None,
) -> JobOut:
    """上传扫描件并入库（后台任务）：逐页识读、生成档案与复核项；重复上传不会重复计算。"""
    if year is not None:
        get_year(session, year)
    job = submit_uploads(
        session, settings, runner, user, user.unit, "scans", files, SCAN_KINDS, {"year": year}
    )
    return job_out(settings, job)


@router.post("/roster", status_code=202, response_model=JobOut, responses=UPLOAD_ERRORS, tags=["单位与户"])
def upload_roster(
    session: Db,
    user: Caller,
    settings: Config,
    runner: Runner,
    files: Annotated[list[UploadFile], File(description="花名册 .xlsx")],
    year: YearForm = None,
    skip_invalid: Annotated[bool, Form(description="只导入正确的行，错误行另存为 Excel")] = False,
) -> JobOut:
    """导入花名册（后台任务）：逐行校验；只能导入本单位的户；默认有错误则整份不导入。"""
    if year is not None:
        get_year(session, year)
    params: dict[str, object] = {"year": year, "skip_invalid": skip_invalid}
    job = submit_uploads(session, settings, runner, user, user.unit, "roster", files, ROSTER_KINDS, params)
    return job_out(settings, job)


def submit_forms(session: Session, settings: Settings, runner: JobRunner, user: User, body: FormsIn) -> Job:
    """Check a print request against the caller's units and start it as a job."""
    if (body.village is None) == (body.township is None):
        raise InputFileError("请指定 village 或 township（二选一）。")
    if body.blank is not None and body.village is None:
        raise InputFileError("空白表须按村（社区）印制，请指定 village。")
    get_year(session, body.year)
    unit = scope_of(session, user, body.village, body.township)
    params = {"form": body.form, "year": body.year, "blank": body.blank, "format": body.format}
    job = create_job(session, settings, "forms", params, unit, user, user.login)
    session.commit()
    runner.submit(job.id)
    return job


def submit_document(
    session: Session, settings: Settings, runner: JobRunner, user: User, body: DocumentIn
) -> Job:
    """Check a document request against the caller's level and units and start it as a job."""
    get_year(session, body.year)
    if body.document in ("naming", "model-naming") and not body.number:
        raise InputFileError("命名决定须给出发文字号（number），如 城关镇妇发〔2026〕3号。")
    unit = scope_of(session, user, body.village, body.township)
    if body.document in ("naming", "model-roster") and unit.level == UnitLevel.district:
        raise InputFileError("请指定乡镇（街道）（township）。")
    unit = unit_for_document(session, body.document, unit)
    accounts.require_unit(user, unit)
    job = create_job(session, settings, "document", body.model_dump(mode="json"), unit, user, user.login)
    session.commit()
    runner.submit(job.id)
    return job


@router.post("/forms", status_code=202, response_model=JobOut, tags=["表格"])
def print_forms(body: FormsIn, session: Db, user: Caller, settings: Config, runner: Runner) -> JobOut:
    """印制评分表或申报审批表（后台任务）：预填本村（或乡镇下每个村）各户，或编号的空白表。"""
    return job_out(settings, submit_forms(session, settings, runner, user, body))


@router.post("/documents", status_code=202, response_model=JobOut, tags=["公文"])
def write_document(body: DocumentIn, session: Db, user: Caller, settings: Config, runner: Runner) -> JobOut:
    """生成公文（后台任务）：命名决定、公示、推荐花名册、授牌名单、摘牌通知、指标表、评估报告。"""
    return job_out(settings, submit_document(session, settings, runner, user, body))


@router.get("/jobs", response_model=list[JobOut], tags=["后台任务"])
def list_jobs(
    session: Db, user: Caller, settings: Config, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[JobOut]:
    """本单位的后台任务，新的在前。"""
    return [job_out(settings, job) for job in jobs_of(session, user, limit)]


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["后台任务"])
def show_job(job_id: str, session: Db, user: Caller, settings: Config) -> JobOut:
    """一个任务的进度；完成后有结果说明与文件下载地址，失败时有原因与处理办法。"""
    return job_out(settings, visible_job(session, user, job_id))


@router.get("/jobs/{job_id}/files/{name:path}", response_class=FileResponse, tags=["后台任务"])
def job_file(job_id: str, name: str, session: Db, user: Caller, settings: Config) -> FileResponse:
    """下载任务生成的文件（表格 PDF/DOCX、公文、错误行 Excel）。"""
    path = output_file(settings, visible_job(session, user, job_id), name)
    return FileResponse(path, filename=path.name)


def page_out(session: Session, user: User, page: ScanPage, allowed: set[int]) -> PageOut:
    """Return a page; its fields only when its sheet belongs to one of the caller's villages."""
    sheet = session.get(Sheet, page.serial) if page.serial else None
    mine = sheet is not None and sheet.village_id in allowed
    reading = page.reading or {}
    fields = [
        FieldOut(
            name=f.get("name", ""), label=f.get("label", ""), value=f.get("value"), status=f.get("status", ""),
            reason=f.get("reason"), confidence=f.get("confidence", 0.0),
        )
        for f in reading.get("fields", [])
        if mine and f.get("kind") != "printed"
    ]  # fmt: skip
    return PageOut(
        id=page.id,
        file=page.file.name,
        page=page.page_index + 1,
        ok=page.ok,
        outcome=page.outcome,
        outcome_label=outcome_label(page.outcome),
        error=page.error,
        hint=page.hint,
        serial=page.serial if mine or sheet is None else None,
        household=sheet.household.code if mine and sheet and sheet.household else None,
        fields=fields,
    )


@router.get("/jobs/{job_id}/pages", response_model=list[PageOut], tags=["扫描件"])
def job_pages(job_id: str, session: Db, user: Caller) -> list[PageOut]:
    """扫描任务中各页的识读结果（只显示本单位各户的栏目读数）。"""
    job = visible_job(session, user, job_id)
    if job.kind != "scans":
        raise NotFound(f"任务 {job_id} 不是扫描件入库任务。")
    file_ids = (job.result or {}).get("file_ids", [])
    allowed = accounts.village_ids(user)
    pages = session.scalars(
        select(ScanPage)
        .join(ScanFile)
        .where(ScanPage.file_id.in_(file_ids))
        .order_by(ScanFile.id, ScanPage.page_index)
    )
    return [page_out(session, user, page, allowed) for page in pages]
