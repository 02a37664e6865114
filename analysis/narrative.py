"""Sentences and tables for the analysts' notebooks, computed from the data they describe.

A notebook's prose must stay true when an analyst filters the plans (``PLANS = ["P2"]``) or
loads another government's plan, so every number in it comes from a function here: each
``*_text`` function takes the tables the notebook has just shown and returns a Markdown
string, which the notebook renders with ``IPython.display.Markdown``. The notebooks hold no
logic (the tests check that none defines a function).

The other helpers keep filtered runs readable: :func:`notebook_tables` drops the units a
selection never names (a plan filter keeps the registry whole, so they would be rows of
zeros in the ranking, the heatmap and the concentration measures), :func:`styled` left-aligns
text columns (JupyterLab right-aligns table cells) and draws bars that cannot divide by zero,
and :func:`sensitivity` compares what the collectives' expansion can change.

Examples
--------
>>> from analysis.load import load
>>> from analysis.subset import subset
>>> ds = subset(load(), plans=["P2"])
>>> t = notebook_tables(ds)
>>> len(t["workload"]), int((t["workload"]["n_total"] == 0).sum())
(17, 0)
>>> selection_text(ds)
'the 32 measures of plan P2'
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .style import TABLE_BAR_COLOR

__all__ = [
    "MULTI_LEAD_MIN",
    "collectives_text",
    "concentration_text",
    "diagnostics_text",
    "notebook_tables",
    "percent",
    "present",
    "selection_text",
    "sensitivity",
    "sensitivity_text",
    "styled",
    "workload_text",
]

#: A measure with at least this many lead units counts as 多头牵头 (as in
#: :func:`analysis.workload.multi_lead_measures`).
MULTI_LEAD_MIN = 4


def percent(x: float) -> str:
    """A share as a whole percentage, the project's way (``'29 %'``), halves rounded up.

    >>> percent(0.2878), percent(0.625), percent(0.004), percent(0)
    ('29 %', '63 %', '0.4 %', '0 %')
    """
    p = 100 * float(x)
    if 0 < p < 1:
        return f"{p:.1f} %"
    return f"{math.floor(p + 0.5 + 1e-9)} %"


def _list(names) -> str:
    names = [str(n) for n in names]
    return "、".join(names)


def present(wl: pd.DataFrame) -> pd.DataFrame:
    """Rows of a workload or collective table that the selection names at least once.

    A plan filter (:func:`analysis.subset.subset`) keeps the whole registry, so a unit absent
    from the selected plans has a row of zeros; it is not a unit "that never leads" and must
    not lower a Gini coefficient.
    """
    named = wl["n_total"] if "n_total" in wl.columns else wl["n_lead"] + wl["n_responsible"]
    keep = named > 0
    return wl[keep].reset_index(drop=True)


def notebook_tables(ds, *, collectives: str = "exclude") -> dict[str, pd.DataFrame]:
    """The tables a notebook shows and passes to the charts, without units the selection never names.

    Returns ``{"workload", "collectives", "workload_by_section", "concentration", "lorenz"}``,
    the names :mod:`analysis.figures` takes as ``tables=``: pass the dict to
    ``figures.workload_ranking(ds, tables)`` and ``figures.section_heatmap(ds, tables)`` and
    they draw only the units that occur.
    """
    from . import workload as wk

    wl = present(wk.workload(ds, collectives=collectives))
    wl = wl.assign(rank=np.arange(1, len(wl) + 1))
    return {
        "workload": wl,
        "collectives": present(wk.collective_table(ds)),
        "workload_by_section": wk.workload_by_section(ds),
        "concentration": wk.concentration(wl),
        "lorenz": wk.lorenz_table(wl),
    }


def styled(df: pd.DataFrame, *, formats: dict | None = None, bars=(), bar_color: str = TABLE_BAR_COLOR):
    """A pandas ``Styler`` of `df` without index, text columns left-aligned, bars from zero.

    Bars run from 0 to the column's maximum (at least 1), so a column of zeros (common in a
    filtered run) draws no bar instead of pandas' ``RuntimeWarning: invalid value``.
    """
    text_cols = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    s = df.style.hide(axis="index")
    if formats:
        s = s.format(formats)
    if text_cols:
        s = s.set_properties(subset=text_cols, **{"text-align": "left", "white-space": "pre-wrap"})
    if "unit" in df.columns:  # unit names on one line (a column squeezed by long texts wraps them per character)
        s = s.set_properties(subset=["unit"], **{"white-space": "nowrap"})
    s = s.set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
    for col in bars:
        top = float(df[col].max()) if len(df) else 0.0
        s = s.bar(subset=[col], color=bar_color, vmin=0, vmax=max(top, 1.0))
    return s


def selection_text(ds) -> str:
    """What the dataset holds, for a sentence: ``'the 32 measures of plan P2'``."""
    plans = list(pd.unique(ds.measures["plan_id"]))
    n = len(ds.measures)
    if len(plans) == 1:
        return f"the {n} measures of plan {plans[0]}"
    return f"the {n} measures of the {len(plans)} plans ({', '.join(map(str, plans))})"


def workload_text(ds, wl: pd.DataFrame, *, top_k: int = 10) -> str:
    """Who leads most, how much of the lead share that is, and who only leads or is mostly called on.

    `wl` is the notebook's workload table (named units present in `ds`, ranked).
    """
    if not len(wl) or wl["n_lead"].sum() == 0:
        return f"No named unit leads any of {selection_text(ds)}."
    top, total = wl.iloc[0], float(wl["lead_share"].sum())
    s = (
        f"{top['unit']} leads {int(top['n_lead'])} of {selection_text(ds)}, {int(top['n_sole_lead'])} of them alone, "
        f"and holds {percent(top['lead_share'] / total)} of the named units' lead share "
        f"({top['lead_share']:.2f} of {total:.2f})"
    )
    if len(wl) > 1 and wl.iloc[1]["lead_share"] > 0:
        nxt = wl.iloc[1]
        ratio = top["lead_share"] / nxt["lead_share"]
        s += f", {ratio:.1f} times the next unit ({nxt['unit']}, {nxt['lead_share']:.2f})."
    else:
        s += "; no other named unit leads."
    busiest = wl.sort_values(["n_total", "unit"], ascending=[False, True], kind="stable").head(top_k)
    both = busiest[(busiest["n_responsible"] >= busiest["n_lead"]) & (busiest["n_responsible"] > 0)]
    only = busiest[(busiest["n_lead"] > 0) & (busiest["n_responsible"] == 0)]
    s += f"\n\nOf the top {len(busiest)} units by measures in any role (ties by name),"
    parts = []

    def count(sub):
        return "all" if len(sub) == len(busiest) and len(sub) > 1 else str(len(sub))

    if len(both):
        verb = (
            "is responsible at least as often as it leads"
            if len(both) == 1
            else "are responsible at least as often as they lead"
        )
        parts.append(f" {count(both)} {verb} ({_list(both['unit'])})")
    if len(only):
        verb = "leads and is" if len(only) == 1 else "lead and are"
        parts.append(f" {count(only)} {verb} never responsible ({_list(only['unit'])})")
    if not parts:
        parts.append(" every one leads more often than it is responsible, and each is responsible at least once")
    return s + ";".join(parts) + "."


def concentration_text(conc: pd.DataFrame) -> str:
    """Gini of lead and of responsible load, compared (from :func:`analysis.workload.concentration`)."""
    c = conc.set_index("load")
    lead, resp = c.loc["lead_share"], c.loc["n_responsible"]
    n = int(lead["n_units"])
    if lead["gini"] > resp["gini"]:
        cmp = "more"
    elif lead["gini"] < resp["gini"]:
        cmp = "less"
    else:
        cmp = "as"
    than = "as" if cmp == "as" else "than"
    s = (
        f"Lead load is {cmp} concentrated (Gini {lead['gini']:.2f} over the {n} named units this selection names) "
        f"{than} responsible load (Gini {resp['gini']:.2f}); the top unit holds {percent(lead['top1_share'])} "
        f"of the lead share and the top five {percent(lead['top5_share'])}."
    )
    return (
        s + " Caveat: responsible load is measured only over *named* units; the collective placeholders "
        "below hide a part of it."
    )


def collectives_text(ds, ct: pd.DataFrame) -> str:
    """How much of the responsibility goes to collective placeholders (from ``collective_table``)."""
    resp = ds.assignments[ds.assignments["role"] == "responsible"]
    n_resp = len(resp.drop_duplicates(["measure_id", "unit"]))
    ct = present(ct)
    if not len(ct) or ct["n_responsible"].sum() == 0:
        return "No collective placeholder is responsible for any measure in this selection."
    top = ct.iloc[0]
    only, n_top = int(top["n_only_collective"]), int(top["n_responsible"])
    on = f"every one of its {n_top} measures" if only == n_top else f"{only} of its {n_top} measures"
    s = (
        f"Collective placeholders take {percent(ct['share_responsible_mentions'].sum())} of the {n_resp} "
        f"responsible mentions; {top['unit']} alone takes {percent(top['share_responsible_mentions'])}, and on "
        f"{on} no named unit is responsible at all."
    )
    return s


def sensitivity(wl: pd.DataFrame, expanded: pd.DataFrame) -> pd.DataFrame:
    """Responsible counts with collectives left out and expanded into their members, side by side.

    ``unit, lead_share, lead_share_expanded, n_responsible, n_responsible_expanded, gain,
    rank_responsible, rank_responsible_expanded`` (ranks by responsible count, ties sharing
    the best rank), sorted by the expanded count. Units of `wl` only (named units of the
    selection).

    Lead *ranks* are left out on purpose: :func:`analysis.workload.workload` breaks ties in
    ``lead_share`` by ``n_total``, which the expansion raises, so a unit's lead rank can move
    although no lead share does.
    """
    e = expanded.set_index("unit")
    out = wl[["unit", "lead_share", "n_responsible"]].copy()
    out["lead_share_expanded"] = out["unit"].map(e["lead_share"]).fillna(0.0)
    out["n_responsible_expanded"] = out["unit"].map(e["n_responsible"]).fillna(0).astype("int64")
    out["gain"] = out["n_responsible_expanded"] - out["n_responsible"]
    out["rank_responsible"] = out["n_responsible"].rank(method="min", ascending=False).astype("int64")
    out["rank_responsible_expanded"] = out["n_responsible_expanded"].rank(method="min", ascending=False).astype("int64")
    cols = [
        "unit",
        "lead_share",
        "lead_share_expanded",
        "n_responsible",
        "n_responsible_expanded",
        "gain",
        "rank_responsible",
        "rank_responsible_expanded",
    ]
    return out[cols].sort_values(
        ["n_responsible_expanded", "n_responsible", "unit"], ascending=[False, False, True], ignore_index=True
    )


def sensitivity_text(ds, table: pd.DataFrame) -> str:
    """What the expansion changes (from :func:`sensitivity`), and why lead ranks are not compared."""
    coll = set(ds.units.loc[ds.units["is_collective"], "unit"])
    a = ds.assignments
    coll_leads = a[(a["role"] == "lead") & a["unit"].isin(coll)]["measure_id"].nunique()
    moved = int((~np.isclose(table["lead_share"], table["lead_share_expanded"])).sum())
    if coll_leads == 0:
        s = (
            "No collective leads a measure in this selection, so the expansion leaves every lead share as it "
            f"is ({moved} of {len(table)} units differ: the two lead-share columns agree) and changes only responsible "
            "counts. "
        )
    else:
        s = (
            f"Collectives lead {coll_leads} measures in this selection, so the expansion also changes lead "
            f"shares ({moved} of {len(table)} units differ). "
        )
    s += (
        "(Lead *ranks* are not compared: the ranking breaks ties in lead share by total measures, which the "
        "expansion raises, so a rank could move while no lead share does.)"
    )
    gained = table[table["gain"] > 0]
    if not len(gained):
        return s + "\n\nNo named unit gains a responsible measure from the expansion."
    top = gained[gained["gain"] == gained["gain"].max()].sort_values("unit")
    big = top.iloc[0]
    if len(top) == 1:
        largest = (
            f"the largest rise is {big['unit']}'s, from {int(big['n_responsible'])} to "
            f"{int(big['n_responsible_expanded'])}"
        )
    else:
        names = _list(top["unit"].head(3)) + ("…" if len(top) > 3 else "")
        largest = f"the largest rise, {int(big['gain'])} measures, is shared by {len(top)} units ({names})"
    s += (
        f"\n\nResponsible counts rise for {len(gained)} of the {len(table)} named units (median rise "
        f"{gained['gain'].median():g} measures); {largest}. Report responsible load with this range, not as "
        "a single number: the expansion is an upper bound."
    )
    return s


def diagnostics_text(wl: pd.DataFrame, multi: pd.DataFrame, *, min_leads: int = MULTI_LEAD_MIN) -> str:
    """Units that never lead (of the named units present) and measures with many leads (多头牵头)."""
    never = int((wl["n_lead"] == 0).sum())
    if never:
        verb = "never leads; it is" if never == 1 else "never lead; they are"
        role = "a responsible unit" if never == 1 else "responsible units"
        s = f"{never} of the {len(wl)} named units {verb} only ever called on as {role}. "
    else:
        s = f"Every one of the {len(wl)} named units leads at least one measure. "
    if not len(multi):
        return s + f"No measure has {min_leads} or more lead units (多头牵头)."
    most = int(multi["n_leads"].max())
    ids = multi.loc[multi["n_leads"] == most, "measure_id"].tolist()
    verb = "names" if len(ids) == 1 else "each name"
    s += (
        f"{len(multi)} measures have {min_leads} or more lead units (多头牵头): {', '.join(ids)} {verb} {most}, "
        "the most. Many leads blur accountability: when everyone leads, who answers for the result?"
    )
    return s
