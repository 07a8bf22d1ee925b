"""Official documents rendered through LibreOffice and measured on the PDF (GB/T 9704-2012)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pytest
from docx import Document
from pypdf import PdfReader

from service.db.models import Household
from service.documents.gbt9704 import LINE_MM, SEAL_MM
from service.documents.render import undeclared
from tests.conftest import CliResult
from tests.pdfgeometry import render_page

Cli = Callable[..., CliResult]
MM = 72 / 25.4
NUMBER = "城关镇妇发〔2026〕3号"


@dataclass
class Line:
    """One line of text on a PDF page, in mm."""

    page: int
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    colour: Any

    @property
    def box_top(self) -> float:
        """The top of the line's box: text sits centred in its line pitch."""
        return (self.top + self.bottom) / 2 - LINE_MM / 2


def text_lines(path: Path) -> list[Line]:
    """Every line of text of a PDF, page by page, top to bottom."""
    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: dict[int, list[dict[str, Any]]] = {}
            for char in page.chars:
                rows.setdefault(round(char["bottom"]), []).append(char)
            for _, chars in sorted(rows.items()):
                chars.sort(key=lambda c: c["x0"])
                found.append(
                    Line(
                        number,
                        "".join(c["text"] for c in chars).replace(" ", ""),
                        min(c["top"] for c in chars) / MM,
                        max(c["bottom"] for c in chars) / MM,
                        chars[0]["x0"] / MM,
                        chars[-1]["x1"] / MM,
                        max(c["size"] for c in chars),
                        chars[0]["non_stroking_color"],
                    )
                )
    return found


def find(lines: list[Line], text: str) -> Line:
    return next(line for line in lines if text in line.text)


@pytest.fixture
def decision(printed: Cli, named: list[Household], tmp_path: Path) -> tuple[Path, Path, list[Household]]:
    """The 城关镇 naming decision, once the last open review item is settled."""
    refused = printed(
        "docs", "naming", "--township", "城关镇", "--year", "2026", "--number", NUMBER,
        "--date", "2026-05-10", "--out", tmp_path / "docs",
    )  # fmt: skip
    assert refused.code == 5 and f"{named[5].head_name}（{named[5].code}）1 项" in refused.err
    for item in printed("review", "list", "--ids").out.split():
        assert printed("review", "set", item, "10").code == 0
    result = printed(
        "docs", "naming", "--township", "城关镇", "--year", "2026", "--number", NUMBER,
        "--date", "2026-05-10", "--out", tmp_path / "docs",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "花名册 6 户" in result.out
    docx = tmp_path / "docs" / "城关镇2026年度平安家庭命名决定.docx"
    return docx, docx.with_suffix(".pdf"), named


@pytest.mark.slow
def test_naming_decision_follows_gbt9704(decision: tuple[Path, Path, list[Household]]) -> None:
    docx, pdf, named = decision
    lines = text_lines(pdf)
    with pdfplumber.open(pdf) as document:
        first = document.pages[0]
        assert (round(first.width / MM), round(first.height / MM)) == (210, 297)
        red_rules = [
            r
            for r in first.lines
            if r.get("stroking_color") == (1.0, 0.0, 0.0) and r["x1"] - r["x0"] > 100 * MM
        ]
        pages = len(document.pages)
    header = find(lines, "城关镇妇女联合会文件")
    assert header.page == 1 and header.colour == (1.0, 0.0, 0.0)
    assert abs(header.top - (37 + 35)) <= 1.0  # 版头 top 35 mm below the type area's top
    assert abs((header.x0 + header.x1) / 2 - (28 + 156 / 2)) <= 1.0  # centred
    number = find(lines, NUMBER.replace(" ", ""))
    assert number.page == 1 and abs((number.x0 + number.x1) / 2 - 106) <= 1.0
    assert red_rules, "no red rule under the 发文字号"
    rule = red_rules[0]
    assert abs((rule["x1"] - rule["x0"]) / MM - 156) <= 0.5 and abs(rule["x0"] / MM - 28) <= 0.5
    assert 3.0 <= rule["top"] / MM - number.bottom <= 5.0  # 4 mm below the 发文字号
    title = find(lines, "关于命名2026年度")
    assert (
        title.size == pytest.approx(22, abs=0.1)
        and 1.5 * LINE_MM <= title.top - rule["top"] / MM <= 2.5 * LINE_MM
    )
    body = [line for line in lines if line.page == 1 and line.size == pytest.approx(16, abs=0.1)]
    assert min(line.x0 for line in body) == pytest.approx(28.0, abs=1.0)  # type area's left edge
    second = [line for line in lines if line.page == 2]
    assert second[0].box_top == pytest.approx(37.0, abs=1.0)  # type area's top edge
    # 署名, date and the seal space: a 42 mm seal over both, its top within a line of the text above
    date = find(lines, "2026年5月10日")
    issuer = next(line for line in lines if line.text == "城关镇妇女联合会")
    assert issuer.page == date.page and date.text == "2026年5月10日"
    assert date.x1 == pytest.approx(28 + 156 - 4 * 16 / MM, abs=1.5)  # four characters in from the right
    assert abs((issuer.x0 + issuer.x1) / 2 - (date.x0 + date.x1) / 2) <= 1.5  # 署名 centred over the date
    above = [line for line in lines if line.page == date.page and line.bottom < issuer.top]
    assert above, "the seal block is alone on its page (空白印章)"
    last = above[-1]
    assert last.text.startswith("附件：")
    centre_x = (date.x0 + date.x1) / 2
    centre_y = (issuer.top + date.bottom) / 2 - 2.0  # the text sits a little below the seal's centre
    seal_top = centre_y - SEAL_MM / 2
    assert last.bottom <= seal_top <= last.bottom + LINE_MM
    for line in (issuer, date):
        assert math.hypot(0, (line.top + line.bottom) / 2 - centre_y) < SEAL_MM / 2
        assert line.x0 < centre_x < line.x1
    # the 花名册 on a new page, its header row repeated, every named household listed
    attachment = next(line for line in lines if line.text == "附件")
    assert attachment.page > date.page and attachment.box_top == pytest.approx(37.0, abs=1.0)
    text = "\n".join(line.text for line in lines)
    for household in named:
        assert household.head_name in text
        assert household.phone is None or household.phone not in text  # phones masked
    assert "抄送：清河区妇联。" in text and "2026年5月10日印发" in text
    # page numbers — N —: odd pages right, even pages left
    numbers = [line for line in lines if line.text.startswith("—") and line.text.endswith("—")]
    assert [line.text for line in numbers] == [f"—{n}—" for n in range(1, pages + 1)]
    for line in numbers:
        if line.page % 2:
            assert line.x1 == pytest.approx(28 + 156 - 14 / MM, abs=2.0)
        else:
            assert line.x0 == pytest.approx(28 + 14 / MM, abs=2.0)
    # fonts embedded; the DOCX keeps the Windows names for office PCs
    reader = PdfReader(pdf)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = (
                font.get_object().get("/FontDescriptor")
                or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            assert any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    styles = Document(str(docx)).styles
    assert (
        styles["正文"].element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "仿宋_GB2312"
    )


@pytest.mark.slow
def test_rare_name_characters_render_with_a_real_glyph(
    printed: Cli, named: list[Household], printed_db: Any, tmp_path: Path
) -> None:
    for household, name in zip(named[:4], ("王堃", "李喆", "张昇", "赵珺"), strict=True):
        household.head_name = name
    printed_db.commit()
    for item in printed("review", "list", "--ids").out.split():
        assert printed("review", "set", item, "10").code == 0
    result = printed(
        "docs", "naming", "--township", "城关镇", "--year", "2026", "--number", NUMBER,
        "--date", "2026-05-10", "--out", tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    pdf = tmp_path / "城关镇2026年度平安家庭命名决定.pdf"
    with pdfplumber.open(pdf) as document:
        for page_index, page in enumerate(document.pages):
            for char in page.chars:
                if char["text"] not in "堃喆昇珺":
                    continue
                image = np.asarray(render_page(pdf, page_index, 200).convert("L"))
                k = 200 / 72
                box = image[
                    int(char["top"] * k) : int(char["bottom"] * k), int(char["x0"] * k) : int(char["x1"] * k)
                ]
                assert (box < 128).mean() > 0.05, f"{char['text']} drawn without ink (a missing glyph)"


def test_bad_input_is_refused_with_what_to_do(printed: Cli, named: list[Household], tmp_path: Path) -> None:
    base = ["docs", "naming", "--township", "城关镇", "--year", "2026", "--out", tmp_path, "--no-pdf"]
    wrong = printed(*base, "--number", "城关镇妇发[2026]03号", "--date", "2026-05-10")
    assert wrong.code != 0 and "六角括号" in wrong.err
    outside = printed(*base, "--number", NUMBER, "--date", "2025-12-31")
    assert outside.code != 0 and "不在 2026 年度之内" in outside.err
    unknown = printed(
        *base[:2], "--township", "不存在镇", *base[4:], "--number", NUMBER, "--date", "2026-05-10"
    )
    assert unknown.code != 0 and "不存在镇" in unknown.err
    empty = printed(*base[:2], "--township", "柳林镇", *base[4:], "--number", NUMBER, "--date", "2026-05-10")
    assert empty.code != 0 and "花名册为空" in empty.err


def test_every_document_template_declares_what_it_needs() -> None:
    from service.documents.naming import TEMPLATE

    payload = {
        "header": "城关镇妇女联合会文件", "number": NUMBER, "title": "关于命名的决定", "recipients": "各村",
        "body": ["第一段", "第二段"], "attachment_title": "花名册", "issuer": "城关镇妇女联合会",
        "date": "2026年5月10日", "rows": [], "cc": "区妇联", "printer": "城关镇妇女联合会", "printed_on": "2026年5月10日",
    }  # fmt: skip
    assert undeclared(TEMPLATE, payload) == set()
    assert undeclared(TEMPLATE, {k: v for k, v in payload.items() if k != "cc"}) == {"cc"}
    from service.documents.notice import TEMPLATE as NOTICE

    notice = {
        "title": "公示",
        "body": ["一段"],
        "rows": [],
        "closing": ["公示期", "异议"],
        "issuer": "北街社区妇女联合会",
        "date": "2026年5月11日",
    }
    assert undeclared(NOTICE, notice) == set()


@pytest.mark.slow
def test_public_notice_lists_only_what_a_notice_may_show(
    printed: Cli, printed_db: Any, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from service.db.models import Milestone
    from tests.seeding import FULL, fill

    households = list(
        printed_db.scalars(
            select(Household).where(Household.village.has(name="北街社区")).order_by(Household.code).limit(3)
        )
    )
    assert (
        printed(
            "forms",
            "score",
            "--year",
            "2026",
            "--village",
            "北街社区",
            "--out",
            tmp_path / "f",
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
            "北街社区",
            "--out",
            tmp_path / "f",
            "--workers",
            "1",
        ).code
        == 0
    )
    for household, consent in zip(households, (True, False, None), strict=True):
        fill(printed_db, household, 2026, FULL, consent=consent)
    printed_db.commit()
    result = printed(
        "docs",
        "notice",
        "--year",
        "2026",
        "--village",
        "北街社区",
        "--start",
        "2026-05-10",
        "--out",
        tmp_path / "docs",
    )
    assert result.code == 0, result.err
    assert "公示已生成，3 户；公示期 2026-05-11 至 2026-05-15" in result.out
    pdf = tmp_path / "docs" / "北街社区2026年度平安家庭公示.pdf"
    lines = text_lines(pdf)
    text = "".join(line.text for line in lines)  # lines wrap anywhere: read the notice as one string
    assert "关于2026年度“平安家庭”拟命名对象的公示" in text
    assert "序号村（社区）户主姓名称号" in text
    assert "公示期：2026年5月11日至2026年5月15日（5个工作日）。" in text
    assert "向城关镇妇联反映" in text
    first, second, third = (h.head_name for h in households)
    assert first in text  # consented
    for name in (second, third):  # refused, or never asked: the middle of the name is hidden
        masked = name[0] + "*" * (len(name) - 2) + name[-1] if len(name) > 2 else name[0] + "*"
        assert name not in text and masked in text
    for household in households:
        assert household.phone is None or household.phone[-4:] not in text
        assert household.address is None or household.address not in text
    assert "100" not in text  # no scores on a notice
    assert (
        printed_db.scalar(select(func.count()).select_from(Milestone).where(Milestone.kind == "notice")) == 3
    )
    again = printed(
        "docs",
        "notice",
        "--year",
        "2026",
        "--village",
        "北街社区",
        "--start",
        "2026-05-10",
        "--out",
        tmp_path / "docs",
        "--no-pdf",
    )
    assert (
        again.code == 0 and "公示已生成，3 户" in again.out
    )  # the same notice again, nothing recorded twice
    assert (
        printed_db.scalar(select(func.count()).select_from(Milestone).where(Milestone.kind == "notice")) == 3
    )


@pytest.mark.slow
def test_plaque_list_for_the_named_models_in_three_formats(
    printed: Cli, named: list[Household], tmp_path: Path
) -> None:
    import openpyxl

    empty = printed(
        "docs", "plaques", "--year", "2026", "--township", "城关镇", "--out", tmp_path, "--no-pdf"
    )
    assert empty.code != 0 and "授牌名单为空" in empty.err
    for args in (
        ["notice", "post", "--year", "2026", "--village", "南关村", "--start", "2026-05-10"],
        [
            "model",
            "recommend",
            "--year",
            "2026",
            "--township",
            "城关镇",
            "--date",
            "2026-05-20",
            "--limit",
            "3",
        ],
        ["model", "name", "--year", "2026", "--number", "清河妇发〔2026〕8号", "--date", "2026-05-25"],
    ):
        assert printed(*args).code == 0, args
    result = printed("docs", "plaques", "--year", "2026", "--date", "2026-06-01", "--out", tmp_path)
    assert result.code == 0, result.err
    assert "授牌名单已生成，3 户" in result.out
    pdf = tmp_path / "清河区2026年度示范户授牌名单.pdf"
    text = "".join(line.text for line in text_lines(pdf))
    assert "清河区2026年度“平安家庭示范户”授牌名单" in text and "城关镇（3户）" in text
    assert "序号村（社区）户主姓名牌匾名称授牌单位年度数量领取人签字日期" in text
    for household in named[:3]:
        assert household.head_name in text
    assert named[3].head_name not in text  # over the limit of three
    book = openpyxl.load_workbook(tmp_path / "清河区2026年度示范户授牌名单.xlsx")
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][:4] == ("序号", "乡镇（街道）", "村（社区）", "户主姓名")
    assert [r[3] for r in rows[2:]] == [h.head_name for h in named[:3]]
    assert {r[4] for r in rows[2:]} == {"平安家庭示范户"} and {r[7] for r in rows[2:]} == {1}


@pytest.mark.slow
def test_model_roster_then_district_decision(printed: Cli, named: list[Household], tmp_path: Path) -> None:
    assert (
        printed("notice", "post", "--year", "2026", "--village", "南关村", "--start", "2026-05-10").code == 0
    )
    roster = printed(
        "docs", "model-roster", "--township", "城关镇", "--year", "2026", "--date", "2026-05-20",
        "--limit", "2", "--out", tmp_path,
    )  # fmt: skip
    assert roster.code == 0, roster.err
    assert "示范户推荐花名册已生成，2 户" in roster.out and "超出示范户指标 2 户" in roster.out
    text = "".join(line.text for line in text_lines(tmp_path / "城关镇2026年度示范户推荐花名册.pdf"))
    assert "城关镇2026年度“平安家庭示范户”推荐花名册" in text
    assert named[0].head_name in text and named[1].head_name in text and named[2].head_name not in text
    decision = printed(
        "docs", "model-naming", "--year", "2026", "--number", "清河妇发〔2026〕8号", "--date", "2026-05-25",
        "--out", tmp_path,
    )  # fmt: skip
    assert decision.code == 0, decision.err
    lines = text_lines(tmp_path / "清河区2026年度示范户命名决定.pdf")
    header = find(lines, "清河区妇女联合会文件")
    assert header.colour == (1.0, 0.0, 0.0) and abs(header.top - 72) <= 1.0
    text = "".join(line.text for line in lines)
    assert "清河区妇女联合会关于命名2026年度“平安家庭示范户”的决定" in text
    assert "决定命名2户家庭（城关镇2户）" in text  # (text_lines drops spaces)
    assert named[0].head_name in text and named[1].head_name in text and named[2].head_name not in text


@pytest.mark.slow
def test_quota_table_against_what_is_named(printed: Cli, named: list[Household], tmp_path: Path) -> None:
    from tests.conftest import SAMPLES

    missing = printed("docs", "quotas", "--year", "2026", "--out", tmp_path, "--no-pdf")
    assert missing.code != 0 and "任务指标还没有导入" in missing.err
    assert printed("quotas", "import", SAMPLES / "quotas-2026.xlsx", "--year", "2026").code == 0
    result = printed("docs", "quotas", "--year", "2026", "--as-of", "2026-06-30", "--out", tmp_path)
    assert result.code == 0, result.err
    lines = text_lines(tmp_path / "清河区2026年度任务指标完成情况.pdf")
    text = "".join(line.text for line in lines)
    assert (
        "附件1" in text
        and "清河区2026年度“平安家庭”创建任务指标分配表" in text
        and "（截至2026年6月30日）" in text
    )
    town = next(line.text for line in lines if line.text.startswith("城关镇"))
    assert town.startswith("城关镇") and "86" in town and "6" in town and "7.0%" in town
    assert any(line.text.startswith("合计") for line in lines)


@pytest.mark.slow
def test_removal_notice_after_the_review_cycle(
    printed: Cli, named: list[Household], printed_db: Any, tmp_path: Path
) -> None:
    from tests.seeding import fill

    failing = named[3]
    for args in (
        ["campaign", "new", "--year", "2028"],
        ["review-cycle", "start", "--year", "2028", "--date", "2028-03-01"],
        [
            "forms",
            "score",
            "--year",
            "2028",
            "--village",
            "南关村",
            "--out",
            tmp_path / "f",
            "--workers",
            "1",
        ],
    ):
        assert printed(*args).code == 0, args
    fill(printed_db, failing, 2028, [10, 10, 10, 10, 10, 10, 10, 10, 3, 10], approve=False)
    printed_db.commit()
    assert printed("review-cycle", "update", "--year", "2028", "--as-of", "2028-05-01").code == 0
    none_yet = printed(
        "docs", "removal", "--year", "2028", "--date", "2028-05-02", "--out", tmp_path, "--no-pdf"
    )
    assert none_yet.code != 0 and "没有拟摘牌的家庭" in none_yet.err
    assert printed("review-cycle", "update", "--year", "2028", "--as-of", "2028-08-01").code == 0
    result = printed("docs", "removal", "--year", "2028", "--date", "2028-08-10", "--out", tmp_path)
    assert result.code == 0, result.err
    text = "".join(line.text for line in text_lines(tmp_path / "清河区2028年摘牌通知.pdf"))
    assert "关于取消部分家庭“平安家庭”称号的通知" in text and failing.head_name in text
    assert "限时整改期满" in text and "第9项得3分" in text.replace(" ", "")
    assert named[0].head_name not in text


@pytest.mark.slow
def test_evaluation_report_with_charts(printed: Cli, named: list[Household], tmp_path: Path) -> None:
    from tests.conftest import SAMPLES

    assert printed("quotas", "import", SAMPLES / "quotas-2026.xlsx", "--year", "2026").code == 0
    result = printed("docs", "report", "--year", "2026", "--as-of", "2026-06-30", "--out", tmp_path)
    assert result.code == 0, result.err
    docx = next(tmp_path.glob("*问效评估报告*.docx"))
    pdf = docx.with_suffix(".pdf")
    text = "".join(line.text for line in text_lines(pdf))
    assert "清河区2026年“平安家庭”创建工作问效评估报告" in text and "（截至2026年6月30日）" in text
    assert "参与创建评审6户" in text and "命名“平安家庭”6户" in text
    assert "95–100分5户" in text and "90–94分1户" in text and "平均97.8分" in text
    assert "尚有1项扫描识读结果待人工复核" in text
    for township in ("城关镇", "柳林镇", "东湖街道"):
        assert f"{township}：参与率" in text  # every township lags in this small sample: named on the list
    with pdfplumber.open(pdf) as document:
        images = [image for page in document.pages for image in page.images]
    assert len(images) == 2 and all(image["width"] > 100 * MM for image in images)  # both charts, 150 mm wide
    assert len(Document(str(docx)).inline_shapes) == 2


def _row(n: int) -> dict[str, Any]:
    return {
        "seq": n, "village": "南关村", "head": f"王秀{n}", "size": 3, "address": f"南关村{n}号",
        "phone": "138****1234", "score": 96, "note": "", "title": "平安家庭", "plaque": "平安家庭示范户",
        "issuer": "清河区“平安家庭”创建工作领导小组", "year": "2026年度", "count": 1, "named": "2026年",
        "reason": "限时整改期满未整改到位", "township": "城关镇", "households": 120, "family_quota": 86,
        "family_rate": "7.0%", "model_quota": 9, "models": 1, "model_rate": "11.1%", "scored": 6,
        "participation": "5.0%", "quota": 86, "completion": "7.0%", "open": 1,
    }  # fmt: skip


SAMPLE_PAYLOADS: dict[str, dict[str, Any]] = {
    "township-naming.docx": {
        "header": "城关镇妇女联合会文件", "number": NUMBER, "title": "城关镇妇女联合会关于命名2026年度“平安家庭”的决定",
        "recipients": "各村（社区）妇联", "body": ["第一段。", "第二段。"], "attachment_title": "花名册",
        "issuer": "城关镇妇女联合会", "date": "2026年5月10日", "rows": [_row(1)], "cc": "清河区妇联",
        "printer": "城关镇妇女联合会", "printed_on": "2026年5月10日",
    },
    "notice.docx": {
        "title": "关于2026年度“平安家庭”拟命名对象的公示", "body": ["一段。"], "rows": [_row(1)],
        "closing": ["公示期：2026年5月11日至2026年5月15日。", "如有异议请反映。"], "issuer": "南关村妇女联合会",
        "date": "2026年5月11日",
    },
    "plaque-list.docx": {
        "title": "授牌名单", "townships": [{"name": "城关镇", "rows": [_row(1)]}], "issuer": "清河区妇联",
        "date": "2026年6月1日",
    },
    "model-roster.docx": {
        "title": "推荐花名册", "unit": "城关镇妇女联合会", "rows": [_row(1)], "issuer": "城关镇妇女联合会",
        "date": "2026年5月20日",
    },
    "removal-notice.docx": {
        "title": "摘牌通知", "recipients": "各村（社区）妇联", "body": ["一段。"], "rows": [_row(1)],
        "issuer": "城关镇妇女联合会", "date": "2028年8月10日",
    },
    "quota-table.docx": {"title": "任务指标分配表", "as_of": "2026年6月30日", "rows": [_row(1)]},
    "report.docx": {
        "title": "问效评估报告", "as_of": "2026年6月30日", "overall": ["总体。"], "rows": [_row(1)],
        "progress_chart": "", "scores_text": "分布。", "scores_chart": "", "lagging": ["城关镇：滞后。"],
        "issuer": "清河区妇女联合会", "date": "2026年6月30日",
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SAMPLE_PAYLOADS))
def test_every_template_has_a_sample_payload_and_renders_it(name: str, tmp_path: Path) -> None:
    from service.documents.render import TEMPLATES, render_docx

    forms = {"score-sheet.docx", "application-form.docx"}  # tested with the forms
    assert {p.name for p in TEMPLATES.glob("*.docx")} - forms == set(SAMPLE_PAYLOADS)
    payload = SAMPLE_PAYLOADS[name]
    assert undeclared(name, payload) == set()
    written = render_docx(name, payload, tmp_path / name)
    text = "\n".join(p.text for p in Document(str(written)).paragraphs)
    assert (
        "{{" not in text and "{%" not in text and payload["title" if "title" in payload else "header"] in text
    )


@pytest.mark.slow
def test_the_roster_header_repeats_on_every_page(tmp_path: Path) -> None:
    from service.documents.convert import to_pdf
    from service.documents.render import render_docx

    payload = {**SAMPLE_PAYLOADS["township-naming.docx"], "rows": [_row(n) for n in range(1, 81)]}
    pdf = to_pdf([render_docx("township-naming.docx", payload, tmp_path / "long.docx")], tmp_path, 300)[0]
    lines = text_lines(pdf)
    roster_pages = sorted(
        {line.page for line in lines if line.text.startswith("80南关村") or "王秀" in line.text}
    )
    assert len(roster_pages) >= 3
    for page in roster_pages:
        assert any(line.page == page and line.text.startswith("序号村（社区）户主姓名") for line in lines), (
            page
        )
    assert sum(1 for line in lines if "王秀" in line.text) == 80


def test_libreoffice_missing_or_hanging_keeps_the_docx(
    printed: Cli, named: list[Household], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.settings import get_settings

    for item in printed("review", "list", "--ids").out.split():
        assert printed("review", "set", item, "10").code == 0
    args = [
        "docs",
        "naming",
        "--township",
        "城关镇",
        "--year",
        "2026",
        "--number",
        NUMBER,
        "--date",
        "2026-05-10",
    ]
    empty = tmp_path / "bin-empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    missing = printed(*args, "--out", tmp_path / "a")
    said = missing.err.replace("\n", "").replace(" ", "")
    assert missing.code != 0 and "找不到外部程序soffice" in said and "DOCX已生成" in said
    assert "apt-getinstalllibreoffice-writer-nogui" in said
    assert (tmp_path / "a" / "城关镇2026年度平安家庭命名决定.docx").exists()
    hanging = tmp_path / "bin-hang"
    hanging.mkdir()
    (hanging / "soffice").write_text("#!/bin/sh\nsleep 60\n", encoding="utf-8")
    (hanging / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", f"{hanging}:/usr/bin:/bin")
    monkeypatch.setenv("PINGAN_TOOL_TIMEOUT", "2")
    get_settings.cache_clear()
    hung = printed(*args, "--out", tmp_path / "b")
    said = hung.err.replace("\n", "").replace(" ", "")
    assert hung.code != 0 and "运行超过2秒未结束，已终止" in said and "DOCX已生成" in said
    assert (tmp_path / "b" / "城关镇2026年度平安家庭命名决定.docx").exists()


@pytest.mark.slow
def test_the_seal_block_never_leaves_the_last_body_line(tmp_path: Path) -> None:
    """However long the body, 附件说明, 署名 and date stay on the page of the last body line (no 空白印章)."""
    from service.documents.convert import to_pdf
    from service.documents.render import render_docx

    line = "各村（社区）要做好张榜公示和宣传工作，推动创建活动持续深入开展。"
    documents = [
        render_docx(
            "township-naming.docx",
            {**SAMPLE_PAYLOADS["township-naming.docx"], "body": [line] * count},
            tmp_path / f"body-{count:02d}.docx",
        )
        for count in range(4, 16)
    ]
    for pdf in to_pdf(documents, tmp_path / "pdf", 600):
        lines = text_lines(pdf)
        issuer = next(x for x in lines if x.text == "城关镇妇女联合会")
        date = next(x for x in lines if x.text == "2026年5月10日")
        note = next(x for x in lines if x.text.startswith("附件：花名册"))
        body = [x for x in lines if x.text.startswith("各村") or x.text.startswith("开展")]
        assert issuer.page == date.page == note.page == body[-1].page, pdf.name
        assert note.bottom <= issuer.top - 1.5 * LINE_MM, pdf.name  # the seal's space above the 署名
