"""``pingan scans``: read scanned sheets (inspection; ingestion into records comes with ``scans ingest``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ocr.reading import FieldStatus, assemble
from service.cli.common import console, database, settings
from service.scanning import reader_for

app = typer.Typer(help="扫描件：识读评分表与申报审批表的扫描页。", no_args_is_help=True)


@app.command("read")
def read(
    files: Annotated[list[Path], typer.Argument(help="扫描文件：PDF、TIFF、JPEG、PNG（可多个）")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出全部识读结果")] = False,
    crops: Annotated[Path | None, typer.Option(help="把手写框、印章框的切图存到此文件夹")] = None,
    debug_image: Annotated[
        Path | None, typer.Option("--debug-image", help="把对齐检查图（版式叠加在扫描件上）存到此文件夹")
    ] = None,
) -> None:
    """识读扫描页：每页的表格编号、户、对齐情况与各栏目读数（只读，不入库）。"""
    config = settings()
    pages = []
    with database() as session:
        reader = reader_for(session, config, crops=crops, debug=debug_image)
        for path in files:
            for page in reader.read_file(path):
                pages.append(page)
                if not as_json:
                    _print_page(page)
    forms = assemble(pages)
    if as_json:
        payload = {
            "pages": [p.model_dump(mode="json") for p in pages],
            "forms": [
                {
                    "serial": f.serial,
                    "kind": f.kind,
                    "household": f.household,
                    "missing_pages": f.missing_pages,
                }
                for f in forms
            ],
        }
        console.print_json(json.dumps(payload, ensure_ascii=False))
        return
    bad = sum(1 for p in pages if not p.ok)
    console.print(
        f"共 {len(pages)} 页：可读 {len(pages) - bad} 页，无法识读 {bad} 页；拼成 {len(forms)} 份表格。"
    )
    for form in forms:
        if form.missing_pages:
            console.print(
                f"[yellow]表格 {form.serial} 缺第 {'、'.join(map(str, form.missing_pages))} 页。[/]"
            )
    if bad:
        raise typer.Exit(1)


def _print_page(page: object) -> None:
    from ocr.reading import PageReading

    assert isinstance(page, PageReading)
    if not page.ok:
        console.print(f"[red]✘ {page.where}：{page.error}[/]", soft_wrap=True)
        if page.hint:
            console.print(f"  处理办法：{page.hint}", soft_wrap=True)
        return
    identity = page.identity
    assert identity is not None
    counts = Counter(f.status for f in page.fields)
    label = {"score": "评分表", "application": "申报审批表"}[identity.kind]
    console.print(
        f"[green]✔ {page.where}[/]：{label} {identity.serial}（第 {identity.page}/{identity.pages} 页）"
        f" 户 {identity.household or '空白表'}；旋转 {page.rotation}°，定位误差 {page.fit_error_mm} mm，"
        f"{'电子填写，' if page.digital else ''}{'黑白扫描，' if page.greyscale else ''}"
        f"自动通过 {counts[FieldStatus.accepted]} 栏，需人工确认 {counts[FieldStatus.review]} 栏，用时 {page.seconds * 1000:.0f} ms",
        soft_wrap=True,
    )
    table = Table(show_header=True, box=None, padding=(0, 1))
    for column in ("栏目", "读数", "置信度", "状态"):
        table.add_column(column)
    for field in page.fields:
        if field.kind == "printed":
            continue
        value = (
            {True: "有", False: "无", None: "—"}.get(field.value, field.value)
            if isinstance(field.value, bool | None)
            else field.value
        )
        status = (
            "通过"
            if field.status == FieldStatus.accepted
            else f"[yellow]复核：{field.reason.label if field.reason else ''}[/]"
        )
        table.add_row(field.label, str(value), f"{field.confidence:.2f}", status)
    console.print(table)


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[Path], typer.Argument(help="扫描文件或文件夹（PDF、TIFF、JPEG、PNG，可混放各村的表格）")
    ],
    year: Annotated[
        int | None, typer.Option(help="创建年度（用于校验规则；默认按表格二维码中的年度）")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="并行进程数（默认每个 CPU 核一个）")] = None,
) -> None:
    """扫描件入库：保存原件、逐页识读、生成档案与复核项；可中断后重跑续做，重复导入不产生变化。"""
    from service.intake import ingest
    from service.jobs.executors import executor_from
    from service.progress import RichProgress

    config = settings()
    with database() as session, RichProgress(console) as progress:
        report = ingest(session, config, paths, config.actor, year, executor_from(config, workers), progress)
    console.print(report.summary(), soft_wrap=True)
    for skipped in report.skipped:
        console.print(f"[yellow]跳过非扫描文件：[/]{skipped}", soft_wrap=True)
    for rejected in report.rejected:
        console.print(f"[red]✘[/] {rejected}", soft_wrap=True)
    if report.reviews:
        console.print("待人工确认的栏目：pingan review list")
