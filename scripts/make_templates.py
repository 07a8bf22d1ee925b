"""Write the docxtpl templates of the two forms into templates/ (run: make templates).

The templates are generated, not hand-edited, so their structure is reviewable in this script.
Jinja tags: ``{{ … }}`` for values, ``{%tr for … %}`` rows for the standards and the members.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from service.documents import gbt9704
from service.docxutil import set_run_font, set_style_font

ROOT = Path(__file__).resolve().parent.parent
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
LABEL_FONT = "黑体"
CHOICE = "□同意　□不同意"
#: the 花名册 of households in the naming decisions and the 推荐花名册: headers, cells, widths (mm)
HOUSEHOLD_ROSTER = (
    ["序号", "村（社区）", "户主姓名", "家庭人口", "家庭住址", "联系电话", "得分", "备注"],
    [f"{{{{ r.{key} }}}}" for key in ("seq", "village", "head", "size", "address", "phone", "score", "note")],
    [12.0, 24.0, 19.0, 14.0, 33.0, 30.0, 12.0, 12.0],
)


def _document() -> Any:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.0)
    set_style_font(doc.styles["Normal"], BODY_FONT, 12)
    set_style_font(doc.styles["Table Grid"], TABLE_FONT, 10.5)
    return doc


def _paragraph(doc: Any, text: str, font: str, size: float, align: Any = None, bold: bool = False) -> Any:
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(4)
    run = paragraph.add_run(text)
    set_run_font(run, font, size, bold)
    return paragraph


def _cell(cell: Any, text: str, font: str = TABLE_FONT, size: float = 10.5, center: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, line in enumerate(text.split("\n")):
        if index:
            paragraph = cell.add_paragraph()
            if center:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(paragraph.add_run(line), font, size)


def _table(doc: Any, rows: int, cols: int, widths: list[float]) -> Any:
    table = doc.add_table(rows=rows, cols=cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    return table


def _head(doc: Any, instructions: str) -> None:
    _paragraph(doc, "{{ title }}", TITLE_FONT, 18, WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "{{ sheet_info }}", BODY_FONT, 10.5)
    _paragraph(doc, instructions, BODY_FONT, 9)


def score_template() -> Any:
    """Build the 评分表 template."""
    doc = _document()
    _head(
        doc,
        "填写说明：在“考核得分”栏填写 0 到满分之间的整数；有扣分的项目须写明扣分原因；评审组评定把□改为■。",
    )
    ident = _table(doc, 2, 6, [3.2, 3.0, 2.2, 3.0, 2.2, 3.4])
    for index, text in ((0, "考核对象（户主姓名）"), (2, "家庭住址")):
        _cell(ident.rows[0].cells[index], text, LABEL_FONT, center=True)
    _cell(ident.rows[0].cells[1], "{{ head_name }}")
    address = ident.rows[0].cells[3].merge(ident.rows[0].cells[5])
    _cell(address, "{{ address }}")
    for index, text in ((0, "评审组打分"), (2, "评审组评定"), (4, "评审时间")):
        _cell(ident.rows[1].cells[index], text, LABEL_FONT, center=True)
    _cell(ident.rows[1].cells[3], "□合格　□不合格")
    doc.add_paragraph()
    table = _table(doc, 4, 6, [1.0, 3.0, 7.4, 1.8, 1.4, 2.4])
    for index, text in enumerate(["序号", "内容及分值", "评分标准", "考核得分", "考核\n扣分", "扣分原因"]):
        _cell(table.rows[0].cells[index], text, LABEL_FONT, center=True)
    _cell(table.rows[1].cells[0], "{%tr for s in standards %}")
    _cell(table.rows[2].cells[0], "{{ s.number }}", center=True)
    _cell(table.rows[2].cells[1], "{{ s.title }}（{{ s.points }}分）")
    _cell(table.rows[2].cells[2], "{{ s.criteria }}", size=9)
    _cell(table.rows[3].cells[0], "{%tr endfor %}")
    doc.add_paragraph()
    _paragraph(doc, "评审组成员签字：", LABEL_FONT, 10.5)
    return doc


def application_template() -> Any:
    """Build the 申报审批表 template."""
    doc = _document()
    _head(doc, "填写说明：选择项把□改为■；其余各栏如实填写。")
    ident = _table(doc, 3, 6, [2.2, 3.4, 2.2, 3.0, 2.2, 4.0])
    labels = [["户主姓名", "出生年月", "政治面貌"], ["职业", "家庭人数", "联系电话"]]
    values = [
        ["{{ head_name }}", "{{ head_birth }}", "{{ political_status }}"],
        ["{{ occupation }}", "{{ family_size }}", "{{ phone }}"],
    ]
    for row in range(2):
        for col in range(3):
            _cell(ident.rows[row].cells[col * 2], labels[row][col], LABEL_FONT, center=True)
            _cell(ident.rows[row].cells[col * 2 + 1], values[row][col])
    _cell(ident.rows[2].cells[0], "家庭住址", LABEL_FONT, center=True)
    _cell(ident.rows[2].cells[1].merge(ident.rows[2].cells[5]), "{{ address }}")
    doc.add_paragraph()
    members = _table(doc, 5, 4, [3.0, 2.0, 2.6, 9.4])
    _cell(
        members.rows[0].cells[0].merge(members.rows[0].cells[3]),
        "家庭成员情况（姓名、年龄、家庭关系、工作单位/就读学校）",
        LABEL_FONT,
        center=True,
    )
    for index, text in enumerate(["姓名", "年龄", "家庭关系", "工作单位/就读学校"]):
        _cell(members.rows[1].cells[index], text, LABEL_FONT, center=True)
    _cell(members.rows[2].cells[0], "{%tr for m in members %}")
    for index, key in enumerate(["name", "age", "relation", "workplace"]):
        _cell(members.rows[3].cells[index], "{{ m." + key + " }}")
    _cell(members.rows[4].cells[0], "{%tr endfor %}")
    doc.add_paragraph()
    decisions = _table(doc, 4, 4, [6.4, 4.0, 2.2, 4.4])
    _cell(decisions.rows[0].cells[0], "依据“平安家庭”创评标准进行评分", LABEL_FONT)
    _cell(decisions.rows[0].cells[1].merge(decisions.rows[0].cells[3]), "　　　　分")
    _cell(decisions.rows[1].cells[0], "是否同意推荐该户创建为“平安家庭”", LABEL_FONT)
    _cell(decisions.rows[1].cells[1].merge(decisions.rows[1].cells[3]), CHOICE)
    _cell(
        decisions.rows[2].cells[0],
        "是否同意在“平安家庭”公示名单中公布户主姓名（不同意则公示时隐去姓名中间的字）",
        LABEL_FONT,
    )
    _cell(decisions.rows[2].cells[1], CHOICE)
    _cell(decisions.rows[2].cells[2], "户主签字", LABEL_FONT, center=True)
    _cell(decisions.rows[3].cells[0], "以上已登记信息如有变动，请在右栏写明（信息更正）", LABEL_FONT)
    _cell(decisions.rows[3].cells[1].merge(decisions.rows[3].cells[3]), "")
    doc.add_paragraph()
    opinions = _table(doc, 3, 2, [3.6, 13.4])
    for row, text in enumerate(["村（社区）意见", "乡镇（街道）妇联意见", "乡镇（街道）审批意见"]):
        _cell(opinions.rows[row].cells[0], text, LABEL_FONT, center=True)
        _cell(opinions.rows[row].cells[1], f"{CHOICE}\n意见：\n\n（盖章）\n年　　月　　日")
    return doc


def naming_template() -> Any:
    """乡镇（街道）命名决定: red header, title, 主送, body, 附件说明, seal space, 花名册 attachment, 版记."""
    doc = gbt9704.new_document()
    gbt9704.red_header(doc, "{{ header }}", "{{ number }}")
    gbt9704.paragraph(doc, "{{ title }}", "标题")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph(doc, "{{ recipients }}：", "主送")
    gbt9704.paragraph_loop(doc, "text in body[:-1]", "{{ text }}", "正文")
    gbt9704.paragraph(doc, "{{ body[-1] }}", "正文末段")
    gbt9704.paragraph(doc, "", "署名空行")
    gbt9704.paragraph(doc, "附件：{{ attachment_title }}", "附件说明")
    gbt9704.signature(doc)
    gbt9704.page_break(doc)
    gbt9704.paragraph(doc, "附件", "附件标识")
    gbt9704.paragraph(doc, "", "附件标识")
    gbt9704.paragraph(doc, "{{ attachment_title }}", "附件标题")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.roster_table(doc, *HOUSEHOLD_ROSTER, "r in rows")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.record_block(doc)
    return doc


def notice_template() -> Any:
    """张榜公示: title, procedure, the list (序号, 村（社区）, 户主姓名, 称号 only), period, how to object."""
    doc = gbt9704.new_document()
    gbt9704.paragraph(doc, "{{ title }}", "标题")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph_loop(doc, "text in body", "{{ text }}", "正文")
    gbt9704.roster_table(
        doc,
        ["序号", "村（社区）", "户主姓名", "称号"],
        ["{{ r.seq }}", "{{ r.village }}", "{{ r.head }}", "{{ r.title }}"],
        [20, 56, 40, 40],
        "r in rows",
    )
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph_loop(doc, "text in closing[:-1]", "{{ text }}", "正文")
    gbt9704.paragraph(doc, "{{ closing[-1] }}", "正文末段")
    gbt9704.signature(doc)
    return doc


def plaque_template() -> Any:
    """授牌名单: per township, a table of the households to receive the 示范户 plaque, with room to sign."""
    doc = gbt9704.new_document(landscape=True)
    gbt9704.paragraph(doc, "{{ title }}", "标题")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph(doc, "{%p for t in townships %}", "主送")
    gbt9704.paragraph(doc, "{{ t.name }}（{{ t.rows|length }} 户）", "附件标识")
    gbt9704.roster_table(
        doc,
        ["序号", "村（社区）", "户主姓名", "牌匾名称", "授牌单位", "年度", "数量", "领取人签字", "日期"],
        [
            "{{ r.seq }}",
            "{{ r.village }}",
            "{{ r.head }}",
            "{{ r.plaque }}",
            "{{ r.issuer }}",
            "{{ r.year }}",
            "{{ r.count }}",
            "",
            "",
        ],
        [12, 30, 24, 34, 50, 20, 12, 26, 17],
        "r in t.rows",
    )
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph(doc, "{%p endfor %}", "主送")
    gbt9704.signature(doc, gap_lines=0)
    return doc


def model_roster_template() -> Any:
    """示范户推荐花名册: the township's recommended households, sent up to the district."""
    doc = gbt9704.new_document()
    gbt9704.paragraph(doc, "{{ title }}", "标题")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph(doc, "填报单位（盖章）：{{ unit }}", "主送")
    gbt9704.roster_table(doc, *HOUSEHOLD_ROSTER, "r in rows")
    gbt9704.signature(doc)
    return doc


def removal_template() -> Any:
    """摘牌通知: households whose title is withdrawn after the review cycle, with the reason."""
    doc = gbt9704.new_document()
    gbt9704.paragraph(doc, "{{ title }}", "标题")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph(doc, "{{ recipients }}：", "主送")
    gbt9704.paragraph_loop(doc, "text in body", "{{ text }}", "正文")
    gbt9704.roster_table(
        doc,
        ["序号", "村（社区）", "户主姓名", "命名年度", "摘牌原因"],
        ["{{ r.seq }}", "{{ r.village }}", "{{ r.head }}", "{{ r.named }}", "{{ r.reason }}"],
        [12, 26, 22, 20, 76],
        "r in rows",
    )
    gbt9704.signature(doc)
    return doc


def quota_template() -> Any:
    """附件1 任务指标分配表, with what each township has named so far and the completion rate."""
    doc = gbt9704.new_document(landscape=True)
    gbt9704.paragraph(doc, "附件1", "附件标识")
    gbt9704.paragraph(doc, "", "附件标识")
    gbt9704.paragraph(doc, "{{ title }}", "附件标题")
    gbt9704.paragraph(doc, "（截至{{ as_of }}）", "附件说明")
    gbt9704.roster_table(
        doc,
        [
            "乡镇（街道）",
            "总户数",
            "“平安家庭”指标",
            "已命名",
            "完成率",
            "“示范户”指标",
            "已命名示范户",
            "完成率",
        ],
        [
            "{{ r.township }}",
            "{{ r.households }}",
            "{{ r.family_quota }}",
            "{{ r.named }}",
            "{{ r.family_rate }}",
            "{{ r.model_quota }}",
            "{{ r.models }}",
            "{{ r.model_rate }}",
        ],
        [35, 24, 30, 24, 24, 30, 30, 28],
        "r in rows",
    )
    return doc


def report_template() -> Any:
    """问效评估报告: overall figures, the township table, two charts, the score spread, who lags behind."""
    doc = gbt9704.new_document()
    gbt9704.paragraph(doc, "{{ title }}", "标题")
    gbt9704.paragraph(doc, "（截至{{ as_of }}）", "发文字号")
    gbt9704.paragraph(doc, "", "主送")
    gbt9704.paragraph(doc, "一、总体情况", "一级标题")
    gbt9704.paragraph_loop(doc, "text in overall", "{{ text }}", "正文")
    gbt9704.paragraph(doc, "二、各乡镇（街道）进展", "一级标题")
    gbt9704.roster_table(
        doc,
        ["乡镇（街道）", "登记户数", "参评户数", "参与率", "指标", "已命名", "完成率", "示范户", "待复核"],
        [
            "{{ r.township }}",
            "{{ r.households }}",
            "{{ r.scored }}",
            "{{ r.participation }}",
            "{{ r.quota }}",
            "{{ r.named }}",
            "{{ r.completion }}",
            "{{ r.models }}",
            "{{ r.open }}",
        ],
        [24, 16, 16, 16, 14, 16, 18, 16, 20],
        "r in rows",
    )
    gbt9704.paragraph(doc, "{{ progress_chart }}", "图")
    gbt9704.paragraph(doc, "三、评分分布", "一级标题")
    gbt9704.paragraph(doc, "{{ scores_text }}", "正文")
    gbt9704.paragraph(doc, "{{ scores_chart }}", "图")
    gbt9704.paragraph(doc, "四、进度滞后、建议点名通报的乡镇（街道）", "一级标题")
    gbt9704.paragraph_loop(doc, "text in lagging", "{{ text }}", "正文")
    gbt9704.signature(doc, gap_lines=1)
    return doc


def main() -> None:
    """Write the templates."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "templates")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for name, build in (
        ("score-sheet.docx", score_template),
        ("application-form.docx", application_template),
        ("township-naming.docx", naming_template),
        ("notice.docx", notice_template),
        ("plaque-list.docx", plaque_template),
        ("model-roster.docx", model_roster_template),
        ("removal-notice.docx", removal_template),
        ("quota-table.docx", quota_template),
        ("report.docx", report_template),
    ):
        doc = build()
        doc.core_properties.author = "pingan"
        doc.core_properties.title = name
        doc.save(out / name)
        print(out / name)


if __name__ == "__main__":
    main()
