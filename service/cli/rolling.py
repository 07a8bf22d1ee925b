"""``pingan review-cycle``: rolling management (滚动管理) of households already named 平安家庭."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

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
from service.db.models import ReviewState
from service.errors import InputFileError
from service.rolling import CycleResult, mark_rectified, reviews_in, start_cycle, update_cycle

app = typer.Typer(
    help="滚动管理：对已命名家庭定期复核，不达标的限时整改，整改不到位的拟摘牌。", no_args_is_help=True
)


def _changes(result: CycleResult) -> None:
    for review, before, after in result.changed:
        h = review.household
        console.print(f"  {h.village.name} {h.label}：{before} → {after}")
    for review, why in result.waiting:
        h = review.household
        console.print(f"  [yellow]待定[/] {h.village.name} {h.label}：{why}")


@app.command("start")
def start(
    year: YearOption,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）；不填则全区")] = None,
    every: Annotated[int | None, typer.Option(help="复核周期（年）；不填按年度设置")] = None,
    date: DateOption = None,
) -> None:
    """开启某年度的复核：上次评定已满复核周期的已命名家庭列入复核（重复执行不会重复列入）。"""
    with database() as session:
        scope = unit_scope(session, None, township)
        result = start_cycle(session, scope, year, day_option(date), settings().actor, every)
        console.print(
            f"{scope.name}{year}年复核：新列入 {len(result.opened)} 户，此前已列入 {len(result.already)} 户，"
            f"未到复核期 {len(result.not_due)} 户。"
        )
        if result.not_due and not result.opened and not result.already:
            first = min(h.last_assessed for h in result.not_due)
            console.print(f"[yellow]最早评定于 {first} 年的家庭将在周期满后复核；如需提前，请用 --every。[/]")
        console.print(
            f"请为复核户印制 {year} 年评分表（pingan forms score --year {year} --village 村名），收回扫描后运行 "
            f"pingan review-cycle update --year {year}。"
        )


@app.command("update")
def update(
    year: YearOption,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）；不填则全区")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="按哪一天结算，如 2028-06-30；不填为今天")
    ] = None,
) -> None:
    """结算复核：评分达标的保留称号；不达标的限时整改；整改期满未整改到位的拟摘牌。"""
    with database() as session:
        scope = unit_scope(session, None, township)
        day = day_option(as_of)
        result = update_cycle(session, scope, year, day, settings().actor)
        console.print(
            f"{scope.name}{year}年复核结算（截至 {day}）：变更 {len(result.changed)} 户，待定 {len(result.waiting)} 户。"
        )
        _changes(result)


@app.command("rectified")
def rectified(
    code: Annotated[str, typer.Argument(help="户编号")],
    year: YearOption,
    note: Annotated[str, typer.Option(help="整改核查情况")],
) -> None:
    """登记整改到位（乡镇核查后）：保留称号。"""
    with database() as session:
        household = find_household(session, code)
        mark_rectified(session, household, year, note, settings().actor)
        console.print(f"已登记 {household.label}{year} 年整改到位：{note}")


@app.command("list")
def list_(
    year: YearOption,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）；不填则全区")] = None,
    state: Annotated[
        str | None, typer.Option(help="只看某种状态：due、passed、rectifying、rectified、marked")
    ] = None,
) -> None:
    """列出某年度的复核户及其状态、整改期限和原因。"""
    if state is not None and state not in {s.value for s in ReviewState}:
        raise InputFileError(
            f"没有“{state}”这种复核状态。", hint="可选：due、passed、rectifying、rectified、marked。"
        )
    with database() as session:
        scope = unit_scope(session, None, township)
        found = [r for r in reviews_in(session, scope, year) if state is None or r.state == state]
        table = Table(title=f"{scope.name}{year}年复核 {len(found)} 户")
        for column in ("户编号", "村（社区）", "户主", "命名年度", "状态", "整改期限", "原因或说明"):
            table.add_column(column)
        for review in found:
            h = review.household
            table.add_row(
                h.code, h.village.name, h.head_name, str(review.named_year), ReviewState(review.state).label,
                str(review.deadline or ""), review.reason or review.note or "",
            )  # fmt: skip
    console.print(table)
