"""The official-document format (公文格式, GB/T 9704-2012) as python-docx building blocks.

Used by ``scripts/make_templates.py`` to write the docxtpl templates in ``templates/``; every
measure of the standard lives here once: A4, type area 156 × 225 mm at 28 mm / 37 mm, 22 lines of
3号 仿宋 a page, the red 版头 35 mm below the type area's top, 发文字号 two lines below it and the red
rule 4 mm under that, the 2号 小标宋 title, page numbers ``— 1 —`` (odd right, even left), the 版记
between 156 mm rules. Paragraph styles carry the Chinese names of the parts (版头, 发文字号, 标题,
主送, 正文, 附件说明, 署名, 成文日期, 版记…), so rendering and tests find them by name.
"""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from service.docxutil import set_run_font, set_style_font

PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 37.0, 35.0, 28.0, 26.0
TYPE_W, TYPE_H = PAGE_W - LEFT - RIGHT, PAGE_H - TOP - BOTTOM  # 156 × 225 mm
LINES = 22
LINE_PT = TYPE_H / LINES / 25.4 * 72  # 28.95 pt: 22 lines fill the type area
LINE_MM = TYPE_H / LINES
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
NUMBER_PT = 14.0  # 4号 (page numbers, 版记)
TABLE_PT = 10.5  # 五号 (tables in attachments)
HEADER_PT = 34.0
HEADER_TOP_MM = 35.0  # 版头 top below the type area's top
RULE_GAP_MM = 4.0  # red rule below the 发文字号
SEAL_MM = 42.0
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"


def _style(doc: Any, name: str, font: str, size: float, *, align: Any = None, bold: bool = False) -> Any:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    set_style_font(style, font, size, bold)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        fmt.alignment = align
    return style


def _border(paragraph_or_style: Any, side: str, size_eighths: int, colour: str, space_pt: int = 0) -> None:
    """Draw a paragraph border (the red rule, the 版记 rules) as wide as the type area."""
    element = paragraph_or_style.element if hasattr(paragraph_or_style, "element") else paragraph_or_style._p
    ppr = element.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space_pt))
    line.set(qn("w:color"), colour)
    borders.append(line)


def new_document(landscape: bool = False) -> Any:
    """Return an empty A4 document with the standard's margins, styles and page numbers.

    ``landscape`` turns the page for wide tables: the type area becomes 225 × 156 mm, its margins
    the portrait ones turned with it (as the standard lays out a table page turned sideways).
    """
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(PAGE_H), Mm(PAGE_W)
        section.top_margin, section.bottom_margin = Mm(LEFT), Mm(RIGHT)
        section.left_margin, section.right_margin = Mm(TOP), Mm(BOTTOM)
    else:
        section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
        section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
        section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(BOTTOM - 7 - 6)  # the page number's dash 7 mm below the type area
    normal = doc.styles["Normal"]
    set_style_font(normal, BODY_FONT, BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = True
    body_indent = Pt(2 * BODY_PT)
    header = _style(doc, "版头", TITLE_FONT, HEADER_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    header.font.color.rgb = RED
    header.paragraph_format.line_spacing = Pt(HEADER_PT * 1.25)
    _style(doc, "发文字号", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(
        doc, "标题", TITLE_FONT, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER
    ).paragraph_format.line_spacing = Pt(LINE_PT * 1.2)
    _style(doc, "主送", BODY_FONT, BODY_PT)
    body = _style(doc, "正文", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    body.paragraph_format.first_line_indent = body_indent
    last = _style(doc, "正文末段", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    last.paragraph_format.first_line_indent = body_indent
    last.paragraph_format.keep_with_next = True
    note = _style(doc, "附件说明", BODY_FONT, BODY_PT)
    note.paragraph_format.left_indent = body_indent
    note.paragraph_format.keep_with_next = True
    gap = _style(doc, "署名空行", BODY_FONT, BODY_PT)
    gap.paragraph_format.keep_with_next = True
    issuer = _style(doc, "署名", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    issuer.paragraph_format.keep_with_next = True
    date = _style(doc, "成文日期", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.right_indent = Pt(4 * BODY_PT)
    heading = _style(doc, "一级标题", HEI_FONT, BODY_PT)
    heading.paragraph_format.first_line_indent = body_indent
    heading.paragraph_format.keep_with_next = True
    figure = _style(doc, "图", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    figure.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _style(doc, "附件标识", HEI_FONT, BODY_PT)
    _style(doc, "附件标题", TITLE_FONT, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "表格", SONG_FONT, 12.0, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.line_spacing = Pt(
        18
    )
    record = _style(doc, "版记", BODY_FONT, NUMBER_PT)
    record.paragraph_format.left_indent = record.paragraph_format.right_indent = Pt(NUMBER_PT)
    record.paragraph_format.keep_with_next = True
    record.paragraph_format.tab_stops.add_tab_stop(Mm(TYPE_W) - Pt(2 * NUMBER_PT), WD_TAB_ALIGNMENT.RIGHT)
    _page_numbers(doc)
    return doc


def _page_number_paragraph(footer: Any, align: Any, indent: str) -> None:
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    setattr(fmt, indent, Pt(NUMBER_PT))
    for text in ("— ", None, " —"):
        if text is None:
            run = paragraph.add_run()
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), "PAGE")
            inner = OxmlElement("w:r")
            value = OxmlElement("w:t")
            value.text = "1"
            inner.append(value)
            field.append(inner)
            run._r.addnext(field)
            continue
        run = paragraph.add_run(text)
        set_run_font(run, SONG_FONT, NUMBER_PT, latin=SONG_FONT)


def _page_numbers(doc: Any) -> None:
    """``— 1 —`` in 4号 宋体: odd pages at the right, even pages at the left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page_number_paragraph(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent")
    _page_number_paragraph(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")


def paragraph(doc: Any, text: str, style: str) -> Any:
    """Add a paragraph in one of the standard's styles."""
    return doc.add_paragraph(text, style=style)


def paragraph_loop(doc: Any, loop: str, text: str, style: str) -> None:
    """Add docxtpl's paragraph loop: one ``text`` paragraph in ``style`` for each item of ``loop``."""
    doc.add_paragraph(f"{{%p for {loop} %}}", style=style)
    doc.add_paragraph(text, style=style)
    doc.add_paragraph("{%p endfor %}", style=style)


def signature(doc: Any, gap_lines: int = 2) -> None:
    """Add the blank lines that leave the seal its space, the 署名 and the 成文日期."""
    for _ in range(gap_lines):
        doc.add_paragraph("", style="署名空行")
    doc.add_paragraph("{{ issuer }}", style="署名")
    doc.add_paragraph("{{ date }}", style="成文日期")


def red_header(doc: Any, header: str, number: str) -> None:
    """Add the 版头: the red 发文机关标志 35 mm below the type area's top, 发文字号 two lines below, the red rule."""
    top = doc.add_paragraph(header, style="版头")
    # the header's line is 1.25 × the font and its glyphs sit low in it: measured on the PDF,
    # this puts their top 35 mm below the type area's top
    top.paragraph_format.space_before = Mm(HEADER_TOP_MM + 2.4) - Pt(HEADER_PT * 0.2)
    doc.add_paragraph("", style="发文字号")
    numbered = doc.add_paragraph(number, style="发文字号")
    _border(numbered, "bottom", 12, RED_HEX, space_pt=round(RULE_GAP_MM / 25.4 * 72 - 6))
    # the title starts two lines below the red rule (空二行)
    numbered.paragraph_format.space_after = Pt(LINE_PT) + Mm(7.9)


def page_break(doc: Any) -> None:
    """Start the next part on a new page."""
    doc.add_paragraph(style="Normal").add_run().add_break(WD_BREAK.PAGE)


def roster_table(doc: Any, headers: list[str], cells: list[str], widths_mm: list[float], loop: str) -> Any:
    """Add a table as wide as the type area whose header row repeats on every page.

    ``cells`` hold the Jinja tags of one row and ``loop`` its ``for`` clause (``r in rows``): the
    row is written between docxtpl's ``{%tr for … %}`` and ``{%tr endfor %}`` rows.
    """
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    total = tblpr.find(qn("w:tblW"))
    if total is None:
        total = OxmlElement("w:tblW")
        tblpr.append(total)
    total.set(qn("w:w"), str(round(sum(widths_mm) / 25.4 * 1440)))
    total.set(qn("w:type"), "dxa")
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), str(round(width / 25.4 * 1440)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    head = table.rows[0]
    trpr = head._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text in zip(head.cells, headers, strict=True):
        cell.paragraphs[0].style = doc.styles["表格"]
        run = cell.paragraphs[0].add_run(text)
        set_run_font(run, HEI_FONT, TABLE_PT)
    table.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.paragraphs[0].style = doc.styles["表格"]
        cell.paragraphs[0].add_run(text)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    return table


def record_block(doc: Any) -> None:
    """Add the 版记: 抄送 and 印发机关/印发日期 between 156 mm rules (thicker first and last)."""
    cc = doc.add_paragraph("抄送：{{ cc }}。", style="版记")
    _border(cc, "top", 8, "000000")
    _border(cc, "bottom", 4, "000000")
    printed = doc.add_paragraph("{{ printer }}\t{{ printed_on }}印发", style="版记")
    printed.paragraph_format.keep_with_next = False
    _border(printed, "bottom", 8, "000000")
