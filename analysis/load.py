"""Load ``measures.csv`` and the unit registry into validated DataFrames.

:func:`load` returns a :class:`Dataset` with three tables:

``measures``
    one row per measure, as in ``measures.csv`` (ints for numbers, ``str`` for text);
``assignments``
    the tidy long table everything else is built on: ``measure_id, role, position, unit_raw,
    unit`` (``role`` is ``lead`` or ``responsible``, ``position`` counts from 1 within the
    role, ``unit`` is the canonical name from the registry);
``units``
    the registry, one row per canonical unit, with ``n_mentions`` from the assignments.

Examples
--------
>>> ds = load()
>>> len(ds.measures), ds.measures["plan_id"].value_counts().sort_index().tolist()
(138, [50, 32, 56])
>>> ds.assignments.query("measure_id == 'P1-01'")[["role", "unit"]].values.tolist()
[['lead', '区人大常委会'], ['lead', '区司法局'], ['responsible', '区直有关部门']]
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import MEASURES_CSV, UNITS_CSV
from .errors import DataError, read_text
from .ingest import MEASURE_COLUMNS, split_units
from .registry import alias_map, read_registry

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "REQUIRED_COLUMNS",
    "Dataset",
    "build_assignments",
    "load",
    "read_measures",
]

#: Columns a measures file must have; the others of ``MEASURE_COLUMNS`` are optional.
REQUIRED_COLUMNS = [
    "measure_id",
    "plan_id",
    "plan_title",
    "section_no",
    "section_title",
    "item_no",
    "text",
    "lead_units_raw",
    "responsible_units_raw",
    "source_line",
]
ASSIGNMENT_COLUMNS = ["measure_id", "role", "position", "unit_raw", "unit"]
_INT_COLUMNS = ("section_no", "item_no", "source_line", "lead_line", "responsible_line")


@dataclass(frozen=True)
class Dataset:
    """The three validated tables of one measures file and registry."""

    measures: pd.DataFrame
    assignments: pd.DataFrame
    units: pd.DataFrame
    measures_path: Path | None = None
    units_path: Path | None = None


def read_measures(path=MEASURES_CSV) -> pd.DataFrame:
    """Read and validate a measures CSV (UTF-8 with or without BOM, or GB18030).

    Adds a ``csv_line`` column (the row's line in the file) for error messages.

    Raises
    ------
    DataError
        Missing or unexpected columns, an empty ``measure_id`` or ``text``, a duplicate
        ``measure_id``, a number that is not an integer, or a measure with no unit at all.
    """
    path = Path(path)
    text, _ = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unexpected = [c for c in header if c not in MEASURE_COLUMNS]
    if missing:
        raise DataError(path, 1, "missing columns", value=", ".join(missing))
    if unexpected:
        raise DataError(path, 1, "unexpected columns", value=", ".join(unexpected))
    rows, first_line = [], {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise DataError(path, line, "more fields than columns", value=str(row[None]))
        row = {k: (v or "").strip() for k, v in row.items()}
        mid = row["measure_id"]
        if not mid:
            raise DataError(path, line, "empty measure_id", value=row.get("text", "")[:40])
        if mid in first_line:
            raise DataError(path, line, f"duplicate measure_id (first on line {first_line[mid]})", value=mid)
        first_line[mid] = line
        if not row["text"]:
            raise DataError(path, line, "empty text", value=mid)
        if not row["lead_units_raw"] and not row["responsible_units_raw"]:
            raise DataError(path, line, "measure has neither lead nor responsible units", value=mid)
        for col in _INT_COLUMNS:
            v = row.get(col, "")
            if col == "item_no" and not v:
                raise DataError(path, line, "empty item_no", value=mid)
            if v and not v.isdigit():
                raise DataError(path, line, f"{col} is not a whole number", value=v)
        row["csv_line"] = line
        rows.append(row)
    if not rows:
        raise DataError(path, None, "no measure in file")
    df = pd.DataFrame(rows, columns=[c for c in MEASURE_COLUMNS if c in header] + ["csv_line"])
    for col in _INT_COLUMNS:
        if col in df:
            df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
    return df


def build_assignments(measures: pd.DataFrame, units: pd.DataFrame, *, path=None) -> pd.DataFrame:
    """Explode the raw unit lists into the long ``assignments`` table.

    Raises
    ------
    DataError
        Listing, all at once, every unit name not in the registry with the measures that use it.
    """
    names = alias_map(units)
    rows, unknown = [], {}
    for mid, lead, resp, line in zip(
        measures["measure_id"],
        measures["lead_units_raw"],
        measures["responsible_units_raw"],
        measures["csv_line"],
        strict=True,
    ):
        for role, raw in (("lead", lead), ("responsible", resp)):
            units_raw, _, _ = split_units(raw) if raw else ([], [], [])
            for pos, name in enumerate(units_raw, start=1):
                if name not in names:
                    unknown.setdefault(name, []).append(f"{mid} (line {line})")
                rows.append((mid, role, pos, name, names.get(name, "")))
    if unknown:
        listing = "; ".join(f"{n} in {', '.join(ms)}" for n, ms in unknown.items())
        raise DataError(
            path,
            None,
            f"{len(unknown)} unit name(s) not in the registry "
            f"(add them to data/units.csv as a unit or an alias): {listing}",
        )
    df = pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)
    df["position"] = df["position"].astype("int64")
    return df


def load(measures_csv=MEASURES_CSV, units_csv=UNITS_CSV) -> Dataset:
    """Load and validate a measures file against a unit registry."""
    units = read_registry(units_csv)
    measures = read_measures(measures_csv)
    assignments = build_assignments(measures, units, path=measures_csv)
    counts = assignments["unit"].value_counts()
    units = units.assign(n_mentions=units["unit"].map(counts).fillna(0).astype("int64"))
    return Dataset(measures, assignments, units, Path(measures_csv), Path(units_csv))
