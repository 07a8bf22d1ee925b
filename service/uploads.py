"""Uploaded files (上传文件): streamed to disk under a size limit, sniffed by content, safely named.

A browser or a script names its files; those names are never trusted as paths. Each file is
copied in chunks into the job's folder, refused as soon as it passes the limit, and accepted only
when its first bytes say it is one of the kinds the caller expects, whatever its suffix claims.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from ocr.intake import sniff_head
from service.errors import InputFileError, TooLarge, UnsupportedType

CHUNK = 1024 * 1024
MAX_NAME = 120

# content kind -> (suffixes it may carry, what a person calls it)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "PDF"),
    "tiff": ((".tif", ".tiff"), "TIFF 图像"),
    "jpeg": ((".jpg", ".jpeg"), "JPEG 图像"),
    "png": ((".png",), "PNG 图像"),
    "docx": ((".docx",), "Word 文档 (.docx)"),
    "xlsx": ((".xlsx",), "Excel 工作簿 (.xlsx)"),
}
SCAN_KINDS = ("pdf", "tiff", "jpeg", "png", "docx")
ROSTER_KINDS = ("xlsx",)


def safe_name(name: str) -> str:
    """Return a file name safe to store: no folders, no control or shell characters, not hidden."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.\-（）()【】 ]", "_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower()[:10]
    stem = stem[: MAX_NAME - len(suffix) - 1] or "上传文件"
    return f"{stem}.{suffix}" if suffix else stem


def sniff_kind(head: bytes, path: Path | None = None) -> str | None:
    """Return the content kind the first bytes show (a ZIP is opened to tell Word from Excel)."""
    scan = sniff_head(head)
    if scan is not None:
        return scan
    if head.startswith(b"PK\x03\x04") and path is not None:
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def _describe(kinds: Iterable[str]) -> str:
    return "、".join(KINDS[k][1] for k in kinds)


def _unused(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = target.stem, target.suffix
    number = 2
    while target.exists():
        target = folder / f"{stem}-{number}{suffix}"
        number += 1
    return target


def save_upload(source: BinaryIO, folder: Path, name: str, limit: int, kinds: Iterable[str]) -> Path:
    """Stream one upload into ``folder`` and return where it was kept; refuse it with a reason.

    The file must be non-empty, at most ``limit`` bytes, and of one of ``kinds`` by content; its
    suffix is set from the content, so ``扫描.jpg`` that is really a PDF is kept as a PDF.
    """
    allowed = tuple(kinds)
    shown = safe_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    partial = _unused(folder, f".{shown}.part")
    size = 0
    try:
        with partial.open("wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"文件 {shown} 超过上限 {limit // 2**20} MB，未接收。",
                        hint="请把扫描件拆分为多个较小的文件（如每 200 页一个 PDF）再上传。",
                    )
                out.write(chunk)
        if size == 0:
            raise InputFileError(
                f"文件 {shown} 是空文件（0 字节），未接收。", hint="请重新扫描或重新选择文件。"
            )
        with partial.open("rb") as handle:
            head = handle.read(16)
        kind = sniff_kind(head, partial)
        if kind not in allowed:
            found = KINDS[kind][1] if kind else "无法识别的格式"
            raise UnsupportedType(
                f"文件 {shown} 的内容是{found}，这里只接收{_describe(allowed)}。",
                hint="请检查是否选错了文件；图片请保存为 PDF、TIFF、JPEG 或 PNG。",
            )
        suffixes = KINDS[kind][0]
        stem = Path(shown).stem if Path(shown).suffix.lower() in suffixes else shown
        target = _unused(folder, safe_name(f"{stem}{suffixes[0]}"))
        partial.rename(target)
        return target
    finally:
        partial.unlink(missing_ok=True)
