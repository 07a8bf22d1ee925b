"""A township clerk's day in a real browser: Playwright drives Debian's chromium against ``pingan serve``.

Log in, drop the sample scans on the upload page, watch the job finish, settle the review queue with
the keyboard only, write the naming decision and download it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from service.db.models import Household
from tests.conftest import PASSWORD, SAMPLES, Cli, add_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium 未安装（make setup 会安装）"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(
    named: list[Household], printed: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """``pingan serve`` on this test's database, with a township clerk's account."""
    add_user(printed, monkeypatch, "chengguan", "township", "城关镇")
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("pingan serve 没有启动：" + (tmp_path / "serve.log").read_text())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_a_township_clerk_in_the_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        page = browser.new_context(accept_downloads=True, locale="zh-CN").new_page()
        page.set_default_timeout(60_000)

        # log in
        page.goto(f"{server}/")
        expect(page).to_have_url(re.compile(r"/login$"))
        page.get_by_label("登录名").fill("chengguan")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", level=2)).to_contain_text("创建进度")
        expect(page.locator("#townships")).to_contain_text("城关镇")

        # upload the sample scans and watch the job finish
        page.get_by_role("link", name="上传扫描件").click()
        scans = sorted(p for p in (SAMPLES / "scans").iterdir() if p.suffix != ".json")
        dropped = next(p for p in scans if p.suffix == ".jpg")
        page.locator("#files").set_input_files([str(p) for p in scans if p != dropped])
        transfer = page.evaluate_handle(
            "([name, bytes]) => { const t = new DataTransfer();"
            " t.items.add(new File([new Uint8Array(bytes)], name, {type: 'image/jpeg'})); return t; }",
            [dropped.name, list(dropped.read_bytes())],
        )
        page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})  # dragged from the desktop
        expect(page.locator("#chosen")).to_contain_text(f"已选 {len(scans)} 个文件")
        expect(page.locator("#chosen")).to_contain_text(dropped.name)
        page.get_by_role("button", name="上传并识读").click()
        expect(page.locator("#progress")).to_have_attribute("data-state", "done", timeout=300_000)
        expect(page.locator("#summary")).to_contain_text("入档")
        expect(page.locator("#count")).to_contain_text("页")

        # settle the review queue with the keyboard: digits then Enter for scores, Enter to accept the rest
        page.get_by_role("link", name="去复核").click()
        settled = 0
        while page.locator("#item").count():
            item = page.locator("#item")
            expect(item).to_have_attribute("data-ready", "1")  # Enter counts once the item has been on screen
            before = item.get_attribute("data-id")
            if re.fullmatch(r"item\d\d_score", item.get_attribute("data-field") or ""):
                page.locator("body").press("1")
                page.keyboard.type("0")
                expect(page.locator("#value")).to_have_value("10")
            with page.expect_navigation():
                page.keyboard.press("Enter")
                page.keyboard.press("Enter")  # a hurried second press: one decision, next item untouched
            expect(page.locator("[role=status]")).to_contain_text(f"复核项 {before} 已处理")
            settled += 1
            assert settled < 200, "复核队列没有结束"
        expect(page.get_by_text("本单位没有待复核的栏目")).to_be_visible()
        assert settled >= 2

        # the naming decision, then its download
        page.get_by_role("link", name="公文").click()
        page.get_by_label("公文").select_option(label="命名决定（附花名册）")
        page.get_by_label("单位").select_option(label="城关镇")
        page.get_by_label("发文字号").fill("城关镇妇发〔2026〕3号")
        page.get_by_label("日期").fill("2026-05-10")
        page.get_by_label("同时生成 PDF").uncheck()
        page.get_by_role("button", name="生成").click()
        expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=300_000)
        expect(page.locator("#summary")).to_contain_text("命名决定（附花名册）已生成")
        with page.expect_download() as download:
            page.locator("#files a").first.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        browser.close()

    text = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    cells = [c.text for t in docx.Document(str(saved)).tables for row in t.rows for c in row.cells]
    assert "城关镇妇发〔2026〕3号" in text and "平安家庭" in text
    assert any("南关村" in cell for cell in cells)
