"""Publication charts: each function returns a matplotlib ``Figure``; :func:`write_figures` saves them.

Every chart function has the shape ``chart(ds, tables=None, *, lang="zh") -> Figure``: `ds` is
the :class:`analysis.load.Dataset`, `tables` the dict of :func:`analysis.exports.analysis_tables`
(computed on demand when left out), `lang` ``"zh"`` (Chinese labels, canonical unit names) or
``"en"`` (the registry's ``name_en``, the English system labels of
:data:`analysis.registry.SYSTEMS`, plan names from ``data/plan_names.csv``; a plan missing there
is called by its ``plan_id``).

Charts (file stems in :data:`CHARTS`):

``workload_ranking``
    measures per unit, stacked sole lead / co-lead / responsible; collectives in grey below.
``section_heatmap``
    measures per unit and section (all roles); collectives in grey below.
``lorenz``
    Lorenz curves of lead load (Σ 1/k) and responsible load over named units, Gini in the legend.
``colead_network``
    co-lead projection, nodes coloured by consensus cluster, seeded spring layout.
``collective_share``
    per plan, share of responsible mentions given to collective placeholders and share of
    measures whose responsible units are all collectives.
``assignments_per_measure``
    distributions of the number of lead units and of responsible units per measure.
``cluster_stability``
    co-assignment matrix of the Louvain runs (share of runs in which two units share a community).
``lead_coalitions``
    UpSet-style chart of lead-unit sets that recur on two or more measures.

All text is set in the bundled Noto Sans CJK SC (:mod:`analysis.style`); files are
byte-identical on re-run (fixed metadata, fixed SVG hash salt, seeded layout).

Examples
--------
>>> from analysis.load import load
>>> ds = load()
>>> fig = lorenz(ds, lang="en")
>>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][1:]
['Lead load (Gini 0.69)', 'Responsible load (Gini 0.60)']
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from . import style
from .config import PLAN_NAMES_CSV, RANDOM_SEED
from .errors import exit_with_parent, write_bytes
from .registry import SYSTEMS

__all__ = [
    "CHARTS",
    "FORMATS",
    "LANGS",
    "assignments_per_measure",
    "cluster_stability",
    "colead_network",
    "collective_share",
    "lead_coalitions",
    "lorenz",
    "plan_labels",
    "save_figure",
    "section_heatmap",
    "text_overlaps",
    "unit_labels",
    "workload_ranking",
    "write_figures",
]

LANGS = ("zh", "en")
FORMATS = ("png", "svg", "pdf")

_T = {
    "sole_lead": ("单独牵头", "Sole lead"),
    "co_lead": ("联合牵头", "Co-lead"),
    "responsible": ("责任单位", "Responsible"),
    "n_measures": ("措施数", "Measures"),
    "ranking_x": (
        "措施数(同一措施既牵头又负责的单位两项均计)",
        "Measures (a unit both lead and responsible on one measure counts in both)",
    ),
    "ranking_title": ("各单位工作负荷", "Workload per unit"),
    "collectives": ("集合性表述", "Collective placeholders"),
    "role": ("角色", "Role"),
    "system": ("系统", "System"),
    "heatmap_title": ("各单位在各部分的任务数(牵头或责任)", "Measures per unit and section (lead or responsible)"),
    "section": ("部分", "Section"),
    "lorenz_title": ("负荷集中度(洛伦兹曲线)", "Concentration of load (Lorenz curves)"),
    "lorenz_x": ("单位累计占比(按负荷由小到大)", "Cumulative share of named units (lowest load first)"),
    "lorenz_y": ("负荷累计占比", "Cumulative share of load"),
    "lead_load": ("牵头负荷", "Lead load"),
    "responsible_load": ("责任负荷", "Responsible load"),
    "equality": ("完全均等", "Perfect equality"),
    "network_title": ("联合牵头网络", "Co-lead network"),
    "network_note": (
        "节点大小:牵头措施数;连线粗细:共同牵头措施数;颜色:共识群组",
        "Node size: measures led; line width: measures led together; colour: consensus cluster; "
        'names without the leading "District"',
    ),
    "cluster": ("群组", "Cluster"),
    "share_title": ("责任分配给集合性表述的比例", "Responsibility given to collective placeholders"),
    "share_mentions": ("责任单位提及中集合性表述的占比", "Share of responsible mentions"),
    "share_only": ("仅由集合性表述负责的措施占比", "Share of measures with only collectives responsible"),
    "named_units": ("具名单位", "Named units"),
    "all_plans": ("全部方案", "All plans"),
    "dist_title": ("每项措施的单位数", "Units per measure"),
    "dist_lead": ("牵头单位数", "Lead units per measure"),
    "dist_resp": ("责任单位数", "Responsible units per measure"),
    "with_named": ("含具名单位", "At least one named unit"),
    "only_collective": ("仅集合性表述", "Only collective placeholders"),
    "none": ("无", "none"),
    "stability_title": (
        "群组稳定性:Louvain 各次运行中两单位同组的比例",
        "Cluster stability: share of Louvain runs in which two units share a community",
    ),
    "stability_cbar": ("同组运行占比", "Share of runs together"),
    "coalitions_title": ("反复出现的联合牵头组合", "Recurring lead coalitions"),
    "coalitions_y": ("以该组合牵头的措施数", "Measures led by exactly this set"),
    "coalitions_units": ("牵头措施总数", "Measures led"),
    "no_coalition": (
        "没有在两项及以上措施中重复出现的联合牵头组合",
        "No set of lead units recurs on two or more measures",
    ),
    "plans": ("方案", "Plans"),
}


def _ticker():
    import matplotlib.ticker

    return matplotlib.ticker


def _t(key: str, lang: str) -> str:
    return _T[key][LANGS.index(lang)]


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")


# --------------------------------------------------------------------------------------------
# Labels and data helpers


def unit_labels(ds, lang: str = "zh") -> dict[str, str]:
    """Display name of every unit: the canonical name (zh) or the registry's ``name_en`` (en)."""
    _check_lang(lang)
    if lang == "zh":
        return {u: u for u in ds.units["unit"]}
    return {u: (en or u) for u, en in zip(ds.units["unit"], ds.units["name_en"], strict=True)}


def _read_plan_names(path: Path = PLAN_NAMES_CSV) -> dict[str, str]:
    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r["plan_title"].strip(): r["name_en"].strip() for r in csv.DictReader(fh) if r.get("name_en")}


def plan_labels(ds, lang: str = "zh", *, plan_names: Path = PLAN_NAMES_CSV) -> dict[str, str]:
    """Short name of every plan, in source order.

    zh: the title without 《》 and the trailing 重要举措分工方案 (or 分工方案 …); en: the name in
    ``data/plan_names.csv`` for that title, else the ``plan_id``.

    >>> from analysis.load import load
    >>> plan_labels(load())["P1"], plan_labels(load(), "en")["P2"]
    ('法治下陆建设规划(2021-2025年)', 'Xialu Law-based Government Programme 2021–2025')
    """
    _check_lang(lang)
    titles = ds.measures.drop_duplicates("plan_id").set_index("plan_id")["plan_title"]
    if lang == "en":
        names = _read_plan_names(plan_names)
        return {pid: names.get(t, f"Plan {pid}") for pid, t in titles.items()}
    out = {}
    for pid, t in titles.items():
        short = re.sub(r"(重要举措)?(任务)?分工(方案|表)?$", "", t).replace("《", "").replace("》", "").strip()
        out[pid] = short or pid
    return out


def _systems(ds) -> dict[str, str]:
    return dict(zip(ds.units["unit"], ds.units["system"], strict=True))


def _collective_set(ds) -> set[str]:
    return set(ds.units.loc[ds.units["is_collective"], "unit"])


def _colors(ds) -> dict[str, str]:
    """Colour of every unit: its system's, grey for collectives."""
    return {
        u: style.unit_color(s, is_collective=bool(c))
        for u, s, c in zip(ds.units["unit"], ds.units["system"], ds.units["is_collective"], strict=True)
    }


def _distinct(ds) -> pd.DataFrame:
    return ds.assignments.drop_duplicates(["measure_id", "role", "unit"])[["measure_id", "role", "unit"]]


def _tables(ds, tables, *names):
    """The requested analysis tables, computed only when missing (clusters are the slow ones)."""
    tables = dict(tables or {})
    missing = [n for n in names if n not in tables]
    if missing:
        from . import workload as wk

        cheap = {
            "workload": lambda: wk.workload(ds),
            "collectives": lambda: wk.collective_table(ds),
            "workload_by_section": lambda: wk.workload_by_section(ds),
        }
        of_workload = {"lorenz": wk.lorenz_table, "concentration": wk.concentration}
        if all(n in cheap or n in of_workload for n in missing):
            if "workload" not in tables and any(n in of_workload for n in missing):
                tables["workload"] = wk.workload(ds)
            for n in (n for n in missing if n not in tables):
                tables[n] = of_workload[n](tables["workload"]) if n in of_workload else cheap[n]()
        else:
            from .exports import analysis_tables

            tables.update({k: v for k, v in analysis_tables(ds).items() if k not in tables})
    return tables


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) if len(text) > width else text


#: Resolution of the inline PNG a notebook shows (files use :data:`analysis.style.DPI`).
NOTEBOOK_DPI = 110


@functools.cache
def _chart_figure_class():
    """A matplotlib ``Figure`` that shows itself in Jupyter, drawn inside the project style.

    Without pyplot no display hook is registered for figures, and a hook drawn outside
    :func:`analysis.style.figure_style` would fall back to a font without Chinese glyphs.
    """
    from matplotlib.figure import Figure

    class ChartFigure(Figure):
        def _repr_png_(self):
            buf = io.BytesIO()
            with style.figure_style():
                self.savefig(buf, format="png", dpi=NOTEBOOK_DPI)
            return buf.getvalue()

    return ChartFigure


def _new_figure(width: float, height: float, *, layout: str | None = "constrained"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _chart_figure_class()(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)  # Agg canvas: draw() lays out text; no pyplot, no GUI backend
    return fig


def _system_legend(ax, systems: list[str], lang: str, *, loc: str, title: bool = True, **kw):
    from matplotlib.patches import Patch

    i = LANGS.index(lang)
    handles = [Patch(facecolor=style.SYSTEM_COLORS[s], label=SYSTEMS[s][i]) for s in SYSTEMS if s in systems]
    return ax.legend(handles=handles, loc=loc, title=_t("system", lang) if title else None, **kw)


# --------------------------------------------------------------------------------------------
# Charts


def _chart(func):
    """Run a chart function in the project style and draw it once before returning.

    The draw creates tick labels and lays out text while the style (bundled CJK font) is in
    force; matplotlib copies those properties to ticks made by later draws, so the figure
    shows Chinese correctly even when displayed or saved outside :func:`style.figure_style`.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style.figure_style():
            fig = func(*args, **kwargs)
            fig.canvas.draw()
        return fig

    return wrapper


@_chart
def workload_ranking(ds, tables=None, *, lang: str = "zh", collectives: bool = True):
    """Measures per unit, stacked: sole lead, co-lead, responsible; sorted by measures led.

    Named units first (a square in their system's colour before the name), then, when
    `collectives` is true, the collective placeholders in grey. The figure is tall enough for
    every label (one row per unit).
    """
    _check_lang(lang)
    tables = _tables(ds, tables, "workload", "collectives")
    wl = tables["workload"].sort_values(
        ["n_lead", "n_sole_lead", "n_responsible", "unit"], ascending=[False, False, False, True], kind="stable"
    )
    rows = wl[["unit", "system", "n_sole_lead", "n_colead", "n_responsible"]].assign(is_collective=False)
    if collectives and len(tables["collectives"]):
        co = tables["collectives"].copy()
        lead_k = _lead_counts(ds)
        co["n_sole_lead"] = co["unit"].map(lead_k["sole"]).fillna(0).astype(int)
        co["n_colead"] = co["unit"].map(lead_k["co"]).fillna(0).astype(int)
        co = co.sort_values(["n_responsible", "unit"], ascending=[False, True], kind="stable")
        rows = pd.concat(
            [rows, co[["unit", "system", "n_sole_lead", "n_colead", "n_responsible"]].assign(is_collective=True)],
            ignore_index=True,
        )
    labels = unit_labels(ds, lang)
    with style.figure_style():
        row_h = 0.19 if lang == "zh" else 0.27
        fig = _new_figure(style.WIDTH, 1.6 + row_h * len(rows))
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        coll = rows["is_collective"].to_numpy()
        left = np.zeros(len(rows))
        segments = (
            ("sole_lead", "n_sole_lead", "#555555"),
            ("co_lead", "n_colead", "#888888"),
            ("responsible", "n_responsible", style.COLLECTIVE_COLOR),
        )
        for key, col, grey in segments:
            vals = rows[col].to_numpy(dtype=float)
            colors = [grey if c else style.WORKLOAD_COLORS[key] for c in coll]
            ax.barh(y, vals, left=left, height=0.72, color=colors, label=_t(key, lang), gid=key)
            left += vals
        for yi, total in zip(y, left, strict=True):
            ax.text(total + 0.4, yi, f"{int(total)}", va="center", fontsize=style.FONT_SIZES["tiny"], color="#444444")
        width = 50 if lang == "en" else 30
        ax.set_yticks(y, [_wrap(labels.get(u, u), width) for u in rows["unit"]])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, max(left.max(), 1) * 1.08 + 1)
        ax.tick_params(axis="y", length=0, pad=11)
        ax.xaxis.grid(True)
        ax.set_xlabel(_wrap(_t("ranking_x", lang), 90))
        ax.set_title(_t("ranking_title", lang), loc="left")
        # System marker before each name (grey for collectives).
        from matplotlib.transforms import blended_transform_factory

        tr = blended_transform_factory(ax.transAxes, ax.transData)
        colors = _colors(ds)
        ax.scatter(
            np.full(len(rows), -0.012),
            y,
            s=22,
            marker="s",
            c=[colors[u] for u in rows["unit"]],
            transform=tr,
            clip_on=False,
            linewidths=0,
        )
        if coll.any():
            first = int(np.argmax(coll))
            ax.axhline(first - 0.5, color="#777777", lw=0.8, ls="--")
            ax.text(
                0.99,
                first - 0.25,
                _t("collectives", lang),
                transform=tr,
                ha="right",
                va="top",
                fontsize=style.FONT_SIZES["small"],
                color="#555555",
            )
        from matplotlib.patches import Patch

        role_handles = [Patch(facecolor=style.WORKLOAD_COLORS[k], label=_t(k, lang)) for k, _, _ in segments]
        # Legends in the empty lower right (short bars there); side by side in a short chart.
        tall = len(rows) > 20
        leg = ax.legend(
            handles=role_handles,
            loc="upper right",
            title=_t("role", lang),
            bbox_to_anchor=(1, 0.62) if tall else (1, 1),
        )
        ax.add_artist(leg)
        _system_legend(
            ax,
            sorted(set(rows["system"]) | ({"collective"} if coll.any() else set())),
            lang,
            loc="upper right",
            bbox_to_anchor=(1, 0.5) if tall else (0.72, 1),
        )
    return fig


def _lead_counts(ds) -> dict[str, pd.Series]:
    lead = _distinct(ds).query("role == 'lead'")
    k = lead.groupby("measure_id")["unit"].transform("size")
    return {"sole": lead[k == 1]["unit"].value_counts(), "co": lead[k > 1]["unit"].value_counts()}


def _unit_order(ds, tables) -> list[str]:
    """Named units by measures led, then responsible (the ranking's order)."""
    wl = tables["workload"].sort_values(
        ["n_lead", "n_sole_lead", "n_responsible", "unit"], ascending=[False, False, False, True], kind="stable"
    )
    return list(wl["unit"])


@_chart
def section_heatmap(ds, tables=None, *, lang: str = "zh", value: str = "n_total"):
    """Measures per unit (rows) and section (columns); `value` is ``n_total``, ``n_lead`` or ``n_responsible``.

    Named units in the ranking's order on a blue scale, then collective placeholders on a
    grey scale; each non-empty cell shows its count. Columns are every section of every plan,
    in source order, grouped by plan.
    """
    _check_lang(lang)
    tables = _tables(ds, tables, "workload", "workload_by_section")
    long = tables["workload_by_section"]
    sections = ds.measures[["plan_id", "section_no", "section_title"]].drop_duplicates(["plan_id", "section_no"])
    cols = list(zip(sections["plan_id"], sections["section_no"], strict=True))
    named = _unit_order(ds, tables)
    coll = _collective_set(ds)
    coll_rows = sorted(
        set(long["unit"]) & coll,
        key=lambda u: (-long.loc[long["unit"] == u, value].sum(), u),
    )
    grid = long.pivot_table(index="unit", columns=["plan_id", "section_no"], values=value, aggfunc="sum")
    grid = grid.reindex(index=named + coll_rows, columns=pd.MultiIndex.from_tuples(cols)).fillna(0).astype(int)
    labels = unit_labels(ds, lang)
    plans = plan_labels(ds, lang)
    with style.figure_style():
        row_h = 0.19 if lang == "zh" else 0.2
        n_r, n_c = grid.shape
        fig = _new_figure(style.WIDTH, 2.6 + row_h * n_r + (1.2 if lang == "zh" else 0.3))
        ax = fig.add_subplot()
        vmax = max(int(grid.to_numpy().max()), 1)
        n_named = len(named)
        meshes = []
        for block, cmap, rows in (
            ("named", style.HEATMAP_CMAP, slice(0, n_named)),
            ("collective", style.HEATMAP_CMAP_COLLECTIVE, slice(n_named, n_r)),
        ):
            data = grid.to_numpy()[rows].astype(float)
            if not data.size:
                continue
            y0 = rows.start
            m = ax.pcolormesh(
                np.arange(n_c + 1) - 0.5,
                np.arange(y0, y0 + data.shape[0] + 1) - 0.5,
                np.ma.masked_equal(data, 0),
                cmap=cmap,
                vmin=0,
                vmax=vmax,
                edgecolors="white",
                linewidth=0.3,
            )
            m.set_gid(block)
            meshes.append(m)
            for (i, j), v in np.ndenumerate(data):
                if v:
                    dark = v / vmax > 0.55
                    ax.text(
                        j,
                        y0 + i,
                        str(int(v)),
                        ha="center",
                        va="center",
                        fontsize=style.FONT_SIZES["tiny"] - 0.5,
                        color="white" if dark else "#222222",
                        gid="cell",
                    )
        ax.set_ylim(n_r - 0.5, -0.5)
        ax.set_xlim(-0.5, n_c - 0.5)
        ax.set_yticks(np.arange(n_r), [_wrap(labels.get(u, u), 46) for u in grid.index])
        if lang == "zh":
            xt = [f"{no} {_short(title, 11)}" for (_, no), title in zip(cols, sections["section_title"], strict=True)]
        else:
            xt = [f"§{no}" for _, no in cols]
        ax.set_xticks(np.arange(n_c), xt, rotation=90 if lang == "zh" else 0)
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        # Plan groups: separators and plan ids on top.
        plan_ids = [p for p, _ in cols]
        starts = [i for i, p in enumerate(plan_ids) if i == 0 or p != plan_ids[i - 1]]
        for k, st in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else n_c
            if st:
                ax.axvline(st - 0.5, color="#333333", lw=1)
            ax.text((st + end - 1) / 2, -0.8, plan_ids[st], ha="center", va="bottom", fontsize=style.FONT_SIZES["base"])
        if coll_rows:
            ax.axhline(n_named - 0.5, color="#333333", lw=1)
        key = "\n".join(f"{pid} = {plans[pid]}" for pid in dict.fromkeys(plan_ids))
        ax.set_title(_t("heatmap_title", lang) + "\n", loc="left")
        fig.supxlabel(key, fontsize=style.FONT_SIZES["small"], ha="center")
        cb = fig.colorbar(meshes[0], ax=ax, shrink=min(1, 6 / (row_h * n_r + 1)), pad=0.02, aspect=30)
        cb.set_label(_t("n_measures", lang))
        cb.ax.yaxis.set_major_locator(_ticker().MaxNLocator(integer=True))
    return fig


def _short(text: str, n: int) -> str:
    text = re.split(r"[,，]", text)[0]
    return text if len(text) <= n else text[: n - 1] + "…"


@_chart
def lorenz(ds, tables=None, *, lang: str = "zh"):
    """Lorenz curves of lead load (``lead_share``) and responsible load (``n_responsible``).

    Named units only; the legend gives each curve's Gini coefficient.
    """
    _check_lang(lang)
    tables = _tables(ds, tables, "lorenz", "concentration")
    lz = tables["lorenz"]
    gini = tables["concentration"].set_index("load")["gini"]
    with style.figure_style():
        fig = _new_figure(style.WIDTH * 0.62, style.WIDTH * 0.62)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], color="#999999", lw=1, ls="--", label=_t("equality", lang))
        for load, key, color in (
            ("lead_share", "lead_load", style.ROLE_COLORS["lead"]),
            ("n_responsible", "responsible_load", "#6688BB"),
        ):
            d = lz[lz["load"] == load]
            few = len(d) <= 15
            ax.plot(
                d["cum_share_units"],
                d["cum_share_load"],
                color=color,
                lw=2,
                marker="o" if few else None,
                ms=3.5,
                label=f"{_t(key, lang)} (Gini {gini[load]:.2f})",
                gid=load,
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        pct = _ticker().PercentFormatter(1.0)
        ax.xaxis.set_major_formatter(pct)
        ax.yaxis.set_major_formatter(pct)
        ax.grid(True)
        ax.set_xlabel(_wrap(_t("lorenz_x", lang), 60))
        ax.set_ylabel(_t("lorenz_y", lang))
        ax.set_title(_t("lorenz_title", lang), loc="left")
        ax.legend(loc="upper left")
    return fig


def _network_layout(G, *, seed: int) -> dict:
    """Seeded layout: the largest component in [-1, 1]², smaller ones in a column on the right,
    units that never lead together with another (isolates) in a row at the bottom.

    Each component is laid out on its own (Kamada-Kawai on hop distances, then a short
    seeded spring refinement that pulls frequent co-leads together), so isolates do not fly
    to the corners as they do in one spring layout of a disconnected graph.
    """
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    big = [c for c in comps if len(c) > 1]
    iso = [c[0] for c in comps if len(c) == 1]
    pos = {}
    y_next = 1.0
    for i, comp in enumerate(big):
        H = G.subgraph(comp)
        if len(comp) == 2:
            p = {comp[0]: np.array([-1.0, 0.0]), comp[1]: np.array([1.0, 0.0])}
        else:
            p = nx.forceatlas2_layout(
                H, weight="count", seed=seed, max_iter=300, distributed_action=True, scaling_ratio=4.0
            )
        arr = np.array([p[u] for u in comp], dtype=float)
        arr -= (arr.max(axis=0) + arr.min(axis=0)) / 2
        arr /= np.maximum(np.abs(arr).max(axis=0), 1e-9)  # fill the square in x and in y
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


def _network_label(name: str, lang: str) -> str:
    """Node label: the name (zh) or, in English, the name without its leading "District ",
    wrapped (every unit is a district unit; the note under the title says so)."""
    if lang == "zh":
        return name
    return _wrap(re.sub(r"^District ", "", name), 20)


@_chart
def colead_network(ds, tables=None, *, lang: str = "zh", seed: int = RANDOM_SEED):
    """Co-lead projection: units that lead measures together, coloured by consensus cluster.

    Node area grows with the measures a unit leads, line width with the measures two units
    lead together. Seeded spring layout; labels are moved off each other with adjustText
    (a fixed number of iterations, so the result is deterministic).
    """
    import networkx as nx
    from adjustText import adjust_text

    _check_lang(lang)
    tables = _tables(ds, tables, "clusters", "colead_edges")
    cl = tables["clusters"].sort_values("unit")
    edges = tables["colead_edges"]
    G = nx.Graph()
    G.add_nodes_from(cl["unit"])
    G.add_weighted_edges_from(
        (
            (a, b, int(c))
            for a, b, c in zip(edges["unit_a"], edges["unit_b"], edges["count"], strict=True)
            if a in G and b in G
        ),
        weight="count",
    )
    pos = _network_layout(G, seed=seed)
    cluster = dict(zip(cl["unit"], cl["cluster"], strict=True))
    n_lead = dict(zip(cl["unit"], cl["n_lead"], strict=True))
    labels = unit_labels(ds, lang)
    coll = _collective_set(ds)
    with style.figure_style():
        side = style.WIDTH if len(G) > 12 else style.WIDTH * 0.75
        fig = _new_figure(side, side, layout=None)
        ax = fig.add_axes((0.02, 0.1, 0.96, 0.8))
        ax.set_axis_off()
        wmax = max([d["count"] for *_, d in G.edges(data=True)] or [1])
        for a, b, d in sorted(G.edges(data=True), key=lambda e: (e[2]["count"], e[0], e[1])):
            (x0, y0), (x1, y1) = pos[a], pos[b]
            ax.plot(
                [x0, x1],
                [y0, y1],
                color="#888888",
                lw=0.4 + 3.6 * d["count"] / wmax,
                alpha=0.35 + 0.4 * d["count"] / wmax,
                zorder=1,
                solid_capstyle="round",
            )
        nodes = sorted(G.nodes)
        xy = np.array([pos[u] for u in nodes]) if nodes else np.zeros((0, 2))
        nmax = max(n_lead.values() or [1])
        sizes = [30 + 900 * n_lead[u] / nmax for u in nodes]
        colors = [style.COLLECTIVE_COLOR if u in coll else style.cluster_color(cluster[u]) for u in nodes]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colors, edgecolors="white", linewidths=0.8, zorder=2, gid="nodes")
        pad = 0.12
        if nodes:
            ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
            ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
        fs = style.FONT_SIZES["base"] if len(G) <= 20 else style.FONT_SIZES["small" if lang == "zh" else "tiny"]
        # Each label starts just below its node (offset = node radius, in data units).
        px_per_data = ax.transData.transform((1, 1)) - ax.transData.transform((0, 0))
        drop = [(math.sqrt(sz) / 2 + 1.5) * fig.dpi / 72 / abs(px_per_data[1]) for sz in sizes]
        texts = [
            ax.text(
                x,
                y - d,
                _network_label(labels.get(u, u), lang),
                fontsize=fs,
                ha="center",
                va="top",
                zorder=3,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
            )
            for u, (x, y), d in zip(nodes, xy, drop, strict=True)
        ]
        fig.canvas.draw()
        if len(texts) > 1:
            adjust_text(
                texts,
                x=xy[:, 0],
                y=xy[:, 1],
                ax=ax,
                iter_lim=150,
                time_lim=None,
                expand=(1.08, 1.25),
                ensure_inside_axes=True,
                arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.5},
            )
        fig.text(0.02, 0.975, _t("network_title", lang), fontsize=style.FONT_SIZES["title"], va="top")
        from matplotlib.lines import Line2D

        handles = []
        for c in sorted(set(cluster.values())):
            members = sorted((u for u in cluster if cluster[u] == c), key=lambda u: (-n_lead[u], u))
            name = f"{_t('cluster', lang)} {c}: {labels.get(members[0], members[0])}"
            if len(members) > 1:
                name += f" +{len(members) - 1}"
            handles.append(Line2D([], [], marker="o", ls="", color=style.cluster_color(c), ms=7, label=name))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, -0.005),
            ncols=2 if len(handles) > 3 else 1,
            fontsize=style.FONT_SIZES["small"],
        )
        fig.text(0.02, 0.935, _t("network_note", lang), va="top", fontsize=style.FONT_SIZES["small"], color="#444444")
    return fig


_LABEL_BOX = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85}


def _responsible_shares(ds) -> pd.DataFrame:
    """Per plan (and all plans): share of responsible mentions and of collective-only measures."""
    coll = _collective_set(ds)
    plan_of = ds.measures.set_index("measure_id")["plan_id"]
    resp = ds.assignments[ds.assignments["role"] == "responsible"].assign(
        plan_id=lambda d: d["measure_id"].map(plan_of), is_coll=lambda d: d["unit"].isin(coll)
    )
    only = resp.groupby("measure_id")["is_coll"].all()
    m = ds.measures[["measure_id", "plan_id"]].assign(
        only=lambda d: d["measure_id"].map(only).fillna(False).astype(bool)
    )
    rows = []
    for pid in [*list(dict.fromkeys(ds.measures["plan_id"])), None]:
        r = resp if pid is None else resp[resp["plan_id"] == pid]
        mm = m if pid is None else m[m["plan_id"] == pid]
        rows.append(
            {
                "plan_id": pid or "",
                "n_mentions": len(r),
                "n_collective_mentions": int(r["is_coll"].sum()),
                "n_measures": len(mm),
                "n_only_collective": int(mm["only"].sum()),
            }
        )
    df = pd.DataFrame(rows)
    df["share_collective_mentions"] = df["n_collective_mentions"] / df["n_mentions"].where(df["n_mentions"] > 0)
    df["share_only_collective"] = df["n_only_collective"] / df["n_measures"]
    return df.fillna({"share_collective_mentions": 0.0})


@_chart
def collective_share(ds, tables=None, *, lang: str = "zh"):
    """Per plan and for all plans: responsible mentions given to collective placeholders
    (named vs collective, 100 % bars) and the share of measures whose responsible units are
    all collectives."""
    _check_lang(lang)
    df = _responsible_shares(ds)
    plans = plan_labels(ds, lang)
    names = [
        _wrap(f"{pid} {plans[pid]}" if pid else _t("all_plans", lang), 22 if lang == "zh" else 30)
        for pid in df["plan_id"]
    ]
    with style.figure_style():
        fig = _new_figure(style.WIDTH, 1.6 + 0.55 * len(df))
        ax1, ax2 = fig.subplots(1, 2, sharey=True, width_ratios=(1.35, 1))
        y = np.arange(len(df))
        s = df["share_collective_mentions"].to_numpy()
        ax1.barh(
            y, 1 - s, color=style.ROLE_COLORS["responsible"], label=_t("named_units", lang), height=0.62, gid="named"
        )
        ax1.barh(
            y,
            s,
            left=1 - s,
            color=style.COLLECTIVE_COLOR,
            label=_t("collectives", lang),
            height=0.62,
            hatch="///",
            edgecolor="white",
            gid="collective",
        )
        for yi, (v, n, k) in enumerate(zip(s, df["n_mentions"], df["n_collective_mentions"], strict=True)):
            ax1.text(
                0.985,
                yi,
                f"{v:.0%}\n({k}/{n})",
                ha="right",
                va="center",
                fontsize=style.FONT_SIZES["tiny"],
                color="#222222",
                bbox=_LABEL_BOX,
            )
        o = df["share_only_collective"].to_numpy()
        ax2.barh(y, o, color=style.COLLECTIVE_COLOR, height=0.62, hatch="///", edgecolor="white", gid="only")
        for yi, (v, n, k) in enumerate(zip(o, df["n_measures"], df["n_only_collective"], strict=True)):
            ax2.text(
                min(v, 0.72) + 0.02,
                yi,
                f"{v:.0%} ({k}/{n})",
                va="center",
                fontsize=style.FONT_SIZES["tiny"],
                bbox=_LABEL_BOX,
            )
        pct = _ticker().PercentFormatter(1.0, decimals=0)
        for ax, key in ((ax1, "share_mentions"), (ax2, "share_only")):
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(pct)
            ax.set_title(
                _wrap(_t(key, lang), 20 if lang == "zh" else 32), loc="left", fontsize=style.FONT_SIZES["base"]
            )
            ax.xaxis.grid(True)
        ax1.set_yticks(y, names)
        ax1.set_ylim(len(df) - 0.5, -0.5)
        ax1.axhline(len(df) - 1.5, color="#777777", lw=0.8)
        ax1.tick_params(axis="y", length=0)
        ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)
        fig.suptitle(_t("share_title", lang), x=0.01, ha="left")
    return fig


def _per_measure_counts(ds) -> pd.DataFrame:
    """Per measure: number of distinct lead units, of responsible units, and whether all
    responsible units are collectives."""
    a = _distinct(ds)
    coll = _collective_set(ds)
    ids = ds.measures["measure_id"]
    n_lead = a[a["role"] == "lead"].groupby("measure_id").size().reindex(ids, fill_value=0)
    resp = a[a["role"] == "responsible"]
    n_resp = resp.groupby("measure_id").size().reindex(ids, fill_value=0)
    only = resp.assign(c=resp["unit"].isin(coll)).groupby("measure_id")["c"].all().reindex(ids, fill_value=False)
    return pd.DataFrame(
        {"n_lead": n_lead.to_numpy(), "n_responsible": n_resp.to_numpy(), "only_collective": only.to_numpy(dtype=bool)},
        index=ids,
    )


@_chart
def assignments_per_measure(ds, tables=None, *, lang: str = "zh"):
    """Distributions of lead units per measure and of responsible units per measure.

    Responsible bars are split into measures naming at least one named unit and measures
    naming only collective placeholders (grey); a measure without a responsible line is the
    bar at 0.
    """
    _check_lang(lang)
    c = _per_measure_counts(ds)
    with style.figure_style():
        fig = _new_figure(style.WIDTH, style.WIDTH * 0.42)
        ax1, ax2 = fig.subplots(1, 2, sharey=True)
        lead = c["n_lead"].value_counts().sort_index()
        ks = np.arange(0 if lead.index.min() == 0 else 1, int(lead.index.max()) + 1)
        lv = lead.reindex(ks, fill_value=0).to_numpy()
        ax1.bar(ks, lv, color=style.ROLE_COLORS["lead"], width=0.75, gid="lead")
        for k, v in zip(ks, lv, strict=True):
            if v:
                ax1.text(k, v, str(v), ha="center", va="bottom", fontsize=style.FONT_SIZES["tiny"])
        kr = np.arange(0, int(c["n_responsible"].max()) + 1)
        named = c[~c["only_collective"]]["n_responsible"].value_counts().reindex(kr, fill_value=0).to_numpy()
        only = c[c["only_collective"]]["n_responsible"].value_counts().reindex(kr, fill_value=0).to_numpy()
        ax2.bar(
            kr, named, color=style.ROLE_COLORS["responsible"], width=0.75, label=_t("with_named", lang), gid="named"
        )
        ax2.bar(
            kr,
            only,
            bottom=named,
            color=style.COLLECTIVE_COLOR,
            width=0.75,
            hatch="///",
            edgecolor="white",
            label=_t("only_collective", lang),
            gid="only_collective",
        )
        for k, v in zip(kr, named + only, strict=True):
            if v:
                ax2.text(k, v, str(v), ha="center", va="bottom", fontsize=style.FONT_SIZES["tiny"])
        for ax, key, kk in ((ax1, "dist_lead", ks), (ax2, "dist_resp", kr)):
            ax.set_xticks(kk)
            ax.set_xlabel(_t(key, lang))
            ax.yaxis.grid(True)
        ax1.set_ylabel(_t("n_measures", lang))
        ax1.set_ylim(0, max(lv.max(), (named + only).max()) * 1.12 + 0.5)
        ax2.legend(loc="upper right")
        fig.suptitle(_t("dist_title", lang), x=0.01, ha="left")
    return fig


@_chart
def cluster_stability(ds, tables=None, *, lang: str = "zh"):
    """Co-assignment matrix: share of Louvain runs in which two lead units share a community.

    Units ordered by consensus cluster (coloured strips and outlines), then by measures led.
    In English the columns carry row numbers instead of the long names.
    """
    from matplotlib.patches import Rectangle

    _check_lang(lang)
    tables = _tables(ds, tables, "cluster_coassignment", "clusters")
    co = tables["cluster_coassignment"].set_index("unit")
    cl = tables["clusters"].set_index("unit")
    order = sorted(co.index, key=lambda u: (int(cl.loc[u, "cluster"]), -int(cl.loc[u, "n_lead"]), u))
    mat = co.loc[order, order].to_numpy(dtype=float)
    labels = unit_labels(ds, lang)
    n = len(order)
    clusters = [int(cl.loc[u, "cluster"]) for u in order]
    with style.figure_style():
        cell = 0.15 if n > 20 else 0.3
        label_w = 1.5 if lang == "zh" else 3.0
        fig = _new_figure(label_w + cell * n + 1.4, cell * n + 2.0)
        ax = fig.add_subplot()
        im = ax.imshow(mat, cmap=style.HEATMAP_CMAP, vmin=0, vmax=1, interpolation="nearest", aspect="equal")
        fs = style.FONT_SIZES["tiny"] if n > 25 else style.FONT_SIZES["small"]
        if lang == "zh":
            ylab = [labels.get(u, u) for u in order]
            xlab = ylab
        else:
            ylab = [f"{re.sub(r'^District ', '', labels.get(u, u))}  {i}" for i, u in enumerate(order, start=1)]
            xlab = [str(i) for i in range(1, n + 1)]
        ax.set_yticks(np.arange(n), ylab, fontsize=fs)
        ax.set_xticks(np.arange(n), xlab, fontsize=fs, rotation=90)
        ax.xaxis.tick_top()
        ax.tick_params(length=0, pad=7)
        for s in ax.spines.values():
            s.set_visible(False)
        for i, c in enumerate(clusters):
            color = style.cluster_color(c)
            ax.add_patch(Rectangle((-0.5 - 0.012 * n, i - 0.5), 0.012 * n * 0.8, 1, color=color, clip_on=False))
        # Outline each consensus cluster's block.
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
        cb = fig.colorbar(im, ax=ax, shrink=0.6, pad=0.02, aspect=25)
        cb.set_label(_t("stability_cbar", lang))
        pct = _ticker().PercentFormatter(1.0, decimals=0)
        cb.ax.yaxis.set_major_formatter(pct)
        title = _t("stability_title", lang) + ("" if lang == "zh" else ' (names without the leading "District")')
        fig.suptitle(_wrap(title, 34 if lang == "zh" else 75), x=0.01, ha="left")
    return fig


def _coalitions(ds, *, min_size: int, min_measures: int) -> list[tuple[tuple[str, ...], int]]:
    """Lead-unit sets of at least `min_size` units that lead at least `min_measures` measures.

    Sorted by number of measures, then size (larger first), then names.
    """
    lead = _distinct(ds).query("role == 'lead'")
    sets = lead.groupby("measure_id", sort=False)["unit"].agg(lambda s: tuple(sorted(s)))
    counts = Counter(sets)
    out = [(k, v) for k, v in counts.items() if len(k) >= min_size and v >= min_measures]
    return sorted(out, key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))


@_chart
def lead_coalitions(
    ds, tables=None, *, lang: str = "zh", min_size: int = 2, min_measures: int = 2, max_coalitions: int = 20
):
    """UpSet-style chart of recurring lead coalitions.

    A coalition is the exact set of lead units of a measure (at least `min_size` units); those
    that lead at least `min_measures` measures are shown (at most `max_coalitions`, most
    frequent first). Top: measures per coalition; matrix: its members (one row per unit);
    left: all measures each unit leads, for scale. Drawn by hand: upsetplot 0.9.0 fails under
    pandas 3.
    """
    _check_lang(lang)
    combos = _coalitions(ds, min_size=min_size, min_measures=min_measures)[:max_coalitions]
    labels = unit_labels(ds, lang)
    colors = _colors(ds)
    with style.figure_style():
        if not combos:
            fig = _new_figure(style.WIDTH * 0.7, 1.6)
            fig.text(0.5, 0.5, _t("no_coalition", lang), ha="center", va="center")
            fig.suptitle(_t("coalitions_title", lang), x=0.01, ha="left")
            return fig
        lead = _distinct(ds).query("role == 'lead'")
        n_led = lead["unit"].value_counts()
        freq = Counter(u for combo, v in combos for u in combo for _ in range(v))
        units = sorted(freq, key=lambda u: (-freq[u], -n_led.get(u, 0), u))
        nu, nc = len(units), len(combos)
        row = 0.2 if lang == "zh" else 0.22
        col = 0.3
        fig = _new_figure(style.WIDTH if nc > 8 else max(4.6, 2.8 + col * nc), 2.8 + row * nu)
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
        x = np.arange(nc)
        heights = [v for _, v in combos]
        ax_bar.bar(x, heights, color=style.ROLE_COLORS["lead"], width=0.6, gid="coalitions")
        for xi, h in zip(x, heights, strict=True):
            ax_bar.text(xi, h, str(h), ha="center", va="bottom", fontsize=style.FONT_SIZES["tiny"])
        ax_bar.set_ylabel(_wrap(_t("coalitions_y", lang), 16 if lang == "zh" else 22))
        ax_bar.set_ylim(0, max(heights) * 1.15)
        ax_bar.tick_params(axis="x", bottom=False, labelbottom=False)
        ax_bar.spines["bottom"].set_visible(False)
        ax_bar.yaxis.grid(True)
        ax_bar.yaxis.set_major_locator(_ticker().MaxNLocator(integer=True))
        # Matrix of dots.
        yy, xx = np.meshgrid(np.arange(nu), x, indexing="ij")
        ax_mat.scatter(xx.ravel(), yy.ravel(), s=28, color="#DDDDDD", zorder=1)
        for xi, (combo, _) in zip(x, combos, strict=True):
            ys = sorted(units.index(u) for u in combo)
            ax_mat.plot([xi, xi], [ys[0], ys[-1]], color=style.ROLE_COLORS["lead"], lw=1.6, zorder=2)
            ax_mat.scatter([xi] * len(ys), ys, s=34, color=style.ROLE_COLORS["lead"], zorder=3, gid="member")
        for i in range(0, nu, 2):
            ax_mat.axhspan(i - 0.5, i + 0.5, color="#F4F4F4", zorder=0, lw=0)
        ax_mat.set_ylim(nu - 0.5, -0.5)
        ax_mat.set_xlim(-0.6, nc - 0.4)
        ax_mat.tick_params(left=False, labelleft=False, bottom=False, labelbottom=False)
        for s in ax_mat.spines.values():
            s.set_visible(False)
        # Left: measures led by each unit, bars growing leftwards, names between.
        vals = [int(n_led.get(u, 0)) for u in units]
        ax_set.barh(
            np.arange(nu), vals, color=[colors.get(u, style.COLLECTIVE_COLOR) for u in units], height=0.6, gid="units"
        )
        ax_set.invert_xaxis()
        ax_set.yaxis.tick_right()
        ax_set.set_yticks(np.arange(nu), [_wrap(labels.get(u, u), 42) for u in units])
        ax_set.tick_params(axis="y", length=0, pad=6)
        ax_set.spines["left"].set_visible(False)
        ax_set.spines["right"].set_visible(False)
        ax_set.set_xlabel(_t("coalitions_units", lang))
        ax_set.xaxis.grid(True)
        fig.suptitle(_t("coalitions_title", lang), x=0.01, ha="left")
    return fig


#: File stem → chart function, in the order the build writes them.
CHARTS = {
    "workload_ranking": workload_ranking,
    "section_heatmap": section_heatmap,
    "lorenz": lorenz,
    "colead_network": colead_network,
    "collective_share": collective_share,
    "assignments_per_measure": assignments_per_measure,
    "cluster_stability": cluster_stability,
    "lead_coalitions": lead_coalitions,
}


# --------------------------------------------------------------------------------------------
# Saving

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": "analysis (python -m analysis figures)"},
    "pdf": {
        "CreationDate": None,
        "ModDate": None,
        "Creator": "analysis (python -m analysis figures)",
        "Producer": "matplotlib",
    },
}


def save_figure(fig, path, fmt: str | None = None) -> Path:
    """Save `fig` to `path` (format from the suffix) with fixed metadata; byte-identical on re-run.

    PNG at :data:`analysis.style.DPI`, SVG with text as paths and a fixed hash salt, PDF with
    the font embedded as a subset (type 42).
    """
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    buf = io.BytesIO()
    with style.figure_style():
        fig.savefig(buf, format=fmt, dpi=style.DPI, metadata=_METADATA[fmt])
    return write_bytes(path, buf.getvalue())  # atomically: a killed build leaves no cut file


def text_overlaps(fig, *, texts=None) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of `fig` whose boxes overlap (for tests and checks).

    By default looks at the texts drawn in each axes (data labels, not tick labels).
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    if texts is None:
        texts = [t for ax in fig.axes for t in ax.texts]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text().strip()]
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            if ba.overlaps(bb):
                out.append((a, b))
    return out


def _write_lang(ds, tables, figures_dir: Path, lang: str, formats, charts) -> dict[str, Path]:
    folder = figures_dir if lang == "zh" else figures_dir / lang
    written = {}
    for name, func in CHARTS.items():
        if charts is not None and name not in charts:
            continue
        fig = func(ds, tables, lang=lang)
        for fmt in formats:
            rel = f"{name}.{fmt}" if lang == "zh" else f"{lang}/{name}.{fmt}"
            written[f"figures/{rel}"] = save_figure(fig, folder / f"{name}.{fmt}", fmt)
    return written


def write_figures(
    ds, tables, figures_dir, *, langs=LANGS, formats=FORMATS, charts=None, processes: int | None = None
) -> dict[str, Path]:
    """Draw every chart and save it as ``figures_dir/NAME.{png,svg,pdf}`` (Chinese) and
    ``figures_dir/en/NAME.*`` (English); returns ``{"figures/[en/]NAME.ext": path}``.

    The languages are drawn in parallel processes (`processes`, default: one per language up
    to the number of cores); the files do not depend on it. The workers die with this process
    (:func:`~analysis.errors.exit_with_parent`), and an error in one (a full disk) reaches
    the caller as the same exception.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor

    figures_dir = Path(figures_dir)
    langs = list(langs)
    n = processes if processes is not None else min(len(langs), os.cpu_count() or 1)
    if n <= 1 or len(langs) <= 1:
        parts = [_write_lang(ds, tables, figures_dir, lang, formats, charts) for lang in langs]
    else:
        with ProcessPoolExecutor(max_workers=n, initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_write_lang, ds, tables, figures_dir, lang, formats, charts) for lang in langs]
            parts = [f.result() for f in futures]
    written = {}
    for part in parts:
        written.update(part)
    return written
