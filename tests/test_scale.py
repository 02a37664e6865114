"""The fast paths for national corpora give the same answers as the small-data paths.

* The vectorised loader against the row-by-row loader it replaced (kept below as the
  reference): the same frames and the same error messages, on the seed, on a 10k synthetic
  corpus and on hand-made odd files.
* Workload on integer codes against the string group-by it replaced (reference below).
* Projections against networkx's weighted projection.
* Clusters and brokers: igraph against networkx, consensus on co-lead ties against the full
  co-assignment matrix, sampled against exact betweenness.
* The synthetic corpus generator's promised shape.
* The big-graph view's helpers against the Python group-bys they replaced; igraph without
  matplotlib.

No timing is asserted here: ``benchmarks/run.py`` measures.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import clusters as cl
from analysis import config, facts
from analysis import workload as wk
from analysis.errors import DataError, read_text
from analysis.graph import named_assignments, projection_edges, role_graph
from analysis.ingest import MEASURE_COLUMNS, split_units
from analysis.load import REQUIRED_COLUMNS, load
from analysis.registry import alias_map, read_registry

sys.path.insert(0, str(config.PROJECT_ROOT / "benchmarks"))
from make_corpus import make_corpus, write_corpus

# ---------------------------------------------------------------- references (the replaced code)

_INT = ("section_no", "item_no", "source_line", "lead_line", "responsible_line")


def ref_read_measures(path) -> pd.DataFrame:
    """The row-by-row loader as it was before the fast path (csv.DictReader, one row at a time)."""
    path = Path(path)
    text, _ = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unexpected = [c for c in header if c not in MEASURE_COLUMNS]
    if missing:
        raise DataError(path, 1, "missing columns", value=", ".join(missing))
    if unexpected:
        raise DataError(path, 1, "unexpected columns", value=", ".join(unexpected))
    rows, first_line = [], {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise DataError(path, line, "more fields than columns", value=str(row[None]))
        row = {k: (v or "").strip() for k, v in row.items()}
        mid = row["measure_id"]
        if not mid:
            raise DataError(path, line, "empty measure_id", value=row.get("text", "")[:40])
        if mid in first_line:
            raise DataError(path, line, f"duplicate measure_id (first on line {first_line[mid]})", value=mid)
        first_line[mid] = line
        if not row["text"]:
            raise DataError(path, line, "empty text", value=mid)
        if not row["lead_units_raw"] and not row["responsible_units_raw"]:
            raise DataError(path, line, "measure has neither lead nor responsible units", value=mid)
        for col in _INT:
            v = row.get(col, "")
            if col == "item_no" and not v:
                raise DataError(path, line, "empty item_no", value=mid)
            if v and not v.isdecimal():  # (was isdigit: "²" then crashed in to_numeric)
                raise DataError(path, line, f"{col} is not a whole number", value=v)
        row["csv_line"] = line
        rows.append(row)
    if not rows:
        raise DataError(path, None, "no measure in file")
    df = pd.DataFrame(rows, columns=[c for c in MEASURE_COLUMNS if c in header] + ["csv_line"])
    for col in _INT:
        if col in df:
            df[col] = pd.array([int(v) if v else None for v in df[col]], dtype="Int64")  # int() reads "３"
    return df


def ref_build_assignments(measures, units, *, path=None, registry_path=None) -> pd.DataFrame:
    names = alias_map(units)
    rows, unknown = [], {}
    for mid, lead, resp, line in zip(
        measures["measure_id"],
        measures["lead_units_raw"],
        measures["responsible_units_raw"],
        measures["csv_line"],
        strict=True,
    ):
        for role, raw in (("lead", lead), ("responsible", resp)):
            for pos, name in enumerate(split_units(raw)[0] if raw else [], start=1):
                if name not in names:
                    uses = unknown.setdefault(name, [])
                    if f"{mid} (line {line})" not in uses[-1:]:  # one use per measure
                        uses.append(f"{mid} (line {line})")
                rows.append((mid, role, pos, name, names.get(name, "")))
    if unknown:  # the message lists the first few (analysis.load._unknown_message)
        from analysis.load import _SHOW_USES, _unknown_message

        shown = {n: ms[:_SHOW_USES] + [None] * max(0, len(ms) - _SHOW_USES) for n, ms in unknown.items()}
        raise DataError(path, None, _unknown_message(shown, registry_path))
    df = pd.DataFrame(rows, columns=["measure_id", "role", "position", "unit_raw", "unit"])
    df["position"] = df["position"].astype("int64")
    return df


def ref_workload_core(ds) -> pd.DataFrame:
    """The string group-by workload as it was (collectives excluded), without per-plan columns."""
    units = ds.units
    a = ds.assignments.drop_duplicates(["measure_id", "role", "unit"])[["measure_id", "role", "unit"]]
    text_len = ds.measures.set_index("measure_id")["text"].str.len()
    lead = a[a["role"] == "lead"].copy()
    lead["k"] = lead.groupby("measure_id")["unit"].transform("size")
    lead["share"] = 1.0 / lead["k"]
    lead["text"] = lead["measure_id"].map(text_len) / lead["k"]
    resp = a[a["role"] == "responsible"]
    wl = units[~units["is_collective"]][["unit", "name_en", "system"]].set_index("unit")
    g = lead.groupby("unit")
    wl["n_lead"] = g.size()
    wl["n_sole_lead"] = lead[lead["k"] == 1].groupby("unit").size()
    wl["lead_share"] = g["share"].sum()
    wl["text_load"] = g["text"].sum()
    wl["n_responsible"] = resp.groupby("unit").size()
    both = a.groupby(["unit", "measure_id"])["role"].nunique()
    wl["n_both"] = (both == 2).groupby("unit").sum()
    wl["n_total"] = a.groupby("unit")["measure_id"].nunique()
    int_cols = [c for c in wl.columns if c.startswith("n_")]
    wl[int_cols] = wl[int_cols].fillna(0).astype("int64")
    wl[["lead_share", "text_load"]] = wl[["lead_share", "text_load"]].fillna(0.0)
    wl["n_colead"] = wl["n_lead"] - wl["n_sole_lead"]
    wl = wl.reset_index().sort_values(["lead_share", "n_total", "unit"], ascending=[False, False, True], kind="stable")
    wl["rank"] = np.arange(1, len(wl) + 1)
    return wl.reset_index(drop=True)


def ref_load(measures_csv, units_csv):
    units = read_registry(units_csv)
    measures = ref_read_measures(measures_csv)
    assignments = ref_build_assignments(measures, units, path=measures_csv, registry_path=units_csv)
    counts = assignments["unit"].value_counts()
    units = units.assign(n_mentions=units["unit"].map(counts).fillna(0).astype("int64"))
    return measures, assignments, units


def assert_same_load(measures_csv, units_csv=config.UNITS_CSV):
    """Both loaders give the same frames, or the same DataError message."""
    try:
        expected = ref_load(measures_csv, units_csv)
    except DataError as exc:
        with pytest.raises(DataError) as err:
            load(measures_csv, units_csv)
        assert str(err.value) == str(exc)
        assert err.value.line == exc.line
        return None
    ds = load(measures_csv, units_csv)
    a = ds.assignments
    # role, unit_raw and unit are categoricals: unit names share one sorted set of categories
    assert all(isinstance(a[c].dtype, pd.CategoricalDtype) for c in ("role", "unit_raw", "unit"))
    assert a["unit"].cat.categories.equals(a["unit_raw"].cat.categories)
    assert a["unit"].cat.categories.is_monotonic_increasing
    assert list(a["role"].cat.categories) == ["lead", "responsible"]
    a = a.astype({c: "str" for c in ("role", "unit_raw", "unit")})
    for want, got in zip(expected, (ds.measures, a, ds.units), strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    return ds


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def corpus10k(tmp_path_factory):
    """A 10,000-measure synthetic corpus (seed 7) written in the project's formats, loaded."""
    m, u = write_corpus(tmp_path_factory.mktemp("corpus10k"), 10_000, seed=7)
    return m, u, load(m, u)


# ---------------------------------------------------------------- loader


def test_loader_equals_the_row_by_row_loader_on_the_seed_and_tiny(seed):
    assert_same_load(seed.measures_path)
    tiny = config.PROJECT_ROOT / "tests" / "fixtures" / "tiny"
    assert_same_load(tiny / "measures.csv", tiny / "units.csv")


def test_loader_equals_the_row_by_row_loader_on_10k(corpus10k):
    m, u, _ = corpus10k
    assert_same_load(m, u)


HEADER = (
    "measure_id,plan_id,plan_title,section_no,section_title,item_no,text,"
    "lead_units_raw,responsible_units_raw,source_line\n"
)
ROW1 = "P1-01,P1,方案,1,一节,1,措施甲。,区司法局、区发改委,区直相关部门,10\n"
ROW2 = "P1-02,P1,方案,1,一节,2,措施乙。,区民政局,,14\n"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(HEADER + ROW1 + ROW2, id="plain"),
        pytest.param(HEADER + ROW1.replace("措施甲。", " 措施甲。\u3000") + ROW2, id="edge-whitespace"),
        pytest.param(HEADER + ROW1.replace("P1-01", " P1-01") + ROW2, id="space-before-id"),
        pytest.param(HEADER + ROW1.replace("区发改委", " 区发改委") + ROW2, id="space-inside-list"),
        pytest.param(HEADER + ROW1 + "\n" + ROW2, id="blank-line"),
        pytest.param(HEADER + ROW1 + "   \n" + ROW2, id="whitespace-line"),
        pytest.param(HEADER + ROW1.replace("措施甲。", '"措施\n甲。"') + ROW2, id="quoted-line-break"),
        pytest.param((HEADER + ROW1 + ROW2).replace("\n", "\r\n"), id="crlf"),
        pytest.param("\ufeff" + HEADER + ROW1 + ROW2, id="bom"),
        pytest.param(HEADER + ROW1 + ROW2.rstrip("\n"), id="no-final-newline"),
        pytest.param(HEADER + ROW1.replace(",10\n", ",10,x\n") + ROW2, id="extra-field-first-row"),
        pytest.param(HEADER + ROW1 + ROW2.replace(",14\n", ",14,,\n"), id="extra-fields-later-row"),
        pytest.param(
            HEADER + ROW1.replace("区司法局、区发改委", '"区司法局,区发改委配合"') + ROW2, id="comma-and-role"
        ),
        pytest.param(HEADER + ROW1.replace("区直相关部门", "各单位党委(党组)、、区直有关部门") + ROW2, id="brackets"),
        pytest.param(HEADER + ROW1.replace("区直相关部门", "区直有关部门按职责分工负责") + ROW2, id="role-phrase"),
        pytest.param(HEADER + ROW1.replace("区司法局、区发改委", "、区司法局、、区发改委、") + ROW2, id="stray-seps"),
        pytest.param(HEADER + ROW1 + ROW2.replace("措施乙。", ""), id="empty-text"),
        pytest.param(HEADER + ROW1 + ROW2.replace("P1-02", "P1-01"), id="duplicate"),
        pytest.param(HEADER + ROW1 + ROW2.replace(",2,措施", ",二,措施"), id="bad-int"),
        pytest.param(HEADER + ROW1 + ROW2.replace(",2,措施", ",,措施"), id="empty-item"),
        pytest.param(HEADER + ROW1 + ROW2.replace("区民政局,,", ",,"), id="no-units"),
        pytest.param(HEADER + ROW1.replace("P1-01", "") + ROW2, id="empty-id"),
        pytest.param(
            HEADER + ROW1.replace(",1,措施", ",x,措施") + ROW2.replace("P1-02", "P1-01"), id="first-error-wins"
        ),
        pytest.param(
            HEADER + ROW1.replace("区发改委", "区火星局") + ROW2.replace("区民政局", "区火星局"), id="unknown"
        ),
        pytest.param(HEADER + ROW1.replace("措施甲。", "\x1c措施甲。\xa0") + ROW2, id="rare-whitespace"),
        pytest.param(HEADER + ROW1.replace("区直相关部门", "区直相关部门\u2003") + ROW2, id="em-space-at-end"),
        pytest.param(HEADER + ROW1.replace("措施甲。", "“放管服”改革。") + ROW2, id="curly-quotes-at-edges"),
        pytest.param(HEADER + ROW1.replace("措施甲。", '措施"甲"。') + ROW2, id="quote-inside-field"),
        pytest.param(HEADER + ROW1 + ROW2.replace(",2,措施", ",２,措施"), id="full-width-digit"),
        pytest.param(HEADER + ROW1 + ROW2.replace(",2,措施", ",²,措施"), id="superscript-digit"),
        pytest.param(HEADER + ROW1 + ROW2.replace(",14\n", ",-14\n"), id="negative-number"),
        pytest.param(HEADER, id="header-only"),
        pytest.param("", id="empty-file"),
        pytest.param(HEADER.replace(",source_line", "") + ROW1, id="missing-column"),
    ],
)
def test_loader_equals_the_row_by_row_loader_on_odd_files(write, content):
    assert_same_load(write("m.csv", content))


def test_loader_gb18030(write):
    assert_same_load(write("m.csv", HEADER + ROW1 + ROW2, encoding="gb18030"))


# ---------------------------------------------------------------- workload and projections


@pytest.mark.parametrize("longest", [1, 3, 40])  # 40 > NEIGHBOUR_MAX: the sort
def test_first_occurrence_equals_pandas_duplicated(longest):
    from analysis.workload import NEIGHBOUR_MAX, _first_occurrence

    rng = np.random.default_rng(longest)
    run = np.sort(rng.integers(0, 300, 2000)).astype(np.int32)
    run = np.r_[run, np.full(longest, 300, np.int32)]  # one run of exactly `longest` rows
    key = rng.integers(0, 6, len(run)).astype(np.int32)  # many repeats within a run, and across runs
    ref = ~pd.DataFrame({"run": run, "key": key}).duplicated().to_numpy()
    assert ref.sum() < len(run)  # the data has duplicates to find
    np.testing.assert_array_equal(_first_occurrence(key, run=run), ref)
    np.testing.assert_array_equal(_first_occurrence(key), ~pd.Series(key).duplicated().to_numpy())
    shuffled = rng.permutation(len(run))  # runs not grouped: the sort
    ref = ~pd.DataFrame({"run": run[shuffled], "key": key[shuffled]}).duplicated().to_numpy()
    np.testing.assert_array_equal(_first_occurrence(key[shuffled], run=run[shuffled]), ref)
    assert longest <= NEIGHBOUR_MAX or np.bincount(run).max() > NEIGHBOUR_MAX
    # one run only (the neighbours of the first rows are not the last rows)
    one = np.zeros(5, np.int32)
    np.testing.assert_array_equal(_first_occurrence(np.array([7, 8, 9, 7, 8]), run=one), [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(_first_occurrence(np.array([9, 8, 7, 6, 9]), run=one), [1, 1, 1, 1, 0])


def test_workload_equals_the_string_groupby_on_the_seed(seed):
    ref = ref_workload_core(seed)
    got = wk.workload(seed)
    pd.testing.assert_frame_equal(got[ref.columns], ref, check_exact=True)


def test_workload_equals_the_string_groupby_on_10k(corpus10k):
    ds = corpus10k[2]
    ref = ref_workload_core(ds)
    got = wk.workload(ds)
    pd.testing.assert_frame_equal(got[ref.columns], ref, check_exact=True)
    # a national corpus has hundreds of plans: no per-plan or per-section columns unless asked
    assert not any(c.startswith("n_lead_") for c in got.columns)
    wide = wk.workload(ds, by_plan=True, by_section=False)
    assert sum(c.startswith("n_lead_") for c in wide.columns) == ds.measures["plan_id"].nunique()
    assert (wide.filter(like="n_lead_").sum(axis=1) == wide["n_lead"]).all()


@pytest.mark.parametrize("role", ["lead", "responsible", None])
def test_projection_equals_networkx_on_10k(corpus10k, role):
    import networkx as nx

    ds = corpus10k[2]
    a = named_assignments(ds.assignments, ds.units)
    E = projection_edges(a, role=role)
    B = role_graph(a, role=role)
    units = [n for n, d in B.nodes(data=True) if d["bipartite"] == 0]
    P = nx.bipartite.weighted_projected_graph(B, units)
    ref = sorted((min(u, v), max(u, v), d["weight"]) for u, v, d in P.edges(data=True))
    assert list(zip(E["unit_a"], E["unit_b"], E["count"], strict=True)) == ref
    N = nx.bipartite.collaboration_weighted_projected_graph(B, units)
    newman = np.array([N.edges[a, b]["weight"] for a, b in zip(E["unit_a"], E["unit_b"], strict=True)])
    np.testing.assert_allclose(E["newman"], newman, rtol=1e-12)
    J = nx.bipartite.overlap_weighted_projected_graph(B, units)
    jac = np.array([J.edges[a, b]["weight"] for a, b in zip(E["unit_a"], E["unit_b"], strict=True)])
    np.testing.assert_allclose(E["jaccard"], jac, rtol=1e-12)


# ---------------------------------------------------------------- clusters and brokers


def _same_partition(x: pd.Series, y: pd.Series) -> bool:
    ct = pd.crosstab(x, y.reindex(x.index))
    return bool(((ct > 0).sum(axis=1) == 1).all() and ((ct > 0).sum(axis=0) == 1).all())


def test_igraph_and_networkx_find_the_same_consensus_on_the_seed(seed):
    nx_ = cl.colead_clusters(seed, backend="networkx")
    ig_ = cl.colead_clusters(seed, backend="igraph")
    x = nx_.assignment.set_index("unit")["cluster"]
    y = ig_.assignment.set_index("unit")["cluster"]
    assert _same_partition(x, y)
    assert (x == y.reindex(x.index)).all()  # same numbering too (by size, then first member)
    assert ig_.modularity == pytest.approx(nx_.modularity, rel=1e-12)
    # different random number generators: the runs differ, so the shares may too
    assert ((ig_.assignment["stability"] >= 0) & (ig_.assignment["stability"] <= 1)).all()


def test_igraph_and_networkx_find_the_same_consensus_on_10k(corpus10k):
    ds = corpus10k[2]
    nx_ = cl.colead_clusters(ds, backend="networkx", n_runs=5)
    ig_ = cl.colead_clusters(ds, backend="igraph", n_runs=5)
    x = nx_.assignment.set_index("unit")["cluster"]
    assert _same_partition(x, ig_.assignment.set_index("unit")["cluster"])
    assert ig_.modularity == pytest.approx(nx_.modularity, rel=1e-12)


@pytest.mark.parametrize("backend", ["networkx", "igraph"])
def test_consensus_on_colead_ties_equals_the_full_matrix(seed, corpus10k, monkeypatch, backend):
    for ds, n_runs in ((seed, 100), (corpus10k[2], 20 if backend == "igraph" else 3)):
        dense = cl.colead_clusters(ds, backend=backend, n_runs=n_runs)
        monkeypatch.setattr(cl, "DENSE_MAX", 0)
        sparse = cl.colead_clusters(ds, backend=backend, n_runs=n_runs)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(dense.assignment, sparse.assignment, check_exact=True)
        assert sparse.coassignment is None and dense.coassignment_edges is None
        co = dense.coassignment
        e = sparse.coassignment_edges
        on_ties = co.values[co.index.get_indexer(e["unit_a"]), co.columns.get_indexer(e["unit_b"])]
        np.testing.assert_array_equal(e["share"], on_ties)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked Louvain workers run on Linux only")
def test_louvain_runs_in_forked_workers_equal_runs_in_process(corpus10k, monkeypatch):
    ds = corpus10k[2]
    # a random graph without clear communities, where each seed gives its own partition
    rng = np.random.default_rng(3)
    pairs = np.unique(np.sort(rng.integers(0, 2000, size=(8000, 2)), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] < pairs[:, 1]]
    C = sp.csr_matrix((rng.integers(1, 4, len(pairs)).astype(float), (pairs[:, 0], pairs[:, 1])), shape=(2000, 2000))
    g = cl._igraph(C, 2000)
    seeds = [5, 6, 7]
    here = cl._louvain_runs(g, seeds, resolution=1.0, processes=1)
    forked = cl._louvain_runs(g, seeds, resolution=1.0, processes=2)
    assert len(forked) == 3
    for a, b in zip(here, forked, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(here[0], here[1])  # the seeds do make different runs
    # the whole result does not depend on where the runs ran (auto forks from PARALLEL_MIN nodes)
    ref = cl.colead_clusters(ds, backend="igraph", n_runs=4, processes=1)
    monkeypatch.setattr(cl, "PARALLEL_MIN", 0)
    calls = []
    real_forked = cl.Forked
    monkeypatch.setattr(
        cl, "Forked", lambda jobs, *, workers: calls.append(workers) or real_forked(jobs, workers=workers)
    )
    auto = cl.colead_clusters(ds, backend="igraph", n_runs=4)
    if cl.usable_cpus() > 1:
        assert calls == [4]  # one worker per run up to twice the CPUs
    pd.testing.assert_frame_equal(auto.assignment, ref.assignment, check_exact=True)
    assert auto.modularity == ref.modularity
    pd.testing.assert_frame_equal(auto.coassignment, ref.coassignment, check_exact=True)


def test_louvain_stays_in_process_on_small_graphs(seed, monkeypatch):
    monkeypatch.setattr(cl, "Forked", None)  # any attempt to fork would fail
    res = cl.colead_clusters(seed, backend="igraph", n_runs=5)
    assert res.n_runs == 5
    with pytest.raises(ValueError, match="processes must be at least 1"):
        cl.colead_clusters(seed, backend="igraph", n_runs=5, processes=0)


def test_clusters_are_unchanged_for_the_seed_reports(seed):
    """The default (auto) path on the seed is networkx × 100, as before."""
    res = cl.colead_clusters(seed)
    assert res.backend == "networkx" and res.n_runs == 100 and res.coassignment is not None


@pytest.mark.parametrize("fixture", ["seed", "tiny"])
def test_igraph_brokers_equal_networkx_brokers(request, fixture):
    ds = request.getfixturevalue(fixture)
    clus = cl.colead_clusters(ds, n_runs=20, backend="networkx")
    ref = cl.brokers(ds, clus).set_index("unit")
    got = cl.brokers(ds, clus, backend="igraph").set_index("unit").reindex(ref.index)
    for col in ("cluster", "degree_colead", "degree_all", "core_number"):
        assert (got[col] == ref[col]).all(), col
    for col in ("betweenness_colead", "betweenness_all", "participation"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-12, atol=1e-15, err_msg=col)


def test_sampled_betweenness_with_every_source_is_exact_and_a_sample_ranks_alike(corpus10k):
    from scipy.stats import spearmanr

    ds = corpus10k[2]
    clus = cl.colead_clusters(ds, n_runs=3, backend="igraph")
    exact = cl.brokers(ds, clus).set_index("unit")
    every = cl.brokers(ds, clus, n_sources=10**9).set_index("unit").reindex(exact.index)
    np.testing.assert_allclose(every["betweenness_all"], exact["betweenness_all"], rtol=1e-12)
    sample = cl.brokers(ds, clus, n_sources=200, seed=1).set_index("unit").reindex(exact.index)
    assert spearmanr(sample["betweenness_all"], exact["betweenness_all"]).statistic > 0.8


# ---------------------------------------------------------------- generator


def test_corpus_generator_shape():
    m, u = make_corpus(20_000, seed=3)
    m2, u2 = make_corpus(20_000, seed=3)
    pd.testing.assert_frame_equal(m, m2)
    pd.testing.assert_frame_equal(u, u2)
    assert m["measure_id"].is_unique and u["unit"].is_unique
    leads = m["lead_units_raw"].str.split("、").map(len)
    resp = m["responsible_units_raw"].map(lambda s: len(s.split("、")) if s else 0)
    assert leads.between(1, 7).all() and set(leads) == set(range(1, 8))
    assert resp.between(0, 9).all() and set(resp) == set(range(0, 10))
    coll = set(u.loc[u["is_collective"] == "true", "unit"])
    mentions = pd.Series([x for s in m["responsible_units_raw"] if s for x in s.split("、")])
    assert 0.35 <= mentions.isin(coll).mean() <= 0.45
    # skew: a few units lead many measures
    lead_counts = pd.Series([x for s in m["lead_units_raw"] for x in s.split("、")]).value_counts()
    top = lead_counts.head(max(1, len(lead_counts) // 100)).sum() / lead_counts.sum()
    assert top > 0.05 and lead_counts.iloc[0] > 20 * lead_counts.median()
    assert wk.gini(lead_counts.reindex(u.loc[u["is_collective"] == "false", "unit"], fill_value=0)) > 0.5


# ---------------------------------------------------------------- imports


def test_analysis_core_imports_neither_matplotlib_nor_networkx():
    code = (
        "import sys, analysis.load, analysis.workload, analysis.graph, analysis.clusters\n"
        "print(sorted(m for m in ('matplotlib', 'networkx', 'igraph') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=config.PROJECT_ROOT
    )
    assert out.stdout.strip() == "[]"


def test_ingest_command_does_not_import_matplotlib(tmp_path):
    code = (
        "import sys\nfrom analysis.cli import main\n"
        f"main(['ingest', {str(config.SEED)!r}, '-o', {str(tmp_path / 'm.csv')!r}])\n"
        "print('matplotlib' in sys.modules)\n"
        "from analysis.arrowtext import whitespace\n"
        "print(whitespace.cache_info().currsize)"  # the Unicode whitespace set: computed on use only
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=config.PROJECT_ROOT
    )
    assert out.stdout.strip().splitlines()[-2:] == ["False", "0"]


def test_igraph_stages_do_not_import_matplotlib():
    code = (
        "import sys\nfrom analysis.load import load\nfrom analysis import clusters as cl\n"
        "ds = load()\nc = cl.colead_clusters(ds, n_runs=2, backend='igraph')\ncl.brokers(ds, c)\n"
        "print('igraph' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=config.PROJECT_ROOT
    )
    assert out.stdout.strip().splitlines()[-1] == "True False"


# ---------------------------------------------------------------- views of huge graphs


def ref_unit_measures(ds, units: set) -> dict:
    """views._unit_measure_lists as it was: a Python group-by per (unit, measure) pair."""
    order = {m: i for i, m in enumerate(ds.measures["measure_id"])}
    a = ds.assignments[ds.assignments["unit"].isin(units)].drop_duplicates(["unit", "measure_id", "role"])
    roles = a.groupby(["unit", "measure_id"])["role"].agg(lambda r: "+".join(sorted(set(r))))
    out: dict = {u: [] for u in units}
    for (u, m), r in roles.items():
        out[u].append([m, r])
    for u in out:
        out[u].sort(key=lambda x: order[x[0]])
    return out


@pytest.mark.parametrize("fixture", ["seed", "corpus10k"])
def test_view_helpers_equal_the_python_group_by(request, fixture):
    from analysis import views

    ds = request.getfixturevalue(fixture)
    ds = ds[2] if isinstance(ds, tuple) else ds
    units = set(ds.assignments["unit"].drop_duplicates().iloc[::3])
    pairs = views._unit_pairs(ds, units)
    assert views._unit_measure_lists(pairs, units)[0] == ref_unit_measures(ds, units)
    a = ds.assignments.drop_duplicates(["measure_id", "role", "unit"])
    for _, g in a.groupby("role"):
        ref = g.groupby("measure_id", sort=False)["unit"].agg(list).to_dict()
        got = views._lists_by_key(g["measure_id"], g["unit"])
        assert got == ref and list(got) == list(ref)
    some = set(ds.measures["measure_id"].iloc[::5])
    full = views._measures_info(ds)
    assert views._measures_info(ds, only=some) == {m: v for m, v in full.items() if m in some}
    counts = facts.unit_counts(ds)  # the units' pairs count as all pairs do
    assert facts.unit_counts(ds, pairs).equals(counts.loc[sorted(units)])
    ref = ds.assignments.drop_duplicates(["unit", "measure_id"]).groupby("unit", observed=True).size()
    assert counts["n_total"].tolist() == ref.reindex(counts.index).tolist()


@pytest.mark.parametrize("fixture", ["seed", "tiny", "corpus10k"])
def test_projection_from_cached_codes_equals_projection_matrix(request, fixture):
    from analysis.graph import projection_matrix

    ds = request.getfixturevalue(fixture)
    ds = ds[2] if isinstance(ds, tuple) else ds
    a = named_assignments(ds.assignments, ds.units)
    for lead_only in (True, False):
        sub = a[(a["role"] == "lead").to_numpy()] if lead_only else a
        C, _, deg, units = projection_matrix(sub, role="lead" if lead_only else None, newman=False)
        C2, deg2, units2 = cl._named_projection(ds, lead_only=lead_only)
        assert list(units2) == list(units)
        np.testing.assert_array_equal(deg2, deg)
        for attr in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(C2, attr), getattr(C, attr))
    assert cl._n_lead_units(ds) == sub_lead_units(a)


def sub_lead_units(a) -> int:
    return a.loc[(a["role"] == "lead").to_numpy(), "unit"].nunique()


def _registry_row_by_row(path):
    """The registry read row by row with :class:`csv.DictReader`: the reference for the column-wise reader.

    Returns the frame, or ``(line, message, value)`` of the first problem (rows in order, the
    checks in the order of ``analysis.registry._validated`` within a row).
    """
    import csv
    import io

    from analysis.errors import read_text
    from analysis.registry import _BOOL, SYSTEMS

    text, _ = read_text(path)
    header = [h.strip().strip("\ufeff\u200b\u200c\u200d\u2060").strip() for h in next(csv.reader(io.StringIO(text)))]
    reader = csv.reader(io.StringIO(text))
    next(reader)
    rows, seen, canonical = [], {}, {}
    for fields in reader:
        if not fields:
            continue
        line = reader.line_num
        if len(fields) != len(header):
            return line, f"row has {len(fields)} fields, the header {len(header)}", None
        row = dict(zip(header, fields, strict=True))
        unit = row["unit"].strip()
        if not unit:
            return line, "empty unit name", None
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        j = row.get("jurisdiction", "").strip()
        if unit in canonical:
            return line, f"unit name already used on line {canonical[unit]}", unit
        canonical[unit] = line
        for name in (unit, *aliases):
            if (j, name) in seen:
                where = f" in jurisdiction {j}" if j else ""
                return line, f"name already used on line {seen[j, name]}{where}", name
        for name in (unit, *aliases):
            seen[j, name] = line
        system = row["system"].strip()
        if system not in SYSTEMS:
            return line, f"unknown system (one of {list(SYSTEMS)})", system
        flag = row["is_collective"].strip().lower()
        if flag not in _BOOL:
            return line, "is_collective must be true or false", row["is_collective"]
        members = tuple(m.strip() for m in row["members"].split("|") if m.strip())
        bad = [m for m in members if m not in SYSTEMS]
        if bad:
            return line, "unknown member system", bad[0]
        if members and not _BOOL[flag]:
            return line, "only a collective can have members", unit
        rows.append(
            {
                "unit": unit,
                "aliases": aliases,
                "name_en": row["name_en"].strip(),
                "system": system,
                "is_collective": _BOOL[flag],
                "members": members,
                "note": row["note"].strip(),
                "jurisdiction": j,
                "line": line,
            }
        )
    df = pd.DataFrame(rows)
    for c in ("unit", "name_en", "system", "note", "jurisdiction"):
        df[c] = df[c].astype(str)
    return df


@pytest.mark.parametrize("fixture", ["seed", "tiny", "corpus10k"])
@pytest.mark.parametrize("tokenizer", ["arrow", "csv"])
def test_column_wise_registry_equals_the_row_by_row_registry(request, fixture, tokenizer, monkeypatch):
    import analysis.arrowtext as at
    import analysis.registry as reg

    ds = request.getfixturevalue(fixture)
    ds = ds[2] if isinstance(ds, tuple) else ds
    if tokenizer == "csv":
        monkeypatch.setattr(at, "read_text_csv", lambda *a, **k: None)
    got = reg.read_registry(ds.units_path)
    pd.testing.assert_frame_equal(got, _registry_row_by_row(ds.units_path), check_dtype=False)


_REG = "unit,aliases,name_en,system,is_collective,members,note,jurisdiction\n"
_BAD_REGISTRIES = {
    "short-row": _REG + "甲,,A,government,false,,,\n乙,,B,government\n",
    "long-row": _REG + "甲,,A,government,false,,,,x\n",
    "empty-name": _REG + "甲,,A,government,false,,,\n ,,B,government,false,,,\n",
    "canonical-twice": _REG + "甲,,A,government,false,,,J1\n甲,,B,government,false,,,J2\n",
    "alias-in-one-jurisdiction": _REG + "甲,乙,A,government,false,,,J1\n丙,乙,B,government,false,,,J1\n",
    "system": _REG + "甲,,A,government,false,,,\n乙,,B,ministry,false,,,\n",
    "bool": _REG + "甲,,A,government,maybe,,,\n",
    "member": _REG + "甲,,A,collective,true,nope,,\n",
    "members-on-named": _REG + "甲,,A,government,false,party,,\n",
    "two-problems-earliest-wins": _REG + "甲,,A,government,false,,,\n乙,,B,ministry,maybe,,,\n丙,,C,government\n",
    "quoted-line-break": _REG + '甲,,"A\nB",government,false,,,\n乙,,B,ministry,false,,,\n',
}


@pytest.mark.parametrize("name", sorted(_BAD_REGISTRIES))
def test_registry_errors_equal_the_row_by_row_reference(name, tmp_path):
    import analysis.registry as reg

    path = tmp_path / "u.csv"
    path.write_text(_BAD_REGISTRIES[name], encoding="utf-8")
    line, message, value = _registry_row_by_row(path)
    with pytest.raises(DataError) as err:
        reg.read_registry(path)
    assert (err.value.line, err.value.message) == (line, message)
    if value is not None:
        assert err.value.value == value


@pytest.mark.parametrize("fixture", ["seed", "tiny", "corpus10k"])
def test_codes_handed_over_by_the_loader_equal_codes_computed_from_the_names(request, fixture):
    import dataclasses

    from analysis.graph import assignment_codes

    ds = request.getfixturevalue(fixture)
    ds = ds[2] if isinstance(ds, tuple) else ds
    handed = assignment_codes(ds)
    computed = assignment_codes(dataclasses.replace(ds))  # same frames, nothing derived yet
    assert computed is not handed
    for field in ("unit", "measure", "is_lead", "units", "registry_row", "is_collective"):
        np.testing.assert_array_equal(getattr(handed, field), getattr(computed, field))
    # and they name what the frame says
    a = ds.assignments
    assert (computed.units[computed.unit] == a["unit"].to_numpy(dtype=object)).all()
    assert (
        ds.measures["measure_id"].to_numpy(dtype=object)[computed.measure] == a["measure_id"].to_numpy(dtype=object)
    ).all()


@pytest.mark.parametrize("fixture", ["seed", "tiny", "corpus10k"])
def test_unit_edges_from_codes_equal_projection_edges_of_the_frame(request, fixture):
    from analysis.graph import unit_edges

    ds = request.getfixturevalue(fixture)
    ds = ds[2] if isinstance(ds, tuple) else ds
    for named in (True, False):
        a = named_assignments(ds.assignments, ds.units) if named else ds.assignments
        for role in ("lead", "responsible", None):
            want = projection_edges(a, role=role)
            got = unit_edges(ds, role=role, named=named)
            pd.testing.assert_frame_equal(got, want, check_exact=True)


# ---------------------------------------------------------------- benchmark script


def test_benchmark_table_takes_medians_of_runs():
    import run  # benchmarks/run.py

    def one(load, clusters, floor):
        stages = {s: {"seconds": 0.5, "peak_mb": 100.0} for s in run.STAGES if s != "view"}
        stages["load"] = {"seconds": load, "peak_mb": 300.0, "n_assignments": 4657}
        stages["clusters"] = {"seconds": clusters, "peak_mb": 250.0}
        stages["arrow floor"] = {"seconds": floor, "peak_mb": 90.0}
        return stages

    # end to end of each run: load + 0.5 (workload) + 0.5 (co-lead) + clusters + 0.5 (brokers)
    runs = [one(1.0, 1.0, 0.5), one(2.0, 5.0, 1.0), one(6.0, 2.0, 2.0)]  # 3.5, 8.5, 9.5
    lines = run.table({1000: runs}).splitlines()
    head, row = ([c.strip("| ") for c in line.split(" | ")] for line in (lines[0], lines[2]))
    cell = dict(zip(head, row, strict=True))
    assert cell["load"] == "2.00" and cell["clusters"] == "2.00"  # medians per stage
    assert cell["end to end"] == "**8.50**"  # the median of the runs' sums (the medians would sum to 5.5)
    assert cell["range"] == "3.50–9.50"
    assert cell["× floor"] == "8.5"  # 8.5 / median arrow floor 1.0
    assert cell["peak MB"] == "300"
    assert run._median([3.0, 1.0, 2.0, 10.0]) == 2.5


def _benchmark(*args) -> str:
    """What ``benchmarks/run.py ARGS`` prints (it must exit 0)."""
    script = str(config.PROJECT_ROOT / "benchmarks" / "run.py")
    run = subprocess.run(
        [sys.executable, script, *map(str, args)], capture_output=True, text=True, check=True, cwd=config.PROJECT_ROOT
    )
    return run.stdout


def test_benchmark_script_runs_end_to_end(tmp_path):
    out = _benchmark("--measures", "300", "--repeat", "2", "--no-view", "--data", tmp_path)
    assert "median of 2 runs" in out
    row = next(line for line in out.splitlines() if line.startswith("| 300 |"))
    assert len(row.split(" | ")) == 15


def test_benchmark_ingest_row_reads_the_seed_copies(tmp_path):
    out = _benchmark("--measures", "--ingest", "seedx2", "--repeat", "1", "--data", tmp_path)
    row = next(line for line in out.splitlines() if line.startswith("| seedx2 |"))
    cells = [c.strip("| *") for c in row.split(" | ")]
    assert cells[1:3] == ["2", "276"]  # two copies of the seed's 138 measures
    assert 0 < float(cells[3]) < 600  # seconds from the process's start to the ingest's end


def test_memory_sampler_pauses_twenty_times_as_long_as_a_sample_took(monkeypatch):
    """Reading a large process's PSS takes the kernel milliseconds: the sampler backs off so
    that it does not slow down what it measures."""
    import run  # benchmarks/run.py

    def slow_pss(pid):
        time.sleep(0.01)
        return 1.0

    monkeypatch.setattr(run._TreeMemory, "_children", staticmethod(lambda: [12345]))
    monkeypatch.setattr(run._TreeMemory, "_pss_mb", staticmethod(slow_pss))
    tree = run._TreeMemory(interval=0.001, max_pause=0.7)
    tree.start()
    deadline = time.monotonic() + 10
    while tree.peak == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert tree.peak == 2.0  # this process and its one child, 1 MB each
    assert 20 * 0.02 <= tree.pause <= 0.7  # two reads of at least 10 ms each; at most the cap


_NAME_PIECES = [
    "区",
    "财政局",
    "司法局",
    "、",
    "，",
    ";",
    "(",
    ")",
    "（",
    "）",
    "【",
    "】",
    " ",
    "\u3000",
    "\n",
    "牵头",
    "配合",
    "等",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PIECES), min_size=1, max_size=6).map("".join))
def test_a_plain_name_is_what_split_units_reads_and_arrow_preselects_every_other(name):
    """The loader splits lists on 、 by Arrow and sends only the names Arrow's RE2 prefilter
    catches to :func:`is_plain`: a plain name is read as itself by the tokenizer, and every
    name that is not plain is caught by the prefilter."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from analysis.vocabulary import MAYBE_NOT_PLAIN_RE2, is_plain

    if is_plain(name):
        assert split_units(name)[0] == [name]
    caught = pc.match_substring_regex(pa.array([name]), MAYBE_NOT_PLAIN_RE2)[0].as_py()
    if not caught:
        assert is_plain(name)
