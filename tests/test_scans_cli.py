"""``pingan scans read`` over the sample scans: layouts from the database, crops, debug images, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import SAMPLES, CliResult

Cli = Callable[..., CliResult]


def test_scans_read_prints_identity_and_writes_evidence(printed: Cli, tmp_path: Path) -> None:
    result = printed(
        "scans", "read", SAMPLES / "scans" / "南关村-评分表-扫描.pdf", SAMPLES / "scans" / "南关村-评分表-倒放.jpg",
        "--crops", tmp_path / "crops", "--debug-image", tmp_path / "debug",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "评分表 2026S000001（第 1/1 页） 户 330199001001-0001" in result.out
    assert "旋转 180°" in result.out
    assert "共 7 页：可读 7 页，无法识读 0 页；拼成 7 份表格" in result.out
    assert len(list((tmp_path / "debug").glob("*.png"))) == 7
    assert (tmp_path / "crops" / "2026S000001-p1-item01_reason.png").exists()


def test_scans_read_json_and_unreadable_pages(printed: Cli, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("RGB", (1654, 2339), "white").save(blank)
    result = printed("scans", "read", SAMPLES / "scans" / "南关村-申报审批表-扫描.tif", blank, "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert [p["ok"] for p in payload["pages"]] == [True] * 6 + [False]
    assert payload["pages"][-1]["error"].startswith("页面上没有找到表格二维码")
    assert [f["serial"] for f in payload["forms"]] == ["2026A000001", "2026A000002", "2026A000003"]
    name = next(f for f in payload["pages"][0]["fields"] if f["name"] == "head_name")
    assert name["kind"] == "printed" and name["value"]


def test_scans_read_says_when_a_page_is_not_readable(printed: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    result = printed("scans", "read", empty)
    assert result.code == 1
    assert "empty.jpg 第 1 页" in result.out and "0 字节" in result.out and "处理办法" in result.out
