"""Drawing of the cluster charts: the co-assignment matrix of the Louvain runs and the
UpSet-style chart of recurring lead coalitions.

Each ``draw_<chart>(data, lang)`` takes the value of :mod:`analysis.figures.data` and returns
the ``Figure``; it computes no count.
"""

from __future__ import annotations

import numpy as np

from .. import style
from .base import figure_note, message_figure, new_figure, ticker
from .data import CoalitionsData, StabilityData
from .labels import t, wrap

__all__ = ["draw_cluster_stability", "draw_lead_coalitions"]


def _stability_size(n: int, lang: str) -> tuple[float, float, float, float]:
    """(width, height, row, column) in inches: rows at least 8.5 pt apart for 7 pt labels,
    columns as wide as the page allows, the colour bar below (the width goes to the matrix
    and the names)."""
    label_w = 1.2 if lang == "zh" else 2.3
    row = max(min(0.3, (style.MAX_HEIGHT - 2.6) / max(n, 1)), 0.118)
    col = max(min(row, (style.WIDTH - label_w - 0.25) / max(n, 1)), 0.1)
    top = 1.15 if lang == "zh" else 0.5  # column labels (names in Chinese, numbers in English)
    return min(label_w + col * n + 0.25, style.WIDTH), row * n + top + 1.25, row, col


def _cluster_outlines(ax, clusters: list[int]) -> None:
    """A coloured strip before each row and an outline around each consensus cluster's block."""
    from matplotlib.patches import Rectangle

    n = len(clusters)
    for i, c in enumerate(clusters):
        color = style.cluster_color(c)
        ax.add_patch(Rectangle((-0.5 - 0.012 * n, i - 0.5), 0.012 * n * 0.8, 1, color=color, clip_on=False))
    start = 0
    for i in range(1, n + 1):
        if i == n or clusters[i] != clusters[start]:
            ax.add_patch(
                Rectangle(
                    (start - 0.5, start - 0.5),
                    i - start,
                    i - start,
                    fill=False,
                    ec=style.cluster_color(clusters[start]),
                    lw=1.6,
                    gid="cluster",
                )
            )
            start = i


def draw_cluster_stability(data: StabilityData, lang: str):
    """The matrix (blue scale, 0 to 100 %), names on the left and on top, cluster outlines,
    the colour bar below."""
    n = len(data.clusters)
    with style.figure_style():
        if not n:  # no lead unit: no runs to compare
            return message_figure(wrap(t("stability_title", lang), 34 if lang == "zh" else 70), t("no_lead_unit", lang))
        width, height, row, col = _stability_size(n, lang)
        fig = new_figure(width, height)
        ax = fig.add_subplot()
        mat = data.matrix.to_numpy(dtype=float)
        im = ax.imshow(mat, cmap=style.HEATMAP_CMAP, vmin=0, vmax=1, interpolation="nearest", aspect=row / col)
        fs = style.FONT_SIZES["tiny"] if n > 25 else style.FONT_SIZES["small"]
        ax.set_yticks(np.arange(n), data.row_labels, fontsize=fs)
        ax.set_xticks(np.arange(n), data.col_labels, fontsize=fs, rotation=90)
        ax.xaxis.tick_top()
        ax.tick_params(length=0, pad=7)
        for s in ax.spines.values():
            s.set_visible(False)
        _cluster_outlines(ax, data.clusters)
        cb = fig.colorbar(im, ax=ax, location="bottom", shrink=0.5, pad=0.02, aspect=30)
        cb.set_label(t("stability_cbar", lang))
        cb.ax.xaxis.set_major_formatter(ticker().PercentFormatter(1.0, decimals=0))
        fig.suptitle(wrap(t("stability_title", lang), 34 if lang == "zh" else 70), x=0.01, ha="left")
        if data.notes:
            figure_note(fig, data.notes)
    return fig


def _coalition_bars(ax, heights: list[int], lang: str) -> None:
    """Top: measures per coalition, the count over each bar."""
    x = np.arange(len(heights))
    ax.bar(x, heights, color=style.ROLE_COLORS["lead"], width=0.6, gid="coalitions")
    for xi, h in zip(x, heights, strict=True):
        ax.text(xi, h, str(h), ha="center", va="bottom", fontsize=style.FONT_SIZES["tiny"])
    ax.set_ylabel(wrap(t("coalitions_y", lang), 16 if lang == "zh" else 22))
    ax.set_ylim(0, max(heights) * 1.15)
    ax.tick_params(axis="x", bottom=False, labelbottom=False)
    ax.spines["bottom"].set_visible(False)
    ax.yaxis.grid(True)
    ax.yaxis.set_major_locator(ticker().MaxNLocator(integer=True))


def _coalition_matrix(ax, data: CoalitionsData) -> None:
    """Middle: a dot per unit and coalition, the members' dots filled and joined."""
    units = list(data.units["unit"])
    nu, nc = len(units), len(data.coalitions)
    x = np.arange(nc)
    yy, xx = np.meshgrid(np.arange(nu), x, indexing="ij")
    ax.scatter(xx.ravel(), yy.ravel(), s=28, color=style.MATRIX_DOT_COLOR, zorder=1)
    for xi, combo in zip(x, data.coalitions["members"], strict=True):
        ys = sorted(units.index(u) for u in combo)
        ax.plot([xi, xi], [ys[0], ys[-1]], color=style.ROLE_COLORS["lead"], lw=1.6, zorder=2)
        ax.scatter([xi] * len(ys), ys, s=34, color=style.ROLE_COLORS["lead"], zorder=3, gid="member")
    for i in range(0, nu, 2):
        ax.axhspan(i - 0.5, i + 0.5, color=style.MATRIX_STRIPE_COLOR, zorder=0, lw=0)
    ax.set_ylim(nu - 0.5, -0.5)
    ax.set_xlim(-0.6, nc - 0.4)
    ax.tick_params(left=False, labelleft=False, bottom=False, labelbottom=False)
    for s in ax.spines.values():
        s.set_visible(False)


def _coalition_units(ax, data: CoalitionsData, lang: str) -> None:
    """Left: measures led by each unit, bars growing leftwards, names between."""
    u = data.units
    nu = len(u)
    colors = [style.SYSTEM_COLORS.get(c, style.COLLECTIVE_COLOR) for c in u["category"]]
    ax.barh(np.arange(nu), list(u["n_lead"]), color=colors, height=0.6, gid="units")
    ax.invert_xaxis()
    ax.yaxis.tick_right()
    ax.set_yticks(np.arange(nu), list(u["label"]))
    ax.tick_params(axis="y", length=0, pad=6)
    ax.spines["left"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.set_xlabel(t("coalitions_units", lang))
    ax.xaxis.grid(True)


def draw_lead_coalitions(data: CoalitionsData, lang: str):
    """The three panels of an UpSet chart; a plain sentence when no coalition recurs."""
    with style.figure_style():
        if not len(data.coalitions):
            return message_figure(t("coalitions_title", lang), t("no_coalition", lang))
        nu, nc = len(data.units), len(data.coalitions)
        row = 0.2 if not any("\n" in n for n in data.units["label"]) else 0.27  # two 7.5 pt lines need 0.25 in
        col = 0.3
        fig = new_figure(style.WIDTH if nc > 8 else max(4.6, 2.8 + col * nc), 2.8 + row * nu)
        gs = fig.add_gridspec(
            2,
            2,
            width_ratios=(1, max(nc * col, 1.2)),
            height_ratios=(2.2, max(nu * row, 0.6)),
            wspace=0.02,
            hspace=0.02,
        )
        ax_bar = fig.add_subplot(gs[0, 1])
        ax_mat = fig.add_subplot(gs[1, 1], sharex=ax_bar)
        ax_set = fig.add_subplot(gs[1, 0], sharey=ax_mat)
        _coalition_bars(ax_bar, [int(h) for h in data.coalitions["n_measures"]], lang)
        _coalition_matrix(ax_mat, data)
        _coalition_units(ax_set, data, lang)
        fig.suptitle(t("coalitions_title", lang), x=0.01, ha="left")
        if data.notes:
            figure_note(fig, data.notes)
    return fig
