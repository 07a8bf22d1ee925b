"""Page intake (读入页面): PDFs, multi-page TIFFs, JPEGs and PNGs, streamed one page at a time.

Scanned PDF pages are rasterised at the resolution of their embedded image (within limits); PDF
pages drawn as vectors — our own forms filled on screen — are handed over as digital pages, to
be read without OCR. Every problem becomes a :class:`PageProblem` naming the file and page and
saying what to do; one bad page never stops the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from numpy.typing import NDArray
from PIL import Image, ImageSequence, UnidentifiedImageError

from ocr.settings import ReaderSettings

A4_LONG_INCHES = 297 / 25.4
RESCAN = "请以 200 dpi 彩色重新扫描该页"


@dataclass
class PageImage:
    """A page as pixels: RGB (or single-channel grey) with its approximate resolution."""

    source: str
    index: int
    pixels: NDArray[np.uint8]
    dpi: float
    greyscale: bool


@dataclass
class DigitalPage:
    """A vector PDF page of our own forms (filled on screen, or never printed)."""

    source: str
    index: int
    path: Path
    pixels: NDArray[np.uint8]
    dpi: float


@dataclass
class PageProblem:
    """A page (or whole file) that cannot be read, with what to do."""

    source: str
    index: int
    message: str
    hint: str


Page = PageImage | DigitalPage | PageProblem


def sniff(path: Path) -> str | None:
    """Return ``pdf``, ``tiff``, ``jpeg`` or ``png`` from a file's first bytes, or None."""
    with path.open("rb") as handle:
        return sniff_head(handle.read(8))


def sniff_head(head: bytes) -> str | None:
    """Return ``pdf``, ``tiff``, ``jpeg`` or ``png`` from the first eight bytes of a file, or None."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _estimated_dpi(width: int, height: int) -> float:
    """Return the resolution of an A4 page scanned to this many pixels."""
    return max(width, height) / A4_LONG_INCHES


def looks_greyscale(pixels: NDArray[np.uint8], chroma: int = 40, count: int = 20) -> bool:
    """Whether a page carries no colour at all: one channel, or (almost) no pixel with real chroma.

    A colour scan of a black-and-white page also counts as grey; that is harmless, because seals
    are read as "red present" first and only a page with no colour anywhere is suspected grey.
    """
    if pixels.ndim == 2:
        return True
    sample = pixels[::3, ::3]
    spread = sample.max(axis=2).astype(np.int16) - sample.min(axis=2)
    return int((spread > chroma).sum()) < count


def _from_pil(
    image: Image.Image, source: str, index: int, settings: ReaderSettings
) -> PageImage | PageProblem:
    width, height = image.size
    if width * height > settings.max_pixels:
        return PageProblem(
            source,
            index,
            f"图像 {width}×{height} 像素过大（上限 {settings.max_pixels} 像素），已拒绝。",
            "请以 200 dpi 扫描 A4 页面",
        )
    dpi = _estimated_dpi(width, height)
    if dpi < settings.min_dpi:
        return PageProblem(source, index, f"图像分辨率约 {dpi:.0f} dpi，过低无法识读。", RESCAN)
    try:
        if image.mode in ("1", "L", "I;16", "I", "F"):
            pixels = np.asarray(image.convert("L"))
        else:
            pixels = np.asarray(image.convert("RGB"))
    except (OSError, ValueError) as exc:
        return PageProblem(
            source, index, f"图像文件不完整或已损坏（{exc}）。", "请重新扫描，或重新复制该文件"
        )
    return PageImage(source, index, np.ascontiguousarray(pixels), dpi, looks_greyscale(pixels))


def _images(path: Path, settings: ReaderSettings, only: frozenset[int] | None = None) -> Iterator[Page]:
    source = path.name
    Image.MAX_IMAGE_PIXELS = settings.max_pixels
    try:
        with Image.open(path) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= settings.max_pages:
                    yield PageProblem(
                        source, index, f"超过 {settings.max_pages} 页，其余页未读。", "请拆分为多个文件"
                    )
                    return
                yield _from_pil(frame, source, index, settings)
    except Image.DecompressionBombError as exc:
        yield PageProblem(
            source, 0, f"图像像素数异常巨大，疑似恶意文件，已拒绝（{exc}）。", "请检查文件来源，重新扫描"
        )
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        yield PageProblem(
            source, 0, f"无法读取图像文件（{exc}）。", "文件可能不完整或已损坏，请重新扫描或重新复制"
        )


def _pdf_page_kind(page: pdfium.PdfPage) -> tuple[bool, int]:
    """Return whether a page is a scan (an image covering most of it) and that image's pixel width."""
    page_w, page_h = page.get_size()
    best_width = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) >= 0.5 * page_w * page_h:
            width, _ = obj.get_px_size()
            best_width = max(best_width, int(width * page_w / max(1.0, right - left)))
    return best_width > 0, best_width


def _pdf(path: Path, settings: ReaderSettings, only: frozenset[int] | None = None) -> Iterator[Page]:
    source = path.name
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        text = str(exc)
        if "password" in text.lower():
            yield PageProblem(source, 0, "PDF 设置了打开密码，无法读取。", "请导出不带密码的 PDF 后再导入")
        else:
            yield PageProblem(
                source, 0, f"PDF 文件已损坏，无法打开（{text}）。", "请重新扫描或重新导出该文件"
            )
        return
    try:
        count = len(document)
        if count > settings.max_pages:
            yield PageProblem(
                source,
                0,
                f"PDF 有 {count} 页，超过上限 {settings.max_pages} 页。",
                "请拆分为多个文件分批导入",
            )
            return
        for index in range(count):
            if only is not None and index not in only:
                continue
            page = document[index]
            try:
                scanned, image_width = _pdf_page_kind(page)
                page_w, page_h = page.get_size()
                if scanned:
                    dpi = min(settings.max_render_dpi, max(settings.min_dpi, image_width / (page_w / 72)))
                else:
                    dpi = 200.0
                if (page_w / 72 * dpi) * (page_h / 72 * dpi) > settings.max_pixels:
                    yield PageProblem(source, index, "PDF 页面尺寸异常巨大，已拒绝。", "请以 A4 幅面扫描")
                    continue
                bitmap = page.render(scale=dpi / 72, grayscale=False)
                pixels = np.ascontiguousarray(bitmap.to_numpy()[..., :3][..., ::-1])
                bitmap.close()
                if scanned:
                    yield PageImage(source, index, pixels, dpi, looks_greyscale(pixels))
                else:
                    yield DigitalPage(source, index, path, pixels, dpi)
            except pdfium.PdfiumError as exc:
                yield PageProblem(source, index, f"该页无法渲染（{exc}）。", RESCAN)
            finally:
                page.close()
    finally:
        document.close()


def iter_pages(
    path: Path, settings: ReaderSettings | None = None, only: frozenset[int] | None = None
) -> Iterator[Page]:
    """Yield every page of a scan file (or just the ``only`` pages), one at a time, or what stops it being read."""
    settings = settings or ReaderSettings()
    source = path.name
    if not path.exists():
        yield PageProblem(source, 0, f"文件 {path} 不存在。", "请检查文件路径")
        return
    size = path.stat().st_size
    if size == 0:
        yield PageProblem(source, 0, "文件是空的（0 字节）。", "请重新扫描或重新复制该文件")
        return
    if size > settings.max_file_bytes:
        yield PageProblem(
            source,
            0,
            f"文件有 {size // 2**20} MB，超过上限 {settings.max_file_bytes // 2**20} MB。",
            "请拆分为多个文件分批导入",
        )
        return
    kind = sniff(path)
    if kind is None:
        yield PageProblem(
            source, 0, "不是可识读的扫描文件（支持 PDF、TIFF、JPEG、PNG）。", "请用扫描仪导出 PDF 或图像文件"
        )
    elif kind == "pdf":
        yield from _pdf(path, settings, only)
    else:
        yield from _images(path, settings, only)


def count_pages(path: Path) -> int:
    """Return how many pages a scan file has (1 for a file that cannot be opened: its one problem)."""
    kind = sniff(path) if path.exists() and path.stat().st_size else None
    try:
        if kind == "pdf":
            document = pdfium.PdfDocument(str(path))
            try:
                return max(1, len(document))
            finally:
                document.close()
        if kind == "tiff":
            with Image.open(path) as image:
                return max(1, int(getattr(image, "n_frames", 1)))
    except (pdfium.PdfiumError, OSError, UnidentifiedImageError):
        return 1
    return 1
