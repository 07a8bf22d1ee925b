"""Records (档案): readings of returned sheets become field values with provenance and review items.

A value is *accepted* when the reader was sure, *review* while a person must look, *confirmed*
once a person did. A rescan of a sheet that reads the same changes nothing; one that reads
differently raises a conflict for review and keeps what was there — nothing is silently
overwritten. After every change the year's rules are checked and violations become review items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ocr.reading import FieldReading, FieldStatus, PageReading
from service.campaign.defaults import CampaignRules
from service.db.models import Record, RecordValue, ReviewItem, ScanPage, Sheet

#: Review reasons pingan adds to the reader's own, with their Chinese labels.
RULE_LABELS: dict[str, str] = {
    "conflict": "重扫结果与已有读数不同",
    "unknown_serial": "表格编号未登记",
    "superseded": "该表格编号已作废（该户已重新印制表格）",
    "rule_deduction_reason": "有扣分但未写扣分原因",
    "rule_veto": "一票否决项低于否决线",
    "rule_total": "总分未达到合格分却评为合格，或达到合格分却评为不合格",
    "rule_seal": "审批栏同意但未见公章",
    "rule_decision": "审批栏盖了章但未选同意/不同意",
    "rule_order": "上级已同意而下级尚未同意（审批顺序不对）",
    "identity": "空白表的户主需人工认定",
}


OUTCOME_LABELS = {
    "applied": "已入档",
    "duplicate": "与已有相同",
    "conflict": "与已有不同，待复核",
    "rejected": "无法识读或拒收",
}


def outcome_label(outcome: str) -> str:
    """Return what became of a page, in Chinese."""
    return OUTCOME_LABELS.get(outcome, outcome)


def reason_label(reason: str) -> str:
    """Return a review reason in Chinese (the reader's or one of pingan's rules)."""
    from ocr.reading import REASON_LABELS, Reason

    if reason in RULE_LABELS:
        return RULE_LABELS[reason]
    try:
        return REASON_LABELS[Reason(reason)]
    except ValueError:
        return reason


@dataclass
class Applied:
    """What applying one page did."""

    outcome: str
    created: bool = False
    reviews: int = 0
    notes: list[str] = field(default_factory=list)


def _open_review(
    session: Session,
    record: Record,
    name: str,
    reason: str,
    detail: str | None,
    confidence: float,
    value: Any,
    page_id: int | None,
) -> ReviewItem | None:
    """Open a review item, unless the same question about the same value is already open or was decided."""
    for existing in session.scalars(
        select(ReviewItem).where(
            ReviewItem.record_id == record.id, ReviewItem.field == name, ReviewItem.reason == reason
        )
    ):
        if existing.status == "open" or existing.read_value == value:
            return None
    item = ReviewItem(
        record=record,
        field=name,
        reason=reason,
        detail=detail,
        confidence=confidence,
        read_value=value,
        page_id=page_id,
        status="open",
    )
    session.add(item)
    return item


def apply_page(
    session: Session, page_row: ScanPage, reading: PageReading, rules: CampaignRules | None
) -> Applied:
    """Turn one readable page into record values and review items."""
    identity = reading.identity
    assert identity is not None
    sheet = session.get(Sheet, identity.serial)
    if sheet is None:
        return Applied("rejected", notes=[f"表格编号 {identity.serial} 未在本系统登记"])
    record = session.scalars(select(Record).where(Record.serial == identity.serial)).first()
    created = record is None
    if record is None:
        record = Record(
            serial=identity.serial, kind=identity.kind, year=identity.year, household_id=sheet.household_id
        )
        session.add(record)
        session.flush()
    current = {v.field: v for v in record.values}
    reviews = 0
    changed = False
    conflicts = 0
    for result in reading.fields:
        if result.kind == "printed":
            continue
        old = current.get(result.name)
        if old is None:
            value = RecordValue(
                record=record,
                field=result.name,
                kind=result.kind,
                value=result.value,
                confidence=result.confidence,
                state="accepted" if result.status == FieldStatus.accepted else "review",
                page_id=page_row.id,
                crop=result.crop,
            )
            session.add(value)
            changed = True
            if result.status == FieldStatus.review:
                reviews += (
                    _open_review(
                        session,
                        record,
                        result.name,
                        result.reason.value if result.reason else "review",
                        result.detail,
                        result.confidence,
                        result.value,
                        page_row.id,
                    )
                    is not None
                )
            continue
        if _same(old, result):
            continue
        conflicts += 1
        reviews += (
            _open_review(
                session,
                record,
                result.name,
                "conflict",
                f"已有读数 {old.value!r}（{old.state}），重扫读作 {result.value!r}",
                min(old.confidence, result.confidence),
                result.value,
                page_row.id,
            )
            is not None
        )
    if record.household_id is None and created:
        reviews += _match_household(session, record, sheet, reading, page_row)
    if sheet.status == "superseded":
        reviews += (
            _open_review(
                session,
                record,
                "serial",
                "superseded",
                f"已被 {sheet.superseded_by} 代替",
                0.5,
                identity.serial,
                page_row.id,
            )
            is not None
        )
    session.flush()
    if rules is not None:
        reviews += check_rules(session, record, rules)
    outcome = "conflict" if conflicts else ("applied" if changed else "duplicate")
    return Applied(outcome, created=created, reviews=reviews)


def _match_household(
    session: Session, record: Record, sheet: Sheet, reading: PageReading, page_row: ScanPage
) -> int:
    """Link a blank sheet to its household by the handwritten head's name, when exactly one matches.

    Otherwise the match goes to review with the text engine's suggestion and the candidates.
    """
    from service.db.models import Household

    head = next((f for f in reading.fields if f.name == "head_name"), None)
    suggestion = head.suggestion if head else None
    candidates = (
        list(
            session.scalars(
                select(Household).where(
                    Household.village_id == sheet.village_id,
                    Household.head_name == suggestion,
                    Household.active,
                )
            )
        )
        if suggestion
        else []
    )
    if len(candidates) == 1:
        record.household_id = candidates[0].id
        session.add(
            RecordValue(
                record=record,
                field="identity",
                kind="identity",
                value=candidates[0].code,
                confidence=0.8,
                state="accepted",
                page_id=page_row.id,
            )
        )
        return 0
    detail = (
        f"手写户主姓名读作“{suggestion}”，本村有 {len(candidates)} 户同名：{'、'.join(c.code for c in candidates)}"
        if suggestion and candidates
        else f"手写户主姓名读作“{suggestion}”，本村没有同名的户"
        if suggestion
        else "未能读出手写户主姓名"
    )
    _open_review(
        session,
        record,
        "identity",
        "identity",
        detail + "；请用 review set 指定户编号",
        0.1,
        suggestion,
        page_row.id,
    )
    return 1


def _same(old: RecordValue, new: FieldReading) -> bool:
    """Whether a rescan says the same as what is stored (a confirmed value wins over an unsure rescan)."""
    if old.value == new.value:
        return True
    return old.state == "confirmed" and new.status == FieldStatus.review


def final_values(record: Record) -> dict[str, Any]:
    """Return the values that count: accepted by the reader or confirmed by a person."""
    return {v.field: v.value for v in record.values if v.state in ("accepted", "confirmed")}


def check_rules(session: Session, record: Record, rules: CampaignRules) -> int:
    """Check a record against the year's rules; open a review item for each violation found."""
    values = final_values(record)
    found: list[tuple[str, str, str]] = []
    if record.kind == "score":
        total = 0
        complete = True
        for number, standard in enumerate(rules.standards, start=1):
            score = values.get(f"item{number:02d}_score")
            if score is None or not str(score).isdigit():
                complete = False
                continue
            points = int(str(score))
            total += points
            if points < standard.points and values.get(f"item{number:02d}_reason") is False:
                found.append(
                    (
                        f"item{number:02d}_reason",
                        "rule_deduction_reason",
                        f"第{number}项得 {points} 分（扣 {standard.points - points} 分），未写扣分原因",
                    )
                )
            if number in rules.veto_items and points < rules.veto_line(number):
                found.append(
                    (
                        f"item{number:02d}_score",
                        "rule_veto",
                        f"第{number}项“{standard.title}”是一票否决项，得 {points} 分，低于 {rules.veto_line(number)} 分",
                    )
                )
        verdict = values.get("group_verdict")
        if complete and verdict in ("pass", "fail") and (total >= rules.pass_mark) != (verdict == "pass"):
            found.append(
                (
                    "group_verdict",
                    "rule_total",
                    f"各项合计 {total} 分，合格分 {rules.pass_mark}，评审组评定为{'合格' if verdict == 'pass' else '不合格'}",
                )
            )
    else:
        levels = ("village", "federation", "township")
        agreed = []
        for level in levels:
            decision, seal = values.get(f"{level}_decision"), values.get(f"{level}_seal")
            if decision == "yes" and seal is False:
                found.append((f"{level}_seal", "rule_seal", "该栏选了同意，但未见公章"))
            if seal is True and decision is None and f"{level}_decision" in values:
                found.append((f"{level}_decision", "rule_decision", "该栏盖了章，但未选同意或不同意"))
            agreed.append(decision == "yes")
        for lower, upper in ((0, 1), (1, 2)):
            if agreed[upper] and not agreed[lower]:
                found.append(
                    (
                        f"{levels[upper]}_decision",
                        "rule_order",
                        f"{levels[upper]} 已同意，而 {levels[lower]} 尚未同意",
                    )
                )
    opened = [
        _open_review(session, record, name, reason, detail, 0.3, values.get(name), None)
        for name, reason, detail in found
    ]
    return sum(1 for item in opened if item is not None)
