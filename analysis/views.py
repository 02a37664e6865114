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
from .style import ROLE_COLORS, SYSTEM_COLORS, cluster_color, unit_color

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
MEASURE_COLOR = "#8C96A0"
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
    a = a.drop_duplicates(["measure_id", "role", "unit"])
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


def _lists_by_key(keys: pd.Series, values: pd.Series) -> dict:
    """``{key: [value, …]}``, keys in first-appearance order, values in row order.

    The same as ``values.groupby(keys, sort=False).agg(list).to_dict()``, without a Python call per group.
    """
    codes, uniq = pd.factorize(keys.to_numpy(dtype=object))
    order = np.argsort(codes, kind="stable")
    vals = values.to_numpy(dtype=object)[order].tolist()
    ends = np.cumsum(np.bincount(codes, minlength=len(uniq))).tolist()
    starts = [0, *ends[:-1]]
    return {k: vals[i:j] for k, i, j in zip(uniq.tolist(), starts, ends, strict=True)}


def shown_system(system: str, is_collective: bool) -> str:
    """The system a unit is shown (and filtered) under: ``collective`` for every collective placeholder.

    The registry's ``is_collective`` decides, as in the static charts (:func:`analysis.style.unit_color`):
    各街办 has system ``subdistrict`` but is a collective, so it is grey and hidden with 集合性表述.

    >>> shown_system("subdistrict", True), shown_system("subdistrict", False)
    ('collective', 'subdistrict')
    """
    return "collective" if is_collective else system


def _systems_facet(n_sys: pd.Series, *, label: str, shape: str) -> dict:
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
            for s in sorted(n_sys.index, key=list(SYSTEMS).index)
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
    # rows of the other components' squares (side gap * sqrt(n)), filled left to right
    rows, row, row_w = [], [], 0.0
    for c in comps[1:]:
        side = gap * math.sqrt(len(c))
        if row and row_w + side > width:
            rows.append(row)
            row, row_w = [], 0.0
        row.append((c, side))
        row_w += side
    if row:
        rows.append(row)
    band = sum(max(side for _, side in r) for r in rows)
    shrink = min(1.0, 0.55 * height / band) if band else 1.0
    band *= shrink
    main_h = height - band - (gap * 0.5 if rows else 0.0)
    out = {}
    pos = _component_layout(G.subgraph(comps[0]), seed=seed, weight=weight, kk_max=kk_max, engine=engine)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    sx, sy = (max(xs) - min(xs)) / 2 or 1.0, (max(ys) - min(ys)) / 2 or 1.0
    for n, p in pos.items():  # stretched to fill the main area
        out[n] = (p[0] / sx, -1 + (1 + p[1] / sy) * main_h / height)
    y = height - band
    for r in rows:
        h = max(side for _, side in r) * shrink
        x = (width - sum(side for _, side in r) * shrink) / 2
        for c, side in r:
            side *= shrink
            # a seeded spring layout: Kamada-Kawai takes about 1 s per dozen nodes with these lengths
            local = _component_layout(G.subgraph(c), seed=seed, weight=weight, kk_max=0, engine=engine)
            half = (side - gap * shrink) / 2  # keep half a node free around each component
            for n, p in local.items():
                px, py = x + side / 2 + p[0] * half, y + h / 2 + p[1] * half
                out[n] = (-1 + 2 * px / width, -1 + 2 * py / height)
            x += side
        y += h
    return {n: (_r(p[0]), _r(p[1])) for n, p in out.items()}


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


_ROLE_NAMES = np.array(["", "lead", "responsible", "lead+responsible"], dtype=object)


def _unit_measures(ds, units: set) -> dict:
    """``{unit: [[measure_id, role], …]}`` (roles merged with ``+``), in measure order."""
    return _unit_measure_lists(ds, units)[0]


def _units_rows(ds, units: set) -> tuple[pd.DataFrame, np.ndarray]:
    """The assignment rows of `units` (one per unit, measure and role) and the row of each one's
    measure in the measures table."""
    a = ds.assignments[ds.assignments["unit"].isin(units).to_numpy()].drop_duplicates(["unit", "measure_id", "role"])
    return a, positions(a["measure_id"], ds.measures["measure_id"])


def _names(col: pd.Series) -> list:
    """A column of names as a list of str (a categorical's through its codes)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.categories.take(col.cat.codes.to_numpy()).tolist()
    return _pylist(col)


def _unit_measure_lists(ds, units: set, max_texts: int | None = None, rows=None) -> tuple[dict, dict, int | None]:
    """``(lists, counts, q)``: :func:`_unit_measures`, each unit's ``(n_lead, n_responsible,
    n_total)`` distinct measures, and the per-role quota of :func:`_text_quota` (None: all kept).

    With a quota q each unit's list keeps its first q measures of each merged role. `rows`: the
    :func:`_units_rows` of `units`, if already at hand.
    """
    a, pos = rows if rows is not None else _units_rows(ds, units)
    mids = ds.measures["measure_id"]
    out: dict = {u: [] for u in units}
    if not (len(a) and set(pd.unique(a["role"]).tolist()) <= {"lead", "responsible"}):
        order = dict(zip(mids.tolist(), range(len(mids)), strict=True))
        roles = a.groupby(["unit", "measure_id"], observed=True)["role"].agg(lambda r: "+".join(sorted(set(r))))
        for (uu, mm), r in roles.items():
            out[uu].append([mm, r])
        for uu in out:
            out[uu].sort(key=lambda x: order[x[0]])
        counts = {
            u: (sum("lead" in r for _, r in ms), sum("responsible" in r for _, r in ms), len(ms))
            for u, ms in out.items()
        }
        _, q = _text_quota(out, max_texts)
        if q is not None:
            for u, ms in out.items():
                taken: Counter = Counter()
                out[u] = [x for x in ms if (taken.update([x[1]]) or taken[x[1]] <= q)]
        return out, counts, q
    # roles as bits (lead 1, responsible 2), OR-ed per (unit, measure) pair, pairs in measure order
    bits = np.where((a["role"] == "lead").to_numpy(), 1, 2)
    if isinstance(a["unit"].dtype, pd.CategoricalDtype):  # the loader's: codes, no strings
        ucode, unames = a["unit"].cat.codes.to_numpy().astype(np.int64), a["unit"].cat.categories
    else:
        ucode, unames = pd.factorize(a["unit"].to_numpy(dtype=object))
    key = ucode.astype(np.int64) * (len(mids) + 1) + pos
    pairs, inv = np.unique(key, return_inverse=True)  # sorted: by unit code, then measure order
    merged = np.bincount(inv, weights=bits, minlength=len(pairs)).astype(np.int64)
    first = np.zeros(len(pairs), dtype=np.int64)
    first[inv[::-1]] = np.arange(len(inv))[::-1]  # a row of each pair, for its names
    pair_unit, pair_pos = ucode[first], pos[first]
    n = len(unames)
    n_lead = np.bincount(pair_unit, weights=merged & 1, minlength=n).astype(np.int64).tolist()
    n_resp = np.bincount(pair_unit, weights=(merged & 2) > 0, minlength=n).astype(np.int64).tolist()
    n_total = np.bincount(pair_unit, minlength=n).tolist()
    names = unames.tolist()
    counts = {u: (0, 0, 0) for u in units}
    for k in np.unique(pair_unit).tolist():
        counts[names[k]] = (n_lead[k], n_resp[k], n_total[k])
    q = None
    if max_texts is not None and len(np.unique(pair_pos)) > max_texts:
        q = max(1, max_texts // (3 * max(len(units), 1)))
        group = pair_unit * 4 + merged  # pairs of one unit and merged role, in measure order
        by_group = np.argsort(group, kind="stable")
        g = group[by_group]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        rank = np.empty(len(g), dtype=np.int64)
        rank[by_group] = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
        sel = np.flatnonzero(rank < q)
        pair_unit, pair_pos, merged = pair_unit[sel], pair_pos[sel], merged[sel]
    u = unames.take(pair_unit).tolist()
    m = _pylist(pd.Series(take(mids, pair_pos)))
    for uu, mm, r in zip(u, m, _ROLE_NAMES[merged].tolist(), strict=True):
        out[uu].append([mm, r])
    return out, counts, q


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
    if tables is not None and "colead_edges" in tables:
        return tables["colead_edges"]
    from .graph import named_assignments, projection_edges

    return projection_edges(named_assignments(ds.assignments, ds.units), role="lead")


# --------------------------------------------------------------------------- payloads


def network_payload(ds, tables=None, *, seed: int = RANDOM_SEED, n_major: int = 16) -> dict:
    """Nodes, edges, legend and texts of the units-and-measures view (the bipartite graph).

    One node per node of :func:`analysis.graph.bipartite_graph` (canonical unit names and
    ``measure_id`` s as ids) and one edge per edge, with its merged role.
    """
    from .graph import bipartite_graph

    G = bipartite_graph(ds)
    counts = facts.unit_counts(ds)
    share = _lead_share(ds, tables)
    unit_ids = [n for n, d in G.nodes(data=True) if d["bipartite"] == 0]
    measure_ids = [n for n, d in G.nodes(data=True) if d["bipartite"] == 1]
    collective = {u for u in unit_ids if G.nodes[u]["is_collective"]}

    L = nx.Graph()
    L.add_nodes_from(G.nodes)
    for u, m, d in G.edges(data=True):
        # Edge length for Kamada-Kawai: lead ties short, collective placeholders pushed outwards.
        w = 1.0 if "lead" in d["roles"] else 1.3
        if u in collective or m in collective:
            w = 2.0
        L.add_edge(u, m, weight=w)
    pos = _layout(L, seed=seed)

    n_total = {u: int(counts.loc[u, "n_total"]) for u in unit_ids}
    top = max(n_total.values(), default=1) or 1
    major = _major(n_total, n_major)
    # Label priority for the page's declutter: named units by load, then collectives, then measures.
    rank = {u: i for i, u in enumerate(sorted(unit_ids, key=lambda u: (u in collective, -n_total[u], u)))}
    unit_plans = (
        ds.assignments.merge(ds.measures[["measure_id", "plan_id"]], on="measure_id")
        .groupby("unit")["plan_id"]
        .agg(lambda p: sorted(set(p)))
        .to_dict()
    )
    shown = {u: shown_system(G.nodes[u]["system"], u in collective) for u in unit_ids}
    nodes = []
    for u in unit_ids:
        sysc = shown[u]
        nodes.append(
            {
                "id": u,
                "label": u,
                "kind": "unit",
                "x": pos[u][0],
                "y": pos[u][1],
                "size": _r(6 + 24 * math.sqrt(n_total[u] / top), 2),
                "color": unit_color(G.nodes[u]["system"], is_collective=u in collective),
                "font": FONT_MAJOR + (2 if n_total[u] >= top / 3 else 0) if u in major else FONT_MINOR,
                "rank": rank[u],
                "facets": {"system": [sysc], "plan": unit_plans.get(u, [])},
            }
        )
    minfo = _measures_info(ds)
    for m in measure_ids:
        nodes.append(
            {
                "id": m,
                "label": m,
                "kind": "measure",
                "x": pos[m][0],
                "y": pos[m][1],
                "size": 4,
                "color": MEASURE_COLOR,
                "font": FONT_MEASURE,
                "rank": len(rank) + len(nodes),
                "facets": {"plan": [minfo[m]["plan_id"]]},
            }
        )
    edges = []
    for u, m, d in G.edges(data=True):
        if G.nodes[u]["bipartite"] == 1:
            u, m = m, u
        role = d["role"]
        edges.append(
            {
                "from": u,
                "to": m,
                "role": role,
                "color": ROLE_COLORS[role],
                "width": 1.6 if "lead" in d["roles"] else 0.8,
                "dashes": "lead" not in d["roles"],
                "facets": {"role": list(d["roles"])},
            }
        )
    edges.sort(key=lambda e: (e["from"], e["to"]))
    n_sys = pd.Series([shown[u] for u in unit_ids]).value_counts()
    n_role = {r: sum(r in e["facets"]["role"] for e in edges) for r in ROLE_LABELS}
    facets = [
        _systems_facet(n_sys, label="系统 System", shape="dot"),
        _plans_facet(ds),
        {
            "key": "role",
            "label": "角色 Role(分工数 assignments)",
            "count": "edges",
            "items": [
                {
                    "value": r,
                    "label": ROLE_LABELS[r][0],
                    "label_en": ROLE_LABELS[r][1],
                    "color": ROLE_COLORS[r],
                    "shape": "line" if r == "lead" else "dashed",
                    "n": n_role[r],
                }
                for r in ROLE_LABELS
            ],
        },
    ]
    rows, by_unit = _registry_rows(ds, set(unit_ids)), _counts_by_unit(counts)
    units = {u: _unit_entry(rows[u], by_unit, share) for u in unit_ids}
    um = _unit_measures(ds, set(unit_ids))
    cl = _coleads(_colead_edges(ds, tables), set(unit_ids))
    for u in unit_ids:
        units[u]["measures"] = um[u]
        units[u]["coleads"] = cl[u]
    return {
        "kind": "network",
        "title": "单位与举措网络 · Units and measures",
        "subtitle": (
            f"{len(unit_ids)} 个单位 units · {len(measure_ids)} 项举措 measures · {len(edges)} 条分工 assignments"
        ),
        "nodes": nodes,
        "edges": edges,
        "facets": facets,
        "units": units,
        "measures": minfo,
    }


#: The most measure texts a co-lead view carries (see :func:`colead_payload`).
MAX_TEXTS = 20_000


def _text_quota(um: dict, max_texts: int | None) -> tuple[set, int | None]:
    """The measures whose texts a view carries: all of the units' measures (`um`: unit ->
    ``[[measure_id, role], …]`` in measure order) when there are at most `max_texts`, else each
    unit's first q measures of each role (lead, lead+responsible, responsible), with
    q = `max_texts` // (3 × units); returns ``(measure ids, q or None)``."""
    needed = {m for ms in um.values() for m, _ in ms}
    if max_texts is None or len(needed) <= max_texts:
        return needed, None
    q = max(1, max_texts // (3 * max(len(um), 1)))
    needed = set()
    for ms in um.values():
        taken: dict = {}
        for m, r in ms:
            if taken.get(r, 0) < q:
                taken[r] = taken.get(r, 0) + 1
                needed.add(m)
    return needed, q


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

    Nodes are the named units that lead at least one measure (``tables["clusters"]``), edges the
    rows of ``tables["colead_edges"]``. With `max_units`, only the top-N units by ``lead_share``
    (ties by name) and the ties among them are kept: a readable view of a huge corpus.

    Every unit lists all its measures (ids and roles); the page shows the text of those whose
    details it carries: all of them up to `max_texts` measures (the seed's 138), above that each
    unit's first q measures of each role, q = `max_texts` // (3 × units) (22 for 300 units), so
    that the page of a corpus stays a few megabytes (the others are listed by id).
    """
    if tables is None or "clusters" not in tables:
        from .exports import analysis_tables

        tables = analysis_tables(ds)
    c = tables["clusters"]
    cl = dict(zip(_pylist(c["unit"]), c["cluster"].astype(int).tolist(), strict=True))
    share = _lead_share(ds, tables)
    unit_ids = sorted(cl)
    if max_units is not None and len(unit_ids) > max_units:
        unit_ids = sorted(heapq.nsmallest(max_units, unit_ids, key=lambda u: (-share.get(u, 0.0), u)))
    keep = set(unit_ids)
    E = _colead_edges(ds, tables)
    E = E[E["unit_a"].isin(keep) & E["unit_b"].isin(keep)].sort_values(["unit_a", "unit_b"])
    reg = _registry_rows(ds, keep)
    # each unit's measures (its first q per role above max_texts) and distinct-measure counts
    rows = _units_rows(ds, keep)
    um, counts, quota = _unit_measure_lists(ds, keep, max_texts, rows)
    is_lead = (rows[0]["role"] == "lead").to_numpy()
    lead = rows[0][is_lead]  # one row per kept unit and measure it leads
    # the plan of each measure the kept units lead, gathered by Arrow (plain lists from here on)
    lead_units = _names(lead["unit"])
    lead_mids = _pylist(lead["measure_id"])
    lead_plans = _pylist(pd.Series(take(ds.measures["plan_id"], rows[1][is_lead])))
    led: dict = {}
    plan_sets: dict = {}
    for u, m, p in zip(lead_units, lead_mids, lead_plans, strict=True):
        led.setdefault(u, set()).add(m)
        plan_sets.setdefault(u, set()).add(p)
    plans_of = {u: sorted(ps) for u, ps in plan_sets.items()}
    plan_of_measure = dict(zip(lead_mids, lead_plans, strict=True))  # the kept units' measures

    L = nx.Graph()
    L.add_nodes_from(unit_ids)
    # Edge length for Kamada-Kawai: the more measures two units lead together, the closer.
    lengths = (1.0 / E["count"].astype(float) ** 0.5).round(6)
    L.add_weighted_edges_from(zip(E["unit_a"], E["unit_b"], lengths, strict=True))
    pos = _layout(L, seed=seed)
    top = max((share.get(u, 0.0) for u in unit_ids), default=1.0) or 1.0
    major = _major({u: share.get(u, 0.0) for u in unit_ids}, n_major)
    rank = {u: i for i, u in enumerate(sorted(unit_ids, key=lambda u: (-share.get(u, 0.0), u)))}
    shown = {u: shown_system(reg[u].system, bool(reg[u].is_collective)) for u in unit_ids}
    nodes = []
    for u in unit_ids:
        sysc = shown[u]
        s = share.get(u, 0.0)
        nodes.append(
            {
                "id": u,
                "label": u,
                "kind": "unit",
                "x": pos[u][0],
                "y": pos[u][1],
                "size": _r(7 + 26 * math.sqrt(s / top), 2),
                "color": cluster_color(cl[u]),
                "border": SYSTEM_COLORS[sysc],
                "font": FONT_MAJOR + (2 if s >= top / 4 else 0) if u in major else FONT_MINOR,
                "rank": rank[u],
                "facets": {"cluster": [str(cl[u])], "system": [sysc], "plan": plans_of.get(u, [])},
            }
        )
    edges = []
    cmax = max(E["count"], default=1)
    for a, b, n, jac in zip(E["unit_a"], E["unit_b"], E["count"], E["jaccard"], strict=True):
        shared = sorted(led.get(a, set()) & led.get(b, set()))
        same = cl[a] == cl[b]
        edges.append(
            {
                "from": a,
                "to": b,
                "count": int(n),
                "jaccard": _r(jac, 3),
                "measures": shared,
                "color": cluster_color(cl[a]) if same else "#AAAAAA",
                "width": _r(0.8 + 5 * math.sqrt((n - 1) / max(cmax - 1, 1)), 2),
                "dashes": False,
                "facets": {"plan": sorted({plan_of_measure[m] for m in shared})},
            }
        )
    clusters = sorted({cl[u] for u in unit_ids})
    n_cl = pd.Series([cl[u] for u in unit_ids]).value_counts()
    first = {c: sorted((u for u in unit_ids if cl[u] == c), key=lambda u: (-share.get(u, 0.0), u))[0] for c in clusters}
    n_sys = pd.Series([shown[u] for u in unit_ids]).value_counts()
    facets = [
        {
            "key": "cluster",
            "label": "共同牵头群 Co-lead cluster",
            "count": "units",
            "items": [
                {
                    "value": str(c),
                    "label": f"群 {c}:{first[c]}等" if n_cl[c] > 1 else f"群 {c}:{first[c]}",
                    "label_en": f"cluster {c}, {int(n_cl[c])} unit(s)",
                    "color": cluster_color(c),
                    "shape": "dot",
                    "n": int(n_cl[c]),
                }
                for c in clusters
            ],
        },
        _systems_facet(n_sys, label="系统(节点边框)System (node border)", shape="ring"),
        _plans_facet(ds, plan_of_measure),
    ]
    units = {u: _unit_entry(reg[u], counts, share, cluster=cl[u]) for u in unit_ids}
    co = _coleads(E, keep)
    for u in unit_ids:
        units[u]["measures"] = um[u]
        units[u]["coleads"] = co[u]
    needed = {m for u in unit_ids for m, _ in um[u]}
    minfo = _measures_info(ds, only=needed)
    subtitle = f"{len(unit_ids)} 个牵头单位 lead units · {len(edges)} 条共同牵头关系 co-lead ties"
    if len(keep) < len(cl):
        subtitle += f"(前 {len(keep)} / {len(cl)} top units by lead share)"
    if quota is not None:
        subtitle += f" · 每单位每角色前 {quota} 项举措附全文 texts of each unit's first {quota} measures per role"
    return {
        "kind": "colead",
        "title": "共同牵头网络 · Co-lead network",
        "subtitle": subtitle,
        "nodes": nodes,
        "edges": edges,
        "facets": facets,
        "units": units,
        "measures": minfo,
    }


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
    }
    # One pass, so inserted text is never scanned for placeholders again.
    return re.sub(r"@@(TITLE|CSP_SCRIPTS|VIS_JS|VIEW_JS|DATA)@@", lambda m: parts[m[1]], template)


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
    net = network_view(ds, tables) if plans is None else network_view(subset(ds, plans=plans))
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
            f'style="width:100%;height:{int(height)}px;border:1px solid #ddd"></iframe>'
        )
