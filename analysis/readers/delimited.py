"""CSV files in a plan-table layout (``.csv``, as saved from Excel): one table.

UTF-8 (with or without BOM) or GB18030, comma-separated (a file with tabs or semicolons and no
comma in its first line is read with that separator). The project's own ``measures.csv`` is not
a plan: it is refused with a pointer to ``build --measures``.
"""

from __future__ import annotations

import csv
import io

from ..errors import DataError, read_text
from . import Cell, Source, Table

__all__ = ["read"]


def read(path, name: str) -> Source:
    """Read a CSV plan table."""
    text, encoding = read_text(path)
    first = text.split("\n", 1)[0]
    if first.startswith("measure_id,") or ",lead_units_raw," in first:
        raise DataError(path, 1, "this is a measures CSV, not a plan: give it to `build --measures`")
    delimiter = ","
    if "," not in first and "，" not in first:
        delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            line = reader.line_num
            if any(v.strip() for v in row):
                rows.append(tuple(Cell(v, f"line {line}, column {k + 1}", "", line) for k, v in enumerate(row)))
    except csv.Error as exc:
        raise DataError(path, reader.line_num, f"not a readable CSV ({exc})") from None
    width = max((len(r) for r in rows), default=0)
    rows = [
        r + tuple(Cell("", f"line {r[0].line}, column {k + 1}", "", r[0].line) for k in range(len(r), width))
        for r in rows
    ]
    return Source(name, "csv", [Table(tuple(rows), "table")] if rows else [], encoding)
