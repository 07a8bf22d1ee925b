"""``pingan users``: accounts of the district office, township and village clerks."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from service.accounts import add_user, disable_user, issue_token
from service.cli.common import console, database, settings
from service.db.models import Role, User
from service.errors import InputFileError

app = typer.Typer(
    help="账号：区妇联、乡镇（街道）和村（社区）经办人，各自只能看本单位。", no_args_is_help=True
)


@app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="登录名，如 chengguan01")],
    role: Annotated[str, typer.Option(help="district（区妇联）、township（乡镇）或 village（村）")],
    name: Annotated[str, typer.Option(help="姓名")] = "",
    unit: Annotated[str | None, typer.Option(help="所属乡镇（街道）或村（社区）；区级账号不填")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读密码（供脚本使用）")
    ] = False,
) -> None:
    """新增账号（密码以 argon2 存储）。"""
    try:
        kind = Role(role)
    except ValueError:
        raise InputFileError(f"没有“{role}”这种角色。", hint="可选：district、township、village。") from None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")
    with database() as session:
        user = add_user(session, login, name, kind, unit, password, settings().actor)
        console.print(f"已新增账号 {user.login}（{user.name}，{kind.label}，{user.unit.name}）。")


@app.command("list")
def list_() -> None:
    """列出账号。"""
    with database() as session:
        table = Table(title="账号")
        for column in ("登录名", "姓名", "角色", "单位", "状态"):
            table.add_column(column)
        for user in session.scalars(select(User).order_by(User.login)):
            table.add_row(
                user.login,
                user.name,
                Role(user.role).label,
                user.unit.name,
                "在用" if user.active else "已停用",
            )
    console.print(table)


@app.command("disable")
def disable(login: Annotated[str, typer.Argument(help="登录名")]) -> None:
    """停用账号（其接口令牌一并作废；账号保留以备审计）。"""
    with database() as session:
        disable_user(session, login, settings().actor)
    console.print(f"已停用账号 {login}。")


@app.command("token")
def token(
    login: Annotated[str, typer.Argument(help="登录名")],
    label: Annotated[str, typer.Option(help="用途，如“扫描脚本”")] = "脚本",
) -> None:
    """为账号发放接口令牌（只显示这一次，请妥善保存）。"""
    with database() as session:
        value = issue_token(session, login, label, settings().actor)
    console.print(value, soft_wrap=True)
    console.print("[yellow]令牌只显示这一次；请求时放在 Authorization: Bearer 之后。[/]")
