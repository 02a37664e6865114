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
    co-lead projection, nodes coloured by consensus cluster, seeded ForceAtlas2 layout.
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

import contextlib
import csv
import functools
import io
import math
import re
import textwrap
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from . import facts, limits, style
from .config import PLAN_NAMES_CSV, RANDOM_SEED, SECTION_NAMES_CSV
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
    "figure_chars",
    "figures_in_background",
    "label_node_overlaps",
    "lead_coalitions",
    "lorenz",
    "plan_labels",
    "save_figure",
    "section_heatmap",
    "section_labels",
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
    "district_note": ("", 'Unit names without the leading "District".'),
    "plan_titles_note": ("方案名称见 measures.csv 的 plan_title 列", "Plan titles: column plan_title of measures.csv"),
    "sections_cut": (
        "另有 {n:,} 个部分未列出(共 {total:,} 个;只列出所示单位任务最多的部分);"
        "完整表见 reports/workload_by_section.csv",
        "{n:,} more sections not shown (of {total:,}; those where the units shown have the most measures are); "
        "full table in reports/workload_by_section.csv",
    ),
    "network_cut": (
        "另有 {n:,} 个牵头单位未列出(各牵头不超过 {most:,} 项措施);完整名单见 reports/clusters.csv",
        "{n:,} more lead units not shown (each leads at most {most:,} measures); full list in reports/clusters.csv",
    ),
    "stability_cut": (
        "仅列出牵头最多的 {k:,} 个单位;另有 {n:,} 个未列出,见 reports/cluster_coassignment.csv",
        "The {k:,} units that lead the most; {n:,} more in reports/cluster_coassignment.csv",
    ),
    "plans_cut": (
        "仅列出责任提及最多的 {k:,} 个方案;另有 {n:,} 个方案未列出(计入“全部方案”)",
        "The {k:,} plans with the most responsible mentions; {n:,} more plans not shown (counted in All plans)",
    ),
}

#: Named units the ranking and the heatmap show by default (the rest are counted in a note):
#: as many as fit a 23 cm page in English, where names take two lines.
TOP_UNITS = 24
#: Above this many plans on the section heatmap, one note line points to the plan titles.
MAX_PLAN_NOTES = 6
#: Clusters named in the co-lead network's legend (those with the most units drawn).
MAX_LEGEND_CLUSTERS = 6
TOP_UNITS_HEATMAP = 18


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


def _display_names(ds, lang: str) -> dict[str, str]:
    """Names as the charts print them: :func:`unit_labels`, in English without a leading
    "District " (every unit is a district unit; each English chart says so)."""
    labels = unit_labels(ds, lang)
    if lang == "en":
        labels = {u: re.sub(r"^District ", "", name) for u, name in labels.items()}
    return labels


def _read_names(path: Path, key: str) -> dict[str, str]:
    """``{key column: name_en}`` of a hand-maintained name table (empty if the file is missing)."""
    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r[key].strip(): r["name_en"].strip() for r in csv.DictReader(fh) if r.get("name_en")}


def _read_plan_names(path: Path = PLAN_NAMES_CSV) -> dict[str, str]:
    return _read_names(path, "plan_title")


def section_labels(ds, lang: str = "zh", *, section_names: Path = SECTION_NAMES_CSV) -> dict[tuple[str, str], str]:
    """Short name of every section, keyed by ``(plan_id, section_no)``, in source order.

    zh: the number and the title up to its first comma (cut to 9 characters with …); en: the
    number and the name in ``data/section_names.csv`` for that title, else ``P1 §2``.

    >>> from analysis.load import load
    >>> labels = section_labels(load(), "en")
    >>> labels["P1", "3"], labels["P3", "5"], section_labels(load())["P2", "8"]
    ('3 Judicial reform', '5 Cyberspace governance', '8 加快数字法治政府…')
    """
    _check_lang(lang)
    sections = ds.measures.drop_duplicates(["plan_id", "section_no"])
    names = _read_names(section_names, "section_title") if lang == "en" else {}
    out = {}
    for pid, no, title in zip(sections["plan_id"], sections["section_no"], sections["section_title"], strict=True):
        no = str(no)
        if lang == "zh":
            out[pid, no] = f"{no} {_short(title, 9)}"
        else:
            name = names.get(str(title).strip())
            out[pid, no] = f"{no} {name}" if name else f"{pid} §{no}"
    return out


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


def _colors(ds) -> dict[str, str]:
    """Colour of every unit: its category's (:func:`analysis.style.unit_category`), grey for collectives."""
    return {u: style.SYSTEM_COLORS.get(c, style.COLLECTIVE_COLOR) for u, c in style.unit_categories(ds.units).items()}


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
    # Never break after a hyphen: "Urban-Rural" stays whole (poppler joins a line-end hyphen).
    wrapped = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(wrapped) if len(text) > width else text


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


def _system_legend(ax, systems, lang: str, *, loc: str, title: bool = True, **kw):
    """Legend of the unit categories in `systems` (keys of :func:`analysis.style.unit_category`),
    in registry order; only those given, so a category no unit on the chart has is not listed."""
    from matplotlib.patches import Patch

    i = LANGS.index(lang)
    handles = [Patch(facecolor=style.SYSTEM_COLORS[s], label=SYSTEMS[s][i]) for s in SYSTEMS if s in systems]
    return ax.legend(handles=handles, loc=loc, title=_t("system", lang) if title else None, **kw)


# --------------------------------------------------------------------------------------------
# Charts


def _has_layout(fig) -> bool:
    engine = fig.get_layout_engine()
    return engine is not None and type(engine).__name__ != "PlaceHolderLayoutEngine"


def _run_layout(fig) -> None:
    """Draw `fig` without rendering it (``Figure.draw_without_rendering``), in the project style.

    Every artist's draw runs (the layout engine first, tick labels made, text measured) but the
    renderer's drawing calls do nothing: the figure is left as a draw leaves it, the next
    layout starts from the same positions, at a fraction of the cost. A figure laid out so n
    times and then drawn has the pixels of one drawn n + 1 times.
    """
    with style.figure_style():
        fig.draw_without_rendering()


def _chart(func):
    """Run a chart function in the project style and draw it once before returning.

    The draw creates tick labels and lays out text while the style (bundled CJK font) is in
    force; matplotlib copies those properties to ticks made by later draws, so the figure
    shows Chinese correctly even when displayed or saved outside :func:`style.figure_style`.
    It renders nothing (:func:`_run_layout`): the pixels would be thrown away.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style.figure_style():
            fig = func(*args, **kwargs)
            _run_layout(fig)
        return fig

    return wrapper


@_chart
def workload_ranking(ds, tables=None, *, lang: str = "zh", collectives: bool = True, top: int | None = TOP_UNITS):
    """Measures per unit, stacked: sole lead, co-lead, responsible; sorted by measures led.

    The `top` named units first (a square in their system's colour before the name; ``None``:
    all that fit the page), then, when `collectives` is true, the collective placeholders in
    grey. A note under the chart says how many named units are left out and how much each of
    them carries at most (the full list is ``reports/workload.csv``). Legends list only the
    roles and systems drawn.
    """
    _check_lang(lang)
    tables = _tables(ds, tables, "workload", "collectives")
    wl = tables["workload"].sort_values(
        ["n_lead", "n_sole_lead", "n_responsible", "unit"], ascending=[False, False, False, True], kind="stable"
    )
    rows = wl[["unit", "system", "n_sole_lead", "n_colead", "n_responsible"]].assign(is_collective=False)
    co = rows.iloc[0:0]  # (the same columns and dtypes: no collective, or none drawn)
    if collectives and len(tables["collectives"]):
        co = tables["collectives"].copy()
        lead_k = facts.lead_counts(ds)
        co["n_sole_lead"] = co["unit"].map(lead_k["n_sole_lead"]).fillna(0).astype(int)
        co["n_colead"] = co["unit"].map(lead_k["n_colead"]).fillna(0).astype(int)
        co = co.sort_values(["n_responsible", "unit"], ascending=[False, True], kind="stable")
        co = co[["unit", "system", "n_sole_lead", "n_colead", "n_responsible"]].assign(is_collective=True)
    labels = _display_names(ds, lang)
    row_h = 0.175 if lang == "zh" else 0.235
    fixed = 1.45 + (0.15 if lang == "en" else 0)
    n_named, n_coll = _fit_rows(len(rows), len(co), top=top, row_h=row_h, fixed=fixed)
    hidden, hidden_co = rows.iloc[n_named:], co.iloc[n_coll:]
    rows = pd.concat([rows.iloc[:n_named], co.iloc[:n_coll]], ignore_index=True)
    with style.figure_style():
        fig = _new_figure(style.WIDTH, fixed + row_h * len(rows))
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
        ax.set_yticks(y, [_wrap(labels.get(u, u), 34) for u in rows["unit"]])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, max(left.max(initial=0), 1) * 1.08 + 1)
        ax.tick_params(axis="y", length=0, pad=11)
        ax.xaxis.grid(True)
        ax.set_xlabel(_wrap(_t("ranking_x", lang), 60 if lang == "zh" else 90))
        ax.set_title(_t("ranking_title", lang), loc="left")
        # System marker before each name (grey for collectives).
        from matplotlib.transforms import blended_transform_factory

        tr = blended_transform_factory(ax.transAxes, ax.transData)
        colors = _colors(ds)
        ax.scatter(
            np.full(len(rows), -0.012),
            y,
            s=20,
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

        named_rows = rows[~rows["is_collective"]]
        role_handles = [
            Patch(facecolor=style.WORKLOAD_COLORS[k], label=_t(k, lang))
            for k, col, _ in segments
            if named_rows[col].sum() > 0
        ]
        # Legends in the empty lower right (short bars there); side by side in a short chart.
        tall = len(rows) > 20
        leg = ax.legend(
            handles=role_handles,
            loc="upper right",
            title=_t("role", lang),
            bbox_to_anchor=(1, 0.66) if tall else (1, 1),
        )
        ax.add_artist(leg)
        cats = style.unit_categories(ds.units)
        _system_legend(
            ax,
            {cats.get(u, "collective") for u in rows["unit"]},
            lang,
            loc="upper right",
            bbox_to_anchor=(1, 0.5) if tall else (0.72, 1),
        )
        notes = [_left_out_note(hidden, hidden_co, lang)] if len(hidden) or len(hidden_co) else []
        if lang == "en":
            notes.append(_t("district_note", lang))
        if notes:
            _figure_note(fig, notes)
    return fig


def _figure_note(fig, lines: list[str]) -> None:
    """Lines of small grey text at the bottom left of `fig`, with room kept for them."""
    fig.text(0.01, 0.004, "\n".join(lines), fontsize=style.FONT_SIZES["small"], color="#444444", va="bottom")
    h = (0.05 + 0.135 * len(lines)) / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, h, 1, 1 - h))


def _fit_rows(n_named: int, n_coll: int, *, top: int | None, row_h: float, fixed: float) -> tuple[int, int]:
    """How many named units and collectives a one-row-per-unit chart shows: at most `top`
    named units, and no more rows than fit :data:`analysis.style.MAX_HEIGHT` (collectives
    first, at least 5 named units)."""
    room = max(int((style.MAX_HEIGHT - fixed) / row_h), 6)
    coll = min(n_coll, max(room - min(n_named, 5), 0))
    named = min(n_named, top if top is not None else n_named, room - coll)
    return named, coll


def _left_out_note(hidden: pd.DataFrame, hidden_co: pd.DataFrame, lang: str, table: str = "workload.csv") -> str:
    """The sentence saying which rows a chart leaves out and where the full list is."""
    parts = []
    if len(hidden):
        lead = int((hidden["n_sole_lead"] + hidden["n_colead"]).max())
        total = int((hidden["n_sole_lead"] + hidden["n_colead"] + hidden["n_responsible"]).max())
        if lang == "zh":
            parts.append(f"另有 {len(hidden)} 个具名单位未列出(各牵头不超过 {lead} 项措施,各角色合计不超过 {total} 项)")
        else:
            parts.append(
                f"{len(hidden)} more named units not shown (each leads at most {lead} measures, {total} in all roles)"
            )
    if len(hidden_co):
        k = len(hidden_co)
        parts.append(f"另有 {k} 个集合性表述未列出" if lang == "zh" else f"{k} more collectives not shown")
    where = f";完整名单见 reports/{table}" if lang == "zh" else f"; full list in reports/{table}"
    return (";" if lang == "zh" else "; ").join(parts) + where


def _unit_order(ds, tables) -> list[str]:
    """Named units by measures led, then responsible (the ranking's order)."""
    wl = tables["workload"].sort_values(
        ["n_lead", "n_sole_lead", "n_responsible", "unit"], ascending=[False, False, False, True], kind="stable"
    )
    return list(wl["unit"])


@_chart
def section_heatmap(ds, tables=None, *, lang: str = "zh", value: str = "n_total", top: int | None = TOP_UNITS_HEATMAP):
    """Measures per unit (rows) and section (columns); `value` is ``n_total``, ``n_lead`` or ``n_responsible``.

    The `top` named units in the ranking's order on a blue scale (the rest are counted in a
    note), then collective placeholders on a grey scale; each non-empty cell shows its count.
    Columns are every section of every plan, in source order, grouped by plan, named by
    :func:`section_labels`.
    """
    _check_lang(lang)
    tables = _tables(ds, tables, "workload", "workload_by_section")
    long = tables["workload_by_section"]
    sections = ds.measures[["plan_id", "section_no", "section_title"]].drop_duplicates(["plan_id", "section_no"])
    cols = list(zip(sections["plan_id"], sections["section_no"], strict=True))
    order = _unit_order(ds, tables)
    coll = facts.collective_units(ds)
    in_coll = long["unit"].isin(coll).to_numpy()
    coll_total = long.loc[in_coll, ["unit", value]].astype({"unit": str}).groupby("unit")[value].sum()
    coll_order = sorted(coll_total.index, key=lambda u: (-coll_total[u], u))
    row_h = 0.17 if lang == "zh" else 0.235
    fixed = 2.6 if lang == "zh" else 3.05
    n_named, n_coll = _fit_rows(len(order), len(coll_order), top=top, row_h=row_h, fixed=fixed)
    named, coll_rows = order[:n_named], coll_order[:n_coll]
    shown = long[long["unit"].isin(set(named + coll_rows)).to_numpy()]  # (pivot only the rows drawn)
    grid = shown.pivot_table(index="unit", columns=["plan_id", "section_no"], values=value, aggfunc="sum")
    grid = grid.reindex(index=named + coll_rows, columns=pd.MultiIndex.from_tuples(cols)).fillna(0).astype(int)
    n_sections = len(cols)
    if n_sections > limits.CHART_MAX_SECTIONS:  # a national corpus: the columns the rows shown fill most
        totals = grid.sum(axis=0).to_numpy()
        best = sorted(range(n_sections), key=lambda j: (-totals[j], j))[: limits.CHART_MAX_SECTIONS]
        grid = grid.iloc[:, sorted(best)]
        cols = list(grid.columns)
    wl = tables["workload"].set_index("unit")
    hidden = wl.loc[order[n_named:], ["n_sole_lead", "n_colead", "n_responsible"]]
    labels = _display_names(ds, lang)
    plans = plan_labels(ds, lang)
    xt = section_labels(ds, lang)
    with style.figure_style():
        n_r, n_c = grid.shape
        fig = _new_figure(style.WIDTH, fixed + row_h * n_r)
        ax = fig.add_subplot()
        vmax = max(int(grid.to_numpy().max(initial=0)), 1)
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
                        fontsize=style.FONT_SIZES["tiny"],
                        color="white" if dark else "#222222",
                        gid="cell",
                    )
        ax.set_ylim(n_r - 0.5, -0.5)
        ax.set_xlim(-0.5, n_c - 0.5)
        ax.set_yticks(np.arange(n_r), [_wrap(labels.get(u, u), 34) for u in grid.index])
        ax.set_xticks(np.arange(n_c), [xt[p, str(no)] for p, no in cols], rotation=90)
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        # Plan groups: separators and plan ids on top.
        plan_ids = [p for p, _ in cols]
        starts = [i for i, p in enumerate(plan_ids) if i == 0 or p != plan_ids[i - 1]]
        cut = n_c < n_sections
        if cut:  # sections of many plans: the plan id in each column's label, none on top
            ax.set_xticks(np.arange(n_c), [f"{p} · {xt[p, str(no)]}" for p, no in cols], rotation=90)
        for k, st in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else n_c
            if st:
                ax.axvline(st - 0.5, color="#333333", lw=1)
            if not cut:
                ax.text(
                    (st + end - 1) / 2, -0.8, plan_ids[st], ha="center", va="bottom", fontsize=style.FONT_SIZES["base"]
                )
        if coll_rows:
            ax.axhline(n_named - 0.5, color="#333333", lw=1)
        ax.set_title(_t("heatmap_title", lang) + ("" if cut else "\n"), loc="left")
        shown_plans = list(dict.fromkeys(plan_ids))
        if len(shown_plans) <= MAX_PLAN_NOTES:
            notes = [f"{pid} = {plans[pid]}" for pid in shown_plans]
        else:
            notes = [_t("plan_titles_note", lang)]
        if cut:
            notes.append(_t("sections_cut", lang).format(n=n_sections - n_c, total=n_sections))
        if len(hidden) or len(coll_order) > n_coll:
            hidden_co = pd.DataFrame(index=coll_order[n_coll:])
            notes.append(_left_out_note(hidden, hidden_co, lang, "workload_by_section.csv"))
        if cut:  # (longer notes than one plan's: wrapped to the page)
            notes = [line for note in notes for line in _wrap_note(note, lang)]
        if lang == "en":
            notes.append(_t("district_note", lang))
        _figure_note(fig, notes)
        cb = fig.colorbar(meshes[0], ax=ax, shrink=min(1, 5 / (row_h * n_r + 1)), pad=0.02, aspect=30)
        cb.set_label(_t("n_measures", lang))
        cb.ax.yaxis.set_major_locator(_ticker().MaxNLocator(integer=True))
    return fig


def _wrap_note(text: str, lang: str) -> list[str]:
    """A note's lines for a page-wide chart: 120 half-width cells of Chinese, 110 characters of English."""
    if lang == "zh":  # by display width (a CJK character is two half-width cells), 120 cells a line
        lines, cur, width = [], "", 0
        for ch in text:
            w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
            if width + w > 120:
                lines.append(cur)
                cur, width = "", 0
            cur, width = cur + ch, width + w
        return [*lines, cur]
    return textwrap.wrap(text, 110, break_long_words=False, break_on_hyphens=False) or [""]


def _shorten(text: str, n: int) -> str:
    """`text` cut at a word boundary to at most `n` characters, with … when cut."""
    return text if len(text) <= n else textwrap.shorten(text, n, placeholder="…")


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
    """Node label: the display name (:func:`_display_names`), wrapped in English."""
    return name if lang == "zh" else _wrap(name, 22)


@_chart
def colead_network(ds, tables=None, *, lang: str = "zh", seed: int = RANDOM_SEED):
    """Co-lead projection: units that lead measures together, coloured by consensus cluster.

    Node area grows with the measures a unit leads, line width with the measures two units
    lead together. Seeded layout; each label is put next to its node where it covers no node
    and no other label (:func:`_place_labels`, greedy and deterministic).
    """
    import networkx as nx

    _check_lang(lang)
    tables = _tables(ds, tables, "clusters", "colead_edges")
    cl = tables["clusters"].sort_values("unit")
    cl, hidden = _top_lead_units(cl)
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
    labels = _display_names(ds, lang)
    coll = facts.collective_units(ds)
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
        texts = [
            ax.text(
                0,
                0,
                _network_label(labels.get(u, u), lang),
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
        fig.canvas.draw()
        radii = [math.sqrt(sz) / 2 * fig.dpi / 72 for sz in sizes]
        order = sorted(range(len(nodes)), key=lambda i: (-n_lead[nodes[i]], nodes[i]))
        _place_labels(ax, texts, xy, radii, order)
        fig.text(0.02, 0.975, _t("network_title", lang), fontsize=style.FONT_SIZES["title"], va="top")
        from matplotlib.lines import Line2D

        handles = []
        shown_clusters = sorted(set(cluster.values()))
        if len(shown_clusters) > MAX_LEGEND_CLUSTERS:  # a corpus: the clusters with the most units drawn
            size = Counter(cluster.values())
            best = sorted(shown_clusters, key=lambda c: (-size[c], c))[:MAX_LEGEND_CLUSTERS]
            shown_clusters = sorted(best)
        for c in shown_clusters:
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
        note = _t("network_note", lang)
        if len(hidden):
            note += "\n" + _t("network_cut", lang).format(n=len(hidden), most=int(hidden["n_lead"].max()))
        fig.text(0.02, 0.935, note, va="top", fontsize=style.FONT_SIZES["small"], color="#444444")
    return fig


def _top_lead_units(cl: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown, hidden) rows of a clusters table: all up to :data:`analysis.limits.CHART_MAX_UNITS`
    units, else those that lead the most measures (ties by name); both keep `cl`'s order."""
    if len(cl) <= limits.CHART_MAX_UNITS:
        return cl, cl.iloc[0:0]
    units = cl["unit"].astype(str).to_numpy()
    rank = np.lexsort((units, -cl["n_lead"].to_numpy()))[: limits.CHART_MAX_UNITS]
    keep = np.zeros(len(cl), dtype=bool)
    keep[rank] = True
    return cl[keep], cl[~keep]


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
    for t in texts:
        bb = t.get_window_extent(renderer)
        sizes.append((bb.width + 2 * pad, bb.height + 2 * pad))
    placed: list[tuple[float, float, float, float]] = []
    directions = [(0, -1), (1, 0), (0, 1), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)]
    directions += [(0.5, -1), (-0.5, -1), (0.5, 1), (-0.5, 1)]
    step = 0.6 * float(np.median([h for _, h in sizes])) if sizes else 1.0

    def cost(x0, y0, x1, y1):
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

    for i in order:
        (cx, cy), r, (w, h) = centres[i], radii[i], sizes[i]
        best = None
        for k in range(30):
            for ux, uy in directions:
                norm = math.hypot(ux, uy)
                ux, uy = ux / norm, uy / norm
                # Distance from the node centre to the box edge along (ux, uy), plus the gap.
                reach = min(w / 2 / abs(ux) if ux else math.inf, h / 2 / abs(uy) if uy else math.inf)
                d = r + reach + k * step
                bx, by = cx + ux * d, cy + uy * d
                rect = (bx - w / 2, by - h / 2, bx + w / 2, by + h / 2)
                c = cost(*rect)
                if best is None or c < best[0]:
                    best = (c, rect, k)
                if c == 0:
                    break
            if best is not None and best[0] == 0:
                break
        _, rect, k = best
        placed.append(rect)
        x, y = ax.transData.inverted().transform(((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2))
        texts[i].set_position((x, y))
        if k > 0:  # a leader line from the node's edge to the label's nearest edge
            nx_ = min(max(cx, rect[0] + pad), rect[2] - pad)
            ny_ = min(max(cy, rect[1] + pad), rect[3] - pad)
            dist = math.hypot(nx_ - cx, ny_ - cy) or 1.0
            sx, sy = cx + (nx_ - cx) * r / dist, cy + (ny_ - cy) * r / dist
            (x0, y0), (x1, y1) = ax.transData.inverted().transform([(sx, sy), (nx_, ny_)])
            ax.plot([x0, x1], [y0, y1], color="#555555", lw=0.5, zorder=3, gid="leader")


_LABEL_BOX = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85}


def _responsible_shares(ds) -> pd.DataFrame:
    """Per plan (and all plans): share of responsible mentions and of collective-only measures."""
    coll = facts.collective_units(ds)
    plan_of = ds.measures.set_index("measure_id")["plan_id"]
    resp = ds.assignments[ds.assignments["role"] == "responsible"].assign(
        plan_id=lambda d: d["measure_id"].map(plan_of), is_coll=lambda d: d["unit"].isin(coll)
    )
    m = ds.measures[["measure_id", "plan_id"]].assign(only=facts.measure_profile(ds)["only_collective"].to_numpy())
    plans = list(dict.fromkeys(ds.measures["plan_id"].tolist()))
    # one group-by per table (a loop over plans is plans × rows: hours on a national corpus)
    by_r = resp.groupby(resp["plan_id"].astype(str))["is_coll"].agg(["size", "sum"]).reindex(plans, fill_value=0)
    by_m = m.groupby(m["plan_id"].astype(str))["only"].agg(["size", "sum"]).reindex(plans, fill_value=0)
    rows = [
        {
            "plan_id": pid,
            "n_mentions": int(nr),
            "n_collective_mentions": int(kr),
            "n_measures": int(nm),
            "n_only_collective": int(km),
        }
        for pid, nr, kr, nm, km in zip(plans, by_r["size"], by_r["sum"], by_m["size"], by_m["sum"], strict=True)
    ]
    rows.append(
        {
            "plan_id": "",
            "n_mentions": len(resp),
            "n_collective_mentions": int(resp["is_coll"].sum()),
            "n_measures": len(m),
            "n_only_collective": int(m["only"].sum()),
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
    n_plans = len(df) - 1
    if n_plans > limits.CHART_MAX_PLANS:  # a corpus: the plans with the most responsible mentions, and all plans
        ranked = sorted(range(n_plans), key=lambda i: (-int(df["n_mentions"].iloc[i]), i))
        df = df.iloc[[*sorted(ranked[: limits.CHART_MAX_PLANS]), n_plans]].reset_index(drop=True)
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
        if len(df) - 1 < n_plans:
            _figure_note(fig, [_t("plans_cut", lang).format(k=len(df) - 1, n=n_plans - (len(df) - 1))])
    return fig


@_chart
def assignments_per_measure(ds, tables=None, *, lang: str = "zh"):
    """Distributions of lead units per measure and of responsible units per measure.

    Responsible bars are split into measures naming at least one named unit and measures
    naming only collective placeholders (grey); a measure without a responsible line is the
    bar at 0.
    """
    _check_lang(lang)
    c = facts.measure_profile(ds)
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
    shown, hidden = _top_lead_units(tables["clusters"])
    cl = shown.set_index("unit")
    co = _coassignment_matrix(tables["cluster_coassignment"], list(cl.index))
    order = sorted(co.index, key=lambda u: (int(cl.loc[u, "cluster"]), -int(cl.loc[u, "n_lead"]), u))
    mat = co.loc[order, order].to_numpy(dtype=float)
    labels = _display_names(ds, lang)
    n = len(order)
    clusters = [int(cl.loc[u, "cluster"]) for u in order]
    with style.figure_style():
        # Rows at least 8.5 pt apart for 7 pt labels; columns as wide as the page allows;
        # the colour bar below, so the width goes to the matrix and the names.
        label_w = 1.2 if lang == "zh" else 2.3
        row = max(min(0.3, (style.MAX_HEIGHT - 2.6) / max(n, 1)), 0.118)
        col = max(min(row, (style.WIDTH - label_w - 0.25) / max(n, 1)), 0.1)
        top = 1.15 if lang == "zh" else 0.5  # column labels (names in Chinese, numbers in English)
        fig = _new_figure(min(label_w + col * n + 0.25, style.WIDTH), row * n + top + 1.25)
        ax = fig.add_subplot()
        im = ax.imshow(mat, cmap=style.HEATMAP_CMAP, vmin=0, vmax=1, interpolation="nearest", aspect=row / col)
        fs = style.FONT_SIZES["tiny"] if n > 25 else style.FONT_SIZES["small"]
        if lang == "zh":
            ylab = [labels.get(u, u) for u in order]
            xlab = ylab
        else:
            ylab = [f"{_shorten(labels.get(u, u), 42)}  {i}" for i, u in enumerate(order, start=1)]
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
        cb = fig.colorbar(im, ax=ax, location="bottom", shrink=0.5, pad=0.02, aspect=30)
        cb.set_label(_t("stability_cbar", lang))
        cb.ax.xaxis.set_major_formatter(_ticker().PercentFormatter(1.0, decimals=0))
        fig.suptitle(_wrap(_t("stability_title", lang), 34 if lang == "zh" else 70), x=0.01, ha="left")
        notes = []
        if len(hidden):
            notes.append(_t("stability_cut", lang).format(k=n, n=len(hidden)))
        if lang == "en":
            cut = " Names cut at … in full in reports/workload.csv (name_en)."
            notes.append(_t("district_note", lang) + cut)
        if notes:
            _figure_note(fig, notes)
    return fig


def _coassignment_matrix(co: pd.DataFrame, units: list[str]) -> pd.DataFrame:
    """The co-assignment shares among `units` as a square frame (index = columns = unit).

    `co` is ``tables["cluster_coassignment"]``: the full matrix (a ``unit`` column, one column
    per unit), or above :data:`analysis.clusters.DENSE_MAX` lead units the shares on co-lead ties
    (``unit_a, unit_b, share``): there a pair that never leads together counts 0 and a unit 1
    with itself.
    """
    if "unit_a" not in co.columns:
        full = co.set_index("unit")
        return full if len(units) == len(full) else full.loc[units, units]
    keep = set(units)
    e = co[co["unit_a"].isin(keep).to_numpy() & co["unit_b"].isin(keep).to_numpy()]
    idx = {u: i for i, u in enumerate(units)}
    mat = np.eye(len(units))
    for a, b, share in zip(e["unit_a"].tolist(), e["unit_b"].tolist(), e["share"].tolist(), strict=True):
        mat[idx[a], idx[b]] = mat[idx[b], idx[a]] = share
    return pd.DataFrame(mat, index=units, columns=units)


def _coalitions(ds, *, min_size: int, min_measures: int) -> list[tuple[tuple[str, ...], int]]:
    """Lead-unit sets of at least `min_size` units that lead at least `min_measures` measures.

    Sorted by number of measures, then size (larger first), then names.
    """
    lead = facts.distinct(ds.assignments).query("role == 'lead'")
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
    labels = _display_names(ds, lang)
    colors = _colors(ds)
    with style.figure_style():
        if not combos:
            fig = _new_figure(style.WIDTH * 0.7, 1.6)
            fig.text(0.5, 0.5, _t("no_coalition", lang), ha="center", va="center")
            fig.suptitle(_t("coalitions_title", lang), x=0.01, ha="left")
            return fig
        lead = facts.distinct(ds.assignments).query("role == 'lead'")
        n_led = lead["unit"].value_counts()
        freq = Counter(u for combo, v in combos for u in combo for _ in range(v))
        units = sorted(freq, key=lambda u: (-freq[u], -n_led.get(u, 0), u))
        nu, nc = len(units), len(combos)
        names = [_wrap(labels.get(u, u), 40) for u in units]
        two_lines = any("\n" in n for n in names)
        row = 0.2 if not two_lines else 0.27  # two 7.5 pt lines need 0.25 in
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
        ax_set.set_yticks(np.arange(nu), names)
        ax_set.tick_params(axis="y", length=0, pad=6)
        ax_set.spines["left"].set_visible(False)
        ax_set.spines["right"].set_visible(False)
        ax_set.set_xlabel(_t("coalitions_units", lang))
        ax_set.xaxis.grid(True)
        fig.suptitle(_t("coalitions_title", lang), x=0.01, ha="left")
        if lang == "en":
            _figure_note(fig, [_t("district_note", lang)])
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


def figure_chars(fig) -> set[str]:
    """Every character in the texts of `fig` (titles, labels, ticks, legends, annotations)."""
    from matplotlib.text import Text

    with style.figure_style():
        fig.canvas.draw()  # ticks and their labels exist only once drawn
    return {c for t in fig.findobj(lambda a: isinstance(a, Text)) for c in t.get_text()}


@contextlib.contextmanager
def _font_file(fig, path: Path):
    """Set every text of `fig` in the font file `path` while the block runs, then restore it.

    A font given by file name wins over the family lookup (``FontProperties.set_file``), and
    tick labels made during the save copy their properties from the existing ticks.
    """
    from matplotlib.text import Text

    texts = fig.findobj(lambda a: isinstance(a, Text))
    saved = [t.get_fontproperties() for t in texts]
    try:
        for t, prop in zip(texts, saved, strict=True):
            prop = prop.copy()
            prop.set_file(str(path))
            t.set_fontproperties(prop)
        yield
    finally:
        for t, prop in zip(texts, saved, strict=True):
            t.set_fontproperties(prop)


_CMAP_RANGE = re.compile(rb"<([0-9a-fA-F]+)> <([0-9a-fA-F]+)> \[([^\]]*)\]")


def _bfchar_cmap(data: bytes) -> bytes:
    r"""A ToUnicode CMap with matplotlib's ``bfrange`` entries written as ``bfchar`` entries.

    matplotlib maps every run of codes with ``<lo> <hi> [<u1> <u2> …]`` (valid PDF), which
    Ghostscript 10.0's text extraction misreads for CJK codes (``负荷集中度`` came out as
    ``÷Öoþ``); the same mapping as one ``<code> <unicode>`` line per code, at most 100 per
    block (ISO 32000-1, 9.10.3), reads the same in poppler, MuPDF and Ghostscript.

    >>> _bfchar_cmap(b"2 beginbfrange\n<0030> <0031> [<0030> <0031>]\n<8d1f> <8d1f> [<8d1f>]\nendbfrange")
    b'3 beginbfchar\n<0030> <0030>\n<0031> <0031>\n<8d1f> <8d1f>\nendbfchar'
    """
    start, end = data.find(b"beginbfrange"), data.rfind(b"endbfrange")
    if start < 0 or end < 0:
        return data
    head = data[:start].rsplit(b"\n", 1)
    pairs = []
    for lo, hi, values in _CMAP_RANGE.findall(data[start:end]):
        width = len(lo)
        dsts = re.findall(rb"<([0-9a-fA-F]+)>", values)
        if int(hi, 16) - int(lo, 16) + 1 != len(dsts):
            return data  # not the shape matplotlib writes: leave it alone
        pairs += [(b"%0*x" % (width, int(lo, 16) + k), d) for k, d in enumerate(dsts)]
    blocks = []
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        lines = b"\n".join(b"<%s> <%s>" % p for p in chunk)
        blocks.append(b"%d beginbfchar\n%s\nendbfchar" % (len(chunk), lines))
    prefix = head[0] + b"\n" if len(head) == 2 else b""
    return prefix + b"\n".join(blocks) + data[end + len(b"endbfrange") :]


@contextlib.contextmanager
def _tounicode_as_bfchar():
    """While the block runs, matplotlib's PDF writer emits ToUnicode CMaps via :func:`_bfchar_cmap`."""
    from matplotlib.backends.backend_pdf import PdfFile

    original = PdfFile.outputStream

    def output_stream(self, ref, data, *, extra=None):
        if data.startswith(b"/CIDInit /ProcSet findresource begin") and b"beginbfrange" in data:
            data = _bfchar_cmap(data)
        return original(self, ref, data, extra=extra)

    PdfFile.outputStream = output_stream
    try:
        yield
    finally:
        PdfFile.outputStream = original


@contextlib.contextmanager
def _frozen_layout(fig):
    """Lay `fig` out once as its PNG is drawn (Agg at :data:`analysis.style.DPI`) and keep
    those positions for every format while the block runs.

    Constrained layout measures text with the renderer at hand, and Agg (hinted, 300 dpi) and
    the PDF and SVG renderers measure a little differently: without this, a PDF's axes sit up
    to 0.6 mm away from the PNG's (7 px at 300 dpi on ``lorenz``).
    """
    engine = fig.get_layout_engine()
    if engine is None or type(engine).__name__ == "PlaceHolderLayoutEngine":
        yield
        return
    with style.figure_style():
        dpi = fig.get_dpi()
        fig.set_dpi(style.DPI)
        try:
            fig.canvas.draw()
        finally:
            fig.set_dpi(dpi)
    fig.set_layout_engine("none")
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


def save_figure(fig, path, fmt: str | None = None, *, pdf_font: Path | None = None) -> Path:
    """Save `fig` to `path` (format from the suffix) with fixed metadata; byte-identical on re-run.

    Every format gets the PNG's layout (:func:`_frozen_layout`). PNG at
    :data:`analysis.style.DPI`, SVG with text as paths and a fixed hash salt. PDF with
    the text in a subset of the CJK font with TrueType outlines (type 42, text selectable;
    :func:`analysis.style.truetype_font`, made for the figure's characters unless `pdf_font`
    names a copy that covers them), so every PDF reader shows and extracts it.
    """
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    buf = io.BytesIO()
    with _frozen_layout(fig), style.figure_style():
        if fmt == "pdf":
            font = pdf_font or style.truetype_font(figure_chars(fig))
            with _font_file(fig, font), _tounicode_as_bfchar():
                fig.savefig(buf, format=fmt, dpi=style.DPI, metadata=_METADATA[fmt])
        else:
            fig.savefig(buf, format=fmt, dpi=style.DPI, metadata=_METADATA[fmt])
    return write_bytes(path, buf.getvalue())  # atomically: a killed build leaves no cut file


def text_overlaps(fig, *, texts=None) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of `fig` whose boxes overlap (for tests and checks).

    By default looks at the texts drawn in each axes (data labels, not tick labels).
    """
    with style.figure_style():  # text extents depend on the font, so measure in the style
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        if texts is None:
            texts = [t for ax in fig.axes for t in ax.texts]
        boxes = [
            (t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text().strip()
        ]
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            if ba.overlaps(bb):
                out.append((a, b))
    return out


def label_node_overlaps(fig) -> list[tuple[str, int]]:
    """(label, node index) pairs of the network chart where a label's box meets a node's disc.

    Nodes are the scatter with gid ``"nodes"`` (discs of radius √size / 2 points); labels are
    the axes' texts. For tests and checks.
    """
    with style.figure_style():  # text extents depend on the font, so measure in the style
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = next(a for a in fig.axes if any(c.get_gid() == "nodes" for c in a.collections))
        nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
        centres = ax.transData.transform(nodes.get_offsets())
        radii = np.broadcast_to(np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72, (len(centres),))
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text().strip()]
    out = []
    for text, bb in boxes:
        for i, ((cx, cy), r) in enumerate(zip(centres, radii, strict=True)):
            dx = max(bb.x0 - cx, 0, cx - bb.x1)
            dy = max(bb.y0 - cy, 0, cy - bb.y1)
            if dx * dx + dy * dy < r * r:
                out.append((text, i))
    return out


def _texts_chars(fig) -> set[str]:
    """The characters of every text of `fig` as it stands (:func:`figure_chars` without a draw)."""
    from matplotlib.text import Text

    return {c for t in fig.findobj(lambda a: isinstance(a, Text)) for c in t.get_text()}


def _png_bytes(rgba) -> bytes:
    """A PNG file of an Agg buffer, as ``savefig(format="png")`` writes it (same encoder, metadata)."""
    import matplotlib.image

    buf = io.BytesIO()
    matplotlib.image.imsave(buf, rgba, format="png", origin="upper", dpi=style.DPI, metadata=_METADATA["png"])
    return buf.getvalue()


def _layout_and_png(fig) -> tuple[object, bytes | None]:
    """Lay `fig` out as the build always has, and keep the pixels of its last layout draw:
    ``(layout engine to restore, PNG bytes)``; the layout is frozen afterwards.

    The build's layout is: once more at screen resolution (the layout engine alone: the
    build used to draw here to collect the figure's characters, :func:`figure_chars`, and
    rendering moves nothing), then the draw at :data:`analysis.style.DPI` of
    :func:`_frozen_layout`. That last draw is the PNG's own draw (``savefig`` with the layout
    frozen renders the same pixels again), so the PNG costs only its encoding. A figure
    without a layout engine gets ``(None, None)``: its PNG is saved the ordinary way.
    """
    if not _has_layout(fig):
        return None, None
    engine = fig.get_layout_engine()
    with style.figure_style():
        if fig.axes:  # what a draw does before it renders (and all a draw changes here)
            engine.execute(fig)
        dpi = fig.get_dpi()
        fig.set_dpi(style.DPI)
        try:
            fig.canvas.draw()
            rgba = memoryview(np.array(fig.canvas.buffer_rgba()))
        finally:
            fig.set_dpi(dpi)
        png = _png_bytes(rgba)
    fig.set_layout_engine("none")
    return engine, png


def _write_lang(ds, tables, figures_dir: Path, lang: str, formats, charts, progress=None) -> dict[str, Path]:
    """Draw the charts of one language and save each in `formats`; the bytes of every file
    are those of :func:`save_figure` on a chart function's figure, at less cost.

    Each figure (laid out once by its chart function, see :func:`_chart`) is laid out again and
    rendered once for its PNG (:func:`_layout_and_png`), then saved as SVG. The PDFs come
    last, all in one TrueType copy of the font made for the characters of every figure's
    texts (known once each has been drawn; see :func:`save_figure`). `progress` is called
    with ``(stage, done, total)`` after each chart is saved (in the worker, which writes to the
    same stderr).
    """
    folder = figures_dir if lang == "zh" else figures_dir / lang
    names = [name for name in CHARTS if charts is None or name in charts]

    def key(name, fmt):
        return _keys([name], lang, [fmt])[0]

    step = progress or (lambda *args: None)
    written, figs, engines, chars = {}, {}, {}, set()
    for k, name in enumerate(names, start=1):
        fig = figs[name] = CHARTS[name](ds, tables, lang=lang)
        engines[name], png = _layout_and_png(fig)
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            if fmt == "png" and png is not None:
                written[key(name, fmt)] = write_bytes(path, png)
            elif fmt != "pdf":
                written[key(name, fmt)] = save_figure(fig, path, fmt)
        chars |= _texts_chars(fig)
        step(f"figures ({lang}): charts saved", k, len(names))
    if "pdf" in formats:
        pdf_font = style.truetype_font(chars)
        for name, fig in figs.items():
            written[key(name, "pdf")] = save_figure(fig, folder / f"{name}.pdf", "pdf", pdf_font=pdf_font)
    for name, fig in figs.items():
        if engines[name] is not None:
            fig.set_layout_engine(engines[name])
    return {k: written[k] for k in _keys(names, lang, formats)}


_INHERITED: list = []  # the calls forked figure workers run, set just before the fork


def _call_inherited(i: int) -> dict[str, Path]:
    """Run call `i` of :data:`_INHERITED` (in a forked worker, which inherited the list)."""
    func, args = _INHERITED[i]
    return func(*args)


def _worker_count(processes: int | None, n_tasks: int) -> int:
    """`processes`, or by default one worker per task up to the usable cores."""
    import os

    if processes is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cpus = os.cpu_count() or 1
        processes = min(n_tasks, cpus)
    return processes


@contextlib.contextmanager
def figures_in_background(
    ds,
    tables,
    figures_dir,
    *,
    langs=LANGS,
    formats=FORMATS,
    charts=None,
    processes: int | None = None,
    progress=None,
):
    """:func:`write_figures` started in worker processes while the block runs; yields a
    function that waits for them and returns what :func:`write_figures` returns::

        with figures_in_background(ds, tables, "figures") as figure_files:
            ...  # other work, on the cores the charts leave
            written = figure_files()

    The workers are forked (Linux; they inherit `ds` and `tables`, nothing is pickled but the
    file names they return), as many as the usable cores (`processes`), each drawing one
    language (without PDFs: a share of one language's charts, so that a single language uses
    the cores too); they die
    with this process (:func:`~analysis.errors.exit_with_parent`), and an error in one (a full
    disk) reaches the caller of ``figure_files()`` as the same exception. When the block ends
    with an error, the workers still running are stopped. With one worker, or where the
    platform does not fork, nothing starts early: ``figure_files()`` draws the charts here.
    The files do not depend on how they were drawn.
    """
    import multiprocessing
    import os
    import sys
    import warnings
    from concurrent.futures import ProcessPoolExecutor

    global _INHERITED
    figures_dir = Path(figures_dir)
    langs, formats = list(langs), list(formats)
    names = [name for name in CHARTS if charts is None or name in charts]
    n = _worker_count(processes, len(langs) * len(names))
    # One call per language: its PDFs share one font made for all its charts' characters.
    # Without PDFs the charts of a language are independent, and a single language (a
    # notebook's PNGs) is spread over the workers too: every other chart to each.
    k = 1 if "pdf" in formats else max(1, min(len(names), n // max(len(langs), 1)))
    calls = [
        (_write_lang, (ds, tables, figures_dir, lang, formats, names[i::k], progress))
        for lang in langs
        for i in range(k)
        if names[i::k]
    ]
    order = [key for lang in langs for key in _keys(names, lang, formats)]
    forks = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    if n <= 1 or len(calls) <= 1 or not forks:

        def here() -> dict[str, Path]:
            return _merged([func(*args) for func, args in calls], order)

        yield here
        return
    _INHERITED = calls
    pool = ProcessPoolExecutor(
        max_workers=min(n, len(calls)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            futures = [pool.submit(_call_inherited, i) for i in range(len(calls))]
    finally:
        _INHERITED = []  # the workers have their copy (a forking pool starts them all at once)
    done = False
    try:
        yield lambda: _merged([f.result() for f in futures], order)
        done = True
    finally:
        if not done:  # stop the charts of a build that failed elsewhere
            for f in futures:
                f.cancel()
            for proc in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(OSError, AttributeError):
                    proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def _keys(names, lang: str, formats) -> list[str]:
    """The keys :func:`write_figures` returns for charts `names` of `lang`, in its order."""
    sub = "" if lang == "zh" else f"{lang}/"
    return [f"figures/{sub}{name}.{fmt}" for name in names for fmt in formats]


def _merged(parts: list[dict], order: list[str]) -> dict[str, Path]:
    """The files of every part, in `order` (languages, then charts, then formats)."""
    written = {}
    for part in parts:
        written.update(part)
    return {key: written[key] for key in order}


def write_figures(
    ds,
    tables,
    figures_dir,
    *,
    langs=LANGS,
    formats=FORMATS,
    charts=None,
    processes: int | None = None,
    progress=None,
) -> dict[str, Path]:
    """Draw every chart and save it as ``figures_dir/NAME.{png,svg,pdf}`` (Chinese) and
    ``figures_dir/en/NAME.*`` (English); returns ``{"figures/[en/]NAME.ext": path}``.

    The languages are drawn in parallel forked processes (`processes`, default: one per
    language up to the usable cores; see :func:`figures_in_background`); the files do not
    depend on it. The workers die with this process (:func:`~analysis.errors.exit_with_parent`),
    and an error in one (a full disk) reaches the caller as the same exception. Above the sizes
    of :mod:`analysis.limits` the charts show the top units, sections or plans and say how many
    more there are (:func:`size_notes`). `progress` is called with ``(stage, done, total)`` after
    each chart is saved.
    """
    with figures_in_background(
        ds, tables, figures_dir, langs=langs, formats=formats, charts=charts, processes=processes, progress=progress
    ) as figure_files:
        return figure_files()


def size_notes(ds, tables=None) -> list[str]:
    """What the charts show in another form because of the data's size (for the data-quality report).

    The ranking and the heatmap always show their top units with the rest counted on the chart
    (:data:`TOP_UNITS`); these lines are for the limits of :mod:`analysis.limits`, which the
    seed is far below.
    """
    notes = []
    n_sections = len(ds.measures[["plan_id", "section_no"]].drop_duplicates())
    if n_sections > limits.CHART_MAX_SECTIONS:
        notes.append(
            f"`figures/section_heatmap.*` shows {limits.CHART_MAX_SECTIONS:,} of {n_sections:,} plan sections "
            "(those where the units drawn have the most measures): the full table is "
            "`reports/workload_by_section.csv`."
        )
    if tables is not None and "clusters" in tables:
        n_lead = len(tables["clusters"])
    else:
        from .limits import _n_lead_units

        n_lead = _n_lead_units(ds, tables)
    if n_lead > limits.CHART_MAX_UNITS:
        notes.append(
            f"`figures/colead_network.*` and `figures/cluster_stability.*` show the {limits.CHART_MAX_UNITS:,} of "
            f"{n_lead:,} lead units that lead the most measures: every unit's cluster is in `reports/clusters.csv`, "
            "the co-lead ties in `reports/colead_edges.csv`, the co-assignment shares in "
            "`reports/cluster_coassignment.csv`."
        )
    n_plans = ds.measures["plan_id"].nunique()
    if n_plans > limits.CHART_MAX_PLANS:
        notes.append(
            f"`figures/collective_share.*` shows {limits.CHART_MAX_PLANS:,} of {n_plans:,} plans (those with the "
            "most responsible mentions) and all plans together: the per-plan shares are given by "
            "`analysis.quality.collective_shares(ds)`."
        )
    return notes
