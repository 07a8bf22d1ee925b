"""Administrative units (行政单位): 区 → 乡镇（街道）→ 村（社区）→ 村民小组.

Codes follow the shape of the statistical division codes: the district's code (e.g. 330102),
then 3 digits per township, 3 per village and 2 per villager group, assigned in order of creation
unless an office supplies its own.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import audit
from service.db.models import AdminUnit, UnitLevel
from service.errors import Conflict, NotFound

_CHILD_LEVEL = {
    UnitLevel.district: UnitLevel.township,
    UnitLevel.township: UnitLevel.village,
    UnitLevel.village: UnitLevel.group,
}
_CODE_DIGITS = {UnitLevel.township: 3, UnitLevel.village: 3, UnitLevel.group: 2}
_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    prefix = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{prefix}十{_CN_DIGITS[ones] if ones else ''}" if n < 100 else str(n)


def _parse_chinese_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens_text, _, ones_text = text.partition("十")
        tens = _CN_DIGITS.index(tens_text) if tens_text else 1
        ones = _CN_DIGITS.index(ones_text) if ones_text else 0
        return tens * 10 + ones
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS.index(text)
    return None


def canonical_group_name(name: str, village_name: str = "") -> str:
    """Return a villager group's name in one form: “1组”, “一组”, “第一小组” → “第一村民小组”."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    match = re.fullmatch(r"第?([0-9一二三四五六七八九十]+)(村民小组|居民小组|村民组|居民组|小组|组)", text)
    if match is None:
        return text
    number = _parse_chinese_number(match.group(1))
    if number is None or number == 0:
        return text
    resident = "居民" in match.group(2) or (village_name.endswith("社区") and "村民" not in match.group(2))
    return f"第{_chinese_number(number)}{'居民' if resident else '村民'}小组"


def get_district(session: Session) -> AdminUnit:
    """Return the district (区) this installation serves."""
    district = session.scalars(select(AdminUnit).where(AdminUnit.level == UnitLevel.district)).first()
    if district is None:
        raise NotFound(
            "尚未设置本区。", hint="请运行：pingan init --district 区名 [--district-code 区划代码]"
        )
    return district


def ensure_district(session: Session, name: str, code: str, actor: str) -> tuple[AdminUnit, bool]:
    """Create the district unit, or confirm the existing one has the same name."""
    existing = session.scalars(select(AdminUnit).where(AdminUnit.level == UnitLevel.district)).first()
    if existing is not None:
        if existing.name != name:
            raise Conflict(
                f"数据库已属于“{existing.name}”，不能再设为“{name}”。",
                hint="一个数据库只服务一个区；如需另建，请设置不同的 PINGAN_DATA_DIR。",
            )
        return existing, False
    district = AdminUnit(level=UnitLevel.district, code=code, name=name)
    session.add(district)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="admin_unit", key=code, new={"name": name})
    return district, True


def child(session: Session, parent: AdminUnit, name: str) -> AdminUnit | None:
    """Return the unit called ``name`` directly under ``parent``, if any."""
    return session.scalars(
        select(AdminUnit).where(AdminUnit.parent_id == parent.id, AdminUnit.name == name)
    ).first()


def ensure_child(
    session: Session, parent: AdminUnit, name: str, actor: str, source: str | None = None
) -> AdminUnit:
    """Return the unit ``name`` under ``parent``, creating it with the next code when missing."""
    found = child(session, parent, name)
    if found is not None:
        return found
    level = _CHILD_LEVEL[parent.level]
    count = session.scalar(select(func.count()).where(AdminUnit.parent_id == parent.id)) or 0
    digits = _CODE_DIGITS[level]
    code = f"{parent.code}{count + 1:0{digits}d}"
    while session.scalar(select(AdminUnit.id).where(AdminUnit.code == code)) is not None:
        count += 1
        code = f"{parent.code}{count + 1:0{digits}d}"
    unit = AdminUnit(level=level, code=code, name=name, parent=parent)
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity="admin_unit",
        key=code,
        new={"name": name, "level": level.value, "parent": parent.code},
        source=source,
    )
    return unit


def find_unit(session: Session, text: str, level: UnitLevel) -> AdminUnit:
    """Find a township or village by code, name, or “乡镇/村” path; refuse ambiguous names."""
    query = select(AdminUnit).where(AdminUnit.level == level)
    by_code = session.scalars(query.where(AdminUnit.code == text)).first()
    if by_code is not None:
        return by_code
    parts = [p for p in re.split(r"[/／]", text) if p]
    candidates = list(session.scalars(query.where(AdminUnit.name == parts[-1])))
    if len(parts) > 1:
        candidates = [c for c in candidates if c.parent is not None and c.parent.name == parts[-2]]
    if not candidates:
        names = sorted(session.scalars(select(AdminUnit.name).where(AdminUnit.level == level)))
        known = "、".join(names[:30]) + ("……" if len(names) > 30 else "")
        raise NotFound(
            f"没有名为“{text}”的{level.label}。",
            hint=f"已登记的{level.label}：{known or '（无）'}",
        )
    if len(candidates) > 1:
        options = "、".join(f"{c.parent.name if c.parent else ''}/{c.name}" for c in candidates)
        raise NotFound(
            f"有多个名为“{text}”的{level.label}：{options}。", hint="请写成“乡镇/村”的形式或使用代码。"
        )
    return candidates[0]


def villages_of(unit: AdminUnit) -> list[AdminUnit]:
    """Return the villages (村/社区) within a district, township or village."""
    if unit.level == UnitLevel.village:
        return [unit]
    if unit.level == UnitLevel.group:
        return [unit.parent] if unit.parent else []
    return [v for c in unit.children for v in villages_of(c)]
