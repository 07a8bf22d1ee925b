"""Generate the fictional sample spreadsheets for the 平安家庭 campaign.

Writes roster-2026.xlsx (clean 花名册, 324 households), roster-dirty.xlsx (a messy re-submission
with exactly 15 invalid rows) and quotas-2026.xlsx (附件1 任务指标分配表). Every person, place and
phone number is invented. Output is deterministic (random.Random(20260401), fixed document and
zip timestamps), so re-running the script reproduces byte-identical files.

Usage (from the repository root): .venv/bin/python samples/make_samples.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

Household = dict[str, Any]


def words(text: str) -> list[str]:
    """Split a whitespace-separated constant into a list of words."""
    return text.split()


def weights(text: str) -> dict[str, int]:
    """Parse a 'name:weight name:weight' constant into a dict."""
    return {key: int(value) for key, value in (item.split(":") for item in text.split())}


def columns(text: str) -> list[tuple[str, str]]:
    """Parse a 'header=field header=field' constant into (header text, field key) pairs."""
    return [(header, key) for header, key in (item.split("=") for item in text.split())]


SEED = 20260401
YEAR = 2026
FIXED_TIME = dt.datetime(2026, 3, 1, 9, 0, 0)
DISTRICT = "清河区"
NUMERALS = "一二三四五六七八九十"

# township -> [(village, number of 小组, households)]; 324 households in total
TOWNSHIPS: dict[str, list[tuple[str, int, int]]] = {
    "城关镇": [("南关村", 3, 38), ("北街社区", 2, 34), ("西郊村", 4, 36)],
    "柳林镇": [("柳林村", 4, 40), ("杨家庄村", 3, 32), ("河湾村", 2, 35)],
    "东湖街道": [("东湖社区", 3, 37), ("湖滨社区", 4, 39), ("新华社区", 2, 33)],
}
STREETS = {"北街社区": "北大街", "东湖社区": "东湖路", "湖滨社区": "滨湖路", "新华社区": "新华街"}
CLAN_SURNAME = {"南关村": "王", "杨家庄村": "杨"}
TOTAL_HOUSEHOLDS = {"城关镇": 120, "柳林镇": 118, "东湖街道": 130}  # 附件1 总户数

# (village, 0-based position inside the village) -> (head name, head is male)
RARE_HEADS = {
    ("南关村", 4): ("王堃", True),
    ("杨家庄村", 10): ("李喆", True),
    ("东湖社区", 7): ("陈昇", True),
    ("湖滨社区", 20): ("赵珺", False),
    ("新华社区", 12): ("阿依古丽·买买提", False),
}
UYGHUR_MEMBERS = "艾合买提·吐尔逊（夫，52岁，个体经营）；迪丽拜尔·艾合买提（女，24岁，新疆大学）"

# sheet title -> header row; wording and order differ per sheet on purpose
ROSTER_HEADERS = {
    "城关镇": columns(
        "序号=seq 乡镇（街道）=town 村（社区）=village 村民小组=group 户主姓名=name 出生年月=birth "
        "政治面貌=politics 职业=job 家庭人数=size 家庭住址=address 联系电话=phone 家庭成员=members"
    ),
    "柳林镇": columns(
        "序号=seq 乡镇=town 村=village 组=group 户主=name 出生日期=birth 政治面貌=politics 职业=job "
        "家庭人口=size 住址=address 电话=phone 家庭成员情况=members"
    ),
    "东湖街道": columns(
        "序号=seq 街道=town 社区=village 居民小组=group 户主姓名=name 联系电话=phone 家庭住址=address "
        "家庭人数=size 出生年月=birth 政治面貌=politics 职业=job 家庭成员=members 备注=note"
    ),
}
DIRTY_HEADERS = columns(
    "序号=seq 户主=name 电话=phone 乡镇（街道）=town 村（社区）=village 组=group 出生日期=birth "
    "人口=size 住址=address 政治面貌=politics 职业=job 家庭成员=members 备注=note"
)
QUOTA_HEADERS = words("序号 乡镇（街道） 总户数 平安家庭指标（户） 示范户指标（户）")

# roster-dirty.xlsx blocks (township, village, rows, 小组 count): Excel rows 2-19, 20-35, 36-41
DIRTY_LAYOUT = [("石桥乡", "石桥村", 18, 3), ("石桥乡", "龙潭村", 16, 2), ("柳林镇", "河湾村", 6, 2)]
# Excel row -> (letter from the spec, column, problem); every other row is valid
DIRTY_BAD: dict[int, tuple[str, str, str]] = {
    4: ("a", "电话", "10-digit mobile number"),
    6: ("h", "户主", "head name empty (rest of the row filled)"),
    9: ("c", "出生日期", "numeric cell 1975.1 (ambiguous January/October)"),
    12: ("j", "政治面貌", "'入党积极分子' is not a 政治面貌 value"),
    15: ("f", "人口", "family size 0"),
    18: ("l", "家庭成员", "member aged 150"),
    21: ("i", "村（社区）", "village empty"),
    23: ("d", "出生日期", "month 13"),
    26: ("k", "人口", "size 2 but 3 members listed"),
    28: ("b", "电话", "phone contains a letter"),
    31: ("m", "人口", "formula =2+1 (no cached value)"),
    33: ("g", "人口", "non-integer size '2.5'"),
    35: ("n", "(whole row)", "exact repeat of Excel row 25 (only 序号 differs)"),
    38: ("e", "出生日期", "birth month in the future"),
    40: ("o", "户主/出生日期/电话", "same head as a roster-2026 柳林镇柳林村 household"),
}
DUPLICATE_OF = 25  # the valid row that row "n" repeats
# make_household() constraints and final cell overrides, per bad letter / per valid Excel row
# fmt: off
BAD_FIXED: dict[str, dict[str, Any]] = {
    "c": {"year": 1975, "month": 1}, "d": {"year": 1975}, "f": {"size": 1}, "g": {"size": 2},
    "k": {"size": 4}, "l": {"surname": "张", "size": 2}, "m": {"size": 3},
}
BAD_VALUES: dict[str, dict[str, Any]] = {
    "a": {"phone": "1381234567"}, "b": {"phone": "138-1234-567a"}, "c": {"birth": 1975.1},
    "d": {"birth": "1975年13月"}, "e": {"birth": "2031-05"}, "f": {"size": 0}, "g": {"size": "2.5"},
    "h": {"name": None}, "i": {"village": None}, "j": {"politics": "入党积极分子"}, "k": {"size": 2},
    "l": {"size": 3}, "m": {"size": "=2+1"},
}
FULLWIDTH_PHONE = "１５８１２３４５６７８"
VALID_FIXED: dict[int, dict[str, Any]] = {
    13: {"size": 3}, 16: {"year": 1968, "month": 10}, 24: {"size": 4}, 29: {"year": 2000},
}
VALID_VALUES: dict[int, dict[str, Any]] = {
    10: {"phone": FULLWIDTH_PHONE}, 11: {"note": "补报"}, 13: {"size": "3人"}, 16: {"birth": "1968.10"},
    24: {"size": "四"}, 27: {"note": "补报"}, 29: {"politics": "团员"},
}
# fmt: on
DIRTY_DATE_CELLS = (20, 37)  # valid rows whose 出生日期 is a real Excel date

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董潘袁蔡蒋余杜叶"
SURNAME_WEIGHTS = [12 if i < 10 else 6 if i < 20 else 3 for i in range(len(SURNAMES))]
MALE_GIVEN = words(
    "建国 志强 国华 建军 海涛 文斌 永强 春生 德明 长青 卫东 立新 晓东 俊杰 浩然 宇航 家豪 明轩 振华 "
    "国庆 建华 宏伟 金龙 学文 光明 天佑 思远 博文 子轩 志刚 伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 鹏 华 "
    "飞 鑫 波 斌 宇 浩 凯 健 俊 帆 旭 宁 峰"
)
FEMALE_GIVEN = words(
    "秀英 桂英 秀兰 玉兰 桂兰 淑珍 丽娟 美玲 春梅 海燕 红梅 晓燕 丽华 玉梅 秀珍 小红 欣怡 梓涵 雨桐 "
    "思琪 佳怡 诗涵 婉婷 雪梅 慧敏 晓丽 文静 凤英 金凤 小雨 芳 娟 敏 静 丽 艳 娜 霞 燕 玲 萍 红 梅 "
    "琳 雪 莉 倩 颖 洁 婷"
)
JOBS_VILLAGE = weights(
    "务农:40 外出务工:15 个体经营:10 工人:8 司机:6 村干部:4 教师:4 建筑工:4 养殖户:4 医生:2"
)
JOBS_COMMUNITY = weights(
    "企业职员:20 个体经营:15 工人:15 司机:8 教师:8 灵活就业:8 医生:5 公务员:5 外出务工:5 社区工作者:4"
)
WORK_VILLAGE = words("务农 外出务工 个体经营 清河纺织厂 宏达建材公司 宁波务工 东莞务工 柳林镇卫生院 快递员")
WORK_COMMUNITY = words(
    "清河区人民医院 清河区实验小学 东湖街道办事处 清河纺织厂 清河农商银行 个体经营 清河区市场监管局 "
    "超市店员 自由职业 杭州务工"
)
COLLEGES = words("清河职业技术学院 省师范大学 江南大学 省财经学院 省医科大学")
HIGH_SCHOOLS = words("清河一中 清河二中 清河职业高中")
POLITICS = weights("群众:82 中共党员:15 中共预备党员:3")
NOTES = words("低保户 新迁入 军属 五好家庭")
MOBILE_PREFIXES = words("130 133 135 136 138 139 150 151 152 158 159 177 180 186 187 188 189 191 199")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Registry:
    """Values already handed out, so heads and phone numbers stay unique across both rosters."""

    keys: set[tuple[str, int, int]] = field(default_factory=set)
    phones: set[str] = field(default_factory=lambda: {"15812345678", "13812345678"})


def stem(place: str) -> str:
    """Strip the administrative suffix from a place name (南关村 -> 南关)."""
    return re.sub("(街道|社区|村|镇|乡)$", "", place)


def group_name(village: str, index: int) -> str:
    """Return the 小组 name for a 0-based group index."""
    return f"第{NUMERALS[index]}{'居民' if village.endswith('社区') else '村民'}小组"


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    """Pick a key of table using its values as weights."""
    return rng.choices(list(table), weights=list(table.values()))[0]


def person_name(rng: random.Random, surname: str, male: bool, taken: list[str]) -> str:
    """Return a new Chinese name with the given surname that is not in taken."""
    while True:
        name = surname + rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
        if name not in taken:
            taken.append(name)
            return name


def random_surname(rng: random.Random, avoid: str = "") -> str:
    """Return a random common surname different from avoid."""
    while True:
        surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        if surname != avoid:
            return surname


def mobile(rng: random.Random, used: set[str]) -> str:
    """Return a fresh 11-digit mobile number."""
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number


def birth_text(rng: random.Random, year: int, month: int) -> str:
    """Format a birth month in one of the styles villages really type."""
    return rng.choice([f"{year}.{month:02d}", f"{year}年{month}月", f"{year}-{month:02d}", f"{year}/{month}"])


def workplace(rng: random.Random, age: int, town: str, village: str) -> str | None:
    """Return a plausible workplace or school for a member, or None to omit it."""
    if age < 3:
        return None
    if age <= 11:
        return f"{stem(village)}{'幼儿园' if age <= 5 else '小学'}"
    if age <= 14:
        return f"{stem(town)}中学"
    if age <= 17:
        return rng.choice(HIGH_SCHOOLS)
    if age <= 22 and rng.random() < 0.7:
        return rng.choice(COLLEGES)
    if age >= 62:
        return None if rng.random() < 0.3 else rng.choice(["退休", "务农", "在家"])
    if rng.random() < 0.1:
        return None
    return rng.choice(WORK_COMMUNITY if village.endswith("社区") else WORK_VILLAGE)


def member_pool(rng: random.Random, head: str, male: bool, age: int) -> list[tuple[str, str, int]]:
    """Return candidate (name, relation, age) members, closest relatives first."""
    taken, surname = [head], head[0]
    pool: list[tuple[str, str, int]] = []
    partner = random_surname(rng, surname)
    family = surname if male else partner
    if not (age > 65 and rng.random() < 0.25):
        spouse = person_name(rng, partner, not male, taken)
        pool.append((spouse, "妻" if male else "夫", max(20, age + rng.randint(-5, 4))))
    kids: list[tuple[str, str, int]] = []
    kid_age = age - rng.randint(22, 32)
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        if kid_age < 1:
            break
        son = rng.random() < 0.5
        kids.append((person_name(rng, family, son, taken), "子" if son else "女", kid_age))
        kid_age -= rng.randint(2, 6)
    pool += kids
    for rel, is_male in (("父", True), ("母", False)):
        parent_age = age + rng.randint(22, 32)
        if parent_age <= 92 and rng.random() < 0.8:
            parent_surname = surname if is_male else random_surname(rng, surname)
            pool.append((person_name(rng, parent_surname, is_male, taken), rel, parent_age))
    for _, rel, kid_age in kids:
        if kid_age >= 24:
            in_law = person_name(rng, random_surname(rng, family), rel == "女", taken)
            pool.append((in_law, "儿媳" if rel == "子" else "女婿", kid_age + rng.randint(-3, 3)))
    sons = [kid for kid in kids if kid[1] == "子"]
    grand_age = sons[0][2] - rng.randint(22, 30) if sons else 0
    for _ in range(2):
        if grand_age >= 1:
            boy = rng.random() < 0.5
            pool.append((person_name(rng, family, boy, taken), "孙子" if boy else "孙女", grand_age))
            grand_age -= rng.randint(2, 5)
    for _ in range(2):
        diff, is_male = rng.choice([-8, -5, -3, -2, 2, 3, 5, 8]), rng.random() < 0.5
        rel = ("兄" if is_male else "姐") if diff > 0 else ("弟" if is_male else "妹")
        pool.append((person_name(rng, surname, is_male, taken), rel, age + diff))
    return pool


def make_household(
    rng: random.Random, town: str, village: str, group: str, used: Registry, **fixed: Any
) -> Household:
    """Generate one valid household; fixed may pin name, surname, male, year, month and size."""
    community = village.endswith("社区")
    male = fixed.get("male", rng.random() < 0.82)
    while True:
        age = rng.randint(26, 34) if rng.random() < 0.12 else int(rng.triangular(30, 85, 56))
        year, month = fixed.get("year", YEAR - age), fixed.get("month", rng.randint(1, 12))
        clan = CLAN_SURNAME.get(village) if rng.random() < 0.4 else None
        surname = fixed.get("surname") or clan or random_surname(rng)
        name = fixed.get("name") or person_name(rng, surname, male, [])
        if (name, year, month) not in used.keys:
            used.keys.add((name, year, month))
            break
    age = YEAR - year
    size = fixed.get("size") or rng.choices(range(1, 8), weights=[5, 12, 25, 28, 18, 8, 4])[0]
    chosen = member_pool(rng, name, male, age)[: size - 1]
    texts = []
    for member, rel, member_age in chosen:
        work = workplace(rng, member_age, town, village)
        texts.append(f"{member}（{rel}，{member_age}岁" + (f"，{work}）" if work else "）"))
    if age >= 63:
        job = "退休" if community or rng.random() < 0.3 else "务农"
    else:
        job = weighted(rng, JOBS_COMMUNITY if community else JOBS_VILLAGE)
    if community:
        address = (
            f"{DISTRICT}{town}{village}{STREETS[village]}{rng.randint(1, 88)}号"
            f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 2)}室"
        )
    else:
        address = f"{DISTRICT}{town}{village}{group}{rng.randint(1, 120)}号"
    unlisted = 1 if len(chosen) < 6 and rng.random() < 0.08 else 0  # e.g. a member living elsewhere
    # fmt: off
    return {
        "town": town, "village": village, "group": group, "name": name, "male": male, "year": year,
        "month": month, "birth": birth_text(rng, year, month), "politics": weighted(rng, POLITICS),
        "job": job, "size": len(chosen) + 1 + unlisted, "address": address,
        "phone": mobile(rng, used.phones), "members": "；".join(texts), "n_members": len(chosen),
        "note": None,
    }
    # fmt: on


def split_groups(rng: random.Random, total: int, groups: int) -> list[int]:
    """Split total households over groups, at least 6 per group."""
    counts = [6] * groups
    for _ in range(total - 6 * groups):
        counts[rng.randrange(groups)] += 1
    return counts


def format_phone(rng: random.Random, digits: str, style: str, used: set[str]) -> str | None:
    """Render a mobile number in a messy style, or replace it by a landline or nothing."""
    if style == "landline":
        landline = f"0571-88{rng.randrange(10**6):06d}"
        used.add(landline)
        return landline
    return {
        "dash": f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
        "space": f"{digits[:3]} {digits[3:7]} {digits[7:]}",
        "full": digits.translate(FULLWIDTH),
        "empty": None,
    }.get(style, digits)


def build_clean(rng: random.Random, used: Registry) -> dict[str, list[Household]]:
    """Build the clean roster: township -> households sorted by village and group."""
    roster: dict[str, list[Household]] = {}
    for town, villages in TOWNSHIPS.items():
        roster[town] = []
        for village, n_groups, total in villages:
            position = 0
            for index, count in enumerate(split_groups(rng, total, n_groups)):
                for _ in range(count):
                    rare = RARE_HEADS.get((village, position))
                    fixed: dict[str, Any] = {"name": rare[0], "male": rare[1]} if rare else {}
                    uyghur = rare is not None and "·" in rare[0]
                    if uyghur:
                        fixed.update(year=1976, month=5, size=3)
                    household = make_household(rng, town, village, group_name(village, index), used, **fixed)
                    if uyghur:
                        household.update(members=UYGHUR_MEMBERS, n_members=2, size=3)
                    roster[town].append(household)
                    position += 1
    everyone = [h for rows in roster.values() for h in rows]
    plain = [h for h in everyone if "·" not in h["name"]]
    picks = iter(rng.sample(plain, 22))
    for style, count in (("full", 2), ("dash", 5), ("space", 4), ("landline", 5), ("empty", 6)):
        for _ in range(count):
            household = next(picks)
            household["phone"] = format_phone(rng, household["phone"], style, used.phones)
    for household in rng.sample(plain, 8):
        household["birth"] = dt.datetime(household["year"], household["month"], 1)
    for household in rng.sample([h for h in everyone if 3 <= h["size"] <= 6], 5):
        household["size"] = f"{household['size']}人"
    young = [h for h in everyone if YEAR - h["year"] <= 28]
    for index, household in enumerate(rng.sample(young, 6)):
        household["politics"] = "团员" if index < 2 else "共青团员"
    for household in rng.sample([h for h in everyone if h["politics"] == "中共党员"], 3):
        household["politics"] = "党员"
    crowd = [h for h in plain if h["politics"] == "群众" and YEAR - h["year"] >= 40]
    for household, value in zip(rng.sample(crowd, 2), ["民盟盟员", "无党派人士"], strict=True):
        household["politics"] = value
    for household in roster["东湖街道"]:
        if rng.random() < 0.06:
            household["note"] = rng.choice(NOTES)
    return roster


def dup_source(roster: dict[str, list[Household]]) -> Household:
    """Pick the 柳林村 household that the dirty roster re-lists under 河湾村."""
    for household in roster["柳林镇"]:
        phone, birth = household["phone"] or "", household["birth"]
        if (
            household["village"] == "柳林村"
            and isinstance(birth, str)
            and phone.isascii()
            and phone.isdigit()
        ):
            return household
    raise RuntimeError("no suitable duplicate source")


def build_dirty(rng: random.Random, used: Registry, source: Household) -> list[Household]:
    """Build the 40 rows of the messy re-submission, exactly the DIRTY_BAD rows invalid."""
    rows: list[Household] = []
    for town, village, count, n_groups in DIRTY_LAYOUT:
        for i in range(count):
            excel_row = len(rows) + 2
            letter = DIRTY_BAD.get(excel_row, ("",))[0]
            if letter == "n":
                rows.append(dict(rows[DUPLICATE_OF - 2]))
                continue
            fixed = BAD_FIXED.get(letter, {}) | VALID_FIXED.get(excel_row, {})
            if letter == "o":  # same head as the source: keep surname, sex and birth consistent
                fixed = {"surname": source["name"][0]} | {k: source[k] for k in ("male", "year", "month")}
            group = group_name(village, i * n_groups // count)
            row = make_household(rng, town, village, group, used, **fixed)
            style = rng.choices(["plain", "dash", "space"], weights=[8, 1, 1])[0]
            row["phone"] = format_phone(rng, row["phone"], style, used.phones)
            if letter in ("k", "l"):
                assert row["n_members"] == fixed["size"] - 1, row
            if letter == "l":
                row["members"] += "；张大山（父，150岁）"
            if letter == "o":
                row.update({key: source[key] for key in ("name", "birth", "phone")})
            if excel_row in DIRTY_DATE_CELLS:
                row["birth"] = dt.datetime(row["year"], row["month"], 1)
            row.update(BAD_VALUES.get(letter, {}) | VALID_VALUES.get(excel_row, {}))
            rows.append(row)
    return rows


def style_sheet(ws: Any, headers: list[str], header_row: int) -> None:
    """Bold the header row and set readable column widths."""
    for col, header in enumerate(headers, 1):
        ws.cell(header_row, col).font = Font(bold=True)
        width = 60 if "成员" in header else 40 if "住址" in header else 16
        ws.column_dimensions[get_column_letter(col)].width = width


def add_title(ws: Any, title: str, width: int) -> None:
    """Write a title in row 1 merged across width columns."""
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def write_table(ws: Any, headers: list[tuple[str, str]], rows: list[Household], header_row: int) -> None:
    """Write the header row and the households below it, numbering 序号 from 1."""
    for col, (header, _) in enumerate(headers, 1):
        ws.cell(header_row, col, header)
    for seq, household in enumerate(rows, 1):
        for col, (_, key) in enumerate(headers, 1):
            value = seq if key == "seq" else household.get(key)
            cell = ws.cell(header_row + seq, col, None if value == "" else value)
            if isinstance(value, dt.datetime):
                cell.number_format = 'yyyy"年"m"月"'
    style_sheet(ws, [header for header, _ in headers], header_row)


class FixedTimeZipFile(ZipFile):
    """ZipFile that stamps every member with FIXED_TIME, for reproducible bytes."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        """Write data under a ZipInfo carrying FIXED_TIME."""
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = ZipInfo(zinfo_or_arcname, FIXED_TIME.timetuple()[:6])
            zinfo_or_arcname.compress_type = ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o600 << 16
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        """Copy a file into the archive through writestr, ignoring its mtime."""
        self.writestr(arcname or str(filename), Path(filename).read_bytes())


def save(wb: Workbook, path: Path) -> None:
    """Save a workbook with fixed created/modified properties and zip timestamps."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "samples/make_samples.py"
    ExcelWriter(wb, FixedTimeZipFile(path, "w", ZIP_DEFLATED)).save()


def quota_rows(roster: dict[str, list[Household]]) -> list[list[Any]]:
    """Return the 附件1 data rows (quotas ≈ 80% / 10% of roster households) and the 合计 row."""
    rows: list[list[Any]] = []
    for seq, (town, households) in enumerate(roster.items(), 1):
        n = len(households)
        rows.append([seq, town, TOTAL_HOUSEHOLDS[town], round(n * 0.8), round(n * 0.1)])
    rows.append([None, "合计", *(sum(row[i] for row in rows) for i in (2, 3, 4))])
    return rows


def main() -> None:
    """Parse arguments, generate the three workbooks and print a summary."""
    parser = argparse.ArgumentParser(description="Generate the fictional 平安家庭 sample spreadsheets.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output folder")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    rng, used = random.Random(SEED), Registry()

    roster = build_clean(rng, used)
    wb = Workbook()
    wb.remove(wb.active)
    for town, households in roster.items():
        ws = wb.create_sheet(town)
        add_title(ws, f"{DISTRICT}{town}{YEAR}年“平安家庭”创建花名册", len(ROSTER_HEADERS[town]))
        write_table(ws, ROSTER_HEADERS[town], households, 2)
    save(wb, out / "roster-2026.xlsx")

    source = dup_source(roster)
    dirty = build_dirty(rng, used, source)
    wb = Workbook()
    wb.active.title = "花名册"
    write_table(wb.active, DIRTY_HEADERS, dirty, 1)
    save(wb, out / "roster-dirty.xlsx")

    wb = Workbook()
    ws = wb.active
    ws.title = "附件1"
    add_title(ws, f"{DISTRICT}{YEAR}年“平安家庭”创建工作任务指标分配表", len(QUOTA_HEADERS))
    quotas = quota_rows(roster)
    for row in [QUOTA_HEADERS, *quotas]:
        ws.append(row)
    style_sheet(ws, QUOTA_HEADERS, 2)
    save(wb, out / "quotas-2026.xlsx")

    print(f"{out}/roster-2026.xlsx: {sum(len(rows) for rows in roster.values())} households")
    for town, households in roster.items():
        counts = {v: sum(h["village"] == v for h in households) for v, _, _ in TOWNSHIPS[town]}
        print(f"  {town} {len(households)}: {counts}")
    print(f"{out}/roster-dirty.xlsx: {len(dirty)} rows, {len(DIRTY_BAD)} invalid")
    for excel_row, (letter, column, problem) in DIRTY_BAD.items():
        print(f"  row {excel_row} ({letter}) {column}: {problem}")
    print(f"  duplicate source: {source['village']} {source['name']} {source['birth']} {source['phone']}")
    print(f"{out}/quotas-2026.xlsx: {quotas}")


if __name__ == "__main__":
    main()
