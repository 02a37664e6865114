"""The bipartite unit–measure graph, sparse incidence matrices and unit projections.

Conventions (networkx's): unit nodes have ``bipartite=0`` and the canonical unit name as id;
measure nodes ``bipartite=1`` and the ``measure_id`` as id. There is one edge per
(unit, measure); its ``roles`` attribute is a tuple (``("lead",)``, ``("responsible",)`` or
``("lead", "responsible")``), so a unit that is both lead and responsible keeps both, and
``role`` is the same joined by ``+``.

Projections onto units are computed from ``scipy.sparse`` incidence matrices (B·Bᵀ); the
networkx bipartite projections are the reference in the tests, and they agree. Three weights:

``count``
    number of shared measures;
``jaccard``
    shared / (measures of a + measures of b − shared);
``newman``
    Newman's collaboration weight, Σ over shared measures of 1/(k−1), k = number of units in
    that role on the measure.

Examples
--------
>>> from analysis.load import load
>>> ds = load()
>>> G = bipartite_graph(ds)
>>> G.nodes["区司法局"]["bipartite"], G.nodes["P1-22"]["bipartite"]
(0, 1)
>>> G.edges["区政务服务和大数据局", "P1-22"]["roles"]
('lead', 'responsible')
>>> E = projection_edges(ds.assignments, role="lead")
>>> E.query("unit_a == '区司法局' and unit_b == '区政府办'")[["count", "jaccard", "newman"]].values.round(4).tolist()
[[6.0, 0.0779, 4.3667]]

They co-lead P1-13, P2-12, P2-13, P2-24 (two leads each), P2-27 (six) and P3-20 (seven):
newman = 4 + 1/5 + 1/6; 区司法局 leads 74 measures and 区政府办 9, so jaccard = 6 / (74 + 9 − 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .arrowtext import take
from .derived import derived_value

if TYPE_CHECKING:  # networkx is imported where it is used: the sparse path never needs it
    import networkx as nx

__all__ = [
    "WEIGHTS",
    "AssignmentCodes",
    "Incidence",
    "assignment_codes",
    "bipartite_graph",
    "code_projection",
    "code_subset",
    "coordination_edges",
    "edges_to_graph",
    "incidence",
    "named_assignments",
    "projection_edges",
    "projection_matrix",
    "remember_codes",
    "role_graph",
    "sparse_projection",
    "unit_edges",
]

WEIGHTS = ("count", "jaccard", "newman")
_ROLE_ORDER = {"lead": 0, "responsible": 1}


def named_assignments(assignments: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Assignments of named units only (collective placeholders dropped)."""
    collective = set(units.loc[units["is_collective"], "unit"])
    return assignments[~assignments["unit"].isin(collective)]


@dataclass(frozen=True)
class AssignmentCodes:
    """Integer codes of every row of a dataset's assignments (see :func:`assignment_codes`)."""

    unit: np.ndarray  # position in `units`
    measure: np.ndarray  # row in the dataset's measures
    is_lead: np.ndarray
    units: np.ndarray  # the registry's units in name order
    registry_row: np.ndarray  # row of the registry of each of `units`
    is_collective: np.ndarray  # of each of `units`


def _registry_order(reg: pd.DataFrame):
    """``(sorted names, their registry rows)``; None if a name repeats.

    Sorted by Arrow (UTF-8 bytes, which is code-point order: the order of Python's ``sorted``).
    """
    import pyarrow.compute as pc

    from .arrowtext import to_arrow

    arrow = to_arrow(reg["unit"])
    order = pc.sort_indices(arrow).to_numpy()
    ranked = arrow.take(order)
    if len(ranked) > 1 and pc.any(pc.equal(ranked[1:], ranked[:-1])).as_py():
        return None
    return ranked.to_numpy(zero_copy_only=False).astype(object), order


def _registry_index(reg: pd.DataFrame):
    """``(sorted names, their registry rows, index of the sorted names)``; None if a name repeats."""
    found = _registry_order(reg)
    return None if found is None else (*found, pd.Index(found[0]))


def assignment_codes(ds) -> AssignmentCodes | None:
    """Integer codes of the assignments, computed once per dataset and shared by the stages.

    :func:`~analysis.load.load` hands over the codes it made while splitting the unit lists
    (:func:`remember_codes`), so on a loaded dataset this costs nothing. For other frames they
    are computed from the names; None when a unit is not in the registry, a measure not in the
    measures table, or either repeats a name (hand-made frames): callers then work on the names.
    """

    def compute():
        a = ds.assignments
        reg = _registry_index(ds.units)
        measures = pd.Index(ds.measures["measure_id"])
        if reg is None or not measures.is_unique:
            return None
        names, order, index = reg
        ucode = index.get_indexer(a["unit"])
        mcode = measures.get_indexer(a["measure_id"])
        if len(ucode) and (ucode.min() < 0 or mcode.min() < 0):
            return None
        return AssignmentCodes(
            unit=ucode,
            measure=mcode,
            is_lead=(a["role"] == "lead").to_numpy(dtype=bool),
            units=names,
            registry_row=order,
            is_collective=ds.units["is_collective"].to_numpy(dtype=bool)[order],
        )

    return derived_value(ds, "codes", compute)


def remember_codes(ds, unit_rows: np.ndarray, rows: np.ndarray, is_lead: np.ndarray) -> None:
    """Store the codes the loader made: ``unit_rows`` (registry row of each assignment's unit) and ``rows``.

    The values are those :func:`assignment_codes` would compute (``tests/test_scale.py``).
    """
    reg = _registry_order(ds.units)
    if reg is None:
        return
    names, order = reg
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order))  # position in name order of each registry row
    codes = AssignmentCodes(
        unit=rank[unit_rows],
        measure=rows,
        is_lead=is_lead,
        units=names,
        registry_row=order,
        is_collective=ds.units["is_collective"].to_numpy(dtype=bool)[order],
    )
    ds.derived.put(ds, "codes", codes)


def bipartite_graph(ds) -> nx.Graph:
    """Build the bipartite graph of a :class:`~analysis.load.Dataset`.

    Unit nodes carry ``kind='unit'``, ``label_zh``, ``label_en``, ``system``, ``is_collective``;
    measure nodes ``kind='measure'``, ``text``, ``plan_id``, ``plan_title``, ``section_no``,
    ``section_title``, ``item_no``. Edges carry ``roles`` and ``role``.
    """
    import networkx as nx

    G = nx.Graph()
    used = set(ds.assignments["unit"])
    for u in ds.units.itertuples(index=False):
        if u.unit in used:
            G.add_node(
                u.unit,
                bipartite=0,
                kind="unit",
                label_zh=u.unit,
                label_en=u.name_en,
                system=u.system,
                is_collective=bool(u.is_collective),
            )
    for m in ds.measures.itertuples(index=False):
        G.add_node(
            m.measure_id,
            bipartite=1,
            kind="measure",
            text=m.text,
            plan_id=m.plan_id,
            plan_title=m.plan_title,
            section_no=None if pd.isna(m.section_no) else int(m.section_no),
            section_title=m.section_title,
            item_no=int(m.item_no),
        )
    roles = (
        ds.assignments.drop_duplicates(["unit", "measure_id", "role"])
        .groupby(["unit", "measure_id"], sort=False)["role"]
        .agg(lambda r: tuple(sorted(r, key=_ROLE_ORDER.get)))
    )
    for (unit, mid), rs in roles.items():
        G.add_edge(unit, mid, roles=rs, role="+".join(rs))
    return G


def role_graph(assignments: pd.DataFrame, *, role: str | None = None) -> nx.Graph:
    """A plain bipartite graph of one role (or all roles), for networkx's projection functions."""
    import networkx as nx

    a = assignments if role is None else assignments[assignments["role"] == role]
    G = nx.Graph()
    G.add_nodes_from(sorted(set(a["unit"])), bipartite=0)
    G.add_nodes_from(sorted(set(a["measure_id"])), bipartite=1)
    G.add_edges_from(zip(a["unit"], a["measure_id"], strict=True))
    return G


@dataclass(frozen=True)
class Incidence:
    """A binary units × measures matrix with its row and column labels."""

    matrix: sp.csr_matrix
    units: np.ndarray
    measures: np.ndarray


def incidence(assignments: pd.DataFrame, *, role: str | None = None, units=None, measures=None) -> Incidence:
    """Binary incidence matrix B (units × measures) of one role, or of any role if `role` is None.

    `units` and `measures` fix the row and column order (default: sorted names present).
    """
    a = assignments if role is None else assignments[assignments["role"] == role]
    a = a.drop_duplicates(["unit", "measure_id"])
    units = np.asarray(sorted(set(a["unit"])) if units is None else units, dtype=object)
    measures = np.asarray(sorted(set(a["measure_id"])) if measures is None else measures, dtype=object)
    ui = pd.Index(units).get_indexer(a["unit"])
    mi = pd.Index(measures).get_indexer(a["measure_id"])
    keep = (ui >= 0) & (mi >= 0)
    data = np.ones(int(keep.sum()), dtype=np.int64)
    B = sp.csr_matrix((data, (ui[keep], mi[keep])), shape=(len(units), len(measures)))
    return Incidence(B, units, measures)


def _codes(assignments: pd.DataFrame, *, role: str | None = None):
    """Integer codes of one role's (or all roles') assignments: ``(unit_codes, measure_codes, units)``.

    ``units`` is sorted (so code order is name order); measure codes follow first appearance.
    """
    a = assignments if role is None else assignments[(assignments["role"] == role).to_numpy()]
    ucodes, units = pd.factorize(a["unit"].to_numpy(dtype=object), sort=True)
    mcodes, measures = pd.factorize(a["measure_id"].to_numpy(dtype=object))
    return ucodes, mcodes, np.asarray(units, dtype=object), len(measures)


def _binary(rows: np.ndarray, cols: np.ndarray, shape) -> sp.csr_matrix:
    """A 0/1 CSR matrix with a one at each (row, col), duplicates counted once."""
    B = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=shape)
    B.sum_duplicates()
    B.data[:] = 1.0
    return B


def sparse_projection(ucodes: np.ndarray, mcodes: np.ndarray, shape, *, newman: bool):
    """``(count, newman, degree)`` of a units × measures incidence given by integer codes."""
    B = _binary(ucodes, mcodes, shape)
    deg = np.asarray(B.sum(axis=1)).ravel()  # measures per unit
    C = sp.triu(B @ B.T, k=1, format="csr")
    C.sort_indices()
    N = None
    if newman:
        k = np.asarray(B.sum(axis=0)).ravel()  # units per measure
        inv = np.divide(1.0, k - 1, out=np.zeros_like(k), where=k > 1)
        N = sp.triu((B @ sp.diags(inv) @ B.T), k=1, format="csr")
        N.sort_indices()
    return C, N, deg


def projection_matrix(assignments: pd.DataFrame, *, role: str | None = None, newman: bool = True):
    """The unit projection as sparse matrices: ``(count, newman, degree, units)``.

    ``count`` holds the number of shared measures of each pair above the diagonal (CSR, rows
    and columns in ``units`` order, sorted indices); ``newman`` the same pairs' Newman weights
    (or None); ``degree`` the number of measures of each unit in `role`.
    """
    ucodes, mcodes, units, n_measures = _codes(assignments, role=role)
    C, N, deg = sparse_projection(ucodes, mcodes, (len(units), n_measures), newman=newman)
    return C, N, deg, units


def _edge_frame(C: sp.csr_matrix, N: sp.csr_matrix, deg: np.ndarray, units: np.ndarray) -> pd.DataFrame:
    """The upper triangle of a projection as the edge list of :func:`projection_edges`."""
    rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    cols = C.indices
    count = C.data
    if np.array_equal(N.indptr, C.indptr) and np.array_equal(N.indices, C.indices):
        newman = N.data
    else:  # a pair whose shared measures all have one unit cannot exist; kept as a safeguard
        newman = np.asarray(N[rows, cols]).ravel() if len(rows) else np.zeros(0)
    return pd.DataFrame(
        {
            "unit_a": take(units, rows),
            "unit_b": take(units, cols),
            "count": count.astype(np.int64),
            "jaccard": count / (deg[rows] + deg[cols] - count),
            "newman": newman,
        }
    )


def projection_edges(
    assignments: pd.DataFrame, *, role: str | None = None, other_role: str | None = None
) -> pd.DataFrame:
    """Unit–unit projection via sparse B·Bᵀ, as an edge list with all three weights.

    Returns ``unit_a, unit_b, count, jaccard, newman`` with ``unit_a < unit_b``, one row per pair
    of units sharing at least one measure in `role`, sorted by the pair.

    Units are numbered in name order, so the upper triangle of B·Bᵀ read row by row is already
    sorted by the pair: no string sort, which keeps a million-measure projection in seconds.
    :func:`unit_edges` gives the same table for a loaded dataset without reading the names.
    """
    C, N, deg, units = projection_matrix(assignments, role=role)
    return _edge_frame(C, N, deg, units)


def code_subset(ds, *, role: str | None = None, named: bool = True):
    """``(unit_codes, measure_codes, units)`` of one role's (or all roles') assignments from the dataset's codes.

    Unit codes are renumbered 0…n−1 over the units present, in name order (``units``), as
    :func:`projection_matrix` numbers them; measure codes are rows of ``ds.measures``. None
    when the dataset has no codes (see :func:`assignment_codes`).
    """
    codes = assignment_codes(ds)
    if codes is None:
        return None
    keep = ~codes.is_collective[codes.unit] if named else np.ones(len(codes.unit), dtype=bool)
    if role == "lead":
        keep &= codes.is_lead
    elif role == "responsible":
        keep &= ~codes.is_lead
    elif role is not None:
        raise ValueError(f"role must be 'lead', 'responsible' or None, not {role!r}")
    ucode, mcode = codes.unit[keep], codes.measure[keep]
    present = np.flatnonzero(np.bincount(ucode, minlength=len(codes.units)))
    local = np.full(len(codes.units), -1, dtype=np.int64)
    local[present] = np.arange(len(present))
    return local[ucode], mcode, codes.units[present]


def code_projection(ds, *, role: str | None = None, named: bool = True, newman: bool = False):
    """``(count, newman, degree, units)`` of :func:`projection_matrix`, from the dataset's codes.

    Kept in ``ds.derived`` (checked against the frames), so that the co-lead table, the
    clusters and the brokers multiply B·Bᵀ once. ``newman`` is None unless asked for (or
    already computed). None when the dataset has no codes (see :func:`assignment_codes`).
    """
    tag = f"code_projection:{role}:{named}"
    store = getattr(ds, "derived", None)
    hit = store.get(ds, tag) if store is not None else None
    if hit is not None and (hit[1] is not None or not newman):
        return hit
    sub = code_subset(ds, role=role, named=named)
    if sub is None:
        return None
    ucode, mcode, units = sub
    C, N, deg = sparse_projection(ucode, mcode, (len(units), len(ds.measures)), newman=newman)
    return (C, N, deg, units) if store is None else store.put(ds, tag, (C, N, deg, units))


def unit_edges(ds, *, role: str | None = None, named: bool = True) -> pd.DataFrame:
    """``projection_edges(named_assignments(ds.assignments, ds.units), role=role)``, from the dataset's codes.

    With ``named=False`` collectives are kept (``projection_edges(ds.assignments, …)``). The
    same table, without factorising millions of names (tested on the seed and a 10k corpus).
    """
    proj = code_projection(ds, role=role, named=named, newman=True)
    if proj is None:
        a = named_assignments(ds.assignments, ds.units) if named else ds.assignments
        return projection_edges(a, role=role)
    return _edge_frame(*proj)


def edges_to_graph(edges: pd.DataFrame, *, nodes=None, directed: bool = False) -> nx.Graph:
    """Turn an edge list (``unit_a, unit_b`` or ``source, target`` + attributes) into a graph."""
    import networkx as nx

    G = nx.DiGraph() if directed else nx.Graph()
    if nodes is not None:
        G.add_nodes_from(nodes)
    a, b = ("source", "target") if "source" in edges else ("unit_a", "unit_b")
    attrs = [c for c in edges.columns if c not in (a, b)]
    for row in edges.itertuples(index=False):
        d = row._asdict()
        G.add_edge(d[a], d[b], **{c: d[c] for c in attrs})
    return G


def coordination_edges(assignments: pd.DataFrame) -> pd.DataFrame:
    """Directed lead → responsible ties: who leads measures that rely on whom.

    Returns ``source, target, count`` (number of measures where `source` leads and `target` is
    responsible; a unit never points to itself), sorted.
    """
    L = incidence(assignments, role="lead")
    R = incidence(assignments, role="responsible", measures=L.measures)
    C = (L.matrix @ R.matrix.T).tocoo()
    df = pd.DataFrame({"source": L.units[C.row], "target": R.units[C.col], "count": C.data.astype(np.int64)})
    df = df[(df["source"] != df["target"]) & (df["count"] > 0)]
    return df.sort_values(["source", "target"], ignore_index=True)
