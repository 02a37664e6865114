"""Excel workbooks (``.xlsx``), read with openpyxl: one table per sheet, merged ranges expanded.

Values are read as Excel shows them after the last calculation (``data_only``): whole numbers
without ``.0``, dates as ``2023-12-31``. Hidden sheets are read too (a plan's table is sometimes
kept on one), empty rows are dropped, and each cell's place is ``Sheet!B7``.
"""

from __future__ import annotations

import datetime as dt

from ..errors import DataError
from . import Cell, Source, Table

__all__ = ["read"]


def _value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")


def read(path, name: str) -> Source:
    """Read every sheet of a workbook into a table."""
    import zipfile

    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataError(path, None, f"not a readable Excel .xlsx file ({exc.__class__.__name__})") from None
    blocks = []
    for ws in wb.worksheets:
        origin: dict[tuple[int, int], tuple[str, str]] = {}
        for rng in ws.merged_cells.ranges:
            top = ws.cell(rng.min_row, rng.min_col)
            ref = f"{ws.title}!{top.coordinate}"
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        origin[(r, c)] = (_value(top.value), ref)
        rows = []
        width = ws.max_column or 0
        for r in range(1, (ws.max_row or 0) + 1):
            row = []
            for c in range(1, width + 1):
                place = f"{ws.title}!{get_column_letter(c)}{r}"
                if (r, c) in origin:
                    text, ref = origin[(r, c)]
                    row.append(Cell(text, place, ref))
                else:
                    row.append(Cell(_value(ws.cell(r, c).value), place))
            if any(cell.text.strip() for cell in row):
                rows.append(tuple(row))
        if rows:
            blocks.append(Table(tuple(rows), ws.title))
    wb.close()
    return Source(name, "xlsx", blocks)
