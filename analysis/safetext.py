"""Data text made safe for spreadsheets: never a formula, no control characters, no silent cuts.

A measure text or unit name comes from a published plan, or from whoever wrote a measures CSV,
and ends up in cells that clerks open in Excel. Three things can go wrong there:

formula injection
    a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
    is read by Excel as a formula: ``=HYPERLINK("http://x","click")`` becomes a live link,
    ``=cmd|' /C calc'!A0`` a DDE call. In xlsx files every text is written as a string cell
    (``data_type`` ``'s'``, with Excel's quote prefix when it starts with one of those
    characters), never as a formula. In the CSV files meant for Excel (``reports/*.csv``) such
    a text cell gets a leading apostrophe (:func:`csv_safe`, the OWASP recommendation; numbers
    are left alone, so ``-0.5`` stays a number).
control characters
    XML 1.0, and so xlsx, cannot hold C0 control characters other than tab, line feed and
    carriage return; openpyxl raises ``IllegalCharacterError``. PDF and Word exports carry
    them (a form feed at a page break), so each is replaced by a space (:func:`clean_control`)
    and :func:`spreadsheet_issues` counts them for the data-quality report.
cell size
    Excel holds at most 32,767 characters in a cell and openpyxl cuts longer text without a
    word. :func:`xlsx_text` cuts it itself and ends the cell with a note giving the full
    length; the data-quality report lists every such text.

Examples
--------
>>> clean_control("甲\\x0c乙\\x01")
('甲 乙 ', 2)
>>> csv_safe_value("=1+1"), csv_safe_value("区司法局"), csv_safe_value(-1)
("'=1+1", '区司法局', -1)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "CONTROL_CHARS",
    "EXCEL_CELL_MAX",
    "FORMULA_START",
    "clean_control",
    "csv_safe",
    "csv_safe_value",
    "formula_mask",
    "is_formula_like",
    "spreadsheet_issues",
    "xlsx_text",
]

#: Characters xlsx (XML 1.0) cannot hold: openpyxl's ``ILLEGAL_CHARACTERS_RE``.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Most characters Excel keeps in one cell.
EXCEL_CELL_MAX = 32_767
#: First characters that make Excel (or LibreOffice, or Google Sheets) read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_control(text: str) -> tuple[str, int]:
    """`text` with every control character xlsx cannot hold replaced by a space, and their number."""
    return CONTROL_CHARS.subn(" ", text)


def is_formula_like(value) -> bool:
    """True for a string that a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def xlsx_text(text: str) -> str:
    """`text` ready for an xlsx cell: control characters replaced, cut with a note if over 32,767.

    >>> t = xlsx_text("字" * 40_000)
    >>> len(t) <= EXCEL_CELL_MAX, t.endswith("〔Excel 单元格上限 32767 字,已截断;全文 40000 字,见 measures.csv〕")
    (True, True)
    """
    text, _ = clean_control(text)
    if len(text) <= EXCEL_CELL_MAX:
        return text
    note = f"…〔Excel 单元格上限 {EXCEL_CELL_MAX} 字,已截断;全文 {len(text)} 字,见 measures.csv〕"
    return text[: EXCEL_CELL_MAX - len(note)] + note


def csv_safe_value(value):
    """A text cell prefixed with ``'`` if a spreadsheet would read it as a formula; anything else as is."""
    return "'" + value if is_formula_like(value) else value


def formula_mask(s: pd.Series) -> np.ndarray:
    """Boolean array: which cells of `s` are strings a spreadsheet would read as a formula.

    Column-wise (:meth:`pandas.Series.str.startswith`; a categorical column is tested on its
    categories once), the same answer as :func:`is_formula_like` cell by cell.

    >>> formula_mask(pd.Series(["=1", "区", None, 3, "-x"], dtype=object)).tolist()
    [True, False, False, False, True]
    >>> formula_mask(pd.Series(["@a", "b", "@a"], dtype="category")).tolist()
    [True, False, True]
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        hit = formula_mask(pd.Series(s.cat.categories, dtype=object))
        codes = s.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(hit, False)[codes], False)
    if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
        return np.zeros(len(s), dtype=bool)
    try:
        hit = s.str.startswith(FORMULA_START, na=False)
    except AttributeError:  # an object column without any string (.str refuses it)
        return np.zeros(len(s), dtype=bool)
    if s.dtype == object:  # .str also answers for bytes; only str cells are text
        hit = hit & s.map(type).eq(str) if hit.any() else hit
    return hit.to_numpy(dtype=bool)


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells never start a formula (see :func:`csv_safe_value`).

    Only text columns are touched (numbers such as ``-0.5`` stay numbers); a frame without such
    a cell is returned unchanged, so the seed's reports keep their bytes.
    """
    out = None
    for col in df.columns:
        s = df[col]
        hit = formula_mask(s)
        if hit.any():
            out = df.copy() if out is None else out
            out[col] = s.astype(object).where(~hit, "'" + s[hit].astype(str))
    return df if out is None else out


def spreadsheet_issues(ds) -> pd.DataFrame:
    """Texts of `ds` that the spreadsheets had to change: ``where, field, issue, n, value``.

    ``issue`` is ``control characters`` (``n`` of them, each written as a space), ``over 32767
    characters`` (``n`` = full length; cut with a note in the xlsx) or ``starts like a formula``
    (written as text in xlsx, with a leading ``'`` in the report CSVs). ``where`` is the
    measure id (the first measure of the plan or section for titles), or the unit for names.
    ``value`` is the start of the text, control characters
    shown as ``\\x0c`` …
    """
    rows = []
    m = ds.measures
    for col in [c for c in ("text", "lead_units_raw", "responsible_units_raw") if c in m]:
        rows += _column_issues(m["measure_id"], col, m[col])
    # Plan and section titles repeat on every measure: once per plan (section), at its first measure.
    for col, keys in (("plan_title", ["plan_id"]), ("section_title", ["plan_id", "section_no"])):
        if col in m:
            first = m.drop_duplicates(keys)
            rows += _column_issues(first["measure_id"], col, first[col])
    units = ds.units["unit"]
    rows += _column_issues(units, "unit", units)
    if "name_en" in ds.units:
        rows += _column_issues(units, "name_en", ds.units["name_en"])
    return pd.DataFrame(rows, columns=["where", "field", "issue", "n", "value"])


def _column_issues(where: pd.Series, field: str, values: pd.Series) -> list[tuple]:
    """:func:`_issues` of each value of `values` (beside its `where`), testing the column as a
    whole first so that only the few cells with an issue are looked at one by one."""
    v = values.astype(str).reset_index(drop=True)
    flag = (
        v.str.contains(CONTROL_CHARS.pattern, regex=True).to_numpy(dtype=bool)
        | (v.str.len() > EXCEL_CELL_MAX).to_numpy(dtype=bool)
        | formula_mask(v)
    )
    rows = []
    for w, x in zip(where.astype(str).to_numpy()[flag], v.to_numpy()[flag], strict=True):
        rows += _issues(w, field, x)
    return rows


def _issues(where: str, field: str, value: str) -> list[tuple]:
    out = []
    shown = CONTROL_CHARS.sub(lambda x: f"\\x{ord(x.group()):02x}", value[:40])
    n = len(CONTROL_CHARS.findall(value))
    if n:
        out.append((where, field, "control characters", n, shown))
    if len(value) > EXCEL_CELL_MAX:
        out.append((where, field, f"over {EXCEL_CELL_MAX} characters", len(value), shown))
    if is_formula_like(value):
        out.append((where, field, "starts like a formula", 1, shown))
    return out
