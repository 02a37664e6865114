"""How big each output may grow, and what the build writes instead above that size.

A national corpus (a million measures, 100,000 units) cannot have one task sheet per unit, a
chart with a bar per unit or an HTML view with every measure: such outputs would take hours
to write and could not be read. Each limit below is the largest size at which an output is
written as it is for one plan; above it the output takes a form that can exist (the top units
with the rest counted, the first plans, a long table) and :func:`size_notes` says so, one line
each, in ``reports/data_quality.md`` (section "Outputs in another form because of their size"),
naming the limit, the size and where the full data is. Below every limit, which the seed
(138 measures, 55 units) is far from, nothing changes.

The writers read these names when they run (``limits.UNIT_SHEETS_MAX_UNITS``), so a test can
lower a limit with ``monkeypatch.setattr``.

Examples
--------
>>> from analysis.load import load
>>> size_notes(load())
[]
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "CHARTS_ONE_WORKER_MEASURES",
    "CHART_MAX_PLANS",
    "CHART_MAX_SECTIONS",
    "CHART_MAX_UNITS",
    "SHEET_MAX_ROWS",
    "UNIT_SHEETS_MAX_ROWS",
    "UNIT_SHEETS_MAX_UNITS",
    "VIEW_MAX_MEASURES",
    "VIEW_MAX_UNITS",
    "release_memory",
    "size_notes",
    "top_units",
]

#: Named units with a sheet of their own in ``task_sheets.xlsx`` and a page in ``reports/units/``:
#: at most this many, those with the most measures (lead or responsible) first ...
UNIT_SHEETS_MAX_UNITS = 500
#: ... and no more than this many task rows over all those sheets (openpyxl holds every cell in
#: memory: 50,000 rows of 11 columns take about a minute and 600 MB). Every unit's task list is
#: in ``reports/task_table.csv`` when some units have no sheet.
UNIT_SHEETS_MAX_ROWS = 50_000
#: Rows of a table sheet of ``task_sheets.xlsx`` (the summary's workload and collective tables,
#: the unit directory, the role matrix in long form); the full tables are CSV files.
SHEET_MAX_ROWS = 10_000
#: Units in the co-lead network and the cluster-stability charts (those that lead the most).
CHART_MAX_UNITS = 50
#: Section columns of the section heatmap (those where the units shown have the most measures).
CHART_MAX_SECTIONS = 40
#: Plans in the collective-share chart (those with the most responsible mentions), with "all plans".
CHART_MAX_PLANS = 20
#: Units in ``figures/colead.html`` (the top units by lead share, and the ties among them).
VIEW_MAX_UNITS = 300
#: Measures in ``figures/network.html``: whole plans in source order while they fit.
VIEW_MAX_MEASURES = 1_500
#: Above this many measures the build draws the charts in one worker process (both languages
#: in turn, not one worker per core) and writes the task sheets once it is done. The build's
#: own work beside the charts (the report tables and the views) then takes about as long as
#: all the charts in one worker (at a million measures 20 s and 29 s: the build waited 2 s), so
#: a second worker saves little time, and each worker holds its own working memory (0.5 GB at a
#: million measures); the task sheets are the build's largest step in memory (1.2 GB above the
#: loaded corpus).
CHARTS_ONE_WORKER_MEASURES = 100_000


def release_memory() -> None:
    """Give the memory freed by a finished stage back to the system, so the next stage (and a
    figure worker forked after it) starts from what is live, not from the last stage's peak.

    pandas' Arrow strings are allocated from Arrow's pool (mimalloc), numpy's arrays by the C
    library; each keeps freed memory for reuse, and neither reuses the other's. At a million
    measures the analysis tables leave 2.2 GB resident of which 1.6 GB is live: Arrow's
    ``release_unused`` and glibc's ``malloc_trim`` return the rest. Elsewhere than glibc the
    trim is skipped. A few milliseconds on the seed.
    """
    import contextlib
    import ctypes
    import gc

    import pyarrow

    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: no trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def top_units(counts: pd.Series, *, max_units: int, max_rows: int | None = None) -> list[str]:
    """The units with the largest `counts` (ties in the series' order), at most `max_units` of
    them and, with `max_rows`, no more than that many counted rows in all (the first unit that
    would go over stops the list). Returned in the series' order.

    >>> top_units(pd.Series({"甲": 3, "乙": 5, "丙": 1, "丁": 5}), max_units=3)
    ['甲', '乙', '丁']
    >>> top_units(pd.Series({"甲": 3, "乙": 5, "丙": 1, "丁": 5}), max_units=3, max_rows=12)
    ['乙', '丁']
    """
    order = pd.Series(range(len(counts)), index=counts.index)
    ranked = sorted(counts.index, key=lambda u: (-counts[u], order[u]))[:max_units]
    if max_rows is not None:
        total, kept = 0, []
        for u in ranked:
            total += int(counts[u])
            if total > max_rows:
                break
            kept.append(u)
        ranked = kept
    keep = set(ranked)
    return [u for u in counts.index if u in keep]


def size_notes(ds, tables=None) -> list[str]:
    """One line per output written in another form because of the data's size (empty below every limit)."""
    from . import figures, sheets

    return [*sheets.size_notes(ds, tables), *figures.size_notes(ds, tables), *_view_notes(ds, tables)]


# --------------------------------------------------------------------------------------------
# HTML views (analysis.views.write_views)


def view_plans(ds) -> list[str] | None:
    """The plans ``figures/network.html`` shows: None (all) up to :data:`VIEW_MAX_MEASURES`
    measures, else whole plans in source order while they fit (at least the first plan).

    >>> from analysis.load import load
    >>> view_plans(load()) is None
    True
    """
    if len(ds.measures) <= VIEW_MAX_MEASURES:
        return None
    sizes = ds.measures["plan_id"].value_counts(sort=False)
    plans, total = [], 0
    for pid in dict.fromkeys(ds.measures["plan_id"].tolist()):
        total += int(sizes[pid])
        if plans and total > VIEW_MAX_MEASURES:
            break
        plans.append(pid)
    return plans


def _n_lead_units(ds, tables) -> int:
    if tables is not None and "clusters" in tables:
        return len(tables["clusters"])
    from .graph import named_assignments

    a = named_assignments(ds.assignments, ds.units)
    return int(a.loc[(a["role"] == "lead").to_numpy(), "unit"].nunique())


def _view_notes(ds, tables) -> list[str]:
    notes = []
    plans = view_plans(ds)
    if plans is not None:
        keep = set(plans)
        n_m = int(ds.measures["plan_id"].isin(keep).sum())
        n_plans = ds.measures["plan_id"].nunique()
        notes.append(
            f"`figures/network.html` (units and measures) shows the first {len(plans):,} of {n_plans:,} plans "
            f"in source order ({n_m:,} of {len(ds.measures):,} measures; the view holds at most "
            f"{VIEW_MAX_MEASURES:,}): every measure and unit is in `reports/role_matrix.csv`."
        )
    n_lead = _n_lead_units(ds, tables)
    if n_lead > VIEW_MAX_UNITS:
        notes.append(
            f"`figures/colead.html` (co-lead view) shows the {VIEW_MAX_UNITS:,} units with the largest lead share "
            f"and the ties among them; {n_lead - VIEW_MAX_UNITS:,} more of {n_lead:,} lead units are in "
            "`reports/clusters.csv` and `reports/colead_edges.csv`."
        )
    return notes
