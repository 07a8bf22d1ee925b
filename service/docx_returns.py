"""Word returns (Word 版回收表格): a filled DOCX of either form read without OCR, as digital pages.

The file's identifier property carries the sheet's signed code (the same as page 1's QR code), so
the sheet is known and verified; the values are read from the template's table cells. A choice is
the option whose box was changed to a mark (■ ☑ √ ✓ ●).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document

from ocr.code import decode
from ocr.errors import CodeError
from ocr.layout import FieldKind, FormLayout, LayoutField
from ocr.reading import FieldReading, FieldStatus, PageReading, Reason, SheetIdentity
from service.forms.application_layout import FAMILY_SIZE_OPTIONS, POLITICAL_OPTIONS, YES_NO

MARKS = "■☑√✓●▇█✔"
PLACEHOLDERS = ("意见：", "（盖章）", "年　　月　　日", "分")


def _choice(text: str, options: list[tuple[str, str]]) -> tuple[str | None, Reason | None]:
    """Return the option marked in ``text`` (e.g. “■同意　□不同意”), or why it cannot be told."""
    by_label = {label: value for value, label in options}
    boxes = re.findall(r"([□" + MARKS + r"])\s*([^□" + MARKS + r"\s　]+)", text)
    marked = [by_label[label] for symbol, label in boxes if symbol in MARKS and label in by_label]
    if len(marked) == 1:
        return marked[0], None
    return None, (Reason.double_mark if marked else Reason.blank)


def _text(cell_text: str) -> str:
    lines = [line.strip() for line in cell_text.splitlines()]
    return "".join(line for line in lines if line and line not in PLACEHOLDERS).strip()


def _reading(
    field: LayoutField, value: Any, reason: Reason | None = None, detail: str = "Word 电子填写"
) -> FieldReading:
    kind = (
        "bubbles"
        if field.kind == FieldKind.bubbles
        else "seal"
        if field.kind == FieldKind.seal
        else "handwriting"
    )
    return FieldReading(
        name=field.name, kind=kind, label=field.label, value=value, confidence=1.0,
        status=FieldStatus.review if reason else FieldStatus.accepted, reason=reason, detail=detail,
    )  # fmt: skip


def _score_values(document: Any) -> dict[str, tuple[Any, Reason | None]]:
    ident, items = document.tables[0], document.tables[1]
    found: dict[str, tuple[Any, Reason | None]] = {
        "head_name": (_text(ident.rows[0].cells[1].text) or False, None),
        "address": (_text(ident.rows[0].cells[3].text) or False, None),
        "group_total": (_text(ident.rows[1].cells[1].text) or False, None),
        "review_date": (_text(ident.rows[1].cells[5].text) or False, None),
        "group_verdict": _choice(ident.rows[1].cells[3].text, [("pass", "合格"), ("fail", "不合格")]),
    }
    for row in items.rows[1:]:
        number = _text(row.cells[0].text)
        if not number.isdigit():
            continue
        key = f"item{int(number):02d}"
        score = _text(row.cells[3].text).removesuffix("分")
        found[f"{key}_score"] = (
            (score, None) if score.isdigit() else (None, Reason.blank if not score else Reason.weak_mark)
        )
        found[f"{key}_deduction"] = (_text(row.cells[4].text) or False, None)
        found[f"{key}_reason"] = (_text(row.cells[5].text) or False, None)
    return found


def _political(text: str) -> tuple[str | None, Reason | None]:
    for value, label in POLITICAL_OPTIONS:
        if text == label:
            return value, None
    if text.startswith(("民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟")):
        return "democratic", None
    return (None, Reason.blank) if not text else (None, Reason.weak_mark)


def _application_values(document: Any) -> dict[str, tuple[Any, Reason | None]]:
    ident, members, decisions, opinions = document.tables[:4]
    size = _text(ident.rows[1].cells[3].text).removesuffix("人")
    sizes = {value for value, _ in FAMILY_SIZE_OPTIONS}
    found: dict[str, tuple[Any, Reason | None]] = {
        "head_name": (_text(ident.rows[0].cells[1].text) or False, None),
        "head_birth": (_text(ident.rows[0].cells[3].text) or False, None),
        "political_status": _political(_text(ident.rows[0].cells[5].text)),
        "occupation": (_text(ident.rows[1].cells[1].text) or False, None),
        "family_size": (size, None)
        if size in sizes
        else (("10+", None) if size.isdigit() and int(size) >= 10 else (None, Reason.blank)),
        "phone": (_text(ident.rows[1].cells[5].text) or False, None),
        "address": (_text(ident.rows[2].cells[1].text) or False, None),
        "score_total": (_text(decisions.rows[0].cells[1].text) or False, None),
        "recommend": _choice(decisions.rows[1].cells[1].text, YES_NO),
        "publication_consent": _choice(decisions.rows[2].cells[1].text, YES_NO),
        "head_signature": (_text(decisions.rows[2].cells[3].text) or False, None),
        "corrections": (_text(decisions.rows[3].cells[1].text) or False, None),
    }
    for index, row in enumerate(members.rows[2:], start=1):
        for column, key in enumerate(("name", "age", "relation", "workplace")):
            found[f"member{index}_{key}"] = (_text(row.cells[column].text) or False, None)
    for row, level in zip(opinions.rows, ("village", "federation", "township"), strict=False):
        lines = row.cells[1].text.splitlines()
        found[f"{level}_decision"] = _choice(lines[0] if lines else "", YES_NO)
        body = [line.strip() for line in lines[1:]]
        dated = [line for line in body if re.search(r"\d+\s*年", line)]
        found[f"{level}_date"] = (dated[0] if dated else False, None)
        opinion = "".join(
            line.removeprefix("意见：") for line in body if line not in PLACEHOLDERS and line not in dated
        )
        found[f"{level}_opinion"] = (opinion.strip() or False, None)
        found[f"{level}_seal"] = (False, None)
    return found


def read_docx(path: Path, key: bytes, layout_of: Any) -> list[PageReading]:
    """Read a filled Word form; return one digital page reading per page of its layout."""
    source = path.name
    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for files that are not Word documents
        return [
            PageReading(
                source=source,
                page_index=0,
                ok=False,
                error=f"无法作为 Word 文件打开：{exc}",
                hint="请用本系统导出的 Word 版表格填写后再导入",
            )
        ]
    try:
        code = decode(document.core_properties.identifier or "", key)
    except CodeError as exc:
        return [PageReading(source=source, page_index=0, ok=False, error=exc.message, hint=exc.hint)]
    layout: FormLayout | None = layout_of(code.layout_hash)
    if layout is None:
        return [
            PageReading(
                source=source,
                page_index=0,
                ok=False,
                error=f"版式 {code.layout_hash} 未在本系统登记。",
                hint="请使用本系统导出的 Word 版表格",
            )
        ]
    try:
        values = _score_values(document) if code.kind == "score" else _application_values(document)
    except (IndexError, AttributeError) as exc:
        return [
            PageReading(
                source=source,
                page_index=0,
                ok=False,
                error=f"Word 表格的结构被改动，无法对应栏目（{exc}）。",
                hint="请勿增删表格的行列，用导出的原文件填写",
            )
        ]
    readings = []
    for page in layout.pages:
        identity = SheetIdentity(
            kind=code.kind,
            year=code.year,
            layout_hash=code.layout_hash,
            serial=code.serial,
            household=code.household,
            page=page.number,
            pages=len(layout.pages),
        )
        fields = []
        for field in page.fields:
            if field.kind == FieldKind.printed or field.name not in values:
                continue
            value, reason = values[field.name]
            if field.prefill and code.household and field.kind == FieldKind.handwriting:
                fields.append(
                    FieldReading(
                        name=field.name,
                        kind="printed",
                        label=field.label,
                        value=value or None,
                        confidence=1.0,
                        status=FieldStatus.accepted,
                        detail="预填",
                    )
                )
                continue
            fields.append(_reading(field, value, reason))
        readings.append(
            PageReading(
                source=source,
                page_index=page.number - 1,
                ok=True,
                identity=identity,
                digital=True,
                fields=fields,
            )
        )
    return readings
