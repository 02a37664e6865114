"""Facts about a dataset that several stages state, each defined once.

The workload table, the data-quality report, the charts, the task sheets and the network
views all say things such as "measures whose responsible units are all collective
placeholders" or "the measures a unit leads". Each such fact is computed here, by one
function, from the frames of a :class:`~analysis.load.Dataset`; the stages call it instead of
deriving it again, so that a chart and a table can never disagree about it.

Every function takes the dataset and returns a new frame (or set); none keeps state, so a
stage that needs a fact twice passes the value on rather than relying on a cache. On a loaded
dataset the counts are made from the assignments' integer codes
(:func:`analysis.graph.assignment_codes`, which the loader leaves): bin counts over integers,
no string per assignment (at a million measures a chart worker that counts from the names
holds some hundreds of MB more). Hand-made frames, whose units may be missing from the
registry, are counted from the names, with the same result (tested).

``distinct(assignments)``
    ``measure_id, role, unit``: each (measure, role, unit) once, in order of first mention.
``collective_units(ds)``
    the registry's collective placeholders (``is_collective``).
``measure_profile(ds)``
    per measure, in table order: ``n_lead`` and ``n_responsible`` (distinct units) and
    ``only_collective`` (it has responsible units and every one is a collective).
``unit_roles(ds)``
    one row per (unit, measure): ``unit, measure_id, role`` with role ``L``, ``R`` or ``L+R``.
``unit_counts(ds)``
    per unit named in the assignments: ``n_lead, n_responsible, n_both, n_total`` measures.
``lead_counts(ds)``
    per unit that leads: ``n_sole_lead`` (measures it leads alone) and ``n_colead``.
``lead_sets(ds)``
    each measure's distinct lead units as integer arrays (for counting coalitions).
``dual_roles(ds)``
    ``measure_id, unit``: units named both lead and responsible on the same measure.
``plan_mentions(ds, role)``
    per plan: ``n_mentions`` of a role (every mention counted) and ``n_collective`` of them.

>>> from analysis.load import load
>>> ds = load()
>>> p = measure_profile(ds)
>>> int(p["only_collective"].sum()), int((p["n_lead"] == 0).sum())
(91, 0)
>>> unit_counts(ds).loc["区法院"].to_dict()
{'n_lead': 17, 'n_responsible': 15, 'n_both': 0, 'n_total': 32}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "collective_units",
    "distinct",
    "dual_roles",
    "lead_counts",
    "lead_sets",
    "measure_profile",
    "plan_mentions",
    "unit_counts",
    "unit_roles",
]

#: The role codes of :func:`unit_roles`.
ROLE_CODES = ("L", "R", "L+R")


def distinct(assignments: pd.DataFrame) -> pd.DataFrame:
    """``measure_id, role, unit`` of an assignments frame, each triple once, first mention kept
    (``drop_duplicates`` on integer keys: a tenth of its time on a million rows)."""
    a = assignments[["measure_id", "role", "unit"]]
    if not len(a):
        return a
    m = _codes(a["measure_id"])
    u = _codes(a["unit"])
    r = a["role"].eq("lead").to_numpy(dtype=np.int64)
    key = (m * 2 + r) * (int(u.max()) + 1) + u
    return a[~pd.Series(key).duplicated().to_numpy()]


def _codes(s: pd.Series) -> np.ndarray:
    """Non-negative integer codes of the values of `s` (equal values, equal codes): a
    categorical's own codes, else :func:`pandas.factorize` of the column as it is stored (Arrow
    strings are factorized by Arrow, not converted to Python objects first); missing values get a code too."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy(dtype=np.int64)
    else:
        codes = pd.factorize(s, use_na_sentinel=True)[0].astype(np.int64)
    return codes + 1


def _assignment_codes(ds):
    """The assignments' integer codes, or None where the counts are made from the names (a
    hand-made frame: a unit or measure unknown, or a role other than lead and responsible)."""
    from .graph import assignment_codes

    role = ds.assignments["role"]
    if not isinstance(role.dtype, pd.CategoricalDtype) or not set(role.cat.categories) <= {"lead", "responsible"}:
        return None
    return assignment_codes(ds)


def _distinct_rows(c, *, lead_only: bool = False) -> np.ndarray:
    """Rows of the codes `c` that are the first mention of their (measure, role, unit), in
    order; with `lead_only`, of the leads only."""
    key = (c.measure.astype(np.int64) * 2 + c.is_lead) * max(len(c.units), 1) + c.unit
    rows = np.sort(np.unique(key, return_index=True)[1])
    return rows[c.is_lead[rows]] if lead_only else rows


def collective_units(ds) -> set[str]:
    """The units the registry marks as collective placeholders (``is_collective``)."""
    return set(ds.units.loc[ds.units["is_collective"], "unit"])


def measure_profile(ds) -> pd.DataFrame:
    """Per measure (index ``measure_id``, in the measures table's order): ``n_lead`` and
    ``n_responsible`` (distinct units in each role) and ``only_collective``: the measure has
    responsible units and every one of them is a collective placeholder."""
    c = _assignment_codes(ds)
    if c is not None:
        keep = _distinct_rows(c)
        m, lead = c.measure[keep], c.is_lead[keep]
        named = ~lead & ~c.is_collective[c.unit[keep]]
        n = len(ds.measures)
        n_resp = np.bincount(m[~lead], minlength=n)
        return pd.DataFrame(
            {
                "n_lead": np.bincount(m[lead], minlength=n).astype("int64"),
                "n_responsible": n_resp.astype("int64"),
                "only_collective": (n_resp > 0) & (np.bincount(m[named], minlength=n) == 0),
            },
            index=pd.Index(ds.measures["measure_id"].to_numpy(dtype=object), name="measure_id"),
        )
    a = distinct(ds.assignments)
    ids = ds.measures["measure_id"]
    role = a["role"].to_numpy()
    lead, resp = a[role == "lead"], a[role == "responsible"]
    n_lead = lead.groupby("measure_id", sort=False).size().reindex(ids, fill_value=0)
    n_resp = resp.groupby("measure_id", sort=False).size().reindex(ids, fill_value=0)
    is_coll = resp["unit"].isin(collective_units(ds)).to_numpy()
    named = pd.Series(~is_coll, index=resp.index).groupby(resp["measure_id"].to_numpy(dtype=object)).sum()
    n_named = named.reindex(ids, fill_value=0).to_numpy()
    return pd.DataFrame(
        {
            "n_lead": n_lead.to_numpy(dtype="int64"),
            "n_responsible": n_resp.to_numpy(dtype="int64"),
            "only_collective": (n_resp.to_numpy() > 0) & (n_named == 0),
        },
        index=pd.Index(ids.to_numpy(dtype=object), name="measure_id"),
    )


def unit_roles(ds, *, units=None) -> pd.DataFrame:
    """One row per (unit, measure) pair of the assignments: ``unit, measure_id, role``, the role
    ``L`` (lead only), ``R`` (responsible only) or ``L+R`` (both), pairs in order of first mention.
    `units` (a set) keeps only those units' pairs, filtered before any grouping."""
    a = ds.assignments
    if units is not None:
        a = a[a["unit"].isin(units).to_numpy()]
    flags = (
        a.assign(lead=a["role"].eq("lead"), responsible=a["role"].eq("responsible"))
        .groupby(["unit", "measure_id"], sort=False, observed=True)[["lead", "responsible"]]
        .any()
        .reset_index()
    )
    role = np.where(flags["lead"] & flags["responsible"], "L+R", np.where(flags["lead"], "L", "R"))
    return flags[["unit", "measure_id"]].assign(role=role)


def unit_counts(ds, roles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit named in the assignments (index ``unit``, sorted): the measures it leads
    (``n_lead``), is responsible for (``n_responsible``), both on one measure (``n_both``) and in
    any role (``n_total``). `roles` is :func:`unit_roles` of `ds` if the caller has it."""
    roles = unit_roles(ds) if roles is None else roles
    r = roles["role"].to_numpy()
    counts = pd.DataFrame(
        {
            "n_lead": (r != "R").astype("int64"),
            "n_responsible": (r != "L").astype("int64"),
            "n_both": (r == "L+R").astype("int64"),
            "n_total": np.ones(len(r), dtype="int64"),
        },
        index=roles.index,
    )
    # grouped by the unit column as it is (a categorical's codes: no string per row), then by name
    out = counts.groupby(roles["unit"].rename("unit"), observed=True, sort=False).sum()
    out.index = out.index.astype(str)
    return out.sort_index()


def lead_counts(ds) -> pd.DataFrame:
    """Per unit that leads at least one measure (index ``unit``, sorted): ``n_sole_lead``
    (measures it leads alone) and ``n_colead`` (measures it leads with other units)."""
    c = _assignment_codes(ds)
    if c is not None:
        keep = _distinct_rows(c, lead_only=True)
        m, u = c.measure[keep], c.unit[keep]
        k = np.bincount(m, minlength=len(ds.measures))[m]
        sole = np.bincount(u[k == 1], minlength=len(c.units))
        co = np.bincount(u[k > 1], minlength=len(c.units))
        led = sole + co > 0  # (the units sorted by name: the order of the group-by below)
        return pd.DataFrame(
            {"n_sole_lead": sole[led].astype("int64"), "n_colead": co[led].astype("int64")},
            index=pd.Index(c.units[led].tolist(), dtype=str, name="unit"),
        )
    lead = distinct(ds.assignments)
    lead = lead[lead["role"].to_numpy() == "lead"]
    k = lead.groupby("measure_id", sort=False)["unit"].transform("size").to_numpy()
    out = pd.DataFrame({"unit": lead["unit"].astype(str).to_numpy(), "n_sole_lead": k == 1, "n_colead": k > 1}).astype(
        {"n_sole_lead": "int64", "n_colead": "int64"}
    )
    return out.groupby("unit", sort=True).sum()


def lead_sets(ds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each measure's distinct lead units as integer arrays: ``(measure, unit, names)``, sorted
    by measure (any integer key, equal for one measure) and within one by name; `unit` indexes
    `names`, the units in Python's order of str (code-point order)."""
    c = _assignment_codes(ds)
    if c is not None:
        keep = _distinct_rows(c, lead_only=True)
        measure, unit, names = c.measure[keep], c.unit[keep], c.units
    else:
        lead = distinct(ds.assignments)
        lead = lead[lead["role"].eq("lead").to_numpy()]
        measure = pd.factorize(lead["measure_id"])[0]
        unit, names = pd.factorize(lead["unit"].astype(str), sort=True)
        names = np.asarray(names, dtype=object)
    order = np.lexsort((unit, measure))
    return measure[order], unit[order], np.asarray(names, dtype=object)


def dual_roles(ds) -> pd.DataFrame:
    """``measure_id, unit`` (text): the units named both lead and responsible on one measure,
    in order of first mention."""
    c = _assignment_codes(ds)
    if c is not None:
        key = c.measure.astype(np.int64) * max(len(c.units), 1) + c.unit  # one per (measure, unit)
        order = np.argsort(key, kind="stable")  # each pair's mentions together, the first one first
        sorted_key = key[order]
        start = np.r_[True, sorted_key[1:] != sorted_key[:-1]] if len(key) else np.zeros(0, bool)
        group = np.cumsum(start) - 1
        n_lead = np.bincount(group, weights=c.is_lead[order])
        both = (n_lead > 0) & (n_lead < np.bincount(group))
        rows = np.sort(order[start][both])  # the first mention of each such pair, in order
        return pd.DataFrame(
            {
                "measure_id": ds.measures["measure_id"].astype(str).take(c.measure[rows]).reset_index(drop=True),
                "unit": pd.Series(c.units[c.unit[rows]], dtype=str),
            }
        )
    r = unit_roles(ds)
    both = r[r["role"].to_numpy() == "L+R"]
    return pd.DataFrame({"measure_id": both["measure_id"].astype(str), "unit": both["unit"].astype(str)}).reset_index(
        drop=True
    )


def plan_mentions(ds, role: str = "responsible") -> pd.DataFrame:
    """Per plan (index ``plan_id`` as text, every plan of the measures table in source order):
    ``n_mentions``, the assignments of `role` (every mention counted, as written), and
    ``n_collective``, those that name a collective placeholder."""
    plan_code, plans = pd.factorize(ds.measures["plan_id"].astype(str), use_na_sentinel=False)  # (source order)
    c = _assignment_codes(ds)
    if c is not None:
        keep = c.is_lead == (role == "lead") if role in ("lead", "responsible") else np.zeros(len(c.unit), bool)
        p = plan_code[c.measure[keep]]
        return pd.DataFrame(
            {
                "n_mentions": np.bincount(p, minlength=len(plans)).astype("int64"),
                "n_collective": np.bincount(p[c.is_collective[c.unit[keep]]], minlength=len(plans)).astype("int64"),
            },
            index=pd.Index(list(plans), dtype=str, name="plan_id"),
        )
    a = ds.assignments
    a = a[a["role"].to_numpy() == role]
    plan_of = ds.measures.set_index("measure_id")["plan_id"]
    plan = a["measure_id"].map(plan_of).astype(str)
    is_coll = a["unit"].isin(collective_units(ds))
    plans = list(dict.fromkeys(ds.measures["plan_id"].astype(str).tolist()))
    # one group-by (a loop over plans is plans x rows: hours on a national corpus)
    by = is_coll.groupby(plan.to_numpy()).agg(["size", "sum"]).reindex(plans, fill_value=0)
    return pd.DataFrame(
        {"n_mentions": by["size"].to_numpy(dtype="int64"), "n_collective": by["sum"].to_numpy(dtype="int64")},
        index=pd.Index(plans, name="plan_id"),
    )
