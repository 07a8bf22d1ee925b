"""Word (DOCX) helpers (Word 排版): East Asian fonts set the way Word and WPS read them.

Office PCs render with their own fonts, so documents keep the Windows font names (仿宋_GB2312,
黑体, 楷体_GB2312, 方正小标宋简体, 宋体); East Asian fonts must be set through ``w:eastAsia`` and the
language through ``w:lang w:eastAsia="zh-CN"``, or Word falls back to a Latin font.
"""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

LATIN_FONT = "Times New Roman"


def _rpr_fonts(rpr: Any, east_asia: str, latin: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def set_style_font(
    style: Any, east_asia: str, size_pt: float, bold: bool = False, latin: str = LATIN_FONT
) -> None:
    """Set a paragraph style's fonts (East Asian and Latin), size and language."""
    style.font.name = latin
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    _rpr_fonts(style.element.get_or_add_rPr(), east_asia, latin)


def set_run_font(
    run: Any, east_asia: str, size_pt: float | None = None, bold: bool | None = None, latin: str = LATIN_FONT
) -> None:
    """Set one run's fonts, size and language."""
    run.font.name = latin
    if size_pt is not None:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold
    _rpr_fonts(run._element.get_or_add_rPr(), east_asia, latin)


def east_asia_font(run: Any) -> str | None:
    """Return the East Asian font a run asks for (for tests)."""
    rpr = run._element.rPr
    if rpr is None or rpr.find(qn("w:rFonts")) is None:
        return None
    value = rpr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    return str(value) if value is not None else None
