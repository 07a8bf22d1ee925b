"""Choosing where long work runs (执行方式): this machine's processes or the Celery workers."""

from __future__ import annotations

from service.concurrency import Executor, executor_for
from service.settings import Settings


def executor_from(settings: Settings, workers: int | None = None, start: str | None = None) -> Executor:
    """Return where the heavy pieces of long work run: the Celery workers, or this machine's processes."""
    if settings.jobs == "celery":
        from service.jobs.queue import CeleryExecutor

        return CeleryExecutor()
    return executor_for(workers, start)
