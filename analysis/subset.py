"""Restrict a dataset to some plans: the notebooks' plan filter.

>>> from analysis.load import load
>>> ds = subset(load(), plans=["P2"])
>>> len(ds.measures), ds.assignments["measure_id"].str[:2].unique().tolist()
(32, ['P2'])
"""

from __future__ import annotations

from dataclasses import replace

__all__ = ["subset"]


def subset(ds, *, plans=None):
    """A new :class:`~analysis.load.Dataset` with only the measures of `plans` (all if None).

    The registry is kept whole (``n_mentions`` recounted), so units that lose all their
    measures keep a zero row in the workload table rather than vanishing.

    Raises
    ------
    ValueError
        If a requested plan id does not exist.
    """
    if plans is None:
        return ds
    plans = [plans] if isinstance(plans, str) else list(plans)
    known = set(ds.measures["plan_id"])
    missing = [p for p in plans if p not in known]
    if missing:
        raise ValueError(f"unknown plan id(s) {missing}; known: {sorted(known)}")
    measures = ds.measures[ds.measures["plan_id"].isin(plans)].reset_index(drop=True)
    assignments = ds.assignments[ds.assignments["measure_id"].isin(set(measures["measure_id"]))]
    assignments = assignments.reset_index(drop=True)
    counts = assignments["unit"].value_counts()
    units = ds.units.assign(n_mentions=ds.units["unit"].map(counts).fillna(0).astype("int64"))
    return replace(ds, measures=measures, assignments=assignments, units=units)
