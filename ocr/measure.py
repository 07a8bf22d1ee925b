"""Measuring fields (判读): bubbles against the blank form's darkness, ink in boxes, red seal ink.

Every measurement is taken on a small canonical crop warped out of the scan through the page's
homography, so rotation, scaling and perspective are already undone; darkness is relative to the
crop's own paper white (uneven lighting) and the page's printed black.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.layout import LayoutField, PageLayout, Rect, TextLine
from ocr.locate import Alignment
from ocr.reading import FieldReading, FieldStatus, Reason
from ocr.settings import ReaderSettings

CROP_PX_PER_MM = 8.0
PT_MM = 25.4 / 72


def warp(
    image: NDArray[np.uint8], alignment: Alignment, rect: Rect, margin_mm: float = 0.0
) -> NDArray[np.uint8]:
    """Cut a layout rectangle (plus a margin) out of the scan, upright, at 8 px per mm."""
    k = CROP_PX_PER_MM
    x0, y0 = rect.x - margin_mm, rect.y - margin_mm
    width, height = rect.w + 2 * margin_mm, rect.h + 2 * margin_mm
    scale = np.array([[1 / k, 0.0, x0], [0.0, 1 / k, y0], [0.0, 0.0, 1.0]])
    matrix = alignment.homography @ scale
    size = (max(1, round(width * k)), max(1, round(height * k)))
    border = (255, 255, 255) if image.ndim == 3 else 255
    out = cv2.warpPerspective(
        image, matrix, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=border
    )
    return np.asarray(out, dtype=np.uint8)


def grey(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Return a single-channel copy of an RGB image (or the image itself)."""
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def _cumulative_histogram(image: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Return how many pixels of a grey image lie at or below each level 0–255."""
    return np.asarray(np.cumsum(cv2.calcHist([image], [0], None, [256], [0, 256]).ravel()), dtype=np.float32)


def _quantile(counts: NDArray[np.float32], share: float) -> float:
    """Return the grey level below which ``share`` of the pixels lie, from a cumulative histogram."""
    return float(np.searchsorted(counts, share * counts[-1]))


def darkness(crop: NDArray[np.uint8], black: float) -> NDArray[np.float32]:
    """Return 0 (paper) … 1 (printed black) for each pixel of a grey crop, against the crop's own white."""
    counts = _cumulative_histogram(crop)
    white = _quantile(counts, 0.95)
    span = max(white - black, 40.0)
    return np.asarray(np.clip((white - crop.astype(np.float32)) / span, 0.0, 1.0), dtype=np.float32)


@dataclass(frozen=True)
class BubbleMeasure:
    """How dark one bubble is: mean over the disc and share of ink-dark pixels."""

    value: str
    mean: float
    dark: float


@lru_cache(maxsize=64)
def _disc(radius_px: float) -> tuple[int, NDArray[np.bool_]]:
    """Return the half-size and boolean mask of a disc of the given radius (cached)."""
    half = math.ceil(radius_px)
    yy, xx = np.mgrid[-half : half + 1, -half : half + 1]
    return half, np.asarray(xx**2 + yy**2 <= radius_px**2)


def measure_group(
    page_grey: NDArray[np.uint8],
    alignment: Alignment,
    field: LayoutField,
    black: float,
    settings: ReaderSettings,
) -> list[BubbleMeasure]:
    """Measure every bubble of a group on one upright crop of the group (the inner disc, clear of the ring)."""
    margin = 1.0
    rect = field.rect
    dark = darkness(warp(page_grey, alignment, rect, margin), black)
    k = CROP_PX_PER_MM
    measures = []
    for bubble in field.bubbles:
        half, mask = _disc(round(bubble.r * settings.disc_fraction * k, 1))
        cx = round((bubble.x - rect.x + margin) * k)
        cy = round((bubble.y - rect.y + margin) * k)
        window = dark[cy - half : cy + half + 1, cx - half : cx + half + 1]
        if window.shape != mask.shape:
            window = np.pad(
                window, ((0, mask.shape[0] - window.shape[0]), (0, mask.shape[1] - window.shape[1]))
            )
        inner = window[mask]
        measures.append(
            BubbleMeasure(bubble.value, float(inner.mean()), float((inner > settings.dark_pixel).mean()))
        )
    return measures


def decide_bubbles(
    field: LayoutField, measures: list[BubbleMeasure], baseline: float, settings: ReaderSettings
) -> FieldReading:
    """Turn a group's measures into a value, or a review reason (blank, double, weak, erased).

    A bubble is *marked* when it is clearly filled (lift over the blank level ≥ ``mark_mean``) or
    carries strokes (tick, cross, scribble: ≥ ``stroke_fraction`` ink-dark pixels); *weak* when it is
    visibly darker but neither (light pencil, partial); *faint* when only a trace is left (erasure).
    Exactly one mark and nothing else accepts; anything else goes to a person with the reason.
    """
    lifts = {m.value: m.mean - baseline for m in measures}
    marked = [
        m for m in measures if lifts[m.value] >= settings.mark_mean or m.dark >= settings.stroke_fraction
    ]
    weak = [m for m in measures if m not in marked and lifts[m.value] >= settings.weak_mean]
    faint = [
        m for m in measures if m not in marked and m not in weak and lifts[m.value] >= settings.faint_mean
    ]
    record = {m.value: round(lifts[m.value], 3) for m in measures}
    record.update({f"{m.value}.dark": round(m.dark, 3) for m in measures})

    def reading(
        value: str | None,
        status: FieldStatus,
        reason: Reason | None,
        confidence: float,
        detail: str | None = None,
    ) -> FieldReading:
        return FieldReading(
            name=field.name,
            kind="bubbles",
            label=field.label,
            value=value,
            confidence=round(max(0.0, min(1.0, confidence)), 3),
            status=status,
            reason=reason,
            detail=detail,
            measures=record,
        )

    if len(marked) > 1:
        return reading(
            None, FieldStatus.review, Reason.double_mark, 0.2, f"涂了 {'、'.join(m.value for m in marked)}"
        )
    if len(marked) == 1:
        mark = marked[0]
        others = weak + faint
        if others:
            traces = "、".join(m.value for m in others)
            return reading(
                mark.value,
                FieldStatus.review,
                Reason.erased_mark,
                0.5,
                f"{mark.value} 已涂，{traces} 有涂擦痕迹",
            )
        strength = max(lifts[mark.value] / settings.mark_mean, mark.dark / settings.stroke_fraction)
        clean = max((lifts[m.value] for m in measures if m is not mark), default=0.0)
        return reading(mark.value, FieldStatus.accepted, None, 0.55 + 0.2 * min(strength, 2.0) - clean)
    if weak:
        strongest = max(weak, key=lambda m: lifts[m.value])
        return reading(
            strongest.value,
            FieldStatus.review,
            Reason.weak_mark,
            0.35,
            f"最深的是 {strongest.value}，涂得较浅",
        )
    if faint:
        return reading(
            None,
            FieldStatus.review,
            Reason.erased_mark,
            0.4,
            f"{'、'.join(m.value for m in faint)} 有擦除痕迹，未见新涂",
        )
    return reading(None, FieldStatus.review, Reason.blank, 0.9)


def _text_boxes(page: PageLayout, rect: Rect) -> list[Rect]:
    """Return approximate boxes of the static text printed inside ``rect`` (to leave out of ink counts)."""
    boxes = []
    for line in page.texts:
        if not (rect.x - 2 <= line.x <= rect.right + 2 and rect.y - 2 <= line.y <= rect.bottom + 4):
            continue
        boxes.append(_text_box(line))
    return boxes


def print_strength(
    page_grey: NDArray[np.uint8], alignment: Alignment, page: PageLayout, black: float
) -> float:
    """Return how dark the page's own printed text came out (印刷字迹深浅): about 0.4–0.7 on a fair scan.

    The darkest pixels of the longest black text lines, as darkness against the page's black: a scan
    taken too bright, or a print run short of toner, fades them towards the paper, and a light hand
    written on the same page fades with them, or vanishes.
    """
    lines = sorted((line for line in page.texts if line.grey == 0.0), key=lambda line: -len(line.text))[:8]
    levels = []
    for line in lines:
        counts = _cumulative_histogram(warp(page_grey, alignment, _text_box(line)))
        white, darkest = _quantile(counts, 0.95), _quantile(counts, 0.005)  # paper as darkness() takes it
        levels.append(min(1.0, max(0.0, (white - darkest) / max(white - black, 40.0))))
    return float(np.median(levels)) if levels else 1.0


def _text_box(line: TextLine) -> Rect:
    size = line.size * PT_MM
    width = len(line.text) * size
    left = {"left": line.x, "center": line.x - width / 2, "right": line.x - width}[line.align]
    return Rect(x=left - 0.5, y=line.y - size - 0.5, w=width + 1.0, h=size * 1.3 + 1.0)


@dataclass(frozen=True)
class InkMeasure:
    """Ink in a handwriting box (书写痕迹), as shares of the box's counted pixels.

    ``firm`` is all ink at the firm level; ``strokes`` the part of it in stroke-sized marks (pen
    and pencil lines, not dust specks); ``faint`` is all ink at the faint level, just above the
    paper's own noise (pale ballpoint, light pencil, a faded print run); ``faint_level`` is that
    level, as darkness: on grainy or mottled paper it has to rise, and a pale hand may hide below it.
    ``longest_mm`` is the length of the longest mark: a character has one of several millimetres,
    a pair of toner clumps or a dot does not.
    """

    firm: float
    strokes: float
    faint: float
    area_mm2: float = 0.0
    faint_level: float = 0.0
    longest_mm: float = 0.0

    def levels(self, settings: ReaderSettings) -> tuple[float, float]:
        """Return the (written, blank) thresholds as shares of this box.

        A share of the box (``ink_fraction`` ± the review band), but never more than a few short
        strokes (``ink_written_mm2``) for "written" nor more than a speck (``ink_blank_mm2``) for
        "blank": two characters in a wide opinion box are writing, and a wide box is no place to
        lose a small digit.
        """
        threshold, band = settings.ink_fraction, settings.ink_review_band
        area = max(self.area_mm2, 1e-6)
        high = min(threshold * (1 + band), settings.ink_written_mm2 / area)
        low = min(threshold * (1 - band), settings.ink_blank_mm2 / area)
        return high, low


def _stroke_pixels(ink: NDArray[np.uint8], min_extent_px: int) -> tuple[int, int]:
    """Count the ink pixels in marks at least ``min_extent_px`` long in some direction, and the longest mark.

    Pieces of one stroke broken by a light hand or a grainy pencil (gaps up to 2 px) count as one
    mark; dust specks lie further apart and stay small.
    """
    joined = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if count <= 1:
        return 0, 0
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) - 2
    extent[0] = 0
    keep = extent >= min_extent_px
    return int((keep[labels] & (ink > 0)).sum()), int(extent.max())


def _long_runs(ink: NDArray[np.uint8], length: int) -> NDArray[np.uint8]:
    """Mark the pixels lying in horizontal runs of ink at least ``length`` long.

    Only rows holding that much ink at all are looked at, so a box without ruled lines costs one sum.
    """
    runs = np.zeros_like(ink)
    for row in np.flatnonzero(np.count_nonzero(ink, axis=1) >= length):
        line = np.concatenate(([0], ink[row] > 0, [0])).astype(np.int8)
        edges = np.flatnonzero(np.diff(line))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            if end - start >= length:
                runs[row, start:end] = 1
    return runs


def _without_rules(ink: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Remove long straight strokes along the crop: the box's own ruled borders, not handwriting."""
    height, width = ink.shape
    rules = np.maximum(
        _long_runs(ink, max(12, int(width * 0.6))), _long_runs(ink.T.copy(), max(12, int(height * 0.6))).T
    )
    if not rules.any():
        return ink
    rules = cv2.dilate(rules, np.ones((5, 5), np.uint8))
    return np.where(rules > 0, 0, ink).astype(np.uint8)


def measure_ink(
    crop: NDArray[np.uint8],
    field: LayoutField,
    page: PageLayout,
    black: float,
    settings: ReaderSettings,
    inset_mm: float = 1.0,
) -> InkMeasure:
    """Measure the ink in a handwriting box, its borders and printed guides left out.

    The firm level must stand out from a mottled background (textured or dirty paper); the faint
    level sits just above the paper's own noise, so that a pale hand is never taken for a blank.
    The faint level is only looked at when the firm one does not already show writing.
    """
    k = CROP_PX_PER_MM
    inset = round(inset_mm * k)
    mask = np.zeros(crop.shape, dtype=np.uint8)
    mask[inset : -inset or None, inset : -inset or None] = 1
    for box in _text_boxes(page, field.rect):
        x0, y0 = round((box.x - field.rect.x) * k), round((box.y - field.rect.y) * k)
        x1, y1 = round((box.right - field.rect.x) * k), round((box.bottom - field.rect.y) * k)
        mask[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0
    total = cv2.countNonZero(mask)
    if not total:
        return InkMeasure(0.0, 0.0, 0.0, 0.0)
    white = _quantile(_cumulative_histogram(crop), 0.95)
    span = max(white - black, 40.0)
    lowest = cv2.minMaxLoc(crop, mask)[0]
    if float(crop.max()) - lowest <= settings.faint_ink_pixel * span:
        # no pixel of the box can stand out from any paper around it even at the faint level
        return InkMeasure(0.0, 0.0, 0.0, total / (k * k))
    # ink is measured against the paper right around it (uneven light, tinted or graded paper):
    # the local paper level is the crop with every stroke narrower than 3 mm closed over
    reach = max(3, round(3.0 * k)) | 1
    paper = cv2.blur(cv2.dilate(crop, np.ones((reach, reach), np.uint8)), (reach, reach))
    lift = np.asarray(cv2.subtract(paper, crop), dtype=np.uint8)
    counts = _cumulative_histogram(lift)

    def lift_at(share: float) -> float:
        return _quantile(counts, share) / span

    def ink_at(level: float) -> NDArray[np.uint8]:
        _, ink = cv2.threshold(lift, min(255.0, level * span), 1, cv2.THRESH_BINARY)
        return np.asarray(cv2.bitwise_and(ink, mask), dtype=np.uint8)

    area_mm2 = total / (k * k)
    high, low = InkMeasure(0.0, 0.0, 0.0, area_mm2).levels(settings)
    firm_raw = ink_at(max(settings.ink_pixel, lift_at(0.75) + settings.ink_pixel))
    firm_share = strokes = longest_mm = 0.0
    if cv2.countNonZero(firm_raw) > low * total:  # most boxes are blank: skip the shape analysis for them
        opened = cv2.morphologyEx(firm_raw, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
        firm = _without_rules(np.asarray(opened, dtype=np.uint8))
        firm_share = cv2.countNonZero(firm) / total
        stroke_px, longest_px = _stroke_pixels(firm, round(settings.stroke_mm * k))
        strokes, longest_mm = stroke_px / total, longest_px / k
        if strokes >= high:
            return InkMeasure(firm_share, strokes, firm_share, area_mm2, longest_mm=longest_mm)
    noise = (lift_at(0.75) - lift_at(0.25)) / 1.349  # the paper's own grain, robustly
    faint_level = max(settings.faint_ink_pixel, lift_at(0.5) + 6 * noise)
    faint = ink_at(faint_level)
    if cv2.countNonZero(faint) > low * total:
        faint = _without_rules(faint)
    return InkMeasure(firm_share, strokes, cv2.countNonZero(faint) / total, area_mm2, faint_level, longest_mm)


def decide_ink(ink: InkMeasure, settings: ReaderSettings) -> tuple[bool | None, float]:
    """Say whether something is written: yes, no, or unsure (``None``, for a person), with a confidence.

    Written needs stroke-sized ink well over the threshold; blank needs next to no ink at either
    level, on paper clean enough for the faint level to see a pale hand; everything between (a few
    specks, a pale hand, a box too mottled to tell) goes to review.
    """
    high, low = ink.levels(settings)
    if ink.strokes >= high:
        return True, min(1.0, 0.7 + (ink.strokes - high) / (high * 4))
    if ink.faint_level > settings.faint_blank_level:
        return None, 0.3
    if ink.firm <= low and ink.faint <= low:
        return False, min(1.0, 0.7 + (low - max(ink.firm, ink.faint)) / low * 0.3)
    return None, 0.4


def red_fraction(crop_rgb: NDArray[np.uint8]) -> float:
    """Return the share of seal-red pixels in an RGB crop: red well above green and blue (faint pink too)."""
    rgb = crop_rgb.astype(np.int16)
    red = rgb[..., 0]
    other = np.maximum(rgb[..., 1], rgb[..., 2])
    return float(((red - other >= 25) & (red >= 120)).mean())


def faint_red_fraction(crop_rgb: NDArray[np.uint8], level: float) -> float:
    """Return the share of an RGB crop tinted towards red beyond the paper's own tint, over about 1 mm.

    A seal washed out by the scanner, a dry pad or a faded print run leaves a pale pink that the
    seal-red test misses; it is still seal ink, spread over millimetres, while the paper's tint
    (the crop's most common redness) and the sensor's colour noise are not.
    """
    rgb = crop_rgb.astype(np.int16)
    redness = rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])
    counts = np.cumsum(np.bincount((redness + 255).ravel(), minlength=511))
    paper = float(np.searchsorted(counts, 0.5 * counts[-1])) - 255.0
    reach = round(CROP_PX_PER_MM) | 1
    smooth = cv2.blur(redness.astype(np.float32), (reach, reach))
    return float(np.count_nonzero(smooth >= paper + level) / smooth.size)


def three_way(score: float, threshold: float, band: float) -> tuple[bool | None, float]:
    """Classify a measure against a threshold with a review band around it: (yes/no/unsure, confidence)."""
    low, high = threshold * (1 - band), threshold * (1 + band)
    if score >= high:
        return True, min(1.0, 0.7 + (score - high) / (high * 4))
    if score <= low:
        return False, min(1.0, 0.7 + (low - score) / max(low, 1e-6) * 0.3)
    return None, 0.4
