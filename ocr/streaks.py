"""Streaks (条纹污痕): toner streaks and dirty-drum smears that run the length of the page.

A laser printer's or copier's dirty drum leaves bands of toner dust across the whole sheet, and a
scanner with dirt on its glass draws a line down every page. Inside a handwriting box such a band
looks like writing. Handwriting stays near its box; a streak crosses the page's open paper (where
nothing is printed and nothing is written) from one end to the other. So the open paper is
checked band by band: a column or row of bands with dirt spread along the page is a streak, and
the boxes it crosses cannot be trusted to say "written".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.layout import PageLayout, Rect
from ocr.locate import Alignment
from ocr.settings import ReaderSettings

PX_PER_MM = 2.0
PT_MM = 25.4 / 72


@dataclass(frozen=True)
class Streaks:
    """The page's streaked columns and rows, as mm intervals on the layout."""

    columns: tuple[tuple[float, float], ...] = ()
    rows: tuple[tuple[float, float], ...] = ()

    def crosses(self, rect: Rect) -> bool:
        """Whether any streak runs through the rectangle."""
        return any(a < rect.right and b > rect.x for a, b in self.columns) or any(
            a < rect.bottom and b > rect.y for a, b in self.rows
        )

    def __bool__(self) -> bool:
        return bool(self.columns or self.rows)


_OPEN_PAPER: dict[int, tuple[PageLayout, NDArray[np.bool_]]] = {}


def open_paper(page: PageLayout) -> NDArray[np.bool_]:
    """Return where the page is open paper: nothing printed, nothing to write, at 2 px per mm (cached)."""
    cached = _OPEN_PAPER.get(id(page))
    if cached is not None and cached[0] is page:
        return cached[1]
    if len(_OPEN_PAPER) >= 64:
        _OPEN_PAPER.clear()
    mask = _open_paper(page)
    _OPEN_PAPER[id(page)] = (page, mask)
    return mask


def _open_paper(page: PageLayout) -> NDArray[np.bool_]:
    k = PX_PER_MM
    mask = np.ones((round(page.height * k), round(page.width * k)), dtype=np.uint8)

    def block(rect: Rect, pad: float) -> None:
        x0, y0 = max(0, round((rect.x - pad) * k)), max(0, round((rect.y - pad) * k))
        x1, y1 = round((rect.right + pad) * k), round((rect.bottom + pad) * k)
        mask[y0:y1, x0:x1] = 0

    for fiducial in page.fiducials:
        half = fiducial.size / 2
        block(Rect(x=fiducial.x - half, y=fiducial.y - half, w=fiducial.size, h=fiducial.size), 3.0)
    block(page.code, 3.0)
    for field in page.fields:
        block(field.rect, 2.0)
    for line in page.texts:
        size = line.size * PT_MM
        width = len(line.text) * size
        left = {"left": line.x, "center": line.x - width / 2, "right": line.x - width}[line.align]
        block(Rect(x=left, y=line.y - size, w=width, h=size * 1.3), 1.5)
    for rule in page.rules:
        x, y = min(rule.x1, rule.x2), min(rule.y1, rule.y2)
        block(Rect(x=x, y=y, w=abs(rule.x2 - rule.x1), h=abs(rule.y2 - rule.y1)), 1.5)
    return np.asarray(mask > 0)


def find_streaks(
    page_grey: NDArray[np.uint8], alignment: Alignment, page: PageLayout, settings: ReaderSettings
) -> Streaks:
    """Find the bands of dirt that cross the page's open paper along its length or width."""
    upright = _upright(page_grey, alignment, page)
    paper = open_paper(page)
    # only the page inside the fiducials: outside them lie the scanner border and clipped edges
    xs = [f.x for f in page.fiducials]
    ys = [f.y for f in page.fiducials]
    k = PX_PER_MM
    inside = np.zeros_like(paper)
    inside[round(min(ys) * k) : round(max(ys) * k), round(min(xs) * k) : round(max(xs) * k)] = True
    paper = paper & inside
    # dirt is darker than the paper around it, so uneven light (a darker side, a shadowed corner) is not
    # dirt: the local paper is the page with everything narrower than 15 mm closed over
    reach = round(15 * k) | 1
    white = cv2.blur(cv2.dilate(upright, np.ones((reach, reach), np.uint8)), (reach, reach))
    dirt = (cv2.subtract(white, upright) > settings.streak_darkness * 255) & paper
    return Streaks(
        columns=_bands(dirt, paper, settings, along=0),
        rows=_bands(dirt, paper, settings, along=1),
    )


def _upright(page_grey: NDArray[np.uint8], alignment: Alignment, page: PageLayout) -> NDArray[np.uint8]:
    """Return the page upright at 2 px per mm, each pixel the mean of the scan pixels it covers.

    Averaging (not sampling) keeps a cloud of toner dust as grey as it looks: sampled every half
    millimetre it would come out as a few scattered dots, or as nothing.
    """
    height, width = page_grey.shape
    shrink = min(1.0, PX_PER_MM / alignment.px_per_mm)
    size = (max(1, round(width * shrink)), max(1, round(height * shrink)))
    small = cv2.resize(page_grey, size, interpolation=cv2.INTER_AREA) if shrink < 1.0 else page_grey
    sx, sy = size[0] / width, size[1] / height
    # scan pixel x maps to (x + 0.5) * s - 0.5 in the shrunk image (pixel centres)
    to_small = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])
    k = PX_PER_MM
    scale = np.array([[1 / k, 0.0, 0.0], [0.0, 1 / k, 0.0], [0.0, 0.0, 1.0]])
    out = cv2.warpPerspective(
        small,
        to_small @ alignment.homography @ scale,
        (round(page.width * k), round(page.height * k)),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderValue=255,
    )
    return np.asarray(out, dtype=np.uint8)


def _bands(
    dirt: NDArray[np.bool_], paper: NDArray[np.bool_], settings: ReaderSettings, along: int
) -> tuple[tuple[float, float], ...]:
    """Return the mm intervals of bands whose dirt is spread along the page (``along`` = 0: columns).

    Bands are laid every half band width, so a streak is never missed for straddling two of them.
    """
    k = PX_PER_MM
    width = max(1, round(settings.streak_band_mm * k))
    step = max(1, width // 2)
    if along == 1:
        dirt, paper = dirt.T, paper.T
    length, across = dirt.shape
    edges = np.linspace(0, length, settings.streak_sections + 1).astype(int)[:-1]
    starts = np.arange(0, across - width + 1, step)

    def per_section(pixels: NDArray[np.bool_]) -> NDArray[np.int64]:
        lines = np.add.reduceat(pixels.astype(np.int32), edges, axis=0)  # sections × across
        running = np.concatenate([np.zeros((len(edges), 1), np.int64), np.cumsum(lines, axis=1)], axis=1)
        return np.asarray(running[:, starts + width] - running[:, starts], dtype=np.int64)

    open_px, dirt_px = per_section(paper), per_section(dirt)
    seen = open_px >= width * k * 2
    hits = seen & (dirt_px >= open_px * settings.streak_dirt_share)
    own = hits.any(axis=0)
    # a streak made along one axis lies slanted along the other after a skew: let it drift a little,
    # as long as it passes through the band itself somewhere
    drift = round(settings.streak_drift_mm * k / step)
    if drift:
        padded = np.pad(hits, ((0, 0), (drift, drift)))
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * drift + 1, axis=1)
        hits = np.asarray(windows.any(axis=2) & own, dtype=bool)
    # a band whose open paper lies only at its two ends (a table column) is a streak when both ends are dirty
    sections = np.arange(len(edges))[:, None]
    first = np.where(seen, sections, len(edges)).min(axis=0)
    last = np.where(seen, sections, -1).max(axis=0)
    columns = np.arange(len(starts))
    both_ends = (
        (last - first >= len(edges) // 2)
        & hits[np.minimum(first, len(edges) - 1), columns]
        & hits[np.maximum(last, 0), columns]
    )
    found: list[tuple[float, float]] = []
    for band in np.flatnonzero((hits.sum(axis=0) >= settings.streak_min_sections) | both_ends):
        lo, hi = float(starts[band] / k), float((starts[band] + width) / k)
        if found and found[-1][1] >= lo - 1e-6:
            found[-1] = (found[-1][0], hi)
        else:
            found.append((lo, hi))
    return tuple(found)
