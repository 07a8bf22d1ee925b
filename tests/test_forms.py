"""Printed forms: the PDF draws exactly the layout, the codes verify, the texts are the seed's, the fields fill."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from ocr.code import CodeError, SheetCode, decode, encode
from ocr.layout import FieldKind, FormLayout
from service.campaign.defaults import TEN_STANDARDS, CampaignRules
from service.cli import main
from service.db.models import Household, Sheet, SheetStatus, StoredLayout
from service.db.session import make_engine, session_scope
from service.forms.geometry import FIELD_INSET
from service.forms.layouts import build_layout, load_layout
from service.forms.score_layout import COLUMNS, ROW_H, ROW_TOP
from service.settings import get_settings
from tests.conftest import SAMPLES, CliResult, module_database
from tests.pdfgeometry import covered, read_pages, table_cells, texts_in

Cli = Callable[..., CliResult]
TOL = 0.2  # mm
APPLICATION_LABELS = [
    "户主姓名", "出生年月", "政治面貌", "职业", "家庭人数", "家庭住址", "联系电话",
    "家庭成员情况（姓名、年龄、家庭关系、工作单位/就读学校）", "姓名", "年龄", "家庭关系", "工作单位/就读学校",
    "依据“平安家庭”创评标准进行评分", "是否同意推荐该户创建为“平安家庭”",
    "村（社区）意见", "乡镇（街道）妇联意见", "乡镇（街道）审批意见", "（盖章）", "年月日",
    "公示名单中公布户主姓名",
]  # fmt: skip


@dataclass
class Printed:
    """The files of one print run shared by the tests of this module."""

    folder: Path
    key: bytes
    database_url: str
    data_dir: Path

    def pdf(self, pattern: str) -> Path:
        return next(p for p in sorted(self.folder.rglob("*.pdf")) if re.search(pattern, p.name))


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Printed]:
    """Print the sample village's sheets once: prefilled score and application forms, blank sheets, Word versions."""
    base = tmp_path_factory.mktemp("forms")
    out = base / "out"
    with pytest.MonkeyPatch.context() as patch, module_database() as url:
        patch.setenv("PINGAN_DATA_DIR", str(base / "data"))
        patch.setenv("PINGAN_ACTOR", "测试员")
        if url:
            patch.setenv("PINGAN_DATABASE_URL", url)
        get_settings.cache_clear()
        for args in (
            ["init", "--district", "清河区", "--district-code", "330199"],
            ["campaign", "new", "--year", "2026"],
            ["roster", "import", str(SAMPLES / "roster-2026.xlsx")],
            ["forms", "score", "--year", "2026", "--village", "南关村", "--out", str(out)],
            ["forms", "application", "--year", "2026", "--village", "南关村", "--out", str(out)],
            [
                "forms",
                "score",
                "--year",
                "2026",
                "--village",
                "南关村",
                "--blank",
                "3",
                "--out",
                str(out),
                "--workers",
                "1",
            ],
            [
                "forms",
                "application",
                "--year",
                "2026",
                "--village",
                "南关村",
                "--blank",
                "2",
                "--out",
                str(out / "blank"),
            ],
        ):
            assert main(args) == 0, args
        settings = get_settings()
        yield Printed(out, settings.signing_key(), settings.resolved_database_url, base / "data")
        get_settings.cache_clear()


def layout_of(printed: Printed, digest: str) -> FormLayout:
    engine = make_engine(printed.database_url)
    try:
        with session_scope(engine) as session:
            return load_layout(session, digest)
    finally:
        engine.dispose()


def codes_of(path: Path, key: bytes, pages: list[int] | None = None) -> list[SheetCode]:
    document = pypdfium2.PdfDocument(str(path))
    found = []
    for index in pages if pages is not None else range(len(document)):
        image = document[index].render(scale=200 / 72).to_pil()
        results = zxingcpp.read_barcodes(image)
        assert len(results) == 1, f"page {index + 1}: {len(results)} codes"
        found.append(decode(results[0].text, key))
    document.close()
    return found


@pytest.mark.parametrize("pattern", [r"评分表-2026-2026S", r"申报审批表-2026-2026A", r"评分表-2026-空白"])
def test_every_fiducial_bubble_and_box_is_where_the_layout_says(printed: Printed, pattern: str) -> None:
    path = printed.pdf(pattern)
    code = codes_of(path, printed.key, [0])[0]
    layout = layout_of(printed, code.layout_hash)
    drawings = read_pages(path, limit=len(layout.pages))
    for page in layout.pages:
        drawing = drawings[page.number - 1]
        for fid in page.fiducials:
            assert any(
                r.fill
                and abs(r.cx - fid.x) <= TOL
                and abs(r.cy - fid.y) <= TOL
                and abs((r.x1 - r.x0) - fid.size) <= TOL
                for r in drawing.rects
            ), f"fiducial {fid.corner}"
        for _, fld in [(page.number, f) for f in page.fields]:
            for bubble in fld.bubbles:
                assert any(
                    abs(c.cx - bubble.x) <= TOL
                    and abs(c.cy - bubble.y) <= TOL
                    and abs((c.x1 - c.x0) / 2 - bubble.r) <= TOL + 0.2
                    for c in drawing.curves
                ), f"{fld.name} bubble {bubble.value}"
            if fld.kind in (FieldKind.handwriting, FieldKind.seal):
                cell = fld.rect.inset(-FIELD_INSET) if fld.kind == FieldKind.handwriting else fld.rect
                edges = [
                    (cell.x, cell.y, cell.right, cell.y),
                    (cell.x, cell.bottom, cell.right, cell.bottom),
                    (cell.x, cell.y, cell.x, cell.bottom),
                    (cell.right, cell.y, cell.right, cell.bottom),
                ]
                for edge in edges:
                    if fld.kind == FieldKind.handwriting and fld.name.endswith("_date"):
                        continue  # date lines are boxed by the opinion block, not a full frame
                    assert covered(drawing.lines + drawing.rects, *edge, tol=TOL), f"{fld.name} edge {edge}"


def test_codes_on_every_page_verify_and_name_the_sheet(printed: Printed) -> None:
    score = printed.pdf(r"评分表-2026-2026S")
    codes = codes_of(score, printed.key)
    assert len(codes) == 38
    assert [c.serial for c in codes] == [f"2026S{n:06d}" for n in range(1, 39)]
    assert all(c.kind == "score" and c.year == 2026 and c.page == 1 and c.pages == 1 for c in codes)
    assert all(c.household and c.household.startswith("330199001001-") for c in codes)
    application = codes_of(printed.pdf(r"申报审批表-2026-2026A"), printed.key, [0, 1, 2, 3])
    assert [(c.serial, c.page, c.pages) for c in application] == [
        ("2026A000001", 1, 2), ("2026A000001", 2, 2), ("2026A000002", 1, 2), ("2026A000002", 2, 2),
    ]  # fmt: skip
    blank = codes_of(printed.pdf(r"评分表-2026-空白"), printed.key)
    assert [(c.serial, c.household) for c in blank] == [
        ("2026S000039", None),
        ("2026S000040", None),
        ("2026S000041", None),
    ]


def test_tampered_or_foreign_codes_fail() -> None:
    key = b"k" * 40
    code = SheetCode("score", 2026, "0123456789ABCDEF", "2026S000007", "330199001001-0007", 1, 1)
    payload = encode(code, key)
    assert decode(payload, key) == code
    with pytest.raises(CodeError, match="校验失败"):
        decode(payload.replace("-0007", "-0008"), key)
    with pytest.raises(CodeError, match="校验失败"):
        decode(payload, b"another installation's key!!!!!!!!")
    with pytest.raises(CodeError, match="不是本系统印制"):
        decode("https://example.org/something", key)


def test_score_sheet_text_is_the_seed_and_names_render(printed: Printed) -> None:
    pages = read_pages(printed.pdf(r"评分表-2026-2026S"), limit=5)
    first = re.sub(r"\s+", "", pages[0].text)
    assert "清河区2026年“平安家庭”创建评分表" in first
    for label in (
        "考核对象（户主姓名）",
        "家庭住址",
        "评审组打分",
        "评审组评定",
        "评审时间",
        "序号",
        "内容及分值",
        "评分标准",
        "考核得分",
        "考核扣分",
        "扣分原因",
    ):
        assert label in first, label
    path = printed.pdf(r"评分表-2026-2026S")
    (title_left, title_right), (criteria_left, criteria_right) = COLUMNS["title"], COLUMNS["criteria"]
    boxes = []
    for number in range(1, len(TEN_STANDARDS) + 1):
        top = ROW_TOP + (number - 1) * ROW_H
        boxes += [
            (title_left, top, title_right, top + ROW_H),
            (criteria_left, top, criteria_right, top + 12.0),
        ]
    found = texts_in(path, 1, boxes)
    for number, standard in enumerate(TEN_STANDARDS):
        assert found[2 * number] == f"{standard.title}（{standard.points}分）"
        assert found[2 * number + 1] == standard.criteria
    every = "".join(re.sub(r"\s+", "", p.text) for p in pages)
    assert "王堃" in every
    assert all(
        re.fullmatch(r"[A-Z]{6}\+(UMingCN|WenQuanYiZenHei)-\d+", font) for p in pages for font in p.fonts
    )
    assert all("+" in font for p in pages for font in p.fonts), "fonts must be embedded subsets"


def test_rare_name_characters_have_real_glyphs() -> None:
    from service.forms.fonts import missing_characters

    for role in ("sans", "serif"):
        assert missing_characters("堃喆昇珺", role) == []


def test_application_has_every_label_of_attachment_3(printed: Printed) -> None:
    pages = read_pages(printed.pdf(r"申报审批表-2026-2026A"))
    text = re.sub(r"\s+", "", pages[0].text + pages[1].text)
    assert "清河区2026年创建“平安家庭”申报审批表" in text
    for label in APPLICATION_LABELS:
        assert label in text, label
    for option in ("中共党员", "共青团员", "民主党派", "群众", "同意", "不同意"):
        assert option in text


def test_acroform_fields_have_the_right_names_and_options(printed: Printed) -> None:
    reader = PdfReader(printed.pdf(r"评分表-2026-空白"))
    fields = reader.get_fields() or {}
    serial = "2026S000039"
    score = fields[f"{serial}_item01_score"]
    assert score["/FT"] == "/Btn"
    assert sorted(score["/_States_"], key=lambda s: int(s[1:]) if s[1:].isdigit() else -1) == [
        f"/{v}" for v in range(11)
    ]
    assert fields[f"{serial}_group_verdict"]["/_States_"] == ["/pass", "/fail"]
    assert fields[f"{serial}_item07_reason"]["/FT"] == "/Tx"
    assert fields[f"{serial}_head_name"]["/FT"] == "/Tx"
    names = {name for name in fields if name.startswith(serial)}
    assert len(names) == 10 + 10 + 10 + 5 + 1  # scores, deductions, reasons, identity/group fields, verdict
    prefilled = PdfReader(printed.pdf(r"评分表-2026-2026S")).get_fields() or {}
    assert "2026S000001_head_name" not in prefilled  # printed, not editable
    assert "2026S000001_item10_score" in prefilled
    application = PdfReader(printed.pdf(r"申报审批表-2026-空白")).get_fields() or {}
    first = "2026A000039"
    assert application[f"{first}_political_status"]["/_States_"] == [
        "/party", "/probationary", "/league", "/democratic", "/nonparty", "/masses",
    ]  # fmt: skip
    assert application[f"{first}_family_size"]["/_States_"][-1] == "/10+"
    for block in ("village", "federation", "township"):
        assert application[f"{first}_{block}_decision"]["/_States_"] == ["/yes", "/no"]
        assert application[f"{first}_{block}_opinion"]["/FT"] == "/Tx"
        assert f"{first}_{block}_seal" not in application


def test_a_field_filled_on_screen_is_saved(printed: Printed, tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=printed.pdf(r"评分表-2026-空白"))
    writer.update_page_form_field_values(
        writer.pages[0], {"2026S000039_item03_reason": "邻里纠纷一次"}, auto_regenerate=False
    )
    target = tmp_path / "filled.pdf"
    writer.write(target)
    assert (PdfReader(target).get_fields() or {})["2026S000039_item03_reason"]["/V"] == "邻里纠纷一次"


def test_layouts_are_stored_and_reload_identically(printed: Printed) -> None:
    engine = make_engine(printed.database_url)
    with session_scope(engine) as session:
        stored = session.scalars(select(StoredLayout)).all()
        assert {s.kind for s in stored} == {"score", "application"}
        rules = CampaignRules.defaults(2026, "清河区")
        for kind in ("score", "application"):
            built = build_layout(kind, rules, 2026)  # type: ignore[arg-type]
            assert load_layout(session, built.layout_hash()) == built
            assert FormLayout.from_json(built.canonical_json()).layout_hash() == built.layout_hash()
    engine.dispose()


def test_register_and_database_record_every_serial(printed: Printed) -> None:
    registers = sorted(printed.folder.glob("南关村-评分表-2026-登记表-*.xlsx"))
    assert len(registers) == 2
    rows = list(openpyxl.load_workbook(registers[0]).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "表格编号", "表格", "年度")
    assert len(rows) == 1 + 38
    assert rows[1][1] == "2026S000001" and rows[1][7].startswith("330199001001-")
    groups = [r[6] for r in rows[1:]]
    assert groups == sorted(groups, key=lambda g: "一二三四五六七八九".index(g[1]))  # sorted by 村民小组
    engine = make_engine(printed.database_url)
    with session_scope(engine) as session:
        sheets = session.scalars(select(Sheet).where(Sheet.kind == "score")).all()
        assert len(sheets) == 41
        assert sum(1 for s in sheets if s.household_id is None) == 3
    engine.dispose()


def test_reprinting_supersedes_the_old_serial(initialised: Cli, session: Session, tmp_path: Path) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    assert (
        initialised(
            "forms", "score", "--year", "2026", "--village", "南关村", "--out", tmp_path, "--workers", "1"
        ).code
        == 0
    )
    again = initialised(
        "forms", "score", "--year", "2026", "--village", "南关村", "--out", tmp_path, "--workers", "1"
    )
    assert again.code == 0, again.err
    assert "38 个旧编号已作废" in again.out
    household = session.scalars(select(Household).where(Household.head_name == "王堃")).one()
    sheets = session.scalars(
        select(Sheet).where(Sheet.household_id == household.id).order_by(Sheet.number)
    ).all()
    assert [s.status for s in sheets] == [SheetStatus.superseded, SheetStatus.issued]
    assert sheets[0].superseded_by == sheets[1].serial
    assert len(list(tmp_path.glob("*.pdf"))) == 2


def test_household_with_missing_fields_prints_what_is_known(
    initialised: Cli, session: Session, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    book.active.append(["乡镇", "村", "户主姓名"])
    book.active.append(["石桥乡", "石桥村", "张三"])
    roster = tmp_path / "r.xlsx"
    book.save(roster)
    assert initialised("roster", "import", roster).code == 0
    result = initialised(
        "forms",
        "application",
        "--year",
        "2026",
        "--village",
        "石桥村",
        "--out",
        tmp_path / "o",
        "--workers",
        "1",
    )
    assert result.code == 0, result.err
    pdf = next((tmp_path / "o").glob("*.pdf"))
    text = read_pages(pdf)[0].text
    assert "张三" in text
    fields = PdfReader(pdf).get_fields() or {}
    serial = next(iter(fields)).split("_")[0]
    assert (
        f"{serial}_phone" in fields and f"{serial}_head_name" not in fields
    )  # unknown phone left to fill in


def test_bad_requests_are_refused_and_nothing_is_registered(
    initialised: Cli, session: Session, tmp_path: Path
) -> None:
    assert initialised("roster", "import", SAMPLES / "roster-2026.xlsx").code == 0
    unknown = initialised("forms", "score", "--year", "2026", "--village", "白云村", "--out", tmp_path)
    assert unknown.code == 4 and "没有名为“白云村”的村（社区）" in unknown.err
    no_year = initialised("forms", "score", "--year", "2030", "--village", "南关村", "--out", tmp_path)
    assert no_year.code == 4 and "2030 年度的创建活动尚未建立" in no_year.err
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    unwritable = initialised(
        "forms", "score", "--year", "2026", "--village", "南关村", "--out", blocker / "sub"
    )
    assert unwritable.code == 2 and "不可写" in unwritable.err
    household = session.scalars(select(Household).where(Household.head_name == "王堃")).one()
    household.head_name = "王\U0002c317"
    session.commit()
    glyph = initialised("forms", "score", "--year", "2026", "--township", "城关镇", "--out", tmp_path / "out")
    assert glyph.code == 2
    assert "U+2C317" in glyph.err and household.code in glyph.err
    assert session.scalars(select(Sheet)).first() is None
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True
    blank_township = initialised(
        "forms", "score", "--year", "2026", "--township", "城关镇", "--blank", "2", "--out", tmp_path
    )
    assert blank_township.code == 2 and "--village" in blank_township.err


@pytest.mark.slow
def test_word_versions_render_with_windows_fonts_and_convert(printed: Printed, tmp_path: Path) -> None:
    from docx import Document
    from docxtpl import DocxTemplate

    from service.docxutil import east_asia_font
    from service.forms.render_docx import form_template, sheet_context
    from service.forms.render_pdf import SheetPrint
    from service.tools.run import run_tool

    rules = CampaignRules.defaults(2026, "清河区")
    standards = [
        {"number": i, "title": s.title, "points": s.points, "criteria": s.criteria}
        for i, s in enumerate(rules.standards, 1)
    ]
    for kind in ("score", "application"):
        layout = build_layout(kind, rules, 2026)  # type: ignore[arg-type]
        template = DocxTemplate(str(form_template(kind)))
        payload = sheet_context(layout, SheetPrint("2026S000001", "X-0001", {"head_name": "王堃"}), standards)
        assert template.get_undeclared_template_variables(context=payload) == set()
    out = tmp_path / "docx"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PINGAN_DATA_DIR", str(printed.data_dir))
        patch.setenv("PINGAN_DATABASE_URL", printed.database_url)
        get_settings.cache_clear()
        assert (
            main(
                [
                    "forms",
                    "score",
                    "--year",
                    "2026",
                    "--village",
                    "南关村",
                    "--out",
                    str(out),
                    "--format",
                    "docx",
                    "--workers",
                    "1",
                ]
            )
            == 0
        )
        assert (
            main(
                [
                    "forms",
                    "application",
                    "--year",
                    "2026",
                    "--village",
                    "南关村",
                    "--out",
                    str(out),
                    "--format",
                    "docx",
                    "--workers",
                    "1",
                ]
            )
            == 0
        )
        key = get_settings().signing_key()
    get_settings.cache_clear()
    files = sorted(out.rglob("*.docx"))
    assert len(files) == 76
    score_doc = next(f for f in files if "评分表" in str(f.parent) and "王堃" in f.name)
    app_doc = next(f for f in files if "申报审批表" in str(f.parent) and "王堃" in f.name)
    document = Document(str(score_doc))
    code = decode(document.core_properties.identifier, key)
    assert code.kind == "score" and code.household and score_doc.name.startswith(code.serial)
    assert east_asia_font(document.paragraphs[0].runs[0]) == "方正小标宋简体"
    styles = document.styles.element.xml
    assert 'w:eastAsia="仿宋_GB2312"' in styles and 'w:eastAsia="zh-CN"' in styles
    convert = tmp_path / "pdf"
    run_tool(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", convert, score_doc, app_doc],
        timeout=180,
        env={"HOME": str(tmp_path)},
    )
    score_cells = table_cells(convert / (score_doc.stem + ".pdf"))
    for standard in TEN_STANDARDS:
        assert f"{standard.title}（{standard.points}分）" in score_cells
        assert standard.criteria in score_cells
    assert "王堃" in score_cells
    app_pages = read_pages(convert / (app_doc.stem + ".pdf"))
    app_text = "".join(table_cells(convert / (app_doc.stem + ".pdf"))) + re.sub(
        r"\s+", "", "".join(p.text for p in app_pages)
    )
    for label in APPLICATION_LABELS:
        assert label in app_text, label


def test_campaign_text_with_a_character_outside_the_font_is_refused() -> None:
    from service.campaign.defaults import StandardText
    from service.forms.geometry import LayoutError

    rules = CampaignRules.defaults(2026, "清河区")
    odd = rules.model_copy(
        update={"standards": [StandardText(title="家庭\U0002c317好", criteria="无"), *rules.standards[1:]]}
    )
    with pytest.raises(LayoutError, match="U\\+2C317"):
        build_layout("score", odd, 2026)
