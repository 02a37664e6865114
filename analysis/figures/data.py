"""The charts' data: one function per chart, returning exactly what the chart draws.

Each ``<chart>_data(ds, tables, *, lang, …)`` reads the analysis tables
(:func:`analysis.exports.analysis_tables`, through :func:`chart_tables`) and the shared facts
(:mod:`analysis.facts`), never the assignments themselves, and returns a frame or a small
dataclass of frames: the bar values, the rows in the order drawn, their labels (in `lang`) and
the notes under the chart with their counts. The drawing functions
(:mod:`analysis.figures.draw_units` …) take that value and count nothing.

How many rows a chart shows depends on the page (rows that fit :data:`analysis.style.MAX_HEIGHT`
at a row height per language): those heights are here (:data:`RANKING_ROWS`,
:data:`HEATMAP_ROWS`), and the drawing uses the same ones.

>>> from analysis.load import load
>>> d = lorenz_data(load(), lang="en")
>>> d.legend["lead_share"], d.legend["n_responsible"]
('Lead load (Gini 0.69)', 'Responsible load (Gini 0.60)')
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import facts, limits, style
from .labels import (
    check_lang,
    display_names,
    left_out_note,
    network_label,
    plan_labels,
    section_key,
    section_labels,
    shorten,
    t,
    wrap,
    wrap_note,
)

__all__ = [
    "CHEAP_TABLES",
    "CoalitionsData",
    "HeatmapData",
    "LorenzData",
    "MeasureSizesData",
    "NetworkData",
    "RankingData",
    "SharesData",
    "StabilityData",
    "assignments_per_measure_data",
    "chart_tables",
    "cluster_stability_data",
    "colead_network_data",
    "collective_share_data",
    "lead_coalitions_data",
    "lorenz_data",
    "section_heatmap_data",
    "size_notes",
    "workload_ranking_data",
]

#: Named units the ranking and the heatmap show by default (the rest are counted in a note):
#: as many as fit a 23 cm page in English, where names take two lines.
TOP_UNITS = 24
TOP_UNITS_HEATMAP = 18
#: Above this many plans on the section heatmap, one note line points to the plan titles.
MAX_PLAN_NOTES = 6
#: Clusters named in the co-lead network's legend (those with the most units drawn).
MAX_LEGEND_CLUSTERS = 6

#: Page geometry of the one-row-per-unit charts, per language: (inches per row, inches of
#: title, axis and notes). English names take two lines.
RANKING_ROWS = {"zh": (0.175, 1.45), "en": (0.235, 1.45 + 0.15)}
HEATMAP_ROWS = {"zh": (0.17, 2.6), "en": (0.235, 3.05)}

#: The tables a chart computes itself when the caller leaves them out (one pass over the
#: assignments each); every other table (clusters, co-lead edges, co-assignment) must be given.
CHEAP_TABLES = ("workload", "collectives", "workload_by_section", "lorenz", "concentration")


# --------------------------------------------------------------------------------------------
# The tables


def chart_tables(ds, tables, *names: str, chart: str) -> dict[str, pd.DataFrame]:
    """`tables` with the analysis tables `names` that `chart` reads.

    A missing table of :data:`CHEAP_TABLES` is computed here (the workload family); any other
    missing table is an error that names it: the clusters take 100 Louvain runs, which a chart
    never starts on its own. Pass ``tables=analysis_tables(ds)``
    (:func:`analysis.exports.analysis_tables`), computed once for all charts.
    """
    tables = dict(tables or {})
    missing = [n for n in names if n not in tables]
    costly = [n for n in missing if n not in CHEAP_TABLES]
    if costly:
        listed = ", ".join(repr(n) for n in costly)
        raise ValueError(
            f"{chart} needs the analysis table {listed}, not in the tables given: pass "
            "tables=analysis_tables(ds) (from analysis.exports import analysis_tables; it runs the "
            "consensus clustering once for every chart)"
        )
    if missing:
        from .. import workload as wk

        of_workload = {"lorenz": wk.lorenz_table, "concentration": wk.concentration}
        cheap = {
            "workload": lambda: wk.workload(ds),
            "collectives": lambda: wk.collective_table(ds),
            "workload_by_section": lambda: wk.workload_by_section(ds),
        }
        if "workload" not in tables and any(n in of_workload for n in missing):
            tables["workload"] = wk.workload(ds)
        for n in (n for n in missing if n not in tables):
            tables[n] = of_workload[n](tables["workload"]) if n in of_workload else cheap[n]()
    return tables


def _ranked(workload: pd.DataFrame) -> pd.DataFrame:
    """Named units by measures led, then led alone, then responsible, then name (the ranking's order)."""
    return workload.sort_values(
        ["n_lead", "n_sole_lead", "n_responsible", "unit"], ascending=[False, False, False, True], kind="stable"
    )


def _fit_rows(n_named: int, n_coll: int, *, top: int | None, row_h: float, fixed: float) -> tuple[int, int]:
    """How many named units and collectives a one-row-per-unit chart shows: at most `top`
    named units, and no more rows than fit :data:`analysis.style.MAX_HEIGHT` (collectives
    first, at least 5 named units)."""
    room = max(int((style.MAX_HEIGHT - fixed) / row_h), 6)
    coll = min(n_coll, max(room - min(n_named, 5), 0))
    named = min(n_named, top if top is not None else n_named, room - coll)
    return named, coll


def _categories(ds, units) -> list[str]:
    """:func:`analysis.style.unit_category` of each of `units` (``"collective"`` if unknown)."""
    cats = style.unit_categories(ds.units)
    return [cats.get(u, "collective") for u in units]


# --------------------------------------------------------------------------------------------
# Workload ranking


@dataclass(frozen=True)
class RankingData:
    """What :func:`analysis.figures.workload_ranking` draws.

    `rows`: one row per bar, top to bottom: ``unit, label`` (as printed), ``category`` (its
    colour and legend entry), ``n_sole_lead, n_colead, n_responsible`` (the three segments),
    ``n_total`` and ``is_collective`` (named units first). `roles`: the role keys in the legend
    (those a named unit drawn has). `notes`: the lines under the chart.
    """

    rows: pd.DataFrame
    roles: list[str]
    notes: list[str]


_SEGMENTS = (("sole_lead", "n_sole_lead"), ("co_lead", "n_colead"), ("responsible", "n_responsible"))
_BARS = ["unit", "system", "n_sole_lead", "n_colead", "n_responsible"]


def _collective_rows(ds, collectives: pd.DataFrame) -> pd.DataFrame:
    """The ranking's rows of the collective placeholders: most responsible first."""
    co = collectives.copy()
    lead_k = facts.lead_counts(ds)
    co["n_sole_lead"] = co["unit"].map(lead_k["n_sole_lead"]).fillna(0).astype(int)
    co["n_colead"] = co["unit"].map(lead_k["n_colead"]).fillna(0).astype(int)
    co = co.sort_values(["n_responsible", "unit"], ascending=[False, True], kind="stable")
    return co[_BARS].assign(is_collective=True)


def workload_ranking_data(
    ds, tables=None, *, lang: str = "zh", collectives: bool = True, top: int | None = TOP_UNITS
) -> RankingData:
    """The ranking's bars: the `top` named units by measures led (as many as fit the page),
    then, when `collectives` is true, the collective placeholders; a note counts those left out."""
    check_lang(lang)
    tables = chart_tables(ds, tables, "workload", "collectives", chart="workload_ranking")
    rows = _ranked(tables["workload"])[_BARS].assign(is_collective=False)
    co = rows.iloc[0:0]
    if collectives and len(tables["collectives"]):
        co = _collective_rows(ds, tables["collectives"])
    row_h, fixed = RANKING_ROWS[lang]
    n_named, n_coll = _fit_rows(len(rows), len(co), top=top, row_h=row_h, fixed=fixed)
    hidden, hidden_co = rows.iloc[n_named:], co.iloc[n_coll:]
    rows = pd.concat([rows.iloc[:n_named], co.iloc[:n_coll]], ignore_index=True)
    labels = display_names(ds, lang)
    rows = rows.assign(
        label=[wrap(labels.get(u, u), 34) for u in rows["unit"]],
        category=_categories(ds, rows["unit"]),
        n_total=rows["n_sole_lead"] + rows["n_colead"] + rows["n_responsible"],
    )
    named = rows[~rows["is_collective"]]
    notes = [left_out_note(hidden, hidden_co, lang)] if len(hidden) or len(hidden_co) else []
    if lang == "en":
        notes.append(t("district_note", lang))
    columns = ["unit", "label", "category", "n_sole_lead", "n_colead", "n_responsible", "n_total", "is_collective"]
    return RankingData(rows[columns], [k for k, col in _SEGMENTS if named[col].sum() > 0], notes)


# --------------------------------------------------------------------------------------------
# Section heatmap


@dataclass(frozen=True)
class HeatmapData:
    """What :func:`analysis.figures.section_heatmap` draws.

    `grid`: measures per unit (rows, in the order drawn) and section (columns, ``(plan_id,
    section_no)`` in source order); the first `n_named` rows are named units, the rest
    collectives. `row_labels`, `col_labels`: the tick labels. `n_sections`: sections in all
    (more than the columns when the chart shows only some). `notes`: the lines under it.
    """

    grid: pd.DataFrame
    n_named: int
    row_labels: list[str]
    col_labels: list[str]
    n_sections: int
    notes: list[str]

    @property
    def cut(self) -> bool:
        """Whether some sections are left out (the plan id is then in each column's label)."""
        return self.grid.shape[1] < self.n_sections

    @property
    def plan_ids(self) -> list[str]:
        """The plan of each column."""
        return [p for p, _ in self.grid.columns]


def _heatmap_rows(ds, tables, value: str, lang: str, top: int | None):
    """(named units shown, collectives shown, named units left out, collectives left out)."""
    long = tables["workload_by_section"]
    order = list(_ranked(tables["workload"])["unit"])
    in_coll = long["unit"].isin(facts.collective_units(ds)).to_numpy()
    coll_total = long.loc[in_coll, ["unit", value]].astype({"unit": str}).groupby("unit")[value].sum()
    coll_order = sorted(coll_total.index, key=lambda u: (-coll_total[u], u))
    row_h, fixed = HEATMAP_ROWS[lang]
    n_named, n_coll = _fit_rows(len(order), len(coll_order), top=top, row_h=row_h, fixed=fixed)
    return order[:n_named], coll_order[:n_coll], order[n_named:], coll_order[n_coll:]


def _heatmap_grid(ds, long: pd.DataFrame, rows: list[str], value: str) -> tuple[pd.DataFrame, int]:
    """The grid of `rows` × sections and the number of sections in all; above
    :data:`analysis.limits.CHART_MAX_SECTIONS` only the columns the rows shown fill most."""
    sections = ds.measures[["plan_id", "section_no", "section_title"]].drop_duplicates(["plan_id", "section_no"])
    numbers = sections["section_no"].fillna(0)  # (as workload_by_section numbers the items before any section)
    cols = list(zip(sections["plan_id"], numbers, strict=True))
    shown = long[long["unit"].isin(set(rows)).to_numpy()]  # (pivot only the rows drawn)
    grid = shown.pivot_table(index="unit", columns=["plan_id", "section_no"], values=value, aggfunc="sum")
    grid = grid.reindex(index=rows, columns=pd.MultiIndex.from_tuples(cols)).fillna(0).astype(int)
    n_sections = len(cols)
    if n_sections > limits.CHART_MAX_SECTIONS:  # a national corpus: the columns the rows shown fill most
        totals = grid.sum(axis=0).to_numpy()
        best = sorted(range(n_sections), key=lambda j: (-totals[j], j))[: limits.CHART_MAX_SECTIONS]
        grid = grid.iloc[:, sorted(best)]
    return grid, n_sections


def _heatmap_notes(ds, data: HeatmapData, hidden: pd.DataFrame, hidden_co: list[str], lang: str) -> list[str]:
    """The plans' names (or where to find them), what is left out, and in English the district note."""
    plans = plan_labels(ds, lang)
    shown_plans = list(dict.fromkeys(data.plan_ids))
    if len(shown_plans) <= MAX_PLAN_NOTES:
        notes = [f"{pid} = {plans[pid]}" for pid in shown_plans]
    else:
        notes = [t("plan_titles_note", lang)]
    if data.cut:
        notes.append(t("sections_cut", lang).format(n=data.n_sections - data.grid.shape[1], total=data.n_sections))
    if len(hidden) or len(hidden_co):
        notes.append(left_out_note(hidden, pd.DataFrame(index=hidden_co), lang, "workload_by_section.csv"))
    if data.cut:  # (longer notes than one plan's: wrapped to the page)
        notes = [line for note in notes for line in wrap_note(note, lang)]
    if lang == "en":
        notes.append(t("district_note", lang))
    return notes


def section_heatmap_data(
    ds, tables=None, *, lang: str = "zh", value: str = "n_total", top: int | None = TOP_UNITS_HEATMAP
) -> HeatmapData:
    """The heatmap's cells: `value` (``n_total``, ``n_lead`` or ``n_responsible``) per unit and
    section, the `top` named units in the ranking's order, then the collectives."""
    check_lang(lang)
    tables = chart_tables(ds, tables, "workload", "workload_by_section", chart="section_heatmap")
    named, coll_rows, hidden_named, hidden_co = _heatmap_rows(ds, tables, value, lang, top)
    grid, n_sections = _heatmap_grid(ds, tables["workload_by_section"], named + coll_rows, value)
    labels = display_names(ds, lang)
    xt = section_labels(ds, lang)
    cut = grid.shape[1] < n_sections
    col_labels = [f"{p} · {xt[p, section_key(no)]}" if cut else xt[p, section_key(no)] for p, no in grid.columns]
    data = HeatmapData(grid, len(named), [wrap(labels.get(u, u), 34) for u in grid.index], col_labels, n_sections, [])
    hidden = tables["workload"].set_index("unit").loc[hidden_named, ["n_sole_lead", "n_colead", "n_responsible"]]
    return dataclasses.replace(data, notes=_heatmap_notes(ds, data, hidden, hidden_co, lang))


# --------------------------------------------------------------------------------------------
# Lorenz curves


@dataclass(frozen=True)
class LorenzData:
    """What :func:`analysis.figures.lorenz` draws: `curves` (``load, cum_share_units,
    cum_share_load`` of the ``lorenz`` table) and `legend` (load → its text, with the Gini)."""

    curves: pd.DataFrame
    legend: dict[str, str]


def lorenz_data(ds, tables=None, *, lang: str = "zh") -> LorenzData:
    """The Lorenz curves of lead load (``lead_share``) and responsible load, named units only."""
    check_lang(lang)
    tables = chart_tables(ds, tables, "lorenz", "concentration", chart="lorenz")
    gini = tables["concentration"].set_index("load")["gini"]
    keys = {"lead_share": "lead_load", "n_responsible": "responsible_load"}
    legend = {load: f"{t(key, lang)} (Gini {gini[load]:.2f})" for load, key in keys.items()}
    lz = tables["lorenz"]
    return LorenzData(lz.loc[lz["load"].isin(list(keys)), ["load", "cum_share_units", "cum_share_load"]], legend)


# --------------------------------------------------------------------------------------------
# Co-lead network


@dataclass(frozen=True)
class NetworkData:
    """What :func:`analysis.figures.colead_network` draws.

    `nodes`: ``unit, label, cluster, n_lead, is_collective``, by unit name (the graph's node
    order). `edges`: ``unit_a, unit_b, count`` among the nodes, in the table's order.
    `legend`: ``cluster, label`` of the clusters named. `note`: the text under the title.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    legend: pd.DataFrame
    note: str


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


def _cluster_legend(nodes: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """One entry per cluster drawn (the :data:`MAX_LEGEND_CLUSTERS` with the most units if more):
    ``Cluster c: its unit that leads most +k``."""
    cluster = dict(zip(nodes["unit"], nodes["cluster"], strict=True))
    n_lead = dict(zip(nodes["unit"], nodes["n_lead"], strict=True))
    shown = sorted(set(cluster.values()))
    if len(shown) > MAX_LEGEND_CLUSTERS:  # a corpus: the clusters with the most units drawn
        size = Counter(cluster.values())
        shown = sorted(sorted(shown, key=lambda c: (-size[c], c))[:MAX_LEGEND_CLUSTERS])
    rows = []
    for c in shown:
        members = sorted((u for u in cluster if cluster[u] == c), key=lambda u: (-n_lead[u], u))
        name = f"{t('cluster', lang)} {c}: {names.get(members[0], members[0])}"
        if len(members) > 1:
            name += f" +{len(members) - 1}"
        rows.append((c, name))
    return pd.DataFrame(rows, columns=["cluster", "label"])


def colead_network_data(ds, tables=None, *, lang: str = "zh") -> NetworkData:
    """The co-lead network's nodes (lead units, at most :data:`analysis.limits.CHART_MAX_UNITS`),
    its ties among them and the legend's clusters."""
    check_lang(lang)
    tables = chart_tables(ds, tables, "clusters", "colead_edges", chart="colead_network")
    cl, hidden = _top_lead_units(tables["clusters"].sort_values("unit"))
    names = display_names(ds, lang)
    coll = facts.collective_units(ds)
    nodes = pd.DataFrame(
        {
            "unit": cl["unit"].to_numpy(),
            "label": [network_label(names.get(u, u), lang) for u in cl["unit"]],
            "cluster": cl["cluster"].to_numpy(),
            "n_lead": cl["n_lead"].to_numpy(),
            "is_collective": [u in coll for u in cl["unit"]],
        }
    )
    e = tables["colead_edges"]
    keep = set(nodes["unit"])
    e = e.loc[e["unit_a"].isin(keep).to_numpy() & e["unit_b"].isin(keep).to_numpy(), ["unit_a", "unit_b", "count"]]
    note = t("network_note", lang)
    if len(hidden):
        note += "\n" + t("network_cut", lang).format(n=len(hidden), most=int(hidden["n_lead"].max()))
    return NetworkData(nodes, e.reset_index(drop=True), _cluster_legend(nodes, names, lang), note)


# --------------------------------------------------------------------------------------------
# Collective share


@dataclass(frozen=True)
class SharesData:
    """What :func:`analysis.figures.collective_share` draws: `rows`, one per bar (the plans,
    then all plans, ``plan_id`` empty): ``plan_id, label, n_mentions, n_collective_mentions,
    n_measures, n_only_collective, share_collective_mentions, share_only_collective``;
    `n_plans` (plans in all); `notes` under the chart."""

    rows: pd.DataFrame
    n_plans: int
    notes: list[str]


def _responsible_shares(ds) -> pd.DataFrame:
    """Per plan (and all plans, ``plan_id`` empty): responsible mentions given to collectives
    and measures whose responsible units are all collectives."""
    mentions = facts.plan_mentions(ds, "responsible")
    only = facts.measure_profile(ds)["only_collective"].to_numpy()
    plan = ds.measures["plan_id"].astype(str).to_numpy()
    by_m = pd.Series(only).groupby(plan).agg(["size", "sum"]).reindex(mentions.index, fill_value=0)
    df = pd.DataFrame(
        {
            "plan_id": [*mentions.index, ""],
            "n_mentions": [*mentions["n_mentions"], mentions["n_mentions"].sum()],
            "n_collective_mentions": [*mentions["n_collective"], mentions["n_collective"].sum()],
            "n_measures": [*by_m["size"], len(only)],
            "n_only_collective": [*by_m["sum"], only.sum()],
        }
    ).astype({c: "int64" for c in ("n_mentions", "n_collective_mentions", "n_measures", "n_only_collective")})
    df["share_collective_mentions"] = df["n_collective_mentions"] / df["n_mentions"].where(df["n_mentions"] > 0)
    df["share_only_collective"] = df["n_only_collective"] / df["n_measures"]
    return df.fillna({"share_collective_mentions": 0.0})


def collective_share_data(ds, tables=None, *, lang: str = "zh") -> SharesData:
    """Per plan (at most :data:`analysis.limits.CHART_MAX_PLANS`, those with the most responsible
    mentions) and for all plans: the shares of responsibility given to collectives."""
    check_lang(lang)
    df = _responsible_shares(ds)
    n_plans = len(df) - 1
    if n_plans > limits.CHART_MAX_PLANS:  # a corpus: the plans with the most responsible mentions, and all plans
        ranked = sorted(range(n_plans), key=lambda i: (-int(df["n_mentions"].iloc[i]), i))
        df = df.iloc[[*sorted(ranked[: limits.CHART_MAX_PLANS]), n_plans]].reset_index(drop=True)
    plans = plan_labels(ds, lang)
    width = 22 if lang == "zh" else 30
    df.insert(1, "label", [wrap(f"{p} {plans[p]}" if p else t("all_plans", lang), width) for p in df["plan_id"]])
    shown = len(df) - 1
    notes = [t("plans_cut", lang).format(k=shown, n=n_plans - shown)] if shown < n_plans else []
    return SharesData(df, n_plans, notes)


# --------------------------------------------------------------------------------------------
# Units per measure


@dataclass(frozen=True)
class MeasureSizesData:
    """What :func:`analysis.figures.assignments_per_measure` draws: `lead`, measures per number
    of lead units (index: 1 … the most, or 0 … when a measure has none); `responsible`, per
    number of responsible units (index 0 … the most): ``named`` (measures with at least one
    named unit) and ``only_collective``."""

    lead: pd.Series
    responsible: pd.DataFrame


def assignments_per_measure_data(ds, tables=None, *, lang: str = "zh") -> MeasureSizesData:
    """The distributions of lead and of responsible units per measure (:func:`analysis.facts.measure_profile`)."""
    check_lang(lang)
    c = facts.measure_profile(ds)
    lead = c["n_lead"].value_counts().sort_index()
    ks = np.arange(0 if lead.index.min() == 0 else 1, int(lead.index.max()) + 1)
    kr = np.arange(0, int(c["n_responsible"].max()) + 1)
    only = c["only_collective"]
    resp = pd.DataFrame(
        {
            "named": c[~only]["n_responsible"].value_counts().reindex(kr, fill_value=0).to_numpy(),
            "only_collective": c[only]["n_responsible"].value_counts().reindex(kr, fill_value=0).to_numpy(),
        },
        index=pd.Index(kr, name="n_responsible"),
    )
    return MeasureSizesData(
        pd.Series(lead.reindex(ks, fill_value=0).to_numpy(), index=pd.Index(ks, name="n_lead")), resp
    )


# --------------------------------------------------------------------------------------------
# Cluster stability


@dataclass(frozen=True)
class StabilityData:
    """What :func:`analysis.figures.cluster_stability` draws: `matrix`, the share of Louvain runs
    in which two units share a community (units in the order drawn: by consensus cluster, then
    measures led, then name); `clusters`, each row's cluster; the tick labels; `notes`."""

    matrix: pd.DataFrame
    clusters: list[int]
    row_labels: list[str]
    col_labels: list[str]
    notes: list[str]


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


def cluster_stability_data(ds, tables=None, *, lang: str = "zh") -> StabilityData:
    """The co-assignment matrix of the lead units shown (:data:`analysis.limits.CHART_MAX_UNITS`
    that lead the most); in English the columns are numbered and the rows carry the numbers."""
    check_lang(lang)
    tables = chart_tables(ds, tables, "cluster_coassignment", "clusters", chart="cluster_stability")
    shown, hidden = _top_lead_units(tables["clusters"])
    cl = shown.set_index("unit")
    co = _coassignment_matrix(tables["cluster_coassignment"], list(cl.index))
    order = sorted(co.index, key=lambda u: (int(cl.loc[u, "cluster"]), -int(cl.loc[u, "n_lead"]), u))
    labels = display_names(ds, lang)
    if lang == "zh":
        ylab = xlab = [labels.get(u, u) for u in order]
    else:
        ylab = [f"{shorten(labels.get(u, u), 42)}  {i}" for i, u in enumerate(order, start=1)]
        xlab = [str(i) for i in range(1, len(order) + 1)]
    notes = [t("stability_cut", lang).format(k=len(order), n=len(hidden))] if len(hidden) else []
    if lang == "en":
        notes.append(t("district_note", lang) + " Names cut at … in full in reports/workload.csv (name_en).")
    clusters = [int(cl.loc[u, "cluster"]) for u in order]
    return StabilityData(co.loc[order, order], clusters, ylab, xlab, notes)


# --------------------------------------------------------------------------------------------
# Lead coalitions


@dataclass(frozen=True)
class CoalitionsData:
    """What :func:`analysis.figures.lead_coalitions` draws: `coalitions` (``members``, a sorted
    tuple of units, and ``n_measures`` led by exactly that set; most first), `units` (one matrix
    row each, top to bottom: ``unit, label, category, n_lead`` all measures it leads) and `notes`."""

    coalitions: pd.DataFrame
    units: pd.DataFrame
    notes: list[str]


def _coalitions(ds, *, min_size: int, min_measures: int) -> list[tuple[tuple[str, ...], int]]:
    """Lead-unit sets of at least `min_size` units that lead at least `min_measures` measures.

    Sorted by number of measures, then size (larger first), then names. Counted with arrays
    (:func:`analysis.facts.lead_sets`): the sets of one size are the rows of a matrix of unit
    codes, counted by :func:`numpy.unique` (a million measures in under a second, not a Python
    call per measure).
    """
    measure, unit, names = facts.lead_sets(ds)
    starts = np.flatnonzero(np.r_[True, measure[1:] != measure[:-1]]) if len(measure) else np.zeros(0, int)
    sizes = np.diff(np.r_[starts, len(measure)])
    out = []
    for k in np.unique(sizes[sizes >= min_size]).tolist():
        rows = unit[starts[sizes == k][:, None] + np.arange(k)]
        sets, counts = np.unique(rows, axis=0, return_counts=True)
        keep = counts >= min_measures
        out += [(tuple(names[row].tolist()), int(v)) for row, v in zip(sets[keep], counts[keep], strict=True)]
    return sorted(out, key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))


def lead_coalitions_data(
    ds, tables=None, *, lang: str = "zh", min_size: int = 2, min_measures: int = 2, max_coalitions: int = 20
) -> CoalitionsData:
    """The lead-unit sets of at least `min_size` units that lead at least `min_measures` measures
    (at most `max_coalitions`), and their members: in most coalition measures first, then most
    measures led, then name."""
    check_lang(lang)
    combos = _coalitions(ds, min_size=min_size, min_measures=min_measures)[:max_coalitions]
    lead_k = facts.lead_counts(ds)
    n_led = lead_k["n_sole_lead"] + lead_k["n_colead"]  # every measure a unit leads
    freq = Counter(u for combo, v in combos for u in combo for _ in range(v))
    units = sorted(freq, key=lambda u: (-freq[u], -n_led.get(u, 0), u))
    labels = display_names(ds, lang)
    rows = pd.DataFrame(
        {
            "unit": units,
            "label": [wrap(labels.get(u, u), 40) for u in units],
            "category": _categories(ds, units),
            "n_lead": [int(n_led.get(u, 0)) for u in units],
        }
    )
    notes = [t("district_note", lang)] if lang == "en" and combos else []
    return CoalitionsData(pd.DataFrame(combos, columns=["members", "n_measures"]), rows, notes)


# --------------------------------------------------------------------------------------------
# What the charts leave out


def size_notes(ds, tables=None) -> list[str]:
    """What the charts show in another form because of the data's size (for the data-quality report).

    The ranking and the heatmap always show their top units with the rest counted on the chart
    (:data:`TOP_UNITS`); these lines are for the limits of :mod:`analysis.limits`, which the
    seed is far below.
    """
    from ..limits import _n_lead_units

    notes = []
    n_sections = len(ds.measures[["plan_id", "section_no"]].drop_duplicates())
    if n_sections > limits.CHART_MAX_SECTIONS:
        notes.append(
            f"`figures/section_heatmap.*` shows {limits.CHART_MAX_SECTIONS:,} of {n_sections:,} plan sections "
            "(those where the units drawn have the most measures): the full table is "
            "`reports/workload_by_section.csv`."
        )
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
