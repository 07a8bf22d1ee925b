"""The distributed job queue (分布式任务队列): Celery with a Redis broker, behind the Executor interface.

With ``PINGAN_JOBS=celery`` the heavy pieces of long work — a few scanned pages to read, one
village's sheets to render — go to ``pingan worker`` processes on any machine that shares the
database and the storage. The job that cut the work up stays where it is, collects the results as
they come back (recording each page once, however often it was read) and reports progress; the
domain code sees the same :class:`~service.concurrency.Executor` as with the local process pool.

Tasks are acknowledged only when done (``acks_late``): a worker that dies mid-task loses nothing,
its task goes to another worker once ``PINGAN_CELERY_VISIBILITY_TIMEOUT`` seconds have passed. Only
the functions listed in :data:`TASKS` can be called, and every message is signed with the
installation's key; the broker should still be private to the office.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from celery import Celery
from celery.app import trace

from service.errors import ConfigError
from service.settings import Settings, get_settings

T = TypeVar("T")
R = TypeVar("R")

# the only functions a worker will run: "module:function"
TASKS = frozenset({"service.intake:read_chunk", "service.forms.printing:render_job"})


def make_celery(settings: Settings) -> Celery:
    """Return the Celery app on the configured broker, tuned so that no task is ever lost."""
    app = Celery("pingan", broker=settings.broker_url, backend=settings.broker_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": settings.celery_visibility_timeout},
        result_backend_transport_options={"visibility_timeout": settings.celery_visibility_timeout},
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    app.task(name="pingan.call")(call)
    trace.LOG_SUCCESS = "Task %(name)s[%(id)s] succeeded in %(runtime)ss"  # not the (large, signed) result
    return app


def _function(target: str) -> Callable[[Any], Any]:
    if target not in TASKS:
        raise ConfigError(f"不允许在工作进程中调用 {target}。")
    module, _, name = target.partition(":")
    function: Callable[[Any], Any] = getattr(importlib.import_module(module), name)
    return function


def _task_key() -> bytes:
    return hmac.new(get_settings().signing_key(), b"pingan task", hashlib.sha256).digest()


def seal(value: Any) -> str:
    """Pack a value for the queue, signed with this installation's key."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return base64.b64encode(hmac.new(_task_key(), data, hashlib.sha256).digest() + data).decode("ascii")


def unseal(text: str) -> Any:
    """Unpack a value from the queue, refusing anything not signed with this installation's key."""
    raw = base64.b64decode(text)
    mac, data = raw[:32], raw[32:]
    if not hmac.compare_digest(mac, hmac.new(_task_key(), data, hashlib.sha256).digest()):
        raise ConfigError(
            "任务消息的签名不对：消息不是本系统发出的，或工作进程用的密钥与服务不同。",
            hint="请让所有机器使用同一个 PINGAN_SECRET_KEY，并确认消息队列只对本单位开放。",
        )
    return pickle.loads(data)


def call(target: str, sealed: str) -> str:
    """Run one allowed function on one signed item and return its signed result (every task's body)."""
    return seal(_function(target)(unseal(sealed)))


@lru_cache(maxsize=1)
def celery_app() -> Celery:
    """Return the app for this process's settings."""
    return make_celery(get_settings())


class CeleryExecutor:
    """Sends each item to the workers as a task and yields the results as they arrive."""

    remote = True

    def __init__(self, app: Celery | None = None, poll: float = 0.05) -> None:
        self.app = app or celery_app()
        self.poll = poll

    def run(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(item)`` for every item, in completion order; the first error stops the run."""
        target = f"{fn.__module__}:{fn.__qualname__}"
        _function(target)
        try:
            pending = [self.app.send_task("pingan.call", args=(target, seal(item))) for item in items]
        except Exception as exc:  # kombu raises OperationalError and others when Redis is down
            raise ConfigError(
                f"无法把任务交给消息队列 {self.app.conf.broker_url}：{exc}",
                hint="请检查 Redis 是否在运行、PINGAN_BROKER_URL 是否正确；或改用本机进程池（PINGAN_JOBS=local）。",
            ) from exc
        try:
            while pending:
                ready = [result for result in pending if result.ready()]
                for result in ready:
                    pending.remove(result)
                    value: R = unseal(result.get(propagate=True))
                    result.forget()
                    yield value
                if not ready:
                    time.sleep(self.poll)
        finally:
            for result in pending:
                result.revoke()


def workers_seen(app: Celery | None = None, timeout: float = 1.0) -> list[str]:
    """Return the names of the workers that answer a ping."""
    replies = (app or celery_app()).control.ping(timeout=timeout) or []
    return sorted(name for reply in replies for name in reply)


def spawn_workers(
    names: list[str], env: dict[str, str], logs: Path, timeout: float = 120.0
) -> list[subprocess.Popen[bytes]]:
    """Start one ``pingan worker`` per name (one task at a time each), logging to ``logs/<name>.log``.

    Returns once every one answers a ping on the broker the current settings name; for scripts,
    benchmarks and tests that need workers on this machine.
    """
    started = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.cli",
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "solo",
                "--name",
                name,
            ],
            env=env,
            stdout=(logs / f"{name.split('@')[0]}.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name in names
    ]
    deadline = time.monotonic() + timeout
    while len(workers_seen()) < len(names):
        if time.monotonic() > deadline:
            stop_workers(started)
            raise ConfigError(f"工作进程没有在 {timeout:.0f} 秒内启动，请查看 {logs} 中的日志。")
        time.sleep(0.5)
    return started


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    """Ask workers to finish their task and stop (their whole process group)."""
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
