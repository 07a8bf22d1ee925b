"""The HTTP service (接口服务): the API and the workbench in one FastAPI app, on the CLI's database and rules.

Every route under ``/api/v1`` needs an API token (``Authorization: Bearer pa_…``, from ``pingan
users token``) and answers only about the caller's own units; the pages of the workbench use a
signed session cookie instead. Errors come from the one exception hierarchy: as JSON
``{"code", "message", "hint"}`` with its HTTP status under ``/api``, as a Chinese page elsewhere.
Long work (printing, scans, rosters, documents) runs as jobs in a :class:`JobRunner`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from service.api.limits import BodyLimit
from service.api.routes import audit, campaign, jobs, review, system, units
from service.db.session import make_engine, require_current
from service.errors import PinganError
from service.jobs import JobRunner, ThreadJobRunner, recover
from service.settings import Settings, get_settings
from service.web import pages, work
from service.web.session import LoginLimiter, page_error

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    404: ("not_found", "没有这个地址。", "请检查网址，或从首页进入。"),
    405: ("method_not_allowed", "该地址不支持这种请求方式。", None),
}


def _answer(
    request: Request, status: int, code: str, message: str, hint: str | None, **extra: object
) -> Response:
    """Answer an error: ``{"code", "message", "hint"}`` under ``/api``, a Chinese page elsewhere."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            status_code=status, content={"code": code, "message": message, "hint": hint, **extra}
        )
    error = PinganError(message, hint=hint)
    error.http_status, error.code = status, code
    return page_error(request, error)


def create_app(settings: Settings | None = None, runner: JobRunner | None = None) -> FastAPI:
    """Build the app on the configured database (checked to be initialised and current)."""
    config = settings or get_settings()
    engine = make_engine(config.resolved_database_url)
    require_current(engine)
    jobs_runner = runner or ThreadJobRunner(engine, config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        failed, queued = recover(engine, jobs_runner)
        if failed or queued:
            log.warning("jobs after restart: %d marked failed, %d queued again", failed, queued)
        yield
        jobs_runner.shutdown()

    app = FastAPI(
        title="pingan 平安家庭创建工作系统",
        description="花名册、表格、扫描识读、复核、进度与公文。各接口只返回调用者本单位的数据；"
        "印制、入库、导入与生成公文作为后台任务运行，用 /api/v1/jobs/{id} 查看进度。",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.engine, app.state.settings, app.state.runner = engine, config, jobs_runner

    @app.exception_handler(PinganError)
    async def domain_error(request: Request, exc: PinganError) -> Response:
        return _answer(request, exc.http_status, exc.code, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        where = "；".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}：{e.get('msg', '')}"
            for e in exc.errors()
        )
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        hint = "请对照接口文档 /api/v1/docs 检查参数。"
        return _answer(request, 422, "invalid_request", f"请求参数有误：{where}", hint, errors=details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code, message, hint = HTTP_MESSAGES.get(
            exc.status_code, ("http_error", f"请求未完成（{exc.detail}）。", None)
        )
        return _answer(request, exc.status_code, code, message, hint)

    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: DataError) -> Response:
        message = "输入中有数据库无法保存的内容（如空字符 \\0 或超长的文字）。"
        return _answer(request, 422, "invalid_data", message, "请检查输入后重试。")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        reference = uuid.uuid4().hex[:8]
        log.error("unexpected error %s on %s %s", reference, request.method, request.url.path, exc_info=exc)
        message = f"服务内部出错（编号 {reference}），这次操作没有完成。"
        hint = f"请稍后重试；如仍出错，请把编号 {reference} 告诉系统管理员（服务日志中有详细记录）。"
        return _answer(request, 500, "internal", message, hint)

    session_secret = hmac.new(config.signing_key(), b"pingan web session", hashlib.sha256).hexdigest()
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret,
        session_cookie="pingan_session",
        same_site="lax",
        https_only=config.cookie_secure,
        max_age=8 * 3600,
    )
    app.add_middleware(BodyLimit, limit=config.max_request_bytes)
    for module in (system, units, campaign, jobs, review, audit):
        app.include_router(module.router)
    app.state.login_limiter = LoginLimiter()
    app.include_router(pages.router)
    app.include_router(work.router)
    return app
