"""Typed dependencies of the routes (依赖): the database session, the caller, settings and jobs.

(No ``from __future__ import annotations`` here: FastAPI reads the signatures at run time.)
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Form, Header, Path, Query, Request
from sqlalchemy.orm import Session

from service import accounts, units
from service.api.schemas import Problem
from service.db.models import AdminUnit, Role, UnitLevel, User
from service.db.session import session_scope
from service.errors import Forbidden, NotAuthenticated
from service.jobs.runner import JobRunner
from service.settings import Settings

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem, "description": "未登录或令牌无效"},
    403: {"model": Problem, "description": "超出本单位范围"},
    404: {"model": Problem, "description": "没有找到"},
    422: {"model": Problem, "description": "参数有误"},
}
UPLOAD_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    413: {"model": Problem, "description": "文件过大"},
    415: {"model": Problem, "description": "文件格式不符"},
}


def database(request: Request) -> Iterator[Session]:
    """Yield a session that commits when the route returns, before the response leaves.

    The ``function`` scope matters: with FastAPI's default the commit would run after the response
    was sent, so a browser following a redirect could read the database before the change landed
    (the review screen showed a decided item again) and a failed commit would go unreported.
    """
    with session_scope(request.app.state.engine) as session:
        yield session


Db = Annotated[Session, Depends(database, scope="function")]


def app_settings(request: Request) -> Settings:
    """Return the app's settings."""
    settings: Settings = request.app.state.settings
    return settings


Config = Annotated[Settings, Depends(app_settings)]


def job_runner(request: Request) -> JobRunner:
    """Return where the app runs its jobs."""
    runner: JobRunner = request.app.state.runner
    return runner


Runner = Annotated[JobRunner, Depends(job_runner)]


def caller(session: Db, authorization: Annotated[str | None, Header()] = None) -> User:
    """Return the user whose API token the request carries."""
    if not authorization or not authorization.startswith("Bearer "):
        raise NotAuthenticated("请在 Authorization 头中给出接口令牌：Bearer pa_…")
    return accounts.user_for_token(session, authorization.removeprefix("Bearer ").strip())


Caller = Annotated[User, Depends(caller)]


def scope_of(session: Session, user: User, village: str | None, township: str | None) -> AdminUnit:
    """Return the unit a request names (a village, a township, or the caller's own), checked against the caller."""
    if village:
        unit = units.find_unit(session, village, UnitLevel.village)
    elif township:
        unit = units.find_unit(session, township, UnitLevel.township)
    else:
        return user.unit
    accounts.require_unit(user, unit)
    return unit


def require_district(user: User, what: str) -> None:
    """Refuse anyone but the district office."""
    if Role(user.role) != Role.district:
        raise Forbidden(f"{what}只对区妇联账号开放。")


MAX_ID = 2**62
YearPath = Annotated[int, Path(ge=2000, le=2100, description="创建年度，如 2026")]
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="创建年度，如 2026")]
YearForm = Annotated[int | None, Form(ge=2000, le=2100, description="创建年度，如 2026")]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
