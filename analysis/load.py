"""Load ``measures.csv`` and the unit registry into validated DataFrames.

:func:`load` returns a :class:`Dataset` with three tables:

``measures``
    one row per measure, as in ``measures.csv`` (ints for numbers, ``str`` for text);
``assignments``
    the tidy long table everything else is built on: ``measure_id, role, position, unit_raw,
    unit`` (``role`` is ``lead`` or ``responsible``, ``position`` counts from 1 within the
    role, ``unit`` is the canonical name from the registry). ``role``, ``unit_raw`` and
    ``unit`` are categoricals (a million measures make five million rows of a few thousand
    names); ``unit_raw`` and ``unit`` share one sorted set of categories, so they compare and
    sort like the strings they hold;
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import read_text_csv, strip, to_arrow
from .config import MEASURES_CSV, UNITS_CSV
from .derived import Derived
from .errors import DataError, read_text
from .ingest import MEASURE_COLUMNS
from .limits import release_memory
from .registry import read_registry, spellings
from .vocabulary import MAYBE_NOT_PLAIN_RE2, is_plain, re2_chars, split_units

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "REQUIRED_COLUMNS",
    "Dataset",
    "load",
    "read_measures",
]

#: Columns a measures file must have; the others of ``MEASURE_COLUMNS`` are optional.
OPTIONAL_COLUMNS = (
    "source_file",
    "lead_line",
    "responsible_line",
    # added with the readers of other formats (older measures files lack them)
    "subsection_title",
    "leaders_raw",
    "deadline_raw",
    "issuer",
    "jurisdiction",
    "source_format",
    "source_place",
    "lead_place",
    "responsible_place",
)
REQUIRED_COLUMNS = [c for c in MEASURE_COLUMNS if c not in OPTIONAL_COLUMNS]
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
    #: What the stages derive from the frames (integer codes, projections), checked against
    #: the frames before each use: see :mod:`analysis.derived`. A new one for every dataset,
    #: ``dataclasses.replace`` included.
    derived: Derived = field(default_factory=Derived, init=False, repr=False, compare=False)


def read_measures(path=MEASURES_CSV) -> pd.DataFrame:
    """Read and validate a measures CSV (UTF-8 with or without BOM, or GB18030).

    Adds a ``csv_line`` column (the row's line in the file) for error messages. Text columns
    are pandas ``str`` columns backed by Arrow; number columns ``Int64``.

    A plain UTF-8 file with ``\\n`` line ends is parsed by Arrow's multi-threaded CSV reader
    and checked column by column, so a million rows take about a second. Files Arrow could
    read differently from Python's :mod:`csv` module (blank or whitespace-only lines, line
    breaks inside quoted fields, ``\\r`` line ends, GB18030, rows with too few or too many
    fields) are tokenised by the :mod:`csv` module instead; the checks and the resulting frame
    are the same either way (``tests/test_scale.py`` compares both with a row-by-row reader).

    Raises
    ------
    DataError
        Missing, unexpected or repeated columns, an empty ``measure_id`` or ``text``, a duplicate
        ``measure_id``, a number that is not an integer, or a measure with no unit at all. When a
        file has several problems, the one on the earliest line is reported (the first check in
        the order above for that line).
    """
    path = Path(path)
    scan = _scan(path)
    text = None if scan is not None else read_text(path)[0]
    header = next(csv.reader([scan.header]), []) if scan is not None else next(csv.reader(io.StringIO(text)), [])
    header = [_strip_invisible(h) for h in header]  # a BOM or zero-width space before a name is not part of it
    columns = _checked_columns(path, header)
    table = _table_arrow(path, scan, header) if scan is not None else None
    if table is None and text is None:
        text = read_text(path)[0]
    if table is not None:
        table = _clean_ids(path, _strip_table(table), None)
        if _arrow_flags(table):  # some row is bad (or unusual): find the first error as below
            _check_rows(path, _frame(table), None)
        return _to_pandas(table, columns)
    df, extra = _records_csv(path, text, header)
    if not len(df):
        raise DataError(path, None, "no measure in file")
    table = _strip_table(pa.Table.from_pandas(df.drop(columns="csv_line"), preserve_index=False))
    table = _clean_ids(path, table, df["csv_line"].to_numpy())
    df = _frame(table).assign(csv_line=df["csv_line"].to_numpy())
    _check_rows(path, df, extra)
    return _to_pandas(table, columns, df["csv_line"].to_numpy())


def _checked_columns(path: Path, header: list[str]) -> list[str]:
    """The columns of a measures file's `header`, in :data:`MEASURE_COLUMNS` order. Raises
    DataError (line 1) for missing, then unexpected, then repeated columns."""
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unexpected = [c for c in header if c not in MEASURE_COLUMNS]
    if missing:
        raise DataError(path, 1, "missing columns", value=", ".join(missing))
    if unexpected:
        raise DataError(path, 1, "unexpected columns", value=", ".join(unexpected))
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise DataError(path, 1, "repeated columns", value=", ".join(repeated))
    return [c for c in MEASURE_COLUMNS if c in header]


@dataclass(frozen=True)
class _Scan:
    """What one pass over a measures file's bytes found (see :func:`_scan`)."""

    header: str  # the first line, decoded
    n_lines: int  # lines, a last line without a line end included
    bom: bool


def _scan(path: Path, *, chunk: int = 1 << 24) -> _Scan | None:
    """Look at the file's bytes, a chunk at a time; None unless Arrow can read it like the csv module.

    That is: no ``\\r``, no NUL and a UTF-8 header line; ``\\n`` line ends are counted (Arrow
    skips blank lines, the csv module too, but they would shift the line numbers: such a file
    has fewer rows than lines − 1 and goes to the csv module). The rest of the UTF-8 check is Arrow's.
    The whole file is never held in memory.
    """
    n_lines, head, last, bom = 0, b"", b"\n", False
    buf = bytearray(chunk)  # one buffer, read into again and again
    try:
        with path.open("rb", buffering=0) as fh:
            while size := fh.readinto(buf):
                if not n_lines and not head:
                    bom = buf.startswith(b"\xef\xbb\xbf")
                if buf.find(b"\r", 0, size) >= 0 or buf.find(b"\x00", 0, size) >= 0:
                    return None
                if not n_lines:
                    end = buf.find(b"\n", 0, size)
                    head += bytes(buf[: size if end < 0 else end])
                n_lines += int(np.count_nonzero(np.frombuffer(buf, np.uint8, count=size) == 10))
                last = bytes(buf[size - 1 : size])
    except OSError:
        return None
    if last != b"\n":
        n_lines += 1
    try:
        header = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if header.count('"') % 2:  # a quoted line break in the header: the csv module reads it
        return None
    return _Scan(header, n_lines, bom)


def _table_arrow(path: Path, scan: _Scan, header: list[str]) -> pa.Table | None:
    """Tokenise with Arrow's CSV reader; None when the result could differ from the csv module's.

    Every column is read as text (``""`` stays ``""``), in blocks of 4 MB. None for: invalid
    UTF-8, a row with too few or too many fields (Arrow raises), blank lines or line breaks
    inside quoted fields (the number of rows would not be the number of lines − 1), a header
    Arrow reads differently, or no row at all.
    """
    if scan.n_lines < 2:
        return None
    source = pa.BufferReader(path.read_bytes()[3:]) if scan.bom else str(path)
    table = read_text_csv(source, header, block_size=1 << 22)
    if table is None or table.num_rows != scan.n_lines - 1 or table.column_names != header:
        return None
    return table


# Invisible characters that would make two ids look the same: BOM, zero-width space / joiners,
# word joiner and other invisible operators, soft hyphen, bidi marks.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u00ad\u200e\u200f"


def _strip_invisible(name: str) -> str:
    """`name` without invisible characters (:data:`_INVISIBLE`) or whitespace at either end."""
    return name.strip().strip(_INVISIBLE).strip()


def _clean_ids(path: Path, table: pa.Table, lines: np.ndarray | None) -> pa.Table:
    """``measure_id`` and ``plan_id`` without invisible characters at their edges; one inside is an error.

    A BOM or zero-width space at the edge of an id would make a second id that looks like the
    first; it is stripped. Inside an id (``P1\u200b-01``) it is a :class:`DataError` naming the line.
    """
    pattern = f"[{re2_chars(_INVISIBLE)}]"
    for name in ("measure_id", "plan_id"):
        if name not in table.column_names:
            continue
        col = table[name]
        if not pc.any(pc.match_substring_regex(col, pattern)).as_py():
            continue
        cleaned = pa.array([_strip_invisible(v) for v in col.to_pylist()], pa.large_string())
        inside = pc.match_substring_regex(cleaned, pattern).to_numpy(zero_copy_only=False)
        if inside.any():
            i = int(np.argmax(inside))
            line = int(lines[i]) if lines is not None else i + 2
            raise DataError(path, line, f"invisible character inside {name}", value=cleaned[i].as_py())
        table = table.set_column(table.column_names.index(name), name, cleaned)
    return table


def _buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a text array as numpy views (no copy for ``large_string``)."""
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    body = arr.buffers()[2]
    data = np.frombuffer(body, dtype=np.uint8) if body is not None else np.zeros(0, np.uint8)
    return offsets, data


def _strip_table(table: pa.Table) -> pa.Table:
    """Every text field stripped as :meth:`str.strip` would (Arrow's ``utf8_trim`` with Python's whitespace).

    Columns are trimmed two at a time (Arrow's kernels release the GIL); a column that has
    nothing to strip is kept as it was.
    """
    from concurrent.futures import ThreadPoolExecutor

    def trim(col):
        trimmed = strip(col)
        changed = pc.any(pc.not_equal(pc.binary_length(trimmed), pc.binary_length(col))).as_py()
        return trimmed if changed else None

    if table.num_rows < 10_000:
        trimmed = [trim(col) for col in table.columns]
    else:
        with ThreadPoolExecutor(2) as pool:
            trimmed = list(pool.map(trim, table.columns))
    for i, (name, col) in enumerate(zip(table.column_names, trimmed, strict=True)):
        if col is not None:
            table = table.set_column(i, name, col)
    return table


def _ascii_digits(col: pa.ChunkedArray) -> bool:
    """Is every string of `col` made of the ASCII digits 0–9 only (or empty)?"""
    for chunk in col.chunks:
        offsets, data = _buffers(chunk)
        used = data[offsets[0] : offsets[-1]] if len(offsets) else data[:0]
        if len(used) and (used.min() < 48 or used.max() > 57):
            return False
    return True


def _arrow_flags(table: pa.Table) -> bool:
    """True if a row might fail :func:`_check_rows` (no false negatives), or holds non-ASCII digits."""

    def empty(name):
        return pc.equal(pc.binary_length(table[name]), 0)

    names = table.column_names
    if not all(_ascii_digits(table[c]) for c in _INT_COLUMNS if c in names):
        return True
    flags = [empty("measure_id"), empty("text"), pc.and_(empty("lead_units_raw"), empty("responsible_units_raw"))]
    if "item_no" in names:
        flags.append(empty("item_no"))
    if any(pc.any(f).as_py() for f in flags):
        return True
    return len(pc.unique(table["measure_id"])) != table.num_rows


def _frame(table: pa.Table) -> pd.DataFrame:
    """The text table as a pandas frame of ``str`` columns, with ``csv_line`` (fast path numbering)."""
    df = table.to_pandas()
    df["csv_line"] = np.arange(2, len(df) + 2, dtype=np.int64)
    return df


def _to_pandas(table: pa.Table, columns: list[str], lines: np.ndarray | None = None) -> pd.DataFrame:
    """The validated measures frame: `columns` in order (numbers as ``Int64``), then ``csv_line``."""
    ints = {}
    for col in _INT_COLUMNS:
        if col in table.column_names:
            values = table[col]
            nulls = pc.if_else(pc.equal(pc.binary_length(values), 0), pa.scalar(None, values.type), values)
            if _ascii_digits(values) and pc.max(pc.binary_length(values)).as_py() <= 18:
                ints[col] = pc.cast(nulls, pa.int64())
            else:  # other decimal digits (full-width ３): Python's int() reads them
                ints[col] = pa.array([None if v is None else int(v) for v in nulls.to_pylist()], type=pa.int64())
    table = pa.table({c: ints.get(c, table[c]) for c in columns})
    df = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    df["csv_line"] = np.arange(2, len(df) + 2, dtype=np.int64) if lines is None else lines
    return df


def _records_csv(path: Path, text: str, header: list[str]):
    """Tokenise with the csv module, as :class:`csv.DictReader` would (blank lines skipped).

    A row with fewer fields than the header is an error (never padded): a file cut in the
    middle of a row (a killed writer) ends in one, and the message says so.
    """
    if text.count('"') % 2:  # maybe a quoted field that never closes and so runs to the end of the file
        reader = csv.reader(io.StringIO(text))
        start = end = 1
        for _ in reader:
            start, end = end + 1, reader.line_num
        n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if end > start and end >= n_lines:
            raise DataError(path, start, "a quoted field opened in this row never closes: the file may be truncated")
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    n = len(header)
    rows, lines, extra = [], [], []
    for row in reader:
        if not row:
            continue
        if len(row) == 1 and not row[0].strip():  # a line of whitespace: an empty row (empty measure_id)
            row = row + [""] * (n - 1)
        if len(row) < n:
            last = reader.line_num == text.count("\n") + (0 if text.endswith("\n") else 1)
            cut = " at the end of the file: the file may be truncated" if last and not text.endswith("\n") else ""
            raise DataError(path, reader.line_num, f"row has {len(row)} of {n} fields{cut}", value=",".join(row)[-60:])
        lines.append(reader.line_num)
        extra.append(str(row[n:]) if len(row) > n else None)
        rows.append(row[:n])
    df = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    df["csv_line"] = np.asarray(lines, dtype=np.int64)
    extra = pd.Series(extra, dtype=object)
    return df, (extra if extra.notna().any() else None)


def _check_rows(path: Path, df: pd.DataFrame, extra: pd.Series | None) -> None:
    """Raise the row-level DataError of the earliest bad line, checks in their documented order.

    A number is a whole number when every character is a decimal digit (:meth:`str.isdecimal`,
    what :func:`int` reads).
    """
    mid = df["measure_id"]
    obj = {c: df[c].to_numpy(dtype=object) for c in ("measure_id", "text", "lead_units_raw", "responsible_units_raw")}
    empty_mid = obj["measure_id"] == ""
    dup = mid.duplicated().to_numpy() & ~empty_mid
    checks = [
        ("extra", np.zeros(len(df), bool) if extra is None else extra.notna().to_numpy()),
        ("empty_mid", empty_mid),
        ("dup", dup),
        ("empty_text", obj["text"] == ""),
        ("no_units", (obj["lead_units_raw"] == "") & (obj["responsible_units_raw"] == "")),
    ]
    for col in _INT_COLUMNS:
        if col in df:
            v = df[col].to_numpy(dtype=object)
            empty = v == ""
            bad = ~empty & ~np.fromiter(map(str.isdecimal, v), dtype=bool, count=len(v))
            checks.append((col, (bad | empty) if col == "item_no" else bad))
    any_bad = np.logical_or.reduce([m for _, m in checks])
    if not any_bad.any():
        return
    i = int(np.argmax(any_bad))
    row = df.iloc[i]
    line = int(row["csv_line"])
    for name, mask in checks:
        if not mask[i]:
            continue
        if name == "extra":
            raise DataError(path, line, "more fields than columns", value=extra.iloc[i])
        if name == "empty_mid":
            raise DataError(path, line, "empty measure_id", value=row["text"][:40])
        if name == "dup":
            first = int(df.loc[(mid == row["measure_id"]).to_numpy(), "csv_line"].iloc[0])
            raise DataError(path, line, f"duplicate measure_id (first on line {first})", value=row["measure_id"])
        if name == "empty_text":
            raise DataError(path, line, "empty text", value=row["measure_id"])
        if name == "no_units":
            raise DataError(path, line, "measure has neither lead nor responsible units", value=row["measure_id"])
        if name == "item_no" and row[name] == "":
            raise DataError(path, line, "empty item_no", value=row["measure_id"])
        raise DataError(path, line, f"{name} is not a whole number", value=row[name])


_PLAIN_SEP = "、"


# a separator, a bracket, or a character split_units strips or removes inside a name
def _starts(rows: np.ndarray) -> np.ndarray:
    """1-based position of each element within its run of equal, sorted `rows` (int32)."""
    if not len(rows):
        return np.zeros(0, np.int32)
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]).astype(np.int32)
    out = np.arange(1, len(rows) + 1, dtype=np.int32)
    out -= np.repeat(first, np.diff(np.r_[first, len(rows)]))
    return out


def _split_column(values: pa.Array):
    """``(row, position, name_code, names)``: the non-empty unit names of each list, in order.

    Arrow splits every list on ``、`` and dictionary-encodes the parts (``names`` is an Arrow
    array of distinct names). An Arrow regex picks the names that might not be plain; Python
    checks those, and rows with a part :func:`split_units` would read differently are split
    again by it.
    """
    lists = pc.split_pattern(values, _PLAIN_SEP)
    rows = pc.list_parent_indices(lists).to_numpy().astype(np.int32)
    encoded = pc.dictionary_encode(pc.list_flatten(lists))
    del lists
    codes = encoded.indices.to_numpy().astype(np.int32)
    names = encoded.dictionary.cast(pa.large_string())
    del encoded
    maybe = np.flatnonzero(pc.match_substring_regex(names, MAYBE_NOT_PLAIN_RE2).to_numpy(zero_copy_only=False))
    plain = np.ones(len(names), dtype=bool)
    plain[maybe] = [is_plain(n) for n in names.take(pa.array(maybe, pa.int64())).to_pylist()]
    if not plain.all():
        bad_rows = np.unique(rows[~plain[codes]])
        parts = [split_units(v)[0] if v else [] for v in values.take(pa.array(bad_rows)).to_pylist()]
        is_bad = np.zeros(len(values), dtype=bool)
        is_bad[bad_rows] = True
        keep = ~is_bad[rows]
        index = {name: i for i, name in enumerate(names.to_pylist())}
        extra = [index.setdefault(name, len(index)) for part in parts for name in part]
        names = pa.array(list(index), pa.large_string())
        rows = np.concatenate([rows[keep], np.repeat(bad_rows, [len(p) for p in parts]).astype(np.int32)])
        codes = np.concatenate([codes[keep], np.asarray(extra, dtype=np.int32)])
        order = np.argsort(rows, kind="stable")
        rows, codes = rows[order], codes[order]
    empty = pc.index(names, "").as_py()
    if empty >= 0:
        keep = codes != empty
        rows, codes = rows[keep], codes[keep]
    return rows, _starts(rows), codes, names


def _lookup(values: pa.Array, value_set: pa.Array) -> np.ndarray:
    """Position of each of `values` in `value_set` (-1 if absent), by Arrow's hash table."""
    return pc.fill_null(pc.index_in(values, value_set=value_set), -1).to_numpy().astype(np.int64)


def _spellings(units: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    """:func:`analysis.registry.spellings` as an Arrow array (for Arrow's hash look-ups) and rows."""
    names, rows = spellings(units)
    return pa.array(names, pa.large_string()), rows


def _has_jurisdictions(units: pd.DataFrame) -> bool:
    """True if any registry row belongs to a jurisdiction (a pooled corpus's registry)."""
    return "jurisdiction" in units and bool((units["jurisdiction"] != "").any())


def _rows_by_jurisdiction(measures, units, raw_names: pa.Array, rows, codes, generic: np.ndarray) -> np.ndarray:
    """Registry row of each assignment, matching (the measure's jurisdiction, the spelling).

    A spelling is looked up among the rows of the measure's jurisdiction first, then among the
    rows that name none (`generic`: the row of each distinct spelling, -1 if unknown); -1 where
    neither knows it. Each distinct (jurisdiction, spelling) pair is looked up once.
    """
    if "jurisdiction" in measures:
        mj = pc.dictionary_encode(to_arrow(measures["jurisdiction"]))
        jnames, jcode = mj.dictionary, mj.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    else:
        jnames, jcode = pa.array([""], pa.large_string()), np.zeros(len(measures), dtype=np.int64)
    pair = jcode[rows] * len(raw_names) + codes
    uniq, inverse = np.unique(pair, return_inverse=True)
    pj, pc_ = uniq // len(raw_names), uniq % len(raw_names)
    large = pa.large_string()
    keys = pc.binary_join_element_wise(
        jnames.take(pa.array(pj)).cast(large), raw_names.take(pa.array(pc_)).cast(large), _UNIT_SEP
    )
    own = units[(units["jurisdiction"] != "").to_numpy()]
    spellings, spelling_row = _spellings(own)
    where = pa.array(own["jurisdiction"].to_numpy(dtype=object)[spelling_row].tolist(), large)  # each spelling's
    own_keys = pc.binary_join_element_wise(where, spellings.cast(large), _UNIT_SEP)
    spelling_row = np.flatnonzero((units["jurisdiction"] != "").to_numpy())[spelling_row]  # rows of the registry
    hit = _lookup(keys, own_keys)
    row = np.where(hit >= 0, spelling_row[np.maximum(hit, 0)], generic[pc_])
    return row[inverse].astype(np.int64)


_UNIT_SEP = pa.scalar("\x1f", pa.large_string())  # between a jurisdiction and a spelling in one lookup key


def _check_lists(measures: pd.DataFrame, n_lead: np.ndarray, n_resp: np.ndarray, path) -> None:
    """A unit list that is not empty but names no unit (only separators: ``、``, ``,；、``) is an error.

    Such a list would otherwise load as a measure without units of that role, silently.
    """
    for column, n in (("lead_units_raw", n_lead), ("responsible_units_raw", n_resp)):
        written = pc.greater(pc.binary_length(to_arrow(measures[column])), 0).to_numpy(zero_copy_only=False)
        bad = written & (n == 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                path,
                int(measures["csv_line"].iloc[i]),
                f"{column} of {measures['measure_id'].iloc[i]} holds separators but no unit name "
                f"({int(bad.sum())} such list(s) in the file)",
                value=measures[column].iloc[i],
            )


_SHOW_NAMES = 10  # unknown names listed in the message (the rest counted)
_SHOW_USES = 3  # measures listed per unknown name (the rest counted)


def _unknown_message(unknown: dict[str, list], registry_path) -> str:
    """The unknown-unit message: the first names with their first measures, the rest counted."""
    parts = []
    for name, uses in list(unknown.items())[:_SHOW_NAMES]:
        shown = [u for u in uses if u is not None]
        more = f" and {len(uses) - len(shown)} more" if len(uses) > len(shown) else ""
        parts.append(f"{name} in {', '.join(shown)}{more}")
    rest = len(unknown) - _SHOW_NAMES
    listing = "; ".join(parts) + (f"; and {rest} more name(s)" if rest > 0 else "")
    registry = "the unit registry" if registry_path is None else str(registry_path)
    return f"{len(unknown)} unit name(s) not in the registry (add them to {registry} as a unit or an alias): {listing}"


def _build_assignments(measures: pd.DataFrame, units: pd.DataFrame, *, path=None, registry_path=None):
    """Explode the raw unit lists into the long ``assignments`` table, with integer codes.

    Returns ``(frame, counts, rows, is_lead, unit_rows)``. Lists are split on ``、`` by Arrow
    in one pass; a list with any part that :func:`split_units` would read differently
    (another separator, brackets, a role phrase such as 配合, whitespace) is split by
    :func:`split_units` instead, so the result is the same as splitting every list with it.

    ``rows`` is the row in `measures` of each assignment, ``unit_rows`` the row of its unit in
    the registry, ``counts`` the number of mentions of each registry row. Names are matched to
    the registry by Arrow, once per distinct spelling.

    The steps: split the lists (:func:`_split_lists`), find each spelling's registry row
    (:func:`_registry_rows`; a name it does not know raises, :func:`_unknown_uses`), make the
    frame (:func:`_assignment_frame`).
    """
    raw_names, rows, is_lead, pos, codes = _split_lists(measures, path)
    unit_rows = _registry_rows(measures, units, raw_names, rows, codes)
    if (unit_rows < 0).any():
        unknown = _unknown_uses(measures, units, raw_names, rows, codes, unit_rows)
        raise DataError(path, None, _unknown_message(unknown, registry_path))
    counts = np.bincount(unit_rows, minlength=len(units))
    frame = _assignment_frame(
        measures, units, raw_names, rows=rows, is_lead=is_lead, pos=pos, codes=codes, unit_rows=unit_rows, counts=counts
    )
    return frame, counts, rows, is_lead, unit_rows


def _split_lists(measures: pd.DataFrame, path) -> tuple:
    """The unit lists of `measures` split: ``(raw_names, rows, is_lead, pos, codes)``.

    ``raw_names`` is the Arrow array of the distinct spellings; then one value per assignment,
    in measure order, each measure's lead units before its responsible ones: the row of its
    measure, whether it is a lead, its position in its list and the code of its spelling in
    ``raw_names``. Raises DataError for a measure without units (:func:`_check_lists`).
    """
    from concurrent.futures import ThreadPoolExecutor

    columns = [to_arrow(measures[c]) for c in ("lead_units_raw", "responsible_units_raw")]
    with ThreadPoolExecutor(2) as pool:  # Arrow's kernels release the GIL: the two lists split side by side
        (rows_l, pos_l, codes_l, names_l), (rows_r, pos_r, codes_r, names_r) = pool.map(_split_column, columns)
    del columns
    pa.default_memory_pool().release_unused()  # the split lists' memory, before the big arrays below
    both = pc.dictionary_encode(pa.concat_arrays([names_l, names_r]))
    raw_names, remap = both.dictionary, both.indices.to_numpy().astype(np.int32)
    # measure order, lead before responsible, then position: each measure's block holds its
    # n_lead lead rows, then its n_resp responsible rows (both inputs are in measure order)
    n_lead = np.bincount(rows_l, minlength=len(measures))
    n_resp = np.bincount(rows_r, minlength=len(measures))
    _check_lists(measures, n_lead, n_resp, path)
    rows = np.repeat(np.arange(len(measures), dtype=np.int32), n_lead + n_resp)
    is_lead = np.repeat(np.tile([True, False], len(measures)), np.column_stack([n_lead, n_resp]).ravel())
    del n_lead, n_resp, rows_l, rows_r
    pos = np.empty(len(rows), dtype=np.int32)
    pos[is_lead], pos[~is_lead] = pos_l, pos_r
    del pos_l, pos_r
    codes = np.empty(len(rows), dtype=np.int32)
    codes[is_lead], codes[~is_lead] = remap[codes_l], remap[codes_r + len(names_l)]
    return raw_names, rows, is_lead, pos, codes


def _registry_rows(measures: pd.DataFrame, units: pd.DataFrame, raw_names, rows, codes) -> np.ndarray:
    """The registry row of each assignment (its measure ``rows``, its spelling ``codes`` in
    ``raw_names``), -1 where the registry does not know the name: looked up among the rows of
    no jurisdiction, and in a registry with jurisdictions among the measure's own first."""
    shared = units["jurisdiction"] == "" if "jurisdiction" in units else np.ones(len(units), dtype=bool)
    spellings, spelling_row = _spellings(units[shared])
    found = _lookup(raw_names, spellings)
    generic = (
        np.flatnonzero(np.asarray(shared))[spelling_row][np.maximum(found, 0)] if len(spelling_row) else found.copy()
    )
    generic[found < 0] = -1  # the registry row of each distinct spelling among the rows of no jurisdiction
    if _has_jurisdictions(units):
        return _rows_by_jurisdiction(measures, units, raw_names, rows, codes, generic)
    return generic[codes]


def _unknown_uses(measures: pd.DataFrame, units: pd.DataFrame, raw_names, rows, codes, unit_rows) -> dict[str, list]:
    """The names the registry does not know (``unit_rows`` -1), with their jurisdiction in a
    registry that has them: name -> its first uses (``measure_id (line n)``), then a None for
    each further use (counted, not listed). A name twice in one measure is one use."""
    bad = np.flatnonzero(unit_rows < 0)
    mids = measures["measure_id"].to_numpy(dtype=object)
    lines = measures["csv_line"].to_numpy()
    where = measures["jurisdiction"].to_numpy(dtype=object) if _has_jurisdictions(units) else None
    names = raw_names.to_pylist()
    unknown = {}
    last = {}
    for r, c in zip(rows[bad], codes[bad], strict=True):
        if last.get(c) == r:  # the same name twice in one measure (lead and responsible): one use
            continue
        last[c] = r
        key = names[c] if where is None else f"{names[c]} (of {where[r] or 'no jurisdiction'})"
        uses = unknown.setdefault(key, [])
        if len(uses) < _SHOW_USES:
            uses.append(f"{mids[r]} (line {lines[r]})")
        else:
            uses.append(None)  # counted, not listed
    return unknown


def _assignment_frame(
    measures: pd.DataFrame, units: pd.DataFrame, raw_names, *, rows, is_lead, pos, codes, unit_rows, counts
) -> pd.DataFrame:
    """The ``assignments`` frame from the arrays of :func:`_split_lists` and :func:`_registry_rows`
    (one value per assignment) and the mentions of each registry row (`counts`).

    ``unit_raw`` and ``unit`` are categoricals over one shared, sorted set of names
    (comparable, and sorted like strings: Arrow sorts UTF-8 by bytes, which is code-point
    order); ``role`` over ``["lead", "responsible"]``.
    """
    used = np.zeros(len(raw_names), dtype=bool)
    used[codes] = True
    registry_names = to_arrow(units["unit"])
    vocab = pc.unique(pa.concat_arrays([raw_names.filter(pa.array(used)), registry_names.filter(pa.array(counts > 0))]))
    vocab = vocab.take(pc.sort_indices(vocab))
    raw_to = _lookup(raw_names, vocab).astype(np.int32)
    unit_to = _lookup(registry_names, vocab).astype(np.int32)
    # pandas frames straight from the arrays: the category set is validated once for both columns
    names_dtype = pd.CategoricalDtype(pd.Index(pd.array(vocab, dtype=str)))
    return pd.DataFrame(
        {
            "measure_id": pd.array(to_arrow(measures["measure_id"]).take(pa.array(rows)), dtype=str),
            "role": pd.Categorical.from_codes((~is_lead).astype(np.int8), dtype=_ROLE_DTYPE, validate=False),
            "position": pos.astype(np.int64),
            "unit_raw": pd.Categorical.from_codes(raw_to[codes], dtype=names_dtype, validate=False),
            "unit": pd.Categorical.from_codes(unit_to[unit_rows], dtype=names_dtype, validate=False),
        },
        copy=False,
    )


_ROLE_DTYPE = pd.CategoricalDtype(pd.Index(["lead", "responsible"], dtype=str))


def load(measures_csv=MEASURES_CSV, units_csv=UNITS_CSV) -> Dataset:
    """Load and validate a measures file against a unit registry."""
    units = read_registry(units_csv)
    measures = read_measures(measures_csv)
    assignments, counts, rows, is_lead, unit_rows = _build_assignments(
        measures, units, path=measures_csv, registry_path=units_csv
    )
    release_memory()  # the loader's temporaries: several hundred MB at a million measures
    units = units.assign(n_mentions=counts.astype("int64"))
    ds = Dataset(measures, assignments, units, Path(measures_csv), Path(units_csv))
    from .graph import remember_codes

    remember_codes(ds, unit_rows, rows, is_lead)  # the stages' integer codes, for free
    return ds
