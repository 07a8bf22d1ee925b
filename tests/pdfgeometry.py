"""Reading back what a PDF page really draws (pdfplumber), in millimetres from the top-left corner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
from PIL import Image

PT_TO_MM = 25.4 / 72


@dataclass(frozen=True)
class Drawn:
    """One drawn object: its bounding box in mm and whether it is filled."""

    x0: float
    top: float
    x1: float
    bottom: float
    fill: bool

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


def _drawn(obj: dict[str, Any]) -> Drawn:
    return Drawn(
        obj["x0"] * PT_TO_MM,
        obj["top"] * PT_TO_MM,
        obj["x1"] * PT_TO_MM,
        obj["bottom"] * PT_TO_MM,
        bool(obj.get("fill")),
    )


@dataclass
class PageDrawing:
    """Everything pdfplumber found on one page."""

    rects: list[Drawn]
    curves: list[Drawn]
    lines: list[Drawn]
    text: str
    fonts: set[str]
    annots: list[dict[str, Any]]


def read_pages(path: Path, limit: int | None = None) -> list[PageDrawing]:
    """Return the drawing of every page (or of the first ``limit`` pages)."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[:limit]:
            pages.append(
                PageDrawing(
                    rects=[_drawn(r) for r in page.rects],
                    curves=[_drawn(c) for c in page.curves],
                    lines=[_drawn(line) for line in page.lines],
                    text=page.extract_text() or "",
                    fonts={c["fontname"] for c in page.chars},
                    annots=list(page.annots),
                )
            )
    return pages


def covered(lines: list[Drawn], x1: float, y1: float, x2: float, y2: float, tol: float) -> bool:
    """Whether the straight segment (x1,y1)–(x2,y2) lies on drawn lines, within ``tol`` mm."""
    if abs(y1 - y2) < 1e-6:  # horizontal
        spans = sorted(
            (line.x0, line.x1) for line in lines if abs(line.top - y1) <= tol and abs(line.bottom - y1) <= tol
        )
        lo, hi = min(x1, x2), max(x1, x2)
    else:
        spans = sorted(
            (line.top, line.bottom) for line in lines if abs(line.x0 - x1) <= tol and abs(line.x1 - x1) <= tol
        )
        lo, hi = min(y1, y2), max(y1, y2)
    reach = lo
    for start, end in spans:
        if start - tol <= reach:
            reach = max(reach, end)
    return reach >= hi - tol


def texts_in(path: Path, page_number: int, boxes: list[tuple[float, float, float, float]]) -> list[str]:
    """Return the text inside each box (x0, top, x1, bottom in mm) of a page, without spaces or line breaks."""
    scale = 72 / 25.4
    with pdfplumber.open(path, pages=[page_number]) as pdf:
        page = pdf.pages[0]
        return [
            "".join((page.within_bbox(tuple(v * scale for v in box)).extract_text() or "").split())  # type: ignore[arg-type]
            for box in boxes
        ]


def table_cells(path: Path) -> list[str]:
    """Return the text of every table cell of a PDF (line breaks and spaces removed)."""
    with pdfplumber.open(path) as pdf:
        return [
            "".join(cell.split())
            for page in pdf.pages
            for table in page.extract_tables()
            for row in table
            for cell in row
            if cell
        ]


def render_page(path: Path, index: int = 0, dpi: float = 200) -> Image.Image:
    """Rasterise one page of a PDF to an RGB image, as a scanner at ``dpi`` would see it."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        return document[index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
