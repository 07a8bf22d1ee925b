"""Field rules of a roster row (花名册字段): normalise what villages type, or say what is wrong.

Each ``parse_*`` function takes a raw cell value (text, number or date, as Excel stored it) and
returns the normalised value, or raises :class:`FieldProblem` with a message in Chinese that
names the value and the expected form.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

#: 政治面貌 values (GB/T 4762, short forms) and the synonyms villages write for them.
POLITICAL_STATUSES: tuple[str, ...] = (
    "中共党员",
    "中共预备党员",
    "共青团员",
    "民革党员",
    "民盟盟员",
    "民建会员",
    "民进会员",
    "农工党党员",
    "致公党党员",
    "九三学社社员",
    "台盟盟员",
    "无党派人士",
    "群众",
)
POLITICAL_SYNONYMS: dict[str, str] = {
    "党员": "中共党员",
    "中国共产党党员": "中共党员",
    "共产党员": "中共党员",
    "预备党员": "中共预备党员",
    "中国共产党预备党员": "中共预备党员",
    "团员": "共青团员",
    "中国共产主义青年团团员": "共青团员",
    "无党派": "无党派人士",
    "无党派民主人士": "无党派人士",
    "无": "群众",
}

RELATIONS: frozenset[str] = frozenset(
    [
        "妻",
        "妻子",
        "夫",
        "丈夫",
        "子",
        "儿子",
        "长子",
        "次子",
        "女",
        "女儿",
        "长女",
        "次女",
        "父",
        "父亲",
        "母",
        "母亲",
        "公公",
        "婆婆",
        "岳父",
        "岳母",
        "儿媳",
        "女婿",
        "孙子",
        "孙女",
        "外孙",
        "外孙女",
        "兄",
        "哥哥",
        "弟",
        "弟弟",
        "姐",
        "姐姐",
        "妹",
        "妹妹",
        "嫂子",
        "弟媳",
        "祖父",
        "祖母",
        "爷爷",
        "奶奶",
        "外祖父",
        "外祖母",
        "侄子",
        "侄女",
        "继子",
        "继女",
        "养子",
        "养女",
        "其他",
    ]
)

_CHINESE_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NAME_MARKS = {"•": "·", "・": "·", ".": "·", "．": "·"}
MAX_FAMILY_SIZE = 30
MAX_AGE = 120


class FieldProblem(ValueError):
    """A cell value that breaks a field rule; the message says what is wrong (字段错误)."""


@dataclass(frozen=True)
class MemberRow:
    """家庭成员 as read from a roster: 姓名、年龄、家庭关系、工作单位/就读学校."""

    name: str
    age: int | None
    relation: str | None
    workplace: str | None


def fold_width(text: str) -> str:
    """Turn full-width ASCII (digits, letters, brackets, punctuation) and ideographic spaces half-width."""
    return text.translate(_FULL_WIDTH)


def cell_text(value: object) -> str | None:
    """Return a cell's value as stripped text (whole floats without ``.0``), or None when blank."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u3000", " ").strip()
    return text or None


def parse_name(value: object, what: str = "姓名") -> str:
    """Return a person's name without spaces; Chinese, minority names with ·, or Latin letters."""
    text = cell_text(value)
    if text is None:
        raise FieldProblem(f"{what}为空")
    name = "".join(_NAME_MARKS.get(ch, ch) for ch in re.sub(r"\s+", "", text))
    for ch in name:
        if ch == "·" or ch.isalpha():
            continue
        raise FieldProblem(f"{what}“{text}”含有不应出现的字符“{ch}”")
    if len(name) > 30:
        raise FieldProblem(f"{what}“{text}”过长（超过 30 个字）")
    if name.startswith("·") or name.endswith("·"):
        raise FieldProblem(f"{what}“{text}”的间隔号位置不对")
    return name


def parse_birth(value: object, today: dt.date) -> str | None:
    """Return 出生年月 as ``YYYY-MM`` from forms like 1975.03, 1975年3月, 1975-03, 1975/3, Excel dates."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    year: int
    month: int
    if isinstance(value, dt.datetime | dt.date):
        year, month = value.year, value.month
    elif isinstance(value, float) and not value.is_integer():
        text = repr(value)
        whole, fraction = text.split(".")
        if len(fraction) == 1 and fraction == "1":
            raise FieldProblem(
                f"出生年月 {text} 是数字格式，无法区分 1 月和 10 月；"
                "请把该列设为“文本”后填写 1975.01 或 1975.10"
            )
        if len(fraction) > 2:
            raise FieldProblem(f"出生年月“{text}”无法识别，应写作 1975.03、1975年3月 或 1975-03")
        year, month = int(whole), int(fraction)
    else:
        text = fold_width(str(value if not isinstance(value, float) else int(value))).strip()
        match = re.fullmatch(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?(?:\s*[.\-/]?\s*\d{1,2}\s*日?)?", text)
        if match is None:
            match = re.fullmatch(r"(\d{4})(\d{2})(?:\d{2})?", text)
        if match is None:
            if re.fullmatch(r"\d{4}\s*年?", text):
                raise FieldProblem(f"出生年月“{text}”只有年份，请补上月份，如 {text[:4]}.03")
            raise FieldProblem(f"出生年月“{text}”无法识别，应写作 1975.03、1975年3月 或 1975-03")
        year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise FieldProblem(f"出生年月“{_show(value)}”的月份 {month} 不在 1–12 之间")
    if year < 1900:
        raise FieldProblem(f"出生年月“{_show(value)}”的年份 {year} 过早")
    if (year, month) > (today.year, today.month):
        raise FieldProblem(f"出生年月“{_show(value)}”晚于今天")
    return f"{year:04d}-{month:02d}"


def _show(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def parse_phone(value: object) -> str | None:
    """Return 联系电话 as digits: an 11-digit mobile, or a landline (``0571-88001234`` keeps its dash)."""
    text = cell_text(value)
    if text is None:
        return None
    folded = fold_width(text)
    compact = re.sub(r"[\s()\-]", "", folded)
    compact = re.sub(r"^(\+86|0086)", "", compact)
    if re.fullmatch(r"1[3-9]\d{9}", compact):
        return compact
    landline = re.fullmatch(r"\(?(0\d{2,3})\)?[\s\-]*(\d{7,8})", folded.strip())
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}"
    if re.fullmatch(r"0\d{9,11}", compact) or re.fullmatch(r"[2-9]\d{6,7}", compact):
        return compact
    raise FieldProblem(
        f"“{text}”不是有效的电话号码：手机号应为以 1 开头的 11 位数字，固定电话如 0571-88001234"
    )


def parse_family_size(value: object) -> int | None:
    """Return 家庭人数 as a positive integer from 4, 4.0, “4人”, “4口”, “四”."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldProblem(f"家庭人数“{value}”不是正整数")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise FieldProblem(f"家庭人数“{value}”不是正整数")
        number = int(value)
    else:
        text = fold_width(str(value)).strip()
        stripped = re.sub(r"\s*(人|口|口人)$", "", text)
        if re.fullmatch(r"\d+", stripped):
            number = int(stripped)
        elif stripped in _CHINESE_NUMERALS:
            number = _CHINESE_NUMERALS[stripped]
        elif stripped == "十":
            number = 10
        else:
            raise FieldProblem(f"家庭人数“{text}”不是正整数")
    if number < 1:
        raise FieldProblem(f"家庭人数应为正整数，实际为 {number}")
    if number > MAX_FAMILY_SIZE:
        raise FieldProblem(f"家庭人数 {number} 超过 {MAX_FAMILY_SIZE}，请核对")
    return number


def parse_political_status(value: object) -> str | None:
    """Return 政治面貌 as one of :data:`POLITICAL_STATUSES` (synonyms such as 党员、团员 accepted)."""
    text = cell_text(value)
    if text is None:
        return None
    text = re.sub(r"\s+", "", fold_width(text))
    if text in POLITICAL_STATUSES:
        return text
    if text in POLITICAL_SYNONYMS:
        return POLITICAL_SYNONYMS[text]
    raise FieldProblem(f"政治面貌“{text}”不是规范值，应为：{'、'.join(POLITICAL_STATUSES)}")


def parse_text(value: object, what: str, limit: int) -> str | None:
    """Return free text (职业, 家庭住址) with collapsed spaces, at most ``limit`` characters."""
    text = cell_text(value)
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text)
    if len(text) > limit:
        raise FieldProblem(f"{what}过长（{len(text)} 个字，最多 {limit} 个字）")
    return text


def _split_members(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "；;\n，,、":
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_members(value: object) -> list[MemberRow]:
    """Return 家庭成员 from text like ``李秀英（妻，48岁，务农）；王浩（子，22岁，清河职业技术学院）``."""
    text = cell_text(value)
    if text is None:
        return []
    members: list[MemberRow] = []
    for entry in _split_members(fold_width(text)):
        match = re.fullmatch(r"([^()\s]+)\s*(?:\((.*)\))?\s*(.*)", entry, flags=re.S)
        if match is None:
            raise FieldProblem(f"家庭成员“{entry}”无法识别，应写作 姓名（关系，年龄，工作单位/就读学校）")
        name = parse_name(match.group(1), what=f"家庭成员“{entry}”的姓名")
        details = " ".join(g for g in (match.group(2), match.group(3)) if g)
        age: int | None = None
        relation: str | None = None
        rest: list[str] = []
        for token in (t for t in re.split(r"[,，、\s/]+", details) if t):
            age_match = re.fullmatch(r"(\d{1,3})\s*(?:周岁|岁)?", token)
            if age_match and age is None:
                age = int(age_match.group(1))
                if age > MAX_AGE:
                    raise FieldProblem(f"家庭成员“{name}”的年龄 {age} 超出 0–{MAX_AGE} 岁")
            elif token in RELATIONS and relation is None:
                relation = token
            else:
                rest.append(token)
        workplace = "，".join(rest) or None
        if workplace and len(workplace) > 100:
            raise FieldProblem(f"家庭成员“{name}”的工作单位/就读学校过长")
        members.append(MemberRow(name=name, age=age, relation=relation, workplace=workplace))
    return members


def normalise_header(text: str) -> str:
    """Return a header cell's text folded for matching: no spaces, half-width brackets."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*＊:：]", "", folded)
