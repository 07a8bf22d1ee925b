"""Probes (环境检查): which external programs and fonts are present, with versions and install advice."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

from service.errors import ExternalToolError
from service.tools.run import install_advice, run_tool

PROBE_TIMEOUT = 60.0

#: Rare name characters every CJK font used for names must carry: 堃 喆 昇 珺.
RARE_NAME_CHARACTERS = "堃喆昇珺"


@dataclass(frozen=True)
class Probe:
    """The result of checking one requirement."""

    name: str
    purpose: str
    found: bool
    version: str
    advice: str
    required: bool = True


def _version(argv: list[str], pattern: str) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        result = run_tool(argv, timeout=PROBE_TIMEOUT, check=False)
    except ExternalToolError:
        return None
    match = re.search(pattern, result.stdout + "\n" + result.stderr)
    return match.group(1) if match else "版本未知"


def _program(name: str, purpose: str, argv: list[str], pattern: str, package_program: str) -> Probe:
    version = _version(argv, pattern)
    return Probe(
        name, purpose, version is not None, version or "", "" if version else install_advice(package_program)
    )


def probe_tesseract() -> Probe:
    """Check the tesseract OCR engine."""
    return _program(
        "tesseract", "文字识别引擎", ["tesseract", "--version"], r"tesseract\s+v?([\d.]+)", "tesseract"
    )


def probe_tesseract_chi_sim() -> Probe:
    """Check tesseract's simplified Chinese model."""
    advice = "请安装：sudo apt-get install tesseract-ocr-chi-sim（或运行 make setup）"
    if shutil.which("tesseract") is None:
        return Probe("tesseract 简体中文模型 (chi_sim)", "识别中文手写框建议文字", False, "", advice)
    result = run_tool(["tesseract", "--list-langs"], timeout=PROBE_TIMEOUT, check=False)
    found = "chi_sim" in (result.stdout + result.stderr).split()
    return Probe(
        "tesseract 简体中文模型 (chi_sim)",
        "识别中文手写框建议文字",
        found,
        "chi_sim" if found else "",
        "" if found else advice,
    )


def probe_libreoffice() -> Probe:
    """Check LibreOffice, which renders DOCX documents to PDF."""
    return _program(
        "LibreOffice (soffice)",
        "公文 DOCX 转 PDF",
        ["soffice", "--version"],
        r"LibreOffice\s+([\d.]+)",
        "soffice",
    )


def probe_pdftoppm() -> Probe:
    """Check poppler's pdftoppm, which rasterises PDFs for checks."""
    return _program(
        "pdftoppm (poppler)", "PDF 转图像", ["pdftoppm", "-v"], r"pdftoppm version\s+([\d.]+)", "pdftoppm"
    )


def _font(family: str, purpose: str, package: str, needs: str = RARE_NAME_CHARACTERS) -> Probe:
    advice = f"请安装：sudo apt-get install {package}（或运行 make setup）"
    if shutil.which("fc-list") is None:
        return Probe(f"字体 {family}", purpose, False, "", install_advice("fc-list"))
    charset = " ".join(f"{ord(ch):x}" for ch in needs)
    result = run_tool(
        ["fc-list", f"{family}:charset={charset}", "family"], timeout=PROBE_TIMEOUT, check=False
    )
    found = family in result.stdout
    note = f"含 {needs}" if found else ""
    return Probe(f"字体 {family}", purpose, found, note, "" if found else advice)


def probe_fonts() -> list[Probe]:
    """Check the free CJK fonts: stand-ins for 仿宋/小标宋, 黑体, 楷体, and the fonts embedded in forms."""
    return [
        _font("Noto Serif CJK SC", "公文：宋体、仿宋、小标宋的替代字体", "fonts-noto-cjk"),
        _font("Noto Sans CJK SC", "公文：黑体的替代字体", "fonts-noto-cjk"),
        _font("AR PL UKai CN", "公文：楷体的替代字体", "fonts-arphic-ukai"),
        _font("AR PL UMing CN", "表格：正文字体（内嵌 PDF）", "fonts-arphic-uming"),
        _font("WenQuanYi Zen Hei", "表格：标题与预填内容字体（内嵌 PDF）", "fonts-wqy-zenhei"),
        _font(
            "Liberation Serif",
            "公文：Times New Roman 的替代字体（数字宽度）",
            "fonts-liberation2",
            "0123456789",
        ),
    ]


def probe_python() -> Probe:
    """Check the Python version."""
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Probe("Python", "运行环境", ok, version, "" if ok else "需要 Python 3.11 或更新版本")


PROBES: tuple[Callable[[], Probe | list[Probe]], ...] = (
    probe_python,
    probe_tesseract,
    probe_tesseract_chi_sim,
    probe_libreoffice,
    probe_pdftoppm,
    probe_fonts,
)


def run_probes() -> list[Probe]:
    """Run every probe and return the flat list of results."""
    results: list[Probe] = []
    for probe in PROBES:
        outcome = probe()
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results
