"""What the stages derive from a dataset, held by the dataset and checked against its frames.

The integer codes of the assignments, the unit projections and the igraph graphs built from
them are shared by several stages (workload, co-lead table, clusters, brokers, views) and are
too costly to rebuild for each at a million measures. They live in :class:`Derived`, a field
of :class:`~analysis.load.Dataset` (``ds.derived``), never in a module-level cache.

The frames of a dataset are ordinary pandas frames, and an analyst may edit them in place
(``ds.assignments.loc[mask, "unit"] = "区委政法委"``). Every value in ``ds.derived`` was
computed from the frames as they were when it was stored; before a value is handed out, the
frames are compared with a snapshot taken then (:class:`Snapshot`: the columns the stages
read, compared by content), and if anything differs every derived value is dropped and
recomputed from the frames as they are now. So an edit is reflected by the next call
(``tests/test_analysis_core.py::test_in_place_edit_is_reflected``).

The comparison is cheap: Arrow-backed text columns are compared with Arrow's ``equals``
(a pointer check when the buffers are shared, else a memory compare), categorical and number
columns by their integer arrays — a few milliseconds for three million assignments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Derived", "Snapshot", "derived_value"]

#: The columns of each frame the derived values are computed from.
WATCHED = {
    "measures": ("measure_id",),
    "assignments": ("measure_id", "role", "unit"),
    "units": ("unit", "is_collective"),
}


def _column_state(series: pd.Series, *, copy: bool = True):
    """A value that compares equal (by :func:`_same_state`) exactly when the column's content is the same.

    Mutable arrays are copied for a snapshot (``copy=True``), so that an in-place edit of the
    frame cannot change the snapshot too; Arrow arrays are immutable and kept by reference.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return ("cat", series.cat.categories, np.array(series.cat.codes.to_numpy(), copy=copy))
    arrow = getattr(series.array, "__arrow_array__", None)
    if arrow is not None:
        try:
            return ("arrow", arrow())
        except (TypeError, NotImplementedError):
            pass
    return ("numpy", np.array(series.to_numpy(), copy=copy))


def _same_state(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "cat":
        return a[1].equals(b[1]) and np.array_equal(a[2], b[2])
    if a[0] == "arrow":
        return a[1].type == b[1].type and a[1].equals(b[1])
    return a[1].dtype == b[1].dtype and np.array_equal(a[1], b[1])


@dataclass(frozen=True)
class Snapshot:
    """The content of the watched columns of a dataset's frames at one moment."""

    state: tuple

    @classmethod
    def of(cls, ds) -> Snapshot:
        parts = []
        for frame_name, columns in WATCHED.items():
            frame = getattr(ds, frame_name)
            parts.append((frame_name, len(frame), tuple(frame.columns)))
            for c in columns:
                parts.append(_column_state(frame[c]) if c in frame.columns else ("absent",))
        return cls(tuple(parts))

    def matches(self, ds) -> bool:
        """True if the dataset's watched columns hold what they held when this was taken."""
        i = 0
        for frame_name, columns in WATCHED.items():
            frame = getattr(ds, frame_name)
            if self.state[i] != (frame_name, len(frame), tuple(frame.columns)):
                return False
            i += 1
            for c in columns:
                old = self.state[i]
                i += 1
                if c not in frame.columns:
                    if old != ("absent",):
                        return False
                elif old == ("absent",) or not _same_state(old, _column_state(frame[c], copy=False)):
                    return False
        return True


class Derived:
    """Values derived from one dataset's frames, valid while the frames hold what they held.

    ``get(ds, tag, compute)`` returns the value stored under `tag`, or ``compute()`` stored;
    ``put(ds, tag, value)`` stores a value computed elsewhere (the loader's codes). Both first
    check the frames against the snapshot of the stored values and drop all of them if the
    frames have changed since.
    """

    def __init__(self):
        self._values: dict = {}
        self._snapshot: Snapshot | None = None

    def _check(self, ds) -> None:
        if self._snapshot is not None and not self._snapshot.matches(ds):
            self._values.clear()
            self._snapshot = None

    def get(self, ds, tag: str, compute=None, default=None):
        """The value under `tag`, computed by `compute` (and stored) when absent or stale."""
        self._check(ds)
        if tag in self._values:
            return self._values[tag]
        if compute is None:
            return default
        return self.put(ds, tag, compute(), checked=True)

    def put(self, ds, tag: str, value, *, checked: bool = False):
        """Store `value` (derived from `ds`'s frames as they are now) under `tag`; returns it."""
        if not checked:
            self._check(ds)
        if self._snapshot is None:
            self._snapshot = Snapshot.of(ds)
        self._values[tag] = value
        return value

    def __repr__(self) -> str:
        return f"Derived({sorted(self._values)})"


def derived_value(ds, tag: str, compute):
    """``ds.derived.get(ds, tag, compute)``; just ``compute()`` for objects without ``derived``."""
    store = getattr(ds, "derived", None)
    return compute() if store is None else store.get(ds, tag, compute)
