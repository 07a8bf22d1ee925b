"""Fonts for printed forms (表格字体): free TrueType CJK fonts found through fontconfig.

reportlab embeds TrueType outlines only, so forms use AR PL UMing (明体, for body text) and
WenQuanYi Zen Hei (黑体, for titles, labels and the values printed on prefilled sheets). Every
piece of variable text is checked against the font before anything is printed: a character the
font lacks is an error naming the character, never a blank box (tofu) on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from service.errors import ExternalToolError, PinganError
from service.tools.run import run_tool

#: Font roles of the layout ("serif", "sans") → (fontconfig pattern, Debian package).
FONT_ROLES: dict[str, tuple[str, str]] = {
    "serif": ("AR PL UMing CN", "fonts-arphic-uming"),
    "sans": ("WenQuanYi Zen Hei", "fonts-wqy-zenhei"),
}
REPORTLAB_NAMES = {"serif": "PinganSerif", "sans": "PinganSans"}


class MissingGlyph(PinganError):
    """A character that no form font can print (字库缺字)."""

    exit_code = 2
    http_status = 422
    code = "missing_glyph"


@dataclass(frozen=True)
class FontFile:
    """Where a font role's file is: path and index inside a .ttc collection."""

    role: str
    path: Path
    index: int


def locate(role: str) -> FontFile:
    """Find the font file for a role through fontconfig, or say which package to install."""
    family, package = FONT_ROLES[role]
    advice = f"请安装字体：sudo apt-get install {package}（或运行 make setup）"
    try:
        result = run_tool(["fc-match", "-f", "%{family}|%{file}|%{index}", family], timeout=30)
    except ExternalToolError as exc:
        raise ExternalToolError(f"无法查找字体“{family}”：{exc.message}", hint=advice) from exc
    found_family, file, index = [*result.stdout.split("|"), "", "", "0"][:3]
    if family not in found_family.split(","):
        raise ExternalToolError(f"缺少表格所用字体“{family}”。", hint=advice)
    return FontFile(role, Path(file), int(index or 0))


@cache
def register(role: str) -> str:
    """Register a role's font with reportlab (once per process) and return its reportlab name."""
    name = REPORTLAB_NAMES[role]
    if name not in pdfmetrics.getRegisteredFontNames():
        font_file = locate(role)
        pdfmetrics.registerFont(TTFont(name, str(font_file.path), subfontIndex=font_file.index))
    return name


def register_all() -> None:
    """Register every form font."""
    for role in FONT_ROLES:
        register(role)


def _cmap(role: str) -> dict[int, int]:
    font = pdfmetrics.getFont(register(role))
    cmap: dict[int, int] = font.face.charToGlyph
    return cmap


def missing_characters(text: str, role: str = "sans") -> list[str]:
    """Return the characters of ``text`` the role's font cannot draw (spaces never count)."""
    cmap = _cmap(role)
    return [ch for ch in dict.fromkeys(text) if not ch.isspace() and ord(ch) not in cmap]


def font_for(text: str, where: str) -> str:
    """Return the role that can print ``text`` (黑体 first, then 明体), or raise naming the character."""
    for role in ("sans", "serif"):
        if not missing_characters(text, role):
            return role
    missing = [ch for ch in missing_characters(text, "sans") if ch in missing_characters(text, "serif")]
    names = "、".join(f"“{ch}”(U+{ord(ch):04X})" for ch in missing)
    raise MissingGlyph(
        f"{where}：字符 {names} 不在表格字体中，印出来会是空框。",
        hint="请核对该字是否录入正确；如确为生僻字，请打印空白表由本人手写，或改用 Word 版本（--format docx）。",
    )


def text_width(text: str, role: str, size: float) -> float:
    """Return the width of ``text`` in mm at ``size`` points."""
    return float(pdfmetrics.stringWidth(text, register(role), size)) * 25.4 / 72
