"""Typed request and response models of the HTTP service (接口数据结构)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.db.models import Household, Role
from service.formats import mask_phone


class Problem(BaseModel):
    """An error: a machine-readable code, the Chinese message and what to do."""

    code: str
    message: str
    hint: str | None = None


class ToolOut(BaseModel):
    """One external program or font and its version."""

    name: str
    purpose: str
    found: bool
    version: str


class HealthOut(BaseModel):
    """The service's health: database schema and every external tool."""

    ok: bool
    database_revision: str | None
    database_current: bool
    tools: list[ToolOut]


class MeOut(BaseModel):
    """The calling account."""

    login: str
    name: str
    role: Role
    unit: str


class UnitOut(BaseModel):
    """An administrative unit the caller may see."""

    code: str
    name: str
    level: str
    parent: str | None


class HouseholdOut(BaseModel):
    """A household as lists show it (the phone masked)."""

    code: str = Field(description="户编号")
    head_name: str = Field(description="户主姓名")
    township: str
    village: str
    group: str | None
    family_size: int | None
    address: str | None
    phone: str = Field(description="联系电话（隐去中间四位）")

    @classmethod
    def of(cls, household: Household) -> HouseholdOut:
        """Return the list view of a household."""
        village = household.village
        return cls(
            code=household.code,
            head_name=household.head_name,
            township=village.parent.name if village.parent else "",
            village=village.name,
            group=household.group.name if household.group else None,
            family_size=household.family_size,
            address=household.address,
            phone=mask_phone(household.phone),
        )


class YearStatus(BaseModel):
    """Where a household stood in one campaign year."""

    year: int
    step: str
    label: str
    total: int | None
    rejected: str | None
    open_reviews: int


class HouseholdDetail(HouseholdOut):
    """A household with its status in every campaign year."""

    years: list[YearStatus]


class StatusRow(BaseModel):
    """One village's progress in a year."""

    township: str
    village: str
    registered: int
    scored: int
    recommended: int
    named: int
    rejected: int
    with_open_reviews: int


class ReviewOut(BaseModel):
    """An open review item as the queue shows it."""

    id: int
    serial: str = Field(description="表格编号")
    household: str | None = Field(description="户编号（空白表尚未匹配时为空）")
    head_name: str | None
    village: str | None
    field: str
    label: str = Field(description="栏目")
    reason: str = Field(description="复核原因（代码）")
    reason_label: str = Field(description="复核原因")
    detail: str | None
    read_value: object | None = Field(description="机器读数")
    confidence: float
    status: str
    crop_url: str | None = Field(description="切图地址（无切图时为空）")


class SetValue(BaseModel):
    """A value a person sets: an option (9, 同意), 有/无, 空, or a 户编号 for a blank sheet."""

    value: str = Field(min_length=1, max_length=40)


class Rejection(BaseModel):
    """Why a reading is rejected (for the audit log and the village)."""

    why: str = Field(min_length=1, max_length=200)


class AuditOut(BaseModel):
    """One entry of the audit log."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    key: str
    old: dict[str, object] | None
    new: dict[str, object] | None
    source: str | None
