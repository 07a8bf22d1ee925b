"""The campaign model (数据模型): units, households, campaign years, quotas and the audit log."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """Return the current time in UTC (stored without a zone, always UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class UnitLevel(enum.StrEnum):
    """行政层级: 区 → 乡镇/街道 → 村/社区 → 村民小组."""

    district = "district"
    township = "township"
    village = "village"
    group = "group"

    @property
    def label(self) -> str:
        """Return the Chinese name of the level."""
        return {"district": "区", "township": "乡镇（街道）", "village": "村（社区）", "group": "村民小组"}[
            self.value
        ]


class AdminUnit(Base):
    """行政单位: a district, township (乡镇/街道), village (村/社区) or villager group (村民小组)."""

    __tablename__ = "admin_unit"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_admin_unit_parent_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[UnitLevel] = mapped_column(Enum(UnitLevel, native_enum=False, length=16), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[AdminUnit]] = relationship(back_populates="parent", order_by="AdminUnit.code")


class Household(Base):
    """户: a family taking part in the campaign, with a stable id (户编号) kept across years."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(64), index=True)
    head_birth: Mapped[str | None] = mapped_column(String(7))
    political_status: Mapped[str | None] = mapped_column(String(16))
    occupation: Mapped[str | None] = mapped_column(String(64))
    family_size: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    village: Mapped[AdminUnit] = relationship(foreign_keys=[village_id])
    group: Mapped[AdminUnit | None] = relationship(foreign_keys=[group_id])
    members: Mapped[list[Member]] = relationship(
        back_populates="household", order_by="Member.seq", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        """Return the household as messages name it: ``王堃（330199001001-0005）``."""
        return f"{self.head_name}（{self.code}）"


class Member(Base):
    """家庭成员: a member of a household other than its head."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    age: Mapped[int | None] = mapped_column(Integer)
    relation: Mapped[str | None] = mapped_column(String(16))
    workplace: Mapped[str | None] = mapped_column(String(100))

    household: Mapped[Household] = relationship(back_populates="members")


class CampaignYear(Base):
    """创建年度: one year of the campaign and the rules that year applies."""

    __tablename__ = "campaign_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    district_title: Mapped[str] = mapped_column(String(64))
    pass_mark: Mapped[int] = mapped_column(Integer)
    model_mark: Mapped[int] = mapped_column(Integer)
    veto_floor: Mapped[int] = mapped_column(Integer, server_default="10")
    participation_target: Mapped[float] = mapped_column(Float)
    notice_working_days: Mapped[int] = mapped_column(Integer)
    review_cycle_years: Mapped[int] = mapped_column(Integer)
    rectification_days: Mapped[int] = mapped_column(Integer)
    report_deadline: Mapped[dt.date] = mapped_column(Date)
    evaluation_months: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    standards: Mapped[list[Standard]] = relationship(
        back_populates="campaign", order_by="Standard.seq", cascade="all, delete-orphan"
    )
    phases: Mapped[list[CampaignPhase]] = relationship(
        back_populates="campaign", order_by="CampaignPhase.seq", cascade="all, delete-orphan"
    )


class Standard(Base):
    """创建标准: one of the year's ten standards (十好) with points, criteria and veto flag."""

    __tablename__ = "standard"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_standard_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("campaign_year.year", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[str] = mapped_column(Text)
    veto: Mapped[bool] = mapped_column(Boolean, default=False)

    campaign: Mapped[CampaignYear] = relationship(back_populates="standards")


class CampaignPhase(Base):
    """工作阶段: a phase of the year's work with its start and end dates."""

    __tablename__ = "campaign_phase"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_phase_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("campaign_year.year", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    starts: Mapped[dt.date] = mapped_column(Date)
    ends: Mapped[dt.date] = mapped_column(Date)

    campaign: Mapped[CampaignYear] = relationship(back_populates="phases")


class Quota(Base):
    """任务指标 (附件1): a township's targets for one year."""

    __tablename__ = "quota"
    __table_args__ = (UniqueConstraint("year", "township_id", name="uq_quota_year_township"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("campaign_year.year", ondelete="CASCADE"))
    township_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    total_households: Mapped[int | None] = mapped_column(Integer)
    family_quota: Mapped[int] = mapped_column(Integer)
    model_quota: Mapped[int] = mapped_column(Integer)

    township: Mapped[AdminUnit] = relationship()


class RosterImport(Base):
    """花名册导入记录: one import of a roster file, kept as a trace (规范痕迹)."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)


class AuditEntry(Base):
    """审计日志: who changed what, when, from which source, with old and new values."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(32), index=True)
    entity_key: Mapped[str] = mapped_column(String(64), index=True)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(255))


class StoredLayout(Base):
    """已印版式: a form layout as printed, kept by its hash so old sheets stay readable."""

    __tablename__ = "form_layout"

    hash: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SheetStatus(enum.StrEnum):
    """State of a printed sheet."""

    issued = "issued"
    superseded = "superseded"


class Sheet(Base):
    """已印表格: one printed sheet, by its serial (表格编号), for a household or blank."""

    __tablename__ = "sheet"

    serial: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    layout_hash: Mapped[str] = mapped_column(ForeignKey("form_layout.hash"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    status: Mapped[SheetStatus] = mapped_column(
        Enum(SheetStatus, native_enum=False, length=16), default=SheetStatus.issued
    )
    superseded_by: Mapped[str | None] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    printed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))

    household: Mapped[Household | None] = relationship()
    village: Mapped[AdminUnit] = relationship()


class ScanFile(Base):
    """扫描文件: an ingested file, kept as received and known by its content hash."""

    __tablename__ = "scan_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    stored: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))

    pages: Mapped[list[ScanPage]] = relationship(back_populates="file", order_by="ScanPage.page_index")


class ScanPage(Base):
    """扫描页: one page of an ingested file and what the reader made of it."""

    __tablename__ = "scan_page"
    __table_args__ = (UniqueConstraint("file_id", "page_index", name="uq_scan_page_file_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("scan_file.id"), index=True)
    page_index: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    hint: Mapped[str | None] = mapped_column(Text)
    serial: Mapped[str | None] = mapped_column(String(20), index=True)
    page_no: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    reading: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    file: Mapped[ScanFile] = relationship(back_populates="pages")


class Record(Base):
    """档案: what one returned sheet (评分表 or 申报审批表) says, field by field."""

    __tablename__ = "record"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(ForeignKey("sheet.serial"), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    household: Mapped[Household | None] = relationship()
    values: Mapped[list[RecordValue]] = relationship(back_populates="record", cascade="all, delete-orphan")


class RecordValue(Base):
    """栏目值: one field of a record, with its provenance (page, confidence, who confirmed it)."""

    __tablename__ = "record_value"
    __table_args__ = (UniqueConstraint("record_id", "field", name="uq_record_value_field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("scan_page.id"))
    crop: Mapped[str | None] = mapped_column(String(255))
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    record: Mapped[Record] = relationship(back_populates="values")


class ReviewItem(Base):
    """复核项: something a person must confirm, with the reason and, once decided, who decided what."""

    __tablename__ = "review_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    read_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("scan_page.id"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    decided_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    record: Mapped[Record] = relationship()


class MilestoneKind(enum.StrEnum):
    """The kinds of step recorded after township approval."""

    notice = "notice"
    objection = "objection"
    model_recommended = "model_recommended"
    model_named = "model_named"
    plaque = "plaque"

    @property
    def label(self) -> str:
        """Return the step in Chinese."""
        return {
            "notice": "张榜公示",
            "objection": "公示异议",
            "model_recommended": "推荐示范户",
            "model_named": "命名示范户",
            "plaque": "授牌",
        }[self.value]


class ReviewState(enum.StrEnum):
    """The states of a title review (复核) in the rolling management."""

    due = "due"
    passed = "passed"
    rectifying = "rectifying"
    rectified = "rectified"
    marked = "marked"

    @property
    def label(self) -> str:
        """Return the state in Chinese."""
        return {
            "due": "待复核",
            "passed": "复核达标",
            "rectifying": "限时整改中",
            "rectified": "整改到位",
            "marked": "拟摘牌",
        }[self.value]


class Milestone(Base):
    """进程节点: a step after township approval — 公示, 公示异议, 推荐示范户, 命名示范户, 授牌 — with its date and document."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("household_id", "year", "kind", name="uq_milestone_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    dated: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    household: Mapped[Household] = relationship()


class TitleReview(Base):
    """复核 (滚动管理): the re-assessment of one named household in one review year, and its outcome."""

    __tablename__ = "title_review"
    __table_args__ = (UniqueConstraint("household_id", "year", name="uq_title_review_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    named_year: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), index=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship()


class Role(enum.StrEnum):
    """The three kinds of user, each bound to a unit of its level."""

    district = "district"
    township = "township"
    village = "village"

    @property
    def label(self) -> str:
        """Return the role in Chinese."""
        return {"district": "区妇联（管理员）", "township": "乡镇（街道）妇联", "village": "村（社区）妇联"}[
            self.value
        ]


class User(Base):
    """用户: a clerk of the district, a township or a village, who sees only their own units."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[AdminUnit] = relationship()


class ApiToken(Base):
    """接口令牌: a token for scripts, stored only as its SHA-256; it acts as its user."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class JobState(enum.StrEnum):
    """Where a job (后台任务) is: waiting, running, done or failed."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"

    @property
    def label(self) -> str:
        """Return the state in Chinese."""
        return {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}[self.value]


class Job(Base):
    """后台任务: long work (a roster import, a print run, a scan batch, a document) off the request.

    It belongs to the unit it works on (whoever may see that unit may see the job) and keeps its
    progress, its result and the files it wrote in its own folder under the data directory.
    """

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=16), default=JobState.queued, index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(64), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    unit_word: Mapped[str] = mapped_column(String(8), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    hint: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    unit: Mapped[AdminUnit] = relationship()
    user: Mapped[User | None] = relationship()
