"""The workbench's working pages through TestClient: villages, households, printing, upload, documents, jobs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service.db.models import Household
from tests.conftest import PASSWORD, SAMPLES, Api, Cli, add_user


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def login(client: TestClient, name: str) -> str:
    """Sign in through the login form and return the session's CSRF token."""
    token = _csrf(client.get("/login").text)
    assert client.post("/login", data={"login": name, "password": PASSWORD, "csrf": token}).status_code == 200
    return _csrf(client.get("/").text)


def test_pages_send_strangers_to_the_login(api: Api) -> None:
    for path in ("/print", "/upload", "/documents", "/jobs", "/villages/南关村", "/households/x", "/jobs/x"):
        answer = api.client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path


def test_dashboard_village_and_household_pages_keep_to_the_scope(
    api: Api, named: list[Household], printed: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api.client
    login(client, "chengguan")
    page = client.get("/").text
    assert 'id="townships"' in page and "城关镇" in page and "未下达" in page  # no quotas imported yet
    assert "/villages/" in page
    village = client.get("/villages/南关村").text
    assert named[0].head_name in village and "已命名" in village and village.count("/households/") == 38
    household = client.get(f"/households/{named[0].code}").text
    assert "历年进度" in household and "2026" in household and "评分表" in household
    assert "第1项考核得分" in household and "item01_score" not in household  # the form's own labels
    other = TestClient(client.app)
    add_user(printed, monkeypatch, "beijie", "village", "北街社区")
    login(other, "beijie")
    assert other.get("/villages/南关村").status_code == 403
    refused = other.get(f"/households/{named[0].code}")
    assert refused.status_code == 403 and "无权" in refused.text


def test_print_page_starts_a_job_and_its_page_offers_the_file(api: Api) -> None:
    client = api.client
    csrf = login(client, "nanguan")
    page = client.get("/print").text
    assert "评分表（附件2）" in page and "南关村" in page and "北街社区" not in page
    code = re.search(r'value="village:(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf": csrf, "form": "application", "year": "2026", "place": f"village:{code}", "blank": "2"}
    assert client.post("/print", data={**form, "csrf": "forged"}).status_code == 403
    started = client.post("/print", data=form, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job = started.headers["location"].rsplit("/", 1)[1]
    client.app.state.runner.wait(job, 300)  # type: ignore[attr-defined]
    shown = client.get(f"/jobs/{job}").text
    assert "已印制申报审批表 2 份" in shown and "<script>" not in shown
    link = re.search(r'href="(/jobs/[^"]+\.pdf)"', shown).group(1)  # type: ignore[union-attr]
    assert client.get(link).content.startswith(b"%PDF")
    assert client.get(f"/jobs/{job}/progress").json()["state"] == "done"
    assert job in client.get("/jobs").text
    bad = client.post("/print", data={**form, "blank": "两份"})
    assert bad.status_code == 422 and "不是整数" in bad.text


def test_upload_answers_the_script_with_a_job(api: Api) -> None:
    client = api.client
    csrf = login(client, "chengguan")
    page = client.get("/upload").text
    assert 'id="drop"' in page and "XMLHttpRequest" in page
    scan = next(p for p in (SAMPLES / "scans").iterdir() if p.suffix == ".jpg")
    files = [("files", (scan.name, scan.read_bytes(), "image/jpeg"))]
    refused = client.post("/upload", data={"csrf": "forged"}, files=files)
    assert refused.status_code == 403 and "表单已过期" in refused.json()["message"]
    wrong = client.post(
        "/upload", data={"csrf": csrf}, files=[("files", ("a.pdf", b"hello", "application/pdf"))]
    )
    assert wrong.status_code == 415 and "a.pdf" in wrong.json()["message"]
    answer = client.post("/upload", data={"csrf": csrf, "year": "2026"}, files=files)
    assert answer.status_code == 202
    job = answer.json()["id"]
    client.app.state.runner.wait(job, 300)  # type: ignore[attr-defined]
    progress = client.get(answer.json()["url"] + "/progress").json()
    assert progress["state"] == "done" and progress["done"] == progress["total"] == 1


def test_documents_page_offers_what_the_level_may_write(api: Api, named: list[Household]) -> None:
    client = api.client
    csrf = login(client, "nanguan")
    page = client.get("/documents").text
    assert ">张榜公示<" in page and ">命名决定（附花名册）<" not in page
    csrf = login(client, "chengguan")
    page = client.get("/documents").text
    assert "命名决定（附花名册）" in page and "任务指标分配表" not in page
    code = re.search(r'value="township:(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf": csrf, "document": "naming", "year": "2026", "place": f"township:{code}",
            "number": "城关镇妇发〔2026〕3号", "date": "2026年5月10日"}  # fmt: skip
    bad_date = client.post("/documents", data={**form, "date": "5月10日"})
    assert bad_date.status_code == 422 and "不是日期" in bad_date.text
    started = client.post("/documents", data=form, follow_redirects=False)
    job = started.headers["location"].rsplit("/", 1)[1]
    client.app.state.runner.wait(job, 300)  # type: ignore[attr-defined]
    shown = client.get(f"/jobs/{job}").text
    assert "待复核" in shown and "处理办法" in shown  # the sixth household still has an open item
    assert job in client.get("/documents").text


def test_audit_page_is_for_the_district(api: Api, named: list[Household]) -> None:
    client = api.client
    login(client, "chengguan")
    assert "审计日志" not in client.get("/").text
    refused = client.get("/audit")
    assert refused.status_code == 403 and "区妇联" in refused.text
    login(client, "qinghe")
    page = client.get("/audit", params={"entity": "user"}).text
    assert "user.add" in page and "chengguan" in page and ">household " not in page


def test_an_unexpected_error_is_reported_in_chinese_with_a_reference(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("service.api.routes.units.households_in", broken)
    monkeypatch.setattr("service.web.work.households_in", broken)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    answer = client.get("/api/v1/households", headers=api.headers("district"))
    assert answer.status_code == 500 and answer.json()["code"] == "internal"
    assert "编号" in answer.json()["message"] and "disk on fire" not in answer.text
    login(client, "qinghe")
    page = client.get("/villages/南关村")
    assert (
        page.status_code == 500 and "服务内部出错" in page.text and "Internal Server Error" not in page.text
    )
