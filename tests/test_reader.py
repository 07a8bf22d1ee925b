"""The reader on real rendered pages: identity, orientation, rejection of what is not ours, digital returns."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from ocr.code import SheetCode, encode
from ocr.intake import PageImage, iter_pages
from ocr.layout import FormLayout
from ocr.reader import Reader
from ocr.reading import FieldStatus, Reason, assemble
from service.campaign.defaults import CampaignRules
from service.forms.layouts import build_layout
from service.forms.render_pdf import SheetPrint, render_sheets
from tests.pdfgeometry import render_page

KEY = b"test-installation-key-0123456789abcdef"


@dataclass
class Printed:
    layouts: dict[str, FormLayout]
    score_pdf: Path
    application_pdf: Path
    folder: Path

    def reader(self, **kwargs: object) -> Reader:
        return Reader(KEY, self.layouts.get, **kwargs)  # type: ignore[arg-type]

    def page_image(self, pdf: Path, index: int = 0, dpi: float = 200) -> Image.Image:
        return render_page(pdf, index, dpi)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Printed]:
    folder = tmp_path_factory.mktemp("reader")
    rules = CampaignRules.defaults(2026, "清河区")
    layouts = {}
    for kind, serial in (("score", "2026S000001"), ("application", "2026A000001")):
        layout = build_layout(kind, rules, 2026)  # type: ignore[arg-type]
        layouts[layout.layout_hash()] = layout
        sheets = [
            SheetPrint(serial, "330199001001-0005", {"head_name": "王堃", "sheet_info": f"编号 {serial}"}),
            SheetPrint(serial[:-1] + "2", None, {}),
        ]
        render_sheets(layout, sheets, folder / f"{kind}.pdf", KEY)
    yield Printed(layouts, folder / "score.pdf", folder / "application.pdf", folder)


def save(image: Image.Image, path: Path, **options: object) -> Path:
    image.save(path, **options)
    return path


def read_one(printed: Printed, path: Path) -> list:
    return list(printed.reader().read_file(path))


def test_clean_page_identity_and_blank_fields(printed: Printed, tmp_path: Path) -> None:
    pages = read_one(printed, save(printed.page_image(printed.score_pdf), tmp_path / "scan.png"))
    assert len(pages) == 1 and pages[0].ok, pages[0].error
    page = pages[0]
    assert page.identity and (page.identity.serial, page.identity.household, page.identity.page) == (
        "2026S000001",
        "330199001001-0005",
        1,
    )
    assert page.fiducials_found == 4 and page.fit_error_mm is not None and page.fit_error_mm < 0.6
    score = page.field("item01_score")
    assert (score.value, score.status, score.reason) == (None, FieldStatus.review, Reason.blank)
    # nothing marked anywhere: the empty boxes are not vouched for either (see test_reader_marks)
    reason = page.field("item01_reason")
    assert (reason.value, reason.status, reason.reason) == (None, FieldStatus.review, Reason.uncertain_ink)


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_pages_turned_any_way_are_read(printed: Printed, tmp_path: Path, angle: int) -> None:
    image = printed.page_image(printed.score_pdf).rotate(angle, expand=True)
    page = read_one(printed, save(image, tmp_path / "turned.jpg", quality=85))[0]
    assert page.ok, page.error
    assert page.rotation == (360 - angle) % 360 or page.rotation == angle


def test_application_pages_assemble_by_serial(printed: Printed, tmp_path: Path) -> None:
    frames = [printed.page_image(printed.application_pdf, i).convert("L") for i in (1, 0, 3)]
    tiff = tmp_path / "batch.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], compression="tiff_deflate")
    pages = list(printed.reader().read_file(tiff))
    assert all(p.ok for p in pages), [p.error for p in pages]
    assert [p.greyscale for p in pages] == [True, True, True]
    forms = {f.serial: f for f in assemble(pages)}
    assert forms["2026A000001"].complete and [p.identity.page for p in forms["2026A000001"].pages] == [1, 2]
    assert forms["2026A000002"].missing_pages == [1]
    seal = forms["2026A000001"].fields()["village_seal"]
    assert (seal.value, seal.status) == (None, FieldStatus.review)  # an unfilled sheet vouches for nothing


def test_forged_code_is_rejected(printed: Printed, tmp_path: Path) -> None:
    layout_hash = next(h for h, layout in printed.layouts.items() if layout.kind == "score")
    forged = encode(
        SheetCode("score", 2026, layout_hash, "2026S000001", "330199001001-0009", 1, 1),
        b"somebody else's key 0123456789abc",
    )
    image = printed.page_image(printed.score_pdf)
    import segno

    matrix = np.array(segno.make(forged, error="m").matrix, dtype=np.uint8)
    qr = (
        Image.fromarray(np.where(matrix > 0, 0, 255).astype(np.uint8))
        .convert("RGB")
        .resize((173, 173), Image.NEAREST)
    )
    image.paste(qr, (1354, 110))
    page = read_one(printed, save(image, tmp_path / "forged.png"))[0]
    assert not page.ok and "校验失败" in (page.error or "")


def test_sheet_of_another_installation_is_rejected(printed: Printed, tmp_path: Path) -> None:
    foreign = Reader(b"another installation's secret key!!", printed.layouts.get)
    page = next(iter(foreign.read_file(save(printed.page_image(printed.score_pdf), tmp_path / "s.png"))))
    assert not page.ok and "另一套系统" in (page.error or "")


def test_unknown_layout_is_not_guessed(printed: Printed, tmp_path: Path) -> None:
    reader = Reader(KEY, lambda digest: None)
    page = next(iter(reader.read_file(save(printed.page_image(printed.score_pdf), tmp_path / "s.png"))))
    assert not page.ok and "未在本系统登记" in (page.error or "")


def test_blank_page_and_photo_are_rejected(printed: Printed, tmp_path: Path) -> None:
    blank = read_one(printed, save(Image.new("RGB", (1654, 2339), "white"), tmp_path / "blank.png"))[0]
    assert not blank.ok and "没有找到表格二维码" in (blank.error or "")
    rng = np.random.default_rng(1)
    photo = Image.fromarray(rng.integers(0, 255, (2000, 1500, 3), dtype=np.uint8))
    ImageDraw.Draw(photo).ellipse((300, 300, 1200, 1200), fill=(200, 120, 40))
    page = read_one(printed, save(photo, tmp_path / "photo.jpg"))[0]
    assert not page.ok and page.hint


def test_bad_files_name_the_file_and_say_what_to_do(printed: Printed, tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.jpg"
    buffer = io.BytesIO()
    printed.page_image(printed.score_pdf).save(buffer, "JPEG", quality=85)
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter(clone_from=printed.score_pdf)
    writer.encrypt("1234")
    writer.write(locked)
    text = tmp_path / "notes.txt"
    text.write_text("not a scan")
    for path, fragment in (
        (empty, "0 字节"),
        (truncated, "不完整"),
        (locked, "密码"),
        (text, "不是可识读的扫描文件"),
    ):
        pages = read_one(printed, path)
        assert len(pages) == 1 and not pages[0].ok, path
        assert fragment in (pages[0].error or ""), (path, pages[0].error)
        assert pages[0].hint and pages[0].source == path.name


def test_a_bad_page_does_not_stop_the_others(printed: Printed, tmp_path: Path) -> None:
    good = printed.page_image(printed.score_pdf).convert("L")
    frames = [good, Image.new("L", good.size, 255), good]
    tiff = tmp_path / "mixed.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:])
    pages = read_one(printed, tiff)
    assert [p.ok for p in pages] == [True, False, True]
    assert pages[1].page_index == 1 and "第 2 页" in pages[1].where


def test_scanned_pdf_is_streamed_at_its_image_resolution(printed: Printed, tmp_path: Path) -> None:
    images = [printed.page_image(printed.score_pdf, i, dpi=150) for i in (0, 1)]
    scanned = tmp_path / "scanned.pdf"
    images[0].save(scanned, save_all=True, append_images=images[1:], resolution=150)
    pages = list(iter_pages(scanned))
    assert all(isinstance(p, PageImage) for p in pages)
    assert all(abs(p.dpi - 150) < 2 for p in pages if isinstance(p, PageImage))
    readings = read_one(printed, scanned)
    assert [r.ok for r in readings] == [True, True]


def test_digital_return_is_read_without_ocr(printed: Printed, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=printed.score_pdf)
    values = {f"2026S000002_item{n:02d}_score": f"/{10 - (n == 3)}" for n in range(1, 11)}
    values |= {
        "2026S000002_item03_reason": "邻里纠纷一次",
        "2026S000002_head_name": "赵珺",
        "2026S000002_group_verdict": "/pass",
    }
    writer.update_page_form_field_values(writer.pages[1], values, auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    writer.write(filled)
    assert (PdfReader(filled).get_fields() or {})["2026S000002_item03_score"]["/V"] == "/9"
    pages = read_one(printed, filled)
    page = pages[1]
    assert page.ok and page.digital
    assert page.field("item03_score").value == "9" and page.field("item03_score").confidence == 1.0
    assert page.field("item01_score").value == "10"
    assert page.field("item03_reason").value == "邻里纠纷一次"
    assert page.field("head_name").value == "赵珺"
    assert page.field("group_verdict").value == "pass"
    assert pages[0].digital and pages[0].field("item01_score").reason == Reason.blank


def test_decompression_bomb_and_oversized_images_are_refused(printed: Printed, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000), 1).save(bomb)  # a few KB on disk, 144 million pixels
    assert bomb.stat().st_size < 1_000_000
    pages = read_one(printed, bomb)
    assert len(pages) == 1 and not pages[0].ok
    assert "像素" in (pages[0].error or "") and pages[0].hint
