"""The ingest on the other layouts governments publish: one tiny fixture each, answers by hand."""

from __future__ import annotations

import pytest

from analysis.errors import DataError
from analysis.ingest import cn_numeral, ingest, measures_frame, parse_text, split_units


def rows(text, source="fixture.txt"):
    doc = parse_text(text, source=source)
    df = measures_frame(doc)
    return doc, df.set_index("measure_id")


LABELLED = """\
2023年法治政府建设工作任务分工
一、推进依法行政
1.推行证照分离改革。
牵头单位:区市场监督管理局
责任单位：区政务服务和大数据局、区司法局
2.加强执法监督。
责任单位: 区直有关部门
3.落实普法责任制。
牵头单位：区司法局；责任单位：各街办、区直各部门
4.规范行政复议。
牵头单位:区司法局
"""


def test_labelled_lines_with_ascii_and_fullwidth_colons():
    doc, df = rows(LABELLED)
    assert [p.plan_title for p in doc.plans] == ["2023年法治政府建设工作任务分工"]
    assert list(df.index) == ["P1-01", "P1-02", "P1-03", "P1-04"]
    assert df.loc["P1-01", "lead_units_raw"] == "区市场监督管理局"
    assert df.loc["P1-01", "responsible_units_raw"] == "区政务服务和大数据局、区司法局"
    assert (df.loc["P1-01", "lead_line"], df.loc["P1-01", "responsible_line"]) == (4, 5)
    # only a responsible label
    assert df.loc["P1-02", "lead_units_raw"] == ""
    assert df.loc["P1-02", "responsible_units_raw"] == "区直有关部门"
    # two labels on one line
    assert df.loc["P1-03", "lead_units_raw"] == "区司法局"
    assert df.loc["P1-03", "responsible_units_raw"] == "各街办、区直各部门"
    # only a lead label
    assert df.loc["P1-04", "responsible_units_raw"] == ""
    assert df.loc["P1-04", "section_no"] == 1
    assert df.loc["P1-04", "section_title"] == "推进依法行政"


NUMBERING = """\
1、完善权责清单。
区委编办
区直各部门
(二)推进综合执法。
区司法局
各街办
（3）健全调解机制。
区委政法委
区直有关部门
十一、深化改革
12.推进政务公开。
区政府办
区直相关部门
"""


@pytest.mark.parametrize(
    ("measure_id", "item_no", "text", "section_no"),
    [
        pytest.param("P1-01", 1, "完善权责清单。", None, id="1、"),
        pytest.param("P1-02", 2, "推进综合执法。", None, id="(二)"),
        pytest.param("P1-03", 3, "健全调解机制。", None, id="full-width (3)"),
        pytest.param("P1-12", 12, "推进政务公开。", 11, id="1. under 十一、"),
    ],
)
def test_item_numbering_styles_and_file_without_title(measure_id, item_no, text, section_no):
    doc, df = rows(NUMBERING, source="县级分工.txt")
    assert [p.plan_title for p in doc.plans] == ["县级分工"]  # no title: the file is one plan
    assert df.loc[measure_id, "item_no"] == item_no
    assert df.loc[measure_id, "text"] == text
    assert (
        None if df.loc[measure_id, "section_no"] is __import__("pandas").NA else df.loc[measure_id, "section_no"]
    ) == section_no


PAREN = """\
某区法治政府建设实施方案重要举措分工方案
1.全面推行行政执法公示制度。(区政府办、区司法局牵头,区直有关部门按职责分工负责)
2.落实重大行政决策程序（区司法局负责）。
3.推进“一网通办”(2023年底前完成)。
区政务服务和大数据局
区直有关部门
4.加强复议工作(区司法局牵头;区财政局配合,各街办参与)
"""


def test_trailing_parenthesis_carries_the_assignment():
    _, df = rows(PAREN)
    assert df.loc["P1-01", "text"] == "全面推行行政执法公示制度。"
    assert df.loc["P1-01", "lead_units_raw"] == "区政府办、区司法局"
    assert df.loc["P1-01", "responsible_units_raw"] == "区直有关部门"
    assert df.loc["P1-01", "lead_line"] == df.loc["P1-01", "source_line"] == 2
    # a bare 负责 with no 牵头 clause names the unit in charge: lead
    assert df.loc["P1-02", "text"] == "落实重大行政决策程序。"
    assert df.loc["P1-02", "lead_units_raw"] == "区司法局"
    assert df.loc["P1-02", "responsible_units_raw"] == ""
    # a parenthesis that assigns nobody stays in the text
    assert df.loc["P1-03", "text"] == "推进“一网通办”(2023年底前完成)。"
    assert df.loc["P1-03", "lead_units_raw"] == "区政务服务和大数据局"
    assert df.loc["P1-04", "lead_units_raw"] == "区司法局"
    assert df.loc["P1-04", "responsible_units_raw"] == "区财政局、各街办"


SEPARATORS = """\
《某区法治社会建设实施方案》重要举措分工方案
1.开展普法宣传。
区司法局;区委宣传部
区教育局，团区委,区妇联、、区总工会、
2.推进社区治理。
区民政局牵头
区财政局配合、各街办按职责分工负责
"""


def test_separators_doubled_and_role_phrases():
    doc, df = rows(SEPARATORS)
    assert df.loc["P1-01", "lead_units_raw"] == "区司法局、区委宣传部"
    assert df.loc["P1-01", "responsible_units_raw"] == "区教育局、团区委、区妇联、区总工会"
    assert df.loc["P1-02", "lead_units_raw"] == "区民政局"
    assert df.loc["P1-02", "responsible_units_raw"] == "区财政局、各街办"
    kinds = sorted((a.line, a.kind, a.detail) for a in doc.anomalies)
    assert (3, "separator", "separator ';' between groups") in kinds
    assert (4, "separator", "doubled separator") in kinds
    assert (4, "separator", "separator '，' between groups") in kinds
    assert (6, "role phrase", "stripped '牵头'") in kinds
    assert (7, "role phrase", "stripped '按职责分工负责'") in kinds


def test_preamble_chrome_cover_letter_and_signature_are_metadata():
    text = "• 设为首页\n关于印发分工方案的通知\n各街办:\n现印发给你们。\n区委办公室\n2023年6月22日\n" + LABELLED
    doc = parse_text(text, source="x.txt")
    assert [t for _, t in doc.plans[0].preamble] == [
        "• 设为首页",
        "关于印发分工方案的通知",
        "各街办:",
        "现印发给你们。",
        "区委办公室",
        "2023年6月22日",
    ]
    assert len(doc.measures) == 4


def test_text_continuation_before_units_is_joined():
    doc, df = rows("1.第一句很长的措施文本,\n跨行写成的第二句。\n区司法局\n区直有关部门\n")
    assert df.loc["P1-01", "text"] == "第一句很长的措施文本,跨行写成的第二句。"
    assert doc.line_kinds[("fixture.txt", 2)] == "text"


def test_item_numbers_restarting_per_section_get_section_in_id():
    _, df = rows("一、甲\n1.措施甲。\n区司法局\n二、乙\n1.措施乙。\n区民政局\n")
    assert list(df.index) == ["P1-1-01", "P1-2-01"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param("1.措施。\n区司法局\n区直有关部门\n区财政局\n", 4, "third unit line", id="third-unit-line"),
        pytest.param(
            "1.措施。\n区司法局\n区直有关部门\n这是一段说明文字。\n", 4, "cannot place", id="text-after-units"
        ),
        pytest.param("一、甲\n区司法局\n", 2, "cannot place", id="units-outside-measure"),
        pytest.param("一、甲\n牵头单位:区司法局\n", 2, "outside any measure", id="label-outside-measure"),
        pytest.param("1.措施。\n", 1, "neither lead nor responsible", id="no-units"),
        pytest.param("1.措施。\n区司法局\n1.又一个。\n区民政局\n", 3, "duplicate item number", id="duplicate-item"),
        pytest.param("1.措施(区司法局牵头)\n区民政局\n", 2, "units are parenthesis", id="paren-then-lines"),
    ],
)
def test_unplaceable_text_is_an_error_naming_file_and_line(text, line, message):
    with pytest.raises(DataError, match=message) as err:
        parse_text(text, source="bad.txt")
    assert err.value.line == line
    assert str(err.value).startswith(f"bad.txt:{line}:")


def test_encodings_utf8_bom_and_gb18030(write):
    a = write("bom.txt", "\ufeff" + LABELLED)
    b = write("gb.txt", LABELLED, encoding="gb18030")
    doc = ingest([a, b])
    assert [p.plan_id for p in doc.plans] == ["P1", "P2"]
    assert doc.encodings == {"bom.txt": "utf-8-sig", "gb.txt": "gb18030"}
    assert [m.lead_units for m in doc.measures[:4]] == [m.lead_units for m in doc.measures[4:]]


def test_file_neither_utf8_nor_gb18030_is_refused(write):
    bad = write("u16.txt", LABELLED, encoding="utf-16")
    with pytest.raises(DataError, match=r"neither UTF-8.*nor GB18030"):
        ingest([bad])


def test_split_units_keeps_parenthesised_names_whole():
    assert split_units("区司法局、各单位党委(党组、党委)")[0] == ["区司法局", "各单位党委(党组、党委)"]


@pytest.mark.parametrize(("s", "n"), [("一", 1), ("九", 9), ("十", 10), ("十九", 19), ("二十", 20), ("五十六", 56)])
def test_cn_numeral(s, n):
    assert cn_numeral(s) == n


def test_doubled_separator_inside_a_parenthesis_is_reported():
    doc, df = rows("1.措施。(区司法局、、区财政局牵头)\n")
    assert df.loc["P1-01", "lead_units_raw"] == "区司法局、区财政局"
    assert [(a.line, a.detail) for a in doc.anomalies] == [(1, "doubled separator")]
