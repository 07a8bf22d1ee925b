"""``pingan forms``: print the score sheet (评分表) and the application form (申报审批表)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service import units
from service.cli.common import console, database, settings
from service.db.models import UnitLevel
from service.errors import InputFileError
from service.forms.layouts import KIND_LABELS, FormKind
from service.forms.printing import FormPrinter, PrintRequest
from service.jobs.executors import executor_from
from service.progress import RichProgress

app = typer.Typer(
    help="印制表格：评分表（附件2）与申报审批表（附件3），预填或空白，PDF 或 Word。", no_args_is_help=True
)

Year = Annotated[int, typer.Option("--year", help="创建年度，如 2026")]
Village = Annotated[str | None, typer.Option(help="村（社区）名称、代码或“乡镇/村”")]
Township = Annotated[str | None, typer.Option(help="乡镇（街道）名称或代码：为其下每个村各印一个文件")]
Out = Annotated[Path, typer.Option(help="输出文件夹")]
Blank = Annotated[int | None, typer.Option(help="印制 N 份编号的空白表（须用 --village）")]
Format = Annotated[
    str, typer.Option("--format", help="pdf（可打印、可在电脑上填写）或 docx（Word 版，每户一个文件）")
]
Workers = Annotated[int | None, typer.Option(help="并行进程数（默认每个 CPU 核一个）")]


def _print(
    kind: FormKind,
    year: int,
    village: str | None,
    township: str | None,
    out: Path,
    blank: int | None,
    fmt: str,
    workers: int | None,
) -> None:
    if (village is None) == (township is None):
        raise InputFileError("请用 --village 或 --township 指定印制范围（二选一）。")
    if fmt not in ("pdf", "docx"):
        raise InputFileError(f"--format 只能是 pdf 或 docx，而不是“{fmt}”。")
    config = settings()
    key = config.signing_key()
    with database() as session:
        unit = units.find_unit(
            session, village or township or "", UnitLevel.village if village else UnitLevel.township
        )
        request = PrintRequest(kind=kind, year=year, unit=unit, out=out, blank=blank, fmt=fmt)
        with RichProgress(console) as progress:
            report = FormPrinter(session, key, config.actor, executor_from(config, workers), progress).run(
                request
            )
    label = KIND_LABELS[kind]
    console.print(f"已印制{label} {report.sheets} 份（{report.pages} 页），版式 {report.layout_hash}：")
    for printed in report.files:
        console.print(f"  {printed.path}（{printed.sheets} 份）")
    if report.superseded:
        shown = "、".join(report.superseded[:10]) + ("……" if len(report.superseded) > 10 else "")
        console.print(
            f"{len(report.superseded)} 个旧编号已作废（被新印的表格代替，见登记表）：{shown}", soft_wrap=True
        )
    console.print(f"印制登记表：{report.register}")


@app.command("score")
def score(
    year: Year,
    out: Out,
    village: Village = None,
    township: Township = None,
    blank: Blank = None,
    fmt: Format = "pdf",
    workers: Workers = None,
) -> None:
    """印制评分表：每村一个文件，每户一份（按村民小组排列），附印制登记表。"""
    _print("score", year, village, township, out, blank, fmt, workers)


@app.command("application")
def application(
    year: Year,
    out: Out,
    village: Village = None,
    township: Township = None,
    blank: Blank = None,
    fmt: Format = "pdf",
    workers: Workers = None,
) -> None:
    """印制申报审批表（两页）：每村一个文件，每户一份，附印制登记表。"""
    _print("application", year, village, township, out, blank, fmt, workers)
