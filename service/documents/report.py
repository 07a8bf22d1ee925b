"""The evaluation report (问效评估): where each township stands in June and November, with charts.

Per township: participation against the target, named households against the quota, 示范户, open
review items; the spread of total scores; and the townships lagging behind (点名通报 candidates):
participation under the target, or completion under what the date asks — all of the quota once
the reporting deadline has passed, half of it before.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import units
from service.campaign.years import get_year, rules_of
from service.db.models import Quota
from service.documents.naming import Issued, fill, pdf_of
from service.documents.render import Picture, render_docx
from service.formats import chinese_date
from service.roster.export import households_in
from service.settings import Settings
from service.status import Step, statuses

TEMPLATE = "report.docx"
CHART_FONT = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "AR PL UMing CN"]
SCORE_BANDS = (("90 分以下", 0, 89), ("90–94 分", 90, 94), ("95–100 分", 95, 100))


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _charts(rows: list[dict[str, Any]], totals: list[int], pass_mark: int, folder: Path) -> tuple[Path, Path]:
    """Draw the progress chart (participation and completion per township) and the score histogram."""
    plt.rcParams["font.sans-serif"] = CHART_FONT
    plt.rcParams["axes.unicode_minus"] = False
    names = [r["township"] for r in rows]
    participation = [100 * r["scored"] / r["households"] if r["households"] else 0 for r in rows]
    completion = [100 * r["named"] / r["quota"] if r["quota"] else 0 for r in rows]
    figure, axis = plt.subplots(figsize=(6.2, 3.2), dpi=200)
    positions = range(len(names))
    axis.bar([p - 0.2 for p in positions], participation, width=0.4, label="参与率", color="#4c72b0")
    axis.bar([p + 0.2 for p in positions], completion, width=0.4, label="指标完成率", color="#dd8452")
    axis.set_xticks(list(positions), names)
    axis.set_ylabel("%")
    axis.set_ylim(0, max([100.0, *participation, *completion]) * 1.1)
    axis.legend(loc="upper right", fontsize=8)
    axis.set_title("各乡镇（街道）参与率与指标完成率")
    figure.tight_layout()
    progress = folder / "progress.png"
    figure.savefig(progress)
    plt.close(figure)
    figure, axis = plt.subplots(figsize=(6.2, 2.8), dpi=200)
    if totals:
        axis.hist(totals, bins=range(min(totals), max(totals) + 2), color="#55a868", edgecolor="white")
    axis.axvline(pass_mark - 0.5, color="#c44e52", linestyle="--", label=f"合格分 {pass_mark}")
    axis.set_xlabel("总分")
    axis.set_ylabel("户数")
    axis.legend(loc="upper left", fontsize=8)
    axis.set_title("参评家庭总分分布")
    figure.tight_layout()
    scores = folder / "scores.png"
    figure.savefig(scores)
    plt.close(figure)
    return progress, scores


def report_context(
    session: Session, year: int, as_of: dt.date, folder: Path, settings: Settings
) -> dict[str, Any]:
    """Return the payload of the evaluation report (charts drawn into ``folder``)."""
    district = units.get_district(session)
    rules = rules_of(get_year(session, year))
    quotas = {q.township_id: q for q in session.scalars(select(Quota).where(Quota.year == year))}
    expected = 1.0 if as_of > rules.report_deadline else 0.5
    rows: list[dict[str, Any]] = []
    totals: list[int] = []
    lagging: list[str] = []
    for township in district.children:
        found = statuses(session, households_in(session, township), year, rules, as_of=as_of)
        quota = quotas.get(township.id)
        households = quota.total_households if quota and quota.total_households else len(found)
        scored = sum(1 for s in found if s.step >= Step.scored)
        named = sum(1 for s in found if s.step >= Step.named and not s.rejected)
        models = sum(1 for s in found if s.step >= Step.model_named and not s.rejected)
        target = quota.family_quota if quota else 0
        totals += [s.total for s in found if s.total is not None]
        row: dict[str, Any] = {
            "township": township.name,
            "households": households,
            "scored": scored,
            "participation": _percent(scored, households),
            "quota": target,
            "named": named,
            "completion": _percent(named, target),
            "models": models,
            "open": sum(len(s.open_reviews) for s in found),
        }
        rows.append(row)
        why = []
        if households and scored / households < rules.participation_target:
            why.append(f"参与率 {row['participation']}，低于 {rules.participation_target:.0%} 的目标")
        if target and named / target < expected:
            why.append(f"“平安家庭”指标完成 {row['completion']}，低于此时应达的 {expected:.0%}")
        if why:
            lagging.append(f"{township.name}：{'；'.join(why)}。")
    all_households = sum(r["households"] for r in rows)
    all_scored = sum(r["scored"] for r in rows)
    all_quota = sum(r["quota"] for r in rows)
    all_named = sum(r["named"] for r in rows)
    bands = Counter(
        next(label for label, low, high in SCORE_BANDS if low <= total <= high) for total in totals
    )
    progress, scores = _charts(rows, totals, rules.pass_mark, folder)
    return {
        "title": f"{rules.district_title}{year}年“平安家庭”创建工作问效评估报告",
        "as_of": chinese_date(as_of),
        "overall": [
            f"截至{chinese_date(as_of)}，全区登记家庭 {all_households} 户，参与创建评审 {all_scored} 户，"
            f"参与率 {_percent(all_scored, all_households)}（目标 {rules.participation_target:.0%}）；"
            f"命名“平安家庭” {all_named} 户，完成年度指标 {all_quota} 户的 {_percent(all_named, all_quota)}；"
            f"命名“平安家庭示范户” {sum(r['models'] for r in rows)} 户。",
            f"尚有 {sum(r['open'] for r in rows)} 项扫描识读结果待人工复核，复核完成前相关家庭不计入命名。",
        ],
        "rows": rows,
        "progress_chart": Picture(progress, 150),
        "scores_text": (
            "参评家庭总分："
            + "；".join(f"{label} {bands.get(label, 0)} 户" for label, _, _ in SCORE_BANDS)
            + (f"；平均 {sum(totals) / len(totals):.1f} 分。" if totals else "。")
        ),
        "scores_chart": Picture(scores, 150),
        "lagging": lagging or ["各乡镇（街道）参与率和指标完成情况均达到要求。"],
        "issuer": fill(settings.doc_issuer, district, district, settings),
        "date": chinese_date(as_of),
    }


def evaluation_report(
    session: Session, year: int, as_of: dt.date, out: Path, settings: Settings, pdf: bool = True
) -> Issued:
    """Write the evaluation report as of a day (DOCX with embedded charts, and PDF)."""
    get_year(session, year)
    with tempfile.TemporaryDirectory(prefix="pingan-charts-") as folder:
        context = report_context(session, year, as_of, Path(folder), settings)
        docx = render_docx(
            TEMPLATE, context, out / f"{year}年平安家庭创建问效评估报告（截至{as_of:%Y%m%d}）.docx"
        )
    return Issued(docx, pdf_of(docx, settings) if pdf else None, len(context["rows"]))
