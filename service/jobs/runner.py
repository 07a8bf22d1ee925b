"""Background jobs (后台任务): long work off the request thread, its progress kept in the database.

A request creates a :class:`~service.db.models.Job` row and a folder for it, then hands the id to a
:class:`JobRunner`. The runner calls the kind's work function with a :class:`JobContext`; the work
reports progress through the ordinary :class:`~service.progress.ProgressBar` interface, so the
domain code does not know it runs in a job. Anyone who may see the job's unit may watch it.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from service import audit
from service.db.models import AdminUnit, Job, JobState, User, utcnow
from service.db.session import session_scope
from service.errors import NotFound, PinganError
from service.settings import Settings

log = logging.getLogger(__name__)

JobResult = dict[str, Any]
MAX_PROBLEMS = 500  # rows listed for a refused file; the rest are in the error file
JobWork = Callable[["JobContext", Session], JobResult]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its Chinese name and the function that does it."""

    label: str
    work: JobWork


KINDS: dict[str, JobKind] = {}


def job_kind(kind: str, label: str) -> Callable[[JobWork], JobWork]:
    """Register a work function under a job kind."""

    def register(work: JobWork) -> JobWork:
        KINDS[kind] = JobKind(label, work)
        return work

    return register


def job_folder(settings: Settings, job_id: str) -> Path:
    """Return a job's folder: ``in/`` holds what was uploaded, ``out/`` what the job wrote."""
    return settings.data_dir / "jobs" / job_id


def output_files(settings: Settings, job: Job) -> list[Path]:
    """Return the files a job wrote, by name."""
    out = job_folder(settings, job.id) / "out"
    return sorted((p for p in out.rglob("*") if p.is_file()), key=lambda p: str(p.relative_to(out)))


def output_file(settings: Settings, job: Job, name: str) -> Path:
    """Return one of a job's files by its name inside ``out/`` (never a path outside it)."""
    out = (job_folder(settings, job.id) / "out").resolve()
    for path in output_files(settings, job):
        if str(path.relative_to(job_folder(settings, job.id) / "out")) == name:
            resolved = path.resolve()
            if resolved.is_relative_to(out):
                return resolved
    raise NotFound(f"任务 {job.id} 没有名为 {name} 的文件。", hint="请在任务结果中查看文件列表。")


def create_job(
    session: Session,
    settings: Settings,
    kind: str,
    params: dict[str, Any],
    unit: AdminUnit,
    user: User | None,
    actor: str,
) -> Job:
    """Create a queued job and its folder (uploads go into ``in/`` before it is submitted)."""
    if kind not in KINDS:
        raise NotFound(f"没有“{kind}”这种任务。")
    job = Job(
        id=uuid.uuid4().hex, kind=kind, params=params, unit_id=unit.id, user_id=user.id if user else None,
        actor=actor, state=JobState.queued, stage="排队中",
    )  # fmt: skip
    session.add(job)
    (job_folder(settings, job.id) / "in").mkdir(parents=True, exist_ok=True)
    (job_folder(settings, job.id) / "out").mkdir(parents=True, exist_ok=True)
    audit.record(
        session, actor=actor, action="job.submit", entity="job", key=job.id, new={"kind": kind, **params}
    )
    session.flush()
    return job


def discard_job(settings: Settings, job_id: str) -> None:
    """Remove the folder of a job that was never submitted (its request failed)."""
    shutil.rmtree(job_folder(settings, job_id), ignore_errors=True)


class JobProgress:
    """A progress bar that writes the job's stage and count to its row, at most a few times a second.

    A write that would wait on a busy database is skipped: progress is advice, the work is not.
    """

    def __init__(self, engine: Engine, job_id: str, interval: float = 0.3) -> None:
        self.engine, self.job_id, self.interval = engine, job_id, interval
        if engine.dialect.name == "sqlite":  # its own connection that waits 0.2 s at most for a lock
            self.engine = create_engine(engine.url, connect_args={"timeout": 0.2}, poolclass=NullPool)
        self.done = self.total = 0
        self.stage, self.unit = "", ""
        self._last = 0.0

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        values = {
            "stage": self.stage[:64],
            "done": self.done,
            "total": self.total,
            "unit_word": self.unit[:8],
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(update(Job).where(Job.id == self.job_id).values(**values))
        except OperationalError:
            log.debug("progress of job %s not written: database busy", self.job_id)

    def start(self, total: int, description: str, unit: str = "页") -> None:
        """Begin a stage of ``total`` units (0 when the amount is not known)."""
        self.total, self.done, self.stage, self.unit = total, 0, description, unit
        self._write(force=True)

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` more units done."""
        self.done += amount
        self._write(force=self.done >= self.total)

    def finish(self) -> None:
        """Write the last count."""
        self._write(force=True)

    def stage_only(self, description: str) -> None:
        """Name a stage whose amount of work is not known."""
        self.start(0, description, "")


@dataclass
class JobContext:
    """What a job's work function gets: its parameters, folders, settings and progress."""

    job_id: str
    kind: str
    params: dict[str, Any]
    actor: str
    unit_id: int
    settings: Settings
    progress: JobProgress

    @property
    def inbox(self) -> Path:
        """Return the folder of the uploaded files."""
        return job_folder(self.settings, self.job_id) / "in"

    @property
    def outbox(self) -> Path:
        """Return the folder the job writes its files into."""
        return job_folder(self.settings, self.job_id) / "out"


def _finish(engine: Engine, job_id: str, **values: Any) -> None:
    with engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id).values(finished_at=utcnow(), **values))


def run_job(engine: Engine, settings: Settings, job_id: str) -> None:
    """Run one queued job to the end, recording its result or its error (never raising)."""
    with session_scope(engine) as session:
        job = session.get(Job, job_id)
        if job is None or job.state != JobState.queued:
            return
        job.state, job.started_at = JobState.running, utcnow()
        context = JobContext(
            job.id, job.kind, dict(job.params), job.actor, job.unit_id, settings, JobProgress(engine, job.id)
        )
    try:
        with session_scope(engine) as session:
            result = KINDS[context.kind].work(context, session)
    except PinganError as exc:
        log.info("job %s (%s) failed: %s", job_id, context.kind, exc.message)
        problems = [str(p) for p in getattr(exc, "problems", [])][:MAX_PROBLEMS]
        _finish(
            engine, job_id, state=JobState.failed, error=exc.message, hint=exc.hint, stage="失败",
            result={"summary": problems} if problems else None,
        )  # fmt: skip
        return
    except Exception:
        log.exception("job %s (%s) failed unexpectedly", job_id, context.kind)
        detail = traceback.format_exc(limit=3).strip().splitlines()[-1]
        _finish(
            engine, job_id, state=JobState.failed, error=f"内部错误：{detail}", stage="失败",
            hint=f"已保留任务文件夹 jobs/{job_id}；请把任务编号告诉系统管理员。",
        )  # fmt: skip
        return
    _finish(engine, job_id, state=JobState.done, result=result, stage="已完成")


class JobRunner(Protocol):
    """Where jobs run: a thread pool in the service, or a distributed queue."""

    def submit(self, job_id: str) -> None:
        """Start (or queue) a job that is in the database as queued."""

    def shutdown(self) -> None:
        """Stop taking jobs and let running ones finish."""


class ThreadJobRunner:
    """Runs jobs in a few threads of the service process (the embedded default)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self._pool = ThreadPoolExecutor(max_workers=settings.job_threads, thread_name_prefix="pingan-job")
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def submit(self, job_id: str) -> None:
        """Queue a job on the pool."""
        with self._lock:
            self._futures[job_id] = self._pool.submit(run_job, self.engine, self.settings, job_id)

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until a job submitted here has ended (for scripts and tests)."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        """Finish the running jobs, then stop."""
        self._pool.shutdown(wait=True, cancel_futures=False)


def recover(engine: Engine, runner: JobRunner) -> tuple[int, int]:
    """After a restart: fail the jobs that were running, queue again those never started."""
    with session_scope(engine) as session:
        broken = list(session.scalars(select(Job).where(Job.state == JobState.running)))
        for job in broken:
            job.state, job.finished_at, job.stage = JobState.failed, utcnow(), "失败"
            job.error = "服务在任务进行中停止，任务未完成。"
            job.hint = "请重新提交；扫描件入库可放心重做，已入库的页不会重复计算。"
        waiting = [job.id for job in session.scalars(select(Job).where(Job.state == JobState.queued))]
    for job_id in waiting:
        runner.submit(job_id)
    return len(broken), len(waiting)


def elapsed(job: Job) -> dt.timedelta | None:
    """Return how long a job ran (or has been running)."""
    if job.started_at is None:
        return None
    return (job.finished_at or utcnow()) - job.started_at
