"""Drawing of the charts of how load is spread: Lorenz curves, the collectives' share per
plan, units per measure.

Each ``draw_<chart>(data, lang)`` takes the value of :mod:`analysis.figures.data` and returns
the ``Figure``; it computes no count.
"""

from __future__ import annotations

import numpy as np

from .. import style
from .base import LABEL_BOX, figure_note, new_figure, ticker
from .data import LorenzData, MeasureSizesData, SharesData
from .labels import t, wrap

__all__ = ["draw_assignments_per_measure", "draw_collective_share", "draw_lorenz"]


def draw_lorenz(data: LorenzData, lang: str):
    """The diagonal of equality and one curve per load (dots when 15 units or fewer)."""
    with style.figure_style():
        fig = new_figure(style.WIDTH * 0.62, style.WIDTH * 0.62)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], color=style.EQUALITY_COLOR, lw=1, ls="--", label=t("equality", lang))
        for load, color in (("lead_share", style.ROLE_COLORS["lead"]), ("n_responsible", style.RESPONSIBLE_LOAD_COLOR)):
            d = data.curves[data.curves["load"] == load]
            few = len(d) <= 15
            ax.plot(
                d["cum_share_units"],
                d["cum_share_load"],
                color=color,
                lw=2,
                marker="o" if few else None,
                ms=3.5,
                label=data.legend[load],
                gid=load,
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        pct = ticker().PercentFormatter(1.0)
        ax.xaxis.set_major_formatter(pct)
        ax.yaxis.set_major_formatter(pct)
        ax.grid(True)
        ax.set_xlabel(wrap(t("lorenz_x", lang), 60))
        ax.set_ylabel(t("lorenz_y", lang))
        ax.set_title(t("lorenz_title", lang), loc="left")
        ax.legend(loc="upper left")
    return fig


def _mention_bars(ax, df, lang: str) -> None:
    """Left panel: 100 % bars, named units and collectives, the share and its counts written in."""
    y = np.arange(len(df))
    s = df["share_collective_mentions"].to_numpy()
    ax.barh(y, 1 - s, color=style.ROLE_COLORS["responsible"], label=t("named_units", lang), height=0.62, gid="named")
    ax.barh(
        y,
        s,
        left=1 - s,
        color=style.COLLECTIVE_COLOR,
        label=t("collectives", lang),
        height=0.62,
        hatch="///",
        edgecolor="white",
        gid="collective",
    )
    for yi, (v, n, k) in enumerate(zip(s, df["n_mentions"], df["n_collective_mentions"], strict=True)):
        ax.text(
            0.985,
            yi,
            f"{v:.0%}\n({k}/{n})",
            ha="right",
            va="center",
            fontsize=style.FONT_SIZES["tiny"],
            color=style.VALUE_TEXT_COLOR,
            bbox=LABEL_BOX,
        )


def _only_bars(ax, df) -> None:
    """Right panel: the share of measures with only collectives responsible, and its counts."""
    y = np.arange(len(df))
    o = df["share_only_collective"].to_numpy()
    ax.barh(y, o, color=style.COLLECTIVE_COLOR, height=0.62, hatch="///", edgecolor="white", gid="only")
    for yi, (v, n, k) in enumerate(zip(o, df["n_measures"], df["n_only_collective"], strict=True)):
        ax.text(
            min(v, 0.72) + 0.02,
            yi,
            f"{v:.0%} ({k}/{n})",
            va="center",
            fontsize=style.FONT_SIZES["tiny"],
            bbox=LABEL_BOX,
        )


def draw_collective_share(data: SharesData, lang: str):
    """Two panels sharing the plans' rows (all plans last, below a line)."""
    df = data.rows
    with style.figure_style():
        fig = new_figure(style.WIDTH, 1.6 + 0.55 * len(df))
        ax1, ax2 = fig.subplots(1, 2, sharey=True, width_ratios=(1.35, 1))
        _mention_bars(ax1, df, lang)
        _only_bars(ax2, df)
        pct = ticker().PercentFormatter(1.0, decimals=0)
        for ax, key in ((ax1, "share_mentions"), (ax2, "share_only")):
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(pct)
            ax.set_title(wrap(t(key, lang), 20 if lang == "zh" else 32), loc="left", fontsize=style.FONT_SIZES["base"])
            ax.xaxis.grid(True)
        ax1.set_yticks(np.arange(len(df)), list(df["label"]))
        ax1.set_ylim(len(df) - 0.5, -0.5)
        ax1.axhline(len(df) - 1.5, color=style.SEPARATOR_COLOR, lw=0.8)
        ax1.tick_params(axis="y", length=0)
        ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)
        fig.suptitle(t("share_title", lang), x=0.01, ha="left")
        if data.notes:
            figure_note(fig, data.notes)
    return fig


def _count_labels(ax, ks, values) -> None:
    for k, v in zip(ks, values, strict=True):
        if v:
            ax.text(k, v, str(v), ha="center", va="bottom", fontsize=style.FONT_SIZES["tiny"])


def draw_assignments_per_measure(data: MeasureSizesData, lang: str):
    """Two bar charts sharing the measures' axis: lead units per measure, responsible units per
    measure (measures naming only collectives stacked in grey)."""
    ks, lv = data.lead.index.to_numpy(), data.lead.to_numpy()
    kr = data.responsible.index.to_numpy()
    named, only = data.responsible["named"].to_numpy(), data.responsible["only_collective"].to_numpy()
    with style.figure_style():
        fig = new_figure(style.WIDTH, style.WIDTH * 0.42)
        ax1, ax2 = fig.subplots(1, 2, sharey=True)
        ax1.bar(ks, lv, color=style.ROLE_COLORS["lead"], width=0.75, gid="lead")
        _count_labels(ax1, ks, lv)
        ax2.bar(kr, named, color=style.ROLE_COLORS["responsible"], width=0.75, label=t("with_named", lang), gid="named")
        ax2.bar(
            kr,
            only,
            bottom=named,
            color=style.COLLECTIVE_COLOR,
            width=0.75,
            hatch="///",
            edgecolor="white",
            label=t("only_collective", lang),
            gid="only_collective",
        )
        _count_labels(ax2, kr, named + only)
        for ax, key, kk in ((ax1, "dist_lead", ks), (ax2, "dist_resp", kr)):
            ax.set_xticks(kk)
            ax.set_xlabel(t(key, lang))
            ax.yaxis.grid(True)
        ax1.set_ylabel(t("n_measures", lang))
        ax1.set_ylim(0, max(lv.max(), (named + only).max()) * 1.12 + 0.5)
        ax2.legend(loc="upper right")
        fig.suptitle(t("dist_title", lang), x=0.01, ha="left")
    return fig
