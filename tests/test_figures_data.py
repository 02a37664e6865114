"""The charts' data (analysis.figures.data): every number a chart draws, worked out by hand.

The tiny fixture (tests/fixtures/tiny/measures.csv), one line per measure, lead → responsible:

P1 §1  P1-01 甲 → 乙, 区直有关部门     P1-02 甲 乙 → 丙        P1-03 甲 乙 丙 → 区直有关部门
P1 §2  P1-04 丁 → 甲                  P1-05 甲(区甲委) → 甲    P1-06 乙 丙 → 各街办
P2 §1  P2-01 戊 → 甲, 丁              P2-02 戊 丁 → 区直有关部门, 各街办
       P2-03 甲 → (none)             P2-04 乙 丙 → 戊        P2-05 丁 戊 → 乙      P2-06 甲 戊 → 区直有关部门

(甲 = 区甲局, 乙 = 区乙局, 丙 = 区丙局, 丁 = 区委丁部, 戊 = 区戊院.) Counting the lines:

unit      led  alone  with others  responsible
区甲局      6     3        3            3        (P1-01 P1-05 P2-03 alone; P1-02 P1-03 P2-06; resp P1-04 P1-05 P2-01)
区乙局      4     0        4            2        (P1-02 P1-03 P1-06 P2-04; resp P1-01 P2-05)
区丙局      3     0        3            1        (P1-03 P1-06 P2-04; resp P1-02)
区委丁部    3     1        2            1        (P1-04 alone; P2-02 P2-05; resp P2-01)
区戊院      4     1        3            1        (P2-01 alone; P2-02 P2-05 P2-06; resp P2-04)
区直有关部门 0    0        0            4        (P1-01 P1-03 P2-02 P2-06)
各街办      0     0        0            2        (P1-06 P2-02)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import facts, limits
from analysis.figures import data as D

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def tiny_tables(tiny):
    from analysis.exports import analysis_tables

    return analysis_tables(tiny, n_runs=10)


def _records(df: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(r) for r in df[columns].itertuples(index=False)]


# --------------------------------------------------------------------------------------------
# The tables a chart reads


def test_a_missing_cluster_table_is_an_error_that_names_it(tiny):
    # The clusters take 100 Louvain runs: a chart never starts them on its own.
    with pytest.raises(ValueError, match=r"colead_network needs the analysis table 'clusters', 'colead_edges'") as e:
        D.colead_network_data(tiny)
    assert "tables=analysis_tables(ds)" in str(e.value)
    with pytest.raises(ValueError, match=r"cluster_stability needs the analysis table 'cluster_coassignment'"):
        D.cluster_stability_data(tiny, {"clusters": pd.DataFrame()})


def test_the_cheap_tables_are_computed_when_left_out(tiny, tiny_tables):
    got = D.chart_tables(tiny, None, "lorenz", "concentration", chart="lorenz")
    # lorenz and concentration are made from the workload table, which comes along.
    assert sorted(got) == ["concentration", "lorenz", "workload"]
    pd.testing.assert_frame_equal(got["lorenz"], tiny_tables["lorenz"])
    given = {"workload": tiny_tables["workload"]}
    assert D.chart_tables(tiny, given, "workload", chart="x")["workload"] is given["workload"]


def test_plan_mentions_counts_every_mention(tiny):
    # Responsible: P1 has 2+1+1+1+1+1 = 7 mentions, 3 collective (区直有关部门 on P1-01, P1-03;
    # 各街办 on P1-06); P2 has 2+2+0+1+1+1 = 7, 3 collective (P2-02 twice, P2-06).
    resp = facts.plan_mentions(tiny, "responsible")
    assert list(resp.index) == ["P1", "P2"]
    assert resp.to_dict("index") == {
        "P1": {"n_mentions": 7, "n_collective": 3},
        "P2": {"n_mentions": 7, "n_collective": 3},
    }
    # Lead: P1 1+2+3+1+1+2 = 10, P2 1+2+1+2+2+2 = 10; no collective leads.
    lead = facts.plan_mentions(tiny, "lead")
    assert lead["n_mentions"].tolist() == [10, 10] and lead["n_collective"].tolist() == [0, 0]


# --------------------------------------------------------------------------------------------
# One test per chart


_COLS = ["unit", "n_sole_lead", "n_colead", "n_responsible", "n_total", "is_collective"]


def test_workload_ranking_data(tiny, tiny_tables):
    d = D.workload_ranking_data(tiny, tiny_tables)
    # By measures led, then led alone: 区戊院 (4, 1 alone) before 区乙局 (4, none alone),
    # 区委丁部 (3, 1 alone) before 区丙局; then the collectives by measures responsible.
    assert _records(d.rows, _COLS) == [
        ("区甲局", 3, 3, 3, 9, False),
        ("区戊院", 1, 3, 1, 5, False),
        ("区乙局", 0, 4, 2, 6, False),
        ("区委丁部", 1, 2, 1, 4, False),
        ("区丙局", 0, 3, 1, 4, False),
        ("区直有关部门", 0, 0, 4, 4, True),
        ("各街办", 0, 0, 2, 2, True),
    ]
    assert d.rows["label"].tolist() == d.rows["unit"].tolist()  # zh: the canonical names
    assert (
        d.rows["category"].tolist() == ["government", "court", "government", "party", "government"] + ["collective"] * 2
    )
    assert d.roles == ["sole_lead", "co_lead", "responsible"] and d.notes == []  # all 7 rows fit the page
    en = D.workload_ranking_data(tiny, tiny_tables, lang="en", collectives=False)
    assert en.rows["label"].tolist() == ["Bureau A", "Court E", "Bureau B", "Party Department D", "Bureau C"]
    assert en.notes == ['Unit names without the leading "District".']


def test_workload_ranking_data_counts_what_it_leaves_out(tiny, tiny_tables):
    d = D.workload_ranking_data(tiny, tiny_tables, top=3)
    assert d.rows["unit"].tolist() == ["区甲局", "区戊院", "区乙局", "区直有关部门", "各街办"]
    # Left out: 区委丁部 (3 led, 4 in all) and 区丙局 (3 led, 4 in all).
    assert d.notes == [
        "另有 2 个具名单位未列出(各牵头不超过 3 项措施,各角色合计不超过 4 项);完整名单见 reports/workload.csv"
    ]


def test_section_heatmap_data(tiny, tiny_tables):
    d = D.section_heatmap_data(tiny, tiny_tables)
    # Measures per section in any role (P1 §1 = P1-01..03, P1 §2 = P1-04..06, P2 §1 = P2-01..06):
    # 区甲局 P1-01 P1-02 P1-03 | P1-04 P1-05 | P2-01 P2-03 P2-06; 区戊院 only in P2 (01 02 04 05 06);
    # 区乙局 P1-01 P1-02 P1-03 | P1-06 | P2-04 P2-05; 区委丁部 - | P1-04 | P2-01 P2-02 P2-05;
    # 区丙局 P1-02 P1-03 | P1-06 | P2-04; 区直有关部门 P1-01 P1-03 | - | P2-02 P2-06; 各街办 - | P1-06 | P2-02.
    assert d.grid.index.tolist() == ["区甲局", "区戊院", "区乙局", "区委丁部", "区丙局", "区直有关部门", "各街办"]
    assert d.grid.to_numpy().tolist() == [[3, 2, 3], [0, 0, 5], [3, 1, 2], [0, 1, 3], [2, 1, 1], [2, 0, 2], [0, 1, 1]]
    assert d.n_named == 5 and d.n_sections == 3 and not d.cut
    assert d.plan_ids == ["P1", "P1", "P2"]
    assert d.col_labels == ["1 第一节", "2 第二节", "1 唯一节"]
    assert d.notes == ["P1 = 甲方案", "P2 = 乙方案"]
    lead = D.section_heatmap_data(tiny, tiny_tables, value="n_lead", top=2, lang="en")
    # 区甲局 leads P1-01 P1-02 P1-03 | P1-05 | P2-03 P2-06; 区戊院 P2-01 P2-02 P2-05 P2-06.
    assert lead.grid.index.tolist() == ["区甲局", "区戊院", "区直有关部门", "各街办"]
    assert lead.grid.to_numpy().tolist() == [[3, 1, 2], [0, 0, 4], [0, 0, 0], [0, 0, 0]]
    assert lead.col_labels == ["P1 §1", "P1 §2", "P2 §1"]
    # Left out: 区乙局 (4 led, 6 in all), 区委丁部 (3, 4), 区丙局 (3, 4).
    assert lead.notes == [
        "P1 = Plan P1",
        "P2 = Plan P2",
        "3 more named units not shown (each leads at most 4 measures, 6 in all roles); "
        "full list in reports/workload_by_section.csv",
        'Unit names without the leading "District".',
    ]


def test_section_heatmap_data_keeps_the_sections_the_rows_fill_most(tiny, tiny_tables, monkeypatch):
    monkeypatch.setattr(limits, "CHART_MAX_SECTIONS", 2)
    d = D.section_heatmap_data(tiny, tiny_tables)
    # Column totals (the grid above): P1 §1 3+0+3+0+2+2+0 = 10, P1 §2 6, P2 §1 17.
    assert list(d.grid.columns) == [("P1", 1), ("P2", 1)] and d.cut
    assert d.col_labels == ["P1 · 1 第一节", "P2 · 1 唯一节"]
    assert d.notes[2].startswith("另有 1 个部分未列出(共 3 个")


def test_lorenz_data(tiny, tiny_tables):
    d = D.lorenz_data(tiny, tiny_tables, lang="en")
    # Lead share Σ 1/k: 区丙局 4/3, 区乙局 11/6, 区委丁部 2, 区戊院 5/2, 区甲局 13/3 (sum 12 measures);
    # ×6 = 8 11 12 15 26: Gini = Σ|xi − xj| / (n² · mean) = 160 / (25 · 14.4 · 2) = 0.22.
    lead = d.curves[d.curves["load"] == "lead_share"]
    np.testing.assert_allclose(lead["cum_share_load"], [0, 8 / 72, 19 / 72, 31 / 72, 46 / 72, 1])
    np.testing.assert_allclose(lead["cum_share_units"], [0, 0.2, 0.4, 0.6, 0.8, 1])
    # Responsible 1 1 1 2 3 (sum 8): Gini = 20 / (25 · 1.6 · 2) = 0.25.
    resp = d.curves[d.curves["load"] == "n_responsible"]
    np.testing.assert_allclose(resp["cum_share_load"], [0, 1 / 8, 2 / 8, 3 / 8, 5 / 8, 1])
    assert d.legend == {"lead_share": "Lead load (Gini 0.22)", "n_responsible": "Responsible load (Gini 0.25)"}


def test_colead_network_data(tiny, tiny_tables):
    d = D.colead_network_data(tiny, tiny_tables)
    # The five lead units by name (code point: 丙 < 乙 < 委 < 戊 < 甲); clusters 1 = {甲 乙 丙}
    # (tied by P1-02 P1-03 P1-06 P2-04), 2 = {丁 戊} (P2-02 P2-05), numbered by size.
    assert _records(d.nodes, ["unit", "cluster", "n_lead", "is_collective"]) == [
        ("区丙局", 1, 3, False),
        ("区乙局", 1, 4, False),
        ("区委丁部", 2, 3, False),
        ("区戊院", 2, 4, False),
        ("区甲局", 1, 6, False),
    ]
    # Co-lead ties: 甲乙 P1-02 P1-03; 甲丙 P1-03; 乙丙 P1-03 P1-06 P2-04; 丁戊 P2-02 P2-05; 甲戊 P2-06.
    ties = {(frozenset((a, b)), c) for a, b, c in _records(d.edges, ["unit_a", "unit_b", "count"])}
    assert ties == {
        (frozenset(("区甲局", "区乙局")), 2),
        (frozenset(("区甲局", "区丙局")), 1),
        (frozenset(("区乙局", "区丙局")), 3),
        (frozenset(("区委丁部", "区戊院")), 2),
        (frozenset(("区甲局", "区戊院")), 1),
    }
    # Each cluster named by the unit that leads most in it, and how many more it has.
    assert _records(d.legend, ["cluster", "label"]) == [(1, "群组 1: 区甲局 +2"), (2, "群组 2: 区戊院 +1")]
    assert d.note == "节点大小:牵头措施数;连线粗细:共同牵头措施数;颜色:共识群组"


def test_colead_network_data_shows_the_units_that_lead_most(tiny, tiny_tables, monkeypatch):
    monkeypatch.setattr(limits, "CHART_MAX_UNITS", 3)
    d = D.colead_network_data(tiny, tiny_tables, lang="en")
    # 区甲局 6, then 区乙局 and 区戊院 4 each; left out 区丙局 and 区委丁部, 3 each.
    assert d.nodes["unit"].tolist() == ["区乙局", "区戊院", "区甲局"]
    assert d.nodes["label"].tolist() == ["Bureau B", "Court E", "Bureau A"]
    assert {frozenset((a, b)): c for a, b, c in _records(d.edges, ["unit_a", "unit_b", "count"])} == {
        frozenset(("区甲局", "区乙局")): 2,
        frozenset(("区甲局", "区戊院")): 1,
    }
    assert _records(d.legend, ["cluster", "label"]) == [(1, "Cluster 1: Bureau A +1"), (2, "Cluster 2: Court E")]
    assert d.note.endswith(
        "\n2 more lead units not shown (each leads at most 3 measures); full list in reports/clusters.csv"
    )


def test_collective_share_data(tiny, tiny_tables):
    d = D.collective_share_data(tiny, tiny_tables)
    # Mentions as in test_plan_mentions_counts_every_mention; measures with only collectives
    # responsible: P1-03 P1-06 of P1's 6, P2-02 P2-06 of P2's 6.
    cols = ["plan_id", "label", "n_mentions", "n_collective_mentions", "n_measures", "n_only_collective"]
    assert _records(d.rows, cols) == [
        ("P1", "P1 甲方案", 7, 3, 6, 2),
        ("P2", "P2 乙方案", 7, 3, 6, 2),
        ("", "全部方案", 14, 6, 12, 4),
    ]
    np.testing.assert_allclose(d.rows["share_collective_mentions"], [3 / 7, 3 / 7, 6 / 14])
    np.testing.assert_allclose(d.rows["share_only_collective"], [2 / 6, 2 / 6, 4 / 12])
    assert d.n_plans == 2 and d.notes == []


def test_collective_share_data_keeps_the_plans_with_most_mentions(tiny, tiny_tables, monkeypatch):
    monkeypatch.setattr(limits, "CHART_MAX_PLANS", 1)
    d = D.collective_share_data(tiny, tiny_tables, lang="en")
    # P1 and P2 tie at 7 mentions: the first in source order stays; all plans still counts both.
    assert d.rows["label"].tolist() == ["P1 Plan P1", "All plans"]
    assert d.rows["n_mentions"].tolist() == [7, 14]
    assert d.notes == ["The 1 plans with the most responsible mentions; 1 more plans not shown (counted in All plans)"]


def test_assignments_per_measure_data(tiny, tiny_tables):
    d = D.assignments_per_measure_data(tiny, tiny_tables)
    # Lead units per measure: 1 on P1-01 P1-04 P1-05 P2-01 P2-03, 3 on P1-03, 2 on the other six.
    assert d.lead.to_dict() == {1: 5, 2: 6, 3: 1}
    # Responsible units: 0 on P2-03; 1 on P1-02 P1-04 P1-05 P2-04 P2-05 (named) and P1-03 P1-06
    # P2-06 (only a collective); 2 on P1-01 P2-01 (named) and P2-02 (two collectives).
    assert d.responsible.to_dict("index") == {
        0: {"named": 1, "only_collective": 0},
        1: {"named": 5, "only_collective": 3},
        2: {"named": 2, "only_collective": 1},
    }


def test_cluster_stability_data(tiny, tiny_tables):
    d = D.cluster_stability_data(tiny, tiny_tables, lang="en")
    # By cluster, then measures led: 1 = 区甲局 6, 区乙局 4, 区丙局 3; 2 = 区戊院 4, 区委丁部 3.
    # The two groups are tied only by P2-06 (甲戊): every one of the 10 runs finds them, so two
    # units share a community in all runs or in none.
    assert d.matrix.index.tolist() == ["区甲局", "区乙局", "区丙局", "区戊院", "区委丁部"]
    block = np.zeros((5, 5))
    block[:3, :3] = block[3:, 3:] = 1
    np.testing.assert_array_equal(d.matrix.to_numpy(), block)
    assert d.clusters == [1, 1, 1, 2, 2]
    assert d.row_labels == ["Bureau A  1", "Bureau B  2", "Bureau C  3", "Court E  4", "Party Department D  5"]
    assert d.col_labels == ["1", "2", "3", "4", "5"]
    assert d.notes == [
        'Unit names without the leading "District". Names cut at … in full in reports/workload.csv (name_en).'
    ]
    assert D.cluster_stability_data(tiny, tiny_tables).notes == []


def test_lead_coalitions_data(tiny, tiny_tables):
    d = D.lead_coalitions_data(tiny, tiny_tables)
    # Lead sets of two or more: P1-02 甲乙, P1-03 甲乙丙, P1-06 乙丙, P2-02 丁戊, P2-04 乙丙,
    # P2-05 丁戊, P2-06 甲戊: 乙丙 and 丁戊 recur (twice each); ties by name (丙 < 委).
    assert _records(d.coalitions, ["members", "n_measures"]) == [(("区丙局", "区乙局"), 2), (("区委丁部", "区戊院"), 2)]
    # Members: each in 2 coalition measures, then by measures led (乙 4, 戊 4, 丙 3, 丁 3), then name.
    assert _records(d.units, ["unit", "category", "n_lead"]) == [
        ("区乙局", "government", 4),
        ("区戊院", "court", 4),
        ("区丙局", "government", 3),
        ("区委丁部", "party", 3),
    ]
    assert d.notes == []


def test_lead_coalitions_data_once_and_none(tiny, tiny_tables):
    d = D.lead_coalitions_data(tiny, tiny_tables, lang="en", min_measures=1, max_coalitions=3)
    # Then the sets found once, larger first: 甲乙丙 (P1-03) before the pairs.
    assert _records(d.coalitions, ["members", "n_measures"]) == [
        (("区丙局", "区乙局"), 2),
        (("区委丁部", "区戊院"), 2),
        (("区丙局", "区乙局", "区甲局"), 1),
    ]
    # In coalition measures: 乙 3, 丙 3, 戊 2, 丁 2, 甲 1.
    assert d.units["label"].tolist() == ["Bureau B", "Bureau C", "Court E", "Party Department D", "Bureau A"]
    assert d.notes == ['Unit names without the leading "District".']
    none = D.lead_coalitions_data(tiny, tiny_tables, min_measures=3)
    assert len(none.coalitions) == 0 and len(none.units) == 0 and none.notes == []


def test_heatmap_of_a_plan_without_sections(tmp_path):
    """Numbered items and no section heading (the build ended in a KeyError): one column, "no
    section", holding every unit's measures. By hand: 区发改局 leads items 1 and 2 and is
    responsible for 4 (3); 区财政局 leads 1 and 3 and is responsible for 2 (3); 区水务局 1."""
    from analysis.exports import analysis_tables
    from analysis.ingest import ingest, write_measures
    from analysis.jurisdiction import propose_pooled, read_mentions
    from analysis.load import load

    src = tmp_path / "plan.txt"
    src.write_text(
        "某区2023年重点工作任务分工方案\n\n"
        "1.推进放管服改革。(牵头单位:区发改局、区财政局;责任单位:区水务局)\n"
        "2.优化营商环境。(牵头单位:区发改局、区商务局;责任单位:区财政局)\n"
        "3.办好民生实事。(牵头单位:区民政局、区财政局;责任单位:区商务局)\n"
        "4.加强社会保障。(牵头单位:区人社局;责任单位:区民政局、区发改局)\n",
        encoding="utf-8",
    )
    measures = write_measures(ingest([src]), tmp_path / "m.csv")
    units = tmp_path / "units.csv"
    propose_pooled(read_mentions([measures])).units.to_csv(units, index=False)
    ds = load(measures, units)
    data = D.section_heatmap_data(ds, analysis_tables(ds, n_runs=5))
    assert data.col_labels == ["未分部分"]
    assert data.grid.iloc[:, 0].to_dict() == {
        "区发改局": 3, "区财政局": 3, "区人社局": 1, "区商务局": 2, "区民政局": 2, "区水务局": 1,
    }  # fmt: skip
