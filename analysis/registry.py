"""The unit registry (``data/units.csv``): canonical names, aliases, English names, systems.

The registry is the one place where judgement lives. Each row is one body (a canonical unit);
``aliases`` lists other spellings of it in the sources, separated by ``|``; ``note`` says why
they are merged (``variant:`` for plain variants of one name, ``judgement:`` for calls a reader
may flip). To split an alias off, move it to a row of its own: nothing else changes.

Collective placeholders (区直有关部门, 各街办 …) have ``is_collective`` true; ``members`` lists the
systems whose named units a collective stands for (``party|government``), used only by the
sensitivity option that expands collectives.

Examples
--------
>>> units = read_registry()
>>> alias_map(units)["区发改委"]
'区发改局'
>>> units.set_index("unit").loc["区直有关部门", "is_collective"]
np.True_
"""

from __future__ import annotations

import csv
import io
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from .config import UNITS_CSV
from .errors import DataError, read_text

__all__ = [
    "OPTIONAL_REGISTRY_COLUMNS",
    "REGISTRY_COLUMNS",
    "SYSTEMS",
    "alias_map",
    "collective_members",
    "read_registry",
    "spellings",
    "split_names",
]

REGISTRY_COLUMNS = ["unit", "aliases", "name_en", "system", "is_collective", "members", "note"]
#: Optional column: the government (jurisdiction) a row belongs to, for pooled corpora. A name
#: is unique within a jurisdiction; a row without one serves the plans of every jurisdiction
#: (and all rows of a one-government registry have none).
OPTIONAL_REGISTRY_COLUMNS = ["jurisdiction"]

#: System codes with their Chinese and English labels, in display order.
SYSTEMS = {
    "party": ("党委机关", "Party organs"),
    "congress": ("人大", "People's congress"),
    "supervision": ("纪检监察", "Supervision"),
    "government": ("政府部门", "Government"),
    "court": ("法院", "Court"),
    "procuratorate": ("检察院", "Procuratorate"),
    "public_security": ("公安与国安", "Public security"),
    "mass_org": ("群团组织", "Mass organisations"),
    "subdistrict": ("街道", "Sub-districts"),
    "township": ("乡镇", "Townships"),
    "zone": ("开发区", "Development zones"),
    "cppcc": ("政协", "CPPCC"),
    "vertical": ("垂直管理与国有企业", "Vertical agencies and state-owned companies"),
    "other": ("其他", "Other"),
    "collective": ("集合性表述", "Collective placeholders"),
}

_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"  # stripped from the edges of column names

_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def read_registry(path=UNITS_CSV) -> pd.DataFrame:
    """Read and validate the unit registry.

    Returns one row per canonical unit with columns :data:`REGISTRY_COLUMNS` (``aliases`` and
    ``members`` as tuples, ``is_collective`` as bool), ``jurisdiction`` ("" where the file has
    none) and ``line``.

    Raises
    ------
    DataError
        Missing or unexpected columns, an empty or duplicate name (a name may be a canonical
        unit or an alias, never both or twice within one jurisdiction; a canonical name is
        unique in the whole registry), an unknown system, a bad boolean, or a member system that
        does not exist; each names the file, line and value.
    """
    path = Path(path)
    text, _ = read_text(path)
    raw_header = next(csv.reader(io.StringIO(text)), [])
    # a BOM or zero-width space before a column name (a file saved twice with a BOM) is not part of it
    header = [h.strip().strip(_INVISIBLE).strip() for h in raw_header]
    missing = [c for c in REGISTRY_COLUMNS if c not in header]
    extra = [c for c in header if c not in REGISTRY_COLUMNS + OPTIONAL_REGISTRY_COLUMNS]
    if missing or extra:
        raise DataError(
            path,
            1,
            f"registry columns must be {REGISTRY_COLUMNS} (and optionally {OPTIONAL_REGISTRY_COLUMNS})",
            value=f"missing {missing}, unexpected {extra}",
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:  # csv.DictReader would keep the last copy silently
        raise DataError(path, 1, "repeated registry columns", value=", ".join(repeated))
    if header != raw_header:
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = ",".join(header) + "\n" + text
    return _validated(path, header, *_tokenize(text, header))


def split_names(field: str | None) -> tuple[str, ...]:
    """``a|b|c`` as a tuple of stripped, non-empty names: the one reading of a ``|``-separated
    field (the registry's aliases and members, the glossary's forms and related types).

    >>> split_names(" 区发改委| |区发改局 "), split_names(None)
    (('区发改委', '区发改局'), ())
    """
    if not field:
        return ()
    if "|" not in field and field == field.strip():
        return (field,)
    return tuple(a.strip() for a in field.split("|") if a.strip())


def _tokenize(text: str, header: list[str]):
    """``(line of each row, {column: Arrow array}, field count of each row or None)``.

    Arrow's CSV reader tokenises a file of the plain shape (no carriage return, no line break in
    a field, every row with the header's number of fields, no blank line); any other file is
    tokenised by the :mod:`csv` module, blank lines skipped as :class:`csv.DictReader` skips
    them. Either way the columns are the same. A row with too few or too many fields is padded
    or cut to the header; its field count is returned for the validator (None: all complete).
    """
    import pyarrow as pa

    from .arrowtext import read_text_csv

    if "\r" not in text:
        data = text.encode("utf-8")
        n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        table = read_text_csv(pa.BufferReader(data), header)
        if table is not None and table.num_rows == n_lines - 1 and table.column_names == header:
            columns = {c: table[c].combine_chunks() for c in header}
            return np.arange(2, table.num_rows + 2, dtype=np.int64), columns, None
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    lines, rows, n_fields = [], [], []
    for fields in reader:
        if not fields:  # a blank line
            continue
        lines.append(reader.line_num)
        n_fields.append(len(fields))
        rows.append((fields + [""] * len(header))[: len(header)])
    columns = {c: pa.array([r[i] for r in rows], pa.large_string()) for i, c in enumerate(header)}
    return np.asarray(lines, dtype=np.int64), columns, np.asarray(n_fields, dtype=np.int64)


def _first(mask) -> int | None:
    """Index of the first true value, or None."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) if len(hits) else None


def _first_repeat(unit: list[str], where: list[str], aliases: list[tuple]) -> tuple | None:
    """The first ``(row, check, name, row used before)`` where a canonical name repeats (check 2) or
    a name repeats within its jurisdiction (check 3); None if none does (set sizes: no loop)."""
    n_names = len(unit) + sum(map(len, aliases))
    if not any(where):  # one jurisdiction: every name once in the whole registry
        if len(set(unit).union(*aliases)) == n_names:
            return None
    elif len(set(unit)) == len(unit):
        pairs = {(j, x) for u, j, a in zip(unit, where, aliases, strict=True) for x in (u, *a)}
        if len(pairs) == n_names:
            return None
    canonical, seen = {}, {}
    for i, (u, j, a) in enumerate(zip(unit, where, aliases, strict=True)):
        if u in canonical:
            return i, 2, u, canonical[u]
        canonical[u] = i
        clash = next((x for x in (u, *a) if (j, x) in seen), None)
        if clash is not None:
            return i, 3, clash, seen[j, clash]
        seen.update(((j, x), i) for x in (u, *a))
    return None


def _validated(path: Path, header: list[str], lines: np.ndarray, columns: dict, n_fields) -> pd.DataFrame:
    """The registry frame of tokenised rows, after every check; the earliest problem raises.

    Checks, in this order within a row: its number of fields, an empty unit name, a canonical
    name used before, a name (canonical or alias) used before within its jurisdiction, an
    unknown system, a bad ``is_collective``, an unknown member system, members on a named unit.
    Each check runs over the whole column (Arrow's kernels for the text columns); of the
    problems found, the one on the earliest line is reported (the first check for that line).
    """
    n = len(lines)
    if not n:
        raise DataError(path, None, "registry has no unit")
    text = _stripped(columns, n)
    is_collective, flag_ok = _collective_flags(text["is_collective"])
    aliases = [split_names(v) for v in columns["aliases"].to_pylist()]
    members = [split_names(v) for v in columns["members"].to_pylist()]
    found = [
        *_row_problems(header, columns, n_fields, text),
        *_name_problems(lines, text, aliases),
        *_value_problems(columns, text, members, flag_ok, is_collective),
    ]
    if found:
        i, _, message, value = min(found, key=lambda f: (f[0], f[1]))
        raise DataError(path, int(lines[i]), message, value=value)
    return pd.DataFrame(
        {
            "unit": pd.array(text["unit"], dtype=str),
            "aliases": pd.Series(aliases, dtype=object),
            "name_en": pd.array(text["name_en"], dtype=str),
            "system": pd.array(text["system"], dtype=str),
            "is_collective": is_collective.astype(bool),
            "members": pd.Series(members, dtype=object),
            "note": pd.array(text["note"], dtype=str),
            "jurisdiction": pd.array(text["jurisdiction"], dtype=str),
            "line": lines,
        }
    )


def _stripped(columns: dict, n: int) -> dict:
    """The text columns of `n` tokenised rows (Arrow arrays), stripped of surrounding white
    space; ``jurisdiction`` empty when the registry has no such column."""
    import pyarrow as pa

    from .arrowtext import strip

    text = {c: strip(columns[c]) for c in ("unit", "name_en", "system", "note", "is_collective")}
    if "jurisdiction" in columns:
        text["jurisdiction"] = strip(columns["jurisdiction"])
    else:
        text["jurisdiction"] = pa.array([""] * n, pa.large_string())
    return text


def _collective_flags(flags) -> tuple[np.ndarray, np.ndarray]:
    """``(is collective, is a valid flag)`` for each stripped ``is_collective`` value (:data:`_BOOL`, any case)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    large = pa.large_string()
    flags = pc.utf8_lower(flags)
    truthy = pc.is_in(flags, value_set=pa.array([k for k, v in _BOOL.items() if v], large))
    flag_ok = pc.is_in(flags, value_set=pa.array(list(_BOOL), large)).to_numpy(zero_copy_only=False)
    return truthy.to_numpy(zero_copy_only=False), flag_ok


def _row_problems(header: list[str], columns: dict, n_fields, text: dict) -> list[tuple]:
    """The first row with a number of fields other than the header's (check 0) and the first
    with an empty unit name (check 1), as ``(row, check, message, value)``."""
    import pyarrow.compute as pc

    def row_text(i: int) -> str:
        return ",".join(columns[c][i].as_py() for c in header)

    found = []
    if n_fields is not None and (i := _first(n_fields != len(header))) is not None:
        found.append((i, 0, f"row has {n_fields[i]} fields, the header {len(header)}", row_text(i)[-60:]))
    empty = pc.equal(pc.binary_length(text["unit"]), 0).to_numpy(zero_copy_only=False)
    if (i := _first(empty)) is not None:
        found.append((i, 1, "empty unit name", row_text(i)))
    return found


def _name_problems(lines: np.ndarray, text: dict, aliases: list[tuple]) -> list[tuple]:
    """The first canonical name used before (check 2) or name used before within its
    jurisdiction (check 3), as a list of ``(row, check, message, value)`` (at most one)."""
    repeat = _first_repeat(text["unit"].to_pylist(), text["jurisdiction"].to_pylist(), aliases)
    if repeat is None:
        return []
    i, check, name, before = repeat
    if check == 2:
        return [(i, 2, f"unit name already used on line {lines[before]}", name)]
    j = text["jurisdiction"][i].as_py()
    in_j = f" in jurisdiction {j}" if j else ""
    return [(i, 3, f"name already used on line {lines[before]}{in_j}", name)]


def _value_problems(columns: dict, text: dict, members: list[tuple], flag_ok, is_collective) -> list[tuple]:
    """The first unknown system (check 4), bad ``is_collective`` (5), unknown member system (6)
    and named unit with members (7), as ``(row, check, message, value)``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = []
    known = pc.is_in(text["system"], value_set=pa.array(list(SYSTEMS), pa.large_string()))
    if (i := _first(~known.to_numpy(zero_copy_only=False))) is not None:
        found.append((i, 4, f"unknown system (one of {list(SYSTEMS)})", text["system"][i].as_py()))
    if (i := _first(~flag_ok)) is not None:
        found.append((i, 5, "is_collective must be true or false", columns["is_collective"][i].as_py()))
    if not set().union(*members) <= SYSTEMS.keys():
        i = _first([any(m not in SYSTEMS for m in ms) for ms in members])
        found.append((i, 6, "unknown member system", next(m for m in members[i] if m not in SYSTEMS)))
    named_with_members = np.fromiter(map(bool, members), dtype=bool, count=len(members)) & flag_ok & ~is_collective
    if (i := _first(named_with_members)) is not None:
        found.append((i, 7, "only a collective can have members", text["unit"][i].as_py()))
    return found


def spellings(units: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Every name the registry rows know (canonical names, then aliases) and the row of its unit.

    The one mapping of written names to units: :func:`alias_map` makes a dict of it, the
    loader an Arrow hash table.
    """
    aliases = units["aliases"].to_numpy(dtype=object)
    n = np.fromiter(map(len, aliases), dtype=np.int64, count=len(aliases))
    row = np.arange(len(units), dtype=np.int32)
    return [*units["unit"].tolist(), *chain.from_iterable(aliases)], np.concatenate([row, np.repeat(row, n)])


def alias_map(units: pd.DataFrame, jurisdiction: str | None = None) -> dict[str, str]:
    """Map every known spelling (canonical names included) to its canonical unit.

    In a registry with jurisdictions, the spellings of one `jurisdiction` (its own rows over
    the rows that name none); without `jurisdiction`, only the rows that name none.
    """
    where = units["jurisdiction"].to_numpy(dtype=object) if "jurisdiction" in units else None
    out: dict[str, str] = {}
    for j in ("", jurisdiction) if jurisdiction else ("",):
        part = units if where is None else units[where == j]
        names, rows = spellings(part)
        out.update(zip(names, part["unit"].to_numpy(dtype=object)[rows], strict=True))
    return out


def collective_members(units: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Named (non-collective) units each collective stands for, by the registry's ``members``.

    A collective of a jurisdiction stands for that jurisdiction's named units only (a
    collective that names none, for all). A collective without ``members`` maps to an empty
    tuple (it cannot be expanded).
    """
    n = len(units)
    where = units["jurisdiction"].to_numpy(dtype=object) if "jurisdiction" in units else np.full(n, "", dtype=object)
    name, system = units["unit"].to_numpy(dtype=object), units["system"].to_numpy(dtype=object)
    members, is_coll = units["members"].to_numpy(dtype=object), units["is_collective"].to_numpy(dtype=bool)
    by_system: dict = {}  # named units' rows by system and by (jurisdiction, system), in registry order:
    by_place: dict = {}  # one pass, not a scan of every named unit per collective (9,375 × 90,000 at 1M)
    for i in np.flatnonzero(~is_coll).tolist():
        by_system.setdefault(system[i], []).append(i)
        by_place.setdefault((where[i], system[i]), []).append(i)
    out = {}
    for i in np.flatnonzero(is_coll).tolist():
        j = where[i]
        rows = [by_system.get(s, []) if j == "" else by_place.get((j, s), []) for s in dict.fromkeys(members[i])]
        out[name[i]] = tuple(name[k] for k in sorted(chain.from_iterable(rows)))
    return out
