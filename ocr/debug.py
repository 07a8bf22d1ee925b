"""Debug images (对齐检查图): the aligned layout drawn over the scan, each field coloured by status."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.layout import PageLayout
from ocr.locate import Alignment
from ocr.reading import FieldStatus, PageReading

GREEN = (40, 160, 40)
ORANGE = (255, 140, 0)
BLUE = (30, 90, 220)


def draw_debug(
    pixels: NDArray[np.uint8], alignment: Alignment, page: PageLayout, reading: PageReading, folder: Path
) -> Path:
    """Write ``<serial>-p<page>.png``: fields green when accepted, orange for review; fiducials blue."""
    image = pixels.copy() if pixels.ndim == 3 else cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB)
    status = {f.name: f.status for f in reading.fields}
    for field in page.fields:
        corners = np.array(
            [
                [field.rect.x, field.rect.y],
                [field.rect.right, field.rect.y],
                [field.rect.right, field.rect.bottom],
                [field.rect.x, field.rect.bottom],
            ]
        )
        points = alignment.to_px(corners).astype(np.int32)
        colour = (
            GREEN
            if status.get(field.name) == FieldStatus.accepted
            else ORANGE
            if field.name in status
            else BLUE
        )
        cv2.polylines(image, [points.reshape(-1, 1, 2)], True, colour, 2)
        for bubble in field.bubbles:
            centre = alignment.to_px(np.array([[bubble.x, bubble.y]]))[0]
            cv2.circle(
                image,
                (int(centre[0]), int(centre[1])),
                max(2, int(bubble.r * alignment.px_per_mm)),
                colour,
                1,
            )
    for x, y in alignment.fiducials.values():
        cv2.drawMarker(image, (int(x), int(y)), BLUE, cv2.MARKER_CROSS, 40, 2)
    folder.mkdir(parents=True, exist_ok=True)
    name = (
        f"{reading.identity.serial}-p{reading.identity.page}.png"
        if reading.identity
        else f"page-{reading.page_index + 1}.png"
    )
    target = folder / name
    small = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(target), cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
    return target
