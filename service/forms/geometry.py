"""Building form layouts (版面构建): a small toolkit that places text, rules and fields on a page.

Measures are millimetres from the top-left corner. Text is wrapped here, with the real font
metrics, so the stored layout says exactly which line goes where and the renderer only draws.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocr.layout import Bubble, Fiducial, FieldKind, LayoutField, PageLayout, Rect, Rule, TextLine
from service.errors import PinganError
from service.forms.fonts import missing_characters, text_width

PAGE_W = 210.0
PAGE_H = 297.0
LEFT = 16.0
RIGHT = 194.0
FIDUCIAL_SIZE = 6.0
FIDUCIAL_INSET = 10.0
CODE_BOX = Rect(x=172.0, y=14.0, w=22.0, h=22.0)
PT = 25.4 / 72  # one point in mm
FIELD_INSET = 0.8
#: Characters that must not start a line (the character before them moves down with them).
NO_LINE_START = set("，。、；：？！）》」』”’%…·,.;:?!)")


class LayoutError(PinganError):
    """A form's text does not fit its box (版面溢出): a layout bug or an over-long campaign text."""

    exit_code = 2
    code = "layout_overflow"


def wrap(text: str, width: float, size: float, font: str) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` mm; closing punctuation never starts a line."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if ch == "\n":
            lines.append(current)
            current = ""
            continue
        if current and text_width(current + ch, font, size) > width:
            if ch in NO_LINE_START and len(current) > 1:
                lines.append(current[:-1])  # carry the last character down with the punctuation
                current = current[-1] + ch
            else:
                lines.append(current)
                current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


class PageBuilder:
    """Collects the fields, text and rules of one page."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.fields: list[LayoutField] = []
        self.texts: list[TextLine] = []
        self.rules: list[Rule] = []

    # static drawing -------------------------------------------------------------------------
    def text(
        self,
        text: str,
        x: float,
        y: float,
        size: float,
        font: str = "serif",
        align: str = "left",
        grey: float = 0.0,
    ) -> None:
        """Place one line of text with its baseline at ``y``; refuse characters the font cannot draw."""
        missing = missing_characters(text, font)
        if missing:
            names = "、".join(f"“{ch}”(U+{ord(ch):04X})" for ch in missing)
            raise LayoutError(
                f"表格文字“{text}”中的 {names} 不在表格字体中，印出来会是空框。",
                hint="请修改该年度规则中的相应文字（pingan campaign set / show）。",
            )
        self.texts.append(TextLine(text=text, x=x, y=y, size=size, font=font, align=align, grey=grey))  # type: ignore[arg-type, unused-ignore]

    def paragraph(
        self,
        text: str,
        rect: Rect,
        size: float,
        font: str = "serif",
        align: str = "left",
        valign: str = "top",
        leading: float = 1.3,
    ) -> float:
        """Wrap ``text`` into ``rect``; return the height used. Refuses text that does not fit."""
        lines = wrap(text, rect.w, size, font)
        line_h = size * PT * leading
        height = len(lines) * line_h
        if height > rect.h + 0.01:
            raise LayoutError(
                f"表格文字放不下：“{text[:20]}……”需要 {height:.1f} mm，栏高只有 {rect.h:.1f} mm。",
                hint="请缩短该年度规则中的相应文字，或联系维护人员调整版式。",
            )
        top = rect.y + {"top": 0.0, "middle": (rect.h - height) / 2, "bottom": rect.h - height}[valign]
        for index, line in enumerate(lines):
            baseline = top + index * line_h + size * PT * 0.88 + (line_h - size * PT) / 2
            x = {"left": rect.x, "center": rect.x + rect.w / 2, "right": rect.right}[align]
            self.text(line, x, baseline, size, font, align)
        return height

    def label(self, text: str, rect: Rect, size: float = 9.0, font: str = "sans") -> None:
        """Centre a label in a table cell."""
        self.paragraph(text, rect.inset(0.8), size, font, align="center", valign="middle", leading=1.15)

    def hline(self, y: float, x1: float = LEFT, x2: float = RIGHT, width: float = 0.6) -> None:
        """Draw a horizontal rule."""
        self.rules.append(Rule(x1=x1, y1=y, x2=x2, y2=y, width=width))

    def vline(self, x: float, y1: float, y2: float, width: float = 0.6) -> None:
        """Draw a vertical rule."""
        self.rules.append(Rule(x1=x, y1=y1, x2=x, y2=y2, width=width))

    def frame(self, rect: Rect, width: float = 0.6) -> None:
        """Draw the four sides of a rectangle."""
        self.hline(rect.y, rect.x, rect.right, width)
        self.hline(rect.bottom, rect.x, rect.right, width)
        self.vline(rect.x, rect.y, rect.bottom, width)
        self.vline(rect.right, rect.y, rect.bottom, width)

    # fields ---------------------------------------------------------------------------------
    def _add(self, field: LayoutField) -> LayoutField:
        if any(f.name == field.name for f in self.fields):
            raise ValueError(f"duplicate field {field.name}")
        self.fields.append(field)
        return field

    def handwriting(
        self, name: str, label: str, meaning: str, cell: Rect, prefill: str | None = None
    ) -> LayoutField:
        """Add a box for handwriting (or, on prefilled sheets, the printed value) inside a table cell."""
        return self._add(
            LayoutField(
                name=name,
                kind=FieldKind.handwriting,
                label=label,
                meaning=meaning,
                rect=cell.inset(FIELD_INSET),
                prefill=prefill,
            )
        )

    def printed(self, name: str, label: str, meaning: str, rect: Rect, prefill: str) -> LayoutField:
        """Add a box whose text the printer writes (sheet identity, registered values)."""
        return self._add(
            LayoutField(
                name=name, kind=FieldKind.printed, label=label, meaning=meaning, rect=rect, prefill=prefill
            )
        )

    def seal(self, name: str, label: str, meaning: str, rect: Rect) -> LayoutField:
        """Add a box where the unit's red seal is pressed (盖章处)."""
        self.frame(rect, width=0.4)
        return self._add(LayoutField(name=name, kind=FieldKind.seal, label=label, meaning=meaning, rect=rect))

    def bubbles(
        self,
        name: str,
        label: str,
        meaning: str,
        options: Sequence[tuple[str, str]],
        x: float,
        y: float,
        pitch: float | Sequence[float],
        r: float = 2.1,
        inside: bool = False,
        text_size: float = 8.5,
    ) -> LayoutField:
        """Add a row of bubbles centred on ``y``; labels inside the circles (digits) or to their right."""
        placed: list[Bubble] = []
        cx = x
        right = x
        for index, (value, text) in enumerate(options):
            placed.append(Bubble(value=value, label=text, x=round(cx, 3), y=y, r=r))
            if not inside:
                self.text(text, cx + r + 1.0, y + text_size * PT * 0.35, text_size, "sans")
                right = cx + r + 1.0 + text_width(text, "sans", text_size)
            else:
                right = cx + r
            step = pitch if isinstance(pitch, int | float) else pitch[index]
            cx += step
        left = x - r
        rect = Rect(
            x=round(left - 0.5, 3),
            y=round(y - r - 0.5, 3),
            w=round(right - left + 1.0, 3),
            h=round(2 * r + 1.0, 3),
        )
        return self._add(
            LayoutField(
                name=name,
                kind=FieldKind.bubbles,
                label=label,
                meaning=meaning,
                rect=rect,
                bubbles=tuple(placed),
                labels_inside=inside,
            )
        )

    def build(self, code: Rect = CODE_BOX) -> PageLayout:
        """Return the finished page with its fiducials and code box."""
        half = FIDUCIAL_SIZE / 2
        fiducials = (
            Fiducial(corner="tl", x=FIDUCIAL_INSET, y=FIDUCIAL_INSET, size=FIDUCIAL_SIZE),
            Fiducial(corner="tr", x=PAGE_W - FIDUCIAL_INSET, y=FIDUCIAL_INSET, size=FIDUCIAL_SIZE),
            Fiducial(corner="bl", x=FIDUCIAL_INSET, y=PAGE_H - FIDUCIAL_INSET, size=FIDUCIAL_SIZE),
            Fiducial(corner="br", x=PAGE_W - FIDUCIAL_INSET, y=PAGE_H - FIDUCIAL_INSET, size=FIDUCIAL_SIZE),
        )
        assert half < FIDUCIAL_INSET
        return PageLayout(
            number=self.number,
            width=PAGE_W,
            height=PAGE_H,
            fiducials=fiducials,
            code=code,
            fields=tuple(self.fields),
            texts=tuple(self.texts),
            rules=tuple(self.rules),
        )


def page_head(page: PageBuilder, title: str, instructions: str) -> float:
    """Title, the printed sheet-identity line and the filling instructions; return the y below them."""
    title_rect = Rect(x=LEFT + 10, y=16.0, w=CODE_BOX.x - LEFT - 14, h=9.0)
    page.paragraph(title, title_rect, 15.0, "sans", align="center", valign="middle")
    page.printed(
        "sheet_info",
        "表格编号",
        "序号、户编号、村（社区）与村民小组（印制时写入）",
        Rect(x=LEFT, y=27.0, w=CODE_BOX.x - LEFT - 3, h=4.5),
        "sheet_info",
    )
    page.paragraph(instructions, Rect(x=LEFT, y=32.0, w=CODE_BOX.x - LEFT - 3, h=6.5), 6.8, "serif")
    return 40.0
