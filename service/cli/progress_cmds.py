"""``pingan status``, ``pingan households show`` and ``pingan records export``: where the campaign stands."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import openpyxl
import typer
from rich.table import Table
from sqlalchemy import select

from service import units
from service.campaign.quotas import participation_needed
from service.campaign.years import get_year, rules_of
from service.cli.common import console, database, find_household, percent
from service.db.models import Milestone, MilestoneKind, Quota, ReviewState, TitleReview, UnitLevel
from service.errors import InputFileError
from service.roster.export import households_in
from service.status import Step, household_status, statuses

households_app = typer.Typer(help="户：查看一户历年的档案与进度。", no_args_is_help=True)
records_app = typer.Typer(help="档案：导出各户评分、进度与出处。", no_args_is_help=True)


def status(
    year: Annotated[int, typer.Option(help="创建年度")],
    township: Annotated[str | None, typer.Option(help="乡镇（街道）；不填则全区")] = None,
) -> None:
    """各村（社区）的创建进度：参与率、推荐、审批、命名，对照任务指标与参与率目标。"""
    with database() as session:
        rules = rules_of(get_year(session, year))
        scope = (
            units.find_unit(session, township, UnitLevel.township)
            if township
            else units.get_district(session)
        )
        townships = [scope] if scope.level == UnitLevel.township else list(scope.children)
        table = Table(title=f"{scope.name}{year}年“平安家庭”创建进度")
        table.add_column("乡镇（街道）", no_wrap=True)
        table.add_column("村（社区）", no_wrap=True)
        for column in (
            "登记",
            "已评分",
            "参与率",
            "已推荐",
            "村同意",
            "妇联同意",
            "已命名",
            "公示期满",
            "示范户\n推/命/授",
            "未通过",
            "待复核",
        ):
            table.add_column(column, justify="right")
        for town in townships:
            quota = session.scalars(
                select(Quota).where(Quota.year == year, Quota.township_id == town.id)
            ).first()
            named_total = registered_total = scored_total = 0
            for village in town.children:
                found = statuses(session, households_in(session, village), year, rules)
                count = {step: sum(1 for s in found if s.step >= step and not s.rejected) for step in Step}
                scored = sum(1 for s in found if s.step >= Step.scored)
                rejected = sum(1 for s in found if s.rejected)
                reviewing = sum(1 for s in found if s.open_reviews)
                registered_total += len(found)
                scored_total += scored
                named_total += count[Step.named]
                table.add_row(
                    town.name, village.name, str(len(found)), str(scored), percent(scored, len(found)),
                    str(count[Step.recommended]), str(count[Step.village_approved]), str(count[Step.federation_approved]),
                    str(count[Step.named]), str(count[Step.notice_passed]),
                    f"{count[Step.model_recommended]}/{count[Step.model_named]}/{count[Step.plaque_awarded]}",
                    str(rejected), str(reviewing),
                )  # fmt: skip
            base = quota.total_households if quota and quota.total_households else registered_total
            target = participation_needed(base, rules.participation_target)
            quota_text = (
                f"指标 {quota.family_quota} 户，完成 {percent(named_total, quota.family_quota)}"
                if quota
                else "指标未下达"
            )
            table.add_row(
                f"[bold]{town.name}合计[/]", "", str(registered_total), str(scored_total), percent(scored_total, base),
                f"参与目标 {target} 户", "", "", str(named_total), "", "", quota_text, "",
            )  # fmt: skip
    console.print(table)


@households_app.command("show")
def show_household(code: Annotated[str, typer.Argument(help="户编号，如 330199001001-0005")]) -> None:
    """一户的登记信息与历年档案、评分、进度。"""
    from service.db.models import CampaignYear

    with database() as session:
        household = find_household(session, code)
        console.print(
            f"[bold]{household.head_name}[/]（户编号 {household.code}）{household.village.parent.name if household.village.parent else ''} {household.village.name}"
        )
        for campaign in session.scalars(select(CampaignYear).order_by(CampaignYear.year)):
            state = household_status(session, household, campaign.year, rules_of(campaign))
            scores = "、".join(f"{n}:{v}" for n, v in sorted(state.scores.items())) or "—"
            console.print(
                f"{campaign.year}年：{state.label}；总分 {state.total if state.total is not None else '—'}；各项 {scores}；表格 {'、'.join(state.serials) or '—'}",
                soft_wrap=True,
            )
            for open_item in state.open_reviews:
                console.print(f"  待复核：{open_item}")
            for step in session.scalars(
                select(Milestone)
                .where(Milestone.household_id == household.id, Milestone.year == campaign.year)
                .order_by(Milestone.dated, Milestone.id)
            ):
                span = f"至 {step.until}" if step.until else ""
                extra = "；".join(x for x in (step.reference, step.note) if x)
                console.print(
                    f"  {step.dated} {MilestoneKind(step.kind).label}{span}{'：' + extra if extra else ''}（{step.actor}）"
                )
            review = session.scalars(
                select(TitleReview).where(
                    TitleReview.household_id == household.id, TitleReview.year == campaign.year
                )
            ).first()
            if review is not None:
                console.print(
                    f"  滚动管理复核（{review.named_year}年命名）：{ReviewState(review.state).label}"
                    + (f"，整改期限 {review.deadline}" if review.deadline else "")
                    + (f"；{review.reason}" if review.reason else "")
                    + (f"；{review.note}" if review.note else "")
                )


@records_app.command("export")
def export_records(
    year: Annotated[int, typer.Option(help="创建年度")],
    out: Annotated[Path, typer.Option(help="输出文件")],
    fmt: Annotated[str, typer.Option("--format", help="csv、xlsx 或 json")] = "xlsx",
    township: Annotated[str | None, typer.Option(help="乡镇（街道）；不填则全区")] = None,
) -> None:
    """导出档案：每户一行（仅计已确认的值），并注明尚待复核的栏目。"""
    if fmt not in ("csv", "xlsx", "json"):
        raise InputFileError(f"--format 只能是 csv、xlsx 或 json，而不是“{fmt}”。")
    with database() as session:
        rules = rules_of(get_year(session, year))
        scope = (
            units.find_unit(session, township, UnitLevel.township)
            if township
            else units.get_district(session)
        )
        headers = [
            "户编号",
            "乡镇（街道）",
            "村（社区）",
            "户主姓名",
            *[f"第{n}项" for n in range(1, len(rules.standards) + 1)],
            "总分",
            "是否推荐",
            "村（社区）意见",
            "妇联意见",
            "乡镇审批",
            "进度",
            "表格编号",
            "待复核栏目",
        ]
        rows = []
        for state in statuses(session, households_in(session, scope), year, rules):
            h = state.household
            rows.append(
                [
                    h.code, h.village.parent.name if h.village.parent else "", h.village.name, h.head_name,
                    *[state.scores.get(n, "") for n in range(1, len(rules.standards) + 1)],
                    state.total if state.total is not None else "", state.values.get("recommend", ""),
                    state.values.get("village_decision", ""), state.values.get("federation_decision", ""), state.values.get("township_decision", ""),
                    state.label, "、".join(state.serials), "、".join(state.open_reviews),
                ]
            )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with out.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
    elif fmt == "json":
        out.write_text(
            json.dumps([dict(zip(headers, row, strict=True)) for row in rows], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "档案"
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        book.save(out)
    console.print(f"已导出 {len(rows)} 户：{out}")
