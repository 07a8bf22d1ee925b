"""System commands: ``init``, ``doctor``, ``summary`` and ``audit``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from service import units
from service.campaign.quotas import participation_needed, quota_lines
from service.campaign.years import get_year
from service.cli.common import console, database, engine, percent, settings
from service.db.models import AuditEntry
from service.db.session import session_scope, upgrade
from service.errors import ConfigError, NotFound
from service.tools.probes import run_probes


def init(
    district: Annotated[str | None, typer.Option(help="本区名称，如“清河区”（首次初始化时必填）")] = None,
    district_code: Annotated[str, typer.Option(help="本区的行政区划代码，如 330102")] = "000000",
) -> None:
    """创建或升级数据库（Alembic 迁移），并设置本区。"""
    config = settings()
    db = engine()
    try:
        before, after = upgrade(db)
        with session_scope(db) as session:
            try:
                current = units.get_district(session)
            except NotFound:
                if district is None:
                    raise ConfigError(
                        "数据库中还没有设置本区。",
                        hint="请运行：pingan init --district 区名 [--district-code 代码]",
                    ) from None
                current, _ = units.ensure_district(session, district, district_code, config.actor)
            else:
                if district is not None:
                    units.ensure_district(session, district, district_code, config.actor)
            name, code = current.name, current.code
    finally:
        db.dispose()
    config.signing_key()
    url = db.url.render_as_string(hide_password=True)
    state = "已创建" if before is None else ("已升级" if before != after else "已是最新")
    console.print(f"数据库{state}：{url}（结构版本 {after}）")
    console.print(f"本区：{name}（代码 {code}）；数据目录：{config.data_dir.resolve()}")


def doctor() -> None:
    """检查外部程序与字体是否齐全，显示版本与安装办法。"""
    table = Table(title="pingan 运行环境检查")
    for column in ("项目", "用途", "状态", "版本/说明"):
        table.add_column(column)
    probes = run_probes()
    missing = [probe for probe in probes if not probe.found and probe.required]
    for probe in probes:
        ok = "[green]✔ 已就绪[/]" if probe.found else "[red]✘ 缺少[/]"
        table.add_row(probe.name, probe.purpose, ok, probe.version)
    console.print(table)
    if missing:
        for probe in missing:
            console.print(f"[red]✘ {probe.name}[/]：{probe.advice}", soft_wrap=True)
        console.print(
            f"[red]有 {len(missing)} 项必需组件缺少。[/]在项目目录以 root 运行 make setup 可一次装齐。"
        )
        raise typer.Exit(1)
    console.print("[green]全部必需组件已就绪。[/]")


def summary(year: Annotated[int, typer.Option(help="创建年度，如 2026")]) -> None:
    """按乡镇（街道）汇总：村数、登记户数、任务指标与参与率目标。"""
    with database() as session:
        campaign = get_year(session, year)
        district = units.get_district(session)
        lines = {line.township: line for line in quota_lines(session, year)}
        table = Table(title=f"{district.name}{year}年“平安家庭”创建工作汇总")
        for column in (
            "乡镇（街道）",
            "村（社区）数",
            "登记户数",
            "总户数",
            "参与目标（户）",
            "平安家庭指标",
            "示范户指标",
        ):
            table.add_column(column, justify="right")
        totals = [0, 0, 0, 0, 0, 0]
        for township in district.children:
            line = lines[township.name]
            base = line.total_households or line.registered
            target = participation_needed(base, campaign.participation_target)
            values = [
                len(township.children),
                line.registered,
                base,
                target,
                line.family_quota or 0,
                line.model_quota or 0,
            ]
            totals = [a + b for a, b in zip(totals, values, strict=True)]
            table.add_row(
                township.name,
                *[str(v) for v in values[:4]],
                str(line.family_quota) if line.family_quota is not None else "未下达",
                str(line.model_quota) if line.model_quota is not None else "未下达",
            )
        table.add_row("合计", *[str(v) for v in totals], style="bold")
        console.print(table)
        console.print(
            f"参与率目标 {percent(campaign.participation_target, 1)}（按总户数计；未填总户数时按登记户数计）。"
        )


def audit_log(
    entity: Annotated[
        str | None, typer.Option(help="对象类型：household、quota、campaign_year、admin_unit")
    ] = None,
    key: Annotated[str | None, typer.Option(help="对象编号，如户编号")] = None,
    limit: Annotated[int, typer.Option(help="最多显示条数")] = 50,
) -> None:
    """查看审计日志：谁在何时改了什么（旧值 → 新值）及来源。"""
    with database() as session:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if entity:
            query = query.where(AuditEntry.entity == entity)
        if key:
            query = query.where(AuditEntry.entity_key == key)
        table = Table(title="审计日志")
        for column in ("时间(UTC)", "操作人", "操作", "对象", "编号", "旧值", "新值", "来源"):
            table.add_column(column, overflow="fold")
        for entry in session.scalars(query):
            table.add_row(
                entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor,
                {"create": "新增", "update": "修改", "delete": "删除"}.get(entry.action, entry.action),
                entry.entity,
                entry.entity_key,
                _brief(entry.old),
                _brief(entry.new),
                entry.source or "",
            )
        console.print(table)


def _brief(values: dict[str, object] | None) -> str:
    if not values:
        return ""
    text = "；".join(f"{k}={v}" for k, v in values.items())
    return text if len(text) <= 120 else text[:117] + "……"


def register(app: typer.Typer) -> None:
    """Add the system commands to the top-level app."""
    app.command("init")(init)
    app.command("doctor")(doctor)
    app.command("summary")(summary)
    app.command("audit")(audit_log)
