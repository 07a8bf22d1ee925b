"""The layout contract (版面约定): every page of a printed form, exactly as the printer draws it.

A :class:`FormLayout` is the one definition of a form version: page size, the four corner
fiducials, the code box, every field the reader reads (bubble groups, handwriting boxes, seal
boxes, printed text) and the static drawing (text lines and rules). The renderer in ``service``
draws only what is here; the reader aligns a scan to it. All measures are millimetres from the
page's top-left corner. The layout's hash is printed in the code on every page, and every layout
ever printed is stored, so a sheet stays readable after the code changes.
"""

from __future__ import annotations

import enum
import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class Frozen(BaseModel):
    """Immutable, strict base for layout parts."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Rect(Frozen):
    """A rectangle in mm: left, top, width, height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        """Return the right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """Return the bottom edge."""
        return self.y + self.h

    def inset(self, d: float) -> Rect:
        """Return the rectangle shrunk by ``d`` on every side."""
        return Rect(x=self.x + d, y=self.y + d, w=self.w - 2 * d, h=self.h - 2 * d)


class Fiducial(Frozen):
    """定位标: a solid black square near a page corner; ``x``/``y`` is its centre."""

    corner: Literal["tl", "tr", "bl", "br"]
    x: float
    y: float
    size: float


class Bubble(Frozen):
    """涂卡圆圈: one choice of a bubble group; ``x``/``y`` is its centre, ``r`` its radius."""

    value: str
    label: str
    x: float
    y: float
    r: float


class FieldKind(enum.StrEnum):
    """What a field holds and how the reader reads it."""

    bubbles = "bubbles"
    handwriting = "handwriting"
    seal = "seal"
    printed = "printed"


class LayoutField(Frozen):
    """一个栏目: a field the reader reads, with its box, kind and meaning.

    ``prefill`` names the household value the printer writes into the box on prefilled sheets
    (e.g. ``head_name``); on blank sheets the box is left for handwriting.
    """

    name: str
    kind: FieldKind
    label: str
    meaning: str
    rect: Rect
    bubbles: tuple[Bubble, ...] = ()
    labels_inside: bool = False
    prefill: str | None = None


class TextLine(Frozen):
    """One line of static text; ``x``/``y`` is the left end of its baseline (mm)."""

    text: str
    x: float
    y: float
    size: float
    font: Literal["serif", "sans"] = "serif"
    align: Literal["left", "center", "right"] = "left"
    grey: float = 0.0


class Rule(Frozen):
    """A straight line of the form's table (mm, width in pt)."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.6


class PageLayout(Frozen):
    """版面: one page of a form."""

    number: int
    width: float = 210.0
    height: float = 297.0
    fiducials: tuple[Fiducial, ...]
    code: Rect
    fields: tuple[LayoutField, ...]
    texts: tuple[TextLine, ...] = ()
    rules: tuple[Rule, ...] = ()

    def field(self, name: str) -> LayoutField:
        """Return the field called ``name``."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)


class FormLayout(Frozen):
    """表格版式: a complete form version (评分表 or 申报审批表) for one campaign year."""

    schema_version: int = SCHEMA_VERSION
    kind: Literal["score", "application"]
    year: int
    title: str
    pages: tuple[PageLayout, ...] = Field(min_length=1)

    def canonical_json(self) -> str:
        """Return the layout as canonical JSON (sorted keys, no spaces): what the hash covers."""
        return json.dumps(
            self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )

    def layout_hash(self) -> str:
        """Return the 16-hex-digit hash printed in every page's code."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()[:16].upper()

    @classmethod
    def from_json(cls, text: str) -> FormLayout:
        """Load a stored layout."""
        return cls.model_validate_json(text)

    def fields(self) -> list[tuple[int, LayoutField]]:
        """Return every field with its page number."""
        return [(page.number, field) for page in self.pages for field in page.fields]
