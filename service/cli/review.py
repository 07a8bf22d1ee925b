"""``pingan review``: the queue of fields a person must confirm, lowest confidence first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from service.cli.common import console, database, settings
from service.review import decide, export_crop, get_item, parse_value, queue

app = typer.Typer(help="复核：逐项确认机器没有把握的栏目（置信度低的在前）。", no_args_is_help=True)


def _shown(value: object) -> str:
    return (
        {True: "有", False: "无", None: "空"}.get(value, str(value))
        if isinstance(value, bool | None)
        else str(value)
    )


@app.command("list")
def list_(
    village: Annotated[str | None, typer.Option(help="只看某村（社区）")] = None,
    reason: Annotated[str | None, typer.Option(help="只看某种原因，如 blank、double_mark、rule_seal")] = None,
    ids: Annotated[bool, typer.Option("--ids", help="只输出编号（每行一个，便于脚本处理）")] = False,
) -> None:
    """列出待复核的栏目。"""
    with database() as session:
        lines = queue(session, village, reason)
        if ids:
            for line in lines:
                console.print(str(line.item.id))
            return
        table = Table(title=f"待复核 {len(lines)} 项（置信度低的在前）")
        for column in ("编号", "表格编号", "户", "栏目", "原因", "机器读数", "置信度"):
            table.add_column(column)
        for line in lines:
            household = (
                f"{line.household.head_name}（{line.household.village.name}）" if line.household else "空白表"
            )
            table.add_row(
                str(line.item.id),
                line.item.record.serial,
                household,
                line.label,
                line.reason,
                _shown(line.item.read_value),
                f"{line.item.confidence:.2f}",
            )
    console.print(table)


@app.command("show")
def show(
    item_id: Annotated[int, typer.Argument(help="复核项编号")],
    out: Annotated[Path, typer.Option(help="把该栏目的切图存到此文件夹")] = Path("复核切图"),
) -> None:
    """显示一个复核项：机器读数、原因、细节，并导出切图。"""
    with database() as session:
        item = get_item(session, item_id)
        lines = {line.item.id: line for line in queue(session)}
        line = lines.get(item.id)
        console.print(
            f"复核项 {item.id}：表格 {item.record.serial}，栏目 {line.label if line else item.field}，状态 {item.status}"
        )
        console.print(f"原因：{line.reason if line else item.reason}；{item.detail or ''}", soft_wrap=True)
        console.print(f"机器读数：{_shown(item.read_value)}（置信度 {item.confidence:.2f}）")
        crop = export_crop(session, item, out)
        console.print(f"切图：{crop}" if crop else "切图：无（该项由规则检查产生，请查看原表）")


@app.command("accept")
def accept(item_id: Annotated[int, typer.Argument(help="复核项编号")]) -> None:
    """确认机器读数。"""
    with database() as session:
        item = get_item(session, item_id)
        decide(session, item, "accept", settings().actor)
        console.print(f"复核项 {item_id} 已确认：{_shown(item.decided_value)}")


@app.command("set")
def set_value(
    item_id: Annotated[int, typer.Argument(help="复核项编号")],
    value: Annotated[str, typer.Argument(help="正确的值：选项（如 9、同意）、有/无，或“空”")],
) -> None:
    """把栏目改为人工核对后的值。"""
    with database() as session:
        item = get_item(session, item_id)
        decide(session, item, "set", settings().actor, parse_value(session, item, value))
        console.print(f"复核项 {item_id} 已改为：{_shown(item.decided_value)}")


@app.command("reject")
def reject(
    item_id: Annotated[int, typer.Argument(help="复核项编号")],
    why: Annotated[str, typer.Option("--why", help="原因（记入审计日志）")],
) -> None:
    """驳回：该栏目无法认定（如字迹不清、表格作废），记录原因。"""
    with database() as session:
        item = get_item(session, item_id)
        decide(session, item, "reject", settings().actor, note=why)
        console.print(f"复核项 {item_id} 已驳回：{why}")
