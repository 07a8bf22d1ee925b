"""Working pages of the workbench (工作台): villages, households, printing, scan upload, documents, jobs.

They call the same functions as the API, with the signed-in user's scope; long work becomes a job
whose page shows a live progress bar. (No ``from __future__ import annotations``: FastAPI reads
the signatures at run time.)
"""

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import accounts, review, units
from service.api.deps import Config, Db, Runner, require_district
from service.api.routes.jobs import (
    job_out,
    jobs_of,
    page_out,
    submit_document,
    submit_forms,
    submit_uploads,
    visible_job,
)
from service.api.routes.units import visible_household, years_of
from service.api.schemas import DocumentIn, FormsIn
from service.campaign.years import rules_of
from service.db.models import AuditEntry, CampaignYear, Record, UnitLevel, User
from service.errors import InputFileError, NotFound, PinganError
from service.jobs.runner import output_file
from service.jobs.work import DOCUMENTS
from service.records import final_values
from service.roster.export import households_in
from service.status import statuses
from service.uploads import SCAN_KINDS
from service.web.session import TEMPLATES, check_csrf, csrf_token, signed_in

router = APIRouter(include_in_schema=False)
LEVELS = [UnitLevel.district, UnitLevel.township, UnitLevel.village]


def render(request: Request, name: str, user: User, **context: Any) -> Response:
    """Render a page for the signed-in user."""
    return TEMPLATES.TemplateResponse(request, name, {"user": user, "csrf": csrf_token(request), **context})


def campaign_years(session: Session) -> list[int]:
    """Return the campaign years, newest first."""
    return list(session.scalars(select(CampaignYear.year).order_by(CampaignYear.year.desc())))


def _year(session: Session, year: int | None) -> CampaignYear:
    years = campaign_years(session)
    if not years:
        raise NotFound("还没有创建年度。", hint="请区妇联先用 pingan campaign new --year 年份 创建年度。")
    campaign = session.get(CampaignYear, year or years[0])
    if campaign is None:
        raise NotFound(f"没有 {year} 年度。")
    return campaign


@router.get("/villages/{code}", response_class=HTMLResponse)
def village_page(code: str, request: Request, session: Db, year: int | None = None) -> Response:
    """Show a village's households and where each stands in the year."""
    user = signed_in(request, session)
    village = units.find_unit(session, code, UnitLevel.village)
    accounts.require_unit(user, village)
    campaign = _year(session, year)
    found = statuses(session, households_in(session, village), campaign.year, rules_of(campaign))
    return render(
        request,
        "village.html",
        user,
        village=village,
        year=campaign.year,
        years=campaign_years(session),
        states=found,
    )


@router.get("/households/{code}", response_class=HTMLResponse)
def household_page(code: str, request: Request, session: Db) -> Response:
    """Show a household: its registration, every year's status, its records and its scans."""
    user = signed_in(request, session)
    household = visible_household(session, user, code)
    records = list(
        session.scalars(
            select(Record).where(Record.household_id == household.id).order_by(Record.year, Record.kind)
        )
    )
    allowed = accounts.village_ids(user)
    pages = [
        page_out(session, user, page, allowed)
        for record in records
        for page in _pages_of(session, record.serial)
    ]
    return render(
        request,
        "household.html",
        user,
        household=household,
        years=years_of(session, household),
        records=[
            (
                r,
                _shown(final_values(r), review.record_labels(session, r)),
                sum(1 for v in r.values if v.state == "review"),
            )
            for r in records
        ],
        pages=pages,
    )


def _shown(values: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """Return a record's values as (label on the form, value in words), in the form's order."""
    words = {True: "有", False: "无", None: "空", "yes": "是", "no": "否", "pass": "通过", "fail": "不通过"}
    order = {name: i for i, name in enumerate(labels)}
    return [
        (labels.get(k, k), words.get(v, str(v)) if isinstance(v, bool | str | None) else str(v))
        for k, v in sorted(values.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]


def _pages_of(session: Session, serial: str) -> list[Any]:
    from service.db.models import ScanPage

    return list(session.scalars(select(ScanPage).where(ScanPage.serial == serial).order_by(ScanPage.read_at)))


@router.get("/print", response_class=HTMLResponse)
def print_page(request: Request, session: Db) -> Response:
    """Show the form to print score sheets and application forms."""
    user = signed_in(request, session)
    townships = [u for u in _units_below(user) if u.level == UnitLevel.township]
    return render(
        request,
        "print.html",
        user,
        years=campaign_years(session),
        villages=units.villages_of(user.unit),
        townships=townships,
    )


def _units_below(user: User) -> list[Any]:
    if user.unit.level == UnitLevel.district:
        return [user.unit, *user.unit.children]
    return [user.unit]


@router.post("/print")
def print_submit(
    request: Request,
    session: Db,
    settings: Config,
    runner: Runner,
    form: Annotated[str, Form()],
    year: Annotated[int, Form()],
    place: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    blank: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "pdf",
) -> Response:
    """Start a print job and show its page."""
    check_csrf(request, csrf)
    user = signed_in(request, session)
    level, _, name = place.partition(":")
    if not name or level not in ("village", "township"):
        raise InputFileError("请选择印制范围（村或乡镇）。")
    if blank.strip() and not blank.strip().isdigit():
        raise InputFileError(f"空白表份数“{blank}”不是整数。")
    body = FormsIn.model_validate(
        {
            "form": form,
            "year": year,
            level: name,
            "blank": int(blank) if blank.strip() else None,
            "format": format,
        }
    )
    job = submit_forms(session, settings, runner, user, body)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, session: Db, settings: Config) -> Response:
    """Show the drag-and-drop scan upload."""
    user = signed_in(request, session)
    return render(
        request,
        "upload.html",
        user,
        years=campaign_years(session),
        limit_mb=settings.max_upload_bytes // 2**20,
        max_files=settings.max_upload_files,
    )


@router.post("/upload")
def upload_submit(
    request: Request,
    session: Db,
    settings: Config,
    runner: Runner,
    files: Annotated[list[UploadFile], File()],
    csrf: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
) -> Response:
    """Keep the uploaded scans and start their intake; answer with the job (JSON for the page's script)."""
    try:
        check_csrf(request, csrf)
        user = signed_in(request, session)
        params: dict[str, object] = {"year": int(year) if year.strip().isdigit() else None}
        job = submit_uploads(session, settings, runner, user, user.unit, "scans", files, SCAN_KINDS, params)
    except PinganError as exc:
        return JSONResponse({"message": exc.message, "hint": exc.hint}, status_code=exc.http_status)
    return JSONResponse({"id": job.id, "url": f"/jobs/{job.id}"}, status_code=202)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, session: Db, settings: Config) -> Response:
    """Show the documents the user's level may write, and the ones written lately."""
    user = signed_in(request, session)
    level = LEVELS.index(user.unit.level)
    allowed = {key: label for key, (label, lowest) in DOCUMENTS.items() if level <= LEVELS.index(lowest)}
    recent = [job_out(settings, j, "/jobs") for j in jobs_of(session, user, 30) if j.kind == "document"]
    townships = [u for u in _units_below(user) if u.level == UnitLevel.township]
    return render(
        request,
        "documents.html",
        user,
        documents=allowed,
        years=campaign_years(session),
        townships=townships,
        villages=units.villages_of(user.unit),
        recent=recent,
    )


@router.post("/documents")
def documents_submit(
    request: Request,
    session: Db,
    settings: Config,
    runner: Runner,
    document: Annotated[str, Form()],
    year: Annotated[int, Form()],
    csrf: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    number: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    pdf: Annotated[str, Form()] = "",
) -> Response:
    """Start a document job and show its page."""
    check_csrf(request, csrf)
    user = signed_in(request, session)
    level, _, name = place.partition(":")
    fields: dict[str, object] = {"document": document, "year": year, "pdf": bool(pdf)}
    if name and level in ("village", "township"):
        fields[level] = name
    if number.strip():
        fields["number"] = number.strip()
    if date.strip():
        from service.formats import parse_date

        try:
            fields["date"] = parse_date(date)
        except ValueError as exc:
            raise InputFileError(str(exc)) from exc
    job = submit_document(session, settings, runner, user, DocumentIn.model_validate(fields))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, session: Db, settings: Config) -> Response:
    """List the latest jobs of the user's units."""
    user = signed_in(request, session)
    return render(
        request, "jobs.html", user, jobs=[job_out(settings, j, "/jobs") for j in jobs_of(session, user, 50)]
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request, session: Db, settings: Config) -> Response:
    """Show one job with a live progress bar, then its summary and files."""
    user = signed_in(request, session)
    return render(
        request, "job.html", user, job=job_out(settings, visible_job(session, user, job_id), "/jobs")
    )


@router.get("/jobs/{job_id}/progress")
def job_progress(job_id: str, request: Request, session: Db, settings: Config) -> Response:
    """Return a job's progress as JSON for the page's script."""
    user = signed_in(request, session)
    return JSONResponse(job_out(settings, visible_job(session, user, job_id), "/jobs").model_dump())


@router.get("/jobs/{job_id}/files/{name:path}")
def job_file(job_id: str, name: str, request: Request, session: Db, settings: Config) -> Response:
    """Download a file a job wrote."""
    user = signed_in(request, session)
    path = output_file(settings, visible_job(session, user, job_id), name)
    return FileResponse(path, filename=path.name)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: Db, entity: str = "", key: str = "") -> Response:
    """Show the audit log to the district office, newest first, filtered by kind of object and its key."""
    user = signed_in(request, session)
    require_district(user, "审计日志")
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if key.strip():
        query = query.where(AuditEntry.entity_key == key.strip())

    def shown(value: dict[str, Any] | None) -> str:
        return "；".join(f"{k}：{v}" for k, v in value.items()) if value else ""

    entries = [(e, shown(e.old), shown(e.new)) for e in session.scalars(query.limit(300))]
    return render(request, "audit.html", user, entries=entries, entity=entity, key=key)
