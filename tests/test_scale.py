"""Beyond one machine: Celery workers on a Redis broker, a worker killed mid-batch, S3-compatible storage."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.models import ScanFile, ScanPage
from service.errors import ConfigError
from service.settings import get_settings
from tests.conftest import SAMPLES, Cli

pytestmark = pytest.mark.slow
# the SQLite and the PostgreSQL passes run at the same time: each has its own Redis database
BROKER = "redis://127.0.0.1:6379/" + ("13" if os.environ.get("PINGAN_TEST_DATABASE_URL") else "15")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def workers(
    printed: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two ``pingan worker`` processes (one task at a time each) on a private Redis database."""
    if not _redis_up():
        pytest.skip("Redis 未在 127.0.0.1:6379 运行")
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    monkeypatch.setenv("PINGAN_JOBS", "celery")
    monkeypatch.setenv("PINGAN_BROKER_URL", BROKER)
    monkeypatch.setenv("PINGAN_CELERY_VISIBILITY_TIMEOUT", "6")
    get_settings.cache_clear()
    from service.jobs import queue

    queue.celery_app.cache_clear()
    try:
        started = queue.spawn_workers(["w1@test", "w2@test"], {**os.environ}, tmp_path)
    except ConfigError:
        pytest.fail("工作进程没有启动：" + (tmp_path / "w1.log").read_text(errors="replace"))
    try:
        yield started
    finally:
        queue.stop_workers(started)
        queue.celery_app.cache_clear()


def _copies(tmp_path: Path, count: int) -> Path:
    """``count`` different files (by content) of one scanned page."""
    folder = tmp_path / "batch"
    folder.mkdir()
    page = (SAMPLES / "scans" / "南关村-评分表-倒放.jpg").read_bytes()
    for n in range(count):
        (folder / f"页{n:03d}.jpg").write_bytes(page + f"copy {n}".encode())
    return folder


def test_a_batch_survives_a_worker_killed_mid_task(
    workers: list[subprocess.Popen[bytes]], printed: Cli, printed_db: Session, tmp_path: Path
) -> None:
    batch = _copies(tmp_path, 16)
    outcome: dict[str, object] = {}

    def ingest() -> None:
        outcome["result"] = printed("scans", "ingest", batch)

    runner = threading.Thread(target=ingest)
    runner.start()
    log = tmp_path / "w1.log"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill worker 1 while it holds a task it has not finished
        text = log.read_text(errors="replace")
        if text.count("received") >= 2 and text.count("received") > text.count("succeeded"):
            os.killpg(workers[0].pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    else:
        pytest.fail("工作进程 1 没有领到任务")
    runner.join(timeout=300)
    assert not runner.is_alive()
    result = outcome["result"]
    assert result.code == 0, result.err  # type: ignore[attr-defined]
    text = log.read_text(errors="replace")
    lost = {line.split("[")[1].split("]")[0] for line in text.splitlines() if "received" in line} - {
        line.split("[")[1].split("]")[0] for line in text.splitlines() if "succeeded" in line
    }
    assert len(lost) == 1  # the task it died on ...
    assert lost.pop() in (tmp_path / "w2.log").read_text(errors="replace")  # ... was done by worker 2
    printed_db.expire_all()
    files = printed_db.scalar(select(func.count()).select_from(ScanFile))
    pages = printed_db.scalar(select(func.count()).select_from(ScanPage))
    assert files == pages == 16  # every page once
    assert "本次识读 16 页" in result.out  # type: ignore[attr-defined]


def test_printing_is_split_per_village_across_workers(
    workers: list[subprocess.Popen[bytes]], printed: Cli, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from service.server import create_app

    health = TestClient(create_app(get_settings())).get("/health").json()
    assert health["jobs"] == "celery" and health["workers"] == ["w1@test", "w2@test"]
    out = tmp_path / "表格"
    result = printed("forms", "score", "--year", "2026", "--township", "城关镇", "--out", out)
    assert result.code == 0, result.err
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert len(pdfs) == 3 and all(name.startswith("城关镇") for name in pdfs)
    served = [(tmp_path / f"w{n}.log").read_text(errors="replace").count("succeeded") for n in (1, 2)]
    assert sum(served) == 3 and all(served), served  # both workers rendered villages
    assert not list(out.glob(".*.partial"))


def test_scans_and_crops_in_an_s3_compatible_store(printed: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        for name, value in {
            "PINGAN_STORAGE": "s3", "PINGAN_S3_ENDPOINT": endpoint, "PINGAN_S3_BUCKET": "pingan-test",
            "PINGAN_S3_ACCESS_KEY": "testing", "PINGAN_S3_SECRET_KEY": "testing",
        }.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        client = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1",
        )  # fmt: skip
        client.create_bucket(Bucket="pingan-test")
        assert printed("scans", "ingest", SAMPLES / "scans", "--workers", "1").code == 0
        keys = {o["Key"] for o in client.list_objects_v2(Bucket="pingan-test")["Contents"]}
        assert sum(k.startswith("pingan/scans/") for k in keys) == 3
        assert any(k.startswith("pingan/crops/") and k.endswith(".png") for k in keys)
        assert not (get_settings().data_dir / "scans").exists()  # nothing kept outside the store
        # a crop asked for on a machine that has not seen it comes from the store
        import shutil

        shutil.rmtree(get_settings().data_dir / "cache")
        shutil.rmtree(get_settings().data_dir / "crops", ignore_errors=True)
        shown = printed("review", "list")
        assert shown.code == 0
        from service.db.models import RecordValue
        from service.db.session import make_engine

        with Session(make_engine(get_settings().resolved_database_url)) as session:
            crop = session.scalars(select(RecordValue.crop).where(RecordValue.crop.is_not(None))).first()
            assert crop and not Path(crop).is_absolute()
            from service.storage import storage_for

            fetched = storage_for(get_settings()).fetch(crop)
            assert fetched.read_bytes()[:4] == b"\x89PNG"
        # the same scans again: nothing uploaded twice, nothing counted twice
        again = printed("scans", "ingest", SAMPLES / "scans", "--workers", "1")
        assert "此前已入库" in again.out
        assert {o["Key"] for o in client.list_objects_v2(Bucket="pingan-test")["Contents"]} == keys
    finally:
        server.stop()
