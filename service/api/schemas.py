"""Typed request and response models of the HTTP service (接口数据结构)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

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
    database: str = Field(description="数据库种类：sqlite 或 postgresql")
    database_revision: str | None
    database_current: bool
    tools: list[ToolOut]
    jobs: str = Field(description="逐页识读、逐村印制在哪里运行：local 或 celery")
    workers: list[str] | None = Field(description="应答的 Celery 工作进程（jobs 为 celery 时）")
    storage: str = Field(description="扫描件与输出的存放处：local 或 s3")


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


class JobFile(BaseModel):
    """A file a job wrote, with where to download it."""

    name: str
    size: int
    url: str


class JobOut(BaseModel):
    """A background job: its state, progress and, once done, its summary and files."""

    id: str
    kind: str
    kind_label: str = Field(description="任务种类")
    state: str = Field(description="queued、running、done 或 failed")
    state_label: str
    stage: str = Field(description="当前步骤")
    done: int
    total: int = Field(description="总量（0 表示未知）")
    unit_word: str = Field(description="计量单位，如 页、份")
    percent: float | None = Field(description="完成百分比（总量未知时为空）")
    unit: str = Field(description="任务所属单位")
    actor: str
    created_at: str
    seconds: float | None = Field(description="已用时间（秒）")
    summary: list[str] = Field(description="结果说明")
    error: str | None
    hint: str | None
    files: list[JobFile]


class FormsIn(BaseModel):
    """What to print: 评分表 (score) or 申报审批表 (application) for a village or a township."""

    form: Literal["score", "application"]
    year: int = Field(ge=2000, le=2100)
    village: str | None = Field(default=None, description="村（社区）；与 township 二选一")
    township: str | None = Field(default=None, description="乡镇（街道）：为其下每个村各印一个文件")
    blank: int | None = Field(default=None, ge=1, le=5000, description="印制 N 份编号的空白表（须按村）")
    format: Literal["pdf", "docx"] = "pdf"


class DocumentIn(BaseModel):
    """Which official document to write, for which unit and year."""

    document: Literal[
        "naming", "notice", "model-roster", "plaques", "removal", "model-naming", "quotas", "report"
    ]
    year: int = Field(ge=2000, le=2100)
    village: str | None = Field(default=None, description="村（社区），张榜公示可按村")
    township: str | None = Field(default=None, description="乡镇（街道）")
    number: str | None = Field(default=None, max_length=40, description="发文字号，命名决定必填")
    date: dt.date | None = Field(default=None, description="成文日期、公示开始日期或统计截至日期；默认今天")
    limit: int | None = Field(default=None, ge=1, le=100000, description="示范户推荐户数上限")
    pdf: bool = Field(default=True, description="同时生成 PDF")


class FieldOut(BaseModel):
    """One field of a read page."""

    name: str
    label: str
    value: object | None
    status: str
    reason: str | None
    confidence: float


class PageOut(BaseModel):
    """One ingested page and what the reader made of it (fields only for the caller's households)."""

    id: int
    file: str
    page: int = Field(description="文件中的页码（从 1 起）")
    ok: bool
    outcome: str = Field(description="applied、duplicate、conflict 或 rejected")
    outcome_label: str
    error: str | None
    hint: str | None
    serial: str | None
    household: str | None
    fields: list[FieldOut]


class RecordOut(BaseModel):
    """One record (档案) of a household: a form's values as they stand after review."""

    serial: str
    kind: str
    year: int
    values: dict[str, object]
    open_reviews: int


class QuotaOut(BaseModel):
    """A township's quotas beside its registered households."""

    township: str
    total_households: int | None
    registered: int
    family_quota: int | None
    model_quota: int | None


class CampaignOut(BaseModel):
    """A campaign year's rules and quotas."""

    year: int
    rules: dict[str, object]
    quotas: list[QuotaOut]


class RulesChange(BaseModel):
    """Rules of a year to change (only what is given)."""

    pass_mark: int | None = Field(default=None, ge=0, le=100)
    model_mark: int | None = Field(default=None, ge=0, le=100)
    veto_items: list[int] | None = None
    veto_floor: int | None = Field(default=None, ge=1, le=100)
    participation_target: float | None = Field(default=None, gt=0, le=1)
    notice_working_days: int | None = Field(default=None, ge=1, le=30)
    review_cycle_years: int | None = Field(default=None, ge=1, le=5)
    rectification_days: int | None = Field(default=None, ge=1, le=365)
    report_deadline: dt.date | None = None


class Changed(BaseModel):
    """What a change did: old and new values of what changed."""

    old: dict[str, object]
    new: dict[str, object]
