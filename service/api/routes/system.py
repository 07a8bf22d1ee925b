"""Health and the calling account. (No ``from __future__ import annotations``.)"""

from fastapi import APIRouter, Request

from service.api.deps import ERRORS, Caller
from service.api.schemas import HealthOut, MeOut, ToolOut
from service.db.models import Role
from service.db.session import current_revision, head_revision
from service.tools.probes import run_probes

router = APIRouter()


@router.get("/health", response_model=HealthOut, tags=["系统"])
def health(request: Request) -> HealthOut:
    """数据库与外部程序（tesseract、LibreOffice、字体）的状态与版本。"""
    engine = request.app.state.engine
    current, head = current_revision(engine), head_revision(engine)
    tools = [ToolOut(name=p.name, purpose=p.purpose, found=p.found, version=p.version) for p in run_probes()]
    settings = request.app.state.settings
    workers: list[str] | None = None
    if settings.jobs == "celery":
        from service.jobs.queue import workers_seen

        try:
            workers = workers_seen(timeout=1.0)
        except Exception:  # the broker is down: no worker can be reached
            workers = []
    ok = current == head and all(t.found for t in tools) and workers != []
    return HealthOut(
        ok=ok, database=engine.dialect.name, database_revision=current, database_current=current == head,
        tools=tools, jobs=settings.jobs, workers=workers, storage=settings.storage,
    )  # fmt: skip


@router.get("/api/v1/me", response_model=MeOut, responses=ERRORS, tags=["账号"])
def me(user: Caller) -> MeOut:
    """当前账号及其单位。"""
    return MeOut(login=user.login, name=user.name, role=Role(user.role), unit=user.unit.name)
