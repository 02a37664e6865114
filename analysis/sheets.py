"""Per-unit task sheets (任务清单) for report writers: an xlsx workbook, a role matrix and printable pages.

Every unit named in a division-of-labour plan receives its own task list. This module builds
those lists from the ``assignments`` table and writes them where report writers, who work in
Excel and Word, can take them:

``reports/task_sheets.xlsx``
    ``汇总`` (summary): the workload table of :func:`analysis.workload.workload` with the
    collective table of :func:`analysis.workload.collective_table` beside it; ``单位名录``
    (unit directory): every unit with its English name, system, counts and the name of its
    sheet; ``角色矩阵`` (role matrix); then one sheet per named unit (registry order) listing
    every measure it leads or is responsible for.
``reports/role_matrix.csv``
    units × measures, cells ``L`` (lead, 牵头), ``R`` (responsible, 责任), ``L+R`` (both) or
    empty. Rows are the named units in registry order, then the collective placeholders
    (区直有关部门 …), marked ``is_collective``: they carry a large share of the responsibility,
    so leaving them out would hide it.
``reports/units/``
    one self-contained HTML page per named unit (print CSS: A4, header row repeated on every
    page, no row split across pages), ``all.html`` with every unit on its own page(s), and
    ``index.html`` listing the units.

Choices
-------
* A unit gets a sheet and a page only if it is a named unit (not ``is_collective``) with at
  least one assignment; collectives appear in the summary's collective table, the directory
  and the matrix.
* Unit sheets start with a title row (name, English name, counts); the header is row 2, frozen
  with the title, and carries the filter. A unit sees Chinese headers only
  (:data:`UNIT_SHEET_COLUMNS`), including the columns it fills in and returns: 完成时限
  (the plan's deadline when the measures table has ``deadline_raw``, else blank), 落实情况 and
  责任人 (shaded). The summary has Chinese headers too; the directory sheet carries the
  legend of column names (:data:`COLUMN_NOTES`) and its own two-line headers.
* Printing: A4, header rows repeated, the sheet name in the page header and 第 n 页 / 共 m 页
  in the footer; a sheet prints at one page width unless that would go below
  :data:`MIN_PRINT_SCALE` percent (then across pages, first columns repeated).
* Data text is never a formula and never breaks the file (:mod:`analysis.safetext`): string
  cells throughout, control characters replaced by spaces, cells over 32,767 characters cut
  with a note; ``role_matrix.csv`` prefixes formula-like text with ``'``.
* Sheet names follow Excel's rules (:func:`sheet_names`); file names are safe on Windows too
  (:func:`file_names`). Both are deterministic.
* The workbook is byte-identical on re-run: fixed document properties and zip entries rewritten
  with a fixed date, order and compression (:func:`normalize_xlsx`).

Examples
--------
>>> from analysis.load import load
>>> ds = load()
>>> unit_tasks(ds, "区法院")[["measure_id", "role", "other_leads"]].head(2).values.tolist()
[['P1-25', 'L', '区检察院、下陆公安分局'], ['P1-26', 'L', '区检察院、下陆公安分局、区司法局']]
>>> role_matrix(ds).set_index("unit").loc["区司法局", "P1-01"]
'L'
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import html
import io
import math
import re
import string
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

from . import facts
from .errors import write_bytes, write_csv, write_text
from .limits import release_memory
from .registry import SYSTEMS
from .safetext import csv_safe, is_formula_like, xlsx_text
from .style import PAGE_COLORS, ROLE_COLORS, SHEET_COLORS, SHEET_ROLE_FILLS

__all__ = [
    "COLUMN_NOTES",
    "FILL_IN_COLUMNS",
    "FIXED_TIME",
    "MATRIX_META_COLUMNS",
    "MIN_PRINT_SCALE",
    "PAGE_GENERATOR",
    "ROLE_CODES",
    "ROLE_LABELS",
    "SHEET_DIRECTORY",
    "SHEET_MATRIX",
    "SHEET_SUMMARY",
    "TASK_COLUMNS",
    "UNIT_SHEET_COLUMNS",
    "UnitLists",
    "display_width",
    "file_names",
    "normalize_xlsx",
    "print_scale",
    "role_matrix",
    "role_sheet_table",
    "role_table",
    "sheet_names",
    "sheet_units",
    "size_notes",
    "task_table",
    "task_workbook",
    "unit_directory",
    "unit_page_html",
    "unit_sheet_names",
    "unit_tasks",
    "write_task_sheets",
    "write_xlsx",
]

#: Role codes of a unit on a measure: lead, responsible, or named as both.
ROLE_CODES = ("L", "R", "L+R")
#: Chinese labels of the role codes.
ROLE_LABELS = {"L": "牵头", "R": "责任", "L+R": "牵头、责任"}

#: Columns of :func:`unit_tasks`, with the Chinese header shown in the workbook and pages.
TASK_COLUMNS = {
    "measure_id": "编号",
    "role": "职责代码",
    "role_zh": "职责",
    "text": "具体项目",
    "other_leads": "其他牵头单位",
    "other_responsible": "其他责任单位",
    "deadline": "完成时限",
    "plan_id": "方案编号",
    "plan_title": "方案",
    "section": "部分",
    "source_line": "原文行",
}

#: Excel's limits per sheet: 16,384 columns, 1,048,576 rows.
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_ROWS = 1_048_576
#: Above this many measures the role matrix (two columns + one per measure in the sheet) cannot
#: exist in Excel: the sheet and ``role_matrix.csv`` take the long form of :func:`role_table`.
MATRIX_MAX_MEASURES = EXCEL_MAX_COLUMNS - 2
#: Columns of :func:`role_table` (the long form of the role matrix).
ROLE_TABLE_COLUMNS = ["unit", "name_en", "system", "is_collective", "measure_id", "role"]

#: Columns of :func:`role_matrix` before the one-column-per-measure part.
MATRIX_META_COLUMNS = ["unit", "name_en", "system", "is_collective"]

SHEET_SUMMARY = "汇总"
SHEET_DIRECTORY = "单位名录"
SHEET_MATRIX = "角色矩阵"

#: Document date written into the workbook and every zip entry (the seed plan's date).
FIXED_TIME = dt.datetime(2023, 6, 22, 0, 0, 0)

_SHEET_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_FILE_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)}
_ZH_DIGITS = "零一二三四五六七八九"


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def _zh_number(n: int) -> str:
    """Chinese numeral for 1 ≤ n ≤ 99, as in section headings (一、 … 十二、)."""
    n = int(n)
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _ZH_DIGITS[tens] + "十")
    return head + (_ZH_DIGITS[ones] if ones else "")


def _positions(col: pd.Series, within) -> np.ndarray:
    """Position of each value of `col` in `within` (unique names), −1 where absent, without a
    Python string per row: a categorical through its categories, text through Arrow
    (:func:`analysis.arrowtext.positions`)."""
    from .arrowtext import positions

    within = pd.Series(within, dtype=str) if not isinstance(within, pd.Series) else within.astype(str)
    if isinstance(col.dtype, pd.CategoricalDtype):
        at = positions(pd.Series(col.cat.categories, dtype=str), within)
        codes = col.cat.codes.to_numpy()
        return np.where(codes >= 0, at[np.maximum(codes, 0)], -1)
    return positions(col.astype(str), within)


def _mentions(ds) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per assignment: the position of its measure in the measures table and a code of its
    unit, and the unit of each code (one string object per unit). From the assignments'
    integer codes where the loader left them (:func:`analysis.graph.assignment_codes`), else
    from the names."""
    from .graph import assignment_codes

    a = ds.assignments
    c = assignment_codes(ds)
    if c is not None:
        return c.measure, c.unit, [str(x) for x in c.units]
    pos = _positions(a["measure_id"], ds.measures["measure_id"])
    codes, names = pd.factorize(a["unit"].astype(str))
    return pos, codes, [str(x) for x in names]


class UnitLists:
    """Each measure's distinct canonical units per role, in source order, and the text a task
    row shows of them (:meth:`others`, joined when a row asks: a million measures' joined lists
    would be two million more strings held through the task sheets). Built once per build
    (:func:`write_task_sheets`) and passed to every :func:`task_table` call.

    Measures are named by their position in the measures table, and every list holds the same
    string object for a unit wherever it appears: at a million measures this is a list per role
    of a million tuples, not a dictionary keyed by (measure id, role) strings.

    >>> from analysis.load import load
    >>> lists = UnitLists(load())
    >>> lists.others("区司法局", 0, "lead"), lists.others("区法院", 0, "lead")  # P1-01: 区人大常委会、区司法局
    ('区人大常委会', '区人大常委会、区司法局')
    """

    def __init__(self, ds):
        pos, codes, names = _mentions(ds)
        position = ds.assignments["position"].to_numpy()
        n = len(ds.measures)
        self.lists: dict[str, list[tuple[str, ...]]] = {}
        for role in ("lead", "responsible"):
            keep = ds.assignments["role"].eq(role).to_numpy(dtype=bool)
            p, c, k = pos[keep], codes[keep], position[keep]
            order = np.lexsort((k, p))  # by measure, then by position in its list
            p, c = p[order], c[order]
            first = np.zeros(len(p), dtype=bool)  # the first mention of a unit in a list
            first[np.unique(p.astype(np.int64) * max(len(names), 1) + c, return_index=True)[1]] = True
            p, c = p[first], c[first]
            lists: list[tuple[str, ...]] = [()] * n
            if len(p):  # (a plan may name no unit in a role: no lead unit at all)
                starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
                ends = np.r_[starts[1:], len(p)]
                for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                    lists[int(p[start])] = tuple(names[k] for k in c[start:end].tolist())
            self.lists[role] = lists

    def others(self, unit: str, measure: int, role: str) -> str:
        """The units of the measure at position `measure` in `role` (``lead`` or ``responsible``)
        other than `unit`, joined by ``、``."""
        units = self.lists[role][measure]
        return "、".join(units) if unit not in units else "、".join(u for u in units if u != unit)


def _measure_fields(m: pd.DataFrame, columns) -> dict[str, object]:
    """Per measure of `m` (rows of the measures table), in its order, the fields of a task row among `columns`."""
    fields = {}
    if "text" in columns:
        fields["text"] = m["text"].astype(str).to_numpy()
    if "deadline" in columns:
        fields["deadline"] = _deadlines(m)
    for col in ("plan_id", "plan_title"):
        if col in columns:
            fields[col] = m[col].astype(str).to_numpy()
    if "section" in columns:
        fields["section"] = np.array(
            [
                f"{_zh_number(n)}、{t}" if pd.notna(n) else str(t)
                for n, t in zip(m["section_no"], m["section_title"], strict=True)
            ],
            dtype=object,
        )
    if "source_line" in columns:
        fields["source_line"] = m["source_line"]  # (a Series: the rows are taken, then made numpy)
    return fields


def _task_order(ds, roles: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The rows of `roles` in task-table order (units in registry order, measures in source order
    within a unit) and the position of each one's measure in the measures table."""
    unit_pos = _positions(roles["unit"], ds.units["unit"])
    measure_pos = _positions(roles["measure_id"], ds.measures["measure_id"])
    unit_pos = np.where(unit_pos < 0, len(ds.units), unit_pos)  # (a unit the registry lacks: last)
    order = np.lexsort((measure_pos, unit_pos))
    return order, measure_pos[order]


#: Columns of :func:`task_table`, in order.
TASK_TABLE_ALL_COLUMNS = (
    "unit",
    "measure_id",
    "role",
    "role_zh",
    "text",
    "other_leads",
    "other_responsible",
    "deadline",
    "plan_id",
    "plan_title",
    "section",
    "source_line",
)


def _task_rows(roles: pd.DataFrame, rows: np.ndarray, measures: np.ndarray, fields, at, lists: UnitLists, columns):
    """The task-table rows of ``roles.iloc[rows]`` (their measures at positions `measures` of the
    measures table, at positions `at` of `fields`): `columns` only."""
    r = roles.iloc[rows]
    units, mids = r["unit"].astype(str).tolist(), r["measure_id"].astype(str).tolist()
    out = {}
    for col in columns:
        if col == "unit":
            out[col] = units
        elif col == "measure_id":
            out[col] = mids
        elif col == "role":
            out[col] = r["role"].to_numpy()
        elif col == "role_zh":
            out[col] = r["role"].map(ROLE_LABELS).to_numpy()
        elif col in ("other_leads", "other_responsible"):
            role = "lead" if col == "other_leads" else "responsible"
            out[col] = [lists.others(u, k, role) for u, k in zip(units, measures.tolist(), strict=True)]
        elif col == "source_line":
            out[col] = fields[col].iloc[at].to_numpy()
        else:
            out[col] = fields[col][at]
    return pd.DataFrame(out)


def task_table(
    ds, *, units=None, roles: pd.DataFrame | None = None, lists: UnitLists | None = None, columns=None
) -> pd.DataFrame:
    """The task lists of every unit in one long table: ``unit`` then the columns of :func:`unit_tasks`.

    Rows are grouped by unit (registry order) and in source order within a unit. `units` (an
    iterable of units) keeps only those units' rows, filtered before any per-row work; `roles`
    (:func:`analysis.facts.unit_roles`) and `lists` (:class:`UnitLists`) may be passed when the
    caller has them; `columns` (default :data:`TASK_TABLE_ALL_COLUMNS`) picks the columns computed.
    """
    roles = facts.unit_roles(ds) if roles is None else roles
    if units is not None:
        roles = roles[roles["unit"].isin(set(units)).to_numpy()]
    lists = UnitLists(ds) if lists is None else lists
    columns = TASK_TABLE_ALL_COLUMNS if columns is None else tuple(columns)
    rows, measures = _task_order(ds, roles)
    # the fields of the measures these rows name only (the top units' at corpus size, not a million texts)
    needed, at = np.unique(measures, return_inverse=True)
    fields = _measure_fields(ds.measures.take(needed), columns)
    return _task_rows(roles, rows, measures, fields, at, lists, columns)


def _deadlines(t: pd.DataFrame) -> np.ndarray:
    """The plan's deadline of each row (``deadline_raw`` of the measures table when the ingest
    wrote that column), else empty strings."""
    if "deadline_raw" not in t.columns:
        return np.full(len(t), "", dtype=object)
    return t["deadline_raw"].astype(object).where(t["deadline_raw"].notna(), "").astype(str).str.strip().to_numpy()


def unit_tasks(ds, unit: str, *, tasks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every measure `unit` leads or is responsible for, in source order.

    Columns (see :data:`TASK_COLUMNS`): ``measure_id``; ``role`` (``L``, ``R`` or ``L+R``)
    and ``role_zh``; ``text`` (in full); ``other_leads`` and ``other_responsible`` (the other
    canonical units of the measure in that role, in source order, joined by ``、``; for a
    responsible unit ``other_leads`` is every lead); ``deadline`` (the plan's 完成时限 when the
    measures table has a ``deadline_raw`` column, else empty); ``plan_id``, ``plan_title``; ``section``
    (``一、<section title>``); ``source_line``. `tasks` is :func:`task_table` of `ds`, if the
    caller has it already (it is computed otherwise).

    Raises
    ------
    KeyError
        If `unit` is not a canonical unit of the registry.

    Examples
    --------
    >>> from analysis.load import load
    >>> ds = load()
    >>> unit_tasks(ds, "区法院").groupby("role").size().to_dict()
    {'L': 17, 'R': 15}
    """
    if unit not in set(ds.units["unit"]):
        raise KeyError(f"not a unit of the registry: {unit!r}")
    tasks = task_table(ds) if tasks is None else tasks
    return tasks.loc[tasks["unit"] == unit, list(TASK_COLUMNS)].reset_index(drop=True)


def sheet_units(ds) -> list[str]:
    """Named units (not collectives) with at least one assignment, in registry order."""
    used = set(ds.assignments["unit"].unique())  # (the distinct units, not a string per mention)
    u = ds.units
    return [x for x, coll in zip(u["unit"], u["is_collective"], strict=True) if not coll and x in used]


def _task_counts(ds, roles: pd.DataFrame | None = None) -> pd.Series:
    """Task rows (measures in any role) of each unit of :func:`sheet_units`, in its order."""
    n = facts.unit_counts(ds, roles)["n_total"]
    units = sheet_units(ds)
    return pd.Series([int(n.get(u, 0)) for u in units], index=units, dtype="int64")


def task_sheet_units(ds, *, roles: pd.DataFrame | None = None) -> list[str]:
    """The units of :func:`sheet_units` that get a sheet of their own and a page, in registry order.

    All of them up to :data:`analysis.limits.UNIT_SHEETS_MAX_UNITS` units and
    :data:`~analysis.limits.UNIT_SHEETS_MAX_ROWS` task rows; above, the units with the most
    measures (lead or responsible; ties in registry order) while both limits hold
    (:func:`analysis.limits.top_units`). The others' task lists are in ``task_table.csv``.
    """
    from . import limits

    counts = _task_counts(ds, roles)
    if len(counts) <= limits.UNIT_SHEETS_MAX_UNITS and int(counts.sum()) <= limits.UNIT_SHEETS_MAX_ROWS:
        return list(counts.index)
    return limits.top_units(counts, max_units=limits.UNIT_SHEETS_MAX_UNITS, max_rows=limits.UNIT_SHEETS_MAX_ROWS)


def role_matrix(ds) -> pd.DataFrame:
    """Units × measures: ``L``, ``R``, ``L+R`` or ``""`` (RACI-style).

    Rows: every unit with an assignment, named units first, then collectives, each in registry
    order. Columns: :data:`MATRIX_META_COLUMNS` then one column per measure in source order.

    Examples
    --------
    >>> from analysis.load import load
    >>> mx = role_matrix(load()).set_index("unit")
    >>> mx.loc["区直有关部门", "P1-01"], bool(mx.loc["区直有关部门", "is_collective"])
    ('R', True)
    """
    roles = facts.unit_roles(ds)
    u = _matrix_units(ds, roles)
    grid = (
        roles.pivot(index="unit", columns="measure_id", values="role")
        .reindex(index=u["unit"], columns=ds.measures["measure_id"])
        .fillna("")
    )
    meta = pd.DataFrame(
        {
            "unit": u["unit"].to_numpy(),
            "name_en": u["name_en"].to_numpy(),
            "system": u["system"].to_numpy(),
            "is_collective": u["is_collective"].astype(bool).to_numpy(),
        }
    )
    grid = pd.DataFrame(grid.to_numpy(dtype=object), columns=list(ds.measures["measure_id"].astype(str)))
    return pd.concat([meta, grid], axis=1)


def _matrix_units(ds, roles: pd.DataFrame) -> pd.DataFrame:
    """Registry rows of the units with an assignment: named units, then collectives, each in registry order."""
    used = set(roles["unit"].unique())
    u = ds.units[ds.units["unit"].isin(used)]
    return pd.concat([u[~u["is_collective"]], u[u["is_collective"]]])


#: Above this many cells (units × measures) the role matrix takes the long form too: a sparse
#: grid of a thousand units and ten thousand measures is ten million cells, nearly all empty.
MATRIX_MAX_CELLS = 200_000


def _matrix_size(ds) -> tuple[int, int]:
    """(units, measures) of the role matrix."""
    return int(ds.assignments["unit"].nunique()), len(ds.measures)


def matrix_is_long(ds) -> bool:
    """True when the role matrix has more measures than an Excel sheet has columns
    (:data:`MATRIX_MAX_MEASURES`) or more cells than :data:`MATRIX_MAX_CELLS`."""
    n_units, n_measures = _matrix_size(ds)
    return n_measures > MATRIX_MAX_MEASURES or n_units * n_measures > MATRIX_MAX_CELLS


def _sheet_room() -> int:
    """Data rows a table sheet holds: :data:`analysis.limits.SHEET_MAX_ROWS`, within Excel's rows
    (two rows go to the title and the header)."""
    from . import limits

    return min(EXCEL_MAX_ROWS - 2, limits.SHEET_MAX_ROWS)


def role_table(ds, roles: pd.DataFrame | None = None) -> pd.DataFrame:
    """The role matrix in long form: one row per (unit, measure) with a role (:data:`ROLE_TABLE_COLUMNS`).

    Units in the order of :func:`role_matrix`'s rows, measures in source order within a unit.
    Used instead of the matrix when it would have more columns than Excel allows. `roles` is
    :func:`analysis.facts.unit_roles` of `ds` if the caller has it.

    >>> from analysis.load import load
    >>> t = role_table(load())
    >>> t.iloc[0][["unit", "measure_id", "role"]].tolist(), len(t) == len(facts.unit_roles(load()))
    (['区委办公室', 'P1-49', 'R'], True)
    """
    roles = facts.unit_roles(ds) if roles is None else roles
    u = _matrix_units(ds, roles)
    unit_pos = _positions(roles["unit"], u["unit"])
    measure_pos = _positions(roles["measure_id"], ds.measures["measure_id"])
    order = np.lexsort((measure_pos, unit_pos))
    at = unit_pos[order]
    u = u.reset_index(drop=True)

    def per_unit(col: pd.Series) -> pd.Categorical:
        # a unit's names repeat on each of its rows: categorical codes, not a string per row
        codes, values = pd.factorize(col)
        return pd.Categorical.from_codes(codes[at], categories=values)

    return pd.DataFrame(
        {
            "unit": per_unit(u["unit"].astype(str)),
            "name_en": per_unit(u["name_en"]),
            "system": per_unit(u["system"]),
            "is_collective": u["is_collective"].astype(bool).to_numpy()[at],
            "measure_id": roles["measure_id"].astype(str).reset_index(drop=True).take(order).array,
            "role": pd.Categorical(roles["role"].to_numpy()[order]),
        }
    )


def role_sheet_table(ds, roles: pd.DataFrame | None = None) -> pd.DataFrame:
    """What the role-matrix sheet and ``role_matrix.csv`` show: :func:`role_table` when the matrix
    is long (:func:`matrix_is_long`), else :func:`role_matrix`."""
    return role_table(ds, roles) if matrix_is_long(ds) else role_matrix(ds)


def size_notes(ds, tables=None) -> list[str]:
    """What the task sheets write in another form because of the data's size (for the data-quality report).

    `tables` (of :func:`analysis.exports.analysis_tables`) gives the workload and collective
    tables' lengths; they are computed otherwise.
    """
    from . import limits

    notes = []
    room = _sheet_room()
    roles = facts.unit_roles(ds)
    if matrix_is_long(ds):
        n = len(roles)
        limit = "Excel's row limit" if room == EXCEL_MAX_ROWS - 2 else "`analysis.limits.SHEET_MAX_ROWS`"
        cut = (
            f"; the sheet holds the first {room:,} rows ({limit}), the other {n - room:,} are in the CSV."
            if n > room
            else "."
        )
        n_units, n_measures = _matrix_size(ds)
        if n_measures > MATRIX_MAX_MEASURES:
            why = f"would need {n_measures + 2:,} columns (Excel allows {EXCEL_MAX_COLUMNS:,})"
        else:
            why = f"would have {n_units:,} × {n_measures:,} cells (more than {MATRIX_MAX_CELLS:,}, nearly all empty)"
        notes.append(
            f"The role matrix {why}: `reports/role_matrix.csv` and the sheet `{SHEET_MATRIX}` hold it in long form "
            f"(one row per unit and measure, {n:,} rows: {', '.join(ROLE_TABLE_COLUMNS)}){cut}"
        )
    counts = _task_counts(ds, roles)
    kept = task_sheet_units(ds, roles=roles)
    if len(kept) < len(counts):
        rows = int(counts[kept].sum()) if kept else 0
        left = counts.drop(kept)
        notes.append(
            f"Units with a sheet in `reports/task_sheets.xlsx` and a page in `reports/units/`: the {len(kept):,} of "
            f"{len(counts):,} named units with the most measures ({rows:,} task rows; at most "
            f"{limits.UNIT_SHEETS_MAX_UNITS:,} units and {limits.UNIT_SHEETS_MAX_ROWS:,} rows); {len(left):,} units "
            f"with {int(left.sum()):,} task rows (each at most {int(left.max()):,}) have none: every unit's task list "
            f"is in `reports/task_table.csv` (one row per unit and measure, {int(counts.sum()):,} rows; the measure "
            "text, plan and section are in `measures.csv`, joined on `measure_id`)."
        )
    for what, n, where in _cut_sheets(ds, tables, roles):
        if n > room:
            notes.append(
                f"The {what} in `reports/task_sheets.xlsx` shows its first {room:,} of {n:,} rows "
                f"(`analysis.limits.SHEET_MAX_ROWS`): the full table is `reports/{where}`."
            )
    return notes


def _cut_sheets(ds, tables, roles) -> list[tuple[str, int, str]]:
    """(what, rows, full table) of each table sheet that :data:`analysis.limits.SHEET_MAX_ROWS` can cut."""
    from . import workload as wk

    tables = tables or {}
    n_wl = len(tables["workload"]) if "workload" in tables else len(wk.workload(ds))
    n_co = len(tables["collectives"]) if "collectives" in tables else len(wk.collective_table(ds))
    return [
        (f"workload table of the sheet `{SHEET_SUMMARY}`", n_wl, "workload.csv"),
        (f"collective table of the sheet `{SHEET_SUMMARY}`", n_co, "collectives.csv"),
        (f"sheet `{SHEET_DIRECTORY}` (unit directory)", int(roles["unit"].nunique()), "unit_directory.csv"),
    ]


def unit_directory(ds, sheets: dict[str, str] | None = None, *, roles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every unit with an assignment: names (zh, en), system, counts and its sheet name.

    ``sheet`` is empty for collectives (they get no sheet); `sheets` defaults to
    :func:`unit_sheet_names` of :func:`task_sheet_units`. `roles` is
    :func:`analysis.facts.unit_roles` of `ds` if the caller has it.
    """
    roles = facts.unit_roles(ds) if roles is None else roles
    if sheets is None:
        sheets = unit_sheet_names(task_sheet_units(ds, roles=roles))
    counts = facts.unit_counts(ds, roles)
    u = _matrix_units(ds, roles)
    d = pd.DataFrame(
        {
            "unit": u["unit"].to_numpy(),
            "name_en": u["name_en"].to_numpy(),
            "system": u["system"].to_numpy(),
            "is_collective": u["is_collective"].astype(bool).to_numpy(),
        }
    )
    d.insert(3, "system_zh", d["system"].map(lambda s: SYSTEMS.get(s, (s, s))[0]))
    d.insert(4, "system_en", d["system"].map(lambda s: SYSTEMS.get(s, (s, s))[1]))
    aliases = ds.units.set_index("unit")["aliases"]
    d["aliases"] = d["unit"].map(lambda x: "、".join(aliases.get(x, ()) or ()))
    for c in counts.columns:
        d[c] = d["unit"].map(counts[c]).fillna(0).astype(int)
    d["sheet"] = d["unit"].map(lambda x: sheets.get(x, ""))
    # units with a sheet first (all named units, below the limits of analysis.limits), then named
    # units without one, then collectives
    group = np.where(d["is_collective"], 2, np.where(d["sheet"] != "", 0, 1))
    return d.iloc[np.argsort(group, kind="stable")].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _cut(s: str, limit: int) -> str:
    """`s` shortened to at most `limit` UTF-16 code units (Excel's count), never mid-character."""
    out = ""
    for ch in s:
        if _utf16_len(out + ch) > limit:
            break
        out += ch
    return out


def _dedupe(names: list[str], key, fit) -> list[str]:
    """Make names unique under `key` by appending ``~2``, ``~3`` …; `fit(base, suffix)` → name."""
    taken: set[str] = set()
    out = []
    for name in names:
        candidate, k = name, 1
        while key(candidate) in taken:
            k += 1
            candidate = fit(name, f"~{k}")
        taken.add(key(candidate))
        out.append(candidate)
    return out


def unit_sheet_names(units) -> dict[str, str]:
    """The workbook's sheet name of each unit of `units` (:func:`sheet_names`, clear of the
    summary, directory and matrix sheets)."""
    return sheet_names(units, reserved=(SHEET_SUMMARY, SHEET_DIRECTORY, SHEET_MATRIX))


def sheet_names(units, *, reserved=()) -> dict[str, str]:
    """Excel sheet name for each unit: ``{unit: sheet name}``, deterministic in the given order.

    Excel forbids ``[ ] : * ? / \\``, names over 31 characters, a leading or trailing
    apostrophe, the name ``History`` and duplicates compared without case. Forbidden
    characters become ``_``, long names are cut to 31 characters, and a name taken by an
    earlier unit (or by one of `reserved`) gets ``~2``, ``~3`` … within the 31 characters.

    Examples
    --------
    >>> sheet_names(["区甲局", "a/b", "A?B", "History"])
    {'区甲局': '区甲局', 'a/b': 'a_b', 'A?B': 'A_B~2', 'History': 'History_'}
    """
    units = list(units)
    if len(set(units)) != len(units):
        raise ValueError("unit names must be unique")

    def clean(name: str) -> str:
        s = _SHEET_FORBIDDEN.sub("_", str(name)).strip()
        s = _cut(s.strip("'"), _SHEET_MAX).rstrip("'") or "_"  # (the cut may end on an apostrophe)
        if s.casefold() == "history":
            s = s + "_"
        return s

    def fit(name: str, suffix: str) -> str:
        return _cut(clean(name), _SHEET_MAX - len(suffix)).rstrip("'") + suffix

    reserved = [str(r) for r in reserved]
    names = _dedupe(reserved + [clean(u) for u in units], str.casefold, lambda n, sfx: fit(n, sfx))
    return dict(zip(units, names[len(reserved) :], strict=True))


_FILE_BYTES = 200  # longest file stem in UTF-8 bytes (file systems allow 255 with the suffix)


def _fit_bytes(s: str, limit: int) -> str:
    """The longest prefix of `s` of at most `limit` UTF-8 bytes (never a cut character)."""
    return s.encode("utf-8")[:limit].decode("utf-8", "ignore")


def file_names(units, *, suffix: str = ".html", reserved=("index", "all")) -> dict[str, str]:
    """File name for each unit, safe on Windows, macOS and Linux: ``{unit: file name}``.

    Chinese names are kept (every current system handles them); ``<>:"/\\|?*`` and control
    characters become ``_``, trailing dots and spaces go, device names (``CON``, ``NUL``, ``COM1``
    …) get a ``_``, and names equal without case get ``~2`` …. A name longer than 100
    characters or 200 UTF-8 bytes (a file name may have 255 bytes; 100 Chinese characters are
    300) is cut and gets ``~`` and the first 8 hex digits of the SHA-1 of the full name, so the
    name stays unique and the same on every run.

    Examples
    --------
    >>> file_names(["区甲局", "a:b", "CON", "A:B"])
    {'区甲局': '区甲局.html', 'a:b': 'a_b.html', 'CON': 'CON_.html', 'A:B': 'A_B~2.html'}
    """
    units = list(units)

    def clean(name: str) -> str:
        s = unicodedata.normalize("NFC", _FILE_FORBIDDEN.sub("_", str(name))).strip().rstrip(". ")
        if len(s) > 100 or len(s.encode("utf-8")) > _FILE_BYTES:  # 255 bytes is the usual limit
            digest = hashlib.sha1(str(name).encode("utf-8")).hexdigest()[:8]
            s = _fit_bytes(s[:100], _FILE_BYTES - 9).rstrip(". ") + "~" + digest
        s = s or "_"
        if s.split(".")[0].casefold() in _WINDOWS_RESERVED:
            s = s + "_"
        return s

    reserved = [str(r) for r in reserved]
    stems = _dedupe(
        reserved + [clean(u) for u in units],
        str.casefold,
        lambda n, sfx: _fit_bytes(clean(n), _FILE_BYTES - len(sfx.encode("utf-8"))) + sfx,
    )
    return {u: s + suffix for u, s in zip(units, stems[len(reserved) :], strict=True)}


# ---------------------------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------------------------


def display_width(text) -> int:
    """Width of `text` in half-width cells: CJK and full-width characters count 2.

    >>> display_width("区司法局"), display_width("P1-01")
    (8, 5)
    """
    return sum(map(_CHAR_WIDTHS.__getitem__, str(text)))


class _CharWidths(dict):
    """Half-width cells of each character (2 for East Asian wide and full-width ones), looked up
    once per distinct character: a task sheet measures about a million texts at corpus size."""

    def __missing__(self, ch: str) -> int:
        width = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        self[ch] = width
        return width


_CHAR_WIDTHS = _CharWidths()


#: Columns of a unit's sheet, in order, with the Chinese header the unit sees (code names are
#: in the directory sheet's column legend, :data:`COLUMN_NOTES`).
UNIT_SHEET_COLUMNS = {
    "measure_id": "编号",
    "role_zh": "职责",
    "text": "具体项目",
    "other_leads": "其他牵头单位",
    "other_responsible": "其他责任单位",
    "deadline": "完成时限",
    "implementation": "落实情况",
    "person_in_charge": "责任人",
    "plan_title": "方案",
    "section": "部分",
    "source_line": "原文行",
}
#: Columns the unit fills in and returns (blank, shaded); ``deadline`` too where the plan gives none.
FILL_IN_COLUMNS = ("implementation", "person_in_charge")

#: Column widths (in Excel character units) of the unit sheets.
_TASK_WIDTHS = {
    "measure_id": 9,
    "role_zh": 7,
    "text": 48,
    "other_leads": 16,
    "other_responsible": 16,
    "deadline": 11,
    "implementation": 24,
    "person_in_charge": 10,
    "plan_title": 16,
    "section": 16,
    "source_line": 7,
}
_CENTERED = ("measure_id", "role", "role_zh", "plan_id", "source_line", "deadline", "person_in_charge")

#: Chinese headers of the summary's workload and collective tables.
_WORKLOAD_LABELS = {
    "rank": "排名",
    "unit": "单位",
    "name_en": "英文名称",
    "system_zh": "系统",
    "n_lead": "牵头",
    "n_sole_lead": "单独牵头",
    "n_colead": "共同牵头",
    "lead_share": "牵头份额",
    "n_responsible": "责任",
    "n_both": "牵头兼责任",
    "n_total": "合计",
    "text_load": "文字负荷",
}
_COLLECTIVE_LABELS = {
    "unit": "集合性表述",
    "name_en": "英文名称",
    "n_lead": "牵头",
    "n_responsible": "责任",
    "n_only_collective": "仅集合性责任",
    "share_responsible_mentions": "占责任提及比例",
    "n_members": "成员单位数",
}
_DIRECTORY_LABELS = {
    "unit": "单位",
    "name_en": "英文名称",
    "system": "系统代码",
    "system_zh": "系统",
    "system_en": "system (en)",
    "is_collective": "集合性表述",
    "aliases": "别名",
    "n_lead": "牵头",
    "n_responsible": "责任",
    "n_both": "牵头兼责任",
    "n_total": "合计",
    "sheet": "工作表",
}

#: What each column of the unit sheets and of the summary means, with its code name (the column
#: name in ``reports/*.csv`` and in :func:`unit_tasks`): the legend in the directory sheet.
COLUMN_NOTES = {
    "measure_id": "方案-项目序号(P1-05 即第一个方案第 5 项)",
    "role_zh": "本单位的职责:牵头、责任,或两者兼有",
    "text": "措施原文(全文)",
    "other_leads": "本措施的其他牵头单位(按单位名录合并别名)",
    "other_responsible": "本措施的其他责任单位",
    "deadline": "方案规定的完成时限;方案未规定的留空,由单位填写",
    "implementation": "由单位填写:落实情况",
    "person_in_charge": "由单位填写:责任人",
    "plan_title": "所属方案",
    "section": "所属部分",
    "source_line": "原文行号(data/raw 中的文本)",
    "rank": "按牵头份额排名",
    "lead_share": "牵头份额:每项措施按牵头单位数均分(单独牵头计 1,三家共同牵头各计 1/3)",
    "text_load": "文字负荷:所牵头措施的字数,按牵头单位数均分",
    "n_both": "同一措施既是牵头又是责任单位的项数",
}

# Printable width of A4 landscape with the margins below, in points; an Excel width unit of
# 11 pt text is about 5.6 pt (7 px of the default font plus padding, at 96 dpi).
_PRINTABLE_PT = {True: (297 - 2 * 12.7) / 25.4 * 72, False: (210 - 2 * 12.7) / 25.4 * 72}
_PT_PER_WIDTH = 5.6
#: Smallest print scale (percent): 11 pt text prints at 8.25 pt or larger.
MIN_PRINT_SCALE = 75


def print_scale(widths, *, landscape: bool = True) -> int:
    """Print scale (percent, at most 100) at which columns of these widths fill one A4 page width.

    An estimate on the safe side (Excel's width unit is about 5.25 pt plus 3.75 pt of padding
    per column; 5.6 pt is counted). :func:`_page_setup` fits a sheet to one page width when
    this is at least :data:`MIN_PRINT_SCALE`, else prints it at that scale across pages.

    >>> print_scale([10] * 10), print_scale([50] * 10)
    (100, 27)
    """
    need = sum(widths) * _PT_PER_WIDTH
    return min(100, math.floor(100 * _PRINTABLE_PT[landscape] / need)) if need else 100


def _put(ws, row: int, col: int, value, style=None):
    """Write `value` into a cell; text is always a string cell, never a formula.

    Text goes through :func:`analysis.safetext.xlsx_text` (control characters replaced, cut
    with a note over 32,767 characters), the cell's ``data_type`` is set to ``'s'`` (openpyxl
    would make ``=…`` a formula), and text that starts like a formula gets Excel's quote prefix
    so that editing the cell keeps it text. `style` is a named style of :func:`_styles`.
    """
    if isinstance(value, str):
        value = xlsx_text(value) or None  # (an empty text is an empty cell)
    c = ws.cell(row=row, column=col)
    c.value = value
    if style is not None:
        _set_style(c, style)
    if isinstance(value, str):
        c.data_type = "s"
        if is_formula_like(value):
            c.quotePrefix = True
    return c


def _set_style(cell, style) -> None:
    """Give `cell` the named style `style` (a ``NamedStyle`` registered by :func:`_styles`).

    This is the last step of openpyxl's ``cell.style = style`` (a copy of the style's array of
    ids), without the search of the workbook's style list that comes before it on every cell:
    a third of the time of a 50,000-row task workbook. The file written is the same.
    """
    cell._style = copy.copy(style.as_tuple())


def _lines(text, width: float) -> int:
    """Lines `text` takes when wrapped in a column `width` characters wide (an estimate on the safe side)."""
    usable = max(width - 1.5, 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in str(text).split("\n"))


_LINE_PT = 16.5  # points per wrapped line of 11 pt CJK text (Excel's CJK fonts need ~15.75)
#: openpyxl's colours (``RRGGBB``, no ``#``) of :data:`analysis.style.SHEET_COLORS` and the role
#: cells' fills (:data:`analysis.style.SHEET_ROLE_FILLS`).
_XLSX_COLORS = {k: v.lstrip("#") for k, v in SHEET_COLORS.items()}
_ROLE_FILLS = {k: v.lstrip("#") for k, v in SHEET_ROLE_FILLS.items()}


def _styles(wb) -> dict:
    """Register the workbook's named cell styles; returns them (``NamedStyle``) and a few fonts and fills.

    Cells get a named style (``_set_style(cell, st["body"])``), which is much faster than
    setting font, fill, alignment and border on each cell; ``st[key]`` is the ``NamedStyle``.
    """
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color=_XLSX_COLORS["grid"])
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="top", wrap_text=True)
    header_fill = PatternFill("solid", fgColor=_XLSX_COLORS["head"])
    grey = PatternFill("solid", fgColor=_XLSX_COLORS["collective"])
    specs = {
        "body": {"alignment": wrap},
        "center": {"alignment": center},
        "header": {"alignment": center, "font": Font(bold=True), "fill": header_fill},
        "rotated": {
            "alignment": Alignment(text_rotation=90, horizontal="center", vertical="bottom"),
            "font": Font(bold=True),
            "fill": header_fill,
        },
        "body_grey": {"alignment": wrap, "fill": grey},
        "center_grey": {"alignment": center, "fill": grey},
        "fill_in": {"alignment": wrap, "fill": PatternFill("solid", fgColor=_XLSX_COLORS["fill_in"])},
        "fill_in_center": {"alignment": center, "fill": PatternFill("solid", fgColor=_XLSX_COLORS["fill_in"])},
        **{f"role_{k}": {"alignment": center, "fill": PatternFill("solid", fgColor=v)} for k, v in _ROLE_FILLS.items()},
    }
    st = {}
    for key, spec in specs.items():
        name = f"任务清单 {key}"
        st[key] = NamedStyle(name=name, border=border, **spec)
        wb.add_named_style(st[key])
    st["title_font"] = Font(bold=True, size=13)
    st["link_font"] = Font(color=_XLSX_COLORS["link"], underline="single")
    st["collective_fill"] = grey
    return st


def _page_setup(ws, *, landscape: bool, title_rows: str, widths=None, title_cols: str | None = None):
    """A4, margins, repeated title rows, page numbers in the footer and the sheet name in the header.

    With `widths` (the printed columns' widths), the sheet is fitted to one page width if that
    keeps the scale at :data:`MIN_PRINT_SCALE` or more (11 pt text at 8.25 pt or larger);
    otherwise it prints at that scale across pages, repeating `title_cols`.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if widths is not None:
        fits = print_scale(widths, landscape=landscape) >= MIN_PRINT_SCALE
        ws.sheet_properties.pageSetUpPr.fitToPage = fits
        if fits:
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
        else:
            ws.page_setup.scale = MIN_PRINT_SCALE
            ws.page_setup.pageOrder = "overThenDown"
    ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.right.text = "&A"
    ws.oddHeader.right.size = 9
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.oddFooter.center.size = 9


def _write_table(
    ws,
    df: pd.DataFrame,
    labels: dict[str, str],
    *,
    row: int,
    col: int,
    widths,
    st,
    code_names: bool = True,
    body_style=None,
) -> int:
    """Write `df` with its header at (row, col); returns the last row.

    The header is the Chinese label, with the column name on a second line when `code_names`.
    Body cells get the style ``st["body"]``, or ``st[body_style(column, value)]`` with `body_style`.
    """
    from openpyxl.utils import get_column_letter

    header_height = 1
    for j, name in enumerate(df.columns):
        label = labels.get(name, name)
        text = f"{label}\n{name}" if code_names and label != name else label
        _put(ws, row, col + j, text, st["header"])
        w = widths.get(name) or min(max(display_width(label), display_width(name) if code_names else 0, 6) + 2, 40)
        ws.column_dimensions[get_column_letter(col + j)].width = w
        header_height = max(header_height, _lines(text, w))
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, header_height * _LINE_PT)
    names = list(df.columns)
    for i, rec in enumerate(df.itertuples(index=False), start=1):
        lines = 1
        for j, value in enumerate(rec):
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            style = st["body"] if body_style is None else st[body_style(names[j], value)]
            c = _put(ws, row + i, col + j, value, style)
            if isinstance(value, float):
                c.number_format = "0.000"
            if isinstance(value, str):
                lines = max(lines, _lines(c.value, ws.column_dimensions[get_column_letter(col + j)].width))
        r = ws.row_dimensions[row + i]
        r.height = min(max(r.height or 0, lines * _LINE_PT), 409)  # (Excel's largest row height)
    return row + len(df)


def _auto_widths(df: pd.DataFrame, labels, cap=40, fixed=None, code_names: bool = True) -> dict[str, float]:
    fixed = fixed or {}
    out = {}
    for name in df.columns:
        if name in fixed:
            out[name] = fixed[name]
            continue
        values = [display_width(labels.get(name, name)), display_width(name) if code_names else 0]
        values += [display_width(v if not isinstance(v, float) else f"{v:.3f}") for v in df[name].tolist()]
        out[name] = min(max(values) + 2, cap)
    return out


def _title(ws, text: str, st, *, column: int = 1):
    _put(ws, 1, column, text).font = st["title_font"]


def _sheet_link(cell, sheet: str, st):
    """Make `cell` an internal link to cell A1 of `sheet`."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    cell.hyperlink = Hyperlink(ref=cell.coordinate, location="'" + sheet.replace("'", "''") + "'!A1")
    cell.font = st["link_font"]


def task_workbook(
    ds,
    tables: dict[str, pd.DataFrame],
    *,
    units: list[str] | None = None,
    tasks: pd.DataFrame | None = None,
    matrix: pd.DataFrame | None = None,
    directory: pd.DataFrame | None = None,
    progress=None,
):
    """Build the task-sheet workbook (an ``openpyxl.Workbook``; see the module docstring).

    The sheets, in order: :func:`_summary_sheet`, :func:`_directory_sheet`, the role matrix
    (:func:`_role_matrix_sheet`, or :func:`_role_table_sheet` in long form when Excel has too few
    columns for it) and one :func:`_unit_sheet` per unit. Above the limits of
    :mod:`analysis.limits` only the units of :func:`task_sheet_units` get a sheet, and the table
    sheets show their first :data:`analysis.limits.SHEET_MAX_ROWS` rows. `tasks` is
    `units` (:func:`task_sheet_units`), `tasks` (:func:`task_table` of those units at least),
    `matrix` (:func:`role_sheet_table`) and `directory` (:func:`unit_directory`) are computed
    unless the caller has them; `progress` is called with ``(stage, done, total)`` after each unit sheet.
    """
    from openpyxl import Workbook

    wb = Workbook()
    st = _styles(wb)
    units = task_sheet_units(ds) if units is None else units
    tasks = task_table(ds, units=units) if tasks is None else tasks
    sheets = unit_sheet_names(units)
    directory = unit_directory(ds, sheets) if directory is None else directory
    wb.properties.creator = "analysis (python -m analysis build)"
    wb.properties.title = "分工方案任务清单 Task sheets"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    _summary_sheet(wb, tables, sheets, st)
    _directory_sheet(wb, directory, st)
    matrix = role_sheet_table(ds) if matrix is None else matrix
    (_role_table_sheet if matrix_is_long(ds) else _role_matrix_sheet)(wb, matrix, sheets, st)
    step = progress or (lambda *args: None)
    by_unit = dict(iter(tasks.groupby("unit", sort=False)))
    en = ds.units.set_index("unit")["name_en"]
    counts = directory.set_index("unit")
    for k, unit in enumerate(units, start=1):
        unit_tasks = by_unit.get(unit, tasks.iloc[0:0])[list(TASK_COLUMNS)].reset_index(drop=True)
        title = _unit_title(unit, en.get(unit, ""), counts.loc[unit])
        _unit_sheet(wb.create_sheet(sheets[unit]), unit_tasks, title, st)
        step("task sheets: unit sheets", k, len(units))
    return wb


def _summary_sheet(wb, tables: dict[str, pd.DataFrame], sheets: dict[str, str], st) -> None:
    """The summary sheet (the workbook's first): the workload table (named units, by rank) with the
    collective table beside it; Chinese headers only, each unit name linked to its sheet."""
    from openpyxl.utils import get_column_letter

    ws = wb.active
    ws.title = SHEET_SUMMARY
    wl, labels = _summary_workload(tables["workload"])
    _title(ws, "工作量(具名单位,按牵头份额排名;点击单位名称打开其任务清单)", st)
    widths = _auto_widths(wl, labels, fixed={"name_en": 20}, cap=20, code_names=False)
    last = _write_table(ws, wl, labels, row=2, col=1, widths=widths, st=st, code_names=False)
    ws.auto_filter.ref = f"A2:{get_column_letter(wl.shape[1])}{last}"
    unit_col = list(wl.columns).index("unit") + 1
    for r in range(3, last + 1):
        name = sheets.get(ws.cell(row=r, column=unit_col).value)
        if name:
            _sheet_link(ws.cell(row=r, column=unit_col), name, st)
    ct = tables["collectives"]
    ct = ct[[c for c in _COLLECTIVE_LABELS if c in ct.columns]].head(_sheet_room())
    c0 = wl.shape[1] + 2
    ws.column_dimensions[get_column_letter(c0 - 1)].width = 3
    _title(ws, "集合性表述(不计入排名)", st, column=c0)
    cwidths = _auto_widths(ct, _COLLECTIVE_LABELS, fixed={"name_en": 24}, cap=24, code_names=False)
    end = _write_table(ws, ct, _COLLECTIVE_LABELS, row=2, col=c0, widths=cwidths, st=st, code_names=False)
    for r in range(3, 3 + len(ct)):
        ws.cell(row=r, column=c0 + list(ct.columns).index("share_responsible_mentions")).number_format = "0.0%"
    ws.freeze_panes = "C3"
    _page_setup(ws, landscape=True, title_rows="1:2", title_cols="A:B", widths=list(widths.values()))
    # Two print areas: each table printed on its own.
    ws.print_area = [
        f"A1:{get_column_letter(wl.shape[1])}{last}",
        f"{get_column_letter(c0)}1:{get_column_letter(c0 + ct.shape[1] - 1)}{end}",
    ]


def _summary_workload(wl: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The summary's workload columns (:data:`_WORKLOAD_LABELS`, then the per-plan counts) and
    their Chinese headers, cut at the sheet's rows."""
    wl = wl.assign(system_zh=wl["system"].map(lambda s: SYSTEMS.get(s, (s, s))[0]))
    plan_cols = [c for c in wl.columns if re.fullmatch(r"n_(lead|responsible)_P\w+", c)]
    labels = dict(_WORKLOAD_LABELS)
    for c in plan_cols:
        role, plan = c.split("_")[1], c.split("_")[-1]
        labels[c] = f"{plan}{'牵头' if role == 'lead' else '责任'}"
    cols = [c for c in _WORKLOAD_LABELS if c in wl.columns] + plan_cols
    return wl[cols].head(_sheet_room()), labels


def _directory_sheet(wb, directory: pd.DataFrame, st) -> None:
    """The unit directory sheet: every unit's names, system, counts and sheet (linked), collectives
    shaded; beside it the legend of column names (:func:`_column_legend`)."""
    from openpyxl.utils import get_column_letter

    wd = wb.create_sheet(SHEET_DIRECTORY)
    _title(wd, "单位名录(中英文名称、系统、工作表名;集合性表述无单独工作表)", st, column=1)
    directory = directory.head(_sheet_room())
    directory = directory.assign(is_collective=directory["is_collective"].map({True: "是", False: "否"}))
    dwidths = _auto_widths(directory, _DIRECTORY_LABELS, fixed={"name_en": 40, "aliases": 16})
    last = _write_table(wd, directory, _DIRECTORY_LABELS, row=2, col=1, widths=dwidths, st=st)
    wd.auto_filter.ref = f"A2:{get_column_letter(directory.shape[1])}{last}"
    scol = list(directory.columns).index("sheet") + 1
    for r in range(3, last + 1):
        name = wd.cell(row=r, column=scol).value
        if name:
            _sheet_link(wd.cell(row=r, column=1), name, st)
            _sheet_link(wd.cell(row=r, column=scol), name, st)
        elif directory["is_collective"].iloc[r - 3] == "是":
            for j in range(1, directory.shape[1] + 1):
                wd.cell(row=r, column=j).fill = st["collective_fill"]
    l0 = directory.shape[1] + 2
    legend_end = _column_legend(wd, st, column=l0)
    wd.freeze_panes = "B3"
    _page_setup(wd, landscape=True, title_rows="1:2", title_cols="A:A", widths=list(dwidths.values()))
    wd.print_area = [
        f"A1:{get_column_letter(directory.shape[1])}{last}",
        f"{get_column_letter(l0)}1:{get_column_letter(l0 + 2)}{legend_end}",
    ]


def _column_legend(ws, st, *, column: int) -> int:
    """The legend of column names (:data:`COLUMN_NOTES`) from `column` on; returns its last row."""
    from openpyxl.utils import get_column_letter

    ws.column_dimensions[get_column_letter(column - 1)].width = 3
    _title(ws, "各工作表列名对照(列名 = reports/*.csv 中的列名)", st, column=column)
    legend_labels = {**_WORKLOAD_LABELS, **UNIT_SHEET_COLUMNS}
    legend = pd.DataFrame(
        [
            (legend_labels.get(k, k), k, COLUMN_NOTES.get(k, ""))
            for k in [*UNIT_SHEET_COLUMNS, *(c for c in _WORKLOAD_LABELS if c not in UNIT_SHEET_COLUMNS)]
        ],
        columns=["label", "column", "note"],
    )
    labels = {"label": "列", "column": "列名", "note": "说明"}
    widths = {"label": 14, "column": 20, "note": 50}
    return _write_table(ws, legend, labels, row=2, col=column, widths=widths, st=st, code_names=False)


def _unit_title(unit: str, name_en: str, counts) -> str:
    """The title row of a unit's sheet; `counts` has the unit's ``n_lead, n_responsible, n_total``
    (:func:`analysis.facts.unit_counts`, as in the directory)."""
    n_lead, n_resp, n_total = (int(counts[c]) for c in ("n_lead", "n_responsible", "n_total"))
    return f"{unit}  {name_en}  任务清单:牵头 {n_lead} 项,责任 {n_resp} 项,共 {n_total} 项"


def _unit_sheet(wu, tasks: pd.DataFrame, title: str, st) -> None:
    """One unit's sheet: its task list (:func:`unit_tasks`) under `title`, Chinese headers only,
    with the columns the unit fills in shaded."""
    from openpyxl.utils import get_column_letter

    cols = list(UNIT_SHEET_COLUMNS)
    tasks = tasks.assign(implementation="", person_in_charge="")[cols]
    _put(wu, 1, 1, title).font = st["title_font"]
    _sheet_link(_put(wu, 1, len(cols), "返回汇总"), SHEET_SUMMARY, st)
    wu.row_dimensions[1].height = 22
    last = _write_table(
        wu,
        tasks,
        UNIT_SHEET_COLUMNS,
        row=2,
        col=1,
        widths=_TASK_WIDTHS,
        st=st,
        code_names=False,
        body_style=_task_style,
    )
    wu.auto_filter.ref = f"A2:{get_column_letter(len(cols))}{max(last, 2)}"
    wu.freeze_panes = "B3"
    _page_setup(wu, landscape=True, title_rows="1:2", widths=list(_TASK_WIDTHS.values()))


def _task_style(name: str, value) -> str:
    """The style of a unit sheet's cell: the columns the unit fills in shaded (the deadline too
    where the plan gives none), short columns centred."""
    if name in FILL_IN_COLUMNS or (name == "deadline" and not value):
        return "fill_in_center" if name in _CENTERED else "fill_in"
    return "center" if name in _CENTERED else "body"


def _role_matrix_sheet(wb, mx: pd.DataFrame, sheets: dict[str, str], st) -> None:
    """The role-matrix sheet: units × measures (`mx`: :func:`role_matrix`)."""
    from openpyxl.utils import get_column_letter

    measure_cols = [c for c in mx.columns if c not in MATRIX_META_COLUMNS]
    wm = wb.create_sheet(SHEET_MATRIX)
    _title(wm, "角色矩阵:L = 牵头,R = 责任,L+R = 牵头兼责任;灰色行为集合性表述(英文名称见单位名录)", st)
    header = ["unit", "is_collective", *measure_cols]
    labels = {"unit": "单位\nunit", "is_collective": "集合性\nis_collective"}
    unit_width = max(display_width(u) for u in mx["unit"]) + 2
    for j, name in enumerate(header, start=1):
        _put(wm, 2, j, labels.get(name, name), st["header"] if name in labels else st["rotated"])
        wm.column_dimensions[get_column_letter(j)].width = {"unit": unit_width, "is_collective": 12}.get(name, 4.7)
    wm.row_dimensions[2].height = 45
    for i, rec in enumerate(mx[header].itertuples(index=False), start=3):
        unit, collective, *cells = rec
        grey = "_grey" if collective else ""
        c = _put(wm, i, 1, unit, st["body" + grey])
        if unit in sheets:
            _sheet_link(c, sheets[unit], st)
        _put(wm, i, 2, "是" if collective else "否", st["center" + grey])
        for j, value in enumerate(cells, start=3):
            _put(wm, i, j, value or None, st[f"role_{value}"] if value else st["center" + grey])
        wm.row_dimensions[i].height = _LINE_PT
    wm.freeze_panes = "C3"
    wm.auto_filter.ref = f"A2:{get_column_letter(len(header))}{len(mx) + 2}"
    _page_setup(wm, landscape=False, title_rows="1:2", title_cols="A:B")
    wm.page_setup.fitToWidth = 0
    wm.page_setup.fitToHeight = 1
    wm.sheet_properties.pageSetUpPr.fitToPage = True


def _role_table_sheet(wb, t: pd.DataFrame, sheets: dict[str, str], st) -> None:
    """The role-matrix sheet in long form (`t`: :func:`role_table`), cut at Excel's row limit (the rest counted)."""
    room = _sheet_room()
    cut = max(0, len(t) - room)
    wm = wb.create_sheet(SHEET_MATRIX)
    note = f";前 {room:,} 行,其余 {cut:,} 行见 reports/role_matrix.csv" if cut else ""
    _title(wm, f"角色矩阵(长表:措施数超出 Excel 列数上限):L = 牵头,R = 责任,L+R = 牵头兼责任{note}", st)
    header = ["unit", "is_collective", "measure_id", "role"]
    labels = {
        "unit": "单位\nunit",
        "is_collective": "集合性\nis_collective",
        "measure_id": "编号\nmeasure_id",
        "role": "职责\nrole",
    }
    for j, name in enumerate(header, start=1):
        _put(wm, 2, j, labels[name], st["header"])
        wm.column_dimensions["ABCD"[j - 1]].width = 30 if name == "unit" else 12
    for i, (unit, collective, mid, role) in enumerate(t[header].head(room).itertuples(index=False), start=3):
        _put(wm, i, 1, unit)
        wm.cell(row=i, column=2, value="是" if collective else "否")
        _put(wm, i, 3, mid)
        _put(wm, i, 4, role, st[f"role_{role}"])
    wm.freeze_panes = "A3"
    wm.auto_filter.ref = f"A2:D{min(len(t), room) + 2}"
    _page_setup(wm, landscape=False, title_rows="1:2")


def normalize_xlsx(data: bytes, *, date_time=FIXED_TIME) -> bytes:
    """Rewrite an xlsx (zip) so the bytes depend on its contents only.

    Every entry gets the same date, file attributes and compression, in the original order;
    ``docProps/core.xml``'s ``dcterms:modified`` is set to `date_time` (openpyxl's
    ``save_workbook`` stamps the current time there).
    """
    stamp = date_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    body,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=date_time.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buf.getvalue()


def write_xlsx(wb, path) -> Path:
    """Save `wb` to `path` byte-identically on re-run (see :func:`normalize_xlsx`)."""
    from openpyxl.writer.excel import ExcelWriter

    path = Path(path)
    wb.properties.created = wb.properties.created or FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return write_bytes(path, normalize_xlsx(raw.getvalue()))  # atomically


# ---------------------------------------------------------------------------------------------
# Printable pages
# ---------------------------------------------------------------------------------------------

#: ``<meta name="generator">`` of every page this module writes: a rebuild removes stale pages
#: that carry it and leaves any other ``*.html`` a user keeps in ``units/`` alone.
PAGE_GENERATOR = "analysis.sheets task list"

_CSS = string.Template("""
@page { size: A4 landscape; margin: 12mm 12mm 16mm 12mm;
        @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 9pt; color: $dim; } }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "SimSun", sans-serif; font-size: 10.5pt; line-height: 1.5; color: $text; margin: 0 auto;
       max-width: 290mm; padding: 8px; }
h1 { font-size: 16pt; margin: 0 0 2px 0; }
h1 .en { font-size: 11pt; font-weight: normal; color: $english; margin-left: 0.6em; }
p.meta { margin: 0 0 8px 0; color: $meta; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid $grid; padding: 3px 5px; vertical-align: top; text-align: left; }
thead th { background: $header; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
tr.plan { break-after: avoid; page-break-after: avoid; }
tr.plan td { background: $plan; font-weight: bold; }
td.id, td.role { white-space: nowrap; }
td.role.L { color: $lead; font-weight: bold; }
td.role.LR { color: $both; font-weight: bold; }
col.id { width: 6%; } col.role { width: 7%; } col.text { width: 41%; } col.units { width: 14%; }
col.deadline { width: 7%; } col.status { width: 18%; }
table.d col.text { width: 34%; }
section.unit { page-break-after: always; break-after: page; }
section.unit:last-child { page-break-after: auto; break-after: auto; }
p.note { font-size: 9pt; color: $dim; margin-top: 6px; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; } }
""").substitute(PAGE_COLORS, lead=ROLE_COLORS["lead"], both=ROLE_COLORS["lead+responsible"])


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="generator" content="{PAGE_GENERATOR}">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _unit_section(unit: str, name_en: str, tasks: pd.DataFrame, counts) -> str:
    """The printable task list of `unit`: its `tasks` (:func:`unit_tasks`) under a heading with
    its `counts` (``n_lead, n_responsible, n_both, n_total`` of :func:`analysis.facts.unit_counts`)."""
    e = html.escape
    n_lead, n_resp, n_both, n_total = (int(counts[c]) for c in ("n_lead", "n_responsible", "n_both", "n_total"))
    both = f"(其中 {n_both} 项同时为牵头和责任单位)" if n_both else ""
    has_deadline = bool((tasks["deadline"] != "").any())  # (a column only when the plan gives deadlines)
    n_cols = 7 if has_deadline else 6
    rows = []
    current = None
    for rec in tasks.itertuples(index=False):
        if (rec.plan_id, rec.section) != current:
            current = (rec.plan_id, rec.section)
            rows.append(f'<tr class="plan"><td colspan="{n_cols}">{e(rec.plan_title)} · {e(rec.section)}</td></tr>')
        cls = {"L": "L", "R": "R", "L+R": "LR"}[rec.role]
        deadline = f"<td>{e(rec.deadline)}</td>" if has_deadline else ""
        rows.append(
            f'<tr><td class="id">{e(rec.measure_id)}</td><td class="role {cls}">{e(rec.role_zh)}</td>'
            f"<td>{e(rec.text)}</td><td>{e(rec.other_leads) or '—'}</td><td>{e(rec.other_responsible) or '—'}</td>"
            f"{deadline}<td></td></tr>"
        )
    return (
        f'<section class="unit" id="{e(unit)}">\n'
        f'<h1>{e(unit)} 任务清单<span class="en">{e(name_en)}</span></h1>\n'
        f'<p class="meta">牵头 {n_lead} 项,责任 {n_resp} 项,共 {n_total} 项{both}</p>\n'
        + ('<table class="d">' if has_deadline else "<table>")
        + '\n<colgroup><col class="id"><col class="role"><col class="text">'
        '<col class="units"><col class="units">'
        + ('<col class="deadline">' if has_deadline else "")
        + '<col class="status"></colgroup>\n'
        "<thead><tr><th>编号</th><th>职责</th><th>具体项目</th><th>其他牵头单位</th><th>其他责任单位</th>"
        + ("<th>完成时限</th>" if has_deadline else "")
        + "<th>落实情况</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        '<p class="note">编号 = 方案-项目序号(P1-05 即第一个方案第 5 项);单位名称按单位名录合并别名。'
        "来源:reports/task_sheets.xlsx 同名工作表。</p>\n</section>\n"
    )


def unit_page_html(ds, unit: str) -> str:
    """One self-contained printable HTML page with `unit`'s task list (all data text escaped)."""
    en = ds.units.set_index("unit")["name_en"]
    counts = facts.unit_counts(ds).reindex([unit], fill_value=0).iloc[0]
    return _page(f"{unit} 任务清单", _unit_section(unit, str(en.get(unit, "")), unit_tasks(ds, unit), counts))


def _index_html(ds, units, files, directory, *, n_left: int = 0) -> str:
    e = html.escape
    d = directory.set_index("unit")
    totals = [int(d.loc[u, "n_total"]) for u in units]
    top = units[int(np.argmax(totals))] if units else None  # (the first of the largest)
    longest = f"任务多的单位跨多页(如{e(top)},{int(d.loc[top, 'n_total'])} 项),表头每页重复" if top else ""
    rows = "\n".join(
        f'<tr><td><a href="{quote(files[u])}">{e(u)}</a></td><td>{e(str(d.loc[u, "name_en"]))}</td>'
        + "".join(f"<td>{int(d.loc[u, c])}</td>" for c in ("n_lead", "n_responsible", "n_total"))
        + "</tr>"
        for u in units
    )
    body = (
        '<h1>各单位任务清单<span class="en">Task lists by unit</span></h1>\n'
        f'<p class="meta">每个单位一个文件,可直接打印(A4 横向,页脚有页码;{longest});'
        f'<a href="all.html">all.html</a> 含{"以上" if n_left else ""}全部单位(每个单位另起一页)。</p>\n'
        "<table>\n<thead><tr><th>单位</th><th>英文名称</th><th>牵头</th><th>责任</th><th>合计</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n"
    )
    if n_left:  # a national corpus: the units with the most measures have a page (analysis.limits)
        body += (
            f'<p class="note">以上为任务最多的 {len(units):,} 个单位;另有 {n_left:,} 个单位未单独成页,'
            "其任务清单见 reports/task_table.csv(按单位筛选)。"
            f"The {len(units):,} units with the most measures; {n_left:,} more units are in "
            "reports/task_table.csv.</p>\n"
        )
    return _page("各单位任务清单", body)


# ---------------------------------------------------------------------------------------------
# Build step
# ---------------------------------------------------------------------------------------------


def write_task_sheets(ds, tables: dict[str, pd.DataFrame], reports_dir, *, progress=None) -> dict[str, Path]:
    """Write the workbook, the role matrix and the printable pages; returns ``{name: path}``.

    Files: ``task_sheets.xlsx``, ``role_matrix.csv`` and ``units/`` (one ``<unit>.html`` per
    named unit, ``all.html``, ``index.html``) under `reports_dir`. Pages of units no longer in
    the data are removed (only pages this module wrote, recognised by their
    ``<meta name="generator">``; any other ``*.html`` in ``units/`` is left alone).

    Above the limits of :mod:`analysis.limits` (a national corpus), only the units of
    :func:`task_sheet_units` get a sheet and a page, and ``task_table.csv`` holds every named
    unit's task list in one long table (``unit, measure_id, role, other_leads,
    other_responsible, deadline, plan_id, source_line``); a sheet cut at
    :data:`analysis.limits.SHEET_MAX_ROWS` rows has its full table in a CSV
    (``unit_directory.csv`` for the directory). Those files exist only when needed (an earlier
    build's are removed). `progress` is called with ``(stage, done, total)``.
    """
    reports_dir = Path(reports_dir)
    step = progress or (lambda *args: None)
    roles = facts.unit_roles(ds)
    lists = UnitLists(ds)
    units = task_sheet_units(ds, roles=roles)
    directory = unit_directory(ds, unit_sheet_names(units), roles=roles)
    tasks = task_table(ds, units=units, roles=roles, lists=lists)
    matrix = role_sheet_table(ds, roles)
    wb = task_workbook(ds, tables, units=units, tasks=tasks, matrix=matrix, directory=directory, progress=progress)
    written = {"task_sheets": write_xlsx(wb, reports_dir / "task_sheets.xlsx")}
    del wb
    release_memory()  # the workbook's cells: about 0.3 GB at a million measures
    step("task sheets: workbook written", 1, 1)
    written["role_matrix"] = _write_role_matrix(matrix, reports_dir / "role_matrix.csv")
    del matrix  # (a long table at corpus size: not held through the task table below)
    release_memory()
    written.update(_write_corpus_tables(ds, units, roles, lists, directory, reports_dir, step))
    counts = facts.unit_counts(ds, roles)
    written.update(_write_unit_pages(ds, units, tasks, counts, directory, reports_dir / "units", step))
    return written


def _write_role_matrix(mx: pd.DataFrame, path: Path) -> Path:
    """``role_matrix.csv``: :func:`role_sheet_table` (the matrix, or its long form above Excel's columns)."""
    flags = np.where(mx["is_collective"].to_numpy(dtype=bool), "true", "false")
    return write_csv(csv_safe(mx.assign(is_collective=flags)), path)


def _write_corpus_tables(ds, units, roles, lists, directory, reports_dir: Path, step) -> dict[str, Path]:
    """The tables only a corpus beyond the limits needs: ``task_table.csv`` when some units
    (:func:`sheet_units`) have no sheet, ``unit_directory.csv`` when the directory sheet is
    cut; an earlier (larger) build's file that is no longer true is removed."""
    paths = {"task_table": reports_dir / "task_table.csv", "unit_directory": reports_dir / "unit_directory.csv"}
    written = {}
    everyone = sheet_units(ds)
    if len(units) < len(everyone):
        written["task_table"] = _write_long_tasks(ds, everyone, roles, lists, paths["task_table"], step)
    if len(roles["unit"].unique()) > _sheet_room():
        written["unit_directory"] = write_csv(csv_safe(directory), paths["unit_directory"])
    for name, path in paths.items():
        if name not in written and path.is_file():
            path.unlink()
    return written


def _write_unit_pages(ds, units, tasks, counts, directory, folder: Path, step) -> dict[str, Path]:
    """``units/``: one printable page per unit of `units` (`tasks`: their :func:`task_table`,
    `counts`: :func:`analysis.facts.unit_counts`), ``all.html`` with every one of them and
    ``index.html`` (`directory`: :func:`unit_directory`); this module's stale pages are removed,
    any other file stays."""
    files = file_names(units)
    _remove_stale_pages(folder, keep=set(files.values()) | {"index.html", "all.html"})
    en = ds.units.set_index("unit")["name_en"]
    by_unit = dict(iter(tasks.groupby("unit", sort=False)))
    written, sections = {}, []
    for k, unit in enumerate(units, start=1):
        mine = by_unit.get(unit, tasks.iloc[0:0])[list(TASK_COLUMNS)].reset_index(drop=True)
        section = _unit_section(unit, str(en.get(unit, "")), mine, counts.loc[unit])
        sections.append(section)
        written[f"unit_page:{unit}"] = write_text(folder / files[unit], _page(f"{unit} 任务清单", section))
        step("task sheets: unit pages", k, len(units))
    written["unit_pages_all"] = write_text(folder / "all.html", _page("各单位任务清单", "".join(sections)))
    left = len(sheet_units(ds)) - len(units)
    index = _index_html(ds, units, files, directory, n_left=left)
    written["unit_pages_index"] = write_text(folder / "index.html", index)
    return written


def _remove_stale_pages(folder: Path, *, keep: set) -> None:
    """Remove the pages of `folder` that this module wrote (:data:`PAGE_GENERATOR`) and that are not in `keep`."""
    if not folder.is_dir():
        return
    marker = f'<meta name="generator" content="{PAGE_GENERATOR}">'.encode()
    for old in sorted(folder.glob("*.html")):
        if old.name not in keep and old.is_file() and marker in old.read_bytes()[:400]:
            old.unlink()


#: Columns of ``task_table.csv`` (every unit's task list at corpus size; see :func:`write_task_sheets`).
TASK_TABLE_COLUMNS = [
    "unit",
    "measure_id",
    "role",
    "other_leads",
    "other_responsible",
    "deadline",
    "plan_id",
    "source_line",
]


def _write_long_tasks(ds, units, roles, lists, path, step, *, chunk: int = 200_000) -> Path:
    """Write :func:`task_table` of `units` (the :data:`TASK_TABLE_COLUMNS`) to `path` in blocks of
    `chunk` rows (atomically), so that the whole table never sits in memory at once."""
    from .errors import atomic_write

    roles = roles[roles["unit"].isin(set(units)).to_numpy()]
    rows, measures = _task_order(ds, roles)
    fields = _measure_fields(ds.measures, TASK_TABLE_COLUMNS)
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        for start in range(0, max(len(rows), 1), chunk):
            block = measures[start : start + chunk]
            part = _task_rows(roles, rows[start : start + chunk], block, fields, block, lists, TASK_TABLE_COLUMNS)
            csv_safe(part).to_csv(fh, index=False, header=start == 0, lineterminator="\n")
            step("task sheets: task_table.csv", min(start + chunk, len(rows)), len(rows))
    return Path(path)
