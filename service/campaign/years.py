"""Campaign years (创建年度): create a year from defaults, read its rules, change them with an audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service import audit, units
from service.campaign.defaults import CampaignRules, Phase, StandardText
from service.db.models import CampaignPhase, CampaignYear, Standard
from service.errors import Conflict, InputFileError, NotFound

SCALAR_RULES = (
    "district_title",
    "pass_mark",
    "model_mark",
    "veto_floor",
    "participation_target",
    "notice_working_days",
    "review_cycle_years",
    "rectification_days",
    "report_deadline",
    "evaluation_months",
)


def get_year(session: Session, year: int) -> CampaignYear:
    """Return the campaign year, or say how to create it."""
    campaign = session.scalars(
        select(CampaignYear)
        .where(CampaignYear.year == year)
        .options(selectinload(CampaignYear.standards), selectinload(CampaignYear.phases))
    ).first()
    if campaign is None:
        known = sorted(session.scalars(select(CampaignYear.year)))
        raise NotFound(
            f"{year} 年度的创建活动尚未建立。",
            hint=f"请运行：pingan campaign new --year {year}"
            + (f"（已有年度：{'、'.join(map(str, known))}）" if known else ""),
        )
    return campaign


def rules_of(campaign: CampaignYear) -> CampaignRules:
    """Return a stored year's rules as the typed rules object."""
    return CampaignRules(
        **{name: getattr(campaign, name) for name in SCALAR_RULES},
        veto_items=[s.seq for s in campaign.standards if s.veto],
        standards=[
            StandardText(title=s.title, points=s.points, criteria=s.criteria) for s in campaign.standards
        ],
        phases=[Phase(name=p.name, starts=p.starts, ends=p.ends) for p in campaign.phases],
    )


def _audit_view(rules: CampaignRules) -> dict[str, Any]:
    return rules.model_dump(mode="json")


def create_year(
    session: Session,
    year: int,
    actor: str,
    overrides: dict[str, Any] | None = None,
    copy_from: int | None = None,
) -> CampaignYear:
    """Create a campaign year from the defaults (or from an earlier year's rules) plus overrides."""
    if session.get(CampaignYear, year) is not None:
        raise Conflict(
            f"{year} 年度已存在。",
            hint=f"查看：pingan campaign show --year {year}；修改：pingan campaign set",
        )
    if copy_from is not None:
        base = rules_of(get_year(session, copy_from)).model_dump()
        base["report_deadline"] = base["report_deadline"].replace(year=year)
        base["phases"] = [
            {**p, "starts": p["starts"].replace(year=year), "ends": p["ends"].replace(year=year)}
            for p in base["phases"]
        ]
    else:
        base = CampaignRules.defaults(year, units.get_district(session).name).model_dump()
    rules = CampaignRules(**{**base, **(overrides or {})})
    campaign = CampaignYear(year=year, **{name: getattr(rules, name) for name in SCALAR_RULES})
    campaign.standards = [
        Standard(seq=i, title=s.title, points=s.points, criteria=s.criteria, veto=i in rules.veto_items)
        for i, s in enumerate(rules.standards, start=1)
    ]
    campaign.phases = [
        CampaignPhase(seq=i, name=p.name, starts=p.starts, ends=p.ends) for i, p in enumerate(rules.phases, 1)
    ]
    session.add(campaign)
    session.flush()
    audit.record(
        session, actor=actor, action="create", entity="campaign_year", key=str(year), new=_audit_view(rules)
    )
    return campaign


def rule_error(exc: ValueError) -> InputFileError:
    """Turn a validation failure of the rules into a clear error."""
    errors = getattr(exc, "errors", None)
    detail = "；".join(str(e.get("msg", e)) for e in errors()) if callable(errors) else str(exc)
    return InputFileError(f"规则不成立：{detail}", hint="请调整参数后重试。")


def update_rules(
    session: Session, year: int, changes: dict[str, Any], actor: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change some of a year's rules, validated as a whole; return the (old, new) values that changed."""
    campaign = get_year(session, year)
    before = rules_of(campaign)
    after = CampaignRules(**{**before.model_dump(), **changes})
    for name in SCALAR_RULES:
        setattr(campaign, name, getattr(after, name))
    for standard in campaign.standards:
        standard.veto = standard.seq in after.veto_items
    old, new = audit.changed(_audit_view(before), _audit_view(after))
    if new:
        audit.record(
            session, actor=actor, action="update", entity="campaign_year", key=str(year), old=old, new=new
        )
    session.flush()
    return old, new
