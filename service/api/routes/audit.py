"""The audit log (审计日志), for the district office. (No future annotations.)"""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from service.api.deps import ERRORS, Caller, Db, Offset, require_district
from service.api.schemas import AuditOut
from service.db.models import AuditEntry

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["审计"])


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    session: Db,
    user: Caller,
    entity: Annotated[str | None, Query(description="对象类型，如 household、record_value、user")] = None,
    key: Annotated[str | None, Query(description="对象编号，如户编号")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Offset = 0,
) -> list[AuditOut]:
    """审计日志（仅区妇联账号）：谁在何时改了什么，原值与新值，新的在前。"""
    require_district(user, "审计日志")
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if key:
        query = query.where(AuditEntry.entity_key == key)
    return [
        AuditOut(
            id=e.id, at=e.at.isoformat(), actor=e.actor, action=e.action, entity=e.entity,
            key=e.entity_key, old=e.old, new=e.new, source=e.source,
        )
        for e in session.scalars(query.offset(offset).limit(limit))
    ]  # fmt: skip
