"""Campaign years (创建年度): rules, quotas (附件1) and progress. (No future annotations.)"""

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from service import units
from service.api.deps import (
    ERRORS,
    UPLOAD_ERRORS,
    Caller,
    Config,
    Db,
    YearPath,
    YearQuery,
    require_district,
    scope_of,
)
from service.api.schemas import CampaignOut, Changed, QuotaOut, RulesChange, StatusRow
from service.campaign.quotas import import_quotas, quota_lines
from service.campaign.years import get_year, rule_error, rules_of, update_rules
from service.roster.export import households_in
from service.status import Step, statuses
from service.uploads import ROSTER_KINDS, save_upload

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.get("/campaign/{year}", response_model=CampaignOut, tags=["创建年度"])
def show_campaign(year: YearPath, session: Db, user: Caller) -> CampaignOut:
    """某年度的规则（合格分、示范户推荐分、一票否决、公示期、复核周期……）与各乡镇指标。"""
    rules = rules_of(get_year(session, year))
    quotas = [QuotaOut(**line.__dict__) for line in quota_lines(session, year)]
    return CampaignOut(year=year, rules=rules.model_dump(mode="json"), quotas=quotas)


@router.patch("/campaign/{year}", response_model=Changed, tags=["创建年度"])
def change_rules(year: YearPath, body: RulesChange, session: Db, user: Caller) -> Changed:
    """修改某年度的规则（仅区妇联；整体校验，记入审计日志）。"""
    require_district(user, "修改年度规则")
    changes = body.model_dump(exclude_none=True)
    try:
        old, new = update_rules(session, year, changes, user.login)
    except ValueError as exc:
        raise rule_error(exc) from exc
    return Changed(old=old, new=new)


@router.post(
    "/campaign/{year}/quotas", response_model=list[QuotaOut], responses=UPLOAD_ERRORS, tags=["创建年度"]
)
def upload_quotas(
    year: YearPath,
    session: Db,
    user: Caller,
    settings: Config,
    file: Annotated[UploadFile, File(description="附件1 任务指标分配表 .xlsx")],
) -> list[QuotaOut]:
    """导入各乡镇（街道）的任务指标（仅区妇联；有错误则整份不导入）。"""
    require_district(user, "导入任务指标")
    get_year(session, year)
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads) as folder:
        path = save_upload(
            file.file, Path(folder), file.filename or "指标表.xlsx", settings.max_roster_bytes, ROSTER_KINDS
        )
        import_quotas(session, path, year, user.login, settings.max_roster_bytes)
    return [QuotaOut(**line.__dict__) for line in quota_lines(session, year)]


@router.get("/status", response_model=list[StatusRow], tags=["进度"])
def status(
    session: Db,
    user: Caller,
    year: YearQuery,
    township: Annotated[str | None, Query(description="乡镇（街道）")] = None,
) -> list[StatusRow]:
    """各村（社区）的创建进度：登记、评分、推荐、审批、命名、未通过、待复核。"""
    rules = rules_of(get_year(session, year))
    scope = scope_of(session, user, None, township)
    rows = []
    for village in units.villages_of(scope):
        found = statuses(session, households_in(session, village), year, rules)
        rows.append(
            StatusRow(
                village=village.name,
                township=village.parent.name if village.parent else "",
                registered=len(found),
                scored=sum(1 for s in found if s.step >= Step.scored),
                recommended=sum(1 for s in found if s.step >= Step.recommended and not s.rejected),
                named=sum(1 for s in found if s.step >= Step.named and not s.rejected),
                rejected=sum(1 for s in found if s.rejected),
                with_open_reviews=sum(1 for s in found if s.open_reviews),
            )
        )
    return rows
