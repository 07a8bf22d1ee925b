"""The scan simulator: marks land where the ground truth says, scans are reproducible, codes still decode."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from bench.scansim import (
    BLANK,
    DOUBLE,
    SEALED,
    FieldFill,
    FormKind,
    Ink,
    Level,
    Mark,
    MarkStyle,
    ScanMeta,
    SheetFill,
    apply_scan,
    degrade,
    draw_fill,
    make_scans,
    random_fill,
    sample_scan,
    sheet_values,
)
from ocr.code import decode
from ocr.layout import FieldKind, FormLayout, Rect
from service.campaign.defaults import CampaignRules
from service.forms.layouts import build_layout
from service.forms.render_pdf import SheetPrint, render_sheets

DPI = 200.0
PX = DPI / 25.4
KEY = b"scansim-test-key" * 3


@dataclasses.dataclass
class Printed:
    layout: FormLayout
    values: dict[str, str]
    pages: list[Image.Image]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    """One clean, prefilled sheet of each kind, rendered at 200 dpi."""
    out: dict[str, Printed] = {}
    kinds: tuple[FormKind, ...] = ("score", "application")
    for kind in kinds:
        layout = build_layout(kind, CampaignRules.defaults(2026, "清河区"), 2026)
        serial, household = f"2026{kind[0].upper()}000001", "330199001001-0001"
        values = sheet_values(kind, 1, serial, household)
        path = tmp_path_factory.mktemp("scansim") / f"{kind}.pdf"
        render_sheets(layout, [SheetPrint(serial, household, values)], path, KEY, fillable=False)
        document = pypdfium2.PdfDocument(str(path))
        pages = [document[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(len(document))]
        document.close()
        out[kind] = Printed(layout, values, pages)
    return out


def darkness(image: Image.Image) -> npt.NDArray[np.float64]:
    return 1.0 - np.asarray(image.convert("L"), dtype=np.float64) / 255.0


def disc_mean(dark: npt.NDArray[np.float64], x: float, y: float, r: float) -> float:
    cx, cy, rr = x * PX, y * PX, r * PX
    x0, y0 = int(cx - rr - 2), int(cy - rr - 2)
    patch = dark[y0 : int(cy + rr + 3), x0 : int(cx + rr + 3)]
    ys, xs = np.mgrid[0 : patch.shape[0], 0 : patch.shape[1]]
    inside = np.hypot(xs + x0 + 0.5 - cx, ys + y0 + 0.5 - cy) <= rr
    return float(patch[inside].mean())


def in_rects(xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64], rects: list[Rect], pad: float) -> bool:
    ok = np.zeros(xs.shape, dtype=bool)
    for r in rects:
        ok |= (
            (xs + 0.5 >= (r.x - pad) * PX)
            & (xs + 0.5 <= (r.right + pad) * PX)
            & (ys + 0.5 >= (r.y - pad) * PX)
            & (ys + 0.5 <= (r.bottom + pad) * PX)
        )
    return bool(ok.all())


def every_style_fill(layout: FormLayout) -> SheetFill:
    """A score sheet with one style per item row, every bubble of the row marked that way."""
    fields = {}
    for index, style in enumerate(MarkStyle, start=1):
        name = f"item{index:02d}_score"
        marks = tuple(Mark(b.value, style) for b in layout.pages[0].field(name).bubbles[::2])
        fields[name] = FieldFill(name, FieldKind.bubbles, 1, None, marks)
    return SheetFill("score", "test", "blue", fields)


# expected readings ------------------------------------------------------------------------------


def test_expected_reading_counts_weak_marks_and_ignores_cancelled_ones() -> None:
    def group(*marks: tuple[str, MarkStyle]) -> FieldFill:
        return FieldFill("g", FieldKind.bubbles, 1, None, tuple(Mark(v, s) for v, s in marks))

    assert group().expected() == BLANK
    assert group(("3", MarkStyle.erased)).expected() == BLANK
    assert group(("3", MarkStyle.crossed_out)).expected() == BLANK
    assert group(("3", MarkStyle.erased), ("4", MarkStyle.solid)).expected() == "4"
    assert group(("3", MarkStyle.crossed_out), ("4", MarkStyle.solid)).expected() == "4"
    assert group(("9", MarkStyle.light_pencil)).expected() == "9"
    assert group(("9", MarkStyle.partial)).expected() == "9"
    assert group(("9", MarkStyle.tick)).expected() == "9"
    assert group(("9", MarkStyle.cross)).expected() == "9"
    assert group(("9", MarkStyle.solid), ("8", MarkStyle.solid)).expected() == DOUBLE
    assert group(("9", MarkStyle.tick), ("8", MarkStyle.light_pencil)).expected() == DOUBLE
    assert group(("9", MarkStyle.light_pencil)).weak()
    assert FieldFill("s", FieldKind.seal, 2, seal=0.5, seal_text="x").expected() == SEALED
    assert FieldFill("s", FieldKind.seal, 2).expected() == BLANK
    assert FieldFill("t", FieldKind.handwriting, 1, text="同意").expected() == "同意"
    assert FieldFill("t", FieldKind.handwriting, 1).expected() == BLANK


def test_random_fill_is_deterministic_and_follows_the_profiles(printed: dict[str, Printed]) -> None:
    score, application = printed["score"], printed["application"]
    first = random_fill(score.layout, np.random.default_rng(5), "realistic", score.values)
    assert first == random_fill(score.layout, np.random.default_rng(5), "realistic", score.values)
    assert "head_name" not in first.fields and "sheet_info" not in first.fields  # printed, not written

    for seed in range(20):
        tidy = random_fill(score.layout, np.random.default_rng(seed), "tidy", score.values)
        for name, fill in tidy.fields.items():
            if fill.kind == FieldKind.bubbles:
                assert fill.expected() == fill.intended and fill.styles() == {MarkStyle.solid}, name
        total = sum(int(tidy.field(f"item{i:02d}_score").expected()) for i in range(1, 11))
        assert tidy.field("group_total").text == str(total)
        assert tidy.field("group_verdict").expected() == ("pass" if total >= 90 else "fail")
        for i in range(1, 11):
            lost = tidy.field(f"item{i:02d}_score").expected() != "10"
            assert bool(tidy.field(f"item{i:02d}_reason").text) == lost

    groups = 0
    styles: set[MarkStyle] = set()
    readings: list[str] = []
    seals: list[float] = []
    for seed in range(200):
        sheet = random_fill(application.layout, np.random.default_rng(seed), "realistic", application.values)
        sheet_s = random_fill(score.layout, np.random.default_rng(seed), "realistic", score.values)
        for fill in [*sheet.fields.values(), *sheet_s.fields.values()]:
            if fill.kind == FieldKind.bubbles:
                groups += 1
                styles |= fill.styles()
                readings.append(fill.expected())
                assert fill.expected() in (BLANK, DOUBLE, fill.intended)  # a single reading is what was meant
                assert fill.intended is not None or fill.expected() == BLANK
            elif fill.kind == FieldKind.seal:
                seals.append(fill.seal)
    assert styles == set(MarkStyle)
    assert 0.005 < readings.count(BLANK) / groups < 0.05
    assert 0.002 < readings.count(DOUBLE) / groups < 0.03
    assert all(s == 0 or 0.4 <= s <= 1 for s in seals)
    assert 0.75 < np.mean([s > 0 for s in seals]) < 0.99


# drawing --------------------------------------------------------------------------------------


def test_draw_fill_darkens_exactly_the_marked_bubbles(printed: dict[str, Printed]) -> None:
    score = printed["score"]
    page = score.layout.pages[0]
    fills = [every_style_fill(score.layout)]
    fills += [
        random_fill(score.layout, np.random.default_rng(s), "realistic", score.values) for s in range(3)
    ]
    before = darkness(score.pages[0])
    minimum = {
        MarkStyle.solid: 0.35,
        MarkStyle.scribble: 0.3,
        MarkStyle.crossed_out: 0.35,
        MarkStyle.partial: 0.15,
        MarkStyle.light_pencil: 0.12,
        MarkStyle.tick: 0.06,
        MarkStyle.cross: 0.06,
        MarkStyle.erased: 0.03,
    }
    for seed, fill in enumerate(fills):
        after = darkness(draw_fill(score.pages[0], page, DPI, fill, np.random.default_rng(seed)))
        for name, group in fill.fields.items():
            if group.kind != FieldKind.bubbles:
                continue
            styles = {m.value: m.style for m in group.marks}
            for bubble in page.field(name).bubbles:
                change = disc_mean(after, bubble.x, bubble.y, bubble.r) - disc_mean(
                    before, bubble.x, bubble.y, bubble.r
                )
                if bubble.value in styles:
                    assert change >= minimum[styles[bubble.value]], (seed, name, bubble.value, change)
                else:
                    assert abs(change) < 0.005, (seed, name, bubble.value, change)


def test_light_marks_are_lighter_than_solid_ones(printed: dict[str, Printed]) -> None:
    score = printed["score"]
    page = score.layout.pages[0]
    fill = every_style_fill(score.layout)
    assert [f.marks[0].style for f in fill.fields.values()] == list(MarkStyle)  # row n: style n
    after = darkness(draw_fill(score.pages[0], page, DPI, fill, np.random.default_rng(1)))
    before = darkness(score.pages[0])

    def mean_change(row: int) -> float:
        bubbles = page.field(f"item{row:02d}_score").bubbles[::2]
        return float(
            np.mean([disc_mean(after, b.x, b.y, b.r) - disc_mean(before, b.x, b.y, b.r) for b in bubbles])
        )

    solid, pencil, partial, erased = mean_change(1), mean_change(5), mean_change(6), mean_change(7)
    assert solid > 0.6
    assert 0.18 < pencil < 0.45
    assert 0.25 < partial < solid
    assert 0.05 < erased < 0.25 and erased < pencil


def test_seals_are_red_and_stay_on_their_boxes(printed: dict[str, Printed]) -> None:
    application = printed["application"]
    page = application.layout.pages[1]
    boxes = {f.name: f.rect for f in page.fields if f.kind == FieldKind.seal}
    fields = {
        name: FieldFill(
            name,
            FieldKind.seal,
            2,
            seal=1.0 if name != "federation_seal" else 0.0,
            seal_text="清河区测试镇人民政府",
        )
        for name in boxes
    }
    image = draw_fill(
        application.pages[1],
        page,
        DPI,
        SheetFill("application", "t", "black", fields),
        np.random.default_rng(3),
    )
    rgb = np.asarray(image, dtype=np.int64)
    red = (rgb[:, :, 0] - rgb[:, :, 1] > 40) & (rgb[:, :, 0] - rgb[:, :, 2] > 30)
    ys, xs = np.nonzero(red)
    assert len(xs) > 2000
    pressed = [boxes["village_seal"], boxes["township_seal"]]
    assert in_rects(xs, ys, pressed, pad=4.0)
    for name, rect in boxes.items():
        inside = red[int(rect.y * PX) : int(rect.bottom * PX), int(rect.x * PX) : int(rect.right * PX)].sum()
        assert (inside > 1000) == (name != "federation_seal"), name
    # never at full opacity: printed black under the seal stays black, paper never turns pure seal red
    assert rgb[red][:, 1].min() > 20


def test_handwriting_stays_inside_its_boxes(printed: dict[str, Printed]) -> None:
    score = printed["score"]
    page = score.layout.pages[0]
    texts = {
        "group_total": "96",
        "review_date": "2026年5月12日",
        "item03_deduction": "扣2分",
        "item03_reason": "楼道堆放杂物，电动车楼道充电",
        "group_signatures": "王秀英  李建华  张国强",
    }
    fields = {n: FieldFill(n, FieldKind.handwriting, 1, text=t) for n, t in texts.items()}
    inks: tuple[Ink, ...] = ("black", "blue", "pencil")
    for ink in inks:
        fill = SheetFill("score", "t", ink, fields)
        after = darkness(draw_fill(score.pages[0], page, DPI, fill, np.random.default_rng(7)))
        added = after - darkness(score.pages[0]) > 0.15
        ys, xs = np.nonzero(added)
        rects = [page.field(n).rect for n in texts]
        assert in_rects(xs, ys, rects, pad=0.3)
        for rect in rects:
            box = added[int(rect.y * PX) : int(rect.bottom * PX), int(rect.x * PX) : int(rect.right * PX)]
            assert box.sum() > 150, (ink, rect)


# scanning -------------------------------------------------------------------------------------


def test_degrade_is_deterministic(printed: dict[str, Printed]) -> None:
    page = printed["score"].pages[0]
    small = page.reduce(2)  # 100 dpi: the same code, a quarter of the pixels
    levels: tuple[Level, ...] = ("clean", "normal", "harsh")
    for level in levels:
        a, meta_a = degrade(small, level, np.random.default_rng(42), DPI / 2)
        b, meta_b = degrade(small, level, np.random.default_rng(42), DPI / 2)
        assert meta_a == meta_b
        assert np.array_equal(np.asarray(a), np.asarray(b))
        c, meta_c = degrade(small, level, np.random.default_rng(43), DPI / 2)
        assert meta_c != meta_a and not np.array_equal(np.asarray(a), np.asarray(c))
    assert ScanMeta.from_dict(json.loads(json.dumps(meta_a.to_dict()))) == meta_a
    clean, meta = degrade(page, "clean", np.random.default_rng(1), DPI)
    assert clean.size == page.size and meta.conditions() == ("clean",)
    assert np.abs(np.asarray(clean, dtype=int) - np.asarray(page, dtype=int)).mean() < 3


def qr_centre(image: Image.Image) -> tuple[float, float, str]:
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    p = found[0].position
    corners = [p.top_left, p.top_right, p.bottom_left, p.bottom_right]
    return float(np.mean([c.x for c in corners])), float(np.mean([c.y for c in corners])), found[0].text


def test_harsh_scans_move_the_page_and_the_record_says_where(printed: dict[str, Printed]) -> None:
    score = printed["score"]
    page = score.layout.pages[0]
    meta = sample_scan("harsh", np.random.default_rng(8), DPI, score.pages[0].size)
    assert meta.dpi == 150 and meta.size == (1240, 1754)
    upright = apply_scan(score.pages[0], dataclasses.replace(meta, flipped=False, greyscale=False))
    flipped = apply_scan(score.pages[0], dataclasses.replace(meta, flipped=True, greyscale=False))
    assert upright.size == flipped.size == meta.size
    assert np.array_equal(np.asarray(flipped), np.asarray(upright.transpose(Image.Transpose.ROTATE_180)))
    code = page.code
    for variant, image in ((False, upright), (True, flipped)):
        record = dataclasses.replace(meta, flipped=variant)
        x, y, text = qr_centre(image)
        assert decode(text, KEY).serial == "2026S000001"
        ex, ey = record.to_scan(code.x + code.w / 2, code.y + code.h / 2)
        assert abs(x - ex) < 4 and abs(y - ey) < 4  # px at 150 dpi
        assert (x > image.width / 2) != variant and (y < image.height / 2) != variant  # QR top right, upright
        dark = darkness(image)
        for fid in page.fiducials:
            fx, fy = record.to_scan(fid.x, fid.y)
            assert dark[int(fy), int(fx)] > 0.6, (variant, fid.corner)


def test_greyscale_scans_have_equal_channels(printed: dict[str, Printed]) -> None:
    application = printed["application"]
    seal = FieldFill("village_seal", FieldKind.seal, 2, seal=0.8, seal_text="清河区清河镇南关村村民委员会")
    fill = SheetFill("application", "t", "blue", {"village_seal": seal})
    layout_page = application.layout.pages[1]
    page = draw_fill(application.pages[1], layout_page, DPI, fill, np.random.default_rng(2))
    meta = dataclasses.replace(sample_scan("harsh", np.random.default_rng(2), DPI, page.size), greyscale=True)
    rgb = np.asarray(apply_scan(page, meta))
    assert rgb.shape[2] == 3
    assert np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 1], rgb[:, :, 2])
    colour = np.asarray(apply_scan(page, dataclasses.replace(meta, greyscale=False)), dtype=int)
    assert np.abs(colour[:, :, 0] - colour[:, :, 2]).max() > 20  # the colour scan is not grey


def test_harsh_conditions_follow_their_rates() -> None:
    metas = [sample_scan("harsh", np.random.default_rng(s), DPI, (1654, 2339)) for s in range(400)]
    rate = {
        tag: np.mean([tag in m.conditions() for m in metas])
        for tag in ("flipped", "greyscale", "perspective")
    }
    assert (
        0.05 < rate["flipped"] < 0.15 and 0.14 < rate["greyscale"] < 0.26 and 0.1 < rate["perspective"] < 0.2
    )
    assert all(1 <= len(m.borders) <= 3 and m.dpi == 150 and 0.94 <= m.scale <= 1 for m in metas)
    normal = [sample_scan("normal", np.random.default_rng(s), DPI, (1654, 2339)) for s in range(400)]
    assert all(
        abs(m.angle) <= 4 and 0.96 <= m.scale <= 1 and 70 <= (m.jpeg_quality or 0) <= 90 for m in normal
    )
    assert 0.8 < np.mean([abs(m.angle) <= 2 for m in normal]) < 0.97


# end to end -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["score", "application"])
def test_make_scans_codes_decode_on_clean_and_normal_scans(kind: FormKind, tmp_path: Path) -> None:
    pages = 0
    levels: tuple[Level, ...] = ("clean", "normal")
    for level in levels:
        out = tmp_path / level if level == "normal" else None
        scans = make_scans(kind, 1, level, "realistic", 3, KEY, out, image_format="jpg")
        for item in scans:
            pages += 1
            text = qr_centre(item.image)[2]
            code = decode(text, KEY)
            assert (code.serial, code.page, code.household) == (item.serial, item.page, item.household)
            assert item.serial == f"2026{kind[0].upper()}000001" and item.household == "330199001001-0001"
            assert set(item.expected()) == {f.name for f in item.fill.on_page(item.page)}
            if out is not None:
                assert item.path is not None and item.path.exists()
                truth = json.loads(item.path.with_suffix(".json").read_text(encoding="utf-8"))
                assert SheetFill.from_dict(truth["fill"]) == item.fill
                assert ScanMeta.from_dict(truth["meta"]) == item.meta
                assert truth["expected"] == item.expected()
    assert pages == 2 * (1 if kind == "score" else 2)
