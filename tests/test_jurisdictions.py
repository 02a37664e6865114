"""Jurisdictions: whose plan a measure is, units matched per government, governments compared.

Expected values were worked out by hand from ``tests/fixtures/pooled`` (see its README) and
from the issuers and titles of the real plans in ``tests/fixtures/plans``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import compare
from analysis.config import PROJECT_ROOT
from analysis.errors import DataError
from analysis.jurisdiction import innermost, jurisdiction_of, own_place, place_of, propose_pooled, qualify, unify
from analysis.load import load

POOLED = PROJECT_ROOT / "tests" / "fixtures" / "pooled"


@pytest.fixture(scope="module")
def pooled():
    return load(POOLED / "measures.csv", POOLED / "units.csv")


# ---------------------------------------------------------------- where a plan belongs


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # issuers of the fixtures' real plans
        ("中共下陆区委全面依法治区委员会办公室", "下陆区"),
        ("济南市钢城区人民政府办公室", "济南市钢城区"),
        ("宁波市鄞州区人民政府办公室", "宁波市鄞州区"),
        ("大竹县人民政府办公室", "大竹县"),
        ("广东省人民政府", "广东省"),
        ("滁州市人民政府", "滁州市"),  # 滁 + 州 is not a prefecture: the place is 滁州
        ("宁波市人民政府办公厅", "宁波市"),
        # titles
        ("2023年莲都区政府工作报告重点工作责任分解", "莲都区"),
        ("谯城区2025年政府工作报告重点工作任务分解表", "谯城区"),
        ("县《政府工作报告》确定的2021年重点工作责任分解", None),  # a level word, no place
        ("2021年重大民生实事项目目标任务责任分解表", None),
        ("《法治下陆建设规划(2021-2025年)》重要举措分工方案", None),
        ("全区重点工作", None),
        ("市区重点", None),
        # other levels
        ("恩施土家族苗族自治州人民政府", "恩施土家族苗族自治州"),
        ("内蒙古自治区人民政府", "内蒙古自治区"),
        ("锡林郭勒盟行政公署", "锡林郭勒盟"),
        ("上海市浦东新区人民政府", "上海市浦东新区"),
        ("沛县人民政府", "沛县"),
        # a kind of zone names no place when a text starts with it (霍山县开发区's 2025 list,
        # https://www.ahhuoshan.gov.cn/public/6598161/37968314.html); after a place it is a name
        ("2025年开发区重点工作及责任清单", None),
        ("高新区管委会", None),
        ("经济技术开发区管委会", None),
        ("六安市经济技术开发区", "六安市经济技术开发区"),
        ("合肥高新区管委会", "合肥高新区"),
    ],
)
def test_place_of_issuers_and_titles(text, place):
    assert place_of(text) == place


def test_jurisdiction_order_folder_then_issuer_then_title():
    assert jurisdiction_of(folder="立山区", issuer="下陆区人民政府", title="") == ("立山区", "folder 立山区")
    assert jurisdiction_of(issuer="下陆区人民政府", title="谯城区2025年…")[0] == "下陆区"
    assert jurisdiction_of(issuer="", title="谯城区2025年政府工作报告")[0] == "谯城区"
    assert jurisdiction_of(issuer="", title="2019年政府工作报告")[0] == ""


def test_unify_merges_a_place_into_its_one_longer_chain_only():
    got = unify(["下陆区", "黄石市下陆区", "新华区", "甲市新华区", "乙市新华区"])
    assert got["下陆区"] == "黄石市下陆区"
    assert got["新华区"] == "新华区"  # two cities have a 新华区: not merged
    assert innermost("宁波市鄞州区") == "鄞州区" and own_place("黄石市下陆区") == "下陆"


@pytest.mark.parametrize(
    ("name", "jurisdiction", "level", "expected"),
    [
        ("区司法局", "下陆区", "区", "下陆区司法局"),
        ("区委办公室", "黄石市下陆区", "区", "黄石市下陆区委办公室"),
        ("下陆公安分局", "黄石市下陆区", "", "黄石市下陆公安分局"),
        ("市发改委", "黄石市下陆区", "市", "黄石市发改委"),  # the city's body, named by the chain
        ("市发改委", "下陆区", "市", "下陆区·市发改委"),  # the city is not named: as the plan calls it
        ("财政局", "立山区", "", "立山区财政局"),
        ("各街道", "立山区", "", "立山区各街道"),
    ],
)
def test_qualify(name, jurisdiction, level, expected):
    assert qualify(name, jurisdiction, level=level) == expected


def test_ingest_sets_the_jurisdiction_of_every_plan(tmp_path):
    from analysis.cli import _expand
    from analysis.ingest import ingest, measures_frame

    fixtures = PROJECT_ROOT / "tests" / "fixtures" / "plans"
    (tmp_path / "立山区").mkdir()
    (tmp_path / "立山区" / "plan.txt").write_bytes((fixtures / "xianan_2023_txt" / "plan.txt").read_bytes())
    (tmp_path / "loose.docx").write_bytes((fixtures / "gangcheng_2021_docx" / "plan.docx").read_bytes())
    sources, folders = _expand([tmp_path])
    doc = ingest(sources, folders=folders)
    m = measures_frame(doc)
    # the folder wins over the plan's own title (咸安区's plan, filed as 立山区 by the user)
    assert set(m.loc[m["source_file"] == "立山区/plan.txt", "jurisdiction"]) == {"立山区"}  # labelled by its folder
    assert set(m.loc[m["source_file"] == "loose.docx", "jurisdiction"]) == {"济南市钢城区"}  # its issuer
    assert doc.jurisdictions["P1"][1].startswith("issuer ")


# ---------------------------------------------------------------- matching per government


def test_one_spelling_is_a_different_unit_in_each_government(pooled):
    a = pooled.assignments.merge(pooled.measures[["measure_id", "jurisdiction"]], on="measure_id")
    leads = a[a["role"] == "lead"]
    sifa = leads[leads["unit_raw"] == "区司法局"].groupby("jurisdiction")["unit"].unique()
    assert {j: list(u) for j, u in sifa.items()} == {"乙区": ["乙区司法局"], "甲区": ["甲区司法局"]}
    # 各街道 names no jurisdiction: one row serves every government
    assert set(a.loc[a["unit_raw"] == "各街道", "unit"]) == {"各街道"}


def test_a_name_unknown_in_its_government_is_an_error_naming_the_government(tmp_path):
    m = (
        (POOLED / "measures.csv")
        .read_text(encoding="utf-8")
        .replace("C2,P3,丙县方案,1,一节,2,丙县措施二。,县发改局", "C2,P3,丙县方案,1,一节,2,丙县措施二。,区司法局")
    )
    (tmp_path / "measures.csv").write_text(m, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load(tmp_path / "measures.csv", POOLED / "units.csv")
    assert "区司法局 (of 丙县) in C2 (line 9)" in str(err.value)


def test_a_registry_name_may_repeat_across_governments_not_within_one(tmp_path):
    from analysis.registry import read_registry

    text = (POOLED / "units.csv").read_text(encoding="utf-8")
    assert read_registry(POOLED / "units.csv")["jurisdiction"].tolist()[:2] == ["甲区", "甲区"]
    bad = text.replace(
        "乙区司法局,区司法局,Yi District Justice Bureau,government,false,,,乙区",
        "乙区司法局,区司法局,Yi District Justice Bureau,government,false,,,甲区",
    )
    (tmp_path / "units.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_registry(tmp_path / "units.csv")
    assert err.value.line == 5 and "name already used on line 2 in jurisdiction 甲区" in str(err.value)
    assert err.value.value == "区司法局"


def test_pooled_proposal_keeps_governments_apart():
    mentions = [
        ("甲区", "区司法局"),
        ("甲区", "区司法局"),
        ("乙区", "区司法局"),
        ("乙区", "区发改委"),
        ("乙区", "区发改局"),
    ]
    p = propose_pooled(mentions)
    u = p.units.set_index("unit")
    assert sorted(u.index) == ["乙区发改局", "乙区司法局", "甲区司法局"]
    assert u.loc["甲区司法局", "aliases"] == "区司法局" and u.loc["甲区司法局", "jurisdiction"] == "甲区"
    # 区发改委 and 区发改局 are one type written two ways in one government: merged, with the reason
    assert set(u.loc["乙区发改局", "aliases"].split("|")) == {"区发改局", "区发改委"}
    assert "variant: 区发改委 = 区发改局" in u.loc["乙区发改局", "note"]
    assert set(p.decisions["jurisdiction"]) == {"甲区", "乙区"}


def test_one_government_proposal_has_no_jurisdiction_column():
    p = propose_pooled([("下陆区", "区司法局"), ("下陆区", "下陆公安分局")])
    assert "jurisdiction" not in p.units and sorted(p.units["unit"]) == ["下陆公安分局", "区司法局"]


# ---------------------------------------------------------------- comparison tables


def test_government_table_by_hand(pooled):
    g = compare.government_table(pooled).set_index("jurisdiction")
    assert list(g.index) == ["丙县", "乙区", "甲区"]
    assert g.loc["甲区", ["n_measures", "n_units", "n_lead_units"]].tolist() == [3, 3, 3]
    assert g.loc["乙区", ["n_measures", "n_units", "n_lead_units"]].tolist() == [3, 2, 2]
    assert g.loc["甲区", "leads_per_measure"] == pytest.approx(4 / 3)
    assert g.loc["乙区", "leads_per_measure"] == pytest.approx(1.0)
    # Gini of lead shares: 甲区 (0.5, 1, 1.5) → 2·(0.5 + 2 + 4.5)/(3·3) − 4/3 = 2/9;
    # 乙区 (1, 2) → 1/6; 丙县 (0.5, 2.5) → 1/3
    assert g["gini"].to_dict() == pytest.approx({"甲区": 2 / 9, "乙区": 1 / 6, "丙县": 1 / 3})
    # HHI: 甲区 ½² + (1/6)² + (1/3)² = 7/18; 乙区 (2/3)² + (1/3)² = 5/9; 丙县 (5/6)² + (1/6)² = 13/18
    assert g["hhi"].to_dict() == pytest.approx({"甲区": 7 / 18, "乙区": 5 / 9, "丙县": 13 / 18})
    assert g["top1_unit"].to_dict() == {"甲区": "甲区司法局", "乙区": "乙区司法局", "丙县": "丙县发改局"}
    assert g["top1_share"].to_dict() == pytest.approx({"甲区": 0.5, "乙区": 2 / 3, "丙县": 5 / 6})


def test_government_workload_lists_each_governments_own_units(pooled):
    wl = compare.government_workload(pooled)
    by = wl.groupby("jurisdiction")["unit"].apply(sorted).to_dict()
    assert by == {
        "丙县": ["丙县发改局", "丙县财政局"],
        "乙区": ["乙区发改局", "乙区司法局"],
        "甲区": ["甲区发改局", "甲区司法局", "甲区财政局"],
    }
    assert wl.set_index("unit").loc["甲区财政局", ["n_lead", "n_responsible"]].tolist() == [1, 1]


def test_type_table_by_hand(pooled):
    t = compare.type_table(pooled)
    # 发展和改革 leads in all three governments, 司法 and 财政 in two (司法's mean share is larger)
    assert list(dict.fromkeys(t["type_id"])) == ["ndrc", "justice", "finance"]
    share = t.set_index(["type_id", "jurisdiction"])["share"].to_dict()
    assert share == pytest.approx(
        {
            ("ndrc", "丙县"): 2.5 / 3,
            ("ndrc", "乙区"): 1 / 3,
            ("ndrc", "甲区"): 1 / 3,
            ("justice", "乙区"): 2 / 3,
            ("justice", "甲区"): 0.5,
            ("finance", "丙县"): 0.5 / 3,
            ("finance", "甲区"): 0.5 / 3,
        }
    )


def test_comparison_written_and_charts_drawn(pooled, tmp_path):
    written = compare.write_comparison(pooled, tmp_path / "reports", tmp_path / "figures", formats=("png",))
    assert sorted(written) == [
        "figures/compare_concentration.png",
        "figures/compare_types.png",
        "figures/en/compare_concentration.png",
        "figures/en/compare_types.png",
        "reports/compare_government_workload.csv",
        "reports/compare_governments.csv",
        "reports/compare_types.csv",
    ]
    got = pd.read_csv(written["reports/compare_governments.csv"])
    assert got["jurisdiction"].tolist() == ["丙县", "乙区", "甲区"]
    from analysis.figures import text_overlaps

    for lang in ("zh", "en"):
        for fig in (
            compare.concentration_chart(compare.government_table(pooled), lang=lang),
            compare.type_chart(compare.type_table(pooled), lang=lang),
        ):
            assert text_overlaps(fig) == []
            assert fig.get_figwidth() * 2.54 <= 16.0 and fig.get_figheight() * 2.54 <= 23.0


def test_build_of_a_pooled_corpus_without_a_registry(tmp_path):
    """Three governments' real plans, one folder each: a registry per government is proposed."""
    from analysis.cli import main

    fixtures = PROJECT_ROOT / "tests" / "fixtures" / "plans"
    for folder, fixture, name in (
        ("咸宁市咸安区", "xianan_2023_txt", "plan.txt"),
        ("济南市钢城区", "gangcheng_2021_docx", "plan.docx"),
        ("宁波市鄞州区", "ningbo_yinzhou_2024_xlsx", "plan.xlsx"),
    ):
        (tmp_path / "corpus" / folder).mkdir(parents=True)
        (tmp_path / "corpus" / folder / name).write_bytes((fixtures / fixture / name).read_bytes())
    assert main(["compare", "--raw", str(tmp_path / "corpus"), "--out", str(tmp_path / "out")]) == 0
    units = pd.read_csv(tmp_path / "out" / "units.csv", dtype=str, keep_default_na=False)
    assert set(units["jurisdiction"]) == {"咸宁市咸安区", "济南市钢城区", "宁波市鄞州区"}
    # every unit is its government's, and named so
    assert all(u.startswith(j) for u, j in zip(units["unit"], units["jurisdiction"], strict=True))
    g = pd.read_csv(tmp_path / "out" / "compare_governments.csv")
    assert g.set_index("jurisdiction")["n_measures"].to_dict() == {
        "咸宁市咸安区": 12,
        "宁波市鄞州区": 6,
        "济南市钢城区": 4,
    }
    report = (tmp_path / "out" / "data_quality.md").read_text(encoding="utf-8")
    assert "## Governments (jurisdictions)" in report and "| P1 | 咸宁市咸安区 | 12 | folder 咸宁市咸安区 |" in report


def test_committed_corpus_comparison_is_what_the_build_makes(tmp_path):
    """``python -m analysis build`` also compares ``data/corpus``; its outputs are committed."""
    from analysis.cli import main
    from analysis.config import CORPUS_DIR, REPORTS_DIR

    assert main(["compare", "--raw", str(CORPUS_DIR), "--out", str(tmp_path / "out")]) == 0
    made = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(REPORTS_DIR / "corpus") for p in (REPORTS_DIR / "corpus").rglob("*") if p.is_file()
    )
    assert made == committed and len(made) >= 20
    for rel in made:
        assert (tmp_path / "out" / rel).read_bytes() == (REPORTS_DIR / "corpus" / rel).read_bytes(), f"{rel} is stale"
    g = pd.read_csv(tmp_path / "out" / "compare_governments.csv")
    assert len(g) == 6 and g.set_index("jurisdiction").loc["黄石市下陆区", "n_measures"] == 138
    # the README's sentence about this corpus states these numbers
    even, concentrated = g.sort_values("gini").iloc[0], g.sort_values("gini").iloc[-1]
    t = pd.read_csv(tmp_path / "out" / "compare_types.csv")
    first = t.iloc[0]
    n_leading = int(((t["type_id"] == first["type_id"]) & (t["lead_share"] > 0)).sum())
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    words = {5: "five", 6: "six"}
    claim = (
        f"{first['type_zh']} leads in {words[n_leading]} of the six governments; lead load is most even in "
        f"{even['jurisdiction']} (Gini {even['gini']:.2f} over its {even['n_lead_units']} lead units) and most "
        f"concentrated in {concentrated['jurisdiction']} (Gini {concentrated['gini']:.2f}"
    )
    assert claim in " ".join(readme.split())  # line breaks aside


def test_comparison_text_states_the_tables_numbers(pooled):
    text = compare.comparison_text(compare.comparison_tables(pooled))
    assert "**3 governments**, 9 measures in all (丙县: 3, 乙区: 3, 甲区: 3)" in text
    # 乙区 (1/6) most even, 丙县 (1/3) most concentrated, its 发改局 with 2.5 of 3 leads
    assert "most even in **乙区** (Gini 0.17, 2 lead units)" in text
    assert "most concentrated in **丙县** (Gini 0.33; 丙县发改局 leads 83% of it)" in text
    assert "**发展和改革局** (ndrc: 3 of 3), with 33%–83%" in text
