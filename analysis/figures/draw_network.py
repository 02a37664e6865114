"""Drawing of the co-lead network: a seeded layout, nodes by cluster, labels placed where they
cover no node and no other label.

:func:`draw_colead_network` takes :class:`analysis.figures.data.NetworkData` and returns the
``Figure``; it computes no count.
"""

from __future__ import annotations

import math

import numpy as np

from .. import style
from ..config import RANDOM_SEED
from .base import message_figure, new_figure
from .data import NetworkData
from .labels import t

__all__ = ["draw_colead_network", "network_layout"]


def _component_layout(H, comp: list, seed: int) -> np.ndarray:
    """Positions of one component's units (in `comp`'s order), filling [-1, 1] in x and in y."""
    import networkx as nx

    if len(comp) == 2:
        p = {comp[0]: np.array([-1.0, 0.0]), comp[1]: np.array([1.0, 0.0])}
    else:
        p = nx.forceatlas2_layout(
            H, weight="count", seed=seed, max_iter=300, distributed_action=True, scaling_ratio=4.0
        )
    arr = np.array([p[u] for u in comp], dtype=float)
    arr -= (arr.max(axis=0) + arr.min(axis=0)) / 2
    arr /= np.maximum(np.abs(arr).max(axis=0), 1e-9)  # fill the square in x and in y
    return arr


def network_layout(G, *, seed: int) -> dict:
    """Seeded layout: the largest component in [-1, 1]², smaller ones in a column on the right,
    units that never lead together with another (isolates) in a row at the bottom.

    Each component is laid out on its own (seeded ForceAtlas2, 300 iterations, edge weight
    ``count`` so that frequent co-leads are pulled together; two units side by side), so
    isolates do not fly to the corners as they do in one layout of a disconnected graph.
    """
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    big = [c for c in comps if len(c) > 1]
    iso = [c[0] for c in comps if len(c) == 1]
    pos = {}
    y_next = 1.0
    for i, comp in enumerate(big):
        arr = _component_layout(G.subgraph(comp), comp, seed)
        if i == 0:
            centre, scale = np.array([0.0, 0.0]), 1.0
        else:
            scale = max(math.sqrt(len(comp) / len(big[0])), 0.22)
            centre = np.array([1.25 + scale, y_next - scale])
            y_next -= 2 * scale + 0.25
        for u, xy in zip(comp, arr * scale + centre, strict=True):
            pos[u] = xy
    if iso:
        xs = np.linspace(-1, 1, len(iso)) if len(iso) > 1 else np.array([0.0])
        y = -1.3 if big else 0.0
        for u, x in zip(iso, xs, strict=True):
            pos[u] = np.array([x, y])
    return pos


def _graph(data: NetworkData):
    """The co-lead graph of `data`: nodes in its order, ties (weight ``count``) in its order."""
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(data.nodes["unit"])
    e = data.edges
    G.add_weighted_edges_from(
        ((a, b, int(c)) for a, b, c in zip(e["unit_a"], e["unit_b"], e["count"], strict=True)), weight="count"
    )
    return G


def _draw_edges(ax, G, pos) -> None:
    """Ties, thin and light to thick and dark, the strongest drawn last."""
    wmax = max([d["count"] for *_, d in G.edges(data=True)] or [1])
    for a, b, d in sorted(G.edges(data=True), key=lambda e: (e[2]["count"], e[0], e[1])):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=style.NETWORK_EDGE_COLOR,
            lw=0.4 + 3.6 * d["count"] / wmax,
            alpha=0.35 + 0.4 * d["count"] / wmax,
            zorder=1,
            solid_capstyle="round",
        )


def _draw_nodes(ax, data: NetworkData, nodes: list, pos) -> tuple[np.ndarray, list[float]]:
    """Discs sized by measures led, coloured by cluster (grey for a collective); returns their
    centres and sizes (points²)."""
    n_lead = dict(zip(data.nodes["unit"], data.nodes["n_lead"], strict=True))
    cluster = dict(zip(data.nodes["unit"], data.nodes["cluster"], strict=True))
    coll = set(data.nodes.loc[data.nodes["is_collective"].to_numpy(dtype=bool), "unit"])
    xy = np.array([pos[u] for u in nodes]) if nodes else np.zeros((0, 2))
    nmax = max(n_lead.values() or [1])
    sizes = [30 + 900 * n_lead[u] / nmax for u in nodes]
    colors = [style.COLLECTIVE_COLOR if u in coll else style.cluster_color(cluster[u]) for u in nodes]
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colors, edgecolors="white", linewidths=0.8, zorder=2, gid="nodes")
    pad = 0.12
    if nodes:
        ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
        ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    return xy, sizes


def _node_texts(ax, data: NetworkData, nodes: list, lang: str) -> list:
    """One label per node, at the origin until :func:`_place_labels` moves it."""
    label = dict(zip(data.nodes["unit"], data.nodes["label"], strict=True))
    n = len(nodes)
    fs = style.FONT_SIZES["base"] if n <= 20 else style.FONT_SIZES["small" if lang == "zh" else "tiny"]
    return [
        ax.text(
            0,
            0,
            label[u],
            fontsize=fs,
            ha="center",
            va="center",
            zorder=4,
            # A light box over the edges (a stroked halo would turn every label into
            # outlines in the PDF: 4 × the file size); boxes cover no node (_place_labels).
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
        )
        for u in nodes
    ]


def _network_legend(ax, data: NetworkData) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", ls="", color=style.cluster_color(c), ms=7, label=name)
        for c, name in zip(data.legend["cluster"], data.legend["label"], strict=True)
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0, -0.005),
        ncols=2 if len(handles) > 3 else 1,
        fontsize=style.FONT_SIZES["small"],
    )


def draw_colead_network(data: NetworkData, lang: str, *, seed: int = RANDOM_SEED):
    """Ties, nodes and placed labels (largest nodes first), title, cluster legend and note."""
    G = _graph(data)
    if not len(G):  # no lead unit
        with style.figure_style():
            return message_figure(t("network_title", lang), t("no_lead_unit", lang))
    pos = network_layout(G, seed=seed)
    n_lead = dict(zip(data.nodes["unit"], data.nodes["n_lead"], strict=True))
    with style.figure_style():
        side = style.WIDTH if len(G) > 12 else style.WIDTH * 0.75
        fig = new_figure(side, side, layout=None)
        ax = fig.add_axes((0.02, 0.1, 0.96, 0.8))
        ax.set_axis_off()
        _draw_edges(ax, G, pos)
        nodes = sorted(G.nodes)
        xy, sizes = _draw_nodes(ax, data, nodes, pos)
        texts = _node_texts(ax, data, nodes, lang)
        fig.canvas.draw()
        radii = [math.sqrt(sz) / 2 * fig.dpi / 72 for sz in sizes]
        order = sorted(range(len(nodes)), key=lambda i: (-n_lead[nodes[i]], nodes[i]))
        _place_labels(ax, texts, xy, radii, order)
        fig.text(0.02, 0.975, t("network_title", lang), fontsize=style.FONT_SIZES["title"], va="top")
        _network_legend(ax, data)
        fig.text(0.02, 0.935, data.note, va="top", fontsize=style.FONT_SIZES["small"], color=style.NOTE_COLOR)
    return fig


# --------------------------------------------------------------------------------------------
# Label placement

_DIRECTIONS = [(0, -1), (1, 0), (0, 1), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)]
_DIRECTIONS += [(0.5, -1), (-0.5, -1), (0.5, 1), (-0.5, 1)]


def _cost(rect, box, centres: np.ndarray, radii: np.ndarray, placed: list) -> float:
    """How much the label box `rect` covers: the node discs' squared overlap plus the area
    shared with labels `placed` before; infinite outside the axes `box`."""
    x0, y0, x1, y1 = rect
    c = 0.0
    if x0 < box.x0 or x1 > box.x1 or y0 < box.y0 or y1 > box.y1:
        return math.inf
    dx = np.maximum(np.maximum(x0 - centres[:, 0], 0), centres[:, 0] - x1)
    dy = np.maximum(np.maximum(y0 - centres[:, 1], 0), centres[:, 1] - y1)
    c += float(np.sum(np.maximum(radii**2 - (dx**2 + dy**2), 0)))
    for p in placed:
        ox = min(x1, p[2]) - max(x0, p[0])
        oy = min(y1, p[3]) - max(y0, p[1])
        if ox > 0 and oy > 0:
            c += ox * oy
    return c


def _best_rect(centre, r: float, size, step: float, cost) -> tuple[tuple, int]:
    """The first free box of `size` around the node (`centre`, radius `r`), trying the
    directions at growing distances (30 steps of `step`); else the least-covering one.
    Returns ``(box, steps out)``."""
    (cx, cy), (w, h) = centre, size
    best = None
    for k in range(30):
        for ux, uy in _DIRECTIONS:
            norm = math.hypot(ux, uy)
            ux, uy = ux / norm, uy / norm
            # Distance from the node centre to the box edge along (ux, uy), plus the gap.
            reach = min(w / 2 / abs(ux) if ux else math.inf, h / 2 / abs(uy) if uy else math.inf)
            d = r + reach + k * step
            bx, by = cx + ux * d, cy + uy * d
            rect = (bx - w / 2, by - h / 2, bx + w / 2, by + h / 2)
            c = cost(rect)
            if best is None or c < best[0]:
                best = (c, rect, k)
            if c == 0:
                break
        if best is not None and best[0] == 0:
            break
    return best[1], best[2]


def _leader_line(ax, centre, r: float, rect, pad: float) -> None:
    """A thin line from the node's edge to the nearest edge of its label's box."""
    cx, cy = centre
    nx_ = min(max(cx, rect[0] + pad), rect[2] - pad)
    ny_ = min(max(cy, rect[1] + pad), rect[3] - pad)
    dist = math.hypot(nx_ - cx, ny_ - cy) or 1.0
    sx, sy = cx + (nx_ - cx) * r / dist, cy + (ny_ - cy) * r / dist
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(sx, sy), (nx_, ny_)])
    ax.plot([x0, x1], [y0, y1], color=style.LEADER_COLOR, lw=0.5, zorder=3, gid="leader")


def _place_labels(ax, texts, xy, radii, order, *, pad: float = 2.0) -> None:
    """Put each node's label next to it where it covers no node and no label placed before.

    Deterministic and greedy, in `order` (largest nodes first): for each label, positions
    around its node (below, right, above, left, then the diagonals) at growing distances
    are tried in display pixels; the first whose box (plus `pad` px) meets no node disc, no
    earlier label and stays inside the axes wins. A label placed away from its node gets a
    thin leader line. If nothing is free within reach, the least-covering position is kept.
    """
    renderer = ax.figure.canvas.get_renderer()
    centres = ax.transData.transform(xy) if len(xy) else np.zeros((0, 2))
    radii = np.asarray(radii, dtype=float)
    box = ax.get_window_extent(renderer)
    sizes = []
    for text in texts:
        bb = text.get_window_extent(renderer)
        sizes.append((bb.width + 2 * pad, bb.height + 2 * pad))
    placed: list[tuple[float, float, float, float]] = []
    step = 0.6 * float(np.median([h for _, h in sizes])) if sizes else 1.0
    for i in order:
        rect, k = _best_rect(
            centres[i], radii[i], sizes[i], step, lambda rect: _cost(rect, box, centres, radii, placed)
        )
        placed.append(rect)
        x, y = ax.transData.inverted().transform(((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2))
        texts[i].set_position((x, y))
        if k > 0:
            _leader_line(ax, centres[i], radii[i], rect, pad)
