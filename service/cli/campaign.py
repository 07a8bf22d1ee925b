"""``pingan campaign``: create a campaign year, show and change its rules."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from service.campaign.years import create_year, get_year, rule_error, rules_of, update_rules
from service.cli.common import console, database, settings
from service.errors import InputFileError
from service.formats import chinese_date

app = typer.Typer(help="创建年度及其规则（合格分、示范户分、一票否决项、公示期……）。", no_args_is_help=True)

YearOption = Annotated[int, typer.Option("--year", help="创建年度，如 2026")]
PassMark = Annotated[int | None, typer.Option(help="合格分（默认 90）")]
ModelMark = Annotated[int | None, typer.Option(help="示范户推荐分（默认 95）")]
Veto = Annotated[str | None, typer.Option(help="一票否决项序号，逗号分隔（默认 1,2,4,9）；写 none 表示无")]
VetoFloor = Annotated[int | None, typer.Option(help="一票否决线：否决项得分低于此分即不得命名（默认 6）")]
NoticeDays = Annotated[int | None, typer.Option(help="公示期工作日数（默认 5）")]
ReviewCycle = Annotated[int | None, typer.Option(help="滚动管理复核周期（年，默认 2）")]
Rectification = Annotated[int | None, typer.Option(help="限时整改期限（日，默认 90）")]
Participation = Annotated[float | None, typer.Option(help="参与率目标，如 0.9")]
Title = Annotated[str | None, typer.Option(help="表头与公文中的地区名称（默认为本区名称）")]


def _changes(**options: Any) -> dict[str, Any]:
    changes = {k: v for k, v in options.items() if v is not None}
    veto = changes.pop("veto", None)
    if veto is not None:
        try:
            changes["veto_items"] = (
                []
                if veto.strip().lower() in ("", "none", "无")
                else [int(x) for x in veto.replace("，", ",").split(",") if x.strip()]
            )
        except ValueError as exc:
            raise InputFileError(f"--veto “{veto}” 应为逗号分隔的序号，如 1,2,4,9。") from exc
    return changes


@app.command("new")
def new(
    year: YearOption,
    pass_mark: PassMark = None,
    model_mark: ModelMark = None,
    veto: Veto = None,
    veto_floor: VetoFloor = None,
    notice_days: NoticeDays = None,
    review_cycle: ReviewCycle = None,
    rectification_days: Rectification = None,
    participation: Participation = None,
    title: Title = None,
    copy_from: Annotated[int | None, typer.Option(help="沿用某一年度的规则，如 2025")] = None,
) -> None:
    """按默认规则（或沿用往年规则）建立一个创建年度。"""
    changes = _changes(
        pass_mark=pass_mark,
        model_mark=model_mark,
        veto=veto,
        veto_floor=veto_floor,
        notice_working_days=notice_days,
        review_cycle_years=review_cycle,
        rectification_days=rectification_days,
        participation_target=participation,
        district_title=title,
    )
    with database() as session:
        try:
            create_year(session, year, settings().actor, changes, copy_from=copy_from)
        except ValueError as exc:
            raise rule_error(exc) from exc
    console.print(f"已建立 {year} 年度创建活动。查看规则：pingan campaign show --year {year}")


@app.command("set")
def set_rules(
    year: YearOption,
    pass_mark: PassMark = None,
    model_mark: ModelMark = None,
    veto: Veto = None,
    veto_floor: VetoFloor = None,
    notice_days: NoticeDays = None,
    review_cycle: ReviewCycle = None,
    rectification_days: Rectification = None,
    participation: Participation = None,
    title: Title = None,
) -> None:
    """修改某年度的规则（记入审计日志）。"""
    changes = _changes(
        pass_mark=pass_mark,
        model_mark=model_mark,
        veto=veto,
        veto_floor=veto_floor,
        notice_working_days=notice_days,
        review_cycle_years=review_cycle,
        rectification_days=rectification_days,
        participation_target=participation,
        district_title=title,
    )
    with database() as session:
        try:
            old, new_values = update_rules(session, year, changes, settings().actor)
        except ValueError as exc:
            raise rule_error(exc) from exc
    if not new_values:
        console.print("规则没有变化。")
        return
    for key, value in new_values.items():
        console.print(f"{key}: {old.get(key)} → {value}")


@app.command("show")
def show(year: YearOption) -> None:
    """显示某年度的规则、十项标准与工作阶段。"""
    with database() as session:
        rules = rules_of(get_year(session, year))
    console.print(f"[bold]{rules.district_title}{year}年“平安家庭”创建活动[/]")
    console.print(
        f"合格分 {rules.pass_mark}；示范户推荐分 {rules.model_mark}；一票否决线 {rules.veto_floor} 分；参与率目标 {rules.participation_target:.0%}"
    )
    console.print(
        f"公示期 {rules.notice_working_days} 个工作日；复核周期 {rules.review_cycle_years} 年；"
        f"限时整改 {rules.rectification_days} 日；上报截止 {chinese_date(rules.report_deadline)}；"
        f"问效评估 {'、'.join(f'{m}月' for m in rules.evaluation_months)}"
    )
    table = Table(title="创建标准（十好）")
    for column in ("序号", "内容及分值", "评分标准", "一票否决"):
        table.add_column(column, overflow="fold")
    for number, standard in enumerate(rules.standards, start=1):
        table.add_row(
            str(number),
            f"{standard.title}（{standard.points}分）",
            standard.criteria,
            "是" if number in rules.veto_items else "",
        )
    console.print(table)
    phases = Table(title="工作阶段")
    for column in ("阶段", "开始", "结束"):
        phases.add_column(column)
    for phase in rules.phases:
        phases.add_row(phase.name, chinese_date(phase.starts), chinese_date(phase.ends))
    console.print(phases)
