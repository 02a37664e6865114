"""Graph, projections, workload, concentration, clusters, brokers and diagnostics.

The tiny fixture's answers were worked out by hand (see ``tests/fixtures/tiny``):

lead sets      区甲局 {P1-01 P1-02 P1-03 P1-05 P2-03 P2-06}  区乙局 {P1-02 P1-03 P1-06 P2-04}
               区丙局 {P1-03 P1-06 P2-04}  区委丁部 {P1-04 P2-02 P2-05}  区戊院 {P2-01 P2-02 P2-05 P2-06}
leads per measure k: P1-02 2, P1-03 3, P1-06 2, P2-02 2, P2-04 2, P2-05 2, P2-06 2, others 1.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import clusters as cl
from analysis import facts
from analysis import workload as wk
from analysis.graph import (
    bipartite_graph,
    coordination_edges,
    incidence,
    named_assignments,
    projection_edges,
    role_graph,
)
from analysis.load import Dataset

# ---------------------------------------------------------------- graph


def test_bipartite_graph_nodes_edges_and_merged_roles(tiny):
    G = bipartite_graph(tiny)
    units = {n for n, d in G.nodes(data=True) if d["bipartite"] == 0}
    measures = {n for n, d in G.nodes(data=True) if d["bipartite"] == 1}
    assert units == {"区甲局", "区乙局", "区丙局", "区委丁部", "区戊院", "区直有关部门", "各街办"}
    assert len(measures) == 12
    # leads 1+2+3+1+1+2+1+2+1+2+2+2 = 20, responsible 2+1+1+1+1+1+2+2+0+1+1+1 = 14, and one
    # (unit, measure) pair in both roles (区甲局 on P1-05) is one edge.
    assert G.number_of_edges() == 20 + 14 - 1
    assert G.edges["区甲局", "P1-05"]["roles"] == ("lead", "responsible")
    assert G.edges["区甲局", "P1-05"]["role"] == "lead+responsible"
    assert G.edges["区乙局", "P1-01"]["roles"] == ("responsible",)
    assert G.nodes["区甲局"]["label_en"] == "Bureau A"
    assert G.nodes["区直有关部门"]["is_collective"] is True
    assert G.nodes["P1-04"]["section_no"] == 2
    assert nx.is_bipartite(G)


EXPECTED_COLEAD = {
    # pair: (count, jaccard, newman)
    ("区丙局", "区乙局"): (3, 3 / 4, 0.5 + 1 + 1),
    ("区丙局", "区甲局"): (1, 1 / 8, 0.5),
    ("区乙局", "区甲局"): (2, 2 / 8, 1 + 0.5),
    ("区委丁部", "区戊院"): (2, 2 / 5, 1 + 1),
    ("区戊院", "区甲局"): (1, 1 / 9, 1),
}


def test_colead_projection_weights_by_hand(tiny):
    e = projection_edges(tiny.assignments, role="lead")
    got = {(r.unit_a, r.unit_b): (r.count, r.jaccard, r.newman) for r in e.itertuples()}
    assert got.keys() == EXPECTED_COLEAD.keys()
    for pair, (c, j, n) in EXPECTED_COLEAD.items():
        assert got[pair][0] == c
        assert got[pair][1] == pytest.approx(j, abs=1e-12)
        assert got[pair][2] == pytest.approx(n, abs=1e-12)


def _networkx_projection(assignments, role):
    from networkx.algorithms import bipartite

    B = role_graph(assignments, role=role)
    units = sorted(n for n, d in B.nodes(data=True) if d["bipartite"] == 0)
    count = bipartite.weighted_projected_graph(B, units)
    jac = bipartite.overlap_weighted_projected_graph(B, units, jaccard=True)
    new = bipartite.collaboration_weighted_projected_graph(B, units)
    rows = []
    for a, b in count.edges():
        a, b = sorted((a, b))
        rows.append((a, b, count[a][b]["weight"], jac[a][b]["weight"], new[a][b]["weight"]))
    return pd.DataFrame(sorted(rows), columns=["unit_a", "unit_b", "count", "jaccard", "newman"])


@pytest.mark.parametrize("role", ["lead", "responsible", None])
@pytest.mark.parametrize("data", ["tiny", "seed"])
def test_sparse_projection_equals_networkx(request, data, role):
    ds = request.getfixturevalue(data)
    a = named_assignments(ds.assignments, ds.units)
    sparse = projection_edges(a, role=role)
    ref = _networkx_projection(a, role)
    assert sparse[["unit_a", "unit_b"]].equals(ref[["unit_a", "unit_b"]])
    assert (sparse["count"].to_numpy() == ref["count"].to_numpy()).all()
    assert (sparse["jaccard"].to_numpy() == ref["jaccard"].to_numpy()).all()  # same formula: exact
    # Newman sums 1/(k-1) in another order: equal up to float rounding.
    np.testing.assert_allclose(sparse["newman"], ref["newman"], rtol=1e-12, atol=0)


def test_projection_is_symmetric_and_counts_match_incidence(seed):
    inc = incidence(seed.assignments, role="lead")
    C = (inc.matrix @ inc.matrix.T).toarray()
    assert (C == C.T).all()
    assert (
        np.diag(C)
        == seed.assignments.query("role == 'lead'")
        .drop_duplicates(["unit", "measure_id"])
        .groupby("unit")
        .size()
        .reindex(inc.units)
        .to_numpy()
    ).all()


def test_coordination_edges_by_hand(tiny):
    e = coordination_edges(named_assignments(tiny.assignments, tiny.units))
    got = {(r.source, r.target): r.count for r in e.itertuples()}
    # lead -> responsible, named units only, self-loops dropped (P1-05):
    assert got == {
        ("区甲局", "区乙局"): 1,  # P1-01
        ("区甲局", "区丙局"): 1,  # P1-02
        ("区乙局", "区丙局"): 1,  # P1-02
        ("区委丁部", "区甲局"): 1,  # P1-04
        ("区戊院", "区甲局"): 1,  # P2-01
        ("区戊院", "区委丁部"): 1,  # P2-01
        ("区乙局", "区戊院"): 1,  # P2-04
        ("区丙局", "区戊院"): 1,  # P2-04
        ("区委丁部", "区乙局"): 1,  # P2-05
        ("区戊院", "区乙局"): 1,  # P2-05
    }


# ---------------------------------------------------------------- derived state


def test_in_place_edit_is_reflected_by_the_next_call():
    """An analyst's in-place edit of a dataset's frames changes what every stage reports next.

    By hand, on the tiny fixture: 区甲局's six lead rows (P1-01 P1-02 P1-03 P1-05 P2-03 P2-06)
    reassigned to 区委丁部 (which leads P1-04 P2-02 P2-05, none of them) give 区委丁部 nine leads
    and 区甲局 none; the co-lead pairs become 区丙局–区乙局 3 (unchanged), 区丙局–区委丁部 1
    (P1-03), 区乙局–区委丁部 2 (P1-02, P1-03), 区委丁部–区戊院 3 (P2-02, P2-05, P2-06;
    jaccard 3 / (9 + 4 − 3)). Then 区丙局 marked collective leaves the named co-lead pairs
    区乙局–区委丁部 and 区委丁部–区戊院.
    """
    from analysis.clusters import colead_clusters
    from analysis.graph import unit_edges
    from analysis.load import load
    from tests.conftest import TINY_DIR

    ds = load(TINY_DIR / "measures.csv", TINY_DIR / "units.csv")
    assert wk.workload(ds).set_index("unit").loc["区甲局", "n_lead"] == 6
    assert len(unit_edges(ds, role="lead")) == 5
    before = colead_clusters(ds, n_runs=5)
    assert "codes" in repr(ds.derived)  # the loader's codes and the projections were kept

    a = ds.assignments
    a.loc[(a["unit"] == "区甲局").to_numpy() & (a["role"] == "lead").to_numpy(), "unit"] = "区委丁部"

    wl = wk.workload(ds).set_index("unit")
    assert wl.loc["区甲局", "n_lead"] == 0 and wl.loc["区委丁部", "n_lead"] == 9
    e = unit_edges(ds, role="lead")
    got = {(r.unit_a, r.unit_b): (r.count, r.jaccard) for r in e.itertuples()}
    assert got == {
        ("区丙局", "区乙局"): (3, 3 / 4),
        ("区丙局", "区委丁部"): (1, 1 / (3 + 9 - 1)),
        ("区乙局", "区委丁部"): (2, 2 / (4 + 9 - 2)),
        ("区委丁部", "区戊院"): (3, 3 / (9 + 4 - 3)),
    }
    pd.testing.assert_frame_equal(e, projection_edges(named_assignments(a, ds.units), role="lead"))
    after = colead_clusters(ds, n_runs=5)
    assert set(after.assignment["unit"]) == set(before.assignment["unit"]) - {"区甲局"}

    ds.units.loc[ds.units["unit"] == "区丙局", "is_collective"] = True
    got = {(r.unit_a, r.unit_b): r.count for r in unit_edges(ds, role="lead").itertuples()}
    assert got == {("区乙局", "区委丁部"): 2, ("区委丁部", "区戊院"): 3}


# ---------------------------------------------------------------- workload

EXPECTED_WORKLOAD = {
    # unit: n_lead, n_sole_lead, lead_share, n_responsible, n_both, n_total, text_load, rank
    "区甲局": (6, 3, 1 + 1 / 2 + 1 / 3 + 1 + 1 + 1 / 2, 3, 1, 8, 10 + 20 / 2 + 30 / 3 + 10 + 10 + 10 / 2, 1),
    "区戊院": (4, 1, 1 + 1 / 2 + 1 / 2 + 1 / 2, 1, 0, 5, 10 + 5 + 5 + 5, 2),
    "区委丁部": (3, 1, 1 + 1 / 2 + 1 / 2, 1, 0, 4, 10 + 5 + 5, 3),
    "区乙局": (4, 0, 1 / 2 + 1 / 3 + 1 / 2 + 1 / 2, 2, 0, 6, 10 + 10 + 5 + 5, 4),
    "区丙局": (3, 0, 1 / 3 + 1 / 2 + 1 / 2, 1, 0, 4, 10 + 5 + 5, 5),
}


def test_workload_by_hand(tiny):
    wl = wk.workload(tiny).set_index("unit")
    assert list(wl.index) == ["区甲局", "区戊院", "区委丁部", "区乙局", "区丙局"]  # collectives excluded
    for unit, (n_lead, sole, share, resp, both, total, text, rank) in EXPECTED_WORKLOAD.items():
        row = wl.loc[unit]
        assert (row["n_lead"], row["n_sole_lead"], row["n_colead"]) == (n_lead, sole, n_lead - sole)
        assert row["lead_share"] == pytest.approx(share)
        assert (row["n_responsible"], row["n_both"], row["n_total"], row["rank"]) == (resp, both, total, rank)
        assert row["text_load"] == pytest.approx(text)
    assert wl.loc["区甲局", ["n_lead_P1", "n_lead_P2", "n_responsible_P1", "n_responsible_P2"]].tolist() == [4, 2, 2, 1]
    assert wl.loc["区甲局", ["n_P1_S1", "n_P1_S2", "n_P2_S1"]].tolist() == [3, 2, 3]
    assert (wl["collectives"] == "excluded").all()


def test_workload_expanded_collectives_is_labelled_and_adds_members(tiny):
    we = wk.workload(tiny, collectives="expand").set_index("unit")
    assert (we["collectives"] == "expanded into registry members").all()
    # 区直有关部门 (members: the government units 区甲局 区乙局 区丙局) is responsible on P1-01, P1-03,
    # P2-02, P2-06; 各街办 has no members and stays out.
    assert we.loc["区甲局", "n_responsible"] == 3 + 4
    assert we.loc["区乙局", "n_responsible"] == 2 + 3  # P1-01 already named it
    assert we.loc["区丙局", "n_responsible"] == 1 + 4
    assert we.loc["区委丁部", "n_responsible"] == 1
    assert we.loc["区甲局", "n_lead"] == 6


def test_workload_include_ranks_collectives(tiny):
    wi = wk.workload(tiny, collectives="include").set_index("unit")
    assert wi.loc["区直有关部门", "n_responsible"] == 4
    assert wi.loc["各街办", "n_lead"] == 0


def test_collective_table_and_only_collective_measures(tiny):
    ct = wk.collective_table(tiny).set_index("unit")
    assert ct.loc["区直有关部门", ["n_responsible", "n_only_collective", "n_members"]].tolist() == [4, 3, 3]
    assert ct.loc["各街办", ["n_responsible", "n_only_collective", "n_members"]].tolist() == [2, 2, 0]
    assert ct.loc["区直有关部门", "share_responsible_mentions"] == pytest.approx(4 / 14)
    only = wk.collective_only_measures(tiny)
    assert only["measure_id"].tolist() == ["P1-03", "P1-06", "P2-02", "P2-06"]


def test_concentration_by_hand(tiny):
    c = wk.concentration(wk.workload(tiny)).set_index("load")
    shares = np.array([13 / 3, 2.5, 2, 11 / 6, 4 / 3]) / 12
    assert c.loc["lead_share", "total"] == pytest.approx(12)
    assert c.loc["lead_share", "hhi"] == pytest.approx((shares**2).sum())
    assert c.loc["lead_share", "hhi"] == pytest.approx(34.1667 / 144, abs=1e-5)
    assert c.loc["lead_share", "top1_share"] == pytest.approx(13 / 36)
    assert c.loc["lead_share", "top5_share"] == pytest.approx(1.0)
    assert c.loc["lead_share", "gini"] == pytest.approx(2 / 9)  # 2·Σ i·x_i / (n·Σx) − (n+1)/n = 0.2222
    assert c.loc["lead_share", "top1_unit"] == "区甲局"


def test_lorenz_ends_and_gini_agrees_with_area(seed):
    wl = wk.workload(seed)
    lz = wk.lorenz(wl["lead_share"])
    assert lz.iloc[0].tolist() == [0.0, 0.0] and lz.iloc[-1].tolist() == pytest.approx([1.0, 1.0])
    area = np.trapezoid(lz["cum_share_load"], lz["cum_share_units"])
    assert wk.gini(wl["lead_share"]) == pytest.approx(1 - 2 * area)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=50))
def test_gini_is_between_0_and_1_and_scale_free(values):
    g = wk.gini(values)
    assert -1e-12 <= g <= 1
    assert wk.gini([v * 3 for v in values]) == pytest.approx(g, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 14), st.sets(st.integers(0, 7), min_size=1, max_size=5)),
        min_size=1,
        max_size=30,
        unique_by=lambda t: t[0],
    )
)
def test_lead_shares_sum_to_measures_with_a_lead(measures):
    """Property: Σ lead_share over units = number of measures, for any random assignment."""
    rows = [(f"M{m}", "lead", i + 1, f"U{u}", f"U{u}") for m, us in measures for i, u in enumerate(sorted(us))]
    a = pd.DataFrame(rows, columns=["measure_id", "role", "position", "unit_raw", "unit"])
    empty = pd.Series([()] * 8, dtype=object)
    units = pd.DataFrame(
        {
            "unit": [f"U{u}" for u in range(8)],
            "name_en": "",
            "system": "government",
            "is_collective": False,
            "members": empty,
            "aliases": empty,
            "note": "",
        }
    )
    m = pd.DataFrame(
        {
            "measure_id": [f"M{m}" for m, _ in measures],
            "plan_id": "P1",
            "section_no": 1,
            "section_title": "s",
            "text": "文本",
        }
    )
    wl = wk.workload(Dataset(m, a, units))
    assert wl["lead_share"].sum() == pytest.approx(len(measures))
    e = projection_edges(a, role="lead")
    assert (e["unit_a"] < e["unit_b"]).all()
    assert (e["jaccard"] <= 1).all() and (e["newman"] <= e["count"] + 1e-12).all()


def test_seed_lead_shares_sum_to_138(seed):
    assert wk.workload(seed, collectives="include")["lead_share"].sum() == pytest.approx(138)


def test_seed_lead_counts_match_an_independent_count_from_the_raw_text(seed):
    """The lead line is the first non-blank line after an ``N.`` item line in the seed."""
    import re

    from analysis import config
    from analysis.registry import alias_map, read_registry

    names = alias_map(read_registry())
    lines = [s.strip() for s in config.SEED.read_text(encoding="utf-8").split("\n") if s.strip()]
    lead_count, sole = {}, {}
    for i, s in enumerate(lines):
        if re.match(r"^\d+\.", s):
            leads = {names[t] for t in re.split(r"[、,]+", lines[i + 1]) if t}
            for u in leads:
                lead_count[u] = lead_count.get(u, 0) + 1
                sole[u] = sole.get(u, 0) + (len(leads) == 1)
    wl = wk.workload(seed).set_index("unit")
    for unit, n in lead_count.items():
        assert wl.loc[unit, "n_lead"] == n, unit
        assert wl.loc[unit, "n_sole_lead"] == sole[unit], unit
    assert wl.loc["区司法局", ["n_lead", "n_sole_lead"]].tolist() == [74, 21]


def test_diagnostics_by_hand(tiny):
    assert wk.multi_lead_measures(tiny, min_leads=3)["measure_id"].tolist() == ["P1-03"]
    assert wk.dual_role_table(tiny)[["measure_id", "unit"]].values.tolist() == [["P1-05", "区甲局"]]
    assert wk.never_lead(wk.workload(tiny)).empty


def test_seed_diagnostics(seed):
    multi = wk.multi_lead_measures(seed)
    assert multi.iloc[0][["measure_id", "n_leads"]].tolist() == ["P3-20", 7]
    never = wk.never_lead(wk.workload(seed))
    assert never.iloc[0]["unit"] == "区国安局" and never.iloc[0]["n_responsible"] == 4
    assert len(wk.collective_only_measures(seed)) == 91


# ---------------------------------------------------------------- clusters


def test_clusters_by_hand(tiny):
    res = cl.colead_clusters(tiny, n_runs=20)
    got = res.assignment.set_index("unit")["cluster"].to_dict()
    assert got == {"区甲局": 1, "区乙局": 1, "区丙局": 1, "区委丁部": 2, "区戊院": 2}
    # Q = Σ_c [L_c/m − (d_c/2m)²], m = 9: {甲乙丙} L=6 d=13, {丁戊} L=2 d=5.
    assert res.modularity == pytest.approx(6 / 9 - (13 / 18) ** 2 + 2 / 9 - (5 / 18) ** 2)
    assert (res.coassignment.values == res.coassignment.values.T).all()
    assert ((res.assignment["stability"] >= 0) & (res.assignment["stability"] <= 1)).all()


def test_clusters_are_identical_on_rerun_with_the_same_seed(seed):
    a = cl.colead_clusters(seed, n_runs=30, seed=7)
    b = cl.colead_clusters(seed, n_runs=30, seed=7)
    pd.testing.assert_frame_equal(a.assignment, b.assignment)
    pd.testing.assert_frame_equal(a.coassignment, b.coassignment)


def test_seed_court_and_procuratorate_cluster_together(seed):
    res = cl.colead_clusters(seed)
    c = res.assignment.set_index("unit")["cluster"]
    assert c["区法院"] == c["区检察院"] == c["下陆公安分局"]
    assert 0 < res.modularity < 1


def test_backbone_hypergeometric_by_hand(tiny):
    bb = cl.colead_backbone(tiny).set_index(["unit_a", "unit_b"])
    # 区乙局 leads 4 of 12 measures, 区丙局 3, all 3 of 区丙局's with 区乙局: P = C(4,3)·C(8,0)/C(12,3) = 4/220.
    row = bb.loc[("区丙局", "区乙局")]
    assert row["p_value"] == pytest.approx(4 / 220)
    assert row["expected"] == pytest.approx(4 * 3 / 12)
    # 10 pairs of 5 lead units are tested: the smallest p gets q = p·10/1 at most.
    assert bb["q_value"].min() <= bb["p_value"].min() * 10 + 1e-12
    assert (bb["q_value"] >= bb["p_value"]).all()


def test_benjamini_hochberg_matches_the_definition():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    q = cl.benjamini_hochberg(p)
    expected = [min(1, min(p[j] * 10 / (j + 1) for j in range(i, 10))) for i in range(10)]
    assert q == pytest.approx(expected)


def test_benjamini_hochberg_counts_tests_not_given():
    """Six p-values of ten tests, the other four p = 1: the same q-values as over all ten."""
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06])
    full = cl.benjamini_hochberg(np.concatenate([p, np.ones(4)]))[:6]
    assert cl.benjamini_hochberg(p, n_tests=10) == pytest.approx(full, rel=1e-15)
    # by hand: the smallest is 0.001·10/1 = 0.01; the sixth min(0.06·10/6, 1·10/7 …) = 0.1.
    assert cl.benjamini_hochberg(p, n_tests=10)[[0, 5]] == pytest.approx([0.01, 0.1])
    with pytest.raises(ValueError, match="n_tests"):
        cl.benjamini_hochberg(p, n_tests=5)


def test_brokers_by_hand(tiny):
    res = cl.colead_clusters(tiny, n_runs=10)
    b = cl.brokers(tiny, res).set_index("unit")
    # co-lead graph: 甲乙 甲丙 乙丙 甲戊 丁戊. 区甲局 lies on the only shortest paths of (乙,戊) (乙,丁)
    # (丙,戊) (丙,丁): 4 of 6 pairs; 区戊院 on (丁,甲) (丁,乙) (丁,丙): 3 of 6.
    assert b.loc["区甲局", "betweenness_colead"] == pytest.approx(4 / 6)
    assert b.loc["区戊院", "betweenness_colead"] == pytest.approx(3 / 6)
    assert b.loc["区乙局", "betweenness_colead"] == 0
    # participation of 区甲局: co-lead weights 2 (乙) + 1 (丙) in cluster 1, 1 (戊) in cluster 2.
    assert b.loc["区甲局", "participation"] == pytest.approx(1 - (3 / 4) ** 2 - (1 / 4) ** 2)
    assert b.loc["区乙局", "participation"] == 0
    assert math.isclose(b.loc["区委丁部", "participation"], 0)


def test_subset_keeps_only_the_plan_and_recounts(tiny):
    from analysis.subset import subset

    p2 = subset(tiny, plans="P2")
    assert p2.measures["measure_id"].tolist() == ["P2-01", "P2-02", "P2-03", "P2-04", "P2-05", "P2-06"]
    wl = wk.workload(p2).set_index("unit")
    assert wl.loc["区甲局", ["n_lead", "n_responsible"]].tolist() == [2, 1]  # P2-03 P2-06; P2-01
    assert wl["lead_share"].sum() == pytest.approx(6)
    with pytest.raises(ValueError, match="unknown plan"):
        subset(tiny, plans=["P9"])


def test_section_titles_spelled_two_ways_do_not_split_a_section(tiny):
    """A user's CSV may write one section's title differently on two rows: one section still."""
    from dataclasses import replace

    m = tiny.measures.copy()
    m.loc[m["measure_id"] == "P1-02", "section_title"] = "第一节(另写)"
    ds = replace(tiny, measures=m)
    sec = wk.workload_by_section(ds)
    jia = sec[(sec["unit"] == "区甲局") & (sec["plan_id"] == "P1") & (sec["section_no"] == 1)]
    assert jia[["section_title", "n_lead", "n_total"]].values.tolist() == [["第一节", 3, 3]]
    assert wk.workload(ds).set_index("unit").loc["区甲局", "n_P1_S1"] == 3


# ---------------------------------------------------------------- shared facts


def test_shared_facts_on_the_tiny_fixture(tiny):
    """:mod:`analysis.facts`, worked out by hand from tests/fixtures/tiny/measures.csv.

    Responsible units all collective (区直有关部门, 各街办): P1-03, P1-06, P2-02, P2-06; P2-03
    has no responsible line, so it is not "only collective". 区甲局 (and its alias 区甲委) leads
    P1-01 P1-02 P1-03 P1-05 P2-03 P2-06, alone on P1-01 P1-05 P2-03; it is responsible on P1-04
    P1-05 P2-01, so P1-05 is its one measure in both roles. 区戊院 leads P2-01 alone and
    P2-02 P2-05 P2-06 with others.
    """
    from analysis import facts

    p = facts.measure_profile(tiny)
    assert list(p.index) == list(tiny.measures["measure_id"])
    assert list(p.index[p["only_collective"]]) == ["P1-03", "P1-06", "P2-02", "P2-06"]
    assert p["n_lead"].tolist() == [1, 2, 3, 1, 1, 2, 1, 2, 1, 2, 2, 2]
    assert p["n_responsible"].tolist() == [2, 1, 1, 1, 1, 1, 2, 2, 0, 1, 1, 1]

    roles = facts.unit_roles(tiny)
    mine = roles[roles["unit"] == "区甲局"]
    assert list(zip(mine["measure_id"], mine["role"], strict=True)) == [
        ("P1-01", "L"), ("P1-02", "L"), ("P1-03", "L"), ("P1-04", "R"),
        ("P1-05", "L+R"), ("P2-01", "R"), ("P2-03", "L"), ("P2-06", "L"),
    ]  # fmt: skip
    # 区委丁部 leads P1-04 P2-02 P2-05, is responsible on P2-01; 区戊院 leads P2-01 P2-02 P2-05 P2-06, R on P2-04
    two = facts.unit_roles(tiny, units={"区委丁部", "区戊院"})
    assert list(zip(two["unit"], two["measure_id"], two["role"], strict=True)) == [
        ("区委丁部", "P1-04", "L"), ("区戊院", "P2-01", "L"), ("区委丁部", "P2-01", "R"),
        ("区戊院", "P2-02", "L"), ("区委丁部", "P2-02", "L"), ("区戊院", "P2-04", "R"),
        ("区委丁部", "P2-05", "L"), ("区戊院", "P2-05", "L"), ("区戊院", "P2-06", "L"),
    ]  # fmt: skip
    c = facts.unit_counts(tiny, roles)
    assert c.loc["区甲局"].to_dict() == {"n_lead": 6, "n_responsible": 3, "n_both": 1, "n_total": 8}
    assert list(c.index) == sorted(set(tiny.assignments["unit"].astype(str)))  # by name
    assert facts.unit_counts(tiny, roles.assign(unit=roles["unit"].astype(str))).equals(c)  # plain str units too
    assert facts.unit_counts(tiny, two).loc["区戊院"].tolist() == [4, 1, 0, 5]
    assert c.loc["区乙局"].to_dict() == {"n_lead": 4, "n_responsible": 2, "n_both": 0, "n_total": 6}
    lc = facts.lead_counts(tiny)
    assert lc.loc["区甲局"].tolist() == [3, 3] and lc.loc["区戊院"].tolist() == [1, 3]
    assert facts.dual_roles(tiny).values.tolist() == [["P1-05", "区甲局"]]
    assert facts.collective_units(tiny) == {"区直有关部门", "各街办"}
    # the stages state the same facts
    assert wk.collective_only_measures(tiny)["measure_id"].tolist() == ["P1-03", "P1-06", "P2-02", "P2-06"]
    assert wk.dual_role_table(tiny)[["measure_id", "unit"]].values.tolist() == [["P1-05", "区甲局"]]


def test_collective_shares_on_the_tiny_fixture(tiny):
    """By hand: lead mentions P1 10, P2 10 (区甲委 counted as written), none collective;
    responsible P1 7 of which 3 collective (P1-01 区直有关部门, P1-03, P1-06 各街办), P2 7 of which
    3 (P2-02 twice, P2-06)."""
    from dataclasses import replace

    from analysis.quality import collective_shares

    got = collective_shares(tiny)
    assert got[["plan_id", "role", "n_mentions", "n_collective"]].values.tolist() == [
        ["P1", "lead", 10, 0], ["P1", "responsible", 7, 3], ["P1", "all", 17, 3],
        ["P2", "lead", 10, 0], ["P2", "responsible", 7, 3], ["P2", "all", 17, 3],
        ["all", "lead", 20, 0], ["all", "responsible", 14, 6], ["all", "all", 34, 6],
    ]  # fmt: skip
    assert got["share_collective"].round(6).tolist() == [0.0, 0.428571, 0.176471] * 2 + [0.0, 0.428571, 0.176471]
    # a role without mentions (here: the leads taken out) has no rows, in a plan or overall
    no_lead = tiny.assignments[tiny.assignments["role"] != "lead"]
    got = collective_shares(replace(tiny, assignments=no_lead.reset_index(drop=True)))
    assert got[["plan_id", "role"]].values.tolist() == [
        ["P1", "responsible"], ["P1", "all"], ["P2", "responsible"], ["P2", "all"],
        ["all", "responsible"], ["all", "all"],
    ]  # fmt: skip


def _lead_set_tuples(ds) -> list[tuple[str, ...]]:
    """:func:`analysis.facts.lead_sets` as one tuple of names per measure, sorted."""
    measure, unit, names = facts.lead_sets(ds)
    starts = np.flatnonzero(np.r_[True, measure[1:] != measure[:-1]])
    return sorted(tuple(names[unit[a:b]].tolist()) for a, b in zip(starts, [*starts[1:], len(unit)], strict=True))


@pytest.mark.parametrize("data", ["tiny", "seed"])
@pytest.mark.parametrize(
    "fact",
    [
        pytest.param(lambda ds: facts.measure_profile(ds), id="measure_profile"),
        pytest.param(lambda ds: facts.lead_counts(ds), id="lead_counts"),
        pytest.param(lambda ds: facts.plan_mentions(ds), id="plan_mentions responsible"),
        pytest.param(lambda ds: facts.plan_mentions(ds, "lead"), id="plan_mentions lead"),
        pytest.param(facts.dual_roles, id="dual_roles"),
        pytest.param(_lead_set_tuples, id="lead_sets"),
    ],
)
def test_facts_from_codes_are_the_facts_from_names(data, fact, request, monkeypatch):
    """A loaded dataset's facts are counted from its integer codes; a hand-made one's from the
    names. Both ways give the same frames (the hand-worked values above go the codes' way)."""
    ds = request.getfixturevalue(data)
    assert facts._assignment_codes(ds) is not None  # a loaded dataset: the codes' way
    from_codes = fact(ds)
    monkeypatch.setattr(facts, "_assignment_codes", lambda ds: None)
    from_names = fact(ds)
    if isinstance(from_codes, pd.DataFrame):
        pd.testing.assert_frame_equal(from_codes, from_names, check_exact=True)
    else:
        assert from_codes == from_names


def test_tables_of_plans_without_co_leads(tmp_path):
    """Every analysis table of a plan whose measures each have one lead unit, and of a plan that
    names no lead unit at all (a 责任单位-only plan such as 武汉市蔡甸区 2023's); both used to end
    in a traceback (networkx modularity of a graph without edges, the maximum of no clusters).

    By hand: 区发改局 and 区财政局 lead one measure each, alone: two clusters of one, modularity 0.
    各街道 is the one collective (responsible for measure 1). Without leads: no clusters and no
    collectives (the collectives table listed the two named units, names blanked to 0).
    """
    from analysis.exports import analysis_tables
    from analysis.ingest import ingest, write_measures
    from analysis.jurisdiction import propose_pooled, read_mentions
    from analysis.load import load
    from tests.test_cli import NO_COLEAD, NO_LEAD

    def tables(text, name):
        src = tmp_path / f"{name}.txt"
        src.write_text(text, encoding="utf-8")
        measures = write_measures(ingest([src]), tmp_path / f"{name}.csv")
        units = tmp_path / f"{name}.units.csv"
        propose_pooled(read_mentions([measures])).units.to_csv(units, index=False)
        ds = load(measures, units)
        return ds, analysis_tables(ds)

    _, t = tables(NO_COLEAD, "no_colead")
    assert t["clusters"][["unit", "cluster", "n_lead"]].values.tolist() == [["区发改局", 1, 1], ["区财政局", 2, 1]]
    assert float(t["summary"].set_index("metric").loc["modularity", "value"]) == 0.0
    assert t["collectives"][["unit", "n_responsible", "n_only_collective"]].values.tolist() == [["各街道", 1, 1]]
    ds, t = tables(NO_LEAD, "no_lead")
    assert t["clusters"].empty and t["collectives"].empty and t["colead_edges"].empty
    assert t["workload"]["n_responsible"].tolist() == [1, 1]
    from analysis.figures import CHARTS

    for chart in ("colead_network", "cluster_stability"):  # a sentence saying why, not an empty frame
        fig = CHARTS[chart](ds, t, lang="en")
        assert "No measure of these plans names a lead unit" in " ".join(x.get_text() for x in fig.texts)


def test_expanded_collectives_when_a_collective_is_the_first_unit_category():
    """湘西州 2020 (sweep): the first category of ``unit`` a collective; mapping the categories to
    member tuples made pandas build a MultiIndex and fail on the NaN of the named units."""
    cats = pd.CategoricalDtype(["州直相关单位", "州司法局", "各县市人民政府", "州委编办"])
    assignments = pd.DataFrame(
        {
            "measure_id": ["P1-01"] * 3,
            "role": ["lead", "responsible", "responsible"],
            "unit": pd.Series(["州司法局", "州直相关单位", "各县市人民政府"], dtype=cats),
            "position": [0, 0, 1],
        }
    )
    units = pd.DataFrame(
        {
            "unit": ["州直相关单位", "州司法局", "各县市人民政府", "州委编办"],
            "system": ["collective", "government", "collective", "party"],
            "is_collective": [True, False, True, False],
            "members": [("government", "party"), (), ("government",), ()],
        }
    )
    out = wk.expand_collectives(assignments, units)
    assert list(zip(out["role"], out["unit"], strict=True)) == [
        ("lead", "州司法局"),
        ("responsible", "州司法局"),
        ("responsible", "州委编办"),
    ]
