"""Reviewer's HTML network views: one self-contained, offline, script-safe file each.

Two views, written by ``python -m analysis build`` to ``figures/``:

``network.html``
    units and measures (the bipartite graph): unit nodes sized by the number of measures that
    name them and coloured by system, small grey measure squares, lead edges solid and dark,
    responsible edges dashed and light;
``colead.html``
    units only, linked by the measures they lead together (the co-lead projection): nodes sized
    by ``lead_share`` and coloured by consensus cluster, edge width by shared measures.

What a reviewer can do in either file, with no network: search units (Chinese or English name)
and measures (id or text); click a legend entry to hide or show a system, cluster, plan or role;
click a node to highlight its neighbourhood and read, in the side panel, the unit's measures with
their full text (or the measure's text, plan, section and units); hover for a wrapped tooltip;
save the current view as PNG. ``Esc`` clears the selection. The vis-network object is the global
``network``, as in pyvis, so tests and scripts can query it; ``view`` holds a small API
(``view.select(id)``, ``view.search(text)``, ``view.png()``).

Design decisions
----------------
* **Own template, vis-network inlined.** pyvis 0.3.2's template loads Bootstrap and (unless
  ``in_line``) vis-network from CDNs, escapes nothing, passes tooltips through ``innerHTML``
  and leaves positions to a 20-second physics run. Here one small template
  (``analysis/templates/view.html`` + ``view.js``) is filled in Python; the vis-network 9.1.2
  standalone build that pyvis ships (dual Apache-2.0/MIT, header kept) is inlined. pyvis stays in
  ``requirements.txt`` only as the pinned carrier of that file; its ``Network`` class is not
  used (``from_nx`` is quadratic and its model adds nothing over plain lists).
* **One builder.** Both payloads go through :func:`_payload`: the layout, the unit nodes (size,
  colour, font and label priority as a :class:`_Look` says), the measure nodes, the side panel
  and the measure texts; :func:`network_payload` and :func:`colead_payload` state only what
  differs. The facts they show (a unit's role on a measure, its counts) come from
  :mod:`analysis.facts`, the colours from :mod:`analysis.style`.
* **Positions computed in Python.** igraph's C Kamada–Kawai for every component (deterministic,
  the same coordinates on every machine, milliseconds for 300 units; networkx's layouts remain
  for views up to :data:`NX_LAYOUT_MAX` nodes, 0 by default), the largest component on top,
  smaller components and isolates in rows below; edge lengths keep lead ties short and push
  the collective placeholders outwards.
  Coordinates are normalised to [-1, 1] and rounded; physics is off, so the first draw is
  instant and the picture is the same at every load. The page stretches the
  coordinates to the canvas and opens at zoom 1, so font sizes are screen pixels: unit labels are
  legible at the opening view whatever the window size.
* **Declutter.** Only the most loaded units carry a large label at the opening zoom; the other
  units and the measures have smaller fonts under vis-network's ``drawThreshold`` and appear as
  one zooms in, or at once when a neighbouring node is selected.
* **Text is text.** Node and edge data travel as JSON in a ``<script type="application/json">``
  block with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (:func:`escape_json`), so no data can
  close the block. The page builds every tooltip, list and panel with ``textContent`` and DOM
  elements; vis-network's own string ``title`` popup (``innerHTML``) is never used. As defence in
  depth a Content-Security-Policy allows only the two inline scripts (by SHA-256 hash) and no
  request at all (``default-src 'none'``): injected markup could neither run nor fetch.
* **Deterministic bytes.** No timestamps, sorted inputs, rounded floats, UTF-8 with LF.

For very large corpora (issue 8) :func:`colead_view` takes ``max_units`` (keep the top-N units by
lead load) and every view builds its node and edge lists directly from the tables; above
:data:`MAX_TEXTS` measures it carries each unit's first measures per role only (issue 18: only
the texts the page shows).

Examples
--------
>>> escape_json({"t": "</script><!--\u2028&"})
'{"t":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028\\\\u0026"}'
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import html
import json
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from . import facts
from .arrowtext import isin, positions, take
from .config import RANDOM_SEED
from .errors import write_text
from .registry import SYSTEMS
from .style import ROLE_COLORS, SYSTEM_COLORS, VIEW_COLORS, cluster_color, unit_color

__all__ = [
    "MAX_TEXTS",
    "NX_LAYOUT_MAX",
    "colead_payload",
    "colead_view",
    "escape_json",
    "network_payload",
    "network_view",
    "render_view",
    "show",
    "shown_system",
    "vis_network_js",
    "write_views",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
ROLE_LABELS = {"lead": ("牵头", "lead"), "responsible": ("责任", "responsible")}
MEASURE_COLOR = VIEW_COLORS["measure"]
#: Font sizes (screen pixels at the opening zoom): major units, other units, measures.
FONT_MAJOR, FONT_MINOR, FONT_MEASURE = 15, 10, 8

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def escape_json(obj) -> str:
    """Serialise `obj` as compact JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c`` …, so neither ``</script>`` nor ``<!--`` can
    appear; U+2028/U+2029 are escaped for older JavaScript parsers. ``JSON.parse`` restores
    the text unchanged.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m[0]], text)


def vis_network_js() -> str:
    """The vis-network 9.1.2 standalone build shipped inside the pyvis package (licence header kept)."""
    lib = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return lib.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- data helpers


def _r(x: float, nd: int = 4) -> float:
    return float(round(float(x), nd))


def _counts_by_unit(counts: pd.DataFrame) -> dict:
    """``{unit: (n_lead, n_responsible, n_total)}`` (Python ints) of a :func:`analysis.facts.unit_counts` table."""
    cols = [counts[c].astype("int64").tolist() for c in ("n_lead", "n_responsible", "n_total")]
    return dict(zip(counts.index.tolist(), zip(*cols, strict=True), strict=True))


def _registry_rows(ds, units) -> dict:
    """``{unit: row}`` (named tuples of the registry's columns) for the units in the set `units`."""
    reg = ds.units[ds.units["unit"].isin(units)]
    return {r.unit: r for r in reg.itertuples(index=False)}


def _lead_share(ds, tables) -> dict:
    """``{unit: lead_share}`` of ``tables["workload"]``, computed (:func:`analysis.workload.workload`) if missing."""
    if tables is not None and "workload" in tables:
        wl = tables["workload"]
    else:
        from .workload import workload

        wl = workload(ds)
    return dict(zip(_pylist(wl["unit"]), wl["lead_share"].tolist(), strict=True))


def _measures_info(ds, only=None) -> dict:
    """``{measure_id: {text, plan, section, lead units, responsible units}}`` in file order.

    `only` (a set of measure ids) keeps just those measures, filtered before any per-measure work.
    """
    measures, a = ds.measures, ds.assignments
    if only is not None:
        measures = measures[isin(measures["measure_id"], only)]
        a = a[isin(a["measure_id"], only)]
    a = facts.distinct(a)
    units = {role: _lists_by_key(g["measure_id"], g["unit"]) for role, g in a.groupby("role", observed=True)}
    lead, resp = units.get("lead", {}), units.get("responsible", {})
    # whole columns as Python lists (iterating Arrow-backed columns element by element is slow)
    text_cols = [_pylist(measures[c]) for c in ("measure_id", "text", "plan_id", "plan_title", "section_title")]
    sec = measures["section_no"]
    missing = sec.isna().to_numpy()
    section_no = [None if na else v for na, v in zip(missing, sec.fillna(0).astype("int64").tolist(), strict=True)]
    item_no = measures["item_no"].astype("int64").tolist()
    out = {}
    for (mid, text, plan_id, plan_title, section_title), sno, ino in zip(
        zip(*text_cols, strict=True), section_no, item_no, strict=True
    ):
        out[mid] = {
            "text": text,
            "plan_id": plan_id,
            "plan_title": plan_title,
            "section_no": sno,
            "section_title": section_title,
            "item_no": ino,
            "lead": lead.get(mid, []),
            "responsible": resp.get(mid, []),
        }
    return out


def _pylist(col: pd.Series) -> list:
    """A column's values as a list of Python objects, converted by Arrow when the column is Arrow-backed."""
    if hasattr(col.array, "__arrow_array__"):
        import pyarrow as pa

        return pa.array(col.array).to_pylist()
    return col.tolist()


def _names(col: pd.Series) -> list:
    """A column of names as a list of str (a categorical's through its codes)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.categories.take(col.cat.codes.to_numpy()).tolist()
    return _pylist(col)


def _lists_by_key(keys: pd.Series, values: pd.Series) -> dict:
    """``{key: [value, …]}``, keys in first-appearance order, values in row order.

    The same as ``values.groupby(keys, sort=False).agg(list).to_dict()``, without a Python call per group.
    """
    codes, uniq = pd.factorize(keys.to_numpy(dtype=object))
    order = np.argsort(codes, kind="stable")
    vals = values.to_numpy(dtype=object)[order].tolist()
    ends = np.cumsum(np.bincount(codes, minlength=len(uniq))).tolist()
    starts = [0, *ends[:-1]] if ends else []  # (no key: no group)
    return {k: vals[i:j] for k, i, j in zip(uniq.tolist(), starts, ends, strict=True)}


#: The role names a view shows for the role codes of :func:`analysis.facts.unit_roles`.
_ROLE_NAMES = {"L": "lead", "R": "responsible", "L+R": "lead+responsible"}


def _unit_pairs(ds, units=None) -> pd.DataFrame:
    """:func:`analysis.facts.unit_roles` of `units` (a set; None: every unit), in measure order,
    with ``pos``: the row of each pair's measure in the measures table."""
    pairs = facts.unit_roles(ds, units=units)
    pos = positions(pairs["measure_id"], ds.measures["measure_id"])
    order = np.argsort(pos, kind="stable")
    return pairs.iloc[order].assign(pos=pos[order]).reset_index(drop=True)


def _unit_measure_lists(pairs: pd.DataFrame, units, max_texts: int | None = None) -> tuple[dict, int | None]:
    """``({unit: [[measure_id, role], …]}, q)``: each of `units` with its measures in measure order
    and its role on each (``lead``, ``responsible`` or ``lead+responsible``), from `pairs`
    (:func:`_unit_pairs`).

    When the pairs name more than `max_texts` measures, each unit keeps its first q measures of
    each role, q = `max_texts` // (3 × units); q is None when every measure is kept.
    """
    q = None
    if max_texts is not None and pairs["measure_id"].nunique() > max_texts:
        q = max(1, max_texts // (3 * max(len(units), 1)))
        rank = pairs.groupby(["unit", "role"], sort=False, observed=True).cumcount().to_numpy()
        pairs = pairs[rank < q]
    roles = [_ROLE_NAMES[r] for r in pairs["role"].tolist()]
    entries = pd.Series([[m, r] for m, r in zip(_pylist(pairs["measure_id"]), roles, strict=True)], dtype=object)
    out: dict = {u: [] for u in units}
    out.update(_lists_by_key(pairs["unit"], entries))
    return out, q


def _plans_of(ds, pairs: pd.DataFrame) -> tuple[dict, dict]:
    """``({unit: sorted plan ids of its measures}, {measure_id: plan_id})`` of the (unit,
    measure) `pairs` (rows of :func:`_unit_pairs`)."""
    plans = take(ds.measures["plan_id"], pairs["pos"].to_numpy())
    pcode, pnames = pd.factorize(plans)
    ucode, unames = pd.factorize(pairs["unit"])
    n = max(len(pnames), 1)
    both = np.unique(ucode.astype(np.int64) * n + pcode)  # each (unit, plan) once
    pnames, unames = pd.Index(pnames).tolist(), pd.Index(unames).astype(str).tolist()
    by_unit: dict = {}
    for u, p in zip((both // n).tolist(), (both % n).tolist(), strict=True):
        by_unit.setdefault(unames[u], []).append(pnames[p])
    plan_of = dict(zip(_pylist(pairs["measure_id"]), _pylist(pd.Series(plans)), strict=True))
    return {u: sorted(ps) for u, ps in by_unit.items()}, plan_of


def _coleads(edges: pd.DataFrame, units: set) -> dict:
    """``{unit: [[co-lead, shared measures], …]}`` by decreasing count."""
    out: dict = {u: [] for u in units}
    for a, b, n in zip(edges["unit_a"], edges["unit_b"], edges["count"], strict=True):
        if a in out and b in units:
            out[a].append([b, int(n)])
        if b in out and a in units:
            out[b].append([a, int(n)])
    for u in out:
        out[u].sort(key=lambda x: (-x[1], x[0]))
    return out


def _colead_edges(ds, tables) -> pd.DataFrame:
    """``tables["colead_edges"]``, computed (the named units' lead projection, one B·Bᵀ) if missing."""
    if tables is not None and "colead_edges" in tables:
        return tables["colead_edges"]
    from .graph import named_assignments, projection_edges

    return projection_edges(named_assignments(ds.assignments, ds.units), role="lead")


def _clusters(tables) -> dict:
    """``{unit: cluster}`` of ``tables["clusters"]``; an error naming the table if it is missing.

    The consensus clusters take many Louvain runs, so a view never computes them itself.
    """
    if tables is None or "clusters" not in tables:
        raise ValueError(
            "the co-lead view needs tables['clusters'] (the consensus clusters of the co-lead network): "
            "pass tables=analysis.exports.analysis_tables(ds), or a dict with "
            "'clusters': analysis.clusters.colead_clusters(ds).assignment "
            "('workload' and 'colead_edges' are computed when missing)"
        )
    c = tables["clusters"]
    return dict(zip(_pylist(c["unit"]), c["cluster"].astype(int).tolist(), strict=True))


def shown_system(system: str, is_collective: bool) -> str:
    """The system a unit is shown (and filtered) under: ``collective`` for every collective placeholder.

    The registry's ``is_collective`` decides, as in the static charts (:func:`analysis.style.unit_color`):
    各街办 has system ``subdistrict`` but is a collective, so it is grey and hidden with 集合性表述.

    >>> shown_system("subdistrict", True), shown_system("subdistrict", False)
    ('collective', 'subdistrict')
    """
    return "collective" if is_collective else system


# --------------------------------------------------------------------------- legend


def _systems_facet(n_sys: dict, *, label: str, shape: str) -> dict:
    """Legend facet of the unit systems present (`n_sys`: units per shown system), in registry order."""
    return {
        "key": "system",
        "label": label,
        "count": "units",
        "items": [
            {
                "value": s,
                "label": SYSTEMS[s][0],
                "label_en": SYSTEMS[s][1],
                "color": SYSTEM_COLORS[s],
                "shape": shape,
                "n": int(n_sys[s]),
            }
            for s in sorted(n_sys, key=list(SYSTEMS).index)
        ],
    }


def _plans_facet(ds, measures=None) -> dict:
    """Legend facet of the plans, counting measures.

    `measures`: ``None`` (every plan, all its measures), or ``{measure_id: plan_id}`` of the
    measures to count: then only the plans with at least one of them are listed.
    """
    pid = ds.measures["plan_id"]
    codes, uniq = pd.factorize(pid.to_numpy(dtype=object) if measures is None else pid)
    first = np.unique(codes, return_index=True)[1]  # each plan's first measure, plans in file order
    titles = _pylist(pd.Series(take(ds.measures["plan_title"], first)))
    plans = list(zip(_pylist(pd.Series(uniq)), titles, strict=True))
    if measures is None:
        n = Counter(codes.tolist())
        n = {p: n[k] for k, (p, _) in enumerate(plans)}
    else:
        n = Counter(measures.values())
        plans = [(p, t) for p, t in plans if n.get(p, 0)]
    return {
        "key": "plan",
        "label": "方案 Plan(举措数 measures)",
        "count": "measures",
        "items": [
            {"value": p, "label": t, "label_en": p, "color": MEASURE_COLOR, "shape": "square", "n": int(n.get(p, 0))}
            for p, t in plans
        ],
    }


def _roles_facet(edges: list) -> dict:
    """Legend facet of the roles of the bipartite view, counting its edges (assignments)."""
    n_role = {r: sum(r in e["facets"]["role"] for e in edges) for r in ROLE_LABELS}
    items = [
        {
            "value": r,
            "label": ROLE_LABELS[r][0],
            "label_en": ROLE_LABELS[r][1],
            "color": ROLE_COLORS[r],
            "shape": "line" if r == "lead" else "dashed",
            "n": n_role[r],
        }
        for r in ROLE_LABELS
    ]
    return {"key": "role", "label": "角色 Role(分工数 assignments)", "count": "edges", "items": items}


def _clusters_facet(units: list, cl: dict, share: dict) -> dict:
    """Legend facet of the co-lead clusters of `units`, each named after its unit with the largest lead share."""
    n_cl = Counter(cl[u] for u in units)
    first = {}
    for u in sorted(units, key=lambda u: (-share.get(u, 0.0), u)):
        first.setdefault(cl[u], u)
    items = [
        {
            "value": str(c),
            "label": f"群 {c}:{first[c]}等" if n_cl[c] > 1 else f"群 {c}:{first[c]}",
            "label_en": f"cluster {c}, {int(n_cl[c])} unit(s)",
            "color": cluster_color(c),
            "shape": "dot",
            "n": int(n_cl[c]),
        }
        for c in sorted(n_cl)
    ]
    return {"key": "cluster", "label": "共同牵头群 Co-lead cluster", "count": "units", "items": items}


# --------------------------------------------------------------------------- layout

#: Views of up to this many nodes are laid out by networkx (Kamada–Kawai, spring layouts),
#: larger ones by igraph's Kamada–Kawai (C, a fixed iteration budget). 0: igraph for every view.
#: igraph's scalar C code gives the same coordinates on every x86-64 machine, where networkx's
#: (numpy and scipy's optimiser, whose vector code differs between CPUs) moved a few committed
#: coordinates in the fourth decimal from one machine to the next.
NX_LAYOUT_MAX = 0


def _igraph_kk(C: nx.Graph, nodes: list, *, weight: str) -> dict:
    """igraph's Kamada–Kawai layout of component `C` (edge attribute `weight` as length).

    Deterministic: it starts from a circle in `nodes` order and uses no random numbers; its
    iteration budget is igraph's default (50 per node), whatever the convergence.
    """
    from .clusters import _import_igraph

    ig = _import_igraph()
    idx = {n: i for i, n in enumerate(nodes)}
    pairs = sorted(
        (min(idx[u], idx[v]), max(idx[u], idx[v]), float(d.get(weight, 1.0))) for u, v, d in C.edges(data=True)
    )
    g = ig.Graph(n=len(nodes), edges=[(a, b) for a, b, _ in pairs])
    lay = g.layout_kamada_kawai(weights=[w for _, _, w in pairs])
    return {n: (float(lay[i][0]), float(lay[i][1])) for i, n in enumerate(nodes)}


def _component_layout(C: nx.Graph, *, seed: int, weight: str, kk_max: int, engine: str = "networkx") -> dict:
    """Positions of one connected component, centred, its larger side spanning [-1, 1].

    networkx: Kamada–Kawai up to `kk_max` nodes, a seeded spring layout above (``kk_max=0``:
    always spring); ``engine="igraph"``: igraph's Kamada–Kawai for every size.
    """
    nodes = sorted(C)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) == 2:
        return {nodes[0]: (-1.0, 0.0), nodes[1]: (1.0, 0.0)}
    if engine == "igraph":
        pos = _igraph_kk(C, nodes, weight=weight)
    elif len(nodes) <= kk_max:
        pos = nx.kamada_kawai_layout(C, weight=weight)
    else:
        pos = nx.spring_layout(C, k=1.6 / math.sqrt(len(C)), weight=weight, iterations=100, seed=seed)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {n: ((p[0] - cx) / half, (p[1] - cy) / half) for n, p in pos.items()}


def _layout(
    G: nx.Graph,
    *,
    seed: int,
    weight: str = "weight",
    kk_max: int = 400,
    aspect: float = 1.6,
    engine: str | None = None,
) -> dict:
    """Positions in [-1, 1]², rounded (byte-stable): main component on top, the others in rows below.

    Each connected component is laid out on its own: the largest by Kamada–Kawai (deterministic,
    spreads nodes evenly, about 2 s for 200 nodes) with edge attribute `weight` as length (above
    `kk_max` nodes by a seeded spring layout instead: Kamada–Kawai is quadratic in memory), the
    others by a seeded spring layout. The largest fills the top; the others, each in a square
    whose area is proportional to its number of nodes, are packed in rows along the bottom
    (largest first, each row centred), so neither do they squeeze the main picture nor do their
    ties run across it. The layout assumes a canvas
    `aspect` times as wide as tall (the page stretches it to the window) and gives the main
    component at least 45 % of the height.

    `engine`: ``networkx`` (as above) or ``igraph`` (igraph's Kamada–Kawai for every component:
    milliseconds where networkx takes seconds); ``None`` takes networkx up to
    :data:`NX_LAYOUT_MAX` nodes, igraph above.
    """
    if len(G) == 0:
        return {}
    if engine is None:
        engine = "networkx" if len(G) <= NX_LAYOUT_MAX else "igraph"
    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    gap = 1.3  # side of one node's square
    width = 2 * gap * math.sqrt(aspect * len(G))  # canvas in node units: four times the nodes' squares
    height = width / aspect
    rows = _component_rows(comps[1:], width=width, gap=gap)
    band = sum(max(side for _, side in r) for r in rows)
    shrink = min(1.0, 0.55 * height / band) if band else 1.0
    band *= shrink
    main_h = height - band - (gap * 0.5 if rows else 0.0)
    pos = _component_layout(G.subgraph(comps[0]), seed=seed, weight=weight, kk_max=kk_max, engine=engine)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    sx, sy = (max(xs) - min(xs)) / 2 or 1.0, (max(ys) - min(ys)) / 2 or 1.0
    out = {n: (p[0] / sx, -1 + (1 + p[1] / sy) * main_h / height) for n, p in pos.items()}  # fills the main area

    def local(c):  # a seeded spring layout: Kamada-Kawai takes about 1 s per dozen nodes with these lengths
        return _component_layout(G.subgraph(c), seed=seed, weight=weight, kk_max=0, engine=engine)

    out.update(_place_rows(rows, local, top=height - band, shrink=shrink, width=width, height=height, gap=gap))
    return {n: (_r(p[0]), _r(p[1])) for n, p in out.items()}


def _component_rows(comps: list, *, width: float, gap: float) -> list:
    """The smaller components in rows of squares (side `gap` × √nodes), filled left to right
    up to `width`: ``[[(component, side), …], …]``."""
    rows, row, row_w = [], [], 0.0
    for c in comps:
        side = gap * math.sqrt(len(c))
        if row and row_w + side > width:
            rows.append(row)
            row, row_w = [], 0.0
        row.append((c, side))
        row_w += side
    if row:
        rows.append(row)
    return rows


def _place_rows(rows, local, *, top: float, shrink: float, width: float, height: float, gap: float) -> dict:
    """Positions in [-1, 1]² of the components of `rows` (:func:`_component_rows`), each laid out
    by `local` within its square scaled by `shrink`, rows from `top` down, each row centred."""
    out = {}
    y = top
    for r in rows:
        h = max(side for _, side in r) * shrink
        x = (width - sum(side for _, side in r) * shrink) / 2
        for c, side in r:
            side *= shrink
            half = (side - gap * shrink) / 2  # keep half a node free around each component
            for n, p in local(c).items():
                px, py = x + side / 2 + p[0] * half, y + h / 2 + p[1] * half
                out[n] = (-1 + 2 * px / width, -1 + 2 * py / height)
            x += side
        y += h
    return out


# --------------------------------------------------------------------------- the builder


def _major(scores: dict, k: int) -> set:
    """The `k` units with the highest score (ties by name), labelled at the opening zoom."""
    ranked = sorted(scores, key=lambda u: (-scores[u], u))
    return set(ranked[:k])


def _unit_entry(row, counts, lead_share, *, cluster=None) -> dict:
    shown = shown_system(row.system, bool(row.is_collective))
    sys_zh, sys_en = SYSTEMS[shown]
    if shown != row.system:  # e.g. 各街办: a collective of sub-district offices
        sys_zh, sys_en = f"{sys_zh}({SYSTEMS[row.system][0]})", f"{sys_en} ({SYSTEMS[row.system][1]})"
    c = counts.get(row.unit)  # (n_lead, n_responsible, n_total)
    entry = {
        "name_en": row.name_en,
        "system": shown,
        "system_zh": sys_zh,
        "system_en": sys_en,
        "is_collective": bool(row.is_collective),
        "n_lead": c[0] if c is not None else 0,
        "n_responsible": c[1] if c is not None else 0,
        "n_total": c[2] if c is not None else 0,
        "lead_share": _r(lead_share.get(row.unit, 0.0), 3),
        "aliases": list(row.aliases),
    }
    if cluster is not None:
        entry["cluster"] = int(cluster)
    return entry


@dataclass(frozen=True)
class _Units:
    """The units a view shows: ids in node order, registry rows, and the system each is shown under."""

    ids: list
    rows: dict
    shown: dict

    @classmethod
    def of(cls, ds, ids: list) -> _Units:
        rows = _registry_rows(ds, set(ids))
        return cls(ids, rows, {u: shown_system(rows[u].system, bool(rows[u].is_collective)) for u in ids})

    def systems_facet(self, *, label: str, shape: str) -> dict:
        """The legend facet of the systems of these units (:func:`_systems_facet`)."""
        return _systems_facet(Counter(self.shown[u] for u in self.ids), label=label, shape=shape)

    def panel(self, counts: dict, share: dict, measures: dict, coleads: dict, clusters=None) -> dict:
        """The side panel's entry of each unit: names, system, `counts` (:func:`_counts_by_unit`),
        lead share, cluster (when `clusters` is given), its `measures` and `coleads`."""
        return {
            u: {
                **_unit_entry(self.rows[u], counts, share, cluster=None if clusters is None else clusters[u]),
                "measures": measures[u],
                "coleads": coleads[u],
            }
            for u in self.ids
        }


@dataclass(frozen=True)
class _Look:
    """What differs between the views' unit nodes.

    `score` sizes a unit (radius ``size[0] + size[1] * sqrt(score / top score)``), orders the
    labels (highest first, the units of `last` after all others) and picks the `n_major`
    units labelled at the opening zoom, 2 px larger from ``top score / big_at`` up.
    """

    score: dict
    size: tuple[int, int]
    big_at: int
    color: dict
    facets: dict
    border: dict | None = None
    last: frozenset = frozenset()


def _node(nid: str, kind: str, xy, *, size, color, font, rank, facets, border=None) -> dict:
    node = {"id": nid, "label": nid, "kind": kind, "x": xy[0], "y": xy[1], "size": size, "color": color}
    if border is not None:
        node["border"] = border
    return {**node, "font": font, "rank": rank, "facets": facets}


def _unit_nodes(units: _Units, look: _Look, pos: dict, n_major: int) -> list:
    score = look.score
    top = max(score.values(), default=1) or 1
    major = _major(score, n_major)
    order = sorted(units.ids, key=lambda u: (u in look.last, -score[u], u))
    rank = {u: i for i, u in enumerate(order)}
    base, span = look.size
    return [
        _node(
            u,
            "unit",
            pos[u],
            size=_r(base + span * math.sqrt(score[u] / top), 2),
            color=look.color[u],
            border=None if look.border is None else look.border[u],
            font=FONT_MAJOR + (2 if score[u] >= top / look.big_at else 0) if u in major else FONT_MINOR,
            rank=rank[u],
            facets=look.facets[u],
        )
        for u in units.ids
    ]


def _payload(*, kind, title, subtitle, units, look, layout, seed, n_major, edges, facets, panel, texts, plans=None):
    """The data of a view page, built the same way for both views.

    Lays out the graph `layout` (every node; edge attribute ``weight`` as length), draws the
    unit nodes of `units` as `look` says and, when `plans` (``{measure_id: plan_id}``) is given,
    those measures as small grey squares labelled after every unit. `edges`, the legend
    `facets`, the units' side `panel` and the measure `texts` (:func:`_measures_info`) go to the
    page as they are.
    """
    pos = _layout(layout, seed=seed)
    nodes = _unit_nodes(units, look, pos, n_major)
    after = 2 * len(nodes)  # measures' label ranks: after every unit's (from twice the units, as always numbered)
    for i, (m, p) in enumerate((plans or {}).items()):
        style = {"size": 4, "color": MEASURE_COLOR, "font": FONT_MEASURE}
        nodes.append(_node(m, "measure", pos[m], **style, rank=after + i, facets={"plan": [p]}))
    return {
        "kind": kind,
        "title": title,
        "subtitle": subtitle,
        "nodes": nodes,
        "edges": edges,
        "facets": facets,
        "units": panel,
        "measures": texts,
    }


# --------------------------------------------------------------------------- payloads


def network_payload(ds, tables=None, *, seed: int = RANDOM_SEED, n_major: int = 16) -> dict:
    """Nodes, edges, legend and texts of the units-and-measures view (the bipartite graph).

    The nodes of :func:`analysis.graph.bipartite_graph`: the units with an assignment (registry
    order, sized by the measures naming them, coloured by system) and every measure; one edge
    per (unit, measure) pair of :func:`analysis.facts.unit_roles`, with its merged role. `tables`
    gives ``workload`` and ``colead_edges`` (computed when missing).
    """
    pairs = _unit_pairs(ds)
    used = set(_names(pairs["unit"]))
    units = _Units.of(ds, [u for u in _pylist(ds.units["unit"]) if u in used])
    collective = frozenset(facts.collective_units(ds) & used)
    counts = _counts_by_unit(facts.unit_counts(ds, pairs))
    plans, _ = _plans_of(ds, pairs)
    texts = _measures_info(ds)
    edges = _bipartite_edges(pairs)
    look = _Look(
        score={u: counts[u][2] for u in units.ids},
        size=(6, 24),
        big_at=3,
        color={u: unit_color(units.rows[u].system, is_collective=u in collective) for u in units.ids},
        facets={u: {"system": [units.shown[u]], "plan": plans.get(u, [])} for u in units.ids},
        last=collective,
    )
    lists, _ = _unit_measure_lists(pairs, units.ids)
    coleads = _coleads(_colead_edges(ds, tables), used)
    return _payload(
        kind="network",
        title="单位与举措网络 · Units and measures",
        subtitle=f"{len(units.ids)} 个单位 units · {len(texts)} 项举措 measures · {len(edges)} 条分工 assignments",
        units=units,
        look=look,
        layout=_bipartite_lengths(units.ids + list(texts), edges, collective),
        seed=seed,
        n_major=n_major,
        edges=edges,
        facets=[units.systems_facet(label="系统 System", shape="dot"), _plans_facet(ds), _roles_facet(edges)],
        panel=units.panel(counts, _lead_share(ds, tables), lists, coleads),
        texts=texts,
        plans={m: t["plan_id"] for m, t in texts.items()},
    )


#: The roles merged on one (unit, measure) pair of :func:`analysis.facts.unit_roles`.
_PAIR_ROLES = {"L": ("lead",), "R": ("responsible",), "L+R": ("lead", "responsible")}


def _bipartite_edges(pairs: pd.DataFrame) -> list:
    """One edge per (unit, measure) pair, unit to measure: lead ties solid and dark, responsible ones dashed."""
    edges = []
    for u, m, code in zip(_names(pairs["unit"]), _pylist(pairs["measure_id"]), pairs["role"].tolist(), strict=True):
        roles = _PAIR_ROLES[code]
        role = "+".join(roles)
        lead = "lead" in roles
        edges.append(
            {
                "from": u,
                "to": m,
                "role": role,
                "color": ROLE_COLORS[role],
                "width": 1.6 if lead else 0.8,
                "dashes": not lead,
                "facets": {"role": list(roles)},
            }
        )
    edges.sort(key=lambda e: (e["from"], e["to"]))
    return edges


def _bipartite_lengths(nodes: list, edges: list, collective) -> nx.Graph:
    """The graph to lay out: edge length 1 for a lead tie, 1.3 for a responsible one, 2 for a
    collective placeholder's (pushed outwards)."""
    L = nx.Graph()
    L.add_nodes_from(nodes)
    for e in edges:
        w = 2.0 if e["from"] in collective else 1.3 if e["dashes"] else 1.0
        L.add_edge(e["from"], e["to"], weight=w)
    return L


#: The most measure texts a co-lead view carries (see :func:`colead_payload`).
MAX_TEXTS = 20_000


def colead_payload(
    ds,
    tables=None,
    *,
    seed: int = RANDOM_SEED,
    max_units: int | None = None,
    n_major: int = 16,
    max_texts: int | None = MAX_TEXTS,
) -> dict:
    """Nodes, edges, legend and texts of the co-lead view (units linked by measures led together).

    Nodes are the named units that lead at least one measure (``tables["clusters"]``, required:
    a :class:`ValueError` names it when missing), edges the rows of ``tables["colead_edges"]``
    (computed when missing, as is ``tables["workload"]``). With `max_units`, only the top-N units
    by ``lead_share`` (ties by name) and the ties among them are kept: a readable view of a huge corpus.

    Every unit lists all its measures (ids and roles); the page shows the text of those whose
    details it carries: all of them up to `max_texts` measures (the seed's 138), above that each
    unit's first q measures of each role, q = `max_texts` // (3 × units) (22 for 300 units), so
    that the page of a corpus stays a few megabytes (the others are listed by id).
    """
    cl = _clusters(tables)
    share = _lead_share(ds, tables)
    units = _Units.of(ds, _top_units(cl, share, max_units))
    keep = set(units.ids)
    E = _colead_edges(ds, tables)
    E = E[E["unit_a"].isin(keep) & E["unit_b"].isin(keep)].sort_values(["unit_a", "unit_b"])
    pairs = _unit_pairs(ds, keep)
    lists, quota = _unit_measure_lists(pairs, units.ids, max_texts)
    lead = pairs[pairs["role"].to_numpy() != "R"]  # the measures each unit leads
    plans, plan_of = _plans_of(ds, lead)
    edges = _colead_ties(E, cl, _lists_by_key(lead["unit"], lead["measure_id"]), plan_of)
    return _payload(
        kind="colead",
        title="共同牵头网络 · Co-lead network",
        subtitle=_colead_subtitle(len(keep), len(edges), len(cl), quota),
        units=units,
        look=_colead_look(units, cl, share, plans),
        layout=_colead_lengths(units.ids, E),
        seed=seed,
        n_major=n_major,
        edges=edges,
        facets=[
            _clusters_facet(units.ids, cl, share),
            units.systems_facet(label="系统(节点边框)System (node border)", shape="ring"),
            _plans_facet(ds, plan_of),
        ],
        panel=units.panel(_counts_by_unit(facts.unit_counts(ds, pairs)), share, lists, _coleads(E, keep), clusters=cl),
        texts=_measures_info(ds, only={m for ms in lists.values() for m, _ in ms}),
    )


def _top_units(cl: dict, share: dict, max_units: int | None) -> list:
    """The units of `cl`, sorted; with `max_units`, only the top-N by lead share (ties by name)."""
    ids = sorted(cl)
    if max_units is not None and len(ids) > max_units:
        ids = sorted(heapq.nsmallest(max_units, ids, key=lambda u: (-share.get(u, 0.0), u)))
    return ids


def _colead_look(units: _Units, cl: dict, share: dict, plans: dict) -> _Look:
    """Co-lead view units: sized by lead share, filled with their cluster's colour, ringed with their system's."""
    ids, shown = units.ids, units.shown
    return _Look(
        score={u: share.get(u, 0.0) for u in ids},
        size=(7, 26),
        big_at=4,
        color={u: cluster_color(cl[u]) for u in ids},
        border={u: SYSTEM_COLORS[shown[u]] for u in ids},
        facets={u: {"cluster": [str(cl[u])], "system": [shown[u]], "plan": plans.get(u, [])} for u in ids},
    )


def _colead_ties(E: pd.DataFrame, cl: dict, led: dict, plan_of: dict) -> list:
    """One edge per row of `E` (co-lead edges): its shared measures (`led`: unit -> measures it
    leads) and their plans, width by count, the cluster's colour within a cluster, grey across."""
    led = {u: set(ms) for u, ms in led.items()}
    cmax = max(E["count"], default=1)
    edges = []
    for a, b, n, jac in zip(E["unit_a"], E["unit_b"], E["count"], E["jaccard"], strict=True):
        shared = sorted(led.get(a, set()) & led.get(b, set()))
        edges.append(
            {
                "from": a,
                "to": b,
                "count": int(n),
                "jaccard": _r(jac, 3),
                "measures": shared,
                "color": cluster_color(cl[a]) if cl[a] == cl[b] else VIEW_COLORS["cross_cluster"],
                "width": _r(0.8 + 5 * math.sqrt((n - 1) / max(cmax - 1, 1)), 2),
                "dashes": False,
                "facets": {"plan": sorted({plan_of[m] for m in shared})},
            }
        )
    return edges


def _colead_lengths(units: list, E: pd.DataFrame) -> nx.Graph:
    """The graph to lay out: the more measures two units lead together, the shorter their tie (1/√count)."""
    L = nx.Graph()
    L.add_nodes_from(units)
    lengths = (1.0 / E["count"].astype(float) ** 0.5).round(6)
    L.add_weighted_edges_from(zip(E["unit_a"], E["unit_b"], lengths, strict=True))
    return L


def _colead_subtitle(n_units: int, n_edges: int, n_all: int, quota: int | None) -> str:
    subtitle = f"{n_units} 个牵头单位 lead units · {n_edges} 条共同牵头关系 co-lead ties"
    if n_units < n_all:
        subtitle += f"(前 {n_units} / {n_all} top units by lead share)"
    if quota is not None:
        subtitle += f" · 每单位每角色前 {quota} 项举措附全文 texts of each unit's first {quota} measures per role"
    return subtitle


# --------------------------------------------------------------------------- rendering


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def render_view(payload: dict) -> str:
    """Fill the template with `payload`: one self-contained HTML document (a string)."""
    template = (TEMPLATES / "view.html").read_text(encoding="utf-8")
    vis_js = vis_network_js()
    view_js = (TEMPLATES / "view.js").read_text(encoding="utf-8")
    for name, js in (("vis-network", vis_js), ("view.js", view_js)):
        low = js.lower()
        if "</script" in low or "<!--" in low:  # would end or confuse the inline <script> element
            raise ValueError(f"{name} contains '</script' or '<!--' and cannot be inlined")
    parts = {
        "TITLE": html.escape(payload["title"]),
        "CSP_SCRIPTS": f"{_csp_hash(vis_js)} {_csp_hash(view_js)}",
        "VIS_JS": vis_js,
        "VIEW_JS": view_js,
        "DATA": escape_json(payload),
        "ROLE_CSS": _role_css(),
    }
    # One pass, so inserted text is never scanned for placeholders again.
    return re.sub(r"@@(TITLE|CSP_SCRIPTS|VIS_JS|VIEW_JS|DATA|ROLE_CSS)@@", lambda m: parts[m[1]], template)


def _role_css() -> str:
    """The side panel's role marks (a measure's left border) in :data:`analysis.style.ROLE_COLORS`."""
    marks = {"lead": "lead", "responsible": "responsible", "both": "lead+responsible"}
    return "".join(f".m.{cls}{{border-color:{ROLE_COLORS[role]}}}" for cls, role in marks.items())


def network_view(ds, tables=None, *, seed: int = RANDOM_SEED) -> str:
    """HTML of the units-and-measures view (see the module docstring)."""
    return render_view(network_payload(ds, tables, seed=seed))


def colead_view(
    ds, tables=None, *, seed: int = RANDOM_SEED, max_units: int | None = None, max_texts: int | None = MAX_TEXTS
) -> str:
    """HTML of the co-lead view; `max_units` keeps only the top-N units by lead share, `max_texts`
    bounds the measure texts it carries (see :func:`colead_payload`)."""
    return render_view(colead_payload(ds, tables, seed=seed, max_units=max_units, max_texts=max_texts))


def write_views(ds, tables, figures_dir, *, progress=None) -> dict[str, Path]:
    """Write ``network.html`` and ``colead.html`` to `figures_dir`; returns ``{name: path}``.

    Above the sizes of :mod:`analysis.limits` the network view shows the first plans
    (:func:`analysis.limits.view_plans`) and the co-lead view the top units by lead share
    (:data:`analysis.limits.VIEW_MAX_UNITS`). `progress` is called with ``(stage, done, total)``.
    """
    from . import limits
    from .subset import subset

    figures_dir = Path(figures_dir)
    step = progress or (lambda *args: None)
    plans = limits.view_plans(ds)
    if plans is None:
        net = network_view(ds, tables)
    else:  # the first plans, with the registry cut to the units they name (the same page, and
        # at a million measures no workload table of 100,000 registry units: 0.8 GB less)
        shown = subset(ds, plans=plans)
        named = shown.units[shown.units["n_mentions"].to_numpy() > 0].reset_index(drop=True)
        net = network_view(replace(shown, units=named))
    written = {"view_network": write_text(figures_dir / "network.html", net)}
    step("views", 1, 2)
    col = colead_view(ds, tables, max_units=limits.VIEW_MAX_UNITS)
    written["view_colead"] = write_text(figures_dir / "colead.html", col)
    step("views", 2, 2)
    return written


def show(view, *, height: int = 720):
    """Show a view inline in JupyterLab (offline): an ``<iframe srcdoc>`` holding the whole page.

    `view` is the HTML string of :func:`network_view` / :func:`colead_view` or a path to a
    written file. The iframe is sandboxed (scripts and the PNG download only, no access to the
    notebook page).
    """
    from IPython.display import HTML

    if isinstance(view, Path) or not str(view).lstrip().startswith("<"):
        text = Path(view).read_text(encoding="utf-8")
    else:
        text = str(view)
    with warnings.catch_warnings():  # IPython suggests IFrame, which needs a URL: srcdoc works offline
        warnings.simplefilter("ignore", UserWarning)
        return HTML(
            f'<iframe srcdoc="{html.escape(text, quote=True)}" sandbox="allow-scripts allow-downloads" '
            f'style="width:100%;height:{int(height)}px;border:1px solid {VIEW_COLORS["frame_border"]}"></iframe>'
        )
