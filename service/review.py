"""The review queue (复核): what a person must confirm, lowest confidence first, every decision audited."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ocr.layout import FieldKind, FormLayout, LayoutField
from service import audit, units
from service.db.models import (
    Household,
    Record,
    RecordValue,
    ReviewItem,
    Sheet,
    StoredLayout,
    UnitLevel,
    utcnow,
)
from service.errors import Conflict, InputFileError, NotFound
from service.records import check_rules, reason_label
from service.settings import get_settings
from service.storage import storage_for

YES = {"有", "是", "yes", "y", "true", "1", "同意"}
NO = {"无", "否", "no", "n", "false", "0", "不同意"}


@dataclass
class QueueLine:
    """One open review item as the queue shows it."""

    item: ReviewItem
    household: Household | None
    label: str
    reason: str


def _layout_field(session: Session, record: Record, name: str) -> LayoutField | None:
    sheet = session.get(Sheet, record.serial)
    stored = session.get(StoredLayout, sheet.layout_hash) if sheet else None
    if stored is None:
        return None
    layout = FormLayout.from_json(stored.body)
    for _, field in layout.fields():
        if field.name == name:
            return field
    return None


def record_labels(session: Session, record: Record) -> dict[str, str]:
    """Return every field's label on the record's form, by field name."""
    sheet = session.get(Sheet, record.serial)
    stored = session.get(StoredLayout, sheet.layout_hash) if sheet else None
    if stored is None:
        return {}
    return {field.name: field.label for _, field in FormLayout.from_json(stored.body).fields()}


def field_label(session: Session, item: ReviewItem) -> str:
    """Return the field's label on its form (or its name when the layout does not know it)."""
    field = _layout_field(session, item.record, item.field)
    return field.label if field else item.field


def queue(session: Session, village: str | None = None, reason: str | None = None) -> list[QueueLine]:
    """Return the open review items, lowest confidence first, optionally for one village or reason."""
    query = (
        select(ReviewItem).where(ReviewItem.status == "open").order_by(ReviewItem.confidence, ReviewItem.id)
    )
    if reason:
        query = query.where(ReviewItem.reason == reason)
    items = list(session.scalars(query))
    if village:
        unit = units.find_unit(session, village, UnitLevel.village)
        items = [
            i for i in items if i.record.household is not None and i.record.household.village_id == unit.id
        ]
    lines = []
    for item in items:
        field = _layout_field(session, item.record, item.field)
        lines.append(
            QueueLine(
                item, item.record.household, field.label if field else item.field, reason_label(item.reason)
            )
        )
    return lines


def get_item(session: Session, item_id: int) -> ReviewItem:
    """Return a review item, or say it does not exist."""
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"没有编号为 {item_id} 的复核项。", hint="请用 pingan review list 查看待复核的栏目。")
    return item


def crop_of(session: Session, item: ReviewItem) -> str | None:
    """Return the crop file that shows the field (evidence), if there is one."""
    value = session.scalars(
        select(RecordValue).where(RecordValue.record_id == item.record_id, RecordValue.field == item.field)
    ).first()
    if value is None or not value.crop:
        return None
    if Path(value.crop).is_absolute():
        return value.crop
    try:  # a key in the shared storage (crops read on another machine)
        return str(storage_for(get_settings()).fetch(value.crop))
    except NotFound:
        return None


def export_crop(session: Session, item: ReviewItem, out: Path) -> Path | None:
    """Copy the item's crop into ``out`` (named after the item) and return it."""
    crop = crop_of(session, item)
    if not crop or not Path(crop).exists():
        return None
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"复核{item.id}-{item.record.serial}-{item.field}{Path(crop).suffix}"
    shutil.copyfile(crop, target)
    return target


def parse_value(session: Session, item: ReviewItem, text: str) -> Any:
    """Check a value a person types against the field: a bubble's option, or yes/no for boxes and seals."""
    if item.field == "identity":
        sheet = session.get(Sheet, item.record.serial)
        household = session.scalars(select(Household).where(Household.code == text.strip())).first()
        if household is None or sheet is None or household.village_id != sheet.village_id:
            raise InputFileError(
                f"“{text}”不是本村已登记的户编号。",
                hint="请用 pingan roster list --village 村名 查看户编号。",
            )
        return household.code
    field = _layout_field(session, item.record, item.field)
    if field is None:
        raise InputFileError(f"栏目 {item.field} 不能直接设值。", hint="请用 accept 或 reject 处理该复核项。")
    if field.kind == FieldKind.bubbles:
        options = {b.value: b.value for b in field.bubbles} | {b.label: b.value for b in field.bubbles}
        if text in ("空", "blank", "未填"):
            return None
        if text not in options:
            raise InputFileError(
                f"“{text}”不是“{field.label}”的选项。",
                hint=f"可选：{'、'.join(b.label for b in field.bubbles)}，或“空”表示未填。",
            )
        return options[text]
    lowered = text.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise InputFileError(f"“{field.label}”只能设为 有/无。")


def decide(
    session: Session, item: ReviewItem, action: str, actor: str, value: Any = None, note: str | None = None
) -> None:
    """Record a person's decision on an item: accept the reading, set a value, or reject it."""
    if item.status != "open":
        raise Conflict(
            f"复核项 {item.id} 已处理（{item.status}，{item.decided_by}）。",
            hint="如需更正，请在新的复核项中处理。",
        )
    record_value = session.scalars(
        select(RecordValue).where(RecordValue.record_id == item.record_id, RecordValue.field == item.field)
    ).first()
    old = {"value": record_value.value, "state": record_value.state} if record_value else None
    final = item.read_value if action == "accept" else value
    now = utcnow()
    if item.field == "identity" and action == "accept":
        raise InputFileError(
            "空白表的户主须指定户编号，不能直接确认姓名。", hint=f"请用：pingan review set {item.id} 户编号"
        )
    status = {"accept": "accepted", "set": "set", "reject": "rejected"}[action]
    claimed = session.execute(  # one decision per item, however many clerks press Enter at once
        update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.status == "open")
        .values(status=status, decided_by=actor, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(item)
        raise Conflict(
            f"复核项 {item.id} 已由 {item.decided_by} 处理（{item.status}）。", hint="请刷新后处理下一项。"
        )
    if item.field == "identity" and action == "set":
        household = session.scalars(select(Household).where(Household.code == final)).one()
        item.record.household_id = household.id
        record_value = RecordValue(
            record=item.record,
            field="identity",
            kind="identity",
            value=final,
            confidence=1.0,
            state="accepted",
            page_id=item.page_id,
        )
        session.add(record_value)
    if action in ("accept", "set") and record_value is not None:
        record_value.value = final
        record_value.state = "confirmed"
        record_value.confirmed_by = actor
        record_value.confirmed_at = now
    elif action == "reject" and record_value is not None and item.reason != "conflict":
        record_value.state = "rejected"
    item.status = status
    item.decided_value = final if action != "reject" else None
    item.decided_by = actor
    item.decided_at = now
    item.note = note
    new = (
        {"value": record_value.value, "state": record_value.state}
        if record_value
        else {"decision": item.status}
    )
    audit.record(
        session,
        actor=actor,
        action="update",
        entity="record_value",
        key=f"{item.record.serial}/{item.field}",
        old=old,
        new={**new, "review_item": item.id, "note": note} if note else {**new, "review_item": item.id},
        source=f"复核 {item.id}（{reason_label(item.reason)}）",
    )
    session.flush()
    _recheck(session, item.record)


def _recheck(session: Session, record: Record) -> None:
    from service.campaign.years import get_year, rules_of

    try:
        rules = rules_of(get_year(session, record.year))
    except NotFound:
        return
    check_rules(session, record, rules)
