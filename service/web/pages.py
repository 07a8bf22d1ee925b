"""Pages of the workbench (网页): login, logout, the progress dashboard and the review screen.

Sessions are signed cookies (HttpOnly, SameSite=Lax) holding the user id and a CSRF token that
every form posts back; logins are rate-limited per address and login name.
(No ``from __future__ import annotations`` here: FastAPI reads the route signatures at run time.)
"""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import accounts, review, units
from service.api.deps import Db
from service.campaign.quotas import quota_lines
from service.campaign.years import rules_of
from service.db.models import CampaignYear
from service.errors import InputFileError, NotAuthenticated, NotFound
from service.records import reason_label
from service.roster.export import households_in
from service.status import Step, statuses
from service.web.session import TEMPLATES, LoginLimiter, check_csrf, csrf_token, page_user, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    """Show the login form."""
    return TEMPLATES.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "user": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: Db,
    login: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Check a login and start a session (rate-limited)."""
    check_csrf(request, csrf)
    address = request.client.host if request.client else "?"
    context = {"csrf": csrf_token(request), "user": None, "login": login}
    limiter: LoginLimiter = request.app.state.login_limiter
    if limiter.blocked(address, login):
        context["error"] = "登录失败次数过多，请 5 分钟后再试。"
        return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=429)
    try:
        user = accounts.authenticate(session, login, password)
    except NotAuthenticated as exc:
        limiter.failed(address, login)
        context["error"] = exc.message
        return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=401)
    limiter.succeeded(address, login)
    request.session.clear()
    request.session["user"] = user.id
    csrf_token(request)
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """End the session."""
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: Db, year: int | None = None) -> Response:
    """Show the progress of the user's villages and townships."""
    user = page_user(request, session)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    campaign = (
        session.get(CampaignYear, year)
        if year
        else session.scalars(select(CampaignYear).order_by(CampaignYear.year.desc())).first()
    )
    rows: list[dict[str, Any]] = []
    townships: list[dict[str, Any]] = []
    if campaign is not None:
        rules = rules_of(campaign)
        for village in units.villages_of(user.unit):
            found = statuses(session, households_in(session, village), campaign.year, rules)
            scored = sum(1 for s in found if s.step >= Step.scored)
            rows.append(
                {
                    "township": village.parent.name if village.parent else "",
                    "village": village.name,
                    "code": village.code,
                    "registered": len(found),
                    "scored": scored,
                    "participation": percent(scored, len(found)),
                    "named": sum(1 for s in found if s.step >= Step.named and not s.rejected),
                    "rejected": sum(1 for s in found if s.rejected),
                    "with_open_reviews": sum(1 for s in found if s.open_reviews),
                }
            )
        townships = township_progress(session, campaign.year, rows, rules.participation_target)
    return TEMPLATES.TemplateResponse(
        request,
        "dashboard.html",
        {
            "user": user,
            "csrf": csrf_token(request),
            "unit": user.unit.name,
            "year": campaign.year if campaign else year,
            "rows": rows,
            "townships": townships,
            "years": list(session.scalars(select(CampaignYear.year).order_by(CampaignYear.year.desc()))),
            "target": round(100 * rules_of(campaign).participation_target) if campaign else 90,
        },
    )


def percent(part: int, whole: int | None) -> float:
    """Return ``part`` of ``whole`` in per cent, one decimal (0 when there is no whole)."""
    return round(100 * part / whole, 1) if whole else 0.0


def township_progress(
    session: Session, year: int, rows: list[dict[str, Any]], target: float
) -> list[dict[str, Any]]:
    """Sum the village rows per township beside its quota (附件1) and the participation target."""
    quotas = {line.township: line for line in quota_lines(session, year)}
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        line = found.setdefault(
            row["township"], {"township": row["township"], "registered": 0, "scored": 0, "named": 0}
        )
        for key in ("registered", "scored", "named"):
            line[key] += row[key]
    for name, line in found.items():
        quota = quotas.get(name)
        line["quota"] = quota.family_quota if quota else None
        line["quota_done"] = min(100.0, percent(line["named"], line["quota"]))
        line["participation"] = percent(line["scored"], line["registered"])
        line["behind"] = line["participation"] < 100 * target
    return list(found.values())


@router.get("/review", response_class=HTMLResponse)
def review_screen(
    request: Request, session: Db, after: int | None = None, message: str | None = None
) -> Response:
    """Show the next open review item, keyboard-driven."""
    user = page_user(request, session)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    items = [line.item for line in accounts.review_queue(session, user)]
    ids = [i.id for i in items]
    index = ids.index(after) + 1 if after in ids else 0
    item = items[index % len(items)] if items else None
    context: dict[str, Any] = {
        "user": user,
        "csrf": csrf_token(request),
        "remaining": len(items),
        "message": message,
    }
    if item is not None:
        household = item.record.household
        context.update(
            item={
                "id": item.id,
                "field": item.field,
                "label": review.field_label(session, item),
                "serial": item.record.serial,
                "head_name": household.head_name if household else None,
                "village": household.village.name if household else None,
                "reason_label": reason_label(item.reason),
                "detail": item.detail,
                "confidence": item.confidence,
                "crop_url": crop if (crop := review.crop_of(session, item)) and Path(crop).exists() else None,
            },
            shown={True: "有", False: "无", None: "空"}.get(item.read_value, str(item.read_value))
            if isinstance(item.read_value, bool | None)
            else str(item.read_value),
            next_id=len(items) > 1,
        )
    return TEMPLATES.TemplateResponse(request, "review.html", context)


@router.get("/review/{item_id}/crop")
def review_crop(item_id: int, request: Request, session: Db) -> Response:
    """Send a review item's crop image."""
    item = accounts.review_item(session, signed_in(request, session), item_id)
    crop = review.crop_of(session, item)
    if not crop or not Path(crop).exists():
        raise NotFound("该复核项没有切图（由规则检查产生，请查看原表）。")
    return FileResponse(crop, media_type="image/png")


@router.post("/review/{item_id}")
def review_decide(
    item_id: int,
    request: Request,
    session: Db,
    action: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    why: Annotated[str, Form()] = "",
) -> Response:
    """Accept, set or reject a review item."""
    check_csrf(request, csrf)
    user = signed_in(request, session)
    item = accounts.review_item(session, user, item_id)
    if action == "accept":
        review.decide(session, item, "accept", user.login)
    elif action == "set":
        review.decide(session, item, "set", user.login, review.parse_value(session, item, value))
    elif action == "reject":
        if not why.strip():
            raise InputFileError("驳回请写明原因。")
        review.decide(session, item, "reject", user.login, note=why.strip())
    else:
        raise InputFileError(f"不认识的操作“{action}”。")
    return RedirectResponse(f"/review?after={item_id}&message=复核项 {item_id} 已处理", status_code=303)
