"""The reader (识读): pages and stored layouts in, field readings with confidence out.

Per page: find and verify the code (identity, orientation), load the layout the code names (never
guessed), align by the fiducials, then read every field. Digital pages (our own PDF filled on
screen) are read from their form fields, with confidence 1.0. This module knows no database and
no web: layouts come from a lookup function, prefilled values from another.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.code import SheetCode, decode
from ocr.engines import TextEngine
from ocr.errors import CodeError
from ocr.intake import DigitalPage, PageImage, PageProblem, iter_pages
from ocr.layout import FieldKind, FormLayout, LayoutField, PageLayout, Rect
from ocr.locate import Alignment, FoundCode, NotAligned, ScanCover, align, find_codes
from ocr.measure import (
    BubbleMeasure,
    darkness,
    decide_bubbles,
    decide_ink,
    faint_red_fraction,
    grey,
    measure_group,
    measure_ink,
    print_strength,
    red_fraction,
    three_way,
    warp,
)
from ocr.reading import FieldReading, FieldStatus, PageReading, Reason, SheetIdentity
from ocr.settings import ReaderSettings
from ocr.streaks import Streaks, find_streaks

LayoutLookup = Callable[[str], FormLayout | None]
#: Width of one character of a prefilled value (9 pt, full width) in mm.
PRINTED_CHAR_MM = 9 * 25.4 / 72
PrefillLookup = Callable[[SheetIdentity], dict[str, str]]


class Reader:
    """Reads pages of pingan sheets."""

    def __init__(
        self,
        key: bytes,
        layouts: LayoutLookup,
        settings: ReaderSettings | None = None,
        engine: TextEngine | None = None,
        prefill: PrefillLookup | None = None,
        crops: Path | None = None,
        debug: Path | None = None,
    ) -> None:
        self.key = key
        self.layouts = layouts
        self.settings = settings or ReaderSettings()
        self.engine = engine
        self.prefill = prefill
        self.crops = crops
        self.debug = debug
        self._digital_fields: dict[Path, dict[str, Any]] = {}
        # a page is a few dozen small crops: OpenCV's own threads only contend with the caller's pool
        cv2.setNumThreads(self.settings.opencv_threads)

    # files ------------------------------------------------------------------------------------
    def read_file(self, path: Path, only: frozenset[int] | None = None) -> Iterator[PageReading]:
        """Read every page of a file (or the ``only`` pages), one at a time; bad pages come back with the reason."""
        for page in iter_pages(path, self.settings, only):
            yield self.read_page(page)

    def read_page(self, page: PageImage | DigitalPage | PageProblem) -> PageReading:
        """Read one page, never raising for a bad page."""
        started = time.perf_counter()
        if isinstance(page, PageProblem):
            return PageReading(
                source=page.source, page_index=page.index, ok=False, error=page.message, hint=page.hint
            )
        try:
            reading = self._read(page)
        except CodeError as exc:
            reading = self._failed(page, exc.message, exc.hint or "请使用本系统印制的表格")
        except NotAligned as exc:
            reading = self._failed(page, exc.message, exc.hint)
        reading.seconds = round(time.perf_counter() - started, 4)
        return reading

    @staticmethod
    def _failed(page: PageImage | DigitalPage, message: str, hint: str) -> PageReading:
        return PageReading(
            source=page.source, page_index=page.index, ok=False, error=message, hint=hint, dpi=page.dpi
        )

    # one page ---------------------------------------------------------------------------------
    def _read(self, page: PageImage | DigitalPage) -> PageReading:
        pixels = page.pixels
        page_grey = grey(pixels)
        codes = find_codes(page_grey)
        if not codes:
            return self._failed(
                page,
                "页面上没有找到表格二维码：可能是空白页、非本系统表格，或扫描过于模糊。",
                "请确认是本系统印制的表格，以 200 dpi 重新扫描",
            )
        errors: list[CodeError] = []
        for code in codes:
            try:
                sheet = decode(code.text, self.key)
            except CodeError as exc:
                errors.append(exc)
                continue
            return self._read_sheet(page, page_grey, code, sheet)
        raise errors[0]

    def _read_sheet(
        self, page: PageImage | DigitalPage, page_grey: NDArray[np.uint8], code: FoundCode, sheet: SheetCode
    ) -> PageReading:
        identity = SheetIdentity(**dataclasses.asdict(sheet))
        layout = self.layouts(sheet.layout_hash)
        if layout is None:
            raise CodeError(
                f"表格 {sheet.serial} 的版式 {sheet.layout_hash} 未在本系统登记，无法识读（不会猜测版式）。",
                hint="请确认该表格由本系统印制，且扫描时连接的是印制时的数据库",
            )
        if sheet.page > len(layout.pages):
            raise CodeError(f"二维码中的页码 {sheet.page} 超出版式页数。", hint="请重新打印该表格")
        page_layout = layout.pages[sheet.page - 1]
        alignment = align(page_grey, page_layout, code, self.settings)
        greyscale = isinstance(page, PageImage) and page.greyscale
        reading = PageReading(
            source=page.source,
            page_index=page.index,
            ok=True,
            identity=identity,
            digital=isinstance(page, DigitalPage),
            rotation=alignment.rotation,
            dpi=round(page.dpi, 1),
            greyscale=greyscale,
            fiducials_found=alignment.fiducials_found,
            fit_error_mm=round(alignment.fit_error_mm, 3),
        )
        if isinstance(page, DigitalPage):
            reading.fields = self._digital_fields_of(page, identity, page_layout)
        else:
            reading.fields = self._scan_fields(
                page.pixels, page_grey, alignment, page_layout, identity, greyscale
            )
        if self.debug is not None:
            from ocr.debug import draw_debug

            draw_debug(page.pixels, alignment, page_layout, reading, self.debug)
        return reading

    def _black_level(self, page_grey: NDArray[np.uint8], alignment: Alignment) -> float:
        levels = []
        for x, y in alignment.fiducials.values():
            r = max(1, int(alignment.px_per_mm))
            patch = page_grey[int(y) - r : int(y) + r + 1, int(x) - r : int(x) + r + 1]
            if patch.size:
                levels.append(float(np.median(patch)))
        return float(np.median(levels)) if levels else 30.0

    def _scan_fields(
        self,
        pixels: NDArray[np.uint8],
        page_grey: NDArray[np.uint8],
        alignment: Alignment,
        page: PageLayout,
        identity: SheetIdentity,
        greyscale: bool,
    ) -> list[FieldReading]:
        settings = self.settings
        black = self._black_level(page_grey, alignment)
        expected = self.prefill(identity) if (self.prefill and identity.household) else None
        groups: list[tuple[LayoutField, list[BubbleMeasure]]] = []
        for field in page.fields:
            if field.kind == FieldKind.bubbles:
                groups.append((field, measure_group(page_grey, alignment, field, black, settings)))
        baselines = self._baselines(groups)
        streaks: list[Streaks] = []

        def streaked(rect: Rect) -> bool:
            if not streaks:
                streaks.append(find_streaks(page_grey, alignment, page, settings))
            return streaks[0].crosses(rect)

        readings: list[FieldReading] = []
        for field, measures in groups:
            reading = decide_bubbles(field, measures, baselines[field.labels_inside], settings)
            chosen = next((b for b in field.bubbles if b.value == reading.value), None)
            # a band of toner over a bubble fills it as well as a pen does
            if (
                reading.status == FieldStatus.accepted
                and chosen is not None
                and streaked(
                    Rect(x=chosen.x - chosen.r, y=chosen.y - chosen.r, w=2 * chosen.r, h=2 * chosen.r)
                )
            ):
                reading.send_to_review(Reason.streaked, 0.3, f"条纹或污痕穿过所涂的选项 {chosen.value}")
            readings.append(reading)
        for field in page.fields:
            if field.kind == FieldKind.handwriting:
                reading = self._handwriting(
                    pixels, page_grey, alignment, page, field, identity, black, expected
                )
                if reading.kind == "handwriting" and reading.value is True:
                    if streaked(field.rect):
                        reading.value = None
                        reading.send_to_review(Reason.streaked, 0.3)
                    elif streaks[0] and reading.measures["longest_mm"] < settings.dirty_page_writing_mm:
                        # a dirty drum also drops clumps of toner between its streaks, as big as a small digit
                        reading.value = None
                        reading.send_to_review(
                            Reason.streaked, 0.4, "本页有污痕条纹，此栏只有短小的笔画，可能是墨粉污点"
                        )
                readings.append(reading)
            elif field.kind == FieldKind.seal:
                readings.append(self._seal(pixels, alignment, field, identity, greyscale))
        if groups and all(r.reason == Reason.blank for r in readings if r.kind == "bubbles"):
            _unvouched(readings, "本页所有选项都没有看到填涂，字迹或印章可能在扫描中丢失，请对照原件")
        elif any(r.value is False for r in readings) and (
            print_strength(page_grey, alignment, page, black) < settings.faded_print_level
        ):
            _unvouched(readings, "本页印刷字迹很淡（扫描过亮或墨粉不足），浅色字迹可能没扫出来，请对照原件")
        cover = ScanCover(page_grey, alignment.px_per_mm)
        fields = {f.name: f for f in page.fields}
        for reading in readings:
            if reading.kind != "printed" and cover.hides(alignment, fields[reading.name].rect):
                reading.value = None
                reading.send_to_review(Reason.outside_scan, 0.0)
        order = {f.name: i for i, f in enumerate(page.fields)}
        readings.sort(key=lambda r: order[r.name])
        return readings

    @staticmethod
    def _baselines(groups: list[tuple[LayoutField, list[BubbleMeasure]]]) -> dict[bool, float]:
        """Estimate the blank darkness of bubbles with labels inside and outside (most bubbles are blank)."""
        result = {}
        for inside in (True, False):
            means = [m.mean for field, ms in groups if field.labels_inside == inside for m in ms]
            result[inside] = float(np.percentile(means, 30)) if means else 0.0
        return result

    def _crop_file(
        self,
        identity: SheetIdentity,
        field: LayoutField,
        pixels: NDArray[np.uint8],
        alignment: Alignment,
        margin_mm: float,
        crop: NDArray[np.uint8] | None = None,
    ) -> str | None:
        """Write the field's upright crop (evidence for the record) when a crops folder is set."""
        if self.crops is None:
            return None
        if crop is None:
            crop = warp(pixels, alignment, field.rect, margin_mm)
        self.crops.mkdir(parents=True, exist_ok=True)
        path = self.crops / f"{identity.serial}-p{identity.page}-{field.name}.png"
        cv2.imwrite(str(path), crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
        return str(path)

    def _handwriting(
        self,
        pixels: NDArray[np.uint8],
        page_grey: NDArray[np.uint8],
        alignment: Alignment,
        page: PageLayout,
        field: LayoutField,
        identity: SheetIdentity,
        black: float,
        expected: dict[str, str] | None,
    ) -> FieldReading:
        crop_file = self._crop_file(identity, field, pixels, alignment, 1.0)
        printed = (
            field.prefill is not None
            and identity.household is not None
            and (expected is None or bool(expected.get(field.prefill)))
        )
        if printed:
            return self._printed_value(field, page_grey, alignment, crop_file, expected)
        inset = max(1.0, alignment.fit_error_mm + 0.5)
        ink = measure_ink(warp(page_grey, alignment, field.rect), field, page, black, self.settings, inset)
        written, confidence = decide_ink(ink, self.settings)
        reading = _yes_no(
            field,
            "handwriting",
            written,
            confidence,
            Reason.uncertain_ink,
            crop_file,
            {
                "ink": round(ink.firm, 5),
                "strokes": round(ink.strokes, 5),
                "longest_mm": round(ink.longest_mm, 1),
                "faint": round(ink.faint, 5),
                "faint_level": round(ink.faint_level, 3),
            },
        )
        if written is None and ink.faint_level > self.settings.faint_blank_level:
            reading.detail = "纸面斑驳或噪点多，浅淡的字迹可能看不出，请确认"
        if (
            written
            and field.prefill == "head_name"
            and identity.household is None
            and self.engine is not None
        ):
            # a blank sheet names its household by hand: suggest the name, a person or an exact match decides
            text, score = self.engine.read(warp(page_grey, alignment, field.rect.inset(0.5)))
            reading.suggestion = text or None
            reading.measures["ocr"] = round(score, 3)
        return reading

    def _printed_value(
        self,
        field: LayoutField,
        page_grey: NDArray[np.uint8],
        alignment: Alignment,
        crop_file: str | None,
        expected: dict[str, str] | None,
    ) -> FieldReading:
        """Report a box the printer filled: the household's value; the head's name is read back to check the code."""
        value = expected.get(field.prefill or "") if expected else None
        reading = FieldReading(
            name=field.name,
            kind="printed",
            label=field.label,
            value=value,
            confidence=1.0,
            status=FieldStatus.accepted,
            crop=crop_file,
            detail="预填",
        )
        if field.prefill == "head_name" and self.engine is not None and value and self.settings.name_check:
            # just the printed name: 9 pt characters from the box's left edge, clear of its borders
            r = field.rect
            width = min(r.w, 0.5 + len(value) * PRINTED_CHAR_MM + 2.0)
            text, score = self.engine.read(
                warp(page_grey, alignment, Rect(x=r.x, y=r.y + 0.6, w=width, h=r.h - 1.2), 0.0)
            )
            reading.suggestion = text
            reading.measures = {"ocr": round(score, 3)}
            if not _same_name(text, value):
                reading.send_to_review(
                    Reason.name_mismatch, 0.3, f"印制姓名读作“{text}”，二维码所指户主为“{value}”"
                )
        return reading

    def _seal(
        self,
        pixels: NDArray[np.uint8],
        alignment: Alignment,
        field: LayoutField,
        identity: SheetIdentity,
        greyscale: bool,
    ) -> FieldReading:
        crop = warp(pixels, alignment, field.rect, 3.0)
        crop_file = self._crop_file(identity, field, pixels, alignment, 3.0, crop)
        fraction = red_fraction(crop) if crop.ndim == 3 else 0.0
        present, confidence = three_way(
            fraction, self.settings.seal_red_fraction, self.settings.seal_review_band
        )
        measures = {"red": round(fraction, 4)}
        if present is False and crop.ndim == 3:
            # a seal washed out to a pale pink is still a seal: "no seal" only when the box is free of red
            faint = faint_red_fraction(crop, self.settings.seal_faint_red)
            measures["faint_red"] = round(faint, 4)
            if faint >= self.settings.seal_faint_fraction:
                return FieldReading(
                    name=field.name,
                    kind="seal",
                    label=field.label,
                    value=None,
                    confidence=0.3,
                    status=FieldStatus.review,
                    reason=Reason.uncertain_seal,
                    detail="印章框内有很淡的红色，可能是褪色的印章",
                    crop=crop_file,
                    measures=measures,
                )
        if present is False:
            # a grey blot in the box may be a seal that lost its red: a greyscale scan, or colour
            # washed out by the scanner or a faded pad; a person looks at it
            inner = warp(grey(pixels), alignment, field.rect.inset(2.0))
            blot = float((darkness(inner, 30.0) > 0.12).mean())
            measures["grey"] = round(blot, 4)
            if blot >= self.settings.seal_grey_fraction:
                return FieldReading(
                    name=field.name,
                    kind="seal",
                    label=field.label,
                    value=None,
                    confidence=0.0,
                    status=FieldStatus.review,
                    reason=Reason.greyscale_seal if greyscale else Reason.uncertain_seal,
                    detail=None if greyscale else "印章框内有印迹，但不是红色",
                    crop=crop_file,
                    measures=measures,
                )
            confidence = max(confidence, 0.9) if greyscale else confidence
        return _yes_no(field, "seal", present, confidence, Reason.uncertain_seal, crop_file, measures)

    # digital pages ----------------------------------------------------------------------------
    def _digital_fields_of(
        self, page: DigitalPage, identity: SheetIdentity, layout: PageLayout
    ) -> list[FieldReading]:
        if page.path not in self._digital_fields:
            from pypdf import PdfReader

            self._digital_fields[page.path] = PdfReader(page.path).get_fields() or {}
        values = self._digital_fields[page.path]
        readings = []
        for field in layout.fields:
            raw = values.get(f"{identity.serial}_{field.name}", {}).get("/V")
            text = str(raw).lstrip("/") if raw not in (None, "", "/Off", "Off") else None
            if field.kind == FieldKind.bubbles:
                readings.append(
                    FieldReading(
                        name=field.name,
                        kind="bubbles",
                        label=field.label,
                        value=text,
                        confidence=1.0,
                        status=FieldStatus.accepted if text else FieldStatus.review,
                        reason=None if text else Reason.blank,
                        detail="电子填写",
                    )
                )
            elif field.kind == FieldKind.handwriting:
                printed = (
                    field.prefill is not None
                    and identity.household is not None
                    and f"{identity.serial}_{field.name}" not in values
                )
                readings.append(
                    FieldReading(
                        name=field.name,
                        kind="printed" if printed else "handwriting",
                        label=field.label,
                        value=None if printed else (text.strip() if text and text.strip() else False),
                        confidence=1.0,
                        status=FieldStatus.accepted,
                        detail="预填" if printed else "电子填写",
                    )
                )
            elif field.kind == FieldKind.seal:
                readings.append(
                    FieldReading(
                        name=field.name,
                        kind="seal",
                        label=field.label,
                        value=False,
                        confidence=1.0,
                        status=FieldStatus.accepted,
                        detail="电子填写的表格没有实物印章",
                    )
                )
        return readings


def _unvouched(readings: list[FieldReading], why: str) -> None:
    """Send the empty boxes of a page that may have lost its light marks to a person.

    A filled sheet on which no option shows any mark at all, or whose own printed text came out
    nearly white, was most likely scanned in a way that lost a light hand (pencil, a black-and-white
    scan that dropped grey, a scan far too bright): its empty-looking boxes cannot be taken for
    empty. A sheet returned truly blank costs a few more looks.
    """
    for reading in readings:
        if reading.kind in ("handwriting", "seal") and reading.value is False:
            reading.value = None
            reading.send_to_review(
                Reason.uncertain_ink if reading.kind == "handwriting" else Reason.uncertain_seal, 0.2, why
            )


def _yes_no(
    field: LayoutField,
    kind: Literal["handwriting", "seal"],
    answer: bool | None,
    confidence: float,
    unsure: Reason,
    crop: str | None,
    measures: dict[str, float],
) -> FieldReading:
    """Return a yes/no reading (ink written, seal present); ``None`` means unsure and goes to review."""
    return FieldReading(
        name=field.name,
        kind=kind,
        label=field.label,
        value=answer,
        confidence=round(confidence, 3),
        status=FieldStatus.accepted if answer is not None else FieldStatus.review,
        reason=None if answer is not None else unsure,
        crop=crop,
        measures=measures,
    )


def _same_name(read: str, expected: str) -> bool:
    """Whether a name read by a text engine is the expected one (one character may be misread)."""
    if read == expected:
        return True
    if len(read) != len(expected) or len(expected) < 3:
        return False
    return sum(a != b for a, b in zip(read, expected, strict=True)) <= 1
