"""``pingan notice``, ``pingan model`` and ``pingan plaques``: the steps after township naming.

张榜公示 and objections, 推荐示范户 by the township, 命名示范户 by the district, and 授牌.
"""

from __future__ import annotations

from typing import Annotated

import typer

from service import units
from service.campaign.workdays import WorkCalendar
from service.campaign.years import get_year, rules_of
from service.cli.common import (
    DateOption,
    YearOption,
    console,
    database,
    day_option,
    find_household,
    settings,
    unit_scope,
)
from service.db.models import UnitLevel
from service.formats import chinese_date
from service.milestones import (
    StepResult,
    award_plaques,
    name_models,
    object_to_notice,
    post_notice,
    recommend_models,
    resolve_objection,
)

notice_app = typer.Typer(help="张榜公示：登记公示期（按工作日计算）与公示期内的异议。", no_args_is_help=True)
model_app = typer.Typer(help="示范户：乡镇（街道）推荐，区里命名。", no_args_is_help=True)
plaques_app = typer.Typer(help="授牌：登记示范户牌匾已发放。", no_args_is_help=True)


def _report(result: StepResult, verb: str) -> None:
    """Print what a step did: done, done before, and left out with the reason."""
    console.print(f"{verb} {len(result.done)} 户；此前已登记 {len(result.already)} 户。")
    for status in result.done:
        h = status.household
        console.print(f"  {h.village.name} {h.label}总分 {status.total}")
    if result.left_out:
        console.print(f"[yellow]未列入 {len(result.left_out)} 户：[/]")
        for status, why in result.left_out:
            h = status.household
            console.print(f"  {h.village.name} {h.label}：{why}")


@notice_app.command("post")
def post(
    year: YearOption,
    start: Annotated[str | None, typer.Option(help="公示开始日期，如 2026-05-11；不填为今天")] = None,
    village: Annotated[str | None, typer.Option(help="村（社区）")] = None,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）")] = None,
) -> None:
    """登记张榜公示：本单位已命名、无待复核项的户进入公示，公示期按工作日计算。"""
    with database() as session:
        rules = rules_of(get_year(session, year))
        scope = unit_scope(session, village, township)
        config = settings()
        calendar = WorkCalendar.from_file(config.holiday_file)
        result = post_notice(session, scope, year, day_option(start), rules, config.actor, calendar)
        period = result.period
        assert period is not None
        console.print(
            f"{scope.name}{year}年“平安家庭”公示期：{chinese_date(period.first)}至{chinese_date(period.last)}"
            f"（{rules.notice_working_days} 个工作日；{period.note}）。"
        )
        _report(result, "列入公示")


@notice_app.command("object")
def object_(
    code: Annotated[str, typer.Argument(help="户编号")],
    year: YearOption,
    why: Annotated[str, typer.Option(help="异议内容")],
    date: DateOption = None,
) -> None:
    """登记公示期内收到的异议：该户暂停命名，直至核查后撤销异议。"""
    with database() as session:
        household = find_household(session, code)
        entry = object_to_notice(session, household, year, why, day_option(date), settings().actor)
        console.print(f"已登记 {household.label}的公示异议（{chinese_date(entry.dated)}）：{entry.note}")


@notice_app.command("resolve")
def resolve(
    code: Annotated[str, typer.Argument(help="户编号")],
    year: YearOption,
    why: Annotated[str, typer.Option(help="核查结论（异议不成立的理由）")],
) -> None:
    """撤销经核查不成立的公示异议（记入审计日志）。"""
    with database() as session:
        household = find_household(session, code)
        resolve_objection(session, household, year, why, settings().actor)
        console.print(f"已撤销 {household.label}的公示异议：{why}")


@model_app.command("recommend")
def recommend(
    year: YearOption,
    township: Annotated[str, typer.Option(help="乡镇（街道）")],
    date: DateOption = None,
    limit: Annotated[int | None, typer.Option(help="推荐户数上限；不填按示范户指标")] = None,
) -> None:
    """乡镇（街道）推荐示范户：公示期满且得分达到示范户推荐分的户，按得分从高到低，至多到指标数。"""
    with database() as session:
        rules = rules_of(get_year(session, year))
        unit = units.find_unit(session, township, UnitLevel.township)
        result = recommend_models(session, unit, year, day_option(date), rules, settings().actor, limit)
        _report(result, f"{unit.name}推荐示范户")


@model_app.command("name")
def name(
    year: YearOption,
    number: Annotated[str, typer.Option(help="区命名决定的发文字号，如 清河妇发〔2026〕8号")],
    date: DateOption = None,
    township: Annotated[str | None, typer.Option(help="只命名某乡镇（街道）推荐的户")] = None,
) -> None:
    """区里命名“平安家庭示范户”：已推荐的户记入命名决定。"""
    with database() as session:
        rules = rules_of(get_year(session, year))
        scope = unit_scope(session, None, township)
        result = name_models(session, scope, year, number, day_option(date), rules, settings().actor)
        _report(result, f"依{number.strip()}命名示范户")


@plaques_app.command("award")
def award(
    year: YearOption,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）")] = None,
    village: Annotated[str | None, typer.Option(help="村（社区）")] = None,
    date: DateOption = None,
    note: Annotated[str | None, typer.Option(help="备注，如领取人")] = None,
) -> None:
    """登记授牌：本单位已命名的示范户牌匾已发放。"""
    with database() as session:
        rules = rules_of(get_year(session, year))
        scope = unit_scope(session, village, township)
        result = award_plaques(session, scope, year, day_option(date), rules, settings().actor, note)
        _report(result, f"{scope.name}授牌")
