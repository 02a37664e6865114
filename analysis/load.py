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
import re
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from .config import MEASURES_CSV, UNITS_CSV
from .errors import DataError, read_text
from .ingest import _CLOSE, _OPEN, _ROLE_PHRASES, _SEPARATORS, MEASURE_COLUMNS, split_units
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
OPTIONAL_COLUMNS = ("source_file", "lead_line", "responsible_line")
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


def read_measures(path=MEASURES_CSV) -> pd.DataFrame:
    """Read and validate a measures CSV (UTF-8 with or without BOM, or GB18030).

    Adds a ``csv_line`` column (the row's line in the file) for error messages.

    The file is parsed by pandas' C reader and checked with vectorised operations, so a million
    rows take seconds. Files the C reader could read differently from Python's :mod:`csv`
    module (blank or whitespace-only lines, line breaks inside quoted fields, ``\\r`` line
    ends, GB18030, rows with too many fields) are tokenised by the :mod:`csv` module instead;
    the checks and the resulting frame are the same either way.

    Raises
    ------
    DataError
        Missing, unexpected or repeated columns, an empty ``measure_id`` or ``text``, a duplicate
        ``measure_id``, a number that is not an integer, or a measure with no unit at all. When a
        file has several problems, the one on the earliest line is reported (the first check in
        the order above for that line).
    """
    path = Path(path)
    data, text = _read_utf8(path)
    header = _header(data, text)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unexpected = [c for c in header if c not in MEASURE_COLUMNS]
    if missing:
        raise DataError(path, 1, "missing columns", value=", ".join(missing))
    if unexpected:
        raise DataError(path, 1, "unexpected columns", value=", ".join(unexpected))
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise DataError(path, 1, "repeated columns", value=", ".join(repeated))
    raw = _records_fast(data, header) if data is not None else None
    if raw is None:
        raw = _records_csv(text if text is not None else data.decode("utf-8"), header)
    df, extra = raw
    if not len(df):
        raise DataError(path, None, "no measure in file")
    df = _strip(df, data)
    _check_rows(path, df, extra)
    df = df[[c for c in MEASURE_COLUMNS if c in header] + ["csv_line"]]
    for col in _INT_COLUMNS:
        if col in df:
            df[col] = _to_int(df[col])
    return df


def _to_int(s: pd.Series) -> pd.Series:
    """Validated whole numbers (or ``""``) as ``Int64``; short ASCII numbers take a fast path."""
    arr = s.to_numpy(dtype=object)
    missing = arr == ""
    vals = arr[~missing].tolist()
    joined = "".join(vals)
    if joined.isascii() and (not vals or max(map(len, vals)) <= 15):
        out = np.zeros(len(arr), dtype=np.int64)
        out[~missing] = np.fromiter(map(int, vals), dtype=np.int64, count=len(vals))
        return pd.Series(pd.arrays.IntegerArray(out, missing), index=s.index, name=s.name)
    return pd.to_numeric(s.replace("", None)).astype("Int64")


# Characters that str.strip() removes (but line ends), as UTF-8 byte sequences.
_WS_BYTES = [chr(i).encode("utf-8") for i in range(0x110000) if chr(i).isspace() and chr(i) not in "\n\r"]


def _edge_whitespace(data: bytes, *, chunk: int = 1 << 24) -> bool:
    """Could a field start or end with whitespace? (Whitespace next to a comma, line end or quote.)

    A scan of the raw bytes, a chunk at a time: ``bytes.translate`` marks the delimiters, numpy
    looks at the bytes around them. False positives only cost a strip.
    """
    lut = _ws_lookup()
    first, last = lut[-1]
    pad = b"\n\n\n"
    for lo in range(0, len(data), chunk):
        piece = pad + data[max(lo - 3, 0) : lo + chunk + 3] + pad + pad
        a = np.frombuffer(piece, dtype=np.uint8)
        marks = np.frombuffer(piece[2:-5].translate(_DELIM_TABLE), dtype=np.uint8)
        pos = np.flatnonzero(marks) + 2  # the pads count as line ends
        after = pos[first[a[pos + 1]]]
        before = pos[last[a[pos - 1]]]
        if not (len(after) or len(before)):
            continue
        b = [a[before + k].astype(np.int32) for k in (-3, -2, -1)]
        f = [a[after + k].astype(np.int32) for k in (1, 2, 3)]
        key_after = (f[0] << 16) | (f[1] << 8) | f[2]
        key_before = (b[0] << 16) | (b[1] << 8) | b[2]
        for width, table in lut[:-1]:
            if table[key_after >> (8 * (3 - width))].any() or table[key_before & ((1 << (8 * width)) - 1)].any():
                return True
    return False


_DELIM_TABLE = bytes(1 if chr(i) in ',\n"' else 0 for i in range(256))


@cache
def _ws_lookup():
    """Per width (1–3 bytes), a boolean table indexed by the bytes' value: is it whitespace?

    The last item holds two 256-entry tables: can a byte start, or end, a whitespace character?
    """
    out = []
    for width in (1, 2, 3):
        table = np.zeros(1 << (8 * width), dtype=bool)
        table[[int.from_bytes(w, "big") for w in _WS_BYTES if len(w) == width]] = True
        out.append((width, table))
    first, last = np.zeros(256, bool), np.zeros(256, bool)
    first[[w[0] for w in _WS_BYTES]] = True
    last[[w[-1] for w in _WS_BYTES]] = True
    out.append((first, last))
    return out


def _read_utf8(path: Path) -> tuple[bytes | None, str | None]:
    """``(utf8_bytes, None)`` for a plain UTF-8 file with ``\\n`` line ends, else ``(None, text)``.

    The bytes lose their BOM; anything else goes through :func:`~analysis.errors.read_text`
    (same errors, GB18030, line-end normalisation).
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return None, read_text(path)[0]
    if b"\r" not in raw and b"\x00" not in raw:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return (raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw), None
    return None, read_text(path)[0]


def _header(data: bytes | None, text: str | None) -> list[str]:
    """The header row as the csv module reads it (``[]`` for an empty file)."""
    if text is None:
        first = data.split(b"\n", 1)[0].decode("utf-8")
        if first.count('"') % 2:  # a quoted line break in the header: let csv read it
            text = data.decode("utf-8")
        else:
            return next(csv.reader([first]), [])
    return next(csv.reader(io.StringIO(text)), [])


def _records_fast(data: bytes, header: list[str]):
    """Tokenise with pandas' C reader; ``None`` when the result could differ from the csv module's.

    That is: a row with more fields than the header (the C reader raises, or silently takes a
    long first row's first field as the index), blank lines or line breaks inside quoted fields
    (the line numbers would shift).
    """
    import warnings

    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        return None
    if len(df) != n_lines - 1 or not isinstance(df.index, pd.RangeIndex) or list(df.columns) != header:
        return None
    df = df.fillna("")  # fields missing at the end of a short row, as csv.DictReader's restval
    df["csv_line"] = np.arange(2, len(df) + 2, dtype=np.int64)
    return df, None


def _records_csv(text: str, header: list[str]):
    """Tokenise with the csv module, as :class:`csv.DictReader` would (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    n = len(header)
    rows, lines, extra = [], [], []
    for row in reader:
        if not row:
            continue
        lines.append(reader.line_num)
        extra.append(str(row[n:]) if len(row) > n else None)
        rows.append(row[:n] + [""] * (n - len(row)))
    df = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    df["csv_line"] = np.asarray(lines, dtype=np.int64)
    extra = pd.Series(extra, dtype=object)
    return df, (extra if extra.notna().any() else None)


def _strip(df: pd.DataFrame, data: bytes | None) -> pd.DataFrame:
    """Strip every text field, skipping the work when no field of the file starts or ends in whitespace."""
    if data is not None and not _edge_whitespace(data):
        return df
    cols = [c for c in df.columns if c != "csv_line"]
    return df.assign(**{c: df[c].str.strip() for c in cols})


def _check_rows(path: Path, df: pd.DataFrame, extra: pd.Series | None) -> None:
    """Raise the row-level DataError of the earliest bad line, checks in their documented order."""
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
            bad = ~empty & ~df[col].str.isdigit().to_numpy(dtype=bool)
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
_ROW_SEP = "、\x00、"
_NOT_IN_PLAIN = re.compile(f"[{re.escape(_SEPARATORS + _OPEN + _CLOSE)}]")
_EDGE = " \t\u3000\u00a0\u2002\u2003\ufeff"  # what ingest._clean strips
# a role phrase that ingest._strip_role would cut off (it needs two characters before it)
_ROLE_END = re.compile(f"(?s).{{2,}}(?:{'|'.join(map(re.escape, _ROLE_PHRASES))})$")


def _is_plain(name: str) -> bool:
    """True if :func:`split_units` reads `name` (a part between two 、) as itself, or it is empty.

    That is: no separator or bracket, nothing :func:`~analysis.ingest._clean` would strip, no
    trailing role phrase :func:`~analysis.ingest._strip_role` would cut off.
    """
    if not name:
        return True
    return not (name[0] in _EDGE or name[-1] in _EDGE or _NOT_IN_PLAIN.search(name) or _ROLE_END.match(name))


def build_assignments(measures: pd.DataFrame, units: pd.DataFrame, *, path=None) -> pd.DataFrame:
    """Explode the raw unit lists into the long ``assignments`` table.

    Lists are split on ``、`` in one pass; a list with any part that :func:`split_units` would
    read differently (another separator, brackets, a role phrase such as 配合, whitespace) is
    split by :func:`split_units` instead, so the result is the same as splitting every list
    with it.

    Raises
    ------
    DataError
        Listing, all at once, every unit name not in the registry with the measures that use it.
    """
    return _build_assignments(measures, units, path=path)[0]


def _split_column(values: list[str]):
    """``(row, position, name_code, names)``: the non-empty unit names of each list, in order.

    All lists are split in one ``str.split``: joined with ``、\\x00、``, every row boundary
    becomes a ``\\x00`` token. Rows with a part :func:`split_units` would read differently are
    split again by it.
    """
    if not values:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, object)
    tokens = _ROW_SEP.join(values).split(_PLAIN_SEP)
    codes, names = pd.factorize(np.array(tokens, dtype=object))
    del tokens
    names = np.asarray(names, dtype=object)
    marker = [i for i, x in enumerate(names) if x == "\x00"]  # (numpy would compare with "")
    is_marker = codes == (marker[0] if len(marker) else -1)
    rows = np.cumsum(is_marker)
    rows, codes = rows[~is_marker], codes[~is_marker]
    plain = np.fromiter(map(_is_plain, names), dtype=bool, count=len(names))
    plain[marker] = True
    if not plain.all():
        bad = set(np.unique(rows[~plain[codes]]).tolist())
        parts = [split_units(v)[0] if i in bad else (v.split(_PLAIN_SEP) if v else []) for i, v in enumerate(values)]
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        rows = np.repeat(np.arange(len(parts)), lengths)
        codes, names = pd.factorize(np.array(list(chain.from_iterable(parts)), dtype=object))
        names = np.asarray(names, dtype=object)
    keep = names[codes] != "" if len(codes) else np.zeros(0, bool)
    rows, codes = rows[keep], codes[keep]
    pos = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left") + 1
    return rows, pos, codes, names


def _build_assignments(measures: pd.DataFrame, units: pd.DataFrame, *, path=None):
    """:func:`build_assignments`, plus the number of mentions of each canonical unit."""
    names = alias_map(units)
    mids = measures["measure_id"].to_numpy(dtype=object)
    pieces = []
    for role, col in enumerate(("lead_units_raw", "responsible_units_raw")):
        rows, pos, codes, raw = _split_column(measures[col].tolist())
        pieces.append((rows, np.full(len(rows), role, np.int8), pos, raw, codes))
    raw_names = np.concatenate([pieces[0][3], pieces[1][3]])
    offset = len(pieces[0][3])
    rows = np.concatenate([pieces[0][0], pieces[1][0]])
    role = np.concatenate([pieces[0][1], pieces[1][1]])
    pos = np.concatenate([pieces[0][2], pieces[1][2]])
    codes = np.concatenate([pieces[0][4], pieces[1][4] + offset])
    order = np.lexsort((role, rows))  # measure order, then lead before responsible, then position
    rows, role, pos, codes = rows[order], role[order], pos[order], codes[order]
    canon = np.array([names.get(n, "") for n in raw_names], dtype=object)
    unknown_code = canon == ""
    if unknown_code[codes].any():
        unknown = {}
        lines = measures["csv_line"].to_numpy()
        for r, c in zip(rows[unknown_code[codes]], codes[unknown_code[codes]], strict=True):
            unknown.setdefault(raw_names[c], []).append(f"{mids[r]} (line {lines[r]})")
        listing = "; ".join(f"{n} in {', '.join(ms)}" for n, ms in unknown.items())
        raise DataError(
            path,
            None,
            f"{len(unknown)} unit name(s) not in the registry "
            f"(add them to data/units.csv as a unit or an alias): {listing}",
        )
    if not len(rows):
        df = pd.DataFrame([], columns=ASSIGNMENT_COLUMNS)
        df["position"] = df["position"].astype("int64")
        return df, pd.Series(dtype="int64")
    df = pd.DataFrame(
        {
            "measure_id": mids[rows],
            "role": np.array(["lead", "responsible"], dtype=object)[role],
            "position": pos.astype("int64"),
            "unit_raw": raw_names[codes],
            "unit": canon[codes],
        }
    )
    ucodes, uniq = pd.factorize(canon)
    counts = pd.Series(np.bincount(ucodes[codes], minlength=len(uniq)), index=np.asarray(uniq, dtype=object))
    return df, counts.groupby(level=0, sort=False).sum()


def load(measures_csv=MEASURES_CSV, units_csv=UNITS_CSV) -> Dataset:
    """Load and validate a measures file against a unit registry."""
    units = read_registry(units_csv)
    measures = read_measures(measures_csv)
    assignments, counts = _build_assignments(measures, units, path=measures_csv)
    units = units.assign(n_mentions=units["unit"].map(counts).fillna(0).astype("int64"))
    return Dataset(measures, assignments, units, Path(measures_csv), Path(units_csv))
