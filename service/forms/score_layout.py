"""评分表 (attachment 2): the score sheet's layout, built from the campaign year's ten standards."""

from __future__ import annotations

from ocr.layout import FormLayout, Rect
from service.campaign.defaults import CampaignRules
from service.forms.geometry import LEFT, RIGHT, PageBuilder, page_head

INSTRUCTIONS = (
    "填写说明：请用黑色或蓝色笔把所选分数的圆圈涂满（●），不要打勾或画叉；如需改动，请用橡皮擦干净后重涂。"
    "有扣分的项目须写明扣分原因。打印时选择“实际大小（100%）”，不要“适合页面”。"
)
ROW_TOP = 68.0
ROW_H = 20.3
COLUMNS = {
    "seq": (LEFT, 24.0),
    "title": (24.0, 54.0),
    "criteria": (54.0, 144.0),
    "deduction": (144.0, 158.0),
    "reason": (158.0, RIGHT),
}
SCORE_PITCH = 7.6
SCORE_X0 = 58.0


def score_title(rules: CampaignRules, year: int) -> str:
    """Return the score sheet's title, e.g. 清河区2026年“平安家庭”创建评分表."""
    return f"{rules.district_title}{year}年“平安家庭”创建评分表"


def _cell(column: str, top: float, height: float) -> Rect:
    left, right = COLUMNS[column]
    return Rect(x=left, y=top, w=right - left, h=height)


def build_score_layout(rules: CampaignRules, year: int) -> FormLayout:
    """Lay out the one-page score sheet: identity, the review group's block, ten standards."""
    page = PageBuilder(1)
    title = score_title(rules, year)
    top = page_head(page, title, INSTRUCTIONS)

    # identity and the review group's block (考核对象、家庭住址；评审组打分、评定、评审时间)
    row1, row2 = Rect(x=LEFT, y=top, w=RIGHT - LEFT, h=9.0), Rect(x=LEFT, y=top + 9.0, w=RIGHT - LEFT, h=9.0)
    page.frame(Rect(x=LEFT, y=top, w=RIGHT - LEFT, h=18.0))
    page.hline(row2.y)
    for x in (50.0, 98.0, 114.0):
        page.vline(x, row1.y, row1.bottom)
    page.label("考核对象（户主姓名）", Rect(x=LEFT, y=row1.y, w=34.0, h=9.0), 8.5)
    page.handwriting(
        "head_name",
        "考核对象（户主姓名）",
        "户主姓名",
        Rect(x=50.0, y=row1.y, w=48.0, h=9.0),
        prefill="head_name",
    )
    page.label("家庭住址", Rect(x=98.0, y=row1.y, w=16.0, h=9.0), 8.5)
    page.handwriting(
        "address", "家庭住址", "家庭住址", Rect(x=114.0, y=row1.y, w=RIGHT - 114.0, h=9.0), prefill="address"
    )
    for x in (36.0, 58.0, 78.0, 128.0, 146.0):
        page.vline(x, row2.y, row2.bottom)
    page.label("评审组打分", Rect(x=LEFT, y=row2.y, w=20.0, h=9.0), 8.5)
    page.handwriting(
        "group_total",
        "评审组打分",
        "评审组写的总分（以各项得分之和为准）",
        Rect(x=36.0, y=row2.y, w=22.0, h=9.0),
    )
    page.label("评审组评定", Rect(x=58.0, y=row2.y, w=20.0, h=9.0), 8.5)
    page.bubbles(
        "group_verdict",
        "评审组评定",
        "评审组评定：合格或不合格",
        [("pass", "合格"), ("fail", "不合格")],
        83.0,
        row2.y + 4.5,
        18.0,
    )
    page.label("评审时间", Rect(x=128.0, y=row2.y, w=18.0, h=9.0), 8.5)
    page.handwriting(
        "review_date", "评审时间", "评审时间（年月日）", Rect(x=146.0, y=row2.y, w=RIGHT - 146.0, h=9.0)
    )

    # the table of ten standards
    header_top = top + 20.0
    header = Rect(x=LEFT, y=header_top, w=RIGHT - LEFT, h=ROW_TOP - header_top)
    titles = {
        "seq": "序号",
        "title": "内容及分值",
        "criteria": "评分标准　／　考核得分（涂满所得分数的圆圈）",
        "deduction": "考核扣分",
        "reason": "扣分原因",
    }
    for column, text in titles.items():
        page.label(text, _cell(column, header.y, header.h), 8.5)
    bottom = ROW_TOP + ROW_H * len(rules.standards)
    page.frame(Rect(x=LEFT, y=header.y, w=RIGHT - LEFT, h=bottom - header.y))
    for _, right in list(COLUMNS.values())[:-1]:
        page.vline(right, header.y, bottom)
    for index, standard in enumerate(rules.standards, start=1):
        y0 = ROW_TOP + (index - 1) * ROW_H
        page.hline(y0)
        page.label(str(index), _cell("seq", y0, ROW_H), 9.0)
        page.paragraph(
            f"{standard.title}（{standard.points}分）",
            _cell("title", y0, ROW_H).inset(0.8),
            8.2,
            "sans",
            align="center",
            valign="middle",
            leading=1.2,
        )
        criteria = _cell("criteria", y0, 11.6).inset(0.9)
        page.paragraph(standard.criteria, criteria, 6.5, "serif")
        options = [(str(v), str(v)) for v in range(standard.points + 1)]
        pitch = min(SCORE_PITCH, (COLUMNS["criteria"][1] - SCORE_X0 - 3) / max(1, standard.points))
        page.bubbles(
            f"item{index:02d}_score",
            f"第{index}项考核得分",
            f"第{index}项“{standard.title}”的考核得分（0–{standard.points}）",
            options,
            SCORE_X0,
            y0 + 15.6,
            pitch,
            r=2.2,
            inside=True,
        )
        page.handwriting(
            f"item{index:02d}_deduction",
            f"第{index}项考核扣分",
            f"第{index}项考核扣分（以得分为准）",
            _cell("deduction", y0, ROW_H),
        )
        page.handwriting(
            f"item{index:02d}_reason",
            f"第{index}项扣分原因",
            f"第{index}项扣分原因（有扣分时必填）",
            _cell("reason", y0, ROW_H),
        )

    # signatures of the review group
    sign = Rect(x=LEFT, y=bottom + 2.0, w=RIGHT - LEFT, h=8.0)
    page.frame(sign)
    page.vline(46.0, sign.y, sign.bottom)
    page.label("评审组成员签字", Rect(x=LEFT, y=sign.y, w=30.0, h=sign.h), 8.5)
    page.handwriting(
        "group_signatures",
        "评审组成员签字",
        "评审组成员签字",
        Rect(x=46.0, y=sign.y, w=RIGHT - 46.0, h=sign.h),
    )
    return FormLayout(kind="score", year=year, title=title, pages=(page.build(),))
