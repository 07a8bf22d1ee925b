"""申报审批表 (attachment 3): the two-page application and approval form."""

from __future__ import annotations

import itertools

from ocr.layout import FormLayout, Rect
from service.campaign.defaults import CampaignRules
from service.forms.fonts import text_width
from service.forms.geometry import LEFT, PT, RIGHT, PageBuilder, page_head

INSTRUCTIONS = (
    "填写说明：选择项请用黑色或蓝色笔把圆圈涂满（●），改动时用橡皮擦干净后重涂；其余各栏用正楷填写。"
    "已印信息如有变动，请在“信息更正”栏写明。打印时选择“实际大小（100%）”。"
)
POLITICAL_OPTIONS = [
    ("party", "中共党员"),
    ("probationary", "中共预备党员"),
    ("league", "共青团员"),
    ("democratic", "民主党派"),
    ("nonparty", "无党派人士"),
    ("masses", "群众"),
]
FAMILY_SIZE_OPTIONS = [(str(n), str(n)) for n in range(1, 10)] + [("10+", "10+")]
YES_NO = [("yes", "同意"), ("no", "不同意")]
MEMBER_ROWS = 8
MEMBER_COLUMNS = [
    ("name", "姓名", 16.0, 56.0),
    ("age", "年龄", 56.0, 72.0),
    ("relation", "家庭关系", 72.0, 96.0),
    ("workplace", "工作单位/就读学校", 96.0, RIGHT),
]
OPINION_BLOCKS = [
    ("village", "村（社区）\n意见"),
    ("federation", "乡镇（街道）\n妇联意见"),
    ("township", "乡镇（街道）\n审批意见"),
]
SEAL_SIZE = 46.0


def application_title(rules: CampaignRules, year: int) -> str:
    """Return the form's title, e.g. 清河区2026年创建“平安家庭”申报审批表."""
    return f"{rules.district_title}{year}年创建“平安家庭”申报审批表"


def _option_row(
    page: PageBuilder, name: str, label: str, meaning: str, options: list[tuple[str, str]], x: float, y: float
) -> None:
    """Bubbles with their labels to the right, spaced by the labels' widths."""
    pitches = [2 * 2.1 + 1.0 + text_width(text, "sans", 8.5) + 4.5 for _, text in options]
    page.bubbles(name, label, meaning, options, x, y, pitches)


def _row(page: PageBuilder, y: float, h: float, splits: list[float]) -> list[Rect]:
    """Frame one table row and return its cells, split at the given x positions."""
    page.frame(Rect(x=LEFT, y=y, w=RIGHT - LEFT, h=h))
    edges = [LEFT, *splits, RIGHT]
    for x in splits:
        page.vline(x, y, y + h)
    return [Rect(x=a, y=y, w=b - a, h=h) for a, b in itertools.pairwise(edges)]


def _first_page(page: PageBuilder, title: str) -> None:
    y = page_head(page, title, INSTRUCTIONS)
    cells = _row(page, y, 10.0, [34.0, 74.0, 92.0, 122.0, 136.0])
    page.label("户主姓名", cells[0])
    page.handwriting("head_name", "户主姓名", "户主姓名", cells[1], prefill="head_name")
    page.label("出生年月", cells[2])
    page.handwriting("head_birth", "出生年月", "户主出生年月", cells[3], prefill="head_birth")
    page.label("职业", cells[4])
    page.handwriting("occupation", "职业", "户主职业", cells[5], prefill="occupation")
    y += 10.0
    for name, text, meaning, options in (
        ("political_status", "政治面貌", "户主政治面貌", POLITICAL_OPTIONS),
        ("family_size", "家庭人数", "家庭人数", FAMILY_SIZE_OPTIONS),
    ):
        cells = _row(page, y, 12.0, [40.0])
        page.label(text, Rect(x=LEFT, y=y, w=24.0, h=7.0))
        page.printed(
            f"registered_{name}",
            f"已登记{text}",
            f"花名册中已登记的{text}（印制时写入）",
            Rect(x=LEFT + 0.8, y=y + 7.0, w=22.4, h=4.2),
            f"registered_{name}",
        )
        if name == "family_size":
            page.bubbles(name, text, meaning, options, 46.0, y + 6.0, 8.0, r=2.3, inside=True)
        else:
            _option_row(page, name, text, meaning, options, 46.0, y + 6.0)
        y += 12.0
    cells = _row(page, y, 10.0, [34.0, 128.0, 146.0])
    page.label("家庭住址", cells[0])
    page.handwriting("address", "家庭住址", "家庭住址", cells[1], prefill="address")
    page.label("联系电话", cells[2])
    page.handwriting("phone", "联系电话", "联系电话", cells[3], prefill="phone")
    y += 12.0
    heading = Rect(x=LEFT, y=y, w=RIGHT - LEFT, h=7.0)
    page.frame(heading)
    page.label("家庭成员情况（姓名、年龄、家庭关系、工作单位/就读学校）", heading)
    y += 7.0
    page.frame(Rect(x=LEFT, y=y, w=RIGHT - LEFT, h=6.5 + 9.0 * MEMBER_ROWS))
    for _, text, left, right in MEMBER_COLUMNS:
        page.label(text, Rect(x=left, y=y, w=right - left, h=6.5), 8.5)
        if left > LEFT:
            page.vline(left, y, y + 6.5 + 9.0 * MEMBER_ROWS)
    y += 6.5
    for row in range(1, MEMBER_ROWS + 1):
        page.hline(y)
        for key, text, left, right in MEMBER_COLUMNS:
            page.handwriting(
                f"member{row}_{key}",
                f"家庭成员{row} {text}",
                f"第{row}位家庭成员的{text}",
                Rect(x=left, y=y, w=right - left, h=9.0),
                prefill=f"member{row}_{key}",
            )
        y += 9.0
    y += 2.0
    cells = _row(page, y, 14.0, [40.0])
    page.paragraph("信息更正", Rect(x=LEFT + 0.8, y=y + 1.0, w=22.4, h=5.0), 9.0, "sans", align="center")
    page.paragraph(
        "以上已登记信息如有变动，请在右栏写明",
        Rect(x=LEFT + 0.8, y=y + 6.0, w=22.4, h=7.5),
        6.3,
        "serif",
        align="center",
    )
    page.handwriting("corrections", "信息更正", "对已印信息的更正（手写）", cells[1])
    y += 16.0
    cells = _row(page, y, 10.0, [96.0, 170.0])
    page.label("依据“平安家庭”创评标准进行评分", cells[0])
    page.handwriting("score_total", "评分", "评分表总分（手写，以评分表为准）", cells[1])
    page.label("分", cells[2])
    y += 10.0
    cells = _row(page, y, 10.0, [96.0])
    page.label("是否同意推荐该户创建为“平安家庭”", cells[0])
    _option_row(page, "recommend", "是否同意推荐", "是否同意推荐该户创建为“平安家庭”", YES_NO, 104.0, y + 5.0)
    y += 10.0
    cells = _row(page, y, 16.0, [96.0, 140.0, 156.0])
    page.paragraph(
        "是否同意在“平安家庭”公示名单中公布户主姓名（不同意则公示时隐去姓名中间的字，如“张*萍”）",
        cells[0].inset(1.2),
        7.8,
        "sans",
        valign="middle",
    )
    _option_row(
        page, "publication_consent", "公示同意", "户主是否同意公示时公布其姓名", YES_NO, 102.0, y + 8.0
    )
    page.label("户主签字", cells[2])
    page.handwriting("head_signature", "户主签字", "户主签字", cells[3])


def _second_page(page: PageBuilder, title: str) -> None:
    y = page_head(page, title + "（续）", INSTRUCTIONS)
    block_h = 76.0
    for key, text in OPINION_BLOCKS:
        block = Rect(x=LEFT, y=y, w=RIGHT - LEFT, h=block_h)
        page.frame(block)
        page.vline(40.0, y, y + block_h)
        page.paragraph(
            text,
            Rect(x=LEFT + 1.0, y=y + 4.0, w=22.0, h=block_h - 8.0),
            9.5,
            "sans",
            align="center",
            valign="middle",
            leading=1.4,
        )
        text = text.replace("\n", "")
        _option_row(
            page, f"{key}_decision", f"{text}：同意/不同意", f"{text}：同意或不同意", YES_NO, 46.0, y + 6.5
        )
        opinion = Rect(x=40.0, y=y + 12.0, w=100.0, h=50.0)
        page.hline(opinion.y, 40.0, 140.0)
        page.hline(opinion.bottom, 40.0, 140.0)
        page.vline(140.0, opinion.y, opinion.bottom)
        page.handwriting(f"{key}_opinion", f"{text}（签署意见）", f"{text}的文字意见", opinion)
        page.text("日期", 42.0, opinion.bottom + 7.5, 9.0, "sans")
        page.handwriting(
            f"{key}_date",
            f"{text}日期",
            f"{text}的签署日期（年月日）",
            Rect(x=51.0, y=opinion.bottom + 1.5, w=89.0, h=10.0),
        )
        page.text("年　　月　　日", 138.0, opinion.bottom + 7.5, 8.0, "serif", align="right", grey=0.5)
        seal = Rect(x=144.0, y=y + 12.0, w=SEAL_SIZE, h=SEAL_SIZE)
        page.seal(f"{key}_seal", f"{text}（盖章）", f"{text}的公章（检测红色印泥）", seal)
        page.text("（盖章）", seal.x + seal.w / 2, seal.bottom + 5.0, 9.0, "sans", align="center")
        y += block_h + 2.0
    assert y < 284.0 - 9.0 * PT


def build_application_layout(rules: CampaignRules, year: int) -> FormLayout:
    """Lay out the application form: identity, members, score, recommendation and consent; then the three opinion blocks."""
    title = application_title(rules, year)
    first, second = PageBuilder(1), PageBuilder(2)
    _first_page(first, title)
    _second_page(second, title)
    return FormLayout(kind="application", year=year, title=title, pages=(first.build(), second.build()))
