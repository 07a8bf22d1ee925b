"""Rendering a document (公文生成): a docxtpl template, a checked payload, a DOCX and its PDF.

Every template declares its variables; rendering refuses a payload that leaves one undeclared, so
no document ever goes out with an empty placeholder.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.shared import Mm, Pt
from docxtpl import DocxTemplate, InlineImage

from service.documents.gbt9704 import BODY_PT
from service.errors import ConfigError

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def template_path(name: str) -> Path:
    """Return a template's path, or say how to make the templates."""
    path = TEMPLATES / name
    if not path.exists():
        raise ConfigError(f"找不到公文模板 {path}。", hint="请在项目目录运行 make templates。")
    return path


def undeclared(name: str, context: Mapping[str, Any]) -> set[str]:
    """Return the template's variables that ``context`` does not give."""
    template = DocxTemplate(str(template_path(name)))
    return set(template.get_undeclared_template_variables()) - set(context)


def text_width(text: str) -> float:
    """Return the width of a line of text in body characters.

    ASCII digits and letters are half width, and Word and LibreOffice both put a little space
    (about a fifth of a character) where Chinese meets Latin or digits (autospace).
    """
    width = sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)
    return width + 0.2 * sum((ord(a) < 128) != (ord(b) < 128) for a, b in itertools.pairwise(text))


@dataclass(frozen=True)
class Picture:
    """A picture (a chart) to place in a document, as wide as given."""

    path: Path
    width_mm: float


def render_docx(name: str, context: Mapping[str, Any], out: Path) -> Path:
    """Render template ``name`` with ``context`` into ``out``; the 署名 is centred over the 成文日期."""
    missing = undeclared(name, context)
    if missing:
        raise ConfigError(f"公文模板 {name} 缺少数据：{'、'.join(sorted(missing))}。")
    template = DocxTemplate(str(template_path(name)))
    values = {
        key: InlineImage(template, str(value.path), width=Mm(value.width_mm))
        if isinstance(value, Picture)
        else value
        for key, value in context.items()
    }
    template.render(values, autoescape=True)
    document = template.docx
    dates = [p for p in document.paragraphs if p.style is not None and p.style.name == "成文日期"]
    for paragraph in document.paragraphs:
        if paragraph.style is None or paragraph.style.name != "署名" or not dates:
            continue
        # GB/T 9704 7.3.5.1: the 署名 is centred on the 成文日期, which stands four characters in
        offset = 4 + (text_width(dates[0].text) - text_width(paragraph.text)) / 2
        paragraph.paragraph_format.right_indent = Pt(max(0.0, offset) * BODY_PT)
    out.parent.mkdir(parents=True, exist_ok=True)
    template.save(str(out))
    return out
