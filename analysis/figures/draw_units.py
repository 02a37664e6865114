"""Drawing of the one-row-per-unit charts: the workload ranking and the section heatmap.

Each ``draw_<chart>(data, lang)`` takes the value of :mod:`analysis.figures.data` and returns
the ``Figure``; it computes no count.
"""

from __future__ import annotations

import numpy as np

from .. import style
from .base import figure_note, has_layout, new_figure, run_layout, system_legend, ticker
from .data import HEATMAP_ROWS, RANKING_ROWS, HeatmapData, RankingData
from .labels import t, wrap

__all__ = ["draw_section_heatmap", "draw_workload_ranking"]

_SEGMENTS = (("sole_lead", "n_sole_lead"), ("co_lead", "n_colead"), ("responsible", "n_responsible"))


def _ranking_bars(ax, rows, lang: str) -> np.ndarray:
    """The stacked bars (collectives in greys) and each bar's total after it; returns the totals."""
    y = np.arange(len(rows))
    coll = rows["is_collective"].to_numpy()
    left = np.zeros(len(rows))
    for key, col in _SEGMENTS:
        vals = rows[col].to_numpy(dtype=float)
        grey = style.COLLECTIVE_SEGMENT_COLORS[key]
        colors = [grey if c else style.WORKLOAD_COLORS[key] for c in coll]
        ax.barh(y, vals, left=left, height=0.72, color=colors, label=t(key, lang), gid=key)
        left += vals
    for yi, total in zip(y, left, strict=True):
        ax.text(
            total + 0.4, yi, f"{int(total)}", va="center", fontsize=style.FONT_SIZES["tiny"], color=style.NOTE_COLOR
        )
    return left


def _ranking_axes(ax, rows, left: np.ndarray, lang: str) -> None:
    ax.set_yticks(np.arange(len(rows)), list(rows["label"]))
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, max(left.max(initial=0), 1) * 1.08 + 1)
    ax.tick_params(axis="y", length=0, pad=11)
    ax.xaxis.grid(True)
    ax.set_xlabel(wrap(t("ranking_x", lang), 60 if lang == "zh" else 90))
    ax.set_title(t("ranking_title", lang), loc="left")


def _ranking_markers(ax, rows, lang: str) -> None:
    """A square in the unit's system colour before each name; a dashed line and a label over
    the collectives."""
    from matplotlib.transforms import blended_transform_factory

    tr = blended_transform_factory(ax.transAxes, ax.transData)
    y = np.arange(len(rows))
    ax.scatter(
        np.full(len(rows), -0.012),
        y,
        s=20,
        marker="s",
        c=[style.SYSTEM_COLORS.get(c, style.COLLECTIVE_COLOR) for c in rows["category"]],
        transform=tr,
        clip_on=False,
        linewidths=0,
    )
    coll = rows["is_collective"].to_numpy()
    if coll.any():
        first = int(np.argmax(coll))
        ax.axhline(first - 0.5, color=style.SEPARATOR_COLOR, lw=0.8, ls="--")
        ax.text(
            0.99,
            first - 0.25,
            t("collectives", lang),
            transform=tr,
            ha="right",
            va="top",
            fontsize=style.FONT_SIZES["small"],
            color=style.GROUP_LABEL_COLOR,
        )


#: Up to this many rows a ranking is short: its legends sit side by side at the top right, and
#: the value axis is widened to keep the bars clear of them (:func:`_clear_of_legends`).
RANKING_TALL_ROWS = 20


def _ranking_legends(ax, data: RankingData, lang: str) -> None:
    """Roles and systems, in the empty lower right (short bars there); side by side in a short chart."""
    from matplotlib.patches import Patch

    role_handles = [Patch(facecolor=style.WORKLOAD_COLORS[k], label=t(k, lang)) for k in data.roles]
    tall = len(data.rows) > RANKING_TALL_ROWS
    leg = ax.legend(
        handles=role_handles,
        loc="upper right",
        title=t("role", lang),
        bbox_to_anchor=(1, 0.66) if tall else (1, 1),
    )
    ax.add_artist(leg)
    system_legend(
        ax, set(data.rows["category"]), lang, loc="upper right", bbox_to_anchor=(1, 0.5) if tall else (0.72, 1)
    )


def draw_workload_ranking(data: RankingData, lang: str):
    """Stacked horizontal bars, one per row of `data`, with legends and notes."""
    rows = data.rows
    row_h, fixed = RANKING_ROWS[lang]
    with style.figure_style():
        fig = new_figure(style.WIDTH, fixed + row_h * len(rows))
        ax = fig.add_subplot()
        left = _ranking_bars(ax, rows, lang)
        _ranking_axes(ax, rows, left, lang)
        _ranking_markers(ax, rows, lang)
        _ranking_legends(ax, data, lang)
        if len(rows) <= RANKING_TALL_ROWS:
            _clear_of_legends(fig, ax, left)
        if data.notes:
            figure_note(fig, data.notes)
    return fig


def _clear_of_legends(fig, ax, totals: np.ndarray) -> None:
    """Widen the value axis of a short ranking until no bar, nor the count after it, runs under
    the legends at its top right (the longest bars are at the top there)."""
    if has_layout(fig):
        run_layout(fig)
    renderer = fig.canvas.get_renderer()
    to_axes = ax.transAxes.inverted()
    boxes = [to_axes.transform(leg.get_window_extent(renderer)) for leg in ax.get_children() if _is_legend(leg)]
    if not boxes:
        return
    left_edge = min(b[0][0] for b in boxes) - 0.01  # axes fraction where the legends begin
    bottom = min(b[0][1] for b in boxes)
    n = len(totals)
    under = [i for i in range(n) if 1 - (i + 0.14) / n > bottom]  # rows whose bar reaches up to the legends
    spans = [to_axes.transform(x.get_window_extent(renderer)) for x in ax.texts if x.get_position()[1] in under]
    width = max((b[1][0] - b[0][0] for b in spans), default=0.0)  # of the counts after those bars
    need = max((totals[i] + 0.4 for i in under), default=0.0)
    room = left_edge - width
    if need and room > 0.2 and need / room > ax.get_xlim()[1]:
        ax.set_xlim(0, need / room)


def _is_legend(artist) -> bool:
    from matplotlib.legend import Legend

    return isinstance(artist, Legend)


def _heatmap_cells(ax, data: HeatmapData) -> list:
    """The named block (blue scale) and the collectives' block (greys), each non-empty cell
    with its count; returns the meshes."""
    n_r, n_c = data.grid.shape
    vmax = max(int(data.grid.to_numpy().max(initial=0)), 1)
    meshes = []
    for block, cmap, rows in (
        ("named", style.HEATMAP_CMAP, slice(0, data.n_named)),
        ("collective", style.HEATMAP_CMAP_COLLECTIVE, slice(data.n_named, n_r)),
    ):
        values = data.grid.to_numpy()[rows].astype(float)
        if not values.size:
            continue
        y0 = rows.start
        m = ax.pcolormesh(
            np.arange(n_c + 1) - 0.5,
            np.arange(y0, y0 + values.shape[0] + 1) - 0.5,
            np.ma.masked_equal(values, 0),
            cmap=cmap,
            vmin=0,
            vmax=vmax,
            edgecolors="white",
            linewidth=0.3,
        )
        m.set_gid(block)
        meshes.append(m)
        _cell_counts(ax, values, y0, vmax)
    return meshes


def _cell_counts(ax, values: np.ndarray, y0: int, vmax: int) -> None:
    for (i, j), v in np.ndenumerate(values):
        if v:
            ax.text(
                j,
                y0 + i,
                str(int(v)),
                ha="center",
                va="center",
                fontsize=style.FONT_SIZES["tiny"],
                color="white" if v / vmax > 0.55 else style.VALUE_TEXT_COLOR,
                gid="cell",
            )


def _heatmap_axes(ax, data: HeatmapData) -> None:
    """Ticks, the lines between plans (plan ids on top unless sections are cut) and above the collectives."""
    n_r, n_c = data.grid.shape
    ax.set_ylim(n_r - 0.5, -0.5)
    ax.set_xlim(-0.5, n_c - 0.5)
    ax.set_yticks(np.arange(n_r), data.row_labels)
    ax.set_xticks(np.arange(n_c), data.col_labels, rotation=90)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    plan_ids = data.plan_ids
    starts = [i for i, p in enumerate(plan_ids) if i == 0 or p != plan_ids[i - 1]]
    for k, st in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else n_c
        if st:
            ax.axvline(st - 0.5, color=style.BLOCK_LINE_COLOR, lw=1)
        if not data.cut:
            ax.text((st + end - 1) / 2, -0.8, plan_ids[st], ha="center", va="bottom", fontsize=style.FONT_SIZES["base"])
    if data.n_named < n_r:
        ax.axhline(data.n_named - 0.5, color=style.BLOCK_LINE_COLOR, lw=1)


def draw_section_heatmap(data: HeatmapData, lang: str):
    """The grid of `data` as two colour blocks, plan groups, notes and a colour bar."""
    row_h, fixed = HEATMAP_ROWS[lang]
    n_r = data.grid.shape[0]
    with style.figure_style():
        fig = new_figure(style.WIDTH, fixed + row_h * n_r)
        ax = fig.add_subplot()
        meshes = _heatmap_cells(ax, data)
        _heatmap_axes(ax, data)
        ax.set_title(t("heatmap_title", lang) + ("" if data.cut else "\n"), loc="left")
        figure_note(fig, data.notes)
        cb = fig.colorbar(meshes[0], ax=ax, shrink=min(1, 5 / (row_h * n_r + 1)), pad=0.02, aspect=30)
        cb.set_label(t("n_measures", lang))
        cb.ax.yaxis.set_major_locator(ticker().MaxNLocator(integer=True))
    return fig
