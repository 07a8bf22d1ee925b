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

from ocr.layout import PageLayout
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


QUARTERS = {(0, 0): "左上部", (1, 0): "右上部", (0, 1): "左下部", (1, 1): "右下部"}


def _rules_off(
    grey: NDArray[np.uint8], matrix: Matrix, page: PageLayout, px_per_mm: float, settings: ReaderSettings
) -> str:
    """Check the fit everywhere on the page: the printed table rules must be where it puts them.

    Points along the layout's rules are projected into the scan; each must find dark ink within
    ``rule_tolerance_mm`` across the rule. Every quarter of the page is judged on its own, so a
    perspective error in one corner is caught even when the rest fits. Returns the quarter that
    fails, or "" when the fit holds.
    """
    points: list[tuple[float, float, float, float]] = []
    for rule in page.rules:
        length = math.hypot(rule.x2 - rule.x1, rule.y2 - rule.y1)
        if length < 8.0:
            continue
        ux, uy = (rule.x2 - rule.x1) / length, (rule.y2 - rule.y1) / length
        for t in np.linspace(2.0, length - 2.0, max(2, int(length // 25))):
            points.append((rule.x1 + ux * t, rule.y1 + uy * t, -uy, ux))
    if not points:
        return ""
    data = np.array(points)
    steps = np.linspace(-settings.rule_tolerance_mm, settings.rule_tolerance_mm, 9)
    probes = (data[:, None, :2] + steps[None, :, None] * data[:, None, 2:]).reshape(-1, 2)
    px = cv2.perspectiveTransform(probes.reshape(-1, 1, 2), matrix).reshape(-1, 2)
    height, width = grey.shape
    xs = np.clip(np.round(px[:, 0]).astype(int), 0, width - 1)
    ys = np.clip(np.round(px[:, 1]).astype(int), 0, height - 1)
    inside = (
        ((px[:, 0] >= 0) & (px[:, 0] < width) & (px[:, 1] >= 0) & (px[:, 1] < height))
        .reshape(len(points), -1)
        .all(axis=1)
    )
    values = grey[ys, xs].reshape(len(points), -1).astype(np.float32)
    paper = float(np.median(grey[::16, ::16]))
    inside &= values.max(axis=1) > paper * 0.7  # a probe lost in a dark scanner border tells nothing
    hit = (values.min(axis=1) < values.max(axis=1) * 0.88) | ~inside  # a dip below the paper beside it
    for (qx, qy), name in QUARTERS.items():
        mine = (
            ((data[:, 0] >= page.width / 2) == bool(qx))
            & ((data[:, 1] >= page.height / 2) == bool(qy))
            & inside
        )
        if mine.sum() >= 5 and hit[mine].mean() < settings.rule_hit_fraction:
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
    if not fitting:
        error = min(c[0] for c in candidates)
        raise NotAligned(
            f"定位方块与二维码位置不一致（相差 {error:.1f} mm），无法可靠对齐。",
            "请按“实际大小（100%）”打印表格，把页面放平重新扫描；手机拍照请正对页面",
        )
    weak = ""
    error, matrix = fitting[0]
    for candidate in [fitting[0], *sorted(fitting[1:], key=lambda c: c[0])]:
        weak = _rules_off(grey, candidate[1], page, px_per_mm, settings)
        if not weak:
            error, matrix = candidate
            break
    if weak:
        raise NotAligned(
            f"版面在{weak}与扫描件对不上（表格线偏离超过 {settings.rule_tolerance_mm} mm），无法可靠对齐。",
            "请把页面放平重新扫描；手机拍照请正对页面、不要倾斜，四个角的定位方块都要拍进去",
        )
    origin, right = _project(matrix, np.array([[0.0, 0.0], [100.0, 0.0]]))
    angle = math.degrees(math.atan2(right[1] - origin[1], right[0] - origin[0]))
    rotation = round(angle / 90.0) % 4 * 90
    return Alignment(matrix, px_per_mm, rotation, len(found), error, found)
