"""The HTTP service (接口服务): a FastAPI app on the same database and rules as the CLI.

Every route under ``/api/v1`` needs an API token (``Authorization: Bearer pa_…``, from ``pingan
users token``) and answers only about the caller's own units; errors come from the one exception
hierarchy as ``{"code", "message", "hint"}`` with its HTTP status. (No ``from __future__ import
annotations`` here: FastAPI reads the route signatures at run time.)
"""

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.middleware.sessions import SessionMiddleware

from service import accounts, review, units
from service.api.schemas import (
    AuditOut,
    HealthOut,
    HouseholdDetail,
    HouseholdOut,
    MeOut,
    Problem,
    Rejection,
    ReviewOut,
    SetValue,
    StatusRow,
    ToolOut,
    UnitOut,
    YearStatus,
)
from service.campaign.years import get_year, rules_of
from service.db.models import (
    AdminUnit,
    AuditEntry,
    CampaignYear,
    Household,
    ReviewItem,
    Role,
    UnitLevel,
    User,
)
from service.db.session import current_revision, head_revision, make_engine, require_current, session_scope
from service.errors import Forbidden, NotAuthenticated, NotFound, PinganError
from service.records import reason_label
from service.roster.export import households_in
from service.settings import Settings, get_settings
from service.status import Step, household_status, statuses
from service.tools.probes import run_probes
from service.web.pages import LoginLimiter, page_error
from service.web.pages import router as pages_router

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem, "description": "未登录或令牌无效"},
    403: {"model": Problem, "description": "超出本单位范围"},
    404: {"model": Problem, "description": "没有找到"},
    422: {"model": Problem, "description": "参数有误"},
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app on the configured database (checked to be initialised and current)."""
    config = settings or get_settings()
    engine: Engine = make_engine(config.resolved_database_url)
    require_current(engine)
    app = FastAPI(
        title="pingan 平安家庭创建工作系统",
        description="花名册、表格、扫描识读、复核、进度与公文。各接口只返回调用者本单位的数据。",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )

    @app.exception_handler(PinganError)
    async def domain_error(request: Request, exc: PinganError) -> Response:
        if not request.url.path.startswith("/api/"):
            return page_error(request, exc)
        return JSONResponse(
            status_code=exc.http_status, content={"code": exc.code, "message": exc.message, "hint": exc.hint}
        )

    session_secret = hmac.new(config.signing_key(), b"pingan web session", hashlib.sha256).hexdigest()
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret,
        session_cookie="pingan_session",
        same_site="lax",
        https_only=config.cookie_secure,
        max_age=8 * 3600,
    )

    def database() -> Iterator[Session]:
        with session_scope(engine) as session:
            yield session

    Db = Annotated[Session, Depends(database)]
    app.include_router(pages_router(database, LoginLimiter()))

    def caller(session: Db, authorization: Annotated[str | None, Header()] = None) -> User:
        if not authorization or not authorization.startswith("Bearer "):
            raise NotAuthenticated("请在 Authorization 头中给出接口令牌：Bearer pa_…")
        return accounts.user_for_token(session, authorization.removeprefix("Bearer ").strip())

    Caller = Annotated[User, Depends(caller)]

    @app.get("/health", response_model=HealthOut, tags=["系统"])
    def health() -> HealthOut:
        """数据库与外部程序（tesseract、LibreOffice、字体）的状态与版本。"""
        current, head = current_revision(engine), head_revision(engine)
        tools = [
            ToolOut(name=p.name, purpose=p.purpose, found=p.found, version=p.version) for p in run_probes()
        ]
        ok = current == head and all(t.found for t in tools)
        return HealthOut(ok=ok, database_revision=current, database_current=current == head, tools=tools)

    @app.get("/api/v1/me", response_model=MeOut, responses=ERRORS, tags=["账号"])
    def me(user: Caller) -> MeOut:
        """当前账号及其单位。"""
        return MeOut(login=user.login, name=user.name, role=Role(user.role), unit=user.unit.name)

    @app.get("/api/v1/units", response_model=list[UnitOut], responses=ERRORS, tags=["单位与户"])
    def list_units(user: Caller) -> list[UnitOut]:
        """本账号可见的单位：自己的单位及其下级。"""
        found: list[AdminUnit] = []

        def walk(unit: AdminUnit) -> None:
            if unit.level == UnitLevel.group:
                return
            found.append(unit)
            for child in unit.children:
                walk(child)

        walk(user.unit)
        return [
            UnitOut(code=u.code, name=u.name, level=u.level.value, parent=u.parent.name if u.parent else None)
            for u in found
        ]

    def _scope(session: Session, user: User, village: str | None, township: str | None) -> AdminUnit:
        if village:
            unit = units.find_unit(session, village, UnitLevel.village)
        elif township:
            unit = units.find_unit(session, township, UnitLevel.township)
        else:
            return user.unit
        accounts.require_unit(user, unit)
        return unit

    @app.get("/api/v1/households", response_model=list[HouseholdOut], responses=ERRORS, tags=["单位与户"])
    def list_households(
        session: Db,
        user: Caller,
        village: Annotated[str | None, Query(description="村（社区）")] = None,
        township: Annotated[str | None, Query(description="乡镇（街道）")] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[HouseholdOut]:
        """本单位（或其下某村、某乡镇）的户，按户编号排序。"""
        scope = _scope(session, user, village, township)
        return [HouseholdOut.of(h) for h in households_in(session, scope)[offset : offset + limit]]

    @app.get("/api/v1/households/{code}", response_model=HouseholdDetail, responses=ERRORS, tags=["单位与户"])
    def show_household(code: str, session: Db, user: Caller) -> HouseholdDetail:
        """一户的登记信息与历年进度。"""
        household = session.scalars(select(Household).where(Household.code == code)).first()
        if household is None:
            raise NotFound(f"没有户编号为 {code} 的户。")
        accounts.require_household(user, household)
        years = []
        for campaign in session.scalars(select(CampaignYear).order_by(CampaignYear.year)):
            state = household_status(session, household, campaign.year, rules_of(campaign))
            years.append(
                YearStatus(
                    year=campaign.year,
                    step=state.step.name,
                    label=state.label,
                    total=state.total,
                    rejected=state.rejected,
                    open_reviews=len(state.open_reviews),
                )
            )
        return HouseholdDetail(**HouseholdOut.of(household).model_dump(), years=years)

    @app.get("/api/v1/status", response_model=list[StatusRow], responses=ERRORS, tags=["进度"])
    def status(
        session: Db,
        user: Caller,
        year: Annotated[int, Query(description="创建年度")],
        township: Annotated[str | None, Query(description="乡镇（街道）")] = None,
    ) -> list[StatusRow]:
        """各村（社区）的创建进度：登记、评分、推荐、审批、命名、未通过、待复核。"""
        rules = rules_of(get_year(session, year))
        scope = _scope(session, user, None, township)
        rows = []
        for village in units.villages_of(scope):
            found = statuses(session, households_in(session, village), year, rules)
            rows.append(
                StatusRow(
                    village=village.name,
                    township=village.parent.name if village.parent else "",
                    registered=len(found),
                    scored=sum(1 for s in found if s.step >= Step.scored),
                    recommended=sum(1 for s in found if s.step >= Step.recommended and not s.rejected),
                    named=sum(1 for s in found if s.step >= Step.named and not s.rejected),
                    rejected=sum(1 for s in found if s.rejected),
                    with_open_reviews=sum(1 for s in found if s.open_reviews),
                )
            )
        return rows

    def _review_out(session: Session, item: ReviewItem, label: str | None = None) -> ReviewOut:
        household = item.record.household
        crop = review.crop_of(session, item)
        return ReviewOut(
            id=item.id,
            serial=item.record.serial,
            household=household.code if household else None,
            head_name=household.head_name if household else None,
            village=household.village.name if household else None,
            field=item.field,
            label=label or review.field_label(session, item),
            reason=item.reason,
            reason_label=reason_label(item.reason),
            detail=item.detail,
            read_value=item.read_value,
            confidence=item.confidence,
            status=item.status,
            crop_url=f"/api/v1/review/{item.id}/crop" if crop and Path(crop).exists() else None,
        )

    @app.get("/api/v1/review", response_model=list[ReviewOut], responses=ERRORS, tags=["复核"])
    def review_queue(
        session: Db,
        user: Caller,
        village: Annotated[str | None, Query(description="村（社区）")] = None,
        reason: Annotated[str | None, Query(description="复核原因代码，如 blank、double_mark")] = None,
    ) -> list[ReviewOut]:
        """待复核的栏目（本单位），置信度低的在前。"""
        lines = [
            _review_out(session, line.item, line.label)
            for line in accounts.review_queue(session, user, village, reason)
        ]
        return lines

    @app.get("/api/v1/review/{item_id}", response_model=ReviewOut, responses=ERRORS, tags=["复核"])
    def review_item(item_id: int, session: Db, user: Caller) -> ReviewOut:
        """一个复核项：机器读数、原因、切图地址。"""
        return _review_out(session, accounts.review_item(session, user, item_id))

    @app.get("/api/v1/review/{item_id}/crop", responses=ERRORS, tags=["复核"], response_class=FileResponse)
    def review_crop(item_id: int, session: Db, user: Caller) -> FileResponse:
        """复核项的切图（PNG）。"""
        crop = review.crop_of(session, accounts.review_item(session, user, item_id))
        if not crop or not Path(crop).exists():
            raise NotFound(f"复核项 {item_id} 没有切图（该项由规则检查产生，请查看原表）。")
        return FileResponse(crop, media_type="image/png")

    def _decided(session: Session, item: ReviewItem) -> ReviewOut:
        session.refresh(item)
        return _review_out(session, item)

    @app.post("/api/v1/review/{item_id}/accept", response_model=ReviewOut, responses=ERRORS, tags=["复核"])
    def review_accept(item_id: int, session: Db, user: Caller) -> ReviewOut:
        """确认机器读数（记入审计日志）。"""
        item = accounts.review_item(session, user, item_id)
        review.decide(session, item, "accept", user.login)
        return _decided(session, item)

    @app.post("/api/v1/review/{item_id}/set", response_model=ReviewOut, responses=ERRORS, tags=["复核"])
    def review_set(item_id: int, body: SetValue, session: Db, user: Caller) -> ReviewOut:
        """改为正确的值（记入审计日志）。"""
        item = accounts.review_item(session, user, item_id)
        review.decide(session, item, "set", user.login, review.parse_value(session, item, body.value))
        return _decided(session, item)

    @app.post("/api/v1/review/{item_id}/reject", response_model=ReviewOut, responses=ERRORS, tags=["复核"])
    def review_reject(item_id: int, body: Rejection, session: Db, user: Caller) -> ReviewOut:
        """驳回该读数并写明原因（记入审计日志）。"""
        item = accounts.review_item(session, user, item_id)
        review.decide(session, item, "reject", user.login, note=body.why)
        return _decided(session, item)

    @app.get("/api/v1/audit", response_model=list[AuditOut], responses=ERRORS, tags=["审计"])
    def audit_log(
        session: Db,
        user: Caller,
        entity: Annotated[str | None, Query(description="对象类型，如 household、record_value、user")] = None,
        key: Annotated[str | None, Query(description="对象编号，如户编号")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[AuditOut]:
        """审计日志（仅区妇联账号）：谁在何时改了什么，原值与新值，新的在前。"""
        if Role(user.role) != Role.district:
            raise Forbidden("审计日志只对区妇联账号开放。")
        query = select(AuditEntry).order_by(AuditEntry.id.desc())
        if entity:
            query = query.where(AuditEntry.entity == entity)
        if key:
            query = query.where(AuditEntry.entity_key == key)
        return [
            AuditOut(
                id=e.id, at=e.at.isoformat(), actor=e.actor, action=e.action, entity=e.entity,
                key=e.entity_key, old=e.old, new=e.new, source=e.source,
            )
            for e in session.scalars(query.offset(offset).limit(limit))
        ]  # fmt: skip

    return app
