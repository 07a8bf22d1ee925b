"""Accuracy and speed harness of the reader (make bench-read).

Prints sheets through the real printer, fills them the way people do and "scans" them at several
levels (bench/scansim.py; plus an augraphy print-and-scan pipeline), reads every page with the
reader and compares each field with the ground truth. Per level it reports pages read, marks
auto-accepted, silent errors (accepted yet wrong) as a count and a rate per field, the review
reasons, and ms per page. Then the speed figures: median ms to read a 200 dpi page, against merely
decoding the same page image and against full-page tesseract chi_sim OCR of it.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from bench.scansim import BLANK, DOUBLE, SEALED, ScannedPage, make_scans
from ocr.intake import PageImage, looks_greyscale
from ocr.layout import FormLayout
from ocr.reader import Reader
from ocr.reading import FieldStatus, PageReading, SheetIdentity

KEY = b"bench-installation-key-0123456789abcdef"


@dataclass
class Tally:
    """Counts for one level."""

    pages: int = 0
    pages_read: int = 0
    fields: int = 0
    marks: int = 0
    marks_accepted: int = 0
    plain_marks: int = 0
    plain_accepted: int = 0
    accepted: int = 0
    silent: int = 0
    reviews: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    silent_examples: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)


def _pixels(image: Image.Image) -> tuple[np.ndarray[Any, Any], bool]:
    pixels = np.asarray(image) if image.mode == "L" else np.asarray(image.convert("RGB"))
    return pixels, looks_greyscale(pixels)


def compare(scan: ScannedPage, reading: PageReading, tally: Tally) -> None:
    """Score one page's reading against its ground truth."""
    tally.pages += 1
    if not reading.ok:
        tally.failures[reading.error or "?"] += 1
        return
    tally.pages_read += 1
    expected = scan.expected()
    for result in reading.fields:
        if result.name not in expected:
            continue
        truth = expected[result.name]
        tally.fields += 1
        plain = False
        if result.kind == "bubbles":
            tally.marks += 1
            fill = scan.fill.field(result.name)
            plain = truth not in (BLANK, DOUBLE) and len(fill.marks) == 1 and not fill.weak()
            tally.plain_marks += plain
        if result.status == FieldStatus.review:
            tally.reviews[result.reason.value if result.reason else "?"] += 1
            continue
        tally.accepted += 1
        if result.kind == "bubbles":
            tally.marks_accepted += 1
            tally.plain_accepted += plain
            right = truth not in (BLANK, DOUBLE) and result.value == truth
        elif result.kind == "seal":
            right = bool(result.value) == (truth == SEALED)
        else:
            right = bool(result.value) == (truth != BLANK)
        if not right:
            tally.silent += 1
            if len(tally.silent_examples) < 8:
                fill = scan.fill.field(result.name)
                styles = ",".join(sorted(s.value for s in fill.styles()))
                tally.silent_examples.append(
                    f"{scan.serial} p{scan.page} {result.name}: truth={truth} read={result.value} styles={styles} {result.measures}"
                )


def augraphy_pipeline(seed: int) -> Any:
    """Return an augraphy pipeline of realistic print and scan effects (test dependency only)."""
    import augraphy as ag

    ink = [ag.InkBleed(p=0.5), ag.LowInkRandomLines(p=0.3)]
    paper = [ag.ColorPaper(p=0.3), ag.NoiseTexturize(p=0.5)]
    post = [
        ag.DirtyDrum(p=0.3),
        ag.SubtleNoise(p=0.6),
        ag.Jpeg(p=0.6),
        ag.Brightness(p=0.4),
        ag.LightingGradient(p=0.3),
    ]
    return ag.AugraphyPipeline(ink_phase=ink, paper_phase=paper, post_phase=post, random_seed=seed)


def run_level(level: str, sheets: int, seed: int, reader_for: Any) -> Tally:
    """Read ``sheets`` score sheets and ``sheets`` application forms scanned at one level."""
    tally = Tally()
    pipeline = augraphy_pipeline(seed) if level == "augraphy" else None
    scan_level = "normal" if level == "augraphy" else level
    for kind in ("score", "application"):
        for scan in make_scans(kind, sheets, scan_level, "realistic", seed, KEY):  # type: ignore[arg-type]
            image = scan.image
            if pipeline is not None:
                augmented = pipeline(np.asarray(image.convert("RGB"))[..., ::-1].copy())
                image = Image.fromarray(
                    np.asarray(augmented)[..., ::-1] if augmented.ndim == 3 else augmented
                )
            pixels, grey = _pixels(image)
            page = PageImage(
                f"{scan.serial}-{scan.page}", scan.page - 1, np.ascontiguousarray(pixels), scan.meta.dpi, grey
            )
            reader = reader_for(scan)
            started = time.perf_counter()
            reading = reader.read_page(page)
            tally.ms.append((time.perf_counter() - started) * 1000)
            compare(scan, reading, tally)
    return tally


def speed(pages: int, seed: int, reader_for: Any) -> None:
    """Print median read time at 200 dpi against decode time and full-page tesseract OCR."""
    decode_ms, read_ms, images = [], [], []
    for scan in make_scans("score", pages, "normal", "realistic", seed + 1, KEY):
        buffer = io.BytesIO()
        scan.image.convert("RGB").save(buffer, "JPEG", quality=85)
        data = buffer.getvalue()
        started = time.perf_counter()
        decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        decode_ms.append((time.perf_counter() - started) * 1000)
        page = PageImage("speed", 0, np.ascontiguousarray(decoded), scan.meta.dpi, False)
        reader = reader_for(scan)
        started = time.perf_counter()
        reader.read_page(page)
        read_ms.append((time.perf_counter() - started) * 1000)
        images.append(decoded)
    ocr_ms = []
    import pytesseract

    for decoded in images[:2]:
        started = time.perf_counter()
        pytesseract.image_to_string(Image.fromarray(decoded), lang="chi_sim")
        ocr_ms.append((time.perf_counter() - started) * 1000)
    read, decode, ocr = statistics.median(read_ms), statistics.median(decode_ms), statistics.median(ocr_ms)
    print(f"\nspeed at 200 dpi ({pages} score pages, one core):")
    print(f"  read (code + align + all marks + ink/seal): median {read:.1f} ms/page (target ≤ 40 ms)")
    print(
        f"  decode the JPEG alone:                      median {decode:.1f} ms/page -> read/decode {read / decode:.2f}x (target ≤ 3x)"
    )
    print(
        f"  full-page tesseract chi_sim OCR:           median {ocr:.0f} ms/page -> {ocr / read:.0f}x slower than reading"
    )


def engines(pages: int, seed: int) -> None:
    """Print how well each text engine reads the names printed on prefilled sheets, and how fast."""
    from ocr.engines import RapidEngine, TesseractEngine
    from ocr.layout import Rect
    from ocr.locate import align, find_codes
    from ocr.measure import grey, warp
    from ocr.reader import PRINTED_CHAR_MM
    from ocr.settings import ReaderSettings

    crops: list[tuple[np.ndarray[Any, Any], str]] = []
    for scan in make_scans("score", pages, "normal", "tidy", seed + 2, KEY):
        pixels = grey(np.ascontiguousarray(np.asarray(scan.image.convert("RGB"))))
        code = find_codes(pixels)[0]
        page = scan.layout.pages[0]
        alignment = align(pixels, page, code, ReaderSettings())
        r = page.field("head_name").rect
        name = scan.values["head_name"]
        width = min(r.w, 0.5 + len(name) * PRINTED_CHAR_MM + 2.0)
        crops.append((warp(pixels, alignment, Rect(x=r.x, y=r.y + 0.6, w=width, h=r.h - 1.2)), name))
    print(f"\ntext engines on {len(crops)} printed head names (the prefilled-sheet check):")
    for make in (RapidEngine, TesseractEngine):
        engine = make()
        engine.read(crops[0][0])
        right, times = 0, []
        for crop, name in crops:
            started = time.perf_counter()
            text, _ = engine.read(crop)
            times.append((time.perf_counter() - started) * 1000)
            right += text == name
        print(
            f"  {engine.name:<24} exact {right / len(crops):6.1%}   median {statistics.median(times):5.1f} ms/name"
        )


def main() -> None:
    """Run the harness and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sheets", type=int, default=60, help="sheets of each form per level")
    parser.add_argument(
        "--levels", nargs="*", default=["clean", "normal", "harsh", "augraphy"], help="none: speed only"
    )
    parser.add_argument("--seed", type=int, default=20260515)
    parser.add_argument("--speed-pages", type=int, default=30)
    parser.add_argument("--engine-pages", type=int, default=40)
    args = parser.parse_args()
    layouts: dict[str, FormLayout] = {}

    def reader_for(scan: ScannedPage) -> Reader:
        layouts.setdefault(scan.layout.layout_hash(), scan.layout)
        values = scan.values

        def prefill(identity: SheetIdentity) -> dict[str, str]:
            return values

        return Reader(KEY, layouts.get, prefill=prefill)

    print(
        f"{'level':<9} {'pages read':>11} {'marks auto':>11} {'silent errors':>20} {'ms/page':>8}  review reasons"
    )
    for level in [name for name in args.levels if name != "none"]:
        tally = run_level(level, args.sheets, args.seed, reader_for)
        read = tally.pages_read / max(1, tally.pages)
        auto = tally.marks_accepted / max(1, tally.marks)
        plain = tally.plain_accepted / max(1, tally.plain_marks)
        rate = tally.silent / max(1, tally.fields)
        reasons = ", ".join(f"{k} {v}" for k, v in tally.reviews.most_common())
        print(
            f"{level:<9} {read:>10.1%} {auto:>10.1%} {plain:>6.1%} {tally.silent:>6} / {tally.fields:<6} ({rate * 10000:.1f}/10k)"
            f" {statistics.median(tally.ms):>7.0f}  {reasons}"
        )
        for failure, count in tally.failures.most_common(4):
            print(f"          unread ×{count}: {failure}")
        for example in tally.silent_examples:
            print(f"          silent: {example}")
    speed(args.speed_pages, args.seed, reader_for)
    engines(args.engine_pages, args.seed)


if __name__ == "__main__":
    main()
