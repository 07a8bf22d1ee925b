"""The review queue (复核): what the machine was unsure of, for a person to settle. (No future annotations.)"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from service import accounts, review
from service.api.deps import ERRORS, Caller, Db, ItemId
from service.api.schemas import Rejection, ReviewOut, SetValue
from service.db.models import ReviewItem
from service.errors import NotFound
from service.records import reason_label

router = APIRouter(prefix="/api/v1/review", responses=ERRORS, tags=["复核"])


def _review_out(session: Session, item: ReviewItem, label: str | None = None) -> ReviewOut:
    household = item.record.household
    crop = review.crop_of(session, item)
    return ReviewOut(
        id=item.id,
        serial=item.record.serial,
        household=household.code if household else None,
        head_name=household.head_name if household else None,
        village=household.village.name if household else None,
        field=item.field,
        label=label or review.field_label(session, item),
        reason=item.reason,
        reason_label=reason_label(item.reason),
        detail=item.detail,
        read_value=item.read_value,
        confidence=item.confidence,
        status=item.status,
        crop_url=f"/api/v1/review/{item.id}/crop" if crop and Path(crop).exists() else None,
    )


@router.get("", response_model=list[ReviewOut])
def review_queue(
    session: Db,
    user: Caller,
    village: Annotated[str | None, Query(description="村（社区）")] = None,
    reason: Annotated[str | None, Query(description="复核原因代码，如 blank、double_mark")] = None,
) -> list[ReviewOut]:
    """待复核的栏目（本单位），置信度低的在前。"""
    return [
        _review_out(session, line.item, line.label)
        for line in accounts.review_queue(session, user, village, reason)
    ]


@router.get("/{item_id}", response_model=ReviewOut)
def review_item(item_id: ItemId, session: Db, user: Caller) -> ReviewOut:
    """一个复核项：机器读数、原因、切图地址。"""
    return _review_out(session, accounts.review_item(session, user, item_id))


@router.get("/{item_id}/crop", response_class=FileResponse)
def review_crop(item_id: ItemId, session: Db, user: Caller) -> FileResponse:
    """复核项的切图（PNG）。"""
    crop = review.crop_of(session, accounts.review_item(session, user, item_id))
    if not crop or not Path(crop).exists():
        raise NotFound(f"复核项 {item_id} 没有切图（该项由规则检查产生，请查看原表）。")
    return FileResponse(crop, media_type="image/png")


def _decided(session: Session, item: ReviewItem) -> ReviewOut:
    session.refresh(item)
    return _review_out(session, item)


@router.post("/{item_id}/accept", response_model=ReviewOut)
def review_accept(item_id: ItemId, session: Db, user: Caller) -> ReviewOut:
    """确认机器读数（记入审计日志）。"""
    item = accounts.review_item(session, user, item_id)
    review.decide(session, item, "accept", user.login)
    return _decided(session, item)


@router.post("/{item_id}/set", response_model=ReviewOut)
def review_set(item_id: ItemId, body: SetValue, session: Db, user: Caller) -> ReviewOut:
    """改为正确的值（记入审计日志）。"""
    item = accounts.review_item(session, user, item_id)
    review.decide(session, item, "set", user.login, review.parse_value(session, item, body.value))
    return _decided(session, item)


@router.post("/{item_id}/reject", response_model=ReviewOut)
def review_reject(item_id: ItemId, body: Rejection, session: Db, user: Caller) -> ReviewOut:
    """驳回该读数并写明原因（记入审计日志）。"""
    item = accounts.review_item(session, user, item_id)
    review.decide(session, item, "reject", user.login, note=body.why)
    return _decided(session, item)
