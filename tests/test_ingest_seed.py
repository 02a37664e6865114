"""The ingest on the Xialu seed: counts, hand-checked measures, and a full accounting of units."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest

from analysis import config
from analysis.ingest import numbering_gaps
from analysis.registry import alias_map, read_registry

SEED_SHA256 = "612e275bba5712a3a5bb0d869f62d57b06a76b809c76dd74f4b7ca19cb653031"


def test_raw_copy_is_the_published_text_byte_for_byte():
    assert hashlib.sha256(config.SEED.read_bytes()).hexdigest() == SEED_SHA256


def test_three_plans_with_50_32_56_measures(seed):
    counts = seed.measures.groupby("plan_id").size().to_dict()
    assert counts == {"P1": 50, "P2": 32, "P3": 56}
    assert len(seed.measures) == 138


def test_plan_titles_including_the_two_without_closing_bracket(seed_doc):
    assert [(p.plan_id, p.title_line, p.plan_title) for p in seed_doc.plans] == [
        ("P1", 17, "《法治下陆建设规划(2021-2025年)》重要举措分工方案"),
        ("P2", 337, "《下陆区法治政府建设实施方案(2021-2025年)重要举措分工方案"),
        ("P3", 558, "《下陆区法治社会建设实施方案(2021—2025年)重要举措分工方案"),
    ]
    assert sorted(a.line for a in seed_doc.anomalies if a.kind == "title") == [337, 558]


# (measure_id, source_line, section_no, section_title, text start, lead, responsible), read off
# the source text by hand.
HAND_CHECKED = [
    (
        "P1-01",
        29,
        1,
        "全面贯彻实施宪法,坚定维护宪法尊严和权威",
        "坚持宪法法律至上,一切法规",
        "区人大常委会、区司法局",
        "区直有关部门",
    ),
    (
        "P1-05",
        53,
        1,
        "全面贯彻实施宪法,坚定维护宪法尊严和权威",
        "区人大及其常委会要通过听取审议",
        "区人大常委会办公室",
        "区直各部门",
    ),
    (
        "P1-11",
        61,
        2,
        "坚持依法行政,全面建设法治政府",
        "深入推进简政放权",
        "区政务服务和大数据局、区发改局、区司法局、区委编办",
        "区直有关部门",
    ),
    (
        "P1-47",
        285,
        6,
        "加强党的领导,夯实全面依法治市工作基础",
        "各级党委(党组)要将习近平法治思想",
        "区委依法治区办、区委组织部、区委宣传部、区教育局",
        "各街办、区直各部门、区委政法委、区人大常委会办公室、区法院、区检察院、下陆公安分局、区司法局、区委党校",
    ),
    ("P1-52", 315, 6, "加强党的领导,夯实全面依法治市工作基础", "加快推进法律服务队伍发展。", "区司法局", ""),
    (
        "P1-55",
        331,
        6,
        "加强党的领导,夯实全面依法治市工作基础",
        "推进法治下陆建设的数据化",
        "区委依法治区办、区法院、区检察院、区政务服务和大数据局、区财政局",
        "区直各部门",
    ),
    (
        "P2-01",
        349,
        1,
        "健全政府机构职能体系",
        "完善区级政府事权管理制度",
        "区发改委、区政务服务和大数据局、区司法局、区委编办",
        "各街办、区直各部门",
    ),
    (
        "P2-02",
        355,
        1,
        "健全政府机构职能体系",
        "进一步精简行政许可事项",
        "区政务服务和大数据局、区发改局、区市场监督管理局、区司法局",
        "区政府有关部门",
    ),
    (
        "P2-18",
        459,
        5,
        "完善突发事件应急管理机制",
        "建设样板应急救援队伍",
        "区应急管理局",
        "各街办、区直各部门、区网信办",
    ),
    (
        "P2-32",
        551,
        9,
        "全面提高政府工作人员法治思维和依法行政能力",
        "区政府负责法治政府建设",
        "区委组织部、区司法局",
        "各街办、区直各部门",
    ),
    (
        "P3-02",
        576,
        1,
        "推动全社会增强法治观念",
        "切实加强对国家工作人员特别是各级领导干部的宪法教育",
        "区委组织部、区委宣传部、区司法局",
        "区直机关工委、区委党校",
    ),
    (
        "P3-54",
        896,
        5,
        "依法治理网络空间",
        "建立完善统一高效的网络安全风险报告机制",
        "区网信办、下陆公安分局",
        "区网信办、区经信局、区国安局",
    ),
    ("P3-56", 908, 5, "依法治理网络空间", "坚决取缔未取得许可", "区网信办、下陆公安分局", "区直有关部门"),
]


@pytest.mark.parametrize("row", HAND_CHECKED, ids=[r[0] for r in HAND_CHECKED])
def test_measures_field_by_field(seed, row):
    mid, line, sec_no, sec_title, text_start, lead, resp = row
    m = seed.measures.set_index("measure_id").loc[mid]
    assert m["source_line"] == line
    assert m["section_no"] == sec_no
    assert m["section_title"] == sec_title
    assert m["text"].startswith(text_start)
    assert m["item_no"] == int(mid.split("-")[1])
    assert m["lead_units_raw"] == lead
    assert m["responsible_units_raw"] == resp
    assert m["lead_line"] == line + 2


def test_p3_02_text_has_no_final_full_stop(seed):
    # The source writes this one measure without 。; the ingest must not invent one.
    assert (
        seed.measures.set_index("measure_id").loc["P3-02", "text"]
        == "切实加强对国家工作人员特别是各级领导干部的宪法教育"
    )


def test_numbering_gap_in_plan_1_is_reported(seed_doc):
    assert numbering_gaps(seed_doc) == [("P1", 5, 11, 5)]


def test_every_nonblank_line_is_accounted_for(seed_doc):
    lines = config.SEED.read_text(encoding="utf-8").split("\n")
    nonblank = {i for i, s in enumerate(lines, 1) if s.strip(" \t\u3000")}
    assert {ln for (_, ln) in seed_doc.line_kinds} == nonblank
    assert seed_doc.kind_counts() == Counter(
        {"item": 138, "lead": 138, "responsible": 137, "section": 20, "header": 12, "preamble": 9, "title": 3}
    )


def _independent_mentions():
    """Unit mentions counted straight from the text, without the parser.

    The unit lines are the non-blank lines that follow an ``N.`` item line up to the next item,
    section, title or header; each is tiled with the registry's spellings (longest first) and
    separators, and must leave nothing over.
    """
    spellings = sorted(alias_map(read_registry()), key=len, reverse=True)
    token = re.compile("|".join(re.escape(s) for s in spellings))
    counts, in_item = Counter(), False
    for line in config.SEED.read_text(encoding="utf-8").split("\n"):
        s = line.strip()
        if not s:
            continue
        if re.match(r"^\d+\.", s):
            in_item = True
            continue
        if (
            re.match(r"^[一二三四五六七八九]、", s)
            or s.endswith("分工方案")
            or s in ("项目", "具体项目", "牵头单位", "责任单位")
        ):
            in_item = False
            continue
        if in_item:
            found = token.findall(s)
            assert token.sub("", s).strip("、,") == "", f"unmatched text in unit line: {s}"
            counts.update(found)
    return counts


def test_every_unit_mention_is_in_assignments(seed):
    expected = _independent_mentions()
    assert sum(expected.values()) == 576
    assert Counter(seed.assignments["unit_raw"]) == expected


def test_p1_52_has_no_responsible_line_and_dual_roles(seed):
    a = seed.assignments
    assert a.query("measure_id == 'P1-52'")[["role", "unit"]].values.tolist() == [["lead", "区司法局"]]
    both = a.groupby(["measure_id", "unit"])["role"].nunique()
    assert sorted(both[both == 2].index) == [("P1-22", "区政务服务和大数据局"), ("P3-54", "区委网信办")]


@pytest.mark.parametrize(
    ("raw", "canonical", "n"),
    [
        ("区发改委", "区发改局", 3),
        ("区卫健委", "区卫健局", 1),
        ("区应急局", "区应急管理局", 3),
        ("区网信办", "区委网信办", 8),
        ("区纪委监委机关", "区纪委监委", 4),
        ("区人大", "区人大常委会", 2),
    ],
)
def test_alias_merges(seed, raw, canonical, n):
    a = seed.assignments
    rows = a[a["unit_raw"] == raw]
    assert len(rows) == n
    assert set(rows["unit"]) == {canonical}


def test_comma_groups_and_doubled_separator_are_read(seed):
    m = seed.measures.set_index("measure_id")
    assert m.loc["P1-49", "responsible_units_raw"] == "各街办、区直各部门、区政府办、区委办公室、区委组织部"
    a = seed.assignments.query("measure_id == 'P2-02' and role == 'lead'")
    assert a["position"].tolist() == [1, 2, 3, 4]
