"""Readings (识读结果): what the reader says about each page, field and form, serialisable to JSON."""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, Field


class FieldStatus(enum.StrEnum):
    """Whether a value can be used as read, or a person must look at it."""

    accepted = "accepted"
    review = "review"


class Reason(enum.StrEnum):
    """Why a field needs a person (复核原因)."""

    blank = "blank"
    double_mark = "double_mark"
    weak_mark = "weak_mark"
    erased_mark = "erased_mark"
    uncertain_ink = "uncertain_ink"
    uncertain_seal = "uncertain_seal"
    greyscale_seal = "greyscale_seal"
    name_mismatch = "name_mismatch"
    streaked = "streaked"
    outside_scan = "outside_scan"

    @property
    def label(self) -> str:
        """Return the reason in Chinese, as the review screen shows it."""
        return REASON_LABELS[self]


REASON_LABELS: dict[Reason, str] = {
    Reason.blank: "未填涂",
    Reason.double_mark: "涂了多个选项",
    Reason.weak_mark: "涂得太浅或只打了勾/叉，请确认",
    Reason.erased_mark: "有擦改痕迹，请确认",
    Reason.uncertain_ink: "无法确定是否有字迹",
    Reason.uncertain_seal: "印章不清，无法确定是否盖章",
    Reason.greyscale_seal: "黑白扫描无法判断红色印章，请确认或彩色重扫",
    Reason.streaked: "扫描件有条纹或污痕穿过此栏，无法确定是否有字迹",
    Reason.outside_scan: "此栏有一部分不在扫描范围内（页边被裁掉或被扫描仪边框遮住），请对照原件",
    Reason.name_mismatch: "印制的户主姓名与二维码所指的户不符（二维码可能贴错）",
}


class FieldReading(BaseModel):
    """One field as read: value, confidence, status and evidence."""

    name: str
    kind: Literal["bubbles", "handwriting", "seal", "printed"]
    label: str
    value: str | bool | None
    confidence: float = Field(ge=0.0, le=1.0)
    status: FieldStatus
    reason: Reason | None = None
    detail: str | None = None
    crop: str | None = None
    suggestion: str | None = None
    measures: dict[str, float] = Field(default_factory=dict)

    def send_to_review(self, reason: Reason, confidence: float, detail: str | None = None) -> None:
        """Turn an accepted reading over to a person, saying why; the machine's value stays as a hint."""
        self.status, self.reason, self.confidence = FieldStatus.review, reason, confidence
        if detail is not None:
            self.detail = detail


class SheetIdentity(BaseModel):
    """What the page's code says."""

    kind: Literal["score", "application"]
    year: int
    layout_hash: str
    serial: str
    household: str | None
    page: int
    pages: int


class PageReading(BaseModel):
    """一页的识读结果: identity, alignment and fields, or why the page could not be read."""

    source: str
    page_index: int
    ok: bool
    error: str | None = None
    hint: str | None = None
    identity: SheetIdentity | None = None
    digital: bool = False
    rotation: int = 0
    dpi: float = 0.0
    greyscale: bool = False
    fiducials_found: int = 0
    fit_error_mm: float | None = None
    seconds: float = 0.0
    fields: list[FieldReading] = Field(default_factory=list)

    def field(self, name: str) -> FieldReading:
        """Return the reading of one field."""
        for reading in self.fields:
            if reading.name == name:
                return reading
        raise KeyError(name)

    @property
    def where(self) -> str:
        """Return “file, page N” for messages."""
        return f"{self.source} 第 {self.page_index + 1} 页"


class FormReading(BaseModel):
    """一份表格的识读结果: the pages of one serial put together."""

    serial: str
    kind: Literal["score", "application"]
    year: int
    household: str | None
    layout_hash: str
    pages: list[PageReading]
    missing_pages: list[int] = Field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every page of the form was read."""
        return not self.missing_pages

    def fields(self) -> dict[str, FieldReading]:
        """Return every field of every page by name."""
        return {f.name: f for page in self.pages for f in page.fields}

    def values(self) -> dict[str, Any]:
        """Return the value of every field by name."""
        return {name: reading.value for name, reading in self.fields().items()}


def assemble(pages: list[PageReading]) -> list[FormReading]:
    """Put the readable pages together by serial, in page order; note the pages not found."""
    by_serial: dict[str, list[PageReading]] = {}
    for page in pages:
        if page.ok and page.identity is not None:
            by_serial.setdefault(page.identity.serial, []).append(page)
    forms = []
    for serial, group in by_serial.items():
        group.sort(key=lambda p: p.identity.page if p.identity else 0)
        first = group[0].identity
        assert first is not None
        seen = {p.identity.page for p in group if p.identity}
        forms.append(
            FormReading(
                serial=serial,
                kind=first.kind,
                year=first.year,
                household=first.household,
                layout_hash=first.layout_hash,
                pages=group,
                missing_pages=[n for n in range(1, first.pages + 1) if n not in seen],
            )
        )
    return forms
