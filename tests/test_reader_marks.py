"""Each reading and each review reason, produced on purpose on a real rendered sheet."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from ocr.engines import RapidEngine, TesseractEngine, TextEngine
from ocr.intake import PageImage, looks_greyscale
from ocr.layout import FormLayout, PageLayout
from ocr.reader import Reader
from ocr.reading import FieldStatus, PageReading, Reason
from service.campaign.defaults import CampaignRules
from service.forms.layouts import build_layout
from service.forms.render_pdf import SheetPrint, render_sheets

KEY = b"marks-test-key-0123456789abcdefghijk"
DPI = 200.0
UKAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"


def px(mm: float) -> float:
    return mm * DPI / 25.4


class Sheet:
    """A rendered page to draw marks on, as a person would."""

    def __init__(self, layout: FormLayout, pdf: Path, index: int) -> None:
        self.layout = layout
        self.page: PageLayout = layout.pages[index % len(layout.pages)]
        document = pypdfium2.PdfDocument(str(pdf))
        self.image = document[index].render(scale=DPI / 72).to_pil().convert("RGB")
        document.close()
        self.draw = ImageDraw.Draw(self.image)

    def bubble(self, field: str, value: str, darkness: float = 0.92) -> None:
        b = next(b for b in self.page.field(field).bubbles if b.value == value)
        level = int(255 * (1 - darkness))
        r = px(b.r) * 0.9
        self.draw.ellipse((px(b.x) - r, px(b.y) - r, px(b.x) + r, px(b.y) + r), fill=(level, level, level))

    def tick(self, field: str, value: str) -> None:
        b = next(b for b in self.page.field(field).bubbles if b.value == value)
        x, y, r = px(b.x), px(b.y), px(b.r)
        self.draw.line(
            [(x - r * 0.8, y), (x - r * 0.2, y + r * 0.7), (x + r * 0.9, y - r * 0.9)],
            fill=(10, 10, 10),
            width=5,
        )

    def write(self, field: str, text: str, colour: tuple[int, int, int] = (20, 30, 120)) -> None:
        rect = self.page.field(field).rect
        font = ImageFont.truetype(UKAI, int(px(4.0)))
        self.draw.text((px(rect.x + 1.5), px(rect.y + 1.0)), text, font=font, fill=colour)

    def seal(self, field: str, colour: tuple[int, int, int] = (215, 40, 50)) -> None:
        rect = self.page.field(field).rect
        cx, cy, r = px(rect.x + rect.w / 2), px(rect.y + rect.h / 2), px(20)
        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=int(px(1.2)))
        self.draw.regular_polygon((cx, cy, px(6)), 5, fill=colour)

    def clump(self, x_mm: float, y_mm: float, rx_mm: float, ry_mm: float, rng: np.random.Generator) -> None:
        """Drop a clump of toner dust, an ellipse of dark grains, centred on a point of the page."""
        pixels = np.asarray(self.image).copy()
        cx, cy, rx, ry = px(x_mm), px(y_mm), px(rx_mm), px(ry_mm)
        yy, xx = np.mgrid[int(cy - ry) : int(cy + ry), int(cx - rx) : int(cx + rx)]
        dots = (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0) & (rng.random(yy.shape) < 0.7)
        pixels[yy[dots], xx[dots]] = rng.integers(0, 80, size=(int(dots.sum()), 1), dtype=np.uint8)
        self.image = Image.fromarray(pixels)
        self.draw = ImageDraw.Draw(self.image)

    def skew(self, degrees: float) -> None:
        """Lay the page a little crooked on the scanner's glass."""
        self.image = self.image.rotate(degrees, Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
        self.draw = ImageDraw.Draw(self.image)

    def bed(self, side: str, depth_mm: float, level: int = 30) -> None:
        """Let the scanner's dark bed cover ``depth_mm`` of the scan along one side (the page lay off the glass)."""
        w, h, d = self.image.width, self.image.height, px(depth_mm)
        box = {
            "top": (0, 0, w, d),
            "bottom": (0, h - d, w, h),
            "left": (0, 0, d, h),
            "right": (w - d, 0, w, h),
        }
        self.draw.rectangle(box[side], fill=(level, level, level))

    def photograph(self, moves_mm: list[tuple[float, float]]) -> None:
        """Take the page with a phone held a little askew: its corners (TL, TR, BR, BL) moved, a desk around it."""
        w, h = self.image.width, self.image.height
        source = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        target = source + np.float32([[px(dx), px(dy)] for dx, dy in moves_mm])
        matrix = cv2.getPerspectiveTransform(source, target)
        pixels = cv2.warpPerspective(np.asarray(self.image), matrix, (w, h), borderValue=(120, 100, 80))
        self.image = Image.fromarray(pixels)
        self.draw = ImageDraw.Draw(self.image)

    def read(self, reader: Reader, grey: bool = False) -> PageReading:
        image = self.image.convert("L") if grey else self.image
        pixels = np.ascontiguousarray(np.asarray(image))
        return reader.read_page(PageImage("test.png", 0, pixels, DPI, looks_greyscale(pixels)))


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[FormLayout, Path]]:
    folder = tmp_path_factory.mktemp("marks")
    rules = CampaignRules.defaults(2026, "清河区")
    result = {}
    for kind, serial in (("score", "2026S000011"), ("application", "2026A000011")):
        layout = build_layout(kind, rules, 2026)  # type: ignore[arg-type]
        path = folder / f"{kind}.pdf"
        render_sheets(
            layout,
            [SheetPrint(serial, "330199001001-0005", {"head_name": "王堃", "sheet_info": serial})],
            path,
            KEY,
        )
        result[kind] = (layout, path)
    return result


def reader_for(layout: FormLayout, engine: TextEngine | None = None, name: str = "王堃") -> Reader:
    return Reader(
        KEY, {layout.layout_hash(): layout}.get, engine=engine, prefill=lambda identity: {"head_name": name}
    )


def assert_accepted(reading: PageReading, values: Mapping[str, str | bool]) -> None:
    """Every named field reads its value and needs no person."""
    for name, value in values.items():
        field = reading.field(name)
        assert (field.value, field.status) == (value, FieldStatus.accepted), (name, field.measures)


def test_every_bubble_reading_on_purpose(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    sheet.bubble("item01_score", "9")  # a clear fill
    # item02 left blank
    sheet.bubble("item03_score", "7")
    sheet.bubble("item03_score", "8")  # two marks
    sheet.bubble("item04_score", "6", darkness=0.24)  # too light to trust
    sheet.bubble("item05_score", "10")
    sheet.bubble("item05_score", "9", darkness=0.12)  # rubbed out, new mark beside it
    sheet.tick("item06_score", "8")  # a tick counts
    sheet.bubble("item07_score", "10", darkness=0.12)  # erased, nothing new
    sheet.bubble("group_verdict", "pass")
    reading = sheet.read(reader_for(layout))
    assert reading.ok, reading.error
    expect: dict[str, tuple[str | None, FieldStatus, Reason | None]] = {
        "item01_score": ("9", FieldStatus.accepted, None),
        "item02_score": (None, FieldStatus.review, Reason.blank),
        "item03_score": (None, FieldStatus.review, Reason.double_mark),
        "item04_score": ("6", FieldStatus.review, Reason.weak_mark),
        "item05_score": ("10", FieldStatus.review, Reason.erased_mark),
        "item06_score": ("8", FieldStatus.accepted, None),
        "item07_score": (None, FieldStatus.review, Reason.erased_mark),
        "group_verdict": ("pass", FieldStatus.accepted, None),
    }
    for name, (value, status, reason) in expect.items():
        field = reading.field(name)
        assert (field.value, field.status, field.reason) == (value, status, reason), (name, field.measures)
    assert reading.field("item01_score").confidence > 0.8
    assert reading.field("item02_score").reason and reading.field("item02_score").reason.label == "未填涂"


def test_handwriting_is_seen_and_cropped(forms: dict[str, tuple[FormLayout, Path]], tmp_path: Path) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    sheet.write("item03_reason", "邻里纠纷")
    sheet.write("item05_deduction", "1", colour=(90, 90, 90))  # a light pencil digit
    sheet.bubble("item03_score", "8")
    reader = Reader(
        KEY, {layout.layout_hash(): layout}.get, crops=tmp_path / "crops", debug=tmp_path / "debug"
    )
    reading = sheet.read(reader)
    assert reading.field("item03_reason").value is True
    assert reading.field("item05_deduction").value is True
    assert reading.field("item04_reason").value is False
    crop = reading.field("item03_reason").crop
    assert crop and Path(crop).exists() and Image.open(crop).size[0] > 200
    assert (tmp_path / "debug" / "2026S000011-p1.png").exists()


def test_seals_in_colour_and_in_grey(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    layout, pdf = forms["application"]
    sheet = Sheet(layout, pdf, 1)
    sheet.seal("village_seal")
    sheet.seal("federation_seal", colour=(240, 170, 170))  # a faint pink impression
    sheet.bubble("village_decision", "yes")
    colour = sheet.read(reader_for(layout))
    assert colour.ok and not colour.greyscale
    assert colour.field("village_seal").value is True and colour.field("federation_seal").value is True
    assert colour.field("township_seal").value is False
    grey = sheet.read(reader_for(layout), grey=True)
    assert grey.greyscale
    assert (grey.field("village_seal").status, grey.field("village_seal").reason) == (
        FieldStatus.review,
        Reason.greyscale_seal,
    )
    assert grey.field("township_seal").value is False


@pytest.mark.parametrize("engine_class", [RapidEngine, TesseractEngine])
def test_printed_name_is_read_back_with_both_engines(
    forms: dict[str, tuple[FormLayout, Path]], engine_class: Callable[[], TextEngine]
) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    engine = engine_class()
    same = sheet.read(reader_for(layout, engine))
    name = same.field("head_name")
    assert name.kind == "printed" and name.value == "王堃"
    if engine.name.startswith("rapidocr"):
        assert (name.suggestion, name.status) == ("王堃", FieldStatus.accepted)
    other = sheet.read(reader_for(layout, engine, name="李秀英")).field("head_name")
    assert (other.status, other.reason) == (FieldStatus.review, Reason.name_mismatch)
    assert "李秀英" in (other.detail or "")


def test_too_little_ink_or_red_to_call_goes_to_review(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    rect = sheet.page.field("item05_reason").rect
    x, y, r = px(rect.x + rect.w / 2), px(rect.y + rect.h / 2), px(0.30)
    sheet.draw.ellipse((x - r, y - r, x + r, y + r), fill=(30, 30, 30))  # a speck: a dot of a pen, or dirt
    speck = sheet.read(reader_for(layout)).field("item05_reason")
    assert (speck.value, speck.status, speck.reason) == (None, FieldStatus.review, Reason.uncertain_ink), (
        speck.measures
    )
    app_layout, app_pdf = forms["application"]
    page2 = Sheet(app_layout, app_pdf, 1)
    seal = page2.page.field("village_seal").rect
    x, y, r = px(seal.x + seal.w / 2), px(seal.y + seal.h / 2), px(1.9)
    page2.draw.ellipse((x - r, y - r, x + r, y + r), fill=(215, 40, 50))  # a smudge of red, not a seal
    smudge = page2.read(reader_for(app_layout)).field("village_seal")
    assert (smudge.value, smudge.status, smudge.reason) == (
        None,
        FieldStatus.review,
        Reason.uncertain_seal,
    ), smudge.measures


def _toner_band(sheet: Sheet, x_mm: float, width_mm: float, seed: int) -> None:
    """Lay a dirty drum's band of toner dust down the whole page (the paper-feed direction)."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(sheet.image).copy()
    x0, x1 = int(px(x_mm)), int(px(x_mm + width_mm))
    band = pixels[:, x0:x1]
    dust = rng.random(band.shape[:2]) < 0.35
    band[dust] = rng.integers(0, 90, size=(int(dust.sum()), 1), dtype=np.uint8)
    sheet.image = Image.fromarray(pixels)
    sheet.draw = ImageDraw.Draw(sheet.image)


def test_a_toner_streak_over_blank_boxes_is_not_read_as_writing(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    column = sheet.page.field("item02_deduction").rect
    _toner_band(sheet, column.x + 3, 4.0, seed=1)
    sheet.write("item03_reason", "邻里纠纷")
    reading = sheet.read(reader_for(layout))
    assert reading.ok, reading.error
    for number in range(1, 11):
        field = reading.field(f"item{number:02d}_deduction")
        assert field.status == FieldStatus.review and field.reason in (
            Reason.streaked,
            Reason.uncertain_ink,
        ), (
            number,
            field.measures,
        )
    assert reading.field("item02_deduction").reason == Reason.streaked
    assert reading.field("item02_deduction").reason.label.startswith("扫描件有条纹")  # type: ignore[union-attr]
    assert reading.field("item03_reason").value is True  # writing away from the streak still counts


def test_a_pale_hand_is_never_taken_for_a_blank(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    sheet.write("item04_reason", "环境卫生差", colour=(205, 205, 210))  # a pale ballpoint, faded print run
    field = sheet.read(reader_for(layout)).field("item04_reason")
    assert field.value is not False and field.status in (FieldStatus.review, FieldStatus.accepted), (
        field.measures
    )


def test_writing_in_the_margin_is_not_a_streak(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    sheet.write("item03_reason", "邻里纠纷")
    font = ImageFont.truetype(UKAI, int(px(5.0)))
    sheet.draw.text((px(170), px(286)), "已核", font=font, fill=(20, 30, 120))  # a note below the table
    reading = sheet.read(reader_for(layout))
    assert (
        reading.field("item03_reason").value is True
        and reading.field("item03_reason").status == FieldStatus.accepted
    )


def test_a_seal_washed_out_to_pale_pink_is_not_read_as_no_seal(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["application"]
    sheet = Sheet(layout, pdf, 1)
    # pink paper (a tinted sheet) must not look like a seal; a seal faded almost to the paper must
    tint = np.asarray(sheet.image).astype(np.float32) * np.array([1.0, 0.95, 0.94], dtype=np.float32)
    sheet.image = Image.fromarray(tint.astype(np.uint8))
    sheet.draw = ImageDraw.Draw(sheet.image)
    sheet.seal("village_seal", colour=(246, 226, 227))
    sheet.bubble("village_decision", "yes")
    reading = sheet.read(reader_for(layout))
    faded = reading.field("village_seal")
    assert (faded.value, faded.status, faded.reason) == (None, FieldStatus.review, Reason.uncertain_seal), (
        faded.measures
    )
    assert faded.measures["red"] < 0.002  # too pale for the seal-red test: only the faint level sees it
    empty = reading.field("township_seal")
    assert (empty.value, empty.status) == (False, FieldStatus.accepted), empty.measures


def _dust_trail(sheet: Sheet, top_x_mm: float, bottom_x_mm: float, ys_mm: list[float], seed: int) -> None:
    """Lay a dirty drum's trail of toner clumps down the page, slanting as it does on a skewed scan."""
    rng = np.random.default_rng(seed)
    for y_mm in ys_mm:
        sheet.clump(top_x_mm + (bottom_x_mm - top_x_mm) * y_mm / 297.0, y_mm, 0.78, 1.3, rng)


def test_a_sparse_slanting_trail_of_toner_over_blank_boxes_is_not_read_as_writing(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["application"]
    sheet = Sheet(layout, pdf, 0)
    # clumps every 20 mm or so, drifting 3 mm across the page; few land on open paper
    ys = [14.0, 33.0, 140.0, 149.0, 158.0, 248.0, 262.0, 271.0, 285.0]
    _dust_trail(sheet, 82.0, 85.0, ys, seed=3)
    reading = sheet.read(reader_for(layout))
    assert reading.ok, reading.error
    for name in ("member5_relation", "member6_relation", "member7_relation"):
        field = reading.field(name)
        assert field.value is not True and field.status == FieldStatus.review, (name, field.measures)


def test_uneven_light_along_one_side_is_not_a_streak(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    layout, pdf = forms["application"]
    sheet = Sheet(layout, pdf, 0)
    pixels = np.asarray(sheet.image).astype(np.float32)
    fade = np.clip(np.linspace(0.62, 1.25, pixels.shape[1]), None, 1.0)  # the left side in the lid's shadow
    sheet.image = Image.fromarray((pixels * fade[None, :, None]).astype(np.uint8))
    sheet.draw = ImageDraw.Draw(sheet.image)
    sheet.write("member1_name", "刘桂兰")
    field = sheet.read(reader_for(layout)).field("member1_name")
    assert (field.value, field.status) == (True, FieldStatus.accepted), field.measures


def test_a_box_on_paper_too_grainy_to_see_a_pale_hand_is_not_called_blank(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    rng = np.random.default_rng(5)
    pixels = np.asarray(sheet.image).astype(np.float32)
    mottle = cv2.GaussianBlur(rng.normal(0, 1, pixels.shape[:2]).astype(np.float32), (0, 0), 2.0)
    grainy = pixels - 30.0 * mottle[..., None] / mottle.std()  # recycled paper, a noisy sensor
    sheet.image = Image.fromarray(np.clip(grainy, 0, 255).astype(np.uint8))
    sheet.draw = ImageDraw.Draw(sheet.image)
    reading = sheet.read(reader_for(layout))
    field = reading.field("item04_reason")
    assert (field.value, field.status, field.reason) == (None, FieldStatus.review, Reason.uncertain_ink), (
        field.measures
    )
    assert field.measures["faint_level"] > 0.18 and "浅淡" in (field.detail or "")


def test_a_toner_streak_over_the_chosen_bubble_goes_to_review(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    chosen = next(b for b in sheet.page.field("item02_score").bubbles if b.value == "10")
    _toner_band(sheet, chosen.x - 2.0, 4.0, seed=2)
    sheet.bubble("item02_score", "10")
    sheet.bubble("group_verdict", "pass")
    reading = sheet.read(reader_for(layout))
    streaked = reading.field("item02_score")
    assert (streaked.status, streaked.reason) == (FieldStatus.review, Reason.streaked), streaked.measures
    assert reading.field("group_verdict").status == FieldStatus.accepted  # away from the band


def test_a_page_without_a_single_visible_mark_does_not_vouch_for_its_empty_boxes(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    """A black-and-white scan can drop a whole page's pencil: its empty-looking boxes go to a person."""
    layout, pdf = forms["application"]
    sheet = Sheet(layout, pdf, 1)
    sheet.seal("village_seal")
    lost = sheet.read(reader_for(layout))
    assert all(f.reason == Reason.blank for f in lost.fields if f.kind == "bubbles")
    assert lost.field("village_seal").value is True  # what is seen is still read
    for name in ("village_opinion", "township_seal"):
        empty = lost.field(name)
        assert (empty.value, empty.status) == (None, FieldStatus.review), name
        assert empty.detail and "没有看到填涂" in empty.detail
    sheet.bubble("township_decision", "no")
    marked = sheet.read(reader_for(layout))
    assert_accepted(marked, {"village_opinion": False, "township_seal": False})


def _clumps(sheet: Sheet, field: str, seed: int) -> None:
    """Drop two toner clumps, each as big as a small written digit, side by side in a box."""
    rect = sheet.page.field(field).rect
    rng = np.random.default_rng(seed)
    for dx in (-1.2, 1.2):
        sheet.clump(rect.x + rect.w / 2 + dx, rect.y + rect.h / 2, 0.5, 0.85, rng)


def test_small_marks_are_trusted_as_writing_only_on_a_page_without_streaks(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    """A dirty drum drops clumps of toner between its streaks; on such a page a digit-sized smudge is not writing."""
    layout, pdf = forms["application"]
    clean = Sheet(layout, pdf, 0)
    clean.bubble("family_size", "5")
    _clumps(clean, "member5_age", seed=4)
    age = clean.read(reader_for(layout)).field("member5_age")
    assert (age.value, age.status) == (True, FieldStatus.accepted), age.measures  # a clean page: a small "11"
    dirty = Sheet(layout, pdf, 0)
    dirty.bubble("family_size", "5")
    _clumps(dirty, "member5_age", seed=4)
    _dust_trail(dirty, 118.0, 121.0, [14.0, 40.0, 90.0, 180.0, 200.0, 250.0, 262.0, 285.0], seed=3)
    dirty.write("member1_name", "刘桂兰")
    dirty.write("member1_age", "45")
    reading = dirty.read(reader_for(layout))
    age = reading.field("member5_age")
    assert (age.value, age.status, age.reason) == (None, FieldStatus.review, Reason.streaked), age.measures
    assert age.measures["longest_mm"] < 2.0 and "墨粉" in (age.detail or "")
    assert_accepted(reading, {"member1_name": True, "member1_age": True})  # real writing beside the streak


def test_a_scan_so_bright_that_the_printed_text_fades_does_not_vouch_for_empty_boxes(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    """Thin strokes fade first: when the form's own text is nearly white, a light hand may be gone."""
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    for item in range(1, 11):
        sheet.bubble(f"item{item:02d}_score", "10")
    sheet.bubble("group_verdict", "pass")
    sheet.write("item05_deduction", "1", colour=(120, 120, 120))  # a light pencil digit
    fair = sheet.read(reader_for(layout))
    assert (fair.field("item04_reason").value, fair.field("item04_reason").status) == (
        False,
        FieldStatus.accepted,
    )
    # far too bright: solid black and firm fills survive, grey and thin strokes go towards white
    pixels = np.asarray(sheet.image).astype(np.float32) / 255.0
    sheet.image = Image.fromarray((255.0 * np.power(pixels, 0.12)).astype(np.uint8))
    faded = sheet.read(reader_for(layout))
    assert faded.ok, faded.error
    assert faded.field("item01_score").value == "10"  # what is seen is still read
    for name in ("item04_reason", "item05_deduction"):
        field = faded.field(name)
        assert (field.value, field.status, field.reason) == (
            None,
            FieldStatus.review,
            Reason.uncertain_ink,
        ), (
            name,
            field.measures,
        )
    assert "印刷字迹很淡" in (faded.field("item04_reason").detail or "")


def test_a_code_under_a_streak_of_toner_dust_is_still_read(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    """A dirty drum's band of dust across the QR code: the dust is filtered out before giving up."""
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    code = sheet.page.code
    rng = np.random.default_rng(1)
    pixels = np.asarray(sheet.image).copy()
    band = pixels[:, int(px(code.x + code.w / 2 - 3.0)) : int(px(code.x + code.w / 2 + 3.0))]
    grains = rng.random(band.shape[:2]) < 0.4
    band[grains] = rng.integers(0, 90, size=(int(grains.sum()), 1), dtype=np.uint8)
    sheet.image = Image.fromarray(pixels)
    grey_page = np.asarray(sheet.image.convert("L"))
    assert not zxingcpp.read_barcodes(grey_page, formats=zxingcpp.BarcodeFormat.QRCode)  # the plain way fails
    reading = sheet.read(reader_for(layout))
    assert reading.ok, reading.error
    assert reading.identity is not None and reading.identity.serial == "2026S000011"


def test_a_page_whose_bottom_fiducials_lie_under_the_bed_is_aligned_by_its_table(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    sheet.bubble("item01_score", "9")
    sheet.bubble("item10_score", "10")
    sheet.bubble("group_verdict", "pass")
    sheet.write("group_signatures", "张敏 李华")
    sheet.skew(0.5)
    sheet.bed("bottom", 15.0)  # both bottom squares (284–290 mm down the page) are gone, the boxes above stay
    reading = sheet.read(reader_for(layout))
    assert reading.ok, reading.error
    assert reading.fiducials_found == 2 and reading.fit_error_mm is not None and reading.fit_error_mm < 1.0
    assert_accepted(reading, {"item01_score": "9", "item10_score": "10", "group_verdict": "pass"})
    signatures = reading.field("group_signatures")
    assert (signatures.value, signatures.status) == (True, FieldStatus.accepted), signatures.measures
    assert reading.field("item02_score").reason == Reason.blank


def test_a_box_the_scan_did_not_reach_is_never_called_empty(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    sheet.bubble("item01_score", "9")
    sheet.bubble("item10_score", "10")
    sheet.skew(-1.0)
    sheet.bed("bottom", 19.0)  # the bed reaches into the group's signature box (274–280 mm)
    reading = sheet.read(reader_for(layout))
    assert reading.ok, reading.error
    signatures = reading.field("group_signatures")
    assert (signatures.value, signatures.status, signatures.reason) == (
        None,
        FieldStatus.review,
        Reason.outside_scan,
    )
    assert reading.field("item10_score").value == "10"


def test_a_page_with_one_fiducial_left_is_not_guessed(forms: dict[str, tuple[FormLayout, Path]]) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    sheet.bubble("item01_score", "9")
    sheet.bed("bottom", 15.5)
    sheet.bed("left", 15.5)
    reading = sheet.read(reader_for(layout))
    assert not reading.ok and reading.error and "只找到 1 个角上的定位方块" in reading.error, reading.error
    assert reading.hint and "不要裁掉页边" in reading.hint


def test_a_phone_photo_that_lost_a_fiducial_is_held_by_its_table(
    forms: dict[str, tuple[FormLayout, Path]],
) -> None:
    layout, pdf = forms["score"]
    sheet = Sheet(layout, pdf, 0)
    marked = {"item01_score": "9", "item05_score": "8", "item10_score": "10", "group_verdict": "pass"}
    for name, value in marked.items():
        sheet.bubble(name, value)
    sheet.draw.rectangle((0, px(277), px(22), px(297)), fill=(255, 255, 255))  # the corner torn off
    sheet.photograph([(6.0, 5.0), (-3.0, 8.0), (-7.0, -4.0), (2.0, -9.0)])
    reading = sheet.read(reader_for(layout))
    assert reading.ok, reading.error
    assert reading.fiducials_found == 3
    assert_accepted(reading, marked)
    assert reading.field("item02_score").reason == Reason.blank
