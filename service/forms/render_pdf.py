"""PDF rendering of forms (表格印制): draws a :class:`~ocr.layout.FormLayout`, page by page.

The static part of each page (fiducials, rules, texts, bubbles) is drawn once per file as a PDF
form XObject and stamped on every sheet; only the variable part — the signed QR code, the sheet
identity line and prefilled values — is drawn per sheet. Every bubble group becomes an AcroForm
radio group and every empty handwriting box a text field, so the same PDF can be filled on screen.
Widgets share two appearance streams and are written as raw PDF, which keeps bulk printing fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import segno
from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFStream,
)
from reportlab.pdfgen import canvas as rl_canvas

from ocr.code import SheetCode, encode
from ocr.layout import FieldKind, FormLayout, LayoutField, PageLayout
from service.forms.fonts import REPORTLAB_NAMES, register_all, text_width

MM = 72 / 25.4
BUBBLE_STROKE = 0.6
BUBBLE_TEXT_GREY = 0.55
PREFILL_SIZE = 9.0
MIN_PREFILL_SIZE = 5.5
#: A fixed QR mask: choosing the best of eight costs 6 ms a page and gains nothing at this size.
QR_MASK = 2


@dataclass(frozen=True)
class SheetPrint:
    """One sheet to print: its serial, household (if prefilled) and the values written into it."""

    serial: str
    household: str | None
    values: dict[str, str] = field(default_factory=dict)


class _Raw(PDFObject):  # type: ignore[misc]
    """A PDF object written as text; ``{page}`` is filled with the page's reference when the file is saved.

    Objects get their numbers when they are registered, so references to widgets, groups and
    appearances are written as plain ``N 0 R`` at once; only the page (numbered when it is shown)
    is resolved late.
    """

    def __init__(self, text: str = "", page: object | None = None) -> None:
        self.text = text
        self.page = page

    def format(self, document: Any) -> bytes:
        if self.page is None:
            return self.text.encode("latin-1")
        number = document.idToObjectNumberAndVersion[self.page.name][0]  # type: ignore[attr-defined]
        return self.text.replace("{page}", f"{number} 0 R").encode("latin-1")


def _pdf_string(text: str) -> str:
    """Return a PDF text string (UTF-16BE with BOM, hex) for field names and values."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _appearance(content: str, size: float) -> PDFStream:
    stream = PDFStream(content=content)
    stream.dictionary["Type"] = PDFName("XObject")
    stream.dictionary["Subtype"] = PDFName("Form")
    stream.dictionary["BBox"] = PDFArray([0, 0, round(size, 3), round(size, 3)])
    return stream


def _disc(size: float) -> str:
    """Return the drawing of a filled circle in a ``size`` × ``size`` box (the 'on' look of a bubble)."""
    r = size / 2 * 0.78
    c = size / 2
    k = 0.5523 * r
    return (
        f"0 g {c + r:.3f} {c:.3f} m {c + r:.3f} {c + k:.3f} {c + k:.3f} {c + r:.3f} {c:.3f} {c + r:.3f} c "
        f"{c - k:.3f} {c + r:.3f} {c - r:.3f} {c + k:.3f} {c - r:.3f} {c:.3f} c "
        f"{c - r:.3f} {c - k:.3f} {c - k:.3f} {c - r:.3f} {c:.3f} {c - r:.3f} c "
        f"{c + k:.3f} {c - r:.3f} {c + r:.3f} {c - k:.3f} {c + r:.3f} {c:.3f} c f"
    )


class FormPdf:
    """A PDF file of sheets of one layout, written page by page."""

    def __init__(
        self, layout: FormLayout, path: Path, key: bytes, fillable: bool = True, stamp_static: bool = True
    ) -> None:
        register_all()
        self.stamp_static = stamp_static
        self.layout = layout
        self.layout_hash = layout.layout_hash()
        self.key = key
        self.fillable = fillable
        rl_config.useA85 = 0  # binary (deflated) streams: ASCII85 costs time and a quarter more bytes
        self.canvas = rl_canvas.Canvas(str(path), pagesize=(210 * MM, 297 * MM), pageCompression=1)
        self.canvas.setTitle(layout.title)
        self.canvas.setCreator("pingan")
        self.pages = 0
        self._fields: list[str] = []
        self._appearances: dict[float, tuple[str, str]] = {}
        if stamp_static:
            for page in layout.pages:
                self.canvas.beginForm(f"static{page.number}")
                self._draw_static(page)
                self.canvas.endForm()
        if fillable:
            acro = _Raw()
            self.canvas._doc._catalog.AcroForm = acro
            self._acro = acro

    # static part ------------------------------------------------------------------------------
    def _y(self, page: PageLayout, y: float) -> float:
        return (page.height - y) * MM

    def _draw_static(self, page: PageLayout) -> None:
        c = self.canvas
        c.setFillColor(Color(0, 0, 0))
        for fid in page.fiducials:
            half = fid.size / 2
            c.rect(
                (fid.x - half) * MM,
                self._y(page, fid.y + half),
                fid.size * MM,
                fid.size * MM,
                stroke=0,
                fill=1,
            )
        for rule in page.rules:
            c.setLineWidth(rule.width)
            c.line(rule.x1 * MM, self._y(page, rule.y1), rule.x2 * MM, self._y(page, rule.y2))
        for line in page.texts:
            self._text(page, line.text, line.x, line.y, line.size, line.font, line.align, line.grey)
        c.setLineWidth(BUBBLE_STROKE)
        for fld in page.fields:
            for bubble in fld.bubbles:
                c.setStrokeColor(Color(0, 0, 0))
                c.circle(bubble.x * MM, self._y(page, bubble.y), bubble.r * MM, stroke=1, fill=0)
                if fld.labels_inside:
                    size = min(6.5, bubble.r * 2 / 25.4 * 72 * 0.62)
                    self._text(
                        page,
                        bubble.label,
                        bubble.x,
                        bubble.y + size * 0.3528 * 0.36,
                        size,
                        "sans",
                        "center",
                        BUBBLE_TEXT_GREY,
                    )

    def _text(
        self, page: PageLayout, text: str, x: float, y: float, size: float, font: str, align: str, grey: float
    ) -> None:
        c = self.canvas
        c.setFillColor(Color(grey, grey, grey))
        c.setFont(REPORTLAB_NAMES[font], size)
        px, py = x * MM, self._y(page, y)
        if align == "center":
            c.drawCentredString(px, py, text)
        elif align == "right":
            c.drawRightString(px, py, text)
        else:
            c.drawString(px, py, text)
        c.setFillColor(Color(0, 0, 0))

    # variable part ----------------------------------------------------------------------------
    def add_sheet(self, sheet: SheetPrint) -> None:
        """Print one sheet: every page of the layout, stamped with its code and values."""
        total = len(self.layout.pages)
        for page in self.layout.pages:
            c = self.canvas
            if self.stamp_static:
                c.doForm(f"static{page.number}")
            else:
                self._draw_static(page)
            code = SheetCode(
                kind=self.layout.kind,
                year=self.layout.year,
                layout_hash=self.layout_hash,
                serial=sheet.serial,
                household=sheet.household,
                page=page.number,
                pages=total,
            )
            self._qr(page, encode(code, self.key))
            for fld in page.fields:
                value = sheet.values.get(fld.prefill) if fld.prefill else None
                if value:
                    self._value(page, fld, value)
                if self.fillable:
                    self._widget(fld, sheet, prefilled=bool(value))
            c.showPage()
            self.pages += 1

    def _qr(self, page: PageLayout, payload: str) -> None:
        """Draw the QR code as a 1-bit inline image scaled to the code box (crisp, no interpolation)."""
        matrix = segno.make(payload, error="m", boost_error=False, mask=QR_MASK).matrix
        n = len(matrix)
        rows = []
        for row in matrix:
            bits = "".join("0" if dark else "1" for dark in row).ljust((n + 7) // 8 * 8, "1")
            rows.append(int(bits, 2).to_bytes(len(bits) // 8, "big").hex())
        box = page.code
        self.canvas._code.append(
            f"q {box.w * MM:.3f} 0 0 {box.h * MM:.3f} {box.x * MM:.3f} {self._y(page, box.bottom):.3f} cm "
            f"BI /W {n} /H {n} /BPC 1 /CS /G /F /AHx ID {''.join(rows)}> EI Q"
        )

    def _value(self, page: PageLayout, fld: LayoutField, value: str) -> None:
        rect = fld.rect
        size = PREFILL_SIZE if fld.kind != FieldKind.printed else min(PREFILL_SIZE, rect.h / 0.3528 * 0.8)
        while size > MIN_PREFILL_SIZE and text_width(value, "sans", size) > rect.w - 1.0:
            size -= 0.5
        text = value
        while text_width(text, "sans", size) > rect.w - 1.0 and len(text) > 1:
            text = text[:-2] + "…"
        baseline = rect.y + rect.h / 2 + size * 0.3528 * 0.35
        self._text(page, text, rect.x + 0.5, baseline, size, "sans", "left", 0.0)

    # AcroForm widgets -------------------------------------------------------------------------
    def _register(self, obj: object) -> tuple[object, str]:
        """Register a new object with the document; return its reference and its ``N 0 R`` text.

        This is what reportlab's ``Reference`` does for a new unnamed object, without its checks
        for re-registration (these objects are new by construction): a tenth of the cost.
        """
        doc = self.canvas._doc
        number = doc.objectcounter = doc.objectcounter + 1
        name = f"R{number}"
        obj.__InternalName__ = name  # type: ignore[attr-defined]
        doc.idToObjectNumberAndVersion[name] = (number, 0)
        doc.numberToId[number] = name
        doc.idToObject[name] = obj
        return PDFObjectReference(name), f"{number} 0 R"

    def _shared_appearances(self, size: float) -> tuple[str, str]:
        key = round(size, 2)
        if key not in self._appearances:
            on = self._register(_appearance(_disc(size), size))[1]
            off = self._register(_appearance("", size))[1]
            self._appearances[key] = (on, off)
        return self._appearances[key]

    def _widget(self, fld: LayoutField, sheet: SheetPrint, prefilled: bool) -> None:
        page_ref = self.canvas._doc.thisPageRef()
        annotations = self.canvas._annotationrefs
        name = _pdf_string(f"{sheet.serial}_{fld.name}")
        height = 297.0
        if fld.kind == FieldKind.bubbles:
            group = _Raw()
            _, group_number = self._register(group)
            kids = []
            for bubble in fld.bubbles:
                size = bubble.r * 2 * MM
                on, off = self._shared_appearances(size)
                x0, y0 = (bubble.x - bubble.r) * MM, (height - bubble.y - bubble.r) * MM
                widget = _Raw(
                    "<< /Type /Annot /Subtype /Widget /F 4 /FT /Btn /AS /Off "
                    f"/Rect [{x0:.2f} {y0:.2f} {x0 + size:.2f} {y0 + size:.2f}] /P {{page}} /Parent {group_number} "
                    f"/MK << >> /AP << /N << /{bubble.value} {on} /Off {off} >> >> >>",
                    page_ref,
                )
                ref, number = self._register(widget)
                annotations.append(ref)
                kids.append(number)
            group.text = f"<< /FT /Btn /Ff 49152 /T {name} /TU {_pdf_string(fld.label)} /V /Off /Kids [{' '.join(kids)}] >>"
            self._fields.append(group_number)
        elif fld.kind == FieldKind.handwriting and not prefilled:
            r = fld.rect
            x0, y0 = r.x * MM, (height - r.bottom) * MM
            multiline = 4096 if r.h > 12 else 0
            widget = _Raw(
                "<< /Type /Annot /Subtype /Widget /F 4 /FT /Tx "
                f"/T {name} /TU {_pdf_string(fld.label)} /Ff {multiline} /DA (/Helv 0 Tf 0 g) "
                f"/Rect [{x0:.2f} {y0:.2f} {x0 + r.w * MM:.2f} {y0 + r.h * MM:.2f}] /P {{page}} >>",
                page_ref,
            )
            ref, number = self._register(widget)
            annotations.append(ref)
            self._fields.append(number)

    def close(self) -> None:
        """Finish the file."""
        if self.fillable:
            self._acro.text = (
                f"<< /Fields [{' '.join(self._fields)}] /NeedAppearances true /DA (/Helv 0 Tf 0 g) "
                "/DR << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >> >>"
            )
        self.canvas.save()


def render_sheets(
    layout: FormLayout, sheets: Iterable[SheetPrint], path: Path, key: bytes, fillable: bool = True
) -> int:
    """Write ``sheets`` of ``layout`` to ``path``; return the number of pages."""
    pdf = FormPdf(layout, path, key, fillable)
    for sheet in sheets:
        pdf.add_sheet(sheet)
    pdf.close()
    return pdf.pages


__all__ = ["FormPdf", "PDFDictionary", "SheetPrint", "render_sheets"]
