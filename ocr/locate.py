"""Finding the page (定位): the QR code gives identity and a first guess; the fiducials give alignment.

The code alone is too small to place bubbles 20 cm away, so it only predicts where the four
corner fiducials should be. Each fiducial is then found as a solid square near its prediction,
and the page's homography (layout millimetres → image pixels) is fitted from at least three of
them. The code's own corners, which the fit did not use, check it: when they disagree by more than
a tolerance the page is not guessed at, it is reported unreadable.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray

from ocr.layout import PageLayout, Rect
from ocr.settings import ReaderSettings

Matrix = NDArray[np.float64]


class NotAligned(Exception):
    """The page could not be aligned; ``message`` and ``hint`` say why and what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class FoundCode:
    """A QR code found on a page: its text and its four corners (TL, TR, BR, BL) in pixels."""

    text: str
    corners: NDArray[np.float64]


@dataclass(frozen=True)
class Alignment:
    """How layout millimetres map to image pixels on one page."""

    homography: Matrix
    px_per_mm: float
    rotation: int
    fiducials_found: int
    fit_error_mm: float
    fiducials: dict[str, tuple[float, float]]

    def to_px(self, points_mm: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map (n, 2) points from layout mm to image pixels."""
        pts = np.asarray(points_mm, dtype=np.float64).reshape(-1, 1, 2)
        return np.asarray(cv2.perspectiveTransform(pts, self.homography).reshape(-1, 2), dtype=np.float64)


def _codes(image: NDArray[np.uint8]) -> list[FoundCode]:
    found = []
    for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=True):  # type: ignore[arg-type, unused-ignore]
        p = result.position
        corners = np.array(
            [
                [p.top_left.x, p.top_left.y],
                [p.top_right.x, p.top_right.y],
                [p.bottom_right.x, p.bottom_right.y],
                [p.bottom_left.x, p.bottom_left.y],
            ],
            dtype=np.float64,
        )
        found.append(FoundCode(result.text, corners))
    return found


def find_codes(grey: NDArray[np.uint8]) -> list[FoundCode]:
    """Find the QR codes on a page, trying harder only when the easy ways fail.

    First on every other pixel (fast), then at full size, then binarised, then with toner dust
    filtered out (a dirty drum's streak across the code).
    """
    small = np.ascontiguousarray(grey[::2, ::2])
    found = [FoundCode(c.text, c.corners * 2.0) for c in _codes(small)]
    if found:
        return found
    found = _codes(grey)
    if found:
        return found
    binary = np.asarray(
        cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 51, 15),
        dtype=np.uint8,
    )
    found = _codes(binary)
    if found:
        return found
    return _codes(np.asarray(cv2.medianBlur(grey, 5), dtype=np.uint8))


def _code_corners_mm(page: PageLayout) -> NDArray[np.float64]:
    box = page.code
    return np.array(
        [[box.x, box.y], [box.right, box.y], [box.right, box.bottom], [box.x, box.bottom]], dtype=np.float64
    )


def _find_square(
    grey: NDArray[np.uint8],
    centre: tuple[float, float],
    size_px: float,
    radius_px: float,
    settings: ReaderSettings,
    inward: tuple[float, float] = (0.0, 0.0),
) -> tuple[float, float] | None:
    """Find the solid dark square nearest to ``centre`` within ``radius_px``; return its centroid."""
    height, width = grey.shape
    cx, cy = centre
    x0, y0 = int(max(0, cx - radius_px)), int(max(0, cy - radius_px))
    x1, y1 = int(min(width, cx + radius_px)), int(min(height, cy + radius_px))
    if x1 - x0 < size_px or y1 - y0 < size_px:
        return None
    window = grey[y0:y1, x0:x1]
    white = float(np.percentile(window, 90))
    black = float(window.min())
    if white - black < 60:
        return None
    _, binary = cv2.threshold(window, (white + black) / 2, 255, cv2.THRESH_BINARY_INV)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    tolerance = settings.fiducial_size_tolerance
    best: tuple[float, tuple[float, float]] | None = None
    for index in range(1, count):
        _, _, w, h, area = stats[index]
        if not (size_px * (1 - tolerance) <= w <= size_px * (1 + tolerance) * 1.15):
            continue
        if not (size_px * (1 - tolerance) <= h <= size_px * (1 + tolerance) * 1.15):
            continue
        if area < 0.75 * w * h or area < (size_px * (1 - tolerance)) ** 2:
            continue
        px, py = centroids[index]
        distance = math.hypot(px + x0 - cx, py + y0 - cy)
        if best is None or distance < best[0]:
            best = (distance, (float(px + x0), float(py + y0)))
    if best is not None:
        return best[1]
    found = _match_square(window, white, black, size_px, inward)
    return (found[0] + x0, found[1] + y0) if found else None


def _match_square(
    window: NDArray[np.uint8], white: float, black: float, size_px: float, inward: tuple[float, float]
) -> tuple[float, float] | None:
    """Find a square that touches something dark on one outer side (a scanner bed's border).

    Scores every position by how dark a square there is and how white the bands along its four
    sides are: both sides facing the middle of the page must be white, and at least one of the
    two outer sides (a border can take the other). The best such position is the square.
    """
    size = max(3, round(size_px))
    ring = max(2, round(size_px * 0.3))
    if window.shape[0] < size + 2 * ring or window.shape[1] < size + 2 * ring:
        return None
    dark = np.clip((white - window.astype(np.float32)) / max(white - black, 40.0), 0.0, 1.0)
    full = size + 2 * ring

    def mean_map(y0: int, y1: int, x0: int, x1: int) -> NDArray[np.float32]:
        template = np.zeros((full, full), dtype=np.float32)
        template[y0:y1, x0:x1] = 1.0 / ((y1 - y0) * (x1 - x0))
        return np.asarray(cv2.matchTemplate(dark, template, cv2.TM_CCORR), dtype=np.float32)

    inner = mean_map(ring, ring + size, ring, ring + size)
    sides = {
        "left": mean_map(ring, ring + size, 0, ring),
        "right": mean_map(ring, ring + size, ring + size, full),
        "top": mean_map(0, ring, ring, ring + size),
        "bottom": mean_map(ring + size, full, ring, ring + size),
    }
    facing = ["right" if inward[0] > 0 else "left", "bottom" if inward[1] > 0 else "top"]
    outer = [side for side in sides if side not in facing]
    valid = (inner > 0.8) & (sides[facing[0]] < 0.25) & (sides[facing[1]] < 0.25)
    valid &= np.minimum(sides[outer[0]], sides[outer[1]]) < 0.25
    if not valid.any():
        return None
    score = np.where(valid, inner - sides[facing[0]] - sides[facing[1]], -1.0)
    y, x = np.unravel_index(int(np.argmax(score)), score.shape)
    return (x + ring + (size - 1) / 2, y + ring + (size - 1) / 2)


def _align_by_rules(
    grey: NDArray[np.uint8],
    page: PageLayout,
    code: FoundCode,
    found: dict[str, tuple[float, float]],
    start: Matrix,
    projective: bool,
    px_per_mm: float,
    settings: ReaderSettings,
) -> Alignment | None:
    """Finish a fit the fiducials could not make alone by the page's own table rules.

    Two cases: a flatbed scan that lost two fiducials (a corner cut off, a bed border over them),
    started from the similarity of the code and the two left, corrected by an affine map; and a
    phone photo that lost one, whose perspective three squares cannot hold, corrected with the
    perspective too. The result must pass the same checks as any fit — the code where it puts it,
    the fiducials found where it puts them, every quarter's rules in place — and more of the rules
    (``rules_aligned_hit_fraction``), since the rules helped make the fit. None when any check fails.
    """
    matrix = start
    for reach in (2.5, 1.2, 0.6):
        refined = _follow_rules(grey, matrix, page, reach, projective)
        if refined is None:
            return None
        matrix = refined
    seen = [f for f in page.fiducials if f.corner in found]
    anchors_mm = np.vstack([_code_corners_mm(page), [[f.x, f.y] for f in seen]])
    anchors_px = np.vstack([code.corners, [found[f.corner] for f in seen]])
    error = float(np.max(np.linalg.norm(_project(matrix, anchors_mm) - anchors_px, axis=1))) / px_per_mm
    if error > settings.max_fit_error_mm:
        return None
    if _rules_off(grey, matrix, page, px_per_mm, settings, settings.rules_aligned_hit_fraction):
        return None
    return Alignment(matrix, px_per_mm, _rotation(matrix), len(found), error, found)


def _rule_points(page: PageLayout, shortest_mm: float, every_mm: float) -> NDArray[np.float64]:
    """Points along the layout's rules, each with the rule's unit normal: rows of (x, y, nx, ny)."""
    points: list[tuple[float, float, float, float]] = []
    for rule in page.rules:
        length = math.hypot(rule.x2 - rule.x1, rule.y2 - rule.y1)
        if length < shortest_mm:
            continue
        ux, uy = (rule.x2 - rule.x1) / length, (rule.y2 - rule.y1) / length
        for t in np.linspace(2.0, length - 2.0, max(2, int(length // every_mm))):
            points.append((rule.x1 + ux * t, rule.y1 + uy * t, -uy, ux))
    return np.array(points, dtype=np.float64).reshape(-1, 4)


def _follow_rules(
    grey: NDArray[np.uint8], matrix: Matrix, page: PageLayout, reach_mm: float, projective: bool
) -> Matrix | None:
    """Move the fit onto the table's rules: find each long rule across itself within ``reach_mm``.

    Every point along a long rule looks across the rule for the darkest dip; the correction
    (layout mm → layout mm; affine, or with ``projective`` a homography, linearised) that best
    explains those offsets is solved by least squares, twice, the second time without the points
    the first left far off (text beside a rule, a mark across it). None when too few points were
    seen in either direction to fix the page both ways.
    """
    points = _rule_points(page, 30.0, 6.0)
    steps = np.arange(-reach_mm, reach_mm + 1e-9, 0.1)
    probes = (points[:, None, :2] + steps[None, :, None] * points[:, None, 2:]).reshape(-1, 2)
    px = _project(matrix, probes).astype(np.float32).reshape(len(points), len(steps), 2)
    height, width = grey.shape
    inside = (
        (px[..., 0] >= 0) & (px[..., 0] < width - 1) & (px[..., 1] >= 0) & (px[..., 1] < height - 1)
    ).all(axis=1)
    values = cv2.remap(grey, px[..., 0], px[..., 1], cv2.INTER_LINEAR).astype(np.float32)
    paper = float(np.median(grey[::16, ::16]))
    darkest = values.argmin(axis=1)
    low = values.min(axis=1)
    seen = inside & (values.max(axis=1) > paper * 0.7) & (low < values.max(axis=1) * 0.8)
    seen &= (darkest > 0) & (darkest < len(steps) - 1)  # a dip at the end of the search is no rule found
    index = np.clip(darkest, 1, len(steps) - 2)
    rows = np.arange(len(points))
    before, here, after = values[rows, index - 1], values[rows, index], values[rows, index + 1]
    curve = before - 2 * here + after
    sub = np.where(curve > 0, 0.5 * (before - after) / np.where(curve > 0, curve, 1.0), 0.0)
    offset = steps[index] + np.clip(sub, -0.5, 0.5) * 0.1
    across = np.abs(points[:, 3]) > 0.5  # horizontal rules: their normal points down the page
    if (seen & across).sum() < 12 or (seen & ~across).sum() < 12:
        return None
    centre = np.array([page.width / 2, page.height / 2])
    x, y = ((points[:, :2] - centre) / 100.0).T
    nx, ny = points[:, 2], points[:, 3]
    columns = [nx * x, nx * y, nx, ny * x, ny * y, ny]
    if projective:
        along = nx * x + ny * y
        columns += [-x * along, -y * along]
    design = np.column_stack(columns)
    keep = seen.copy()
    solution = np.zeros(len(columns))
    for _ in range(2):
        solution, *_ = np.linalg.lstsq(design[keep], offset[keep], rcond=None)
        residual = np.abs(design @ solution - offset)
        spread = 1.4826 * float(np.median(residual[keep]))
        keep = seen & (residual <= max(0.25, 3.0 * spread))
        if (keep & across).sum() < 12 or (keep & ~across).sum() < 12:
            return None
    # offsets were in mm; in units u = (p - centre) / 100 the correction is this homography
    a, b, c, d, e, f, g, h = [value / 100 for value in [*solution, 0.0, 0.0][:8]]
    correction = np.array([[1 + a, b, c], [d, 1 + e, f], [g, h, 1.0]])
    to_units = np.array([[0.01, 0.0, -centre[0] / 100], [0.0, 0.01, -centre[1] / 100], [0.0, 0.0, 1.0]])
    return np.asarray(matrix @ np.linalg.inv(to_units) @ correction @ to_units, dtype=np.float64)


class ScanCover:
    """What of the page the scan did not see (扫描范围外): beyond the image, or under the scanner's dark bed.

    The bed shows as dark regions that reach the image's edge and are thick (a toner streak or a
    table rule is thin); they are found once per page at a quarter of the resolution. A field that
    reaches into them cannot be read: its empty-looking part was never scanned.
    """

    def __init__(self, grey: NDArray[np.uint8], px_per_mm: float) -> None:
        self.height, self.width = grey.shape
        small = np.ascontiguousarray(grey[::4, ::4])
        paper = float(np.median(grey[::16, ::16]))
        self.mask = np.zeros(small.shape, dtype=bool)
        self.any = False
        edges = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
        if not (edges < paper * 0.5).any():  # paper right to the edges: nothing is hidden (most scans)
            return
        thick = max(1, round(1.5 * px_per_mm / 4))
        dark = np.asarray(
            cv2.morphologyEx(
                (small < paper * 0.5).astype(np.uint8), cv2.MORPH_OPEN, np.ones((thick, thick), np.uint8)
            ),
            dtype=np.uint8,
        )
        count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
        rows, cols = small.shape
        bed = np.zeros(count, dtype=bool)
        for index in range(1, count):
            x, y, w, h, _ = stats[index]
            bed[index] = x == 0 or y == 0 or x + w >= cols or y + h >= rows
        self.mask = bed[labels]
        self.any = bool(bed.any())

    def hides(self, alignment: Alignment, rect: Rect) -> bool:
        """Whether any of ``rect`` (layout mm) lies outside the scan or under its bed."""
        x, y, w, h = rect.x, rect.y, rect.w, rect.h
        corners = alignment.to_px(np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]))
        if (corners < 0).any() or (corners[:, 0] >= self.width).any() or (corners[:, 1] >= self.height).any():
            return True
        if not self.any:
            return False
        quarter = np.round(corners / 4).astype(np.int32)
        (x0, y0), (x1, y1) = quarter.min(axis=0), quarter.max(axis=0) + 1
        under = self.mask[y0:y1, x0:x1]
        if not under.any():
            return False
        polygon = np.zeros(under.shape, dtype=np.uint8)
        cv2.fillConvexPoly(polygon, quarter - np.array([x0, y0], dtype=np.int32), 1)
        return bool((under & (polygon > 0)).any())


QUARTERS = {(0, 0): "左上部", (1, 0): "右上部", (0, 1): "左下部", (1, 1): "右下部"}


def _rules_off(
    grey: NDArray[np.uint8],
    matrix: Matrix,
    page: PageLayout,
    px_per_mm: float,
    settings: ReaderSettings,
    hit_fraction: float | None = None,
) -> str:
    """Check the fit everywhere on the page: the printed table rules must be where it puts them.

    Points along the layout's rules are projected into the scan; each must find dark ink within
    ``rule_tolerance_mm`` across the rule. Every quarter of the page is judged on its own, so a
    perspective error in one corner is caught even when the rest fits. Returns the quarter that
    fails, or "" when the fit holds.
    """
    data = _rule_points(page, 8.0, 25.0)
    if not len(data):
        return ""
    steps = np.linspace(-settings.rule_tolerance_mm, settings.rule_tolerance_mm, 9)
    probes = (data[:, None, :2] + steps[None, :, None] * data[:, None, 2:]).reshape(-1, 2)
    px = cv2.perspectiveTransform(probes.reshape(-1, 1, 2), matrix).reshape(-1, 2)
    height, width = grey.shape
    xs = np.clip(np.round(px[:, 0]).astype(int), 0, width - 1)
    ys = np.clip(np.round(px[:, 1]).astype(int), 0, height - 1)
    inside = (
        ((px[:, 0] >= 0) & (px[:, 0] < width) & (px[:, 1] >= 0) & (px[:, 1] < height))
        .reshape(len(data), -1)
        .all(axis=1)
    )
    values = grey[ys, xs].reshape(len(data), -1).astype(np.float32)
    paper = float(np.median(grey[::16, ::16]))
    inside &= values.max(axis=1) > paper * 0.7  # a probe lost in a dark scanner border tells nothing
    hit = (values.min(axis=1) < values.max(axis=1) * 0.88) | ~inside  # a dip below the paper beside it
    for (qx, qy), name in QUARTERS.items():
        mine = (
            ((data[:, 0] >= page.width / 2) == bool(qx))
            & ((data[:, 1] >= page.height / 2) == bool(qy))
            & inside
        )
        if mine.sum() >= 5 and hit[mine].mean() < (hit_fraction or settings.rule_hit_fraction):
            return name
    return ""


def _fit(source: NDArray[np.float64], target: NDArray[np.float64]) -> Matrix:
    if len(source) == 4:
        return np.asarray(
            cv2.getPerspectiveTransform(source.astype(np.float32), target.astype(np.float32)),
            dtype=np.float64,
        )
    affine = cv2.getAffineTransform(source[:3].astype(np.float32), target[:3].astype(np.float32))
    return np.vstack([affine, [0.0, 0.0, 1.0]]).astype(np.float64)


def _project(matrix: Matrix, points: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(
        cv2.perspectiveTransform(points.reshape(-1, 1, 2), matrix).reshape(-1, 2), dtype=np.float64
    )


def align(grey: NDArray[np.uint8], page: PageLayout, code: FoundCode, settings: ReaderSettings) -> Alignment:
    """Fit the page's homography from its fiducials, checked against the code's corners.

    The code's corners are only good to a pixel or two, so the first guess from them is a
    similarity (rotation, scale, shift), never a full perspective, which would swing wildly 20 cm away.
    """
    code_mm = _code_corners_mm(page)
    similarity, _ = cv2.estimateAffinePartial2D(code_mm.astype(np.float32), code.corners.astype(np.float32))
    if similarity is None:
        raise NotAligned("二维码位置无法解析。", "请以 200 dpi 重新扫描该页")
    first = np.vstack([similarity, [0.0, 0.0, 1.0]]).astype(np.float64)
    px_per_mm = float(np.linalg.norm(code.corners[1] - code.corners[0]) / page.code.w)
    if not 2.0 <= px_per_mm <= 20.0:
        raise NotAligned(
            f"二维码大小异常（约 {px_per_mm * 25.4:.0f} dpi）。", "请以 200 dpi 扫描，按 100% 比例打印表格"
        )
    found: dict[str, tuple[float, float]] = {}
    middle = _project(first, np.array([[page.width / 2, page.height / 2]]))[0]
    code_centre = np.array([page.code.x + page.code.w / 2, page.code.y + page.code.h / 2])
    # nearest fiducials first; each one found sharpens the guess for the farther ones (perspective)
    order = sorted(page.fiducials, key=lambda f: float(np.hypot(f.x - code_centre[0], f.y - code_centre[1])))
    guide = first
    for fid in order:
        guess = _project(guide, np.array([[fid.x, fid.y]]))[0]
        inward = (float(np.sign(middle[0] - guess[0])), float(np.sign(middle[1] - guess[1])))
        spot = _find_square(
            grey,
            (float(guess[0]), float(guess[1])),
            fid.size * px_per_mm,
            settings.fiducial_search_mm * px_per_mm,
            settings,
            inward,
        )
        if spot is None:
            continue
        found[fid.corner] = spot
        known = [f for f in page.fiducials if f.corner in found]
        anchors_mm = np.vstack([code_mm, [[f.x, f.y] for f in known]]).astype(np.float32)
        anchors_px = np.vstack([code.corners, [found[f.corner] for f in known]]).astype(np.float32)
        refined, _ = cv2.estimateAffine2D(anchors_mm, anchors_px)
        if refined is not None:
            guide = np.vstack([refined, [0.0, 0.0, 1.0]]).astype(np.float64)
    if len(found) < 3:
        if found and _span_mm(page, found) >= settings.rules_aligned_span_mm:
            # a flatbed scan: the code and the squares left fix all but the last fraction of a mm
            start = _similarity(page, code, found)
            if start is not None and (
                by_rules := _align_by_rules(grey, page, code, found, start, False, px_per_mm, settings)
            ):
                return by_rules
        missing = "、".join(
            {"tl": "左上", "tr": "右上", "bl": "左下", "br": "右下"}[f.corner]
            for f in page.fiducials
            if f.corner not in found
        )
        raise NotAligned(
            f"只找到 {len(found)} 个角上的定位方块（缺{missing}），无法对齐。",
            "请把整页放平扫描，不要裁掉页边，不要折角",
        )
    corners = [f for f in page.fiducials if f.corner in found]
    # all fiducials first; subsets of three only if the full fit fails (one square may be misfound)
    candidates: list[tuple[float, Matrix]] = []
    for subset in [corners] if len(corners) == 3 else [corners, *itertools.combinations(corners, 3)]:
        source = np.array([[f.x, f.y] for f in subset], dtype=np.float64)
        target = np.array([found[f.corner] for f in subset], dtype=np.float64)
        matrix = _fit(source, target)
        candidates.append(
            (
                float(np.max(np.linalg.norm(_project(matrix, code_mm) - code.corners, axis=1))) / px_per_mm,
                matrix,
            )
        )
    fitting = [c for c in candidates if c[0] <= settings.max_fit_error_mm]
    for error, matrix in [*fitting[:1], *sorted(fitting[1:], key=lambda c: c[0])]:
        if not _rules_off(grey, matrix, page, px_per_mm, settings):
            return Alignment(matrix, px_per_mm, _rotation(matrix), len(found), error, found)
    # three squares cannot hold a phone photo's perspective: the table's rules can
    error, matrix = min(candidates, key=lambda c: c[0])
    if by_rules := _align_by_rules(grey, page, code, found, matrix, True, px_per_mm, settings):
        return by_rules
    if not fitting:
        raise NotAligned(
            f"定位方块与二维码位置不一致（相差 {error:.1f} mm），无法可靠对齐。",
            "请按“实际大小（100%）”打印表格，把页面放平重新扫描；手机拍照请正对页面",
        )
    weak = _rules_off(grey, fitting[0][1], page, px_per_mm, settings)
    raise NotAligned(
        f"版面在{weak}与扫描件对不上（表格线偏离超过 {settings.rule_tolerance_mm} mm），无法可靠对齐。",
        "请把页面放平重新扫描；手机拍照请正对页面、不要倾斜，四个角的定位方块都要拍进去",
    )


def _rotation(matrix: Matrix) -> int:
    """Return the page's quarter turn in the scan: 0, 90, 180 or 270."""
    origin, right = _project(matrix, np.array([[0.0, 0.0], [100.0, 0.0]]))
    angle = math.degrees(math.atan2(right[1] - origin[1], right[0] - origin[0]))
    return round(angle / 90.0) % 4 * 90


def _span_mm(page: PageLayout, found: dict[str, tuple[float, float]]) -> float:
    """Return how far apart on the page the code and the fiducials found lie (the longest distance)."""
    code = np.array([page.code.x + page.code.w / 2, page.code.y + page.code.h / 2])
    anchors = [code, *(np.array([f.x, f.y]) for f in page.fiducials if f.corner in found)]
    return max(float(np.linalg.norm(a - b)) for a in anchors for b in anchors)


def _similarity(page: PageLayout, code: FoundCode, found: dict[str, tuple[float, float]]) -> Matrix | None:
    """Fit a rotation, one scale and a shift to the code's corners and the fiducials found."""
    corners = [f for f in page.fiducials if f.corner in found]
    source = np.vstack([_code_corners_mm(page), [[f.x, f.y] for f in corners]]).astype(np.float32)
    target = np.vstack([code.corners, [found[f.corner] for f in corners]]).astype(np.float32)
    similarity, _ = cv2.estimateAffinePartial2D(source, target, method=cv2.LMEDS)
    return None if similarity is None else np.vstack([similarity, [0.0, 0.0, 1.0]]).astype(np.float64)
