"""Concurrency (并发): a serial and a process-pool executor behind one small interface."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs a function over items and yields results as they complete.

    ``remote`` says whether the work may run on another machine, so that files it writes come
    back through the shared storage rather than the local disk.
    """

    remote: bool

    def run(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(item)`` for every item, in completion order; the first error stops the run."""
        ...


class SerialExecutor:
    """Runs everything in this process, in order."""

    remote = False

    def run(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield results one by one."""
        for item in items:
            yield fn(item)


class PoolExecutor:
    """Runs work in a pool of processes (one per core by default).

    ``start`` chooses how workers start; a threaded server asks for ``forkserver``, since forking
    a process that runs threads can copy a lock some other thread holds.
    """

    remote = False

    def __init__(self, workers: int | None = None, start: str | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.start = start

    def run(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield results as workers finish them; cancel the rest on the first error."""
        context = multiprocessing.get_context(self.start) if self.start else None
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            pending: set[Future[R]] = {pool.submit(fn, item) for item in items}
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            finally:
                for future in pending:
                    future.cancel()


def executor_for(workers: int | None, start: str | None = None) -> Executor:
    """Return a serial executor for one worker, a process pool otherwise."""
    if workers == 1:
        return SerialExecutor()
    return PoolExecutor(workers, start)
