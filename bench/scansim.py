"""Scan simulator (扫描模拟): fills printed forms the way people do and "scans" them, with ground truth.

The reader in ``ocr`` is tested and benchmarked on pages made here. Four steps, each usable alone:

1. :func:`random_fill` decides what a person did on one sheet (:class:`SheetFill`): which bubble
   of each group they marked and how (:class:`MarkStyle`), what they wrote in each handwriting box,
   how hard each seal was pressed. This is the ground truth; :meth:`FieldFill.expected` says what
   a careful human reading of the paper concludes.
2. :func:`draw_fill` draws those marks onto a clean rendered page image, in the layout's mm
   coordinates: hand-made bubble marks, handwriting in a 楷体 font, red seals.
3. :func:`degrade` simulates the scanner or phone: skew, fit-to-page scaling, blur, noise, JPEG,
   dark bed borders, uneven light, 150 dpi, upside-down pages, greyscale, perspective. What it did
   is recorded in a :class:`ScanMeta`, which also maps page mm to pixels of the scan.
4. :func:`make_scans` prints real signed sheets with ``service``, rasterises, fills and degrades
   them, and yields :class:`ScannedPage` items lazily (optionally writing image + JSON files).

Profiles (:func:`random_fill`):

* ``tidy``: every group answered with one solid mark, every box written, every seal pressed
  (strength 0.7–1.0), black (65 %) or blue ink, dates as 2026年5月12日, recommendations all yes.
* ``realistic``: per group 2 % left blank, 3 % erased corrections (the old mark rubbed out to a
  residue, a tenth of them not re-marked: blank), 1.5 % crossed-out corrections, 1 % double
  marks; each person has a habit (solid 84 %, tick 7 %, scribble 6 %, cross 3 %) and strays from it
  on 10 % of marks (solid, scribble, tick, partial, light pencil, cross); 4 % of sheets are done in
  pencil (every mark light pencil). 4 % of optional boxes left empty (2 % of deduction reasons);
  10 % of sheets with seal boxes miss one to all seals, the others have strength 0.4–1.0.

Both profiles: item scores 10 / 9 / 8 / 7 / 6 / 5 with weights 70 / 18 / 8 / 2.5 / 1 / 0.5; each
lost point is written in the deduction box (``2``, ``-2`` or ``扣2分``) with a reason;
``group_total`` is the sum of the intended scores (3 % adding-up slips when realistic) and the
verdict follows it (pass mark 90). Application: political status and family size agree with the
registered value 95 % of the time; recommend yes 97 %, publication consent yes 85 %, decisions
yes 96 %; opinions match the decision.

Scan levels (:func:`sample_scan`): ``clean`` adds sensor noise (σ 1–2.5 grey levels) only.
``normal``: skew ±2° (10 %: 2–4°), shift ±2 mm, fit-to-page 96–100 % (40 % at exactly 100 %),
paper tone 93–100 %, Gaussian blur σ 0.04–0.11 mm, noise σ 2–5, JPEG quality 70–90. ``harsh``:
skew 25 % at 2–4°, shift ±4 mm, fit-to-page 94–100 % (30 % exact), blur σ 0.06–0.16 mm, noise
σ 3–7, plus dark bed strips 2–7 mm on 1–3 sides, a lighting gradient of 8–25 %, 150 dpi output,
and upside-down 10 %, greyscale 20 % (returned as RGB with R = G = B), phone perspective 15 %
(corners moved up to 3 % of the page, mostly inward, on a desk-coloured background).

Everything is deterministic given the seed or ``numpy.random.Generator`` passed in.
Run ``python -m bench.scansim`` for timings and a few sample pages.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import functools
import io
import json
import math
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from ocr.layout import Bubble, FieldKind, FormLayout, LayoutField, PageLayout, Rect

MM_PER_INCH = 25.4
Profile = Literal["tidy", "realistic"]
Level = Literal["clean", "normal", "harsh"]
Ink = Literal["black", "blue", "pencil"]
FormKind = Literal["score", "application"]
Floats = npt.NDArray[np.float32]

#: :meth:`FieldFill.expected` of a bubble group or box a careful reader finds empty.
BLANK = "blank"
#: :meth:`FieldFill.expected` of a bubble group with two or more marks that count.
DOUBLE = "double"
#: :meth:`FieldFill.expected` of a seal box with a seal in it.
SEALED = "sealed"


class MarkStyle(enum.StrEnum):
    """How a person marked one bubble."""

    solid = "solid"  # filled in with the pen, 70–100 % of the circle
    tick = "tick"  # a check mark across the bubble
    cross = "cross"  # an X across an empty bubble, meaning "this one"
    scribble = "scribble"  # a zig-zag filling most of the circle
    light_pencil = "light_pencil"  # a pencil fill, grey (30–45 % darkness)
    partial = "partial"  # filled only in part, 35–60 % of the circle
    erased = "erased"  # a solid mark rubbed out: faint grey residue, 10–25 % darkness
    crossed_out = "crossed_out"  # a solid mark cancelled with a large X over it


#: Marks a careful reader counts as choosing the bubble (weak ones included).
COUNTED = frozenset(
    {
        MarkStyle.solid,
        MarkStyle.tick,
        MarkStyle.cross,
        MarkStyle.scribble,
        MarkStyle.light_pencil,
        MarkStyle.partial,
    }
)
#: Counted marks that are faint or incomplete: a reader may fairly ask for review, never misread them.
WEAK = frozenset({MarkStyle.light_pencil, MarkStyle.partial})
#: Marks the person cancelled: a careful reader ignores them.
CANCELLED = frozenset({MarkStyle.erased, MarkStyle.crossed_out})


# ---------------------------------------------------------------------------------------------
# ground truth
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One bubble touched by the person: the bubble's value and how it was marked."""

    value: str
    style: MarkStyle


@dataclass(frozen=True)
class FieldFill:
    """What the person did in one field (ground truth).

    * bubbles: ``intended`` is the value they meant (``None``: left blank, or erased and not
      re-marked); ``marks`` every bubble they touched, in drawing order (a correction is the
      cancelled mark first, then the new one).
    * handwriting: ``text`` is what they wrote (``None``: left empty).
    * seal: ``seal`` is how hard it was pressed (0 = no seal, else 0.3–1.0; drawn opacity is about
      0.9 × strength) and ``seal_text`` the inscription around its rim.
    """

    name: str
    kind: FieldKind
    page: int
    intended: str | None = None
    marks: tuple[Mark, ...] = ()
    text: str | None = None
    seal: float = 0.0
    seal_text: str | None = None

    def counted(self) -> tuple[str, ...]:
        """Return the values whose marks a careful reader counts, without repeats, in drawing order."""
        values: list[str] = []
        for mark in self.marks:
            if mark.style in COUNTED and mark.value not in values:
                values.append(mark.value)
        return tuple(values)

    def expected(self) -> str:
        """Return what a careful human reading of the paper concludes for this field.

        bubbles: the value when exactly one bubble carries a counted mark (solid, tick, cross,
        scribble, partial or light pencil — weak marks count); :data:`BLANK` when none does (no
        mark at all, or only erased residue or crossed-out fills); :data:`DOUBLE` when two or more
        do. handwriting: the text, or :data:`BLANK`. seal: :data:`SEALED` or :data:`BLANK`.
        """
        if self.kind == FieldKind.bubbles:
            values = self.counted()
            if not values:
                return BLANK
            return values[0] if len(values) == 1 else DOUBLE
        if self.kind == FieldKind.seal:
            return SEALED if self.seal > 0 else BLANK
        return self.text if self.text else BLANK

    def styles(self) -> frozenset[MarkStyle]:
        """Return the mark styles used in this group (for reporting accuracy by condition)."""
        return frozenset(mark.style for mark in self.marks)

    def weak(self) -> bool:
        """Return whether the reading rests on a weak mark (a review flag is fair, a wrong value is not)."""
        return any(mark.style in WEAK for mark in self.marks)


@dataclass(frozen=True)
class SheetFill:
    """Everything one person did on one sheet (all pages): the ground truth of a filled form.

    ``fields`` maps field name to :class:`FieldFill` for every bubble group, handwriting box and
    seal box the layout has, except boxes the printer filled (prefilled values, printed fields).
    ``ink`` is the pen: black or blue ink, or pencil (then every counted mark is ``light_pencil``).
    """

    kind: str
    profile: str
    ink: Ink
    fields: dict[str, FieldFill]

    def field(self, name: str) -> FieldFill:
        """Return the fill of the field called ``name``."""
        return self.fields[name]

    def on_page(self, page: int) -> list[FieldFill]:
        """Return the fills of the fields on ``page`` (1-based)."""
        return [f for f in self.fields.values() if f.page == page]

    def expected(self, page: int | None = None) -> dict[str, str]:
        """Return :meth:`FieldFill.expected` of every field (of one page, if given), by name."""
        return {f.name: f.expected() for f in self.fields.values() if page is None or f.page == page}

    def to_dict(self) -> dict[str, Any]:
        """Return the fill as JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SheetFill:
        """Rebuild a fill from :meth:`to_dict` data (e.g. a JSON file written by :func:`make_scans`)."""
        fields = {}
        for name, raw in data["fields"].items():
            fields[name] = FieldFill(
                name=raw["name"],
                kind=FieldKind(raw["kind"]),
                page=int(raw["page"]),
                intended=raw["intended"],
                marks=tuple(Mark(m["value"], MarkStyle(m["style"])) for m in raw["marks"]),
                text=raw["text"],
                seal=float(raw["seal"]),
                seal_text=raw["seal_text"],
            )
        return cls(kind=data["kind"], profile=data["profile"], ink=data["ink"], fields=fields)


# ---------------------------------------------------------------------------------------------
# random fills
# ---------------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "秀英桂兰建华国强志明春梅海燕晓东玉珍德胜丽娟子豪欣怡文军平伟芳敏静磊洋勇艳杰涛超霞"
TOWNSHIPS = ("清河镇", "柳林镇", "城关街道", "杏花乡")
VILLAGES = ("南关村", "北关村", "东湖村", "西岭村", "柳树村", "杏花社区")
OCCUPATIONS = ("务农", "个体", "退休", "教师", "工人", "村干部", "外出务工")
RELATIONS = ("妻", "夫", "子", "女", "母", "父", "孙子", "孙女", "儿媳")
WORKPLACES = ("务农", "清河镇中学", "在家", "杭州务工", "清河小学", "退休", "个体经营", "幼儿园")
#: Deduction reasons by standard (1–10), as review groups write them.
REASONS: dict[int, tuple[str, ...]] = {
    1: ("学法意识不强", "未参加法治学习"),
    2: ("家庭成员偶有争吵", "赡养老人不到位"),
    3: ("与邻居有纠纷", "楼道堆放杂物"),
    4: ("有封建迷信活动", "参与迷信活动"),
    5: ("婚事大操大办", "有铺张浪费现象"),
    6: ("电动车楼道充电", "家中无灭火器", "消防意识薄弱"),
    7: ("曾有越级上访",),
    8: ("房前屋后卫生差", "有乱搭乱建"),
    9: ("家庭成员有赌博行为", "孩子沉迷网络"),
    10: ("未参加公益活动", "很少参加志愿服务"),
}
OPINIONS_YES = (
    "情况属实，同意推荐。",
    "同意推荐该户为“平安家庭”。",
    "经审核，该户符合创建条件，同意。",
    "同意",
    "经评审组考核，符合标准，同意上报。",
    "同意命名。",
)
OPINIONS_NO = ("不符合创建条件，不同意。", "有扣分项，暂缓推荐。", "不同意")
CORRECTIONS = ("联系电话改为13967781234", "家庭人数变更为5人", "职业改为个体", "住址门牌号改为18号")
POLITICAL_WEIGHTS = {
    "masses": 60,
    "party": 22,
    "league": 8,
    "probationary": 3,
    "democratic": 2,
    "nonparty": 5,
}
POLITICAL_LABELS = {
    "群众": "masses",
    "中共党员": "party",
    "共青团员": "league",
    "中共预备党员": "probationary",
    "民主党派": "democratic",
    "无党派人士": "nonparty",
}
FAMILY_WEIGHTS = {"1": 3, "2": 12, "3": 25, "4": 28, "5": 17, "6": 9, "7": 3, "8": 2, "9": 0.5, "10+": 0.5}
#: Points lost per standard on score sheets (weights of 10, 9, 8, ... points).
SCORE_WEIGHTS = (70, 18, 8, 2.5, 1, 0.5)
#: A person's habitual way of marking (realistic profile), and what they do on the odd 10 % of bubbles.
HABITS = {MarkStyle.solid: 84, MarkStyle.tick: 7, MarkStyle.scribble: 6, MarkStyle.cross: 3}
ODD_MARKS = {
    MarkStyle.solid: 35,
    MarkStyle.scribble: 20,
    MarkStyle.tick: 15,
    MarkStyle.partial: 15,
    MarkStyle.light_pencil: 10,
    MarkStyle.cross: 5,
}


@dataclass(frozen=True)
class _Rates:
    """Per-group event rates of a profile."""

    blank: float
    erased: float
    erased_then_blank: float
    crossed_out: float
    double: float
    pencil_sheet: float
    odd_mark: float
    seal_missing: float
    write_skip: float


PROFILES: dict[str, _Rates] = {
    "tidy": _Rates(0, 0, 0, 0, 0, 0, 0, 0, 0),
    "realistic": _Rates(
        blank=0.02,
        erased=0.03,
        erased_then_blank=0.1,
        crossed_out=0.015,
        double=0.01,
        pencil_sheet=0.04,
        odd_mark=0.10,
        seal_missing=0.10,
        write_skip=0.04,
    ),
}


def _pick(rng: np.random.Generator, weights: Mapping[Any, float]) -> Any:
    """Return a key of ``weights`` drawn with probability proportional to its weight."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _one(rng: np.random.Generator, items: Sequence[str]) -> str:
    return items[int(rng.integers(len(items)))]


def _name(rng: np.random.Generator) -> str:
    given = "".join(_one(rng, GIVEN) for _ in range(1 + int(rng.random() < 0.7)))
    return _one(rng, SURNAMES) + given


def _date(rng: np.random.Generator, year: int, profile: str) -> str:
    month, day = int(rng.integers(3, 12)), int(rng.integers(1, 29))
    style = 0 if profile == "tidy" else int(rng.choice(3, p=[0.6, 0.3, 0.1]))
    return (f"{year}年{month}月{day}日", f"{year}.{month}.{day}", f"{year}-{month:02d}-{day:02d}")[style]


def _neighbour(field: LayoutField, value: str, rng: np.random.Generator) -> str:
    """Return another value of the group, usually the bubble next to ``value``."""
    values = [b.value for b in field.bubbles]
    index = values.index(value)
    near = [i for i in (index - 1, index + 1) if 0 <= i < len(values)]
    if rng.random() < 0.8 and near:
        return values[near[int(rng.integers(len(near)))]]
    others = [v for v in values if v != value]
    return _one(rng, others)


def _district(layout: FormLayout) -> str:
    return layout.title.split(str(layout.year))[0] or "清河区"


class _Filler:
    """Draws one sheet's ground truth; holds the per-sheet choices (pen, habit, names)."""

    def __init__(
        self,
        layout: FormLayout,
        rng: np.random.Generator,
        profile: Profile,
        values: Mapping[str, str],
        pass_mark: int,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}")
        self.layout = layout
        self.rng = rng
        self.profile = profile
        self.rates = PROFILES[profile]
        self.values = values
        self.pass_mark = pass_mark
        self.pencil = rng.random() < self.rates.pencil_sheet
        self.ink: Ink = "pencil" if self.pencil else ("black" if rng.random() < 0.65 else "blue")
        self.habit: MarkStyle = MarkStyle.solid if profile == "tidy" else _pick(rng, HABITS)
        self.head = values.get("head_name") or _name(rng)
        printed = values.get("sheet_info", "") + values.get("address", "")
        self.township = next((t for t in TOWNSHIPS if t in printed), None) or _one(rng, TOWNSHIPS)
        self.village = next((v for v in VILLAGES if v in printed), None) or _one(rng, VILLAGES)
        self.fills: dict[str, FieldFill] = {}

    # bubbles ------------------------------------------------------------------------------
    def style(self) -> MarkStyle:
        """Return the style of one counted mark."""
        if self.pencil:
            return MarkStyle.light_pencil
        if self.rng.random() < self.rates.odd_mark:
            style: MarkStyle = _pick(self.rng, ODD_MARKS)
            return style
        return self.habit

    def marks(self, field: LayoutField, intended: str) -> tuple[str | None, tuple[Mark, ...]]:
        """Return the intended value and the marks made for it, with the profile's slips."""
        rates, rng = self.rates, self.rng
        if rng.random() < rates.blank:
            return None, ()
        new_mark = MarkStyle.light_pencil if self.pencil else MarkStyle.solid
        event = rng.random()
        if event < rates.erased:
            old = Mark(_neighbour(field, intended, rng), MarkStyle.erased)
            if rng.random() < rates.erased_then_blank:
                return None, (old,)
            return intended, (old, Mark(intended, new_mark))
        event -= rates.erased
        if event < rates.crossed_out:
            old = Mark(_neighbour(field, intended, rng), MarkStyle.crossed_out)
            return intended, (old, Mark(intended, new_mark))
        event -= rates.crossed_out
        if event < rates.double:
            return intended, (Mark(intended, self.style()), Mark(_neighbour(field, intended, rng), new_mark))
        return intended, (Mark(intended, self.style()),)

    def bubbles(self, page: int, field: LayoutField, intended: str) -> None:
        """Record a bubble group marked for ``intended``."""
        value, marks = self.marks(field, intended)
        self.fills[field.name] = FieldFill(field.name, FieldKind.bubbles, page, value, marks)

    def choose(self, field: LayoutField) -> str:
        """Return the value a person means in a group, by the group's meaning."""
        rng, name = self.rng, field.name
        values = [b.value for b in field.bubbles]
        if name == "political_status":
            registered = self.values.get("registered_political_status", "").removeprefix("登记：")
            if registered in POLITICAL_LABELS and rng.random() < 0.95:
                return POLITICAL_LABELS[registered]
            return str(_pick(rng, {v: POLITICAL_WEIGHTS.get(v, 1) for v in values}))
        if name == "family_size":
            registered = (
                self.values.get("registered_family_size", "").removeprefix("登记：").removesuffix("人")
            )
            if registered in values and rng.random() < 0.95:
                return registered
            return str(_pick(rng, {v: FAMILY_WEIGHTS.get(v, 1) for v in values}))
        if set(values) == {"yes", "no"}:
            p_yes = {"recommend": 0.97, "publication_consent": 0.85}.get(name, 0.96)
            if self.profile == "tidy" and name != "publication_consent":
                p_yes = 1.0  # tidy sheets are approved all the way
            return "yes" if rng.random() < p_yes else "no"
        return _one(rng, values)

    # text ---------------------------------------------------------------------------------
    def write(self, page: int, field: LayoutField, text: str | None, skip: float | None = None) -> None:
        """Record a handwriting box, left empty with probability ``skip`` (default: the profile's rate)."""
        skip = self.rates.write_skip if skip is None else skip
        if text is not None and self.rng.random() < skip:
            text = None
        self.fills[field.name] = FieldFill(field.name, FieldKind.handwriting, page, text=text)

    def text_for(self, field: LayoutField) -> str | None:
        """Return what a person writes in a box that is not a score-sheet item, by the box's name."""
        rng, name, year = self.rng, field.name, self.layout.year
        member = re.fullmatch(r"member(\d+)_(name|age|relation|workplace)", name)
        if member:
            if int(member.group(1)) > 3:
                return None
            return {
                "name": lambda: _name(rng),
                "age": lambda: str(int(rng.integers(3, 85))),
                "relation": lambda: _one(rng, RELATIONS),
                "workplace": lambda: _one(rng, WORKPLACES),
            }[member.group(2)]()
        if name.endswith("_date"):
            return _date(rng, year, self.profile)
        if name.endswith("_opinion"):
            decision = self.fills.get(name.removesuffix("_opinion") + "_decision")
            no = decision is not None and decision.intended == "no"
            return _one(rng, OPINIONS_NO if no else OPINIONS_YES)
        generators: dict[str, Callable[[], str | None]] = {
            "head_name": lambda: self.head,
            "head_signature": lambda: self.head,
            "address": lambda: f"{self.township}{self.village}{int(rng.integers(1, 200))}号",
            "head_birth": lambda: f"{int(rng.integers(1950, 1990))}.{int(rng.integers(1, 13)):02d}",
            "occupation": lambda: _one(rng, OCCUPATIONS),
            "phone": lambda: "13" + "".join(str(int(d)) for d in rng.integers(0, 10, 9)),
            "score_total": lambda: str(int(rng.integers(88, 101))),
            "corrections": lambda: _one(rng, CORRECTIONS) if rng.random() < 0.1 else None,
            "group_signatures": lambda: "  ".join(_name(rng) for _ in range(int(rng.integers(2, 5)))),
        }
        make = generators.get(name)
        return make() if make else None

    # seals --------------------------------------------------------------------------------
    def seal_text(self, name: str) -> str:
        """Return the inscription of the seal a box is meant for."""
        district = _district(self.layout)
        unit = name.removesuffix("_seal")
        committee = "居民委员会" if self.village.endswith("社区") else "村民委员会"
        return {
            "village": f"{district}{self.township}{self.village}{committee}",
            "federation": f"{district}{self.township}妇女联合会",
            "township": f"{district}{self.township}人民政府",
        }.get(unit, f"{district}人民政府")

    # the sheet ----------------------------------------------------------------------------
    def run(self) -> SheetFill:
        """Return the whole sheet's fill."""
        names = [f.name for _, f in self.layout.fields() if f.kind != FieldKind.printed]
        if len(names) != len(set(names)):
            raise ValueError("a field name is used on two pages: the fill is keyed by name")
        for page in self.layout.pages:
            self.score_items(page)
            for fld in page.fields:
                if fld.name in self.fills or fld.kind == FieldKind.printed:
                    continue
                if fld.prefill and self.values.get(fld.prefill):
                    continue  # printed on the sheet: nothing to write
                if fld.kind == FieldKind.bubbles:
                    self.bubbles(page.number, fld, self.choose(fld))
                elif fld.kind == FieldKind.handwriting:
                    essential = fld.name in {"head_name", "head_signature", "score_total"}
                    self.write(page.number, fld, self.text_for(fld), 0.0 if essential else None)
            self.seals(page)
        return SheetFill(self.layout.kind, self.profile, self.ink, self.fills)

    def score_items(self, page: PageLayout) -> None:
        """Fill the score sheet's items (score, deduction, reason), total and verdict, consistently."""
        rng = self.rng
        items = [f for f in page.fields if re.fullmatch(r"item\d+_score", f.name)]
        if not items:
            return
        total = 0
        names = {f.name for f in page.fields}
        for fld in items:
            index = int(fld.name[4:-6])
            points = max(int(b.value) for b in fld.bubbles)
            lost = min(points, int(_pick(rng, dict(enumerate(SCORE_WEIGHTS)))))
            score = points - lost
            total += score
            self.bubbles(page.number, fld, str(score))
            deduction, reason = None, None
            if lost:
                form = 0 if self.profile == "tidy" else int(rng.choice(3, p=[0.6, 0.25, 0.15]))
                deduction = (str(lost), f"-{lost}", f"扣{lost}分")[form]
                reason = _one(rng, REASONS.get(index, ("不符合标准",)))
            if f"item{index:02d}_deduction" in names:
                self.write(page.number, page.field(f"item{index:02d}_deduction"), deduction)
            if f"item{index:02d}_reason" in names:
                self.write(
                    page.number, page.field(f"item{index:02d}_reason"), reason, self.rates.write_skip / 2
                )
        if "group_total" in names:
            written = total
            if self.profile != "tidy" and rng.random() < 0.03:
                written = total + int(rng.choice([-5, -2, -1, 1, 2]))  # an adding-up slip
            self.write(page.number, page.field("group_total"), str(written), 0.0)
        if "group_verdict" in names:
            fld = page.field("group_verdict")
            self.bubbles(page.number, fld, "pass" if total >= self.pass_mark else "fail")

    def seals(self, page: PageLayout) -> None:
        """Record the seal boxes of a page: all pressed, or (sometimes) some missing."""
        boxes = [f for f in page.fields if f.kind == FieldKind.seal]
        if not boxes:
            return
        missing: set[str] = set()
        if self.rng.random() < self.rates.seal_missing:
            count = int(self.rng.integers(1, len(boxes) + 1))
            missing = {boxes[int(i)].name for i in self.rng.choice(len(boxes), count, replace=False)}
        low = 0.7 if self.profile == "tidy" else 0.4
        for fld in boxes:
            strength = 0.0 if fld.name in missing else float(self.rng.uniform(low, 1.0))
            text = self.seal_text(fld.name) if strength else None
            self.fills[fld.name] = FieldFill(
                fld.name, FieldKind.seal, page.number, seal=strength, seal_text=text
            )


def random_fill(
    layout: FormLayout,
    rng: np.random.Generator,
    profile: Profile = "realistic",
    values: Mapping[str, str] | None = None,
    pass_mark: int = 90,
) -> SheetFill:
    """Return what a person plausibly did on one sheet of ``layout`` (see the module's profiles).

    ``values`` are the values printed on the sheet (``SheetPrint.values``): boxes they fill are
    not handwritten, and registered values and the head's name make the fill consistent.
    """
    return _Filler(layout, rng, profile, values or {}, pass_mark).run()


# ---------------------------------------------------------------------------------------------
# drawing marks
# ---------------------------------------------------------------------------------------------

INK_COLOURS: dict[str, tuple[float, float, float]] = {"black": (28, 28, 34), "blue": (30, 52, 150)}
PENCIL = (70.0, 70.0, 78.0)  # graphite; darkness is set by opacity
PENCIL_DARKNESS = 1 - (0.299 * 70 + 0.587 * 70 + 0.114 * 78) / 255
RESIDUE = (95.0, 95.0, 100.0)
SEAL_RED = (200.0, 30.0, 40.0)
SEAL_DIAMETERS = {"township": 42.0, "village": 40.0, "federation": 40.0}
UKAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"


@functools.cache
def _font_file(family: str, fallback: str) -> str:
    """Return the file of a font family through fontconfig (``fallback`` if fontconfig has no answer)."""
    try:
        answer = subprocess.run(
            ["fc-match", "-f", "%{family}|%{file}", family],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        answer = ""
    families, _, found = answer.strip().partition("|")
    matched = family in families.split(",") and Path(found).exists()
    path = found if matched else fallback
    if not Path(path).exists():
        raise FileNotFoundError(f"font {family!r} not found: apt-get install fonts-arphic-ukai")
    return path


@functools.lru_cache(maxsize=256)
def _font(family: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_file(family, UKAI), max(4, size), index=0)


HANDWRITING_FONT = "AR PL UKai CN"
SEAL_FONT = "WenQuanYi Zen Hei"


class _Canvas:
    """An RGB page as a numpy array, with ink applied multiplicatively (ink over print stays dark)."""

    def __init__(self, image: Image.Image, dpi: float) -> None:
        self.arr = np.array(image.convert("RGB"), dtype=np.uint8)
        self.scale = dpi / MM_PER_INCH  # px per mm

    def px(self, mm: float) -> float:
        """Return a length in pixels."""
        return mm * self.scale

    def ink(self, x0: int, y0: int, alpha: Floats, colour: tuple[float, float, float]) -> None:
        """Lay ``colour`` with opacity ``alpha`` (h × w, top-left at ``x0``, ``y0``) over the page."""
        h, w = alpha.shape
        height, width = self.arr.shape[:2]
        left, top, right, bottom = max(x0, 0), max(y0, 0), min(x0 + w, width), min(y0 + h, height)
        if right <= left or bottom <= top:
            return
        a = alpha[top - y0 : bottom - y0, left - x0 : right - x0, None]
        keep = 1.0 - a * (1.0 - np.asarray(colour, dtype=np.float32) / 255.0)
        region = self.arr[top:bottom, left:right].astype(np.float32)
        self.arr[top:bottom, left:right] = np.clip(region * keep + 0.5, 0, 255).astype(np.uint8)

    def image(self) -> Image.Image:
        """Return the page as a PIL image."""
        return Image.fromarray(self.arr, "RGB")


def _grid(cx: float, cy: float, half: float) -> tuple[int, int, Floats, Floats]:
    """Return the top-left pixel and the pixel-centre coordinates of a square patch around a point."""
    x0, y0 = math.floor(cx - half), math.floor(cy - half)
    n = math.ceil(2 * half) + 2
    xs = np.arange(x0, x0 + n, dtype=np.float32) + 0.5
    ys = np.arange(y0, y0 + n, dtype=np.float32) + 0.5
    gx, gy = np.meshgrid(xs, ys)
    return x0, y0, gx, gy


def _stroke(gx: Floats, gy: Floats, points: npt.NDArray[np.float64], widths: Sequence[float]) -> Floats:
    """Return the opacity of a polyline of the given per-segment widths (px), antialiased."""
    alpha = np.zeros(gx.shape, dtype=np.float32)
    for (ax, ay), (bx, by), width in zip(points[:-1], points[1:], widths, strict=False):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy or 1e-6
        t = np.clip(((gx - ax) * dx + (gy - ay) * dy) / length2, 0, 1)
        dist = np.hypot(gx - (ax + t * dx), gy - (ay + t * dy))
        np.maximum(alpha, np.clip(width / 2 - dist + 0.5, 0, 1), out=alpha)
    return alpha


@dataclass(frozen=True)
class _Blob:
    """The irregular outline of a hand-filled area: harmonics of the radius, an ellipse and its tilt."""

    amps: tuple[float, ...]
    phases: tuple[float, ...]
    aspect: float
    tilt: float

    @classmethod
    def random(cls, rng: np.random.Generator) -> _Blob:
        """Return a random hand-made outline."""
        amps = tuple(float(rng.uniform(0, 0.07) / (k - 1)) for k in range(2, 6))
        phases = tuple(float(rng.uniform(0, 2 * math.pi)) for _ in range(2, 6))
        return cls(amps, phases, float(rng.uniform(0.82, 1.08)), float(rng.uniform(0, math.pi)))

    def outline(self, gx: Floats, gy: Floats, cx: float, cy: float) -> tuple[Floats, Floats]:
        """Return each pixel's distance from the centre and the outline's relative radius in its direction."""
        dx, dy = gx - cx, gy - cy
        c, s = math.cos(self.tilt), math.sin(self.tilt)
        u, v = dx * c + dy * s, (-dx * s + dy * c) / self.aspect
        rho, theta = np.hypot(u, v), np.arctan2(v, u)
        edge = np.ones_like(theta)
        for k, (amp, phase) in enumerate(zip(self.amps, self.phases, strict=True), start=2):
            edge += amp * np.cos(k * theta + phase)
        return rho.astype(np.float32), edge.astype(np.float32)


def _fit_blob(
    blob: _Blob,
    gx: Floats,
    gy: Floats,
    disc: Floats,
    cx: float,
    cy: float,
    r: float,
    target: float,
    kmax: float,
) -> Floats:
    """Return the blob's opacity, scaled so that it covers ``target`` of the bubble's disc (as near as ``kmax`` allows)."""
    rho, edge = blob.outline(gx, gy, cx, cy)
    inside = disc > 0
    rho_in, edge_in = rho[inside], edge[inside]
    lo, hi = 0.1, kmax
    for _ in range(12):
        mid = (lo + hi) / 2
        covered = float(np.clip(r * mid * edge_in - rho_in + 0.5, 0, 1).mean())
        lo, hi = (mid, hi) if covered < target else (lo, mid)
    alpha: Floats = np.clip(r * hi * edge - rho + 0.5, 0, 1).astype(np.float32)
    return alpha


def _texture(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> Floats:
    """Return smooth noise in [0, 1] (paper grain, pen pressure)."""
    noise = rng.random(shape, dtype=np.float32)
    noise = np.asarray(cv2.GaussianBlur(noise, (0, 0), sigma), dtype=np.float32)
    lo, hi = float(noise.min()), float(noise.max())
    return ((noise - lo) / (hi - lo + 1e-6)).astype(np.float32)


def _ink_colour(ink: Ink, rng: np.random.Generator) -> tuple[float, float, float]:
    if ink == "pencil":
        return PENCIL
    base = INK_COLOURS[ink]
    common = float(rng.uniform(-6, 10))
    j = rng.uniform(-3, 3, 3)
    return (base[0] + common + float(j[0]), base[1] + common + float(j[1]), base[2] + common + float(j[2]))


def _jitter(
    points: list[tuple[float, float]], rng: np.random.Generator, amount: float
) -> npt.NDArray[np.float64]:
    arr = np.asarray(points, dtype=np.float64)
    return arr + rng.normal(0, amount, arr.shape)


def _rotate(points: npt.NDArray[np.float64], angle: float) -> npt.NDArray[np.float64]:
    c, s = math.cos(angle), math.sin(angle)
    turned: npt.NDArray[np.float64] = points @ np.array([[c, s], [-s, c]])
    return turned


def _cross_points(rng: np.random.Generator, arm: float) -> list[npt.NDArray[np.float64]]:
    tilt = float(rng.uniform(-0.25, 0.25))
    strokes = []
    for sign in (1, -1):
        line = [
            (-arm, -sign * arm * rng.uniform(0.8, 1.1)),
            (0, 0),
            (arm, sign * arm * rng.uniform(0.8, 1.1)),
        ]
        strokes.append(_rotate(_jitter(line, rng, arm * 0.06), tilt))
    return strokes


def _draw_bubble(
    canvas: _Canvas, bubble: Bubble, style: MarkStyle, ink: Ink, rng: np.random.Generator
) -> None:
    """Draw one hand mark on a bubble."""
    px = canvas.px
    r = px(bubble.r)
    bx, by = px(bubble.x), px(bubble.y)
    half = r * 2.4
    x0, y0, gx, gy = _grid(bx, by, half)
    disc = (np.hypot(gx - bx, gy - by) <= r).astype(np.float32)
    colour = _ink_colour(ink, rng)
    pen = px(float(rng.uniform(0.4, 0.8)))
    # where the hand lands: slightly off-centre
    cx = bx + float(rng.normal(0, 0.08)) * r
    cy = by + float(rng.normal(0, 0.08)) * r
    alpha: Floats

    def strokes(parts: list[npt.NDArray[np.float64]], width: float) -> Floats:
        out = np.zeros(gx.shape, dtype=np.float32)
        for part in parts:
            widths = [width * float(rng.uniform(0.85, 1.1)) for _ in range(len(part) - 1)]
            np.maximum(out, _stroke(gx, gy, part + np.array([cx, cy]), widths), out=out)
        return out

    def pen_texture(a: Floats, depth: float) -> Floats:
        return (a * (1 - depth * _texture(rng, a.shape, 1.2))).astype(np.float32)

    if style in (MarkStyle.solid, MarkStyle.crossed_out):
        coverage = (
            1.0 - 0.3 * float(rng.random()) ** 1.8 if style == MarkStyle.solid else rng.uniform(0.85, 1)
        )
        alpha = _fit_blob(_Blob.random(rng), gx, gy, disc, cx, cy, r, float(coverage), 1.4)
        if rng.random() < 0.3:  # a pen stroke running out of the filled area
            angle = float(rng.uniform(0, 2 * math.pi))
            tail = [(0.5 * r * math.cos(angle), 0.5 * r * math.sin(angle))]
            tail.append((1.25 * r * math.cos(angle + 0.3), 1.25 * r * math.sin(angle + 0.3)))
            alpha = np.maximum(alpha, strokes([_jitter(tail, rng, 0.05 * r)], pen * 0.8))
        alpha = pen_texture(alpha, 0.15)
        if style == MarkStyle.crossed_out:
            canvas.ink(x0, y0, alpha, colour)
            alpha = strokes(_cross_points(rng, r * float(rng.uniform(1.15, 1.35))), pen)
    elif style == MarkStyle.partial:
        angle = float(rng.uniform(0, 2 * math.pi))
        shift = r * float(rng.uniform(0.3, 0.5))
        px0, py0 = cx + shift * math.cos(angle), cy + shift * math.sin(angle)
        target = float(rng.uniform(0.35, 0.6))
        alpha = pen_texture(_fit_blob(_Blob.random(rng), gx, gy, disc, px0, py0, r, target, 1.2), 0.15)
    elif style == MarkStyle.light_pencil:
        coverage = float(rng.uniform(0.75, 1.0))
        darkness = float(rng.uniform(0.30, 0.45))
        blob = _fit_blob(_Blob.random(rng), gx, gy, disc, cx, cy, r, coverage, 1.3)
        grain = 0.75 + 0.5 * _texture(rng, blob.shape, 0.6)
        alpha = np.clip(blob * grain * darkness / PENCIL_DARKNESS, 0, 1).astype(np.float32)
        colour = PENCIL
    elif style == MarkStyle.erased:
        coverage = float(rng.uniform(0.8, 1.0))
        darkness = float(rng.uniform(0.12, 0.28))
        blob = _fit_blob(_Blob.random(rng), gx, gy, disc, cx, cy, r, coverage, 1.3)
        blob = np.asarray(cv2.GaussianBlur(blob, (0, 0), max(0.6, px(0.15))), dtype=np.float32)
        angle = float(rng.uniform(0, math.pi))
        across = (gx - cx) * math.sin(angle) - (gy - cy) * math.cos(angle)
        period = px(float(rng.uniform(0.4, 0.9)))
        streaks = 0.75 + 0.25 * np.sin(2 * math.pi * across / period + float(rng.uniform(0, 6.3)))
        grain = 0.8 + 0.4 * _texture(rng, blob.shape, 0.8)
        residue_darkness = 1 - (0.299 * RESIDUE[0] + 0.587 * RESIDUE[1] + 0.114 * RESIDUE[2]) / 255
        alpha = np.clip(blob * streaks * grain * darkness / residue_darkness, 0, 1).astype(np.float32)
        colour = RESIDUE
    elif style == MarkStyle.tick:
        size = r * float(rng.uniform(0.9, 1.4))
        tick = [(-0.7, -0.05), (-0.45, 0.25), (-0.15, 0.55), (0.3, -0.1), (0.85, -0.95)]
        part = _rotate(
            _jitter([(x * size, y * size) for x, y in tick], rng, 0.05 * size), rng.uniform(-0.25, 0.25)
        )
        alpha = strokes([part], pen)
    elif style == MarkStyle.cross:
        alpha = strokes(_cross_points(rng, r * float(rng.uniform(0.75, 1.1))), pen)
    elif style == MarkStyle.scribble:
        phi = float(rng.uniform(-0.6, 0.6)) + (math.pi / 2 if rng.random() < 0.3 else 0.0)
        passes = int(rng.integers(5, 9))
        reach = r * float(rng.uniform(0.85, 1.05))
        zig = []
        for i in range(passes + 1):
            t = reach * (-0.9 + 1.8 * i / passes)
            along = math.sqrt(max(reach * reach - t * t, 0.0)) * float(rng.uniform(0.75, 1.1))
            along *= 1 if i % 2 == 0 else -1
            zig.append((along * math.cos(phi) - t * math.sin(phi), along * math.sin(phi) + t * math.cos(phi)))
        alpha = strokes([_jitter(zig, rng, 0.05 * r)], max(pen, px(0.5)))
    else:  # pragma: no cover - every style is handled above
        raise ValueError(style)
    canvas.ink(x0, y0, alpha, colour)


def _wrap(text: str, width: float, font: ImageFont.FreeTypeFont) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if current and font.getlength(current + ch) > width:
            lines.append(current)
            current = ch.lstrip()
        else:
            current += ch
    return [*lines, current] if current else lines


def _draw_text(canvas: _Canvas, rect: Rect, text: str, ink: Ink, rng: np.random.Generator) -> None:
    """Write ``text`` by hand into a box: 楷体 glyphs with jittered size, spacing and baseline, slightly rotated."""
    scale = canvas.scale
    margin = 0.7
    avail_w, avail_h = (rect.w - 2 * margin) * scale, (rect.h - 2 * margin) * scale
    if avail_w < 4 or avail_h < 4:
        return
    size_mm = min(float(rng.uniform(3.6, 5.2)), (rect.h - 2 * margin) * 0.8)
    leading = float(rng.uniform(1.25, 1.45))
    while True:
        size = max(6, round(size_mm * scale))
        lines = _wrap(text, avail_w * 0.96, _font(HANDWRITING_FONT, size))
        if len(lines) * size * leading <= avail_h or size_mm < 1.8:
            break
        size_mm *= 0.9
    line_h = size * leading
    width = int(max(_font(HANDWRITING_FONT, size).getlength(line) for line in lines) * 1.15 + size)
    height = int(len(lines) * line_h + size * 0.5)
    block = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(block)
    for row, line in enumerate(lines):
        x = size * 0.2
        baseline = size * 0.95 + row * line_h
        drift = float(rng.normal(0, 0.04)) * size
        for ch in line:
            glyph = _font(HANDWRITING_FONT, size + int(rng.integers(-1, 2)) * max(1, size // 14))
            y = baseline + drift + float(rng.normal(0, 0.05)) * size
            draw.text((x, y), ch, fill=int(rng.integers(215, 256)), font=glyph, anchor="ls")
            x += glyph.getlength(ch) * float(rng.uniform(0.92, 1.05)) + size * float(rng.uniform(0.0, 0.06))
    block = block.crop(block.getbbox() or (0, 0, 1, 1))
    block = block.rotate(float(rng.uniform(-2.0, 2.0)), resample=Image.Resampling.BICUBIC, expand=True)
    fit = min(1.0, avail_w / block.width, avail_h / block.height)
    if fit < 1.0:
        block = block.resize(
            (max(1, int(block.width * fit)), max(1, int(block.height * fit))), Image.Resampling.LANCZOS
        )
    slack_x, slack_y = avail_w - block.width, avail_h - block.height
    left = (rect.x + margin) * scale + slack_x * float(rng.uniform(0.0, 0.5))
    top = (rect.y + margin) * scale + slack_y * float(rng.uniform(0.25, 0.75))
    alpha = np.asarray(block, dtype=np.float32) / 255.0
    colour = _ink_colour(ink, rng)
    if ink == "pencil":
        alpha *= float(rng.uniform(0.55, 0.75)) / PENCIL_DARKNESS
    canvas.ink(math.ceil(left), math.ceil(top), np.clip(alpha, 0, 1).astype(np.float32), colour)


@functools.lru_cache(maxsize=32)
def _seal_mask(text: str, diameter: int) -> Floats:
    """Return the opacity of a round seal (ring, star, inscription around the rim), ``diameter`` px wide."""
    k = 2  # drawn at twice the size, then reduced: antialiasing
    d = diameter * k
    size = d + 8 * k
    c = size / 2
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    radius = d / 2
    ring = d * 0.03
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=max(1, round(ring)))
    star_r = radius * 0.3
    star = []
    for i in range(10):
        rr = star_r if i % 2 == 0 else star_r * 0.382
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    draw.polygon(star, fill=255)
    glyph_size = round(radius * 0.27)
    font = _font(SEAL_FONT, glyph_size)
    chars = list(text)
    span = min(250.0, 21.0 * (len(chars) - 1)) if len(chars) > 1 else 0.0
    arc_r = radius - ring - glyph_size * 0.75
    for i, ch in enumerate(chars):
        angle = -span / 2 + (span * i / (len(chars) - 1) if len(chars) > 1 else 0.0)
        tile = Image.new("L", (glyph_size * 2, glyph_size * 2), 0)
        ImageDraw.Draw(tile).text((glyph_size, glyph_size), ch, fill=255, font=font, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        rad = math.radians(angle)
        x, y = c + arc_r * math.sin(rad), c - arc_r * math.cos(rad)
        img.paste(255, (round(x - glyph_size), round(y - glyph_size)), tile)
    img = img.reduce(k)
    return (np.asarray(img, dtype=np.float32) / 255.0).astype(np.float32)


def _draw_seal(canvas: _Canvas, fill: FieldFill, rect: Rect, rng: np.random.Generator) -> None:
    """Press a red seal over a seal box: never at full opacity, uneven paste, slightly turned."""
    unit = fill.name.removesuffix("_seal")
    diameter = round(canvas.px(SEAL_DIAMETERS.get(unit, 40.0)))
    mask = _seal_mask(fill.seal_text or "人民政府", diameter)
    h, w = mask.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-20, 20)), 1.0)
    mask = np.asarray(cv2.warpAffine(mask, turn, (w, h), flags=cv2.INTER_LINEAR), dtype=np.float32)
    coarse = rng.uniform(0.45, 1.0, (5, 5)).astype(np.float32)
    pressure = np.asarray(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC), dtype=np.float32)
    tilt = float(rng.uniform(0, 2 * math.pi))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xs - w / 2) * math.cos(tilt) + (ys - h / 2) * math.sin(tilt)) / w
    pressure = np.clip(pressure + float(rng.uniform(0, 0.6)) * ramp, 0.3, 1.0)
    speckle = 1.0 - 0.6 * (_texture(rng, (h, w), 0.7) > 0.7)
    alpha = mask * pressure * speckle * (0.9 * fill.seal)
    red = SEAL_RED + rng.uniform(-15, 15, 3)
    cx = canvas.px(rect.x + rect.w / 2 + float(rng.uniform(-5, 5)))
    cy = canvas.px(rect.y + rect.h / 2 + float(rng.uniform(-5, 5)))
    canvas.ink(round(cx - w / 2), round(cy - h / 2), alpha.astype(np.float32), (red[0], red[1], red[2]))


def draw_fill(
    image: Image.Image, page: PageLayout, dpi: float, fill: SheetFill, rng: np.random.Generator
) -> Image.Image:
    """Return a copy of a clean page image (RGB, ``dpi``) with the person's marks of ``fill`` on ``page``.

    Bubble marks first, then handwriting, then seals (stamped last, over the writing).
    """
    canvas = _Canvas(image, dpi)
    fills = {f.name: f for f in fill.on_page(page.number)}
    fields = [f for f in page.fields if f.name in fills]
    for fld in fields:
        bubbles = {b.value: b for b in fld.bubbles}
        for mark in fills[fld.name].marks:
            _draw_bubble(canvas, bubbles[mark.value], mark.style, fill.ink, rng)
    for fld in fields:
        text = fills[fld.name].text
        if fld.kind == FieldKind.handwriting and text:
            _draw_text(canvas, fld.rect, text, fill.ink, rng)
    for fld in fields:
        if fld.kind == FieldKind.seal and fills[fld.name].seal > 0:
            _draw_seal(canvas, fills[fld.name], fld.rect, rng)
    return canvas.image()


# ---------------------------------------------------------------------------------------------
# scanning
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanMeta:
    """What a simulated scan did to a page, and the page-to-scan geometry.

    Geometry, in this order: printer fit-to-page ``scale`` about the page centre; placement on the
    bed (``angle`` degrees, positive = counter-clockwise as seen, about the centre; ``shift`` mm);
    phone ``corners`` (tl, tr, br, bl displacement in mm, all zero when ``perspective`` is 0);
    resampling from ``in_dpi`` to ``dpi``; and, when ``flipped``, a final 180° turn of the whole
    image. :meth:`to_scan` maps page mm to scan pixels (pixel centres at ``i + 0.5``).
    """

    level: str
    in_dpi: float
    in_size: tuple[int, int]
    dpi: float
    size: tuple[int, int]
    angle: float = 0.0
    shift: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0
    flipped: bool = False
    greyscale: bool = False
    perspective: float = 0.0
    corners: tuple[float, ...] = (0.0,) * 8
    background: tuple[int, int, int] = (250, 250, 248)
    borders: tuple[tuple[str, float], ...] = ()
    border_level: int = 25
    lighting: float = 0.0
    lighting_angle: float = 0.0
    paper: float = 1.0
    blur: float = 0.0
    noise: float = 0.0
    jpeg_quality: int | None = None
    noise_seed: int = 0

    def warp(self) -> npt.NDArray[np.float64]:
        """Return the 3 × 3 homography of the paper's placement, input pixels to input pixels."""
        w, h = self.in_size
        per_mm = self.in_dpi / MM_PER_INCH
        centre = _translate(w / 2, h / 2)
        s = np.diag([self.scale, self.scale, 1.0])
        a = math.radians(self.angle)
        rot = np.array([[math.cos(a), math.sin(a), 0], [-math.sin(a), math.cos(a), 0], [0, 0, 1]])
        placed: npt.NDArray[np.float64] = (
            _translate(self.shift[0] * per_mm, self.shift[1] * per_mm)
            @ centre
            @ rot
            @ s
            @ np.linalg.inv(centre)
        )
        if self.perspective:
            src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
            dst = src + np.asarray(self.corners, dtype=np.float32).reshape(4, 2) * per_mm
            placed = np.asarray(cv2.getPerspectiveTransform(src, dst), dtype=np.float64) @ placed
        return placed

    def matrix(self) -> npt.NDArray[np.float64]:
        """Return the 3 × 3 homography from input-image pixels to scan pixels."""
        w, h = self.in_size
        out_w, out_h = self.size
        m = np.diag([out_w / w, out_h / h, 1.0]) @ self.warp()
        if self.flipped:
            m = np.array([[-1.0, 0, out_w], [0, -1.0, out_h], [0, 0, 1]]) @ m
        return m

    def to_scan(self, x: float, y: float) -> tuple[float, float]:
        """Return where page point (``x``, ``y``) mm lands in the scan, in pixels."""
        per_mm = self.in_dpi / MM_PER_INCH
        p = self.matrix() @ np.array([x * per_mm, y * per_mm, 1.0])
        return float(p[0] / p[2]), float(p[1] / p[2])

    def conditions(self) -> tuple[str, ...]:
        """Return tags of the conditions applied, for reporting results by condition."""
        tags = [self.level]
        if abs(self.angle) > 2:
            tags.append("skew>2")
        if self.scale < 0.995:
            tags.append("fit-to-page")
        if self.dpi < self.in_dpi:
            tags.append(f"{self.dpi:g}dpi")
        for flag, tag in (
            (self.flipped, "flipped"),
            (self.greyscale, "greyscale"),
            (self.perspective > 0, "perspective"),
            (bool(self.borders), "borders"),
            (self.lighting > 0, "uneven-light"),
            (self.jpeg_quality is not None, "jpeg"),
        ):
            if flag:
                tags.append(tag)
        return tuple(tags)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScanMeta:
        """Rebuild a record from :meth:`to_dict` data."""
        tuples = {"in_size", "size", "shift", "corners", "background"}
        values: dict[str, Any] = {k: tuple(v) if k in tuples else v for k, v in data.items()}
        values["borders"] = tuple((side, float(width)) for side, width in data.get("borders", ()))
        return cls(**values)


def _add_noise(arr: npt.NDArray[np.uint8], sigma: float, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """Return ``arr`` with Gaussian sensor noise of ``sigma`` grey levels (256 quantiles, saturating)."""
    z = np.array([NormalDist().inv_cdf((i + 0.5) / 256) * sigma for i in range(256)])
    up = np.clip(np.round(z), 0, 255).astype(np.uint8)
    down = np.clip(np.round(-z), 0, 255).astype(np.uint8)
    draws = np.frombuffer(rng.bytes(arr.size), dtype=np.uint8).reshape(arr.shape)
    arr = np.asarray(cv2.add(arr, cv2.LUT(draws, up)), dtype=np.uint8)
    return np.asarray(cv2.subtract(arr, cv2.LUT(draws, down)), dtype=np.uint8)


def _translate(x: float, y: float) -> npt.NDArray[np.float64]:
    return np.array([[1.0, 0, x], [0, 1.0, y], [0, 0, 1]])


def visible_fiducials(meta: ScanMeta, page: PageLayout, margin: float = 1.0) -> int:
    """Return how many of the page's fiducials lie wholly inside the scan (``margin`` mm from its edge)."""
    out_w, out_h = meta.size
    per_px = MM_PER_INCH / meta.dpi
    count = 0
    for fid in page.fiducials:
        half = fid.size / 2
        corners = [meta.to_scan(fid.x + dx, fid.y + dy) for dx in (-half, half) for dy in (-half, half)]
        if all(
            margin / per_px <= x <= out_w - margin / per_px
            and margin / per_px <= y <= out_h - margin / per_px
            for x, y in corners
        ):
            count += 1
    return count


def sample_scan(level: Level, rng: np.random.Generator, dpi: float, size: tuple[int, int]) -> ScanMeta:
    """Draw the parameters of one simulated scan of an image of ``size`` pixels at ``dpi``."""
    if level not in ("clean", "normal", "harsh"):
        raise ValueError(f"unknown level {level!r}")
    noise_seed = int(rng.integers(2**31))
    base = ScanMeta(level=level, in_dpi=dpi, in_size=size, dpi=dpi, size=size, noise_seed=noise_seed)
    if level == "clean":
        return dataclasses.replace(base, noise=float(rng.uniform(1.0, 2.5)))
    harsh = level == "harsh"
    big = rng.random() < (0.25 if harsh else 0.1)
    angle = float(rng.uniform(2, 4) if big else rng.uniform(0, 2)) * (1 if rng.random() < 0.5 else -1)
    reach = 4.0 if harsh else 2.0
    shift = (float(rng.uniform(-reach, reach)), float(rng.uniform(-reach, reach)))
    low = 0.94 if harsh else 0.96
    scale = 1.0 if rng.random() < (0.3 if harsh else 0.4) else float(rng.uniform(low, 1.0))
    meta = dataclasses.replace(
        base,
        angle=angle,
        shift=shift,
        scale=scale,
        paper=float(rng.uniform(0.93, 1.0)),
        blur=float(rng.uniform(0.06, 0.16) if harsh else rng.uniform(0.04, 0.11)),
        noise=float(rng.uniform(3.0, 7.0) if harsh else rng.uniform(2.0, 5.0)),
        jpeg_quality=int(rng.integers(70, 91)),
    )
    if not harsh:
        return meta
    out_dpi = min(150.0, dpi)
    out_size = (round(size[0] * out_dpi / dpi), round(size[1] * out_dpi / dpi))
    sides = ["top", "bottom", "left", "right"]
    chosen = rng.choice(4, int(rng.integers(1, 4)), replace=False)
    borders = tuple((sides[int(i)], float(rng.uniform(2.0, 7.0))) for i in sorted(chosen))
    perspective, background = 0.0, meta.background
    corners: tuple[float, ...] = (0.0,) * 8
    if rng.random() < 0.15:
        w_mm, h_mm = size[0] / dpi * MM_PER_INCH, size[1] / dpi * MM_PER_INCH
        inward = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=float)
        frac = rng.uniform(0.0, 0.03, (4, 2)) * inward + rng.uniform(-0.008, 0.008, (4, 2))
        moved = frac * np.array([w_mm, h_mm])
        corners = tuple(float(v) for v in moved.ravel())
        perspective = float(np.abs(frac).max())
        grey = int(rng.integers(50, 150))  # a desk: grey to brown
        warm = int(rng.integers(0, 30))
        background = (grey + warm, grey + warm // 3, max(0, grey - warm))
    return dataclasses.replace(
        meta,
        dpi=out_dpi,
        size=out_size,
        flipped=bool(rng.random() < 0.10),
        greyscale=bool(rng.random() < 0.20),
        perspective=perspective,
        corners=corners,
        background=background,
        borders=borders,
        border_level=int(rng.integers(8, 50)),
        lighting=float(rng.uniform(0.08, 0.25)),
        lighting_angle=float(rng.uniform(0, 2 * math.pi)),
    )


def apply_scan(image: Image.Image, meta: ScanMeta) -> Image.Image:
    """Return the scan of ``image`` that ``meta`` describes (a pure function of both)."""
    arr = np.array(image.convert("RGB"), dtype=np.uint8)
    if arr.shape[1::-1] != meta.in_size:
        raise ValueError(f"image is {arr.shape[1::-1]}, the scan record expects {meta.in_size}")
    w, h = meta.in_size
    if meta.warp().tolist() != np.eye(3).tolist():
        to_cv = _translate(-0.5, -0.5) @ meta.warp() @ _translate(0.5, 0.5)
        arr = np.asarray(
            cv2.warpPerspective(
                arr,
                to_cv,
                (w, h),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=tuple(float(v) for v in meta.background),
            ),
            dtype=np.uint8,
        )
    per_mm = meta.in_dpi / MM_PER_INCH
    for side, width_mm in meta.borders:
        n = max(1, round(width_mm * per_mm))
        dark = meta.border_level
        if side == "top":
            arr[:n] = dark
        elif side == "bottom":
            arr[h - n :] = dark
        elif side == "left":
            arr[:, :n] = dark
        else:
            arr[:, w - n :] = dark
    if meta.blur > 0:
        arr = np.asarray(cv2.GaussianBlur(arr, (0, 0), meta.blur * per_mm), dtype=np.uint8)
    if meta.size != meta.in_size:
        arr = np.asarray(cv2.resize(arr, meta.size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    out_w, out_h = meta.size
    if meta.lighting > 0:
        ys = np.linspace(-0.5, 0.5, out_h, dtype=np.float32)[:, None]
        xs = np.linspace(-0.5, 0.5, out_w, dtype=np.float32)[None, :]
        ramp = xs * math.cos(meta.lighting_angle) + ys * math.sin(meta.lighting_angle) + 0.5
        vignette = 1 - meta.lighting * (xs * xs + ys * ys)
        light = np.clip((meta.paper * (1 - meta.lighting * ramp) * vignette) * 255 + 0.5, 0, 255).astype(
            np.uint8
        )
        arr = np.asarray(cv2.multiply(arr, cv2.merge([light, light, light]), scale=1 / 255), dtype=np.uint8)
    elif meta.paper < 1:
        arr = np.asarray(cv2.convertScaleAbs(arr, alpha=meta.paper), dtype=np.uint8)
    if meta.greyscale:
        arr = np.asarray(cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    if meta.noise > 0:
        arr = _add_noise(arr, meta.noise, np.random.default_rng(meta.noise_seed))
    result = Image.fromarray(arr, "L" if meta.greyscale else "RGB")
    if meta.jpeg_quality is not None:
        buffer = io.BytesIO()
        result.save(buffer, "JPEG", quality=meta.jpeg_quality)
        buffer.seek(0)
        result = Image.open(buffer)
        result.load()
    result = result.convert("RGB")
    if meta.flipped:
        result = result.transpose(Image.Transpose.ROTATE_180)
    return result


def degrade(
    image: Image.Image, level: Level, rng: np.random.Generator, dpi: float
) -> tuple[Image.Image, ScanMeta]:
    """Simulate scanning a page image at ``dpi``; return the scan (RGB, at ``meta.dpi``) and what was done.

    clean: mild sensor noise only. normal: skew, shift, fit-to-page, blur, noise, paper tone, JPEG.
    harsh: normal plus dark bed borders, uneven light, 150 dpi, and sometimes upside-down,
    greyscale (R = G = B) or phone perspective. See :func:`sample_scan` for the distributions.
    """
    meta = sample_scan(level, rng, dpi, (image.width, image.height))
    return apply_scan(image, meta), meta


# ---------------------------------------------------------------------------------------------
# end to end
# ---------------------------------------------------------------------------------------------


@dataclass
class ScannedPage:
    """One simulated scanned page with its ground truth (``fill`` covers the whole sheet)."""

    kind: FormKind
    serial: str
    household: str | None
    page: int
    pages: int
    image: Image.Image
    fill: SheetFill
    meta: ScanMeta
    layout: FormLayout
    values: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def expected(self) -> dict[str, str]:
        """Return the careful human reading of every field on this page."""
        return self.fill.expected(self.page)

    def truth(self) -> dict[str, Any]:
        """Return the page's ground truth as JSON-ready data."""
        return {
            "kind": self.kind,
            "serial": self.serial,
            "household": self.household,
            "page": self.page,
            "pages": self.pages,
            "layout_hash": self.layout.layout_hash(),
            "values": self.values,
            "expected": self.expected(),
            "fill": self.fill.to_dict(),
            "meta": self.meta.to_dict(),
        }


HEAD_NAMES = (
    "王堃",
    "李秀英",
    "张建华",
    "刘桂兰",
    "陈志明",
    "杨春梅",
    "赵国强",
    "黄海燕",
    "周玉珍",
    "吴德胜",
)


def sheet_values(kind: FormKind, index: int, serial: str, household: str) -> dict[str, str]:
    """Return the values a prefilled sheet of household number ``index`` prints (head, address, …)."""
    from service.forms.values import sheet_info

    head = HEAD_NAMES[index % len(HEAD_NAMES)]
    village = VILLAGES[index % len(VILLAGES)]
    values = {
        "head_name": head,
        "address": f"清河镇{village}{index % 200 + 1}号",
        "sheet_info": sheet_info(serial, household, f"清河镇 {village} 第一村民小组"),
    }
    if kind == "application":
        size = 2 + index % 4
        values |= {
            "head_birth": f"{1950 + index % 40}.{1 + index % 12:02d}",
            "occupation": OCCUPATIONS[index % len(OCCUPATIONS)],
            "phone": f"139{index:08d}",
            "registered_political_status": "登记：" + ("群众", "中共党员", "共青团员")[index % 3],
            "registered_family_size": f"登记：{size}人",
        }
        for row in range(1, size):
            values |= {
                f"member{row}_name": HEAD_NAMES[(index + row) % len(HEAD_NAMES)],
                f"member{row}_age": str(20 + (index * 7 + row * 11) % 60),
                f"member{row}_relation": RELATIONS[(index + row) % len(RELATIONS)],
                f"member{row}_workplace": WORKPLACES[(index + row) % len(WORKPLACES)],
            }
    return values


def make_scans(
    kind: FormKind,
    n: int,
    level: Level,
    profile: Profile,
    seed: int,
    key: bytes,
    out_dir: Path | None = None,
    *,
    dpi: float = 200.0,
    year: int = 2026,
    image_format: Literal["png", "jpg"] = "png",
    chunk: int = 20,
) -> Iterator[ScannedPage]:
    """Print ``n`` prefilled sheets signed with ``key``, fill, scan them; yield their pages lazily.

    Sheet ``i`` (1-based) has serial ``2026S{i:06d}`` / ``2026A{i:06d}`` and household
    ``330199001001-{i:04d}``; its randomness depends only on ``seed`` and ``i``. With ``out_dir``,
    each page is also written as ``{serial}-{page}.png`` (or ``.jpg``, re-encoded at the scan's
    JPEG quality) with its ground truth in ``{serial}-{page}.json``.
    """
    import pypdfium2

    from service.campaign.defaults import CampaignRules
    from service.forms.layouts import build_layout
    from service.forms.render_pdf import SheetPrint, render_sheets

    layout = build_layout(kind, CampaignRules.defaults(year, "清河区"), year)
    letter = "S" if kind == "score" else "A"
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pingan-scansim-") as work:
        for start in range(1, n + 1, chunk):
            numbers = range(start, min(n, start + chunk - 1) + 1)
            sheets = []
            for i in numbers:
                serial, household = f"{year}{letter}{i:06d}", f"330199001001-{i:04d}"
                sheets.append(SheetPrint(serial, household, sheet_values(kind, i, serial, household)))
            pdf_path = Path(work) / f"sheets-{start}.pdf"
            render_sheets(layout, sheets, pdf_path, key, fillable=False)
            document = pypdfium2.PdfDocument(str(pdf_path))
            try:
                for number, sheet in zip(numbers, sheets, strict=True):
                    fill = random_fill(
                        layout, np.random.default_rng([seed, number, 0]), profile, sheet.values
                    )
                    for page in layout.pages:
                        index = (number - start) * len(layout.pages) + page.number - 1
                        clean = document[index].render(scale=dpi / 72).to_pil().convert("RGB")
                        filled = draw_fill(
                            clean, page, dpi, fill, np.random.default_rng([seed, number, 1, page.number])
                        )
                        scan, meta = degrade(
                            filled, level, np.random.default_rng([seed, number, 2, page.number]), dpi
                        )
                        item = ScannedPage(
                            kind, sheet.serial, sheet.household, page.number, len(layout.pages),
                            scan, fill, meta, layout, dict(sheet.values),
                        )  # fmt: skip
                        if out_dir is not None:
                            item.path = _write(item, out_dir, image_format)
                        yield item
            finally:
                document.close()


def _write(item: ScannedPage, out_dir: Path, image_format: str) -> Path:
    stem = f"{item.serial}-{item.page}"
    path = out_dir / f"{stem}.{image_format}"
    dpi = (round(item.meta.dpi), round(item.meta.dpi))
    image = item.image.convert("L") if item.meta.greyscale else item.image
    if image_format == "jpg":
        image.save(path, "JPEG", quality=item.meta.jpeg_quality or 92, dpi=dpi)
    else:
        image.save(path, "PNG", dpi=dpi, compress_level=1)
    truth = item.truth() | {"image": path.name}
    (out_dir / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def main() -> None:
    """Print timings of fill and scan per page, and optionally write sample pages."""
    parser = argparse.ArgumentParser(description="Simulate filled, scanned pingan sheets.")
    parser.add_argument("--kind", choices=["score", "application"], default="score")
    parser.add_argument("--level", choices=["clean", "normal", "harsh"], default="normal")
    parser.add_argument("--profile", choices=["tidy", "realistic"], default="realistic")
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    count = 0
    for item in make_scans(args.kind, args.n, args.level, args.profile, args.seed, b"k" * 48, args.out):
        count += 1
        print(item.serial, item.page, " ".join(item.meta.conditions()), item.path or "")
    seconds = time.perf_counter() - started
    print(f"{count} pages in {seconds:.1f} s ({seconds / max(count, 1) * 1000:.0f} ms per page, end to end)")


if __name__ == "__main__":
    main()
