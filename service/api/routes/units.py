"""Units and households (单位与户), with each household's records and scans. (No future annotations.)"""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import accounts
from service.api.deps import ERRORS, Caller, Db, Offset, scope_of
from service.api.routes.jobs import page_out
from service.api.schemas import HouseholdDetail, HouseholdOut, PageOut, RecordOut, UnitOut, YearStatus
from service.campaign.years import rules_of
from service.db.models import AdminUnit, CampaignYear, Household, Record, ScanPage, Sheet, UnitLevel, User
from service.errors import NotFound
from service.records import final_values
from service.roster.export import households_in
from service.status import household_status

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["单位与户"])


@router.get("/units", response_model=list[UnitOut])
def list_units(user: Caller) -> list[UnitOut]:
    """本账号可见的单位：自己的单位及其下级。"""
    found: list[AdminUnit] = []

    def walk(unit: AdminUnit) -> None:
        if unit.level == UnitLevel.group:
            return
        found.append(unit)
        for child in unit.children:
            walk(child)

    walk(user.unit)
    return [
        UnitOut(code=u.code, name=u.name, level=u.level.value, parent=u.parent.name if u.parent else None)
        for u in found
    ]


@router.get("/households", response_model=list[HouseholdOut])
def list_households(
    session: Db,
    user: Caller,
    village: Annotated[str | None, Query(description="村（社区）")] = None,
    township: Annotated[str | None, Query(description="乡镇（街道）")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Offset = 0,
) -> list[HouseholdOut]:
    """本单位（或其下某村、某乡镇）的户，按户编号排序。"""
    scope = scope_of(session, user, village, township)
    return [HouseholdOut.of(h) for h in households_in(session, scope)[offset : offset + limit]]


def visible_household(session: Session, user: User, code: str) -> Household:
    """Return a household of the caller's villages by its 户编号."""
    household = session.scalars(select(Household).where(Household.code == code)).first()
    if household is None:
        raise NotFound(f"没有户编号为 {code} 的户。")
    accounts.require_household(user, household)
    return household


def years_of(session: Session, household: Household) -> list[YearStatus]:
    """Return where a household stood in every campaign year."""
    years = []
    for campaign in session.scalars(select(CampaignYear).order_by(CampaignYear.year)):
        state = household_status(session, household, campaign.year, rules_of(campaign))
        years.append(
            YearStatus(
                year=campaign.year,
                step=state.step.name,
                label=state.label,
                total=state.total,
                rejected=state.rejected,
                open_reviews=len(state.open_reviews),
            )
        )
    return years


@router.get("/households/{code}", response_model=HouseholdDetail)
def show_household(code: str, session: Db, user: Caller) -> HouseholdDetail:
    """一户的登记信息与历年进度。"""
    household = visible_household(session, user, code)
    return HouseholdDetail(**HouseholdOut.of(household).model_dump(), years=years_of(session, household))


@router.get("/households/{code}/records", response_model=list[RecordOut])
def household_records(
    code: str,
    session: Db,
    user: Caller,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="创建年度")] = None,
) -> list[RecordOut]:
    """一户的档案（评分表、申报审批表），为复核后算数的值。"""
    household = visible_household(session, user, code)
    query = select(Record).where(Record.household_id == household.id).order_by(Record.year, Record.kind)
    if year is not None:
        query = query.where(Record.year == year)
    return [
        RecordOut(
            serial=r.serial, kind=r.kind, year=r.year, values=final_values(r),
            open_reviews=sum(1 for v in r.values if v.state == "review"),
        )
        for r in session.scalars(query)
    ]  # fmt: skip


@router.get("/households/{code}/scans", response_model=list[PageOut])
def household_scans(code: str, session: Db, user: Caller) -> list[PageOut]:
    """一户各张表格的扫描页及识读结果，历年全部。"""
    household = visible_household(session, user, code)
    serials = select(Sheet.serial).where(Sheet.household_id == household.id)
    pages = session.scalars(select(ScanPage).where(ScanPage.serial.in_(serials)).order_by(ScanPage.read_at))
    allowed = accounts.village_ids(user)
    return [page_out(session, user, page, allowed) for page in pages]
