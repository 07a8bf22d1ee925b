"""``pingan quotas``: the per-township quota table (附件1 任务指标分配表)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from service.campaign.quotas import import_quotas, participation_needed, quota_lines, write_template
from service.campaign.years import get_year
from service.cli.common import console, database, settings

app = typer.Typer(help="任务指标（附件1）：导入、查看、生成模板。", no_args_is_help=True)
YearOption = Annotated[int, typer.Option("--year", help="创建年度，如 2026")]


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="附件1 指标表 .xlsx")], year: YearOption) -> None:
    """导入各乡镇（街道）的任务指标；有错误则整份不导入。"""
    config = settings()
    with database() as session:
        created, updated, unchanged = import_quotas(
            session, file, year, config.actor, config.max_roster_bytes
        )
    console.print(f"{file.name}：新增 {created} 个乡镇指标，更新 {updated} 个，未变 {unchanged} 个。")


@app.command("show")
def show(year: YearOption) -> None:
    """显示各乡镇（街道）的任务指标与登记户数。"""
    with database() as session:
        campaign = get_year(session, year)
        lines = quota_lines(session, year)
    table = Table(title=f"{year}年“平安家庭”创建工作任务指标（附件1）")
    for column in (
        "乡镇（街道）",
        "总户数",
        "登记户数",
        f"参与目标（{campaign.participation_target:.0%}）",
        "平安家庭指标",
        "示范户指标",
    ):
        table.add_column(column, justify="right")
    for line in lines:
        base = line.total_households or line.registered
        table.add_row(
            line.township,
            str(line.total_households or "—"),
            str(line.registered),
            str(participation_needed(base, campaign.participation_target)),
            str(line.family_quota) if line.family_quota is not None else "未下达",
            str(line.model_quota) if line.model_quota is not None else "未下达",
        )
    console.print(table)


@app.command("template")
def template(year: YearOption, out: Annotated[Path, typer.Option(help="输出的 .xlsx 文件")]) -> None:
    """生成附件1 指标表模板（每个乡镇一行，已有指标预先填入）。"""
    with database() as session:
        get_year(session, year)
        write_template(session, year, out)
    console.print(f"已生成指标表模板：{out}")
