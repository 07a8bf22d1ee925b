"""``pingan roster``: import, list and export the households of the district (花名册)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from service import units
from service.campaign.years import get_year
from service.cli.common import console, database, settings
from service.db.models import UnitLevel
from service.errors import InputFileError
from service.formats import format_birth, mask_phone
from service.roster.export import export_roster, households_in
from service.roster.importer import RosterImporter

app = typer.Typer(help="花名册：导入村里的 Excel 花名册，查看、导出各户信息。", no_args_is_help=True)


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="一个或多个 .xlsx 花名册")],
    year: Annotated[int | None, typer.Option(help="花名册所属创建年度，如 2026")] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="只导入正确的行，错误行另存为“原文件名.rejected.xlsx”")
    ] = False,
    township: Annotated[str | None, typer.Option(help="文件没有乡镇列时，整个文件所属的乡镇（街道）")] = None,
    village: Annotated[str | None, typer.Option(help="文件没有村列时，整个文件所属的村（社区）")] = None,
) -> None:
    """导入花名册：逐行校验；默认有任何错误则整份不导入；重复导入不产生变化。"""
    config = settings()
    with database() as session:
        if year is not None:
            get_year(session, year)
        importer = RosterImporter(session, config.actor)
        for path in files:
            report = importer.run(
                path,
                max_bytes=config.max_roster_bytes,
                max_rows=config.max_roster_rows,
                skip_invalid=skip_invalid,
                township=township,
                village=village,
                year=year,
            )
            for note in report.notes:
                console.print(f"[yellow]提示：[/]{note}")
            for unit in report.new_units:
                console.print(f"新增单位：{unit}")
            console.print(report.summary())
            if report.rejected:
                for problem in report.problems:
                    console.print(f"  {problem}", markup=False, soft_wrap=True)
                console.print(f"[yellow]错误行已另存为：[/]{report.rejected_file}（改正后可直接再次导入）")


def _scope(township: str | None, village: str | None) -> tuple[UnitLevel, str]:
    if (township is None) == (village is None):
        raise InputFileError("请用 --township 或 --village 指定范围（二选一）。")
    return (UnitLevel.village, village) if village is not None else (UnitLevel.township, township or "")


@app.command("list")
def list_(
    village: Annotated[str | None, typer.Option(help="村（社区）名称、代码或“乡镇/村”")] = None,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）名称或代码")] = None,
    full: Annotated[bool, typer.Option("--full", help="显示完整电话号码（默认打码）")] = False,
) -> None:
    """列出某村或某乡镇已登记的户（按村民小组排列）。"""
    level, name = _scope(township, village)
    with database() as session:
        unit = units.find_unit(session, name, level)
        households = households_in(session, unit)
        table = Table(title=f"{unit.name} 已登记 {len(households)} 户")
        for column in (
            "户编号",
            "村（社区）",
            "村民小组",
            "户主姓名",
            "出生年月",
            "政治面貌",
            "家庭人数",
            "联系电话",
        ):
            table.add_column(column)
        for h in households:
            table.add_row(
                h.code,
                h.village.name,
                h.group.name if h.group else "",
                h.head_name,
                format_birth(h.head_birth),
                h.political_status or "",
                str(h.family_size or ""),
                (h.phone or "") if full else mask_phone(h.phone),
            )
    console.print(table)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="输出的 .xlsx 文件")],
    township: Annotated[str | None, typer.Option(help="乡镇（街道）名称或代码")] = None,
    village: Annotated[str | None, typer.Option(help="村（社区）名称、代码或“乡镇/村”")] = None,
) -> None:
    """导出花名册（含户编号，可修改后再次导入）。"""
    level, name = _scope(township, village)
    with database() as session:
        unit = units.find_unit(session, name, level)
        count = export_roster(session, unit, out)
    console.print(f"已导出 {unit.name} 花名册 {count} 户：{out}")
