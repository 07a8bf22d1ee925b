"""Benchmark: the same scan batch through the local process pool and through 1 and 2 Celery workers.

make bench-scale. Prepares N filled, "scanned" score sheets once (as bench-ingest does), then
ingests the same batch into a fresh copy of the database three times: with the in-process pool
(one process per core), with one ``pingan worker`` and with two (each one task at a time), Redis as
the broker. Prints pages/s for each, the ratio to the pool, and the CPU seconds a page costs a
worker, from which a province-scale season is estimated.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest import prepare
from service.jobs import queue
from service.settings import get_settings

BROKER = "redis://127.0.0.1:6379/14"


def _fresh(base: Path, work: Path, name: str) -> Path:
    """Copy the prepared data folder (database, key, layouts) so each run starts from nothing ingested."""
    target = work / name
    shutil.copytree(base, target)
    return target


def _ingest(scans: Path, data: Path, jobs: str, workers: int) -> tuple[int, float]:
    """Run ``pingan scans ingest`` in a child process; return (pages, seconds)."""
    env = {**os.environ, "PINGAN_DATA_DIR": str(data), "PINGAN_JOBS": jobs, "PINGAN_BROKER_URL": BROKER}
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "scans",
            "ingest",
            str(scans),
            "--year",
            "2026",
            "--workers",
            str(workers),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ingest failed ({jobs}): {done.stderr[-2000:]}")
    line = next(x for x in done.stdout.splitlines() if "本次识读" in x)
    pages = int(line.split("本次识读 ")[1].split(" 页")[0])
    return pages, seconds


def _start_workers(data: Path, count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PINGAN_DATA_DIR": str(data), "PINGAN_JOBS": "celery", "PINGAN_BROKER_URL": BROKER}
    os.environ["PINGAN_BROKER_URL"] = BROKER
    get_settings.cache_clear()
    queue.celery_app.cache_clear()
    return queue.spawn_workers([f"worker{n}@scale" for n in range(count)], env, logs, timeout=120)


def _stop(workers: list[subprocess.Popen[bytes]]) -> float:
    """Stop the workers and return the CPU seconds they used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    queue.stop_workers(workers)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Run the three configurations and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--pool", type=int, default=os.cpu_count() or 1, help="processes of the local pool")
    args = parser.parse_args()
    import redis

    try:
        redis.Redis.from_url(BROKER, socket_timeout=2).flushdb()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis is needed at {BROKER}: {exc}") from exc
    work = Path(tempfile.mkdtemp(prefix="pingan-bench-scale-"))
    try:
        print(f"preparing {args.pages} scanned pages …", flush=True)
        scans, base = prepare(work, args.pages)
        rows: list[tuple[str, int, float, float | None]] = []
        pages, seconds = _ingest(scans, _fresh(base, work, "pool"), "local", args.pool)
        rows.append((f"in-process pool, {args.pool} processes", pages, seconds, None))
        for count in (1, 2):
            data = _fresh(base, work, f"celery{count}")
            workers = _start_workers(data, count, work)
            try:
                pages, seconds = _ingest(scans, data, "celery", 1)
            finally:
                cpu = _stop(workers)
            rows.append((f"Celery, {count} worker{'s' if count > 1 else ''} × 1 task", pages, seconds, cpu))
        pool_rate = rows[0][1] / rows[0][2]
        print(f"{args.pages} scanned pages (200 dpi JPEG, normal scanner), on {os.cpu_count()} cores")
        for label, pages, seconds, used in rows:
            rate = pages / seconds
            extra = f", worker CPU {used / pages * 1000:.0f} ms/page" if used else ""
            print(
                f"  {label:34s} {rate:6.1f} pages/s ({seconds:.1f} s), {rate / pool_rate:.2f}× the pool{extra}"
            )
        one = rows[1][1] / rows[1][2]
        two = rows[2][1] / rows[2][2]
        print(f"  2 workers / 1 worker: {two / one:.2f}×")
        per_page = (rows[2][3] or 0) / rows[2][1]
        season = 1e7 * per_page / 3600
        print(
            f"  a province season of 10^7 pages ≈ {season:,.0f} worker-core hours at {per_page * 1000:.0f} ms a page; "
            f"over 40 working days of 8 hours that is {season / 320:.0f} cores"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
