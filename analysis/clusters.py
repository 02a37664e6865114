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

import networkx as nx
import numpy as np
import pandas as pd

from .config import RANDOM_SEED
from .graph import edges_to_graph, named_assignments, projection_edges

__all__ = [
    "Clusters",
    "benjamini_hochberg",
    "brokers",
    "cluster_profiles",
    "colead_backbone",
    "colead_clusters",
    "louvain",
    "participation",
]


@dataclass(frozen=True)
class Clusters:
    """Result of :func:`colead_clusters`."""

    assignment: pd.DataFrame  # unit, cluster, stability, n_lead
    coassignment: pd.DataFrame  # units × units, share of runs in the same community
    modularity: float  # of the consensus partition on the co-lead graph
    graph: nx.Graph  # the co-lead projection (named units that lead ≥ 1 measure)
    n_runs: int
    seed: int


def louvain(G: nx.Graph, *, seed: int = RANDOM_SEED, weight: str = "count", resolution: float = 1.0) -> list[set]:
    """Seeded Louvain communities (networkx), sorted by size then first member."""
    comms = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
    return sorted((set(c) for c in comms), key=lambda c: (-len(c), min(c)))


def colead_clusters(
    ds,
    *,
    n_runs: int = 100,
    seed: int = RANDOM_SEED,
    weight: str = "count",
    resolution: float = 1.0,
    threshold: float = 0.5,
) -> Clusters:
    """Louvain on the co-lead projection, repeated over `n_runs` seeds, with a consensus.

    Units are the named units that lead at least one measure; a unit that never co-leads is a
    cluster of its own. Clusters are numbered 1, 2, … by decreasing size (ties: first member).
    """
    a = named_assignments(ds.assignments, ds.units)
    lead = a[a["role"] == "lead"]
    nodes = sorted(set(lead["unit"]))
    G = edges_to_graph(projection_edges(lead, role="lead"), nodes=nodes)
    idx = {u: i for i, u in enumerate(nodes)}
    n = len(nodes)
    co = np.zeros((n, n))
    runs = []
    for r in range(n_runs):
        comms = louvain(G, seed=seed + r, weight=weight, resolution=resolution)
        label = np.empty(n, dtype=int)
        for c, members in enumerate(comms):
            label[[idx[u] for u in members]] = c
        co += label[:, None] == label[None, :]
        runs.append(label)
    co /= n_runs
    H = nx.Graph()
    H.add_nodes_from(nodes)
    iu = np.argwhere(np.triu(co > threshold, k=1))
    H.add_edges_from((nodes[i], nodes[j]) for i, j in iu)
    consensus = sorted((set(c) for c in nx.connected_components(H)), key=lambda c: (-len(c), min(c)))
    cluster = np.empty(n, dtype=int)
    for c, members in enumerate(consensus, start=1):
        cluster[[idx[u] for u in members]] = c
    stability = np.zeros(n)
    for label in runs:
        same_run = label[:, None] == label[None, :]
        same_cons = cluster[:, None] == cluster[None, :]
        inter = (same_run & same_cons).sum(axis=1)
        union = (same_run | same_cons).sum(axis=1)
        stability += inter / union
    stability /= n_runs
    n_lead = lead.drop_duplicates(["unit", "measure_id"]).groupby("unit").size()
    assignment = pd.DataFrame(
        {"unit": nodes, "cluster": cluster, "stability": stability, "n_lead": n_lead.reindex(nodes).to_numpy()}
    )
    assignment = assignment.sort_values(["cluster", "n_lead", "unit"], ascending=[True, False, True], ignore_index=True)
    mod = nx.community.modularity(G, consensus, weight=weight)
    return Clusters(assignment, pd.DataFrame(co, index=nodes, columns=nodes), float(mod), G, n_runs, seed)


def cluster_profiles(ds, clusters: Clusters, *, top_sections: int = 3) -> pd.DataFrame:
    """One row per cluster: members, measures led by ≥ 2 members, dominant plan sections."""
    lead = named_assignments(ds.assignments, ds.units).query("role == 'lead'")
    lead = lead.drop_duplicates(["unit", "measure_id"])
    cl = clusters.assignment.set_index("unit")["cluster"]
    lead = lead.assign(cluster=lead["unit"].map(cl))
    sec = ds.measures.set_index("measure_id")
    rows = []
    for c, grp in clusters.assignment.groupby("cluster", sort=True):
        members = grp.sort_values(["n_lead", "unit"], ascending=[False, True])["unit"].tolist()
        ml = lead[lead["cluster"] == c]
        per_measure = ml.groupby("measure_id")["unit"].nunique()
        shared = per_measure[per_measure >= 2].index
        led = ml["measure_id"].unique()
        keys = sec.loc[led, "plan_id"] + "-S" + sec.loc[led, "section_no"].astype("string").fillna("0")
        titles = sec.loc[led, "section_title"]
        top = (
            pd.DataFrame({"key": keys.values, "title": titles.values})
            .value_counts()
            .reset_index()
            .sort_values(["count", "key"], ascending=[False, True])
            .head(top_sections)
        )
        rows.append(
            {
                "cluster": c,
                "n_members": len(members),
                "members": "、".join(members),
                "n_measures_led": len(led),
                "n_shared_measures": len(shared),
                "shared_measures": " ".join(sorted(shared)),
                "mean_stability": grp["stability"].mean(),
                "dominant_sections": "; ".join(f"{k} {t} ({n})" for k, t, n in top.itertuples(index=False)),
            }
        )
    return pd.DataFrame(rows)


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    p = np.asarray(p, dtype=float)
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def colead_backbone(ds, *, alpha: float = 0.05) -> pd.DataFrame:
    """Hypergeometric test of every pair of lead units, with Benjamini–Hochberg correction.

    Returns one row per pair that co-leads at least once: ``unit_a, unit_b, count, n_a, n_b,
    expected, p_value, q_value, significant``. The correction counts *every* pair of lead units
    (pairs that never co-lead have p = 1), so the q-values are honest about the number of tests.
    """
    from scipy.stats import hypergeom

    lead = named_assignments(ds.assignments, ds.units).query("role == 'lead'")
    lead = lead.drop_duplicates(["unit", "measure_id"])
    N = ds.measures["measure_id"].nunique()
    n_lead = lead.groupby("unit").size()
    e = projection_edges(lead, role="lead")[["unit_a", "unit_b", "count"]].copy()
    e["n_a"] = e["unit_a"].map(n_lead).astype("int64")
    e["n_b"] = e["unit_b"].map(n_lead).astype("int64")
    e["expected"] = e["n_a"] * e["n_b"] / N
    e["p_value"] = hypergeom.sf(e["count"] - 1, N, e["n_a"], e["n_b"])
    n_units = len(n_lead)
    n_pairs = n_units * (n_units - 1) // 2
    p_all = np.concatenate([e["p_value"].to_numpy(), np.ones(n_pairs - len(e))])
    e["q_value"] = benjamini_hochberg(p_all)[: len(e)]
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


def brokers(ds, clusters: Clusters) -> pd.DataFrame:
    """Who bridges groups: betweenness, participation across clusters, k-core number.

    ``betweenness_colead`` is on the co-lead projection, ``betweenness_all`` and ``core_number``
    on the projection of all roles (units sharing any measure); both unweighted and normalised.
    ``participation`` uses the consensus clusters and co-lead counts.
    """
    a = named_assignments(ds.assignments, ds.units)
    G_all = edges_to_graph(projection_edges(a), nodes=sorted(set(a["unit"])))
    G_lead = clusters.graph
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
