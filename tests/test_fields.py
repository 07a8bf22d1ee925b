"""Field rules of roster rows: what villages type, normalised, or a clear problem."""

from __future__ import annotations

import datetime as dt

import pytest

from service.roster import fields as f

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1975.03", "1975-03"),
        ("1975年3月", "1975-03"),
        ("1975-03", "1975-03"),
        ("1975/3", "1975-03"),
        ("1975.1", "1975-01"),
        ("1968.10", "1968-10"),
        ("１９７５．０３", "1975-03"),
        ("1975年3月12日", "1975-03"),
        ("197503", "1975-03"),
        (197503, "1975-03"),
        (1975.03, "1975-03"),
        (1975.12, "1975-12"),
        (dt.datetime(1980, 7, 1), "1980-07"),
        (None, None),
        ("  ", None),
    ],
)
def test_birth_forms_villages_write(value: object, expected: str | None) -> None:
    assert f.parse_birth(value, TODAY) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1975.1, "无法区分 1 月和 10 月"),
        ("1975年13月", "月份 13 不在 1–12 之间"),
        ("2031-05", "晚于今天"),
        ("1975", "只有年份"),
        ("七五年三月", "无法识别"),
        ("1875.03", "年份 1875 过早"),
    ],
)
def test_birth_problems_are_named(value: object, message: str) -> None:
    with pytest.raises(f.FieldProblem, match=message):
        f.parse_birth(value, TODAY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("139 1234 5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0571-88001234", "0571-88001234"),
        ("(0571)88001234", "0571-88001234"),
        ("88001234", "88001234"),
        (None, None),
    ],
)
def test_phone_forms(value: object, expected: str | None) -> None:
    assert f.parse_phone(value) == expected


@pytest.mark.parametrize("value", ["1381234567", "138-1234-567a", "23812345678", "无"])
def test_bad_phones(value: str) -> None:
    with pytest.raises(f.FieldProblem, match="不是有效的电话号码"):
        f.parse_phone(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4, 4), (4.0, 4), ("4", 4), ("4人", 4), ("３口", 3), ("四", 4), ("两", 2), ("十", 10), (None, None)],
)
def test_family_size_forms(value: object, expected: int | None) -> None:
    assert f.parse_family_size(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [(0, "实际为 0"), ("2.5", "不是正整数"), (2.5, "不是正整数"), ("很多", "不是正整数"), (31, "超过 30")],
)
def test_bad_family_sizes(value: object, message: str) -> None:
    with pytest.raises(f.FieldProblem, match=message):
        f.parse_family_size(value)


def test_political_status_synonyms_and_unknown_values() -> None:
    assert f.parse_political_status("党员") == "中共党员"
    assert f.parse_political_status("团员") == "共青团员"
    assert f.parse_political_status(" 群众 ") == "群众"
    assert f.parse_political_status("民盟盟员") == "民盟盟员"
    with pytest.raises(f.FieldProblem, match="入党积极分子"):
        f.parse_political_status("入党积极分子")


def test_names_keep_rare_characters_and_middle_dots() -> None:
    for name in ("王堃", "李喆", "陈昇", "赵珺"):
        assert f.parse_name(name) == name
    assert f.parse_name("阿依古丽 • 买买提") == "阿依古丽·买买提"
    assert f.parse_name(" 张 三 ") == "张三"
    with pytest.raises(f.FieldProblem, match="为空"):
        f.parse_name(None, "户主姓名")
    with pytest.raises(f.FieldProblem, match="不应出现的字符"):
        f.parse_name("张三1")


def test_members_in_the_roster_form() -> None:
    members = f.parse_members("李秀英（妻，48岁，务农）；王浩(子,22岁,清河职业技术学院)；王小雨（女，9岁）")
    assert members == [
        f.MemberRow("李秀英", 48, "妻", "务农"),
        f.MemberRow("王浩", 22, "子", "清河职业技术学院"),
        f.MemberRow("王小雨", 9, "女", None),
    ]
    assert f.parse_members("张三 父 70；李四") == [
        f.MemberRow("张三", 70, "父", None),
        f.MemberRow("李四", None, None, None),
    ]
    assert f.parse_members(None) == []


def test_member_age_out_of_range() -> None:
    with pytest.raises(f.FieldProblem, match=r"张大山.*150"):
        f.parse_members("张大山（父，150岁）")


def test_full_width_folding() -> None:
    assert f.fold_width("（１２３）") == "(123)"
