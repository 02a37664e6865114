"""Workload per unit, collective placeholders, concentration and role diagnostics.

Everything here is a pandas group-by on the ``assignments`` table (no graph), so it scales to
large corpora. Counts are of *measures*, not of mentions: a unit written twice in one role on
one measure (two spellings merged by the registry) counts once.

Definitions
-----------
k
    number of distinct lead units of a measure (collectives included, so that the lead shares
    of all units sum to the number of measures that have a lead).
``lead_share``
    Σ 1/k over the measures a unit leads: a sole lead counts 1, one of three co-leads 1/3.
``text_load``
    Σ len(text)/k over the measures a unit leads: characters of measure text, shared like
    ``lead_share`` (long measures weigh more).

Collectives (区直有关部门, 各街办 …) name no accountable body: by default they are left out of
the ranking and reported in :func:`collective_table`. ``collectives="expand"`` replaces each
collective mention by its registry members (a sensitivity run; an upper bound, since "relevant
departments" rarely means all of them), and the output's ``collectives`` column says so.

Examples
--------
>>> from analysis.load import load
>>> ds = load()
>>> wl = workload(ds).set_index("unit")
>>> wl.loc["区司法局", ["n_lead", "n_sole_lead", "n_responsible", "rank"]].tolist()
[74, 21, 20, 1]
>>> float(round(workload(ds, collectives="include")["lead_share"].sum(), 9))
138.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .facts import distinct, dual_roles, measure_profile

__all__ = [
    "COLLECTIVE_MODES",
    "MAX_PLAN_COLUMNS",
    "MAX_SECTION_COLUMNS",
    "NEIGHBOUR_MAX",
    "collective_only_measures",
    "collective_table",
    "concentration",
    "dual_role_table",
    "expand_collectives",
    "gini",
    "lorenz",
    "lorenz_table",
    "multi_lead_measures",
    "never_lead",
    "workload",
    "workload_by_section",
]

COLLECTIVE_MODES = ("exclude", "include", "expand")


def expand_collectives(assignments: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Replace each collective mention by one mention of each of its registry members.

    ``unit_raw`` keeps the collective's written name; collectives without members stay as
    they are. Duplicates (a member already named on the measure in that role) are dropped.
    """
    from .registry import collective_members

    members = {k: v for k, v in collective_members(units).items() if v}
    is_coll = assignments["unit"].isin(list(members))
    # map the values, not the categories: pandas makes a MultiIndex of categories mapped to tuples
    # when the first one is a collective, and fails on the NaN of the others (湘西州 2020)
    expanded = assignments[is_coll].assign(unit=lambda d: d["unit"].astype(object).map(members)).explode("unit")
    out = pd.concat([assignments[~is_coll], expanded], ignore_index=True)
    out = out.drop_duplicates(["measure_id", "role", "unit"])
    order = {m: i for i, m in enumerate(assignments["measure_id"].drop_duplicates())}
    return (
        out.assign(_o=out["measure_id"].map(order), _r=(out["role"] != "lead").astype(int))
        .sort_values(["_o", "_r", "position", "unit"], kind="stable")
        .drop(columns=["_o", "_r"])
        .reset_index(drop=True)
    )


#: Above these numbers of plans or plan sections, :func:`workload` leaves out the per-plan or
#: per-section columns unless asked (a national corpus has thousands of plans: one column each
#: would make a table of billions of cells). :func:`workload_by_section` gives them in long form.
MAX_PLAN_COLUMNS = 50
MAX_SECTION_COLUMNS = 200


def workload(
    ds, *, collectives: str = "exclude", by_section: bool | None = None, by_plan: bool | None = None
) -> pd.DataFrame:
    """One row per unit with its load, ranked.

    Parameters
    ----------
    ds : Dataset
    collectives : {"exclude", "include", "expand"}
        ``exclude`` (default): named units only; ``include``: collectives ranked like units;
        ``expand``: collectives replaced by their registry members first.
    by_section : bool, optional
        Add one ``n_<plan>_S<section>`` column per plan section (measures in any role).
        Default: when there are at most :data:`MAX_SECTION_COLUMNS` sections.
    by_plan : bool, optional
        Add ``n_lead_<plan>`` and ``n_responsible_<plan>`` columns per plan. Default: when there
        are at most :data:`MAX_PLAN_COLUMNS` plans.

    Returns
    -------
    DataFrame
        ``unit, name_en, system, n_lead, n_sole_lead, n_colead, lead_share, n_responsible,
        n_both, n_total, text_load, n_lead_<plan>…, n_responsible_<plan>…, [n_<plan>_S<sec>…],
        rank, collectives``; ``rank`` 1 is the largest ``lead_share`` (ties broken by
        ``n_total``, then name).
    """
    if collectives not in COLLECTIVE_MODES:
        raise ValueError(f"collectives must be one of {COLLECTIVE_MODES}, not {collectives!r}")
    units, measures = ds.units, ds.measures
    a = expand_collectives(ds.assignments, units) if collectives == "expand" else ds.assignments
    plans = list(pd.unique(measures["plan_id"]))
    by_plan = len(plans) <= MAX_PLAN_COLUMNS if by_plan is None else by_plan
    by_section = _few_sections(measures, plans) if by_section is None else by_section
    m = _mention_codes(ds, a, shared=collectives != "expand")
    ranked = np.ones(len(units), dtype=bool) if collectives == "include" else ~units["is_collective"].to_numpy(bool)
    keep = units[ranked]
    ucode = _ranked_codes(m, ranked, keep)
    cols = _count_columns(keep, ucode, m, measures)
    if by_plan:
        cols.update(_plan_columns(ucode, m, measures, plans, len(keep)))
    wl = pd.DataFrame(cols)
    if by_section:
        wl = _with_section_columns(wl, ds, a, keep)
    wl = _rank(_with_colead(wl), m, units, ranked)
    wl["collectives"] = COLLECTIVE_NOTES[collectives]
    rest = [c for c in wl.columns if c not in WORKLOAD_FIRST_COLUMNS and c not in ("rank", "collectives")]
    return wl[[*WORKLOAD_FIRST_COLUMNS, *rest, "rank", "collectives"]].reset_index(drop=True)


#: The ``collectives`` column of :func:`workload` for each mode.
COLLECTIVE_NOTES = {
    "exclude": "excluded",
    "include": "ranked as units",
    "expand": "expanded into registry members",
}


def _few_sections(measures: pd.DataFrame, plans: list) -> bool:
    """Whether :func:`workload` adds per-section columns by default: at most
    :data:`MAX_SECTION_COLUMNS` sections (every plan has one: many plans, many sections)."""
    if len(plans) > MAX_SECTION_COLUMNS:
        return False
    return len(measures[["plan_id", "section_no"]].drop_duplicates()) <= MAX_SECTION_COLUMNS


#: The first columns of :func:`workload`, in order; per-plan and per-section columns follow.
WORKLOAD_FIRST_COLUMNS = (
    "unit",
    "name_en",
    "system",
    "n_lead",
    "n_sole_lead",
    "n_colead",
    "lead_share",
    "n_responsible",
    "n_both",
    "n_total",
    "text_load",
)


@dataclass(frozen=True)
class _MentionCodes:
    """Integer codes of the distinct (measure, role, unit) mentions, first occurrence kept.

    ``unit``: registry rows when ``registry`` is true, else codes of the names (a hand-made
    frame); ``names``: the units' names of those mentions, only when not ``registry``;
    ``shared``: the codes the loader computed (:func:`analysis.graph.assignment_codes`).
    """

    unit: np.ndarray
    measure: np.ndarray
    is_lead: np.ndarray
    registry: bool
    names: np.ndarray | None
    shared: object | None


def _mention_codes(ds, a: pd.DataFrame, *, shared: bool) -> _MentionCodes:
    """The codes of `a`'s distinct mentions: the dataset's shared codes when `shared` (every
    unit is a canonical registry unit; no second pass over millions of names), else looked up in
    the registry and the measures, else (a hand-made frame) factorized names."""
    from .graph import assignment_codes

    codes = assignment_codes(ds) if shared else None
    registry = True
    if codes is not None:
        ucode, mcode, is_lead = codes.registry_row.astype(np.int32)[codes.unit], codes.measure, codes.is_lead
    else:
        ucode = pd.Index(ds.units["unit"].to_numpy(dtype=object)).get_indexer(a["unit"].to_numpy(dtype=object))
        mids = ds.measures["measure_id"].to_numpy(dtype=object)
        mcode = pd.Index(mids).get_indexer(a["measure_id"].to_numpy(dtype=object))
        is_lead = (a["role"] == "lead").to_numpy()
    if (ucode < 0).any() or (mcode < 0).any():  # a hand-made frame: fall back to string codes
        ucode = pd.factorize(a["unit"].to_numpy(dtype=object))[0]
        registry = False
        mcode = pd.factorize(a["measure_id"].to_numpy(dtype=object))[0]
    # distinct (measure, role, unit), first occurrence kept, as facts.distinct does
    first = _first_occurrence(ucode * 2 + is_lead, run=mcode)  # (role, unit) within a measure
    if not first.all():
        ucode, mcode, is_lead = ucode[first], mcode[first], is_lead[first]
    names = None if registry else a["unit"].to_numpy(dtype=object)[first]
    return _MentionCodes(ucode, mcode, is_lead, registry, names, codes)


def _ranked_codes(m: _MentionCodes, ranked: np.ndarray, keep: pd.DataFrame) -> np.ndarray:
    """Each mention's row in `keep` (the registry rows `ranked` selects), -1 for units not ranked."""
    if not m.registry:
        return pd.Index(keep["unit"].to_numpy(dtype=object)).get_indexer(m.names)
    to_keep = np.full(len(ranked), -1, dtype=np.int32)
    to_keep[np.flatnonzero(ranked)] = np.arange(len(keep))  # (`keep` is the registry filtered)
    return to_keep[m.unit]


def _count_columns(keep: pd.DataFrame, ucode: np.ndarray, m: _MentionCodes, measures: pd.DataFrame) -> dict:
    """The names and the counts and shares of each unit of `keep`.

    Counts are ``numpy.bincount`` on the integer codes; the two sums of shares (``lead_share``,
    ``text_load``) are group-by sums in row order, so the numbers are the same as a string
    group-by's, at a fraction of the time on a million measures.
    """
    n_u = len(keep)
    n_m = max(int(m.measure.max()) + 1 if len(m.measure) else 0, len(measures))
    k = np.bincount(m.measure[m.is_lead], minlength=n_m)  # distinct lead units of each measure, all units
    mine = ucode >= 0
    lead_rows, resp_rows = m.is_lead & mine, ~m.is_lead & mine
    lu, lm = ucode[lead_rows], m.measure[lead_rows]
    lk = k[lm]
    text_len = measures["text"].str.len().to_numpy(dtype=np.float64)

    def text(col):  # an Arrow-backed column as it is (no round trip through Python strings)
        return keep[col].array if hasattr(keep[col].array, "__arrow_array__") else keep[col].to_numpy()

    cols = {
        "unit": text("unit"),
        "name_en": text("name_en"),
        "system": text("system"),
        "n_lead": np.bincount(lu, minlength=n_u),
        "n_sole_lead": np.bincount(lu[lk == 1], minlength=n_u),
        "lead_share": _group_sum(1.0 / lk, lu, n_u),
        "text_load": _group_sum(text_len[lm] / lk, lu, n_u),
        "n_responsible": np.bincount(ucode[resp_rows], minlength=n_u),
    }
    mu = ucode[mine]
    second = ~_first_occurrence(mu, run=m.measure[mine])  # the second role of a (unit, measure) pair
    cols["n_both"] = np.bincount(mu[second], minlength=n_u)
    cols["n_total"] = np.bincount(mu[~second], minlength=n_u)
    return cols


def _plan_columns(ucode, m: _MentionCodes, measures: pd.DataFrame, plans: list, n_u: int) -> dict:
    """``n_lead_<plan>`` and ``n_responsible_<plan>`` of each unit, one pair of columns per plan."""
    pcode = pd.Index(plans).get_indexer(measures["plan_id"])
    mine = ucode >= 0
    cols = {}
    for role, rows in (("lead", m.is_lead & mine), ("responsible", ~m.is_lead & mine)):
        counts = np.bincount(ucode[rows] * len(plans) + pcode[m.measure[rows]], minlength=n_u * len(plans))
        counts = counts.reshape(n_u, len(plans))
        for j, p in enumerate(plans):
            cols[f"n_{role}_{p}"] = counts[:, j]
    return cols


def _with_section_columns(wl: pd.DataFrame, ds, a: pd.DataFrame, keep: pd.DataFrame) -> pd.DataFrame:
    """`wl` with one ``n_<plan>_S<section>`` column per plan section (measures in any role)."""
    sec = workload_by_section(ds, assignments=distinct(a))
    extra = {
        f"n_{p}_S{s}": grp.set_index("unit")["n_total"]
        for (p, s), grp in sec.groupby(["plan_id", "section_no"], sort=False)
    }
    if not extra:
        return wl
    extra = pd.DataFrame(extra).reindex(keep["unit"].to_numpy(dtype=object)).fillna(0).astype("int64")
    return pd.concat([wl, extra.reset_index(drop=True)], axis=1)


def _with_colead(wl: pd.DataFrame) -> pd.DataFrame:
    """`wl` with its counts as int64 and ``n_colead`` (measures led with other units)."""
    int_cols = [c for c in wl.columns if c.startswith("n_")]
    wl[int_cols] = wl[int_cols].astype("int64")
    wl = wl.copy()  # one block per dtype again after the per-section columns
    wl["n_colead"] = wl["n_lead"] - wl["n_sole_lead"]
    return wl


def _rank(wl: pd.DataFrame, m: _MentionCodes, units: pd.DataFrame, ranked: np.ndarray) -> pd.DataFrame:
    """`wl` sorted by ``lead_share``, then ``n_total`` (larger first), then name, with ``rank``."""
    if m.shared is not None and m.registry:  # the same order without a string sort: rank names by the codes
        name_rank = np.empty(len(units), dtype=np.int64)
        name_rank[m.shared.registry_row] = np.arange(len(units))
        key = (name_rank[np.flatnonzero(ranked)], -wl["n_total"].to_numpy(), -wl["lead_share"].to_numpy())
        wl = wl.take(np.lexsort(key))
    else:
        wl = wl.sort_values(["lead_share", "n_total", "unit"], ascending=[False, False, True], kind="stable")
    return wl.assign(rank=np.arange(1, len(wl) + 1))


#: Longest run of one measure's rows in which :func:`_first_occurrence` compares neighbours;
#: above it (or when rows are not grouped by measure) it sorts.
NEIGHBOUR_MAX = 32


def _first_occurrence(key: np.ndarray, *, run: np.ndarray | None = None) -> np.ndarray:
    """True at the first occurrence of each value of `key` (of each ``(run, key)`` pair if `run` is given).

    The same as ``~pd.Series(key).duplicated()`` (or ``~df[["run", "key"]].duplicated()``).
    Assignments come grouped by measure, a dozen rows each: when `run` (the measure code) is
    non-decreasing with runs of at most :data:`NEIGHBOUR_MAX` rows, each row is compared with
    the rows just before it in its run, on boolean arrays (no sort, no 8-byte temporaries of
    millions of rows). Otherwise a stable sort, which exploits keys that are nearly sorted.
    """
    if run is not None and len(run) > 1 and bool(np.all(run[1:] >= run[:-1])) and run[0] >= 0:
        longest = int(np.bincount(run).max())
        if longest <= NEIGHBOUR_MAX:
            dup = np.zeros(len(key), dtype=bool)
            for d in range(1, longest):  # (whole-array slices: faster than gathering the rows that need it)
                same = run[d:] == run[:-d]
                same &= key[d:] == key[:-d]
                dup[d:] |= same
            return ~dup
    if run is not None and len(run):
        key = run.astype(np.int64) * (int(key.max()) - int(key.min()) + 1) + (key - key.min())
    order = np.argsort(key, kind="stable")
    sk = key[order]
    new = np.ones(len(sk), dtype=bool)
    new[1:] = sk[1:] != sk[:-1]
    out = np.zeros(len(key), dtype=bool)
    out[order[new]] = True
    return out


def _group_sum(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Per-code sums in row order (pandas' compensated group-by sum), 0.0 for absent codes."""
    if not len(codes):
        return np.zeros(n)
    s = pd.Series(values).groupby(codes, sort=False).sum()
    out = np.zeros(n)
    out[s.index.to_numpy()] = s.to_numpy()
    return out


def workload_by_section(ds, *, assignments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table of assignments per unit and plan section.

    Returns ``unit, plan_id, section_no, section_title, n_lead, n_responsible, n_total``
    (``n_total`` counts measures in any role), only for non-zero cells, sorted by plan,
    section and unit.
    """
    a = distinct(ds.assignments if assignments is None else assignments)
    m = ds.measures[["measure_id", "plan_id", "section_no", "section_title"]].copy()
    m["section_no"] = m["section_no"].fillna(0).astype("int64")
    # A section is (plan, number); its title is the first one written (a user's CSV may
    # spell it differently on later rows).
    titles = m.drop_duplicates(["plan_id", "section_no"]).set_index(["plan_id", "section_no"])["section_title"]
    x = a.merge(m.drop(columns="section_title"), on="measure_id")
    keys = ["unit", "plan_id", "section_no"]
    out = x.pivot_table(index=keys, columns="role", values="measure_id", aggfunc="nunique", fill_value=0)
    out = out.reindex(columns=["lead", "responsible"], fill_value=0)
    out.columns = ["n_lead", "n_responsible"]
    out["n_total"] = x.groupby(keys)["measure_id"].nunique()
    out = out.reset_index().astype({"n_lead": "int64", "n_responsible": "int64", "n_total": "int64"})
    out.insert(3, "section_title", titles.reindex(pd.MultiIndex.from_frame(out[["plan_id", "section_no"]])).to_numpy())
    return out.sort_values(["plan_id", "section_no", "unit"], ignore_index=True)


def collective_table(ds) -> pd.DataFrame:
    """One row per collective placeholder: how much responsibility it carries.

    ``n_responsible`` measures, ``share_responsible_mentions`` (of all responsible mentions),
    ``n_only_collective`` (measures whose responsible units are all collectives, this one
    among them), ``n_members`` (registry members it could stand for).
    """
    from .registry import collective_members

    a = distinct(ds.assignments)
    units = ds.units
    coll = units.loc[units["is_collective"], ["unit", "name_en", "system"]].set_index("unit")
    resp = a[a["role"] == "responsible"]
    profile = measure_profile(ds)
    only_ids = set(profile.index[profile["only_collective"].to_numpy()])

    def per_collective(rows: pd.DataFrame) -> np.ndarray:  # (reindexed: an empty frame would take any index)
        return rows["unit"].astype(str).value_counts().reindex(coll.index, fill_value=0).to_numpy(dtype="int64")

    coll["n_lead"] = per_collective(a[a["role"] == "lead"])
    coll["n_responsible"] = per_collective(resp)
    coll["n_only_collective"] = per_collective(resp[resp["measure_id"].isin(only_ids)])
    coll["share_responsible_mentions"] = coll["n_responsible"] / len(resp)
    members = collective_members(units)
    coll["n_members"] = [len(members.get(u, ())) for u in coll.index]
    return coll.reset_index().sort_values(["n_responsible", "unit"], ascending=[False, True], ignore_index=True)


def gini(values) -> float:
    """Gini coefficient of non-negative values (0 = equal, →1 = one holds all).

    >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4]), round(gini([1, 2, 3, 4]), 4)
    (0.0, 0.75, 0.25)
    """
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * total) - (n + 1) / n)


def lorenz(values) -> pd.DataFrame:
    """Lorenz curve points: ``cum_share_units`` and ``cum_share_load`` from (0, 0) to (1, 1).

    >>> lorenz([0, 1, 3]).round(3).values.tolist()
    [[0.0, 0.0], [0.333, 0.0], [0.667, 0.25], [1.0, 1.0]]
    """
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    cum = np.concatenate([[0.0], np.cumsum(x) / total]) if total else np.zeros(n + 1)
    return pd.DataFrame({"cum_share_units": np.arange(n + 1) / max(n, 1), "cum_share_load": cum})


def lorenz_table(wl: pd.DataFrame, *, loads=("lead_share", "n_responsible")) -> pd.DataFrame:
    """Lorenz curve points of several load columns of a workload table, in long form:
    ``load, cum_share_units, cum_share_load``."""
    parts = [lorenz(wl[col]).assign(load=col) for col in loads]
    return pd.concat(parts, ignore_index=True)[["load", "cum_share_units", "cum_share_load"]]


def concentration(wl: pd.DataFrame, *, loads=("lead_share", "n_responsible", "n_total")) -> pd.DataFrame:
    """Gini, HHI, top-1 and top-5 share of each load column of a workload table.

    HHI is Σ sᵢ² over units' shares sᵢ of the total (1/n when equal, 1 when one unit holds all).
    """
    rows = []
    for col in loads:
        x = wl[col].to_numpy(dtype=float)
        total = x.sum()
        s = np.sort(x)[::-1] / total if total else np.zeros_like(x)
        rows.append(
            {
                "load": col,
                "n_units": len(x),
                "total": total,
                "gini": gini(x),
                "hhi": float(np.sum(s**2)),
                "top1_share": float(s[:1].sum()),
                "top5_share": float(s[:5].sum()),
                "top1_unit": wl.loc[wl[col].idxmax(), "unit"] if len(x) else "",
            }
        )
    return pd.DataFrame(rows)


def _joined_by_measure(frame: pd.DataFrame, keep: set | None = None) -> dict[str, str]:
    """``measure_id -> units joined by 、`` in row order, measures in order of first appearance
    (what ``groupby(sort=False)["unit"].agg("、".join)`` gives, without a Python call per group);
    only the measures in `keep` when given."""
    joined: dict[str, list[str]] = {}
    ids = frame["measure_id"].to_numpy(dtype=object)
    units = frame["unit"].to_numpy(dtype=object)
    if keep is not None:
        mask = frame["measure_id"].isin(keep).to_numpy()
        ids, units = ids[mask], units[mask]
    for m, u in zip(ids, units, strict=True):
        joined.setdefault(m, []).append(u)
    return {m: "、".join(us) for m, us in joined.items()}


def multi_lead_measures(ds, *, min_leads: int = 4) -> pd.DataFrame:
    """Measures with many lead units (多头牵头): ``measure_id, n_leads, lead_units, text``."""
    lead = distinct(ds.assignments).query("role == 'lead'")
    n_leads = lead.groupby("measure_id", sort=False).size()
    many = n_leads[n_leads >= min_leads]
    names = _joined_by_measure(lead, set(many.index))
    out = pd.DataFrame(
        {"n_leads": many, "lead_units": pd.Series([names[m] for m in many.index], index=many.index, dtype=str)}
    )
    out = out.join(ds.measures.set_index("measure_id")["text"]).reset_index()
    return out.sort_values(["n_leads", "measure_id"], ascending=[False, True], ignore_index=True)


def collective_only_measures(ds) -> pd.DataFrame:
    """Measures whose responsible units are all collective placeholders."""
    resp = distinct(ds.assignments).query("role == 'responsible'")
    profile = measure_profile(ds)
    ids = profile.index[profile["only_collective"].to_numpy()]
    names = _joined_by_measure(resp, set(ids))
    out = pd.DataFrame({"responsible_units": [names[m] for m in ids]}, index=pd.Index(ids, name="measure_id"))
    out["responsible_units"] = out["responsible_units"].astype(str)
    out = out.join(ds.measures.set_index("measure_id")[["plan_id", "lead_units_raw", "text"]])
    return out.reset_index()


def never_lead(wl: pd.DataFrame) -> pd.DataFrame:
    """Units of a workload table that lead no measure, with their responsible counts."""
    out = wl.loc[wl["n_lead"] == 0, ["unit", "name_en", "system", "n_responsible"]]
    return out.sort_values(["n_responsible", "unit"], ascending=[False, True], ignore_index=True)


def dual_role_table(ds) -> pd.DataFrame:
    """Units named as both lead and responsible on the same measure (:func:`analysis.facts.dual_roles`),
    with the measure's text."""
    return dual_roles(ds).merge(ds.measures[["measure_id", "text"]], on="measure_id")
