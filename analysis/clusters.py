"""Co-lead clusters, their stability and significance, and brokers between them.

Clusters are Louvain communities of the co-lead projection (units linked by the measures they
lead together, weighted by count). One Louvain run depends on its seed, so
:func:`colead_clusters` runs it with ``n_runs`` seeds, records how often each pair of units
lands in the same community (the co-assignment matrix), and takes as consensus the connected
groups of units co-assigned in more than half of the runs. A unit's ``stability`` is the mean
Jaccard similarity between its community in each run and its consensus cluster (1 = always the
same group).

Which co-lead ties are stronger than chance? :func:`colead_backbone` tests each pair of lead
units with a hypergeometric test: given N measures, a unit leading n_a of them and another n_b,
how likely is an overlap at least as large as observed if leads were assigned independently?
p-values are corrected for testing every pair (Benjamini–Hochberg). With 138 measures most
units lead a handful, so power is low: a non-significant tie is not evidence of no tie.

Examples
--------
>>> from analysis.load import load
>>> ds = load()
>>> cl = colead_clusters(ds, n_runs=20)
>>> int(cl.assignment.set_index("unit").loc["区法院", "cluster"]) == int(
...     cl.assignment.set_index("unit").loc["区检察院", "cluster"])
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .arrowtext import positions, take
from .config import RANDOM_SEED
from .derived import derived_value
from .forking import Forked, can_fork, usable_cpus
from .graph import (
    code_projection,
    edges_to_graph,
    named_assignments,
    projection_edges,
    projection_matrix,
)

if TYPE_CHECKING:  # networkx is imported where it is used: the sparse path never needs it
    import networkx as nx

__all__ = [
    "BACKENDS",
    "BETWEENNESS_BUDGET",
    "DENSE_MAX",
    "IGRAPH_MIN",
    "LARGE_RUNS",
    "PARALLEL_MIN",
    "Clusters",
    "benjamini_hochberg",
    "brokers",
    "cluster_profiles",
    "colead_backbone",
    "colead_clusters",
    "louvain",
    "participation",
]


#: ``backend`` values: ``auto`` takes networkx below :data:`IGRAPH_MIN` lead units, igraph above.
BACKENDS = ("auto", "networkx", "igraph")
#: Number of lead units above which ``backend="auto"`` uses igraph (the seed has 38).
IGRAPH_MIN = 200
#: Largest number of lead units for which the full units × units co-assignment matrix is kept;
#: above it the co-assignment is recorded on co-lead ties only (see :func:`colead_clusters`).
DENSE_MAX = 5_000
#: Louvain runs when ``n_runs`` is None and the graph has more than :data:`DENSE_MAX` nodes.
LARGE_RUNS = 3
#: Lead units from which ``processes=None`` runs igraph's Louvain runs in forked worker processes
#: (where the platform forks); below it the runs are short and a process costs more than it saves.
PARALLEL_MIN = 20_000
#: Exact betweenness while Σ over sources of the edges reached (≈ Σ_components n·m) stays
#: below this; above it, betweenness is estimated from a seeded sample of sources.
BETWEENNESS_BUDGET = 1e7


@dataclass(frozen=True)
class Clusters:
    """Result of :func:`colead_clusters`."""

    assignment: pd.DataFrame  # unit, cluster, stability, n_lead
    coassignment: pd.DataFrame | None  # units × units, share of runs in the same community (None if large)
    modularity: float  # of the consensus partition on the co-lead graph
    graph: nx.Graph | None  # the co-lead projection (named units that lead ≥ 1 measure); networkx backend
    n_runs: int
    seed: int
    backend: str = "networkx"
    coassignment_edges: pd.DataFrame | None = None  # unit_a, unit_b, share: on co-lead ties (large inputs)


def louvain(G: nx.Graph, *, seed: int = RANDOM_SEED, weight: str = "count", resolution: float = 1.0) -> list[set]:
    """Seeded Louvain communities (networkx), sorted by size then first member."""
    import networkx as nx

    comms = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
    return sorted((set(c) for c in comms), key=lambda c: (-len(c), min(c)))


def _n_lead_units(ds) -> int:
    """Number of named units that lead at least one measure."""
    sub = code_projection(ds, role="lead")  # (what colead_clusters needs next anyway; usually remembered)
    if sub is None:
        a = named_assignments(ds.assignments, ds.units)
        return int(a.loc[(a["role"] == "lead").to_numpy(), "unit"].nunique())
    return len(sub[3])


def _named_projection(ds, *, lead_only: bool):
    """``(count, degree, units)`` of the named units' projection, as :func:`projection_matrix` gives them.

    From the dataset's integer codes (:func:`~analysis.graph.code_projection`, shared with the
    co-lead table): the count matrix (upper triangle, rows and columns in name order) and
    degrees are the same, without factorising the names again. Kept in ``ds.derived``
    (clusters and brokers both need the co-lead projection).
    """

    role = "lead" if lead_only else None
    proj = code_projection(ds, role=role)
    if proj is not None:
        C, _, deg, units = proj
        return C, deg, units

    def compute():
        a = named_assignments(ds.assignments, ds.units)
        if lead_only:
            a = a[(a["role"] == "lead").to_numpy()]
        C, _, deg, units = projection_matrix(a, role=role, newman=False)
        return C, deg, units

    return derived_value(ds, f"named_projection:{lead_only}", compute)


def _named_igraph(ds, *, lead_only: bool):
    """:func:`_igraph` of :func:`_named_projection`, kept in ``ds.derived``."""

    def compute():
        C, _, units = _named_projection(ds, lead_only=lead_only)
        return _igraph(C, len(units), weights=lead_only)  # (all roles: brokers ignore the weights)

    return derived_value(ds, f"named_igraph:{lead_only}", compute)


def _import_igraph():
    """``igraph``, imported without matplotlib when matplotlib is not loaded yet.

    igraph's drawing module imports ``matplotlib.pyplot`` when it can (about a second); the
    analysis never draws with igraph, so the import is made with matplotlib hidden, and igraph's
    own plotting then reports that matplotlib is missing. Once matplotlib is loaded (figures),
    igraph is imported as usual.
    """
    import sys

    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        import igraph

        return igraph
    sys.modules["matplotlib"] = None  # makes ``import matplotlib`` raise ImportError
    try:
        import igraph
    finally:
        del sys.modules["matplotlib"]
    return igraph


def _igraph(C: sp.csr_matrix, n: int, *, weights: bool = True):
    """An undirected igraph Graph (with a ``count`` edge weight) from an upper-triangular CSR matrix."""
    ig = _import_igraph()

    rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    g = ig.Graph(n=n, directed=False)
    g.add_edges(np.column_stack([rows, C.indices]))  # edges in CSR order (ids as before)
    if weights:
        g.es["count"] = C.data.tolist()
    return g


def _igraph_louvain(g, *, seed: int, resolution: float) -> np.ndarray:
    """One seeded run of igraph's Louvain (``community_multilevel``): the membership vector."""
    import random

    ig = _import_igraph()
    ig.set_random_number_generator(random.Random(seed))
    try:
        return np.asarray(g.community_multilevel(weights="count", resolution=resolution).membership)
    finally:
        ig.set_random_number_generator(random)


def _louvain_runs(g, seeds: list[int], *, resolution: float, processes: int | None) -> list[np.ndarray]:
    """Memberships of one seeded igraph Louvain run per seed, in seed order.

    The runs go to forked worker processes (:class:`analysis.forking.Forked`: only the seed goes out and the
    membership vector comes back). Each run seeds its own random number generator, so the
    memberships are the same in a worker as in this process (tested). ``processes=None``:
    forked workers from :data:`PARALLEL_MIN` nodes on, one per run up to twice the usable CPUs
    (a third run on two cores then shares them rather than waiting), where the platform forks
    (Linux; elsewhere the runs stay in this process whatever `processes` says).
    ``processes=1``: in this process.
    """
    if processes is None:
        cpus = usable_cpus()
        big = g.vcount() >= PARALLEL_MIN and cpus > 1 and len(seeds) > 1
        processes = (len(seeds) if len(seeds) <= 2 * cpus else cpus) if big else 1
    if processes < 1:
        raise ValueError(f"processes must be at least 1, not {processes}")
    calls = [(_igraph_louvain, (g,), {"seed": s, "resolution": resolution}) for s in seeds]
    if processes == 1 or len(seeds) < 2 or not can_fork():
        return [f(*a, **k) for f, a, k in calls]
    with Forked(calls, workers=processes) as jobs:
        return jobs.results()


def _components(n: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Connected-component label of each of `n` nodes, given undirected links."""
    A = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(A, directed=False)[1]


def _number_clusters(nodes: np.ndarray, comp: np.ndarray) -> np.ndarray:
    """Clusters 1, 2, … by decreasing size, ties by first member's name (nodes are sorted)."""
    size = np.bincount(comp)
    first = np.full(len(size), len(nodes))
    np.minimum.at(first, comp, np.arange(len(nodes)))  # nodes sorted: smallest index = first name
    order = np.lexsort((first, -size))
    number = np.empty(len(size), dtype=int)
    number[order] = np.arange(1, len(size) + 1)
    return number[comp]


def _stability(runs: list[np.ndarray], cluster: np.ndarray) -> np.ndarray:
    """Mean Jaccard of each unit's community in each run with its consensus cluster."""
    n = len(cluster)
    stability = np.zeros(n)
    if not n:  # no lead unit: nothing to compare
        return stability
    for label in runs:
        lab = pd.factorize(label)[0]
        pair = pd.factorize(lab.astype(np.int64) * (cluster.max() + 1) + cluster)[0]
        inter = np.bincount(pair)[pair]
        run_size = np.bincount(lab)[lab]
        cons_size = np.bincount(cluster)[cluster]
        stability += inter / (run_size + cons_size - inter)
    return stability / len(runs)


def colead_clusters(
    ds,
    *,
    n_runs: int | None = 100,
    seed: int = RANDOM_SEED,
    weight: str = "count",
    resolution: float = 1.0,
    threshold: float = 0.5,
    backend: str = "auto",
    processes: int | None = None,
) -> Clusters:
    """Louvain on the co-lead projection, repeated over `n_runs` seeds, with a consensus.

    Units are the named units that lead at least one measure; a unit that never co-leads is a
    cluster of its own. Clusters are numbered 1, 2, … by decreasing size (ties: first member).

    Parameters
    ----------
    n_runs : int, optional
        Louvain runs; None: 100, or :data:`LARGE_RUNS` above :data:`DENSE_MAX` lead units.
    backend : {"auto", "networkx", "igraph"}
        Louvain of networkx (``louvain_communities``) or of igraph (``community_multilevel``);
        ``auto``: networkx below :data:`IGRAPH_MIN` lead units, igraph above. Both are Louvain,
        but with their own random number generators: the same seed gives different runs, so
        co-assignment shares and stabilities differ; the consensus usually agrees (it does on
        the seed, see ``tests/test_scale.py``). igraph supports only ``weight="count"``.
    processes : int, optional
        igraph backend: worker processes for the runs (1: none; None: forked workers on large
        graphs, see :func:`_louvain_runs`). The result does not depend on it.
    threshold : float
        The consensus joins units co-assigned in more than this share of the runs (:func:`_consensus`).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if backend == "auto":
        backend = "igraph" if _n_lead_units(ds) > IGRAPH_MIN else "networkx"
    p = _lead_projection(ds, networkx=backend == "networkx")
    n_runs = (100 if len(p.units) <= DENSE_MAX else LARGE_RUNS) if n_runs is None else n_runs
    seeds = [seed + r for r in range(n_runs)]
    G, g, runs = _runs(ds, p, backend, seeds, weight=weight, resolution=resolution, processes=processes)
    comp, co, co_edges = _consensus(runs, p, threshold)
    cluster = _number_clusters(p.units, comp)
    assignment = _assignment(p, cluster, _stability(runs, cluster))
    mod = float(_modularity(cluster, p.units, G=G, g=g, weight=weight))
    return Clusters(assignment, co, mod, G, n_runs, seed, backend, co_edges)


@dataclass(frozen=True)
class _LeadProjection:
    """The co-lead projection of the named lead units: ``C`` (units × units, co-led measures),
    ``n_lead`` (measures each leads), ``units`` (names, sorted) and, from the networkx path,
    ``lead`` (the named lead assignments)."""

    C: object
    n_lead: np.ndarray
    units: np.ndarray
    lead: pd.DataFrame | None


def _lead_projection(ds, *, networkx: bool) -> _LeadProjection:
    """The co-lead projection: from the lead assignments (networkx path, which also needs them),
    or the dataset's shared integer codes (:func:`_named_projection`)."""
    if not networkx:
        return _LeadProjection(*_named_projection(ds, lead_only=True), None)
    a = named_assignments(ds.assignments, ds.units)
    lead = a[(a["role"] == "lead").to_numpy()]
    C, _, n_lead, units = projection_matrix(lead, role="lead", newman=False)
    return _LeadProjection(C, n_lead, units, lead)


def _runs(ds, p: _LeadProjection, backend: str, seeds: list[int], *, weight, resolution, processes):
    """``(networkx graph or None, igraph graph or None, one membership array per seed)``."""
    if backend == "networkx":
        G = edges_to_graph(projection_edges(p.lead, role="lead"), nodes=list(p.units))
        return G, None, [_networkx_labels(G, p.units, s, weight=weight, resolution=resolution) for s in seeds]
    if weight != "count":
        raise ValueError("the igraph backend weighs ties by count only")
    g = _named_igraph(ds, lead_only=True)
    return None, g, _louvain_runs(g, seeds, resolution=resolution, processes=processes)


def _networkx_labels(G, units, seed: int, *, weight: str, resolution: float) -> np.ndarray:
    """One Louvain run of networkx: each unit's community number, units in `units` order."""
    idx = {u: i for i, u in enumerate(units)}
    label = np.empty(len(units), dtype=int)
    for c, members in enumerate(louvain(G, seed=seed, weight=weight, resolution=resolution)):
        label[[idx[u] for u in members]] = c
    return label


def _consensus(runs: list[np.ndarray], p: _LeadProjection, threshold: float):
    """``(component of each unit, co-assignment matrix or None, co-assignment edges or None)``.

    Up to :data:`DENSE_MAX` lead units the consensus joins any two units co-assigned in more
    than `threshold` of the runs (``coassignment`` is the full matrix). Above it, only pairs
    that co-lead are considered (``coassignment_edges``; ``coassignment`` is None): a units ×
    units matrix of 100,000 units would take 80 GB. The two agree when every consensus group is
    held together by co-lead ties, as Louvain's communities almost always are.
    """
    n, C = len(p.units), p.C
    if n <= DENSE_MAX:
        co = np.zeros((n, n))
        for label in runs:
            co += label[:, None] == label[None, :]
        co /= len(runs)
        iu = np.argwhere(np.triu(co > threshold, k=1))
        return _components(n, iu[:, 0], iu[:, 1]), pd.DataFrame(co, index=list(p.units), columns=list(p.units)), None
    rows, cols = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr)), C.indices
    share = np.zeros(len(rows))
    for label in runs:
        share += label[rows] == label[cols]
    share /= len(runs)
    keep = share > threshold
    edges = pd.DataFrame({"unit_a": take(p.units, rows), "unit_b": take(p.units, cols), "share": share})
    return _components(n, rows[keep], cols[keep]), None, edges


def _assignment(p: _LeadProjection, cluster: np.ndarray, stability: np.ndarray) -> pd.DataFrame:
    """``unit, cluster, stability, n_lead``, by cluster, then measures led (more first), then name."""
    n = len(p.units)
    n_lead = p.n_lead.astype(np.int64)  # measures led: row sums of the binary incidence matrix
    out = pd.DataFrame(
        {"unit": take(p.units, np.arange(n)), "cluster": cluster, "stability": stability, "n_lead": n_lead}
    )
    # = sort_values(["cluster", "n_lead", "unit"], ascending=[True, False, True]); units are in name order
    return out.take(np.lexsort((np.arange(n), -n_lead, cluster))).reset_index(drop=True)


def _modularity(cluster: np.ndarray, units, *, G, g, weight: str) -> float:
    """Modularity of the consensus clusters on the networkx graph `G`, or the igraph graph `g`."""
    if G is not None:
        import networkx as nx

        if not G.number_of_edges():  # no co-lead tie: every unit alone, modularity 0 (networkx divides by 0)
            return 0.0

        consensus = [set(units[cluster == c]) for c in range(1, cluster.max() + 1)] if len(units) else []
        return nx.community.modularity(G, consensus, weight=weight)
    return g.modularity((cluster - 1).tolist(), weights="count") if g.ecount() else 0.0


def _dominant_sections(first: pd.DataFrame, top_sections: int) -> pd.Series:
    """Per cluster, its `top_sections` sections with the most measures led (``key title (n)``,
    joined by ``; ``); `first` holds each (cluster, measure) once with its section ``_key`` and ``_title``."""
    top = (
        first.groupby(["cluster", "_key", "_title"])
        .size()
        .rename("count")
        .reset_index()
        .sort_values(["cluster", "count", "_key", "_title"], ascending=[True, False, True, True], kind="stable")
        .groupby("cluster")
        .head(top_sections)
    )
    return (
        (top["_key"].astype(str) + " " + top["_title"].astype(str) + " (" + top["count"].astype(str) + ")")
        .groupby(top["cluster"].to_numpy())
        .agg("; ".join)
    )


def cluster_profiles(ds, clusters: Clusters, *, top_sections: int = 3) -> pd.DataFrame:
    """One row per cluster: members, measures led by ≥ 2 members, dominant plan sections."""
    lead = named_assignments(ds.assignments, ds.units).query("role == 'lead'")
    lead = lead.drop_duplicates(["unit", "measure_id"])
    cl = clusters.assignment.set_index("unit")["cluster"]
    sec = ds.measures.set_index("measure_id")
    sec_key = sec["plan_id"] + "-S" + sec["section_no"].astype("string").fillna("0")
    at = sec.index.get_indexer(lead["measure_id"])  # each lead row's section, looked up once
    lead = lead.assign(
        cluster=lead["unit"].map(cl), _key=sec_key.iloc[at].values, _title=sec["section_title"].iloc[at].values
    )
    lead = lead[lead["cluster"].notna().to_numpy()]
    asg = clusters.assignment
    # Each statistic for all clusters at once (a loop over 2,000 clusters of a corpus took minutes).
    members = (
        asg.sort_values(["cluster", "n_lead", "unit"], ascending=[True, False, True], kind="stable")
        .groupby("cluster", sort=True)["unit"]
        .agg(list)
    )
    first = lead.drop_duplicates(["cluster", "measure_id"])  # the measures led, in order of first occurrence
    n_led = first.groupby("cluster").size()
    per_measure = lead.groupby(["cluster", "measure_id"]).size()  # (lead rows are distinct per unit and measure)
    shared = per_measure[per_measure >= 2].reset_index().groupby("cluster")["measure_id"].agg(sorted)
    sections = _dominant_sections(first, top_sections)
    stability = asg.groupby("cluster")["stability"].mean()
    rows = []
    for c, units in members.items():
        ids = shared.get(c, [])
        rows.append(
            {
                "cluster": c,
                "n_members": len(units),
                "members": "、".join(units),
                "n_measures_led": int(n_led.get(c, 0)),
                "n_shared_measures": len(ids),
                "shared_measures": " ".join(ids),
                "mean_stability": stability[c],
                "dominant_sections": sections.get(c, ""),
            }
        )
    return pd.DataFrame(rows)


def benjamini_hochberg(p, *, n_tests: int | None = None) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    `n_tests` (at least ``len(p)``) counts tests whose p-values are not given because they are
    1: the pairs that never co-lead. Their terms p·m/rank are at least 1, so they never lower
    a q-value below the cap of 1, and the result is the one over the full array without it
    (90,000 lead units: 4·10⁹ pairs, 32 GB).

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    >>> benjamini_hochberg([0.01, 0.04], n_tests=4).round(4).tolist()
    [0.04, 0.08]
    """
    p = np.asarray(p, dtype=float)
    n = len(p)
    m = n if n_tests is None else n_tests
    if m < n:
        raise ValueError(f"n_tests ({m}) is smaller than the number of p-values ({n})")
    if n == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def colead_backbone(ds, *, alpha: float = 0.05) -> pd.DataFrame:
    """Hypergeometric test of every pair of lead units, with Benjamini–Hochberg correction.

    Returns one row per pair that co-leads at least once: ``unit_a, unit_b, count, n_a, n_b,
    expected, p_value, q_value, significant``. The correction counts *every* pair of lead units
    (pairs that never co-lead have p = 1), so the q-values are honest about the number of tests.
    The p-values come from :func:`analysis.hypergeom.hypergeom_sf` (scipy's ``hypergeom.sf`` to
    1e-13, 3 µs a pair instead of 0.2–0.4 ms: 549,661 co-leading pairs at a million measures);
    pairs whose p-values are equal as numbers get equal bits, so they are ordered by name.
    """
    from .hypergeom import hypergeom_sf

    lead = named_assignments(ds.assignments, ds.units).query("role == 'lead'")
    lead = lead.drop_duplicates(["unit", "measure_id"])
    N = ds.measures["measure_id"].nunique()
    n_lead = lead.groupby("unit").size()
    e = projection_edges(lead, role="lead")[["unit_a", "unit_b", "count"]].copy()
    e["n_a"] = e["unit_a"].map(n_lead).astype("int64")
    e["n_b"] = e["unit_b"].map(n_lead).astype("int64")
    e["expected"] = e["n_a"] * e["n_b"] / N
    e["p_value"] = hypergeom_sf(e["count"].to_numpy(), N, e["n_a"].to_numpy(), e["n_b"].to_numpy())
    n_units = len(n_lead)
    e["q_value"] = benjamini_hochberg(e["p_value"].to_numpy(), n_tests=n_units * (n_units - 1) // 2)
    e["significant"] = e["q_value"] < alpha
    return e.sort_values(["p_value", "unit_a", "unit_b"], ignore_index=True)


def participation(G: nx.Graph, membership: dict, *, weight: str = "count") -> dict:
    """Participation coefficient P = 1 − Σ_c (k_ic / k_i)² (Guimerà & Amaral), 0 for isolates."""
    out = {}
    for u in G:
        k = {}
        for v, d in G[u].items():
            k[membership[v]] = k.get(membership[v], 0) + d.get(weight, 1)
        total = sum(k.values())
        out[u] = 0.0 if total == 0 else 1.0 - sum((x / total) ** 2 for x in k.values())
    return out


def brokers(
    ds, clusters: Clusters, *, backend: str = "auto", n_sources: int | None = None, seed: int = RANDOM_SEED
) -> pd.DataFrame:
    """Who bridges groups: betweenness, participation across clusters, k-core number.

    ``betweenness_colead`` is on the co-lead projection, ``betweenness_all`` and ``core_number``
    on the projection of all roles (units sharing any measure); both unweighted and normalised.
    ``participation`` uses the consensus clusters and co-lead counts.

    Parameters
    ----------
    backend : {"auto", "networkx", "igraph"}
        ``auto`` follows ``clusters.backend``. igraph gives the same numbers as networkx (to
        rounding: igraph counts each pair once, networkx each direction and halves).
    n_sources : int, optional
        Estimate betweenness from this many seeded random source units (igraph only), scaled by
        n / n_sources. Default: exact while the work (Σ over components of nodes × edges) stays
        under :data:`BETWEENNESS_BUDGET`, else as many sources as that budget allows (≥ 100).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if backend == "auto":
        backend = clusters.backend
    if backend == "networkx":
        return _brokers_networkx(named_assignments(ds.assignments, ds.units), clusters)
    lead_units = _named_projection(ds, lead_only=True)[2]
    deg_lead, b_lead, part = _colead_measures(ds, clusters, n_sources=n_sources, seed=seed)
    units, deg_all, b_all, core = _all_roles_measures(ds, n_sources=n_sources, seed=seed)
    pos = positions(units, lead_units)

    df = pd.DataFrame(
        {
            "unit": units,
            "cluster": _cluster_of(clusters, units),
            "degree_colead": _on_all_units(deg_lead, pos, 0),
            "betweenness_colead": _on_all_units(b_lead, pos, 0.0),
            "participation": _on_all_units(part, pos, 0.0),
            "degree_all": deg_all,
            "betweenness_all": b_all,
            "core_number": core,
        }
    )
    # = df.sort_values(["betweenness_colead", "betweenness_all", "unit"], ascending=[False, False, True]):
    # `units` are in name order, so their position breaks the ties (no string sort)
    order = np.lexsort((np.arange(len(df)), -df["betweenness_all"].to_numpy(), -df["betweenness_colead"].to_numpy()))
    return df.take(order).reset_index(drop=True)


def _on_all_units(values, pos: np.ndarray, fill) -> np.ndarray:
    """Values of the lead units spread onto all units: unit i gets ``values[pos[i]]``, or `fill`
    where ``pos[i]`` is -1 (a unit that leads nothing)."""
    values = np.asarray(values)
    out = np.full(len(pos), fill, dtype=values.dtype if len(values) else float)
    out[pos >= 0] = values[pos[pos >= 0]]
    return out


def _cluster_of(clusters: Clusters, names) -> np.ndarray:
    """Consensus cluster of each of `names` (0 for a unit not in the clustering), by Arrow look-up."""
    number = np.r_[clusters.assignment["cluster"].to_numpy(dtype=np.int64), 0]  # position −1 → 0
    return number[positions(names, clusters.assignment["unit"])]


def _colead_measures(ds, clusters: Clusters, *, n_sources, seed):
    """``(degree, betweenness, participation)`` of the lead units on the co-lead projection."""
    C_lead, _, lead_units = _named_projection(ds, lead_only=True)
    g_lead = _named_igraph(ds, lead_only=True)  # (betweenness and degree ignore the weights)
    b_lead = _betweenness(g_lead, C_lead, n_sources=n_sources, seed=seed)
    part = _participation_sparse(C_lead, _cluster_of(clusters, lead_units))
    return np.asarray(g_lead.degree()), b_lead, part


def _all_roles_measures(ds, *, n_sources, seed):
    """``(units, degree, betweenness, core number)`` on the projection of all roles.

    Not handed to a forked worker as the Louvain runs are: measured on a million measures, the
    worker's share took a third longer there (copy-on-write faults on the inherited heap) and
    the whole was no faster.
    """
    C_all, _, units = _named_projection(ds, lead_only=False)
    g_all = _named_igraph(ds, lead_only=False)
    b_all = _betweenness(g_all, C_all, n_sources=n_sources, seed=seed)
    return units, np.asarray(g_all.degree()), b_all, np.asarray(g_all.coreness())


def _betweenness(g, C: sp.csr_matrix, *, n_sources: int | None, seed: int) -> np.ndarray:
    """Normalised betweenness as networkx gives it (exact or estimated from sampled sources)."""
    n = g.vcount()
    if n <= 2:
        return np.zeros(n)
    scale = 2.0 / ((n - 1) * (n - 2))  # networkx's normalisation of pair counts, undirected
    if n_sources is None:
        rows = np.repeat(np.arange(n), np.diff(C.indptr))
        comp = connected_components(C, directed=False)[1]  # (C holds each tie once: read as undirected)
        m_comp = np.bincount(comp[rows], minlength=comp.max() + 1)
        work = float(np.sum(np.bincount(comp).astype(np.float64) * m_comp))
        if work <= BETWEENNESS_BUDGET:
            return np.asarray(g.betweenness(directed=False)) * scale
        n_sources = max(100, int(BETWEENNESS_BUDGET * n / work))
    if n_sources >= n:
        return np.asarray(g.betweenness(directed=False)) * scale
    sources = np.sort(np.random.default_rng(seed).choice(n, size=n_sources, replace=False)).tolist()
    return np.asarray(g.betweenness(directed=False, sources=sources)) * (n / n_sources) * scale


def _participation_sparse(C: sp.csr_matrix, membership: np.ndarray) -> np.ndarray:
    """Participation coefficient from an upper-triangular count matrix and cluster labels."""
    n = C.shape[0]
    if n == 0:
        return np.zeros(0)
    W = (C + C.T).tocsr()
    labels, codes = np.unique(membership, return_inverse=True)
    M = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, len(labels)))
    K = (W @ M).toarray() if len(labels) * n <= 5e7 else None
    total = np.asarray(W.sum(axis=1)).ravel()
    if K is not None:
        sq = (K**2).sum(axis=1)
    else:
        Ks = (W @ M).tocsr()
        sq = np.asarray(Ks.multiply(Ks).sum(axis=1)).ravel()
    return np.where(total > 0, 1.0 - sq / np.where(total > 0, total, 1) ** 2, 0.0)


def _brokers_networkx(a: pd.DataFrame, clusters: Clusters) -> pd.DataFrame:
    import networkx as nx

    G_all = edges_to_graph(projection_edges(a), nodes=sorted(set(a["unit"])))
    G_lead = clusters.graph
    if G_lead is None:
        lead = a[a["role"] == "lead"]
        G_lead = edges_to_graph(projection_edges(lead, role="lead"), nodes=sorted(set(lead["unit"])))
    cl = clusters.assignment.set_index("unit")["cluster"].to_dict()
    b_lead = nx.betweenness_centrality(G_lead, normalized=True)
    b_all = nx.betweenness_centrality(G_all, normalized=True)
    core = nx.core_number(G_all)
    part = participation(G_lead, cl)
    units = sorted(G_all)
    df = pd.DataFrame(
        {
            "unit": units,
            "cluster": [cl.get(u, 0) for u in units],
            "degree_colead": [G_lead.degree(u) if u in G_lead else 0 for u in units],
            "betweenness_colead": [b_lead.get(u, 0.0) for u in units],
            "participation": [part.get(u, 0.0) for u in units],
            "degree_all": [G_all.degree(u) for u in units],
            "betweenness_all": [b_all[u] for u in units],
            "core_number": [core[u] for u in units],
        }
    )
    return df.sort_values(
        ["betweenness_colead", "betweenness_all", "unit"], ascending=[False, False, True], ignore_index=True
    )
