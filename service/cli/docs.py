"""``pingan docs``: the official documents (公文), as editable DOCX and as PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import YearOption, console, database, day_option, settings, unit_scope
from service.documents.district import model_naming, model_roster, quota_table, removal_notice
from service.documents.naming import Issued, township_naming
from service.documents.notice import public_notice
from service.documents.plaques import plaque_list
from service.documents.report import evaluation_report

app = typer.Typer(
    help="公文：命名决定、公示、花名册、授牌名单等（DOCX 可编辑，PDF 供打印）。", no_args_is_help=True
)


@app.command("naming")
def naming(
    township: Annotated[str, typer.Option(help="乡镇（街道）")],
    year: YearOption,
    number: Annotated[str, typer.Option(help="发文字号，如 城关镇妇发〔2026〕3号")],
    date: Annotated[str, typer.Option(help="成文日期，如 2026-05-10")],
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """乡镇（街道）命名“平安家庭”的决定（红头），附花名册；只列经乡镇审批命名、无待复核项的户。"""
    with database() as session:
        issued = township_naming(session, township, year, number, day_option(date), out, settings(), pdf)
    console.print(f"命名决定已生成，花名册 {issued.rows} 户：")
    console.print(f"  DOCX：{issued.docx}")
    if issued.pdf:
        console.print(f"  PDF： {issued.pdf}")
    console.print("印章位置已按 GB/T 9704 留出，请打印后加盖公章。")


@app.command("notice")
def notice(
    year: YearOption,
    village: Annotated[str | None, typer.Option(help="村（社区）")] = None,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）")] = None,
    start: Annotated[str | None, typer.Option(help="公示开始日期，如 2026-05-11；不填为今天")] = None,
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """张榜公示：列出已命名、无待复核项的户（只列序号、村、户主姓名、称号），登记公示期并生成公示。"""
    with database() as session:
        scope = unit_scope(session, village, township)
        issued, result = public_notice(session, scope, year, day_option(start), out, settings(), pdf)
        period = result.period
        assert period is not None
    console.print(f"公示已生成，{issued.rows} 户；公示期 {period.first} 至 {period.last}（{period.note}）。")
    for status, why in result.left_out:
        console.print(f"  未列入：{status.household.village.name} {status.household.label}：{why}")
    console.print(f"  DOCX：{issued.docx}")
    if issued.pdf:
        console.print(f"  PDF： {issued.pdf}")


@app.command("plaques")
def plaques(
    year: YearOption,
    township: Annotated[str | None, typer.Option(help="乡镇（街道）；不填则全区")] = None,
    date: Annotated[str | None, typer.Option(help="日期，如 2026-06-01；不填为今天")] = None,
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """示范户授牌名单：按乡镇、村列出已命名的示范户，留领取人签字栏（DOCX、PDF、XLSX）。"""
    with database() as session:
        scope = unit_scope(session, None, township)
        issued, xlsx = plaque_list(session, scope, year, day_option(date), out, settings(), pdf)
    console.print(f"授牌名单已生成，{issued.rows} 户：")
    console.print(f"  DOCX：{issued.docx}")
    if issued.pdf:
        console.print(f"  PDF： {issued.pdf}")
    console.print(f"  XLSX：{xlsx}")


def _written(what: str, issued: Issued) -> None:
    console.print(
        f"{what}已生成，{issued.rows} 户："
        if what != "任务指标表"
        else f"{what}已生成，{issued.rows} 个乡镇（街道）："
    )
    console.print(f"  DOCX：{issued.docx}")
    if issued.pdf:
        console.print(f"  PDF： {issued.pdf}")


@app.command("model-roster")
def model_roster_(
    township: Annotated[str, typer.Option(help="乡镇（街道）")],
    year: YearOption,
    date: Annotated[str | None, typer.Option(help="日期，如 2026-05-20；不填为今天")] = None,
    limit: Annotated[int | None, typer.Option(help="推荐户数上限；不填按示范户指标")] = None,
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """乡镇（街道）推荐示范户并生成推荐花名册（公示期满、得分达示范户推荐分，按得分从高到低至指标数）。"""
    from service import units
    from service.db.models import UnitLevel

    with database() as session:
        unit = units.find_unit(session, township, UnitLevel.township)
        issued, left_out = model_roster(session, unit, year, day_option(date), out, settings(), limit, pdf)
    _written("示范户推荐花名册", issued)
    for status, why in left_out:
        console.print(f"  未列入：{status.household.village.name} {status.household.label}：{why}")


@app.command("model-naming")
def model_naming_(
    year: YearOption,
    number: Annotated[str, typer.Option(help="发文字号，如 清河妇发〔2026〕8号")],
    date: Annotated[str, typer.Option(help="成文日期，如 2026-05-25")],
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """区里命名“平安家庭示范户”的决定（红头，附名单）：各乡镇推荐的户一并命名。"""
    with database() as session:
        issued = model_naming(session, year, number, day_option(date), out, settings(), pdf)
    _written("示范户命名决定", issued)


@app.command("removal")
def removal(
    year: Annotated[int, typer.Option(help="复核年度")],
    township: Annotated[str | None, typer.Option(help="乡镇（街道）；不填则全区")] = None,
    date: Annotated[str | None, typer.Option(help="日期；不填为今天")] = None,
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """摘牌通知：列出复核后拟摘牌的家庭及原因。"""
    with database() as session:
        scope = unit_scope(session, None, township)
        issued = removal_notice(session, scope, year, day_option(date), out, settings(), pdf)
    _written("摘牌通知", issued)


@app.command("quotas")
def quotas(
    year: YearOption,
    as_of: Annotated[str | None, typer.Option("--as-of", help="统计截至日期；不填为今天")] = None,
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """附件1 任务指标分配表：各乡镇（街道）指标、已命名数与完成率。"""
    with database() as session:
        issued = quota_table(session, year, day_option(as_of), out, settings(), pdf)
    _written("任务指标表", issued)


@app.command("report")
def report(
    year: YearOption,
    as_of: Annotated[str, typer.Option("--as-of", help="评估截至日期，如 2026-06-30")],
    out: Annotated[Path, typer.Option(help="输出文件夹")] = Path("公文"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时用 LibreOffice 生成 PDF")] = True,
) -> None:
    """问效评估报告（6 月、11 月）：各乡镇参与率、指标完成、评分分布、待复核项与点名通报建议，附图表。"""
    with database() as session:
        issued = evaluation_report(session, year, day_option(as_of), out, settings(), pdf)
    console.print(f"问效评估报告已生成（{issued.rows} 个乡镇（街道））：")
    console.print(f"  DOCX：{issued.docx}")
    if issued.pdf:
        console.print(f"  PDF： {issued.pdf}")
