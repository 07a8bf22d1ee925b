"""The ``pingan`` command line (命令行): every capability for clerks and the district office.

Errors from the one exception hierarchy are mapped to messages and exit codes here, and only here.
"""

from __future__ import annotations

import logging
import sys

import typer

from service.cli import (
    campaign,
    docs,
    forms,
    naming,
    progress_cmds,
    quotas,
    review,
    rolling,
    roster,
    scans,
    serve,
    system,
    users,
)
from service.cli.common import err_console
from service.errors import PinganError

MAX_PROBLEMS_SHOWN = 200

app = typer.Typer(
    name="pingan",
    help="平安家庭创建工作系统：花名册、表格印制、扫描识读、审核与公文生成。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
system.register(app)
app.add_typer(campaign.app, name="campaign")
app.add_typer(roster.app, name="roster")
app.add_typer(quotas.app, name="quotas")
app.add_typer(forms.app, name="forms")
app.add_typer(scans.app, name="scans")
app.add_typer(review.app, name="review")
app.command("status")(progress_cmds.status)
app.add_typer(progress_cmds.households_app, name="households")
app.add_typer(progress_cmds.records_app, name="records")
app.add_typer(naming.notice_app, name="notice")
app.add_typer(naming.model_app, name="model")
app.add_typer(naming.plaques_app, name="plaques")
app.add_typer(rolling.app, name="review-cycle")
app.add_typer(docs.app, name="docs")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and map pingan's errors to a Chinese message and an exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(args=argv, prog_name="pingan")
    except PinganError as exc:
        err_console.print(f"[bold red]错误：[/]{exc.message}")
        problems = getattr(exc, "problems", None) or []
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            err_console.print(f"  {problem}", markup=False, soft_wrap=True)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            err_console.print(
                f"  ……共 {len(problems)} 处，其余 {len(problems) - MAX_PROBLEMS_SHOWN} 处未显示。"
            )
        if exc.hint:
            err_console.print(f"[yellow]处理办法：[/]{exc.hint}")
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("已中断。")
        return 130
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        err_console.print(str(exc.code))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
