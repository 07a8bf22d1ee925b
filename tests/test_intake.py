"""Ingesting scans: records, idempotence, duplicates and conflicts, rejected pages, resume, review, digital returns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfWriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.models import AuditEntry, Record, RecordValue, ReviewItem, ScanFile, ScanPage
from tests.conftest import ROOT, SAMPLE_KEY, SAMPLES, CliResult
from tests.pdfgeometry import render_page

Cli = Callable[..., CliResult]
SCANS = SAMPLES / "scans"


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def session(printed_db: Session) -> Session:
    """Here the database is the one the demo's first steps made."""
    return printed_db


def test_sample_scans_become_records_once(printed: Cli, session: Session) -> None:
    first = printed("scans", "ingest", SCANS, "--year", "2026", "--workers", "1")
    assert first.code == 0, first.err
    assert "本次识读 13 页：入档 13 页" in first.out and "新建档案 10 份" in first.out
    assert "跳过非扫描文件" in first.out and "truth.json" in first.out
    assert (count(session, ScanFile), count(session, ScanPage), count(session, Record)) == (3, 13, 10)
    reviews = count(session, ReviewItem)
    assert reviews > 0
    again = printed("scans", "ingest", SCANS, "--workers", "1")
    assert "本次识读 0 页（另有 13 页此前已入库，未重复计算）" in again.out
    assert (count(session, ScanPage), count(session, Record), count(session, ReviewItem)) == (13, 10, reviews)
    value = session.scalars(
        select(RecordValue)
        .join(Record)
        .where(Record.serial == "2026S000003", RecordValue.field == "item01_score")
    ).one()
    page = session.get(ScanPage, value.page_id)
    assert page is not None and page.serial == "2026S000003" and value.confidence > 0.5


def test_rescans_duplicate_or_conflict_never_overwrite(
    printed: Cli, session: Session, tmp_path: Path
) -> None:
    assert printed("scans", "ingest", SCANS / "南关村-评分表-扫描.pdf", "--workers", "1").code == 0
    page = render_page(SCANS / "南关村-评分表-扫描.pdf", 2)  # 2026S000003
    page.save(tmp_path / "again.jpg", quality=70)  # the same sheet, scanned again: other bytes, same reading
    same = printed("scans", "ingest", tmp_path / "again.jpg", "--workers", "1")
    assert "与已有相同 1 页" in same.out, same.out
    before = (
        session.scalars(
            select(RecordValue)
            .join(Record)
            .where(Record.serial == "2026S000003", RecordValue.field == "item02_score")
        )
        .one()
        .value
    )
    from service.campaign.defaults import CampaignRules
    from service.forms.layouts import build_layout

    layout = build_layout("score", CampaignRules.defaults(2026, "清河区"), 2026)
    # mark another bubble of item 2 as well: the rescan now reads differently
    draw = ImageDraw.Draw(page)
    from bench.scansim import ScanMeta  # noqa: F401  (the scan's own geometry is close to the page's)

    bubble = next(b for b in layout.pages[0].field("item02_score").bubbles if b.value == "3")
    scale = 200 / 25.4
    draw.ellipse(
        ((bubble.x - 2) * scale, (bubble.y - 2) * scale, (bubble.x + 2) * scale, (bubble.y + 2) * scale),
        fill=(0, 0, 0),
    )
    page.save(tmp_path / "changed.jpg", quality=90)
    changed = printed("scans", "ingest", tmp_path / "changed.jpg", "--workers", "1")
    assert changed.code == 0
    session.expire_all()
    after = (
        session.scalars(
            select(RecordValue)
            .join(Record)
            .where(Record.serial == "2026S000003", RecordValue.field == "item02_score")
        )
        .one()
        .value
    )
    assert after == before
    conflict = session.scalars(
        select(ReviewItem)
        .join(Record)
        .where(Record.serial == "2026S000003", ReviewItem.field == "item02_score")
    ).all()
    assert any(item.reason in ("conflict",) for item in conflict) or "与已有不同 1 页" in changed.out


def test_rejected_pages_mixed_in_are_reported_and_the_rest_read(
    printed: Cli, session: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    Image.new("RGB", (1654, 2339), "white").save(folder / "a-blank.png")
    (folder / "b-empty.jpg").write_bytes(b"")
    render_page(SCANS / "南关村-评分表-扫描.pdf", 0).save(folder / "c-good.jpg", quality=85)
    result = printed("scans", "ingest", folder, "--workers", "1")
    assert result.code == 0
    assert "入档 1 页" in result.out and "无法识读或拒收 2 页" in result.out
    assert "a-blank.png 第 1 页：页面上没有找到表格二维码" in result.out
    assert "b-empty.jpg 第 1 页：文件是空的" in result.out
    assert count(session, ScanPage) == 3


def test_review_decisions_are_audited_and_only_confirmed_values_count(printed: Cli, session: Session) -> None:
    assert printed("scans", "ingest", SCANS, "--workers", "1").code == 0
    listing = printed("review", "list")
    assert listing.code == 0 and "待复核" in listing.out
    items = session.scalars(
        select(ReviewItem).where(ReviewItem.status == "open").order_by(ReviewItem.confidence)
    ).all()
    blank = next(i for i in items if i.reason == "blank")
    shown = printed("review", "show", str(blank.id), "--out", "复核切图")
    assert "未填涂" in shown.out
    assert printed("review", "set", str(blank.id), "不存在的选项").code == 2
    assert printed("review", "set", str(blank.id), "8").code == 0
    value = session.scalars(
        select(RecordValue).where(RecordValue.record_id == blank.record_id, RecordValue.field == blank.field)
    ).one()
    assert (value.value, value.state, value.confirmed_by) == ("8", "confirmed", "测试员")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "record_value")).first()
    assert entry is not None and entry.old == {"value": None, "state": "review"} and entry.new["value"] == "8"
    again = printed("review", "accept", str(blank.id))
    assert again.code == 5 and "已处理" in again.err
    other = next(i for i in items if i.id != blank.id and i.status == "open")
    assert printed("review", "reject", str(other.id), "--why", "字迹不清，退回村里重填").code == 0
    session.expire_all()
    assert session.get(ReviewItem, other.id).note == "字迹不清，退回村里重填"  # type: ignore[union-attr]


@pytest.mark.slow
def test_killed_ingest_resumes_without_loss_or_double_counting(
    printed: Cli, session: Session, tmp_path: Path
) -> None:
    env = {**os.environ, "PINGAN_SECRET_KEY": SAMPLE_KEY}
    command = [sys.executable, "-m", "service.cli", "scans", "ingest", str(SCANS), "--workers", "1"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 120
    while time.time() < deadline and count(session, ScanPage) < 6:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = count(session, ScanPage)
    assert 0 < partial < 13
    result = printed("scans", "ingest", SCANS, "--workers", "1")
    assert result.code == 0
    assert f"另有 {partial} 页此前已入库" in result.out
    assert count(session, ScanPage) == 13
    assert (
        session.scalar(
            select(func.count()).select_from(
                select(ScanPage.file_id, ScanPage.page_index).distinct().subquery()
            )
        )
        == 13
    )
    assert count(session, Record) == 10


def test_digital_return_is_ingested_without_ocr(printed: Cli, session: Session, tmp_path: Path) -> None:
    pdf = next((tmp_path / "forms").glob("*评分表-2026-*.pdf"))
    writer = PdfWriter(clone_from=pdf)
    serial = "2026S000010"
    values = {f"{serial}_item{n:02d}_score": "/10" for n in range(1, 11)} | {
        f"{serial}_group_verdict": "/pass"
    }
    writer.update_page_form_field_values(writer.pages[9], values, auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    writer.write(filled)
    result = printed("scans", "ingest", filled, "--workers", "1")
    assert result.code == 0, result.err
    record = session.scalars(select(Record).where(Record.serial == serial)).one()
    fields = {v.field: v for v in record.values}
    assert fields["item05_score"].value == "10" and fields["item05_score"].confidence == 1.0
    assert fields["group_verdict"].value == "pass"


def test_blank_sheets_are_matched_to_households_by_the_handwritten_name(
    printed: Cli, session: Session, tmp_path: Path
) -> None:
    from PIL import ImageFont

    from service.campaign.defaults import CampaignRules
    from service.forms.layouts import build_layout

    assert (
        printed(
            "forms",
            "score",
            "--year",
            "2026",
            "--village",
            "南关村",
            "--blank",
            "2",
            "--out",
            tmp_path / "blank",
            "--workers",
            "1",
        ).code
        == 0
    )
    pdf = next((tmp_path / "blank").glob("*.pdf"))
    box = build_layout("score", CampaignRules.defaults(2026, "清河区"), 2026).pages[0].field("head_name").rect
    scale = 200 / 25.4
    font = ImageFont.truetype("/usr/share/fonts/truetype/arphic/ukai.ttc", int(5 * scale))
    for index, name in ((0, "王堃"), (1, "张三丰")):
        page = render_page(pdf, index)
        ImageDraw.Draw(page).text(
            ((box.x + 3) * scale, (box.y + 1) * scale), name, font=font, fill=(20, 20, 60)
        )
        page.save(tmp_path / f"blank-{index}.png")
    result = printed("scans", "ingest", tmp_path / "blank-0.png", tmp_path / "blank-1.png", "--workers", "1")
    assert result.code == 0, result.err
    session.expire_all()
    records = {
        r.serial: r
        for r in session.scalars(select(Record).where(Record.serial.in_(["2026S000039", "2026S000040"])))
    }
    assert (
        records["2026S000039"].household is not None and records["2026S000039"].household.head_name == "王堃"
    )
    assert records["2026S000040"].household_id is None
    item = session.scalars(
        select(ReviewItem).where(
            ReviewItem.record_id == records["2026S000040"].id, ReviewItem.field == "identity"
        )
    ).one()
    assert "张三丰" in (item.detail or "") and "没有同名" in (item.detail or "")
    assert printed("review", "accept", str(item.id)).code == 2
    code = records["2026S000039"].household.code
    wrong = printed("review", "set", str(item.id), "330199009009-0001")
    assert wrong.code == 2 and "不是本村已登记的户编号" in wrong.err
    assert printed("review", "set", str(item.id), code).code == 0
    session.expire_all()
    assert session.get(Record, records["2026S000040"].id).household_id == records["2026S000039"].household_id  # type: ignore[union-attr]


def test_status_households_and_export_use_only_values_that_count(
    printed: Cli, session: Session, tmp_path: Path
) -> None:
    import csv
    import json

    assert printed("scans", "ingest", SCANS, "--workers", "1").code == 0
    status = printed("status", "--year", "2026", "--township", "城关镇")
    assert status.code == 0 and "南关村" in status.out and "城关镇合计" in status.out
    shown = printed("households", "show", "330199001001-0001")
    assert shown.code == 0 and "2026年" in shown.out and "2026S000001" in shown.out and "待复核" in shown.out
    missing = printed("households", "show", "330199009009-0001")
    assert missing.code == 4
    for fmt in ("csv", "json", "xlsx"):
        out = tmp_path / f"档案.{fmt}"
        assert (
            printed(
                "records", "export", "--year", "2026", "--township", "城关镇", "--out", out, "--format", fmt
            ).code
            == 0
        )
    rows = list(csv.DictReader((tmp_path / "档案.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 108
    first = next(r for r in rows if r["户编号"] == "330199001001-0001")
    assert "2026S000001/item05_score" in first["待复核栏目"].split("、")
    assert first["第5项"] == ""  # a value still under review is not exported as final
    assert json.loads((tmp_path / "档案.json").read_text(encoding="utf-8"))[0]["户编号"].startswith(
        "330199001"
    )


def test_status_steps_follow_confirmed_decisions(printed: Cli, session: Session) -> None:
    from service.campaign.defaults import CampaignRules
    from service.db.models import Household, Sheet
    from service.records import check_rules
    from service.status import Step, household_status

    rules = CampaignRules.defaults(2026, "清河区")
    household = session.scalars(select(Household).where(Household.head_name == "王堃")).one()
    sheets = {
        s.kind: s.serial for s in session.scalars(select(Sheet).where(Sheet.household_id == household.id))
    }
    score = Record(serial=sheets["score"], kind="score", year=2026, household_id=household.id)
    application = Record(
        serial=sheets["application"], kind="application", year=2026, household_id=household.id
    )
    session.add_all([score, application])
    session.flush()
    for n in range(1, 11):
        session.add(
            RecordValue(
                record=score,
                field=f"item{n:02d}_score",
                kind="bubbles",
                value="10",
                confidence=1.0,
                state="accepted",
            )
        )
    session.add(
        RecordValue(
            record=application,
            field="recommend",
            kind="bubbles",
            value="yes",
            confidence=1.0,
            state="accepted",
        )
    )
    session.flush()
    session.refresh(score)
    session.refresh(application)
    assert household_status(session, household, 2026, rules).step == Step.recommended
    for level in ("village", "federation"):
        session.add(
            RecordValue(
                record=application,
                field=f"{level}_decision",
                kind="bubbles",
                value="yes",
                confidence=1.0,
                state="confirmed",
            )
        )
        session.add(
            RecordValue(
                record=application,
                field=f"{level}_seal",
                kind="seal",
                value=True,
                confidence=1.0,
                state="accepted",
            )
        )
    session.add(
        RecordValue(
            record=application,
            field="township_decision",
            kind="bubbles",
            value="yes",
            confidence=1.0,
            state="accepted",
        )
    )
    session.add(
        RecordValue(
            record=application,
            field="township_seal",
            kind="seal",
            value=False,
            confidence=1.0,
            state="accepted",
        )
    )
    session.flush()
    session.refresh(application)
    state = household_status(session, household, 2026, rules)
    assert state.step == Step.federation_approved and state.rejected is None
    assert check_rules(session, application, rules) == 1  # agreed without a seal
    assert (
        session.scalars(select(ReviewItem).where(ReviewItem.record_id == application.id)).one().reason
        == "rule_seal"
    )


def test_filled_word_forms_are_ingested_without_ocr(printed: Cli, session: Session, tmp_path: Path) -> None:
    from docx import Document

    assert (
        printed(
            "forms",
            "score",
            "--year",
            "2026",
            "--village",
            "南关村",
            "--format",
            "docx",
            "--out",
            tmp_path / "w",
            "--workers",
            "1",
        ).code
        == 0
    )
    assert (
        printed(
            "forms",
            "application",
            "--year",
            "2026",
            "--village",
            "南关村",
            "--format",
            "docx",
            "--out",
            tmp_path / "w",
            "--workers",
            "1",
        ).code
        == 0
    )
    score_file = next(p for p in (tmp_path / "w").rglob("*王堃.docx") if "评分表" in str(p.parent))
    document = Document(str(score_file))
    items = document.tables[1]
    for row in items.rows[1:]:
        row.cells[3].text = "10"
    items.rows[3].cells[3].text = "8"
    items.rows[3].cells[5].text = "与邻居有过争吵"
    document.tables[0].rows[1].cells[3].text = "■合格　□不合格"
    document.save(str(score_file))
    app_file = next(p for p in (tmp_path / "w").rglob("*王堃.docx") if "申报审批表" in str(p.parent))
    form = Document(str(app_file))
    form.tables[2].rows[1].cells[1].text = "■同意　□不同意"
    form.tables[3].rows[0].cells[1].text = "■同意　□不同意\n意见：该户符合条件\n（盖章）\n2026年4月20日"
    form.save(str(app_file))
    result = printed("scans", "ingest", score_file, app_file, "--year", "2026", "--workers", "1")
    assert result.code == 0, result.err
    assert "本次识读 3 页：入档 3 页" in result.out
    session.expire_all()
    score = session.scalars(
        select(Record).where(Record.kind == "score", Record.household.has(head_name="王堃"))
    ).one()
    values = {v.field: v for v in score.values}
    assert values["item03_score"].value == "8" and values["item03_score"].confidence == 1.0
    assert values["item03_reason"].value == "与邻居有过争吵"
    assert values["group_verdict"].value == "pass"
    application = session.scalars(
        select(Record).where(Record.kind == "application", Record.household.has(head_name="王堃"))
    ).one()
    answers = {v.field: v.value for v in application.values}
    assert answers["recommend"] == "yes" and answers["village_decision"] == "yes"
    assert answers["village_opinion"] == "该户符合条件" and answers["village_date"] == "2026年4月20日"
    reasons = {
        i.reason for i in session.scalars(select(ReviewItem).where(ReviewItem.record_id == application.id))
    }
    assert "rule_seal" in reasons  # agreed in Word, but a Word file carries no seal


def test_a_clerk_can_settle_the_whole_queue(printed: Cli, session: Session) -> None:
    assert printed("scans", "ingest", SCANS, "--workers", "1").code == 0
    for _ in range(5):
        ids = printed("review", "list", "--ids").out.split()
        if not ids:
            break
        for item in ids:
            assert printed("review", "accept", item).code == 0
    assert printed("review", "list", "--ids").out.split() == []
    assert count(session, ReviewItem) == session.scalar(
        select(func.count()).where(ReviewItem.status == "accepted")
    )
