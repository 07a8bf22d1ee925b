"""Word versions of the forms (Word 版表格): one DOCX per sheet, from the docxtpl templates.

Each file carries its sheet's signed code (the same as page 1's QR code) in its document
properties, so a return filled in Word can be matched to its serial without OCR.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from ocr.code import SheetCode, encode
from ocr.layout import FormLayout
from service.documents.render import template_path
from service.forms.render_pdf import SheetPrint

TEMPLATE_FILES = {"score": "score-sheet.docx", "application": "application-form.docx"}
MEMBER_ROWS = 8


def form_template(kind: str) -> Path:
    """Return the template file of a form kind."""
    return template_path(TEMPLATE_FILES[kind])


def sheet_context(layout: FormLayout, sheet: SheetPrint, standards: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the template payload of one sheet."""
    values = sheet.values
    members = []
    for row in range(1, MEMBER_ROWS + 1):
        members.append(
            {key: values.get(f"member{row}_{key}", "") for key in ("name", "age", "relation", "workplace")}
        )
    return {
        "title": layout.title,
        "sheet_info": values.get("sheet_info", ""),
        "head_name": values.get("head_name", ""),
        "head_birth": values.get("head_birth", ""),
        "occupation": values.get("occupation", ""),
        "address": values.get("address", ""),
        "phone": values.get("phone", ""),
        "political_status": values.get("registered_political_status", "").removeprefix("登记："),
        "family_size": values.get("registered_family_size", "").removeprefix("登记：").removesuffix("人"),
        "members": members,
        "standards": standards,
    }


def render_docx_sheets(
    layout: FormLayout,
    sheets: Iterable[SheetPrint],
    folder: Path,
    key: bytes,
    standards: list[dict[str, Any]],
) -> int:
    """Write one DOCX per sheet into ``folder``; return the number of form pages they stand for."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for sheet in sheets:
        template = DocxTemplate(str(form_template(layout.kind)))
        template.render(sheet_context(layout, sheet, standards), autoescape=True)
        code = SheetCode(
            layout.kind,
            layout.year,
            layout.layout_hash(),
            sheet.serial,
            sheet.household,
            1,
            len(layout.pages),
        )
        properties = template.docx.core_properties
        properties.identifier = encode(code, key)
        properties.keywords = layout.layout_hash()
        properties.subject = f"pingan {layout.kind} {sheet.serial}"
        properties.title = layout.title
        name = sheet.values.get("head_name", "空白")
        template.save(str(folder / f"{sheet.serial}-{name}.docx"))
        count += 1
    return count * len(layout.pages)
