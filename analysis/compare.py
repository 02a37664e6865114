"""Several governments side by side: workload and concentration per government, load by type.

A pooled corpus (``build --raw DIR`` with one folder per government, or any measures file
whose ``jurisdiction`` column names several) is analysed government by government: each
government's measures with its own units (:func:`by_government`), ranked and measured as a
one-government plan would be (:func:`analysis.workload.workload`,
:func:`analysis.workload.concentration`). Across governments, units are compared by their
functional type (司法, 发展和改革 …: :func:`unit_types`, from the glossary), since two
governments never share a unit.

Tables (all plain frames, tested by hand on a three-government fixture):

:func:`government_table`
    one row per government: measures, named units, lead units, and the concentration of
    lead load (Gini, HHI, top-1 and top-5 share, the top unit);
:func:`government_workload`
    the workload table of every government, stacked, with a ``jurisdiction`` column;
:func:`type_table`
    one row per functional type and government: the type's share of the government's lead
    load (each measure's lead split evenly among its lead units, as in ``lead_share``).

Charts (:func:`concentration_chart`, :func:`type_chart`), zh and en, are drawn from these
tables only.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import style
from .workload import concentration, workload

__all__ = [
    "UNKNOWN",
    "by_government",
    "comparison_tables",
    "comparison_text",
    "concentration_chart",
    "government_table",
    "government_workload",
    "governments",
    "load_corpus",
    "top_units",
    "type_chart",
    "type_pivot",
    "type_table",
    "unit_types",
    "write_comparison",
]

#: How a measure without a jurisdiction is shown.
UNKNOWN = "(未知 unknown)"
TOP_TYPES = 16  # functional types on the type chart (the rest summed as 其他 other)


def governments(ds) -> list[str]:
    """The jurisdictions of a dataset's measures, sorted ("" as :data:`UNKNOWN`, last)."""
    if "jurisdiction" not in ds.measures:
        return [UNKNOWN]
    found = set(ds.measures["jurisdiction"].fillna(""))
    return sorted(j for j in found if j) + ([UNKNOWN] if "" in found else [])


def _jurisdiction_column(ds) -> pd.Series:
    if "jurisdiction" not in ds.measures:
        return pd.Series(UNKNOWN, index=ds.measures.index)
    return ds.measures["jurisdiction"].fillna("").replace("", UNKNOWN)


def by_government(ds) -> dict[str, object]:
    """``{government: Dataset}``: each government's measures, assignments and its own units.

    A government's units are the registry rows of its jurisdiction, and the rows of no
    jurisdiction that its measures name; ``n_mentions`` is recounted.
    """
    where = _jurisdiction_column(ds)
    reg_j = ds.units["jurisdiction"] if "jurisdiction" in ds.units else pd.Series("", index=ds.units.index)
    out = {}
    for j in governments(ds):
        measures = ds.measures[(where == j).to_numpy()].reset_index(drop=True)
        keep = ds.assignments["measure_id"].isin(set(measures["measure_id"])).to_numpy()
        assignments = ds.assignments[keep].reset_index(drop=True)
        counts = assignments["unit"].astype(str).value_counts()
        named = ds.units["unit"].isin(set(counts.index))
        own = (reg_j == ("" if j == UNKNOWN else j)) & ((reg_j != "") | named)
        units = ds.units[own.to_numpy()].reset_index(drop=True)
        units = units.assign(n_mentions=units["unit"].map(counts).fillna(0).astype("int64"))
        out[j] = replace(ds, measures=measures, assignments=assignments, units=units)
    return out


def government_workload(ds, parts: dict | None = None) -> pd.DataFrame:
    """Every government's :func:`~analysis.workload.workload` (named units), stacked.

    Columns: ``jurisdiction`` then those of the workload table without per-plan and
    per-section columns (which differ between governments).
    """
    parts = parts if parts is not None else by_government(ds)
    frames = []
    for j, sub in parts.items():
        wl = workload(sub, by_section=False, by_plan=False)
        frames.append(wl.assign(jurisdiction=j)[["jurisdiction", *wl.columns]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["jurisdiction"])


def government_table(ds, parts: dict | None = None, wl: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per government: its size and how concentrated its lead load is.

    Columns ``jurisdiction, n_plans, n_measures, n_units, n_lead_units, leads_per_measure,
    gini, hhi, top1_share, top5_share, top1_unit``. The concentration is that of
    ``lead_share`` over the government's named units (:func:`analysis.workload.concentration`);
    ``leads_per_measure`` counts every lead mention, collectives included.
    """
    parts = parts if parts is not None else by_government(ds)
    wl = wl if wl is not None else government_workload(ds, parts)
    rows = []
    for j, sub in parts.items():
        w = wl[wl["jurisdiction"] == j]
        c = concentration(w, loads=("lead_share",)).iloc[0]
        n_lead = int((sub.assignments["role"] == "lead").sum())
        rows.append(
            {
                "jurisdiction": j,
                "n_plans": int(sub.measures["plan_id"].nunique()),
                "n_measures": len(sub.measures),
                "n_units": len(w),
                "n_lead_units": int((w["n_lead"] > 0).sum()),
                "leads_per_measure": n_lead / len(sub.measures) if len(sub.measures) else 0.0,
                "gini": c["gini"],
                "hhi": c["hhi"],
                "top1_share": c["top1_share"],
                "top5_share": c["top5_share"],
                "top1_unit": c["top1_unit"],
            }
        )
    return pd.DataFrame(rows)


def unit_types(units: pd.DataFrame) -> pd.DataFrame:
    """The functional type of every registry unit: ``unit, type_id, type_zh, type_en``.

    A unit's type is the glossary's reading (:func:`analysis.glossary.classify`) of the first
    of its names that it can type, the canonical name first (in a pooled registry the
    canonical name is qualified, 下陆区司法局, and the written one, 区司法局, is an alias).
    Collectives are ``collective``; names the glossary cannot type ``""`` (其他 other).
    """
    from .glossary import classify, default_glossary

    g = default_glossary()
    rows = []
    for unit, aliases, is_coll in zip(units["unit"], units["aliases"], units["is_collective"], strict=True):
        type_id = "collective" if is_coll else ""
        if not is_coll:
            for name in (unit, *aliases):
                c = classify(name, g)
                if c.type_id and c.type_id != "collective":
                    type_id = c.type_id
                    break
        t = g.types.get(type_id)
        zh, en = (
            (t.name_zh, " ".join(t.name_en.replace("{level}", "").replace("{name}", "").split()))
            if t
            else (("集合性表述", "Collective placeholders") if is_coll else ("其他", "Other"))
        )
        rows.append({"unit": unit, "type_id": type_id, "type_zh": zh, "type_en": en})
    return pd.DataFrame(rows, columns=["unit", "type_id", "type_zh", "type_en"])


def type_table(ds, wl: pd.DataFrame | None = None, types: pd.DataFrame | None = None) -> pd.DataFrame:
    """Lead load by functional type and government.

    Columns ``type_id, type_zh, type_en, jurisdiction, n_units, lead_share, share``: the
    government's named units of the type, the sum of their ``lead_share`` and its share of
    the government's total. Sorted by type (those that lead in the most governments first,
    then by the mean share across governments), then government.
    """
    wl = wl if wl is not None else government_workload(ds)
    types = types if types is not None else unit_types(ds.units)
    t = wl[["jurisdiction", "unit", "lead_share"]].merge(types, on="unit", how="left")
    t["type_id"] = t["type_id"].fillna("")
    g = t.groupby(["type_id", "type_zh", "type_en", "jurisdiction"], as_index=False, sort=True).agg(
        n_units=("unit", "size"), lead_share=("lead_share", "sum")
    )
    totals = wl.groupby("jurisdiction")["lead_share"].sum()
    g["share"] = g["lead_share"] / g["jurisdiction"].map(totals).replace(0, np.nan)
    g["share"] = g["share"].fillna(0.0)
    n_gov = wl["jurisdiction"].nunique()
    mean = g.groupby("type_id")["share"].sum() / max(n_gov, 1)
    leads_in = g[g["lead_share"] > 0].groupby("type_id")["jurisdiction"].nunique()
    g["_n"] = g["type_id"].map(leads_in).fillna(0)
    g["_mean"] = g["type_id"].map(mean)
    keys = ["_n", "_mean", "type_id", "jurisdiction"]
    g = g.sort_values(keys, ascending=[False, False, True, True], kind="stable")
    return g.drop(columns=["_n", "_mean"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Charts (from the tables only)

_T = {
    "conc_title": ("各级政府牵头任务的集中程度", "How concentrated each government's lead load is"),
    "conc_x": (
        "牵头负荷的基尼系数（0 = 平均分布，1 = 集中于一个单位）",
        "Gini of lead load (0 = even, 1 = one unit leads all)",
    ),
    "conc_note": (
        "括号内：举措数 · 牵头单位数；柱旁为牵头最多的单位及其份额",
        "In brackets: measures · lead units; beside each bar, the unit that leads most and its share",
    ),
    "type_title": ("各类职能部门在牵头任务中的份额", "Share of lead load by functional type"),
    "type_note": (
        "每项举措的牵头任务在其牵头单位间平均分配；空白 = 该政府无此类单位牵头",
        "Each measure's lead is split evenly among its lead units; blank = no unit of the type leads",
    ),
    "other_types": ("其他类型", "Other types"),
}


def _t(key: str, lang: str) -> str:
    return _T[key][0 if lang == "zh" else 1]


def _gov_label(j: str, lang: str) -> str:
    return j if lang == "zh" or j != UNKNOWN else "(unknown)"


def concentration_chart(govs: pd.DataFrame, *, lang: str = "zh"):
    """Horizontal bars: the Gini of lead load of each government, with its size and top unit."""
    from .figures.base import chart as _chart
    from .figures.base import figure_note as _figure_note
    from .figures.base import new_figure as _new_figure

    @_chart
    def draw():
        g = govs.sort_values(["gini", "jurisdiction"], ascending=[True, True], kind="stable")
        h = min(style.MAX_HEIGHT, 1.3 + 0.42 * len(g))
        fig = _new_figure(style.WIDTH, h)
        ax = fig.add_subplot()
        y = np.arange(len(g))
        ax.barh(y, g["gini"], color=style.ROLE_COLORS["lead"], height=0.6)
        labels = [
            f"{_gov_label(j, lang)}\n({m} · {u})"
            for j, m, u in zip(g["jurisdiction"], g["n_measures"], g["n_lead_units"], strict=True)
        ]
        ax.set_yticks(y, labels)
        for yi, gini, unit, share in zip(y, g["gini"], g["top1_unit"], g["top1_share"], strict=True):
            ax.text(gini + 0.01, yi, f"{unit} {share:.0%}", va="center", fontsize=style.MIN_FONT_SIZE)
        ax.set_xlim(0, 1.4)
        ax.spines["bottom"].set_bounds(0, 1)
        ax.set_xticks(np.linspace(0, 1, 6))
        ax.xaxis.grid(True)
        ax.set_xlabel(_t("conc_x", lang))
        ax.set_title(_t("conc_title", lang), loc="left")
        _figure_note(fig, [_t("conc_note", lang)])
        return fig

    return draw()


def type_chart(types: pd.DataFrame, *, lang: str = "zh", top: int = TOP_TYPES):
    """Heat map: share of each government's lead load held by each functional type."""
    from .figures.base import chart as _chart
    from .figures.base import figure_note as _figure_note
    from .figures.base import new_figure as _new_figure

    @_chart
    def draw():
        t = types[types["type_id"] != "collective"]
        name = "type_zh" if lang == "zh" else "type_en"
        order = list(dict.fromkeys(t["type_id"]))  # type_table sorts by mean share
        keep = order[:top]
        t = t.assign(_row=np.where(t["type_id"].isin(keep), t["type_id"], "_other"))
        labels = dict(zip(t["type_id"], t[name], strict=False))
        labels["_other"] = _t("other_types", lang)
        grid = t.pivot_table(index="_row", columns="jurisdiction", values="share", aggfunc="sum", fill_value=np.nan)
        rows = [r for r in [*keep, "_other"] if r in grid.index]
        grid = grid.loc[rows]
        cols = list(grid.columns)
        h = min(style.MAX_HEIGHT, 1.8 + 0.3 * len(rows))
        fig = _new_figure(style.WIDTH, h)
        ax = fig.add_subplot()
        values = grid.to_numpy(dtype=float, copy=True)
        values[values == 0] = np.nan  # a unit of the type that leads nothing is blank too
        im = ax.imshow(np.ma.masked_invalid(values), cmap=style.HEATMAP_CMAP, aspect="auto", vmin=0)
        ax.set_yticks(range(len(rows)), [labels[r] for r in rows])
        ax.set_xticks(range(len(cols)), [_gov_label(c, lang) for c in cols], rotation=30, ha="right")
        for i in range(len(rows)):
            for k in range(len(cols)):
                v = values[i, k]
                if v == v and v > 0:
                    ax.text(
                        k,
                        i,
                        f"{v:.0%}" if v >= 0.005 else "<1%",
                        ha="center",
                        va="center",
                        fontsize=style.MIN_FONT_SIZE,
                        color="white" if v > 0.6 * np.nanmax(values) else "black",
                    )
        fig.colorbar(im, ax=ax, format=_percent(), shrink=0.8)
        ax.set_title(_t("type_title", lang), loc="left")
        _figure_note(fig, [_t("type_note", lang)])
        return fig

    return draw()


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


CHARTS = {"compare_concentration": ("governments", concentration_chart), "compare_types": ("types", type_chart)}


def comparison_tables(ds) -> dict[str, pd.DataFrame]:
    """``{"governments", "government_workload", "types"}`` of a dataset (each computed once)."""
    parts = by_government(ds)
    wl = government_workload(ds, parts)
    return {
        "governments": government_table(ds, parts, wl),
        "government_workload": wl,
        "types": type_table(ds, wl, unit_types(ds.units)),
    }


def load_corpus(measures=None, units=None):
    """The pooled corpus the main job compares (``reports/corpus/``), or the given files."""
    from .config import REPORTS_DIR
    from .load import load

    folder = REPORTS_DIR / "corpus"
    return load(measures or folder / "measures.csv", units or folder / "units.csv")


def type_pivot(types: pd.DataFrame, *, lang: str = "zh", top: int = TOP_TYPES) -> pd.DataFrame:
    """The type table as types × governments (share of the government's lead load; 0 where none)."""
    t = types[types["type_id"] != "collective"]
    keep = list(dict.fromkeys(t["type_id"]))[:top]
    name = "type_zh" if lang == "zh" else "type_en"
    t = t[t["type_id"].isin(keep)]
    grid = t.pivot_table(index=["type_id", name], columns="jurisdiction", values="share", aggfunc="sum", fill_value=0.0)
    grid = grid.reindex([k for k in keep if k in set(t["type_id"])], level=0)
    grid.columns.name = None
    return grid.reset_index(level=0, drop=True).rename_axis(name).reset_index()


def top_units(wl: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The `n` units of each government with the largest lead share (ties by the workload's rank)."""
    cols = ["jurisdiction", "rank", "unit", "n_lead", "lead_share", "n_responsible"]
    return wl.sort_values(["jurisdiction", "rank"], kind="stable").groupby("jurisdiction").head(n)[cols]


def comparison_text(tables: dict) -> str:
    """Markdown sentences of what the comparison tables show (every number from them)."""
    g = tables["governments"].sort_values(["gini", "jurisdiction"], kind="stable")
    if len(g) < 2:
        return f"Only one government ({g['jurisdiction'].iloc[0] if len(g) else 'none'}): nothing to compare."
    lo, hi = g.iloc[0], g.iloc[-1]
    t = tables["types"]
    t = t[(t["type_id"] != "collective") & (t["lead_share"] > 0)]
    n_gov = len(g)
    by_name = g.sort_values("jurisdiction", kind="stable")
    lines = [
        f"- **{n_gov} governments**, {int(g['n_measures'].sum())} measures in all "
        f"({', '.join(f'{j}: {m}' for j, m in zip(by_name['jurisdiction'], by_name['n_measures'], strict=True))}).",
        f"- Lead load is most even in **{lo['jurisdiction']}** (Gini {lo['gini']:.2f}, {int(lo['n_lead_units'])} "
        f"lead units) and most concentrated in **{hi['jurisdiction']}** (Gini {hi['gini']:.2f}; "
        f"{hi['top1_unit']} leads {hi['top1_share']:.0%} of it).",
    ]
    if len(t):  # type_table's order: the type that leads in the most governments first
        first = t.iloc[0]
        shares = t[t["type_id"] == first["type_id"]].set_index("jurisdiction")["share"]
        lines.append(
            f"- The type that leads in the most governments is **{first['type_zh']}** ({first['type_id']}: "
            f"{len(shares)} of {n_gov}), with {shares.min():.0%}–{shares.max():.0%} of their lead load."
        )
    small = g[g["n_measures"] < 10]
    if len(small):
        lines.append(
            f"- {len(small)} government(s) have fewer than 10 measures here ({'、'.join(small['jurisdiction'])}): "
            "each measure is more than a tenth of their load, so read their shares as examples, not estimates."
        )
    return "\n".join(lines)


def write_comparison(ds, reports_dir, figures_dir, *, tables=None, langs=("zh", "en"), formats=("png", "svg", "pdf")):
    """Write the comparison tables (``reports/compare_*.csv``) and charts; returns ``{name: path}``.

    Charts go to ``figures_dir/NAME.*`` (Chinese) and ``figures_dir/en/NAME.*`` (English).
    """
    from .errors import write_csv
    from .figures import save_figure
    from .safetext import csv_safe

    tables = tables if tables is not None else comparison_tables(ds)
    written = {}
    for name, df in tables.items():
        written[f"reports/compare_{name}.csv"] = write_csv(csv_safe(df), Path(reports_dir) / f"compare_{name}.csv")
    for lang in langs:
        folder = Path(figures_dir) if lang == "zh" else Path(figures_dir) / lang
        for name, (table, func) in CHARTS.items():
            fig = func(tables[table], lang=lang)
            for fmt in formats:
                rel = f"{name}.{fmt}" if lang == "zh" else f"{lang}/{name}.{fmt}"
                written[f"figures/{rel}"] = save_figure(fig, folder / f"{name}.{fmt}", fmt)
    return written
