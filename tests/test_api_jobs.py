"""Jobs over HTTP: scan uploads, printing, rosters and documents run off the request, scoped by unit."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import Household, Job, JobState
from service.jobs.runner import ThreadJobRunner, create_job, recover
from service.server import create_app
from service.settings import get_settings
from tests.conftest import SAMPLES, Api, Cli, add_user, auth

SCANS = sorted(p for p in (SAMPLES / "scans").iterdir() if p.suffix != ".json")


def _files(*paths: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]


def test_scans_upload_as_a_job_with_progress_and_scoped_pages(
    api: Api, printed: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api.client
    answer = client.post("/api/v1/scans", files=_files(*SCANS), headers=api.headers("township"))
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["state"] in ("queued", "running", "done") and job["kind_label"] == "扫描件入库"
    done = api.finished(job, "township")
    assert done["state"] == "done", (done["error"], done["hint"])
    assert done["total"] == done["done"] > 0 and done["percent"] == 100.0 and done["unit_word"] == "页"
    assert any("入档" in line for line in done["summary"])
    pages = client.get(f"/api/v1/jobs/{job['id']}/pages", headers=api.headers("township")).json()
    assert len(pages) == done["total"] and all(p["ok"] for p in pages)
    assert all(p["fields"] and p["household"] for p in pages)
    # the village clerk of another village sees neither the job nor its pages
    other = auth(add_user(printed, monkeypatch, "beijie", "village", "北街社区"))
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=other).status_code == 403
    assert client.get(f"/api/v1/jobs/{job['id']}/pages", headers=other).status_code == 403
    assert client.get("/api/v1/jobs", headers=other).json() == []
    assert [j["id"] for j in client.get("/api/v1/jobs", headers=api.headers("district")).json()] == [
        job["id"]
    ]
    # the same files again: a new job, nothing counted twice
    again = api.finished(
        client.post("/api/v1/scans", files=_files(*SCANS), headers=api.headers("township")).json(), "township"
    )
    assert again["state"] == "done" and any("此前已入库" in line for line in again["summary"])
    # a household's scans and records, scoped
    household = pages[0]["household"]
    scans = client.get(f"/api/v1/households/{household}/scans", headers=api.headers("village")).json()
    assert scans and {p["household"] for p in scans} == {household}
    records = client.get(f"/api/v1/households/{household}/records", headers=api.headers("village")).json()
    assert records and records[0]["year"] == 2026 and records[0]["values"]
    assert client.get(f"/api/v1/households/{household}/records", headers=other).status_code == 403


def test_bad_uploads_are_refused_by_name_and_the_good_ones_kept(
    printed: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PINGAN_MAX_UPLOAD_BYTES", str(2 * 1024 * 1024))
    monkeypatch.setenv("PINGAN_MAX_REQUEST_BYTES", str(8 * 1024 * 1024))
    monkeypatch.setenv("PINGAN_JOB_WORKERS", "1")
    get_settings.cache_clear()
    token = auth(add_user(printed, monkeypatch, "chengguan", "township", "城关镇"))
    client = TestClient(create_app(get_settings()))

    def upload(*files: tuple[str, bytes]) -> tuple[int, dict[str, object]]:
        answer = client.post(
            "/api/v1/scans", files=[("files", (n, b, "application/pdf")) for n, b in files], headers=token
        )
        return answer.status_code, answer.json()

    status, body = upload(("空.pdf", b""))
    assert status == 422 and body["code"] == "bad_file" and "空.pdf" in str(body["message"])
    status, body = upload(("扫描.pdf", "这不是扫描件".encode()))
    assert status == 415 and body["code"] == "unsupported_type" and "扫描.pdf" in str(body["message"])
    status, body = upload(("大.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)))
    assert status == 413 and body["code"] == "too_large" and "2 MB" in str(body["message"])
    status, body = upload(("巨大.pdf", b"%PDF-1.4\n" + b"0" * (9 * 1024 * 1024)))
    assert status == 413 and body["code"] == "too_large"
    # one good file among bad ones: the job runs on the good one and says what it refused
    good = next(p for p in SCANS if p.suffix == ".jpg")
    status, body = upload(("../../etc/passwd.pdf", b"junk"), ("..\\..\\" + good.name, good.read_bytes()))
    assert status == 202, body
    job = str(body["id"])
    client.app.state.runner.wait(job, 300)  # type: ignore[attr-defined]
    shown = client.get(f"/api/v1/jobs/{job}", headers=token).json()
    assert shown["state"] == "done"
    assert any(line.startswith("未接收：文件 passwd.pdf") for line in shown["summary"])
    inbox = get_settings().data_dir / "jobs" / job / "in"
    assert [p.name for p in inbox.iterdir()] == [good.name]


def test_forms_print_as_a_job_and_download(api: Api) -> None:
    client = api.client
    asked = {"form": "score", "year": 2026, "village": "南关村", "blank": 3}
    refused = client.post(
        "/api/v1/forms", json={**asked, "village": "北街社区"}, headers=api.headers("village")
    )
    assert refused.status_code == 403
    assert (
        client.post("/api/v1/forms", json={**asked, "year": 2030}, headers=api.headers("village")).status_code
        == 404
    )
    both = client.post("/api/v1/forms", json={**asked, "township": "城关镇"}, headers=api.headers("township"))
    assert both.status_code == 422 and "二选一" in both.json()["message"]
    done = api.finished(
        client.post("/api/v1/forms", json=asked, headers=api.headers("village")).json(), "village"
    )
    assert done["state"] == "done" and "已印制评分表 3 份" in done["summary"][0]
    pdf = next(f for f in done["files"] if f["name"].endswith(".pdf"))
    got = client.get(pdf["url"], headers=api.headers("village"))
    assert got.status_code == 200 and got.content.startswith(b"%PDF") and len(got.content) == pdf["size"]
    assert client.get(pdf["url"], headers=api.headers("township")).status_code == 200
    escape = client.get(f"/api/v1/jobs/{done['id']}/files/../../secret.key", headers=api.headers("village"))
    assert escape.status_code == 404


def test_documents_as_jobs_with_the_callers_level(api: Api, named: list[Household]) -> None:
    client = api.client
    naming = {"document": "naming", "year": 2026, "township": "城关镇", "number": "城关镇妇发〔2026〕3号",
              "date": "2026-05-10", "pdf": False}  # fmt: skip
    assert client.post("/api/v1/documents", json=naming, headers=api.headers("village")).status_code == 403
    unnumbered = client.post(
        "/api/v1/documents", json={**naming, "number": None}, headers=api.headers("township")
    )
    assert unnumbered.status_code == 422 and "发文字号" in unnumbered.json()["message"]
    quotas = {"document": "quotas", "year": 2026, "pdf": False}
    assert client.post("/api/v1/documents", json=quotas, headers=api.headers("township")).status_code == 403
    # an open review item keeps the decision from being written: the job fails and says why
    blocked = api.finished(
        client.post("/api/v1/documents", json=naming, headers=api.headers("township")).json()
    )
    assert blocked["state"] == "failed" and "待复核" in blocked["error"] and blocked["hint"]
    for item in client.get("/api/v1/review", headers=api.headers("township")).json():
        settled = client.post(
            f"/api/v1/review/{item['id']}/set", json={"value": "10"}, headers=api.headers("township")
        )
        assert settled.status_code == 200, settled.text
    done = api.finished(client.post("/api/v1/documents", json=naming, headers=api.headers("township")).json())
    assert done["state"] == "done", (done["error"], done["hint"])
    assert done["summary"][0] == "命名决定（附花名册）已生成，6 户。"
    docx = client.get(done["files"][0]["url"], headers=api.headers("township"))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    badly = api.finished(
        client.post(
            "/api/v1/documents", json={**naming, "number": "三号"}, headers=api.headers("township")
        ).json()
    )
    assert badly["state"] == "failed" and "三号" in badly["error"] and badly["hint"] and badly["files"] == []
    sheet = SAMPLES / "quotas-2026.xlsx"
    uploaded = {"file": (sheet.name, sheet.read_bytes(), "application/octet-stream")}
    assert (
        client.post(
            "/api/v1/campaign/2026/quotas", files=uploaded, headers=api.headers("district")
        ).status_code
        == 200
    )
    done = api.finished(client.post("/api/v1/documents", json=quotas, headers=api.headers("district")).json())
    assert done["state"] == "done" and done["unit"] == "清河区", (done["error"], done["hint"])


def test_roster_upload_keeps_to_the_callers_unit(api: Api, tmp_path: Path) -> None:
    client = api.client
    roster = SAMPLES / "roster-2026.xlsx"
    job = client.post("/api/v1/roster", files=_files(roster), headers=api.headers("village")).json()
    refused = api.finished(job, "village")
    assert refused["state"] == "failed" and "不属于南关村" in refused["error"] + "".join(refused["summary"])
    job = client.post(
        "/api/v1/roster", files=_files(roster), data={"skip_invalid": "true"}, headers=api.headers("village")
    ).json()
    kept = api.finished(job, "village")
    assert kept["state"] == "done", kept
    assert any("未变 38 户" in line for line in kept["summary"])
    assert [f["name"] for f in kept["files"]] == ["roster-2026.rejected.xlsx"]
    done = api.finished(
        client.post("/api/v1/roster", files=_files(roster), headers=api.headers("district")).json()
    )
    assert done["state"] == "done" and any("未变 324 户" in line for line in done["summary"])
    text = client.post(
        "/api/v1/roster",
        files=[("files", ("花名册.xlsx", b"a,b\n", "text/csv"))],
        headers=api.headers("district"),
    )
    assert text.status_code == 415


def test_campaign_rules_and_quotas(api: Api) -> None:
    client = api.client
    shown = client.get("/api/v1/campaign/2026", headers=api.headers("village")).json()
    assert shown["rules"]["pass_mark"] == 90 and len(shown["quotas"]) == 3
    change = {"pass_mark": 88}
    assert (
        client.patch("/api/v1/campaign/2026", json=change, headers=api.headers("township")).status_code == 403
    )
    changed = client.patch("/api/v1/campaign/2026", json=change, headers=api.headers("district")).json()
    assert changed["new"] == {"合格分": 88} or 88 in changed["new"].values()
    wrong = client.patch("/api/v1/campaign/2026", json={"model_mark": 80}, headers=api.headers("district"))
    assert wrong.status_code == 422
    quotas = SAMPLES / "quotas-2026.xlsx"
    files = {"file": (quotas.name, quotas.read_bytes(), "application/octet-stream")}
    assert (
        client.post("/api/v1/campaign/2026/quotas", files=files, headers=api.headers("township")).status_code
        == 403
    )
    lines = client.post("/api/v1/campaign/2026/quotas", files=files, headers=api.headers("district")).json()
    assert all(line["family_quota"] is not None for line in lines)


def test_jobs_left_behind_by_a_stopped_service(printed: Cli, printed_db: Session) -> None:
    from service.db.models import AdminUnit

    settings = get_settings()
    village = printed_db.scalars(select(AdminUnit).where(AdminUnit.name == "南关村")).one()
    running = create_job(
        printed_db, settings, "forms", {"form": "score", "year": 2026, "blank": 2}, village, None, "测试员"
    )
    queued = create_job(
        printed_db, settings, "forms", {"form": "score", "year": 2026, "blank": 2}, village, None, "测试员"
    )
    running.state = JobState.running
    printed_db.commit()
    engine = printed_db.get_bind()
    runner = ThreadJobRunner(engine, settings)  # type: ignore[arg-type]
    assert recover(engine, runner) == (1, 1)  # type: ignore[arg-type]
    runner.wait(queued.id, 300)
    runner.shutdown()
    printed_db.expire_all()
    stopped, resumed = printed_db.get(Job, running.id), printed_db.get(Job, queued.id)
    assert stopped is not None and stopped.state == JobState.failed and "重新提交" in (stopped.hint or "")
    assert resumed is not None and resumed.state == JobState.done, resumed.error
    assert (settings.data_dir / "jobs" / queued.id / "out").iterdir()


def test_unknown_addresses_and_bad_parameters_answer_in_chinese(api: Api) -> None:
    client = api.client
    missing = client.get("/api/v1/nothing", headers=api.headers("district"))
    assert missing.status_code == 404 and missing.json()["message"] == "没有这个地址。"
    bad = client.get("/api/v1/status", params={"year": "二〇二六"}, headers=api.headers("district"))
    assert (
        bad.status_code == 422 and bad.json()["code"] == "invalid_request" and "year" in bad.json()["message"]
    )
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "没有这个地址" in page.text


def test_sniffing_and_safe_names() -> None:
    from service.uploads import safe_name, save_upload

    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\张三\\扫描 1.PDF") == "扫描 1.pdf"
    assert safe_name(".hidden.pdf") == "hidden.pdf"
    assert safe_name("a\x00b;rm -rf.pdf") == "ab_rm -rf.pdf"
    assert safe_name("") == "上传文件"
    folder = Path(get_settings().data_dir) / "t"
    png = next(p for p in SCANS if p.suffix == ".jpg").read_bytes()
    kept = save_upload(io.BytesIO(png), folder, "扫描.jpg", 10**9, ("pdf", "tiff", "jpeg", "png"))
    assert kept.suffix in (".pdf", ".tif", ".jpg", ".png") and kept.parent == folder
    again = save_upload(io.BytesIO(png), folder, "扫描.jpg", 10**9, ("pdf", "tiff", "jpeg", "png"))
    assert again != kept and again.exists() and kept.exists()
    assert not list(folder.glob(".*.part"))
    shutil.rmtree(folder)
