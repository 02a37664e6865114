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
    fast = _registry_fast(text, header)
    if fast is not None:
        return fast
    reader = csv.DictReader(io.StringIO(text))
    rows, seen, canonical = [], {}, {}
    for row in reader:
        line = reader.line_num
        if None in row.values() or None in row:
            n = sum(v is not None for k, v in row.items() if k is not None)
            got = n + len(row.get(None) or [])
            raise DataError(
                path,
                line,
                f"row has {got} fields, the header {len(header)}",
                value=",".join(str(v) for v in row.values())[-60:],
            )
        unit = (row["unit"] or "").strip()
        if not unit:
            raise DataError(path, line, "empty unit name", value=str(row))
        aliases = tuple(a.strip() for a in (row["aliases"] or "").split("|") if a.strip())
        jurisdiction = (row.get("jurisdiction") or "").strip()
        if unit in canonical:
            raise DataError(path, line, f"unit name already used on line {canonical[unit]}", value=unit)
        canonical[unit] = line
        for name in (unit, *aliases):
            if (jurisdiction, name) in seen:
                where = f" in jurisdiction {jurisdiction}" if jurisdiction else ""
                raise DataError(path, line, f"name already used on line {seen[jurisdiction, name]}{where}", value=name)
            seen[jurisdiction, name] = line
        system = (row["system"] or "").strip()
        if system not in SYSTEMS:
            raise DataError(path, line, f"unknown system (one of {list(SYSTEMS)})", value=system)
        flag = (row["is_collective"] or "").strip().lower()
        if flag not in _BOOL:
            raise DataError(path, line, "is_collective must be true or false", value=row["is_collective"])
        members = tuple(m.strip() for m in (row["members"] or "").split("|") if m.strip())
        bad = [m for m in members if m not in SYSTEMS]
        if bad:
            raise DataError(path, line, "unknown member system", value=bad[0])
        if members and not _BOOL[flag]:
            raise DataError(path, line, "only a collective can have members", value=unit)
        rows.append(
            {
                "unit": unit,
                "aliases": aliases,
                "name_en": (row["name_en"] or "").strip(),
                "system": system,
                "is_collective": _BOOL[flag],
                "members": members,
                "note": (row["note"] or "").strip(),
                "jurisdiction": jurisdiction,
                "line": line,
            }
        )
    if not rows:
        raise DataError(path, None, "registry has no unit")
    df = pd.DataFrame(rows)
    df["is_collective"] = df["is_collective"].astype(bool)
    return df


def _names(field: str) -> tuple[str, ...]:
    """``a|b|c`` as a tuple of stripped, non-empty names (aliases, members)."""
    if not field:
        return ()
    if "|" not in field and field == field.strip():
        return (field,)
    return tuple(a.strip() for a in field.split("|") if a.strip())


def _registry_fast(text: str, header: list[str]) -> pd.DataFrame | None:
    """The registry of a valid file, column by column; None if any row could raise an error.

    The rows are tokenised by Arrow's CSV reader and every check runs on whole columns. A file
    with any problem (or an odd shape: a repeated header name, a row with too few or too many
    fields, a blank line or a line break inside a field, a carriage return) returns None, and
    :func:`read_registry` reads it row by row to report the first error.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowtext import read_text_csv, strip

    if len(set(header)) != len(header) or "\r" in text:
        return None
    data = text.encode("utf-8")
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    table = read_text_csv(pa.BufferReader(data), header)
    if table is None or not table.num_rows or table.num_rows != n_lines - 1 or table.column_names != header:
        return None
    texts = [
        "unit",
        "name_en",
        "system",
        "note",
        "is_collective",
        *(c for c in OPTIONAL_REGISTRY_COLUMNS if c in header),
    ]
    stripped = {c: strip(table[c]) for c in texts}
    if not pc.all(pc.greater(pc.binary_length(stripped["unit"]), 0)).as_py():
        return None
    unit = stripped["unit"].to_pylist()
    aliases = list(map(_names, table["aliases"].to_pylist()))
    if "jurisdiction" in stripped:
        where = stripped["jurisdiction"].to_pylist()
        pairs = [(j, n) for j, u, a in zip(where, unit, aliases, strict=True) for n in (u, *a)]
        if len(set(unit)) != len(unit) or len(set(pairs)) != len(pairs):
            return None
    else:
        n_names = len(unit) + sum(map(len, aliases))
        if len(set(unit).union(*aliases)) != n_names:
            return None
    if not pc.all(pc.is_in(stripped["system"], value_set=pa.array(list(SYSTEMS), pa.large_string()))).as_py():
        return None
    flags = pc.utf8_lower(stripped["is_collective"])
    if not pc.all(pc.is_in(flags, value_set=pa.array(list(_BOOL), pa.large_string()))).as_py():
        return None
    truthy = [k for k, v in _BOOL.items() if v]
    is_collective = pc.is_in(flags, value_set=pa.array(truthy, pa.large_string())).to_numpy(zero_copy_only=False)
    members = list(map(_names, table["members"].to_pylist()))
    if not set().union(*members) <= SYSTEMS.keys():
        return None
    if any(m and not c for m, c in zip(members, is_collective.tolist(), strict=True)):
        return None
    if "jurisdiction" not in stripped:
        stripped["jurisdiction"] = pa.array([""] * table.num_rows, pa.large_string())
    df = pa.table({c: stripped[c] for c in ("unit", "name_en", "system", "note", "jurisdiction")}).to_pandas()
    return pd.DataFrame(
        {
            "unit": df["unit"],
            "aliases": pd.Series(aliases, dtype=object),
            "name_en": df["name_en"],
            "system": df["system"],
            "is_collective": is_collective.astype(bool),
            "members": pd.Series(members, dtype=object),
            "note": df["note"],
            "jurisdiction": df["jurisdiction"],
            "line": np.arange(2, table.num_rows + 2, dtype=np.int64),
        }
    )


def alias_map(units: pd.DataFrame, jurisdiction: str | None = None) -> dict[str, str]:
    """Map every known spelling (canonical names included) to its canonical unit.

    In a registry with jurisdictions, the spellings of one `jurisdiction` (its own rows over
    the rows that name none); without `jurisdiction`, only the rows that name none.
    """
    where = units["jurisdiction"].to_numpy(dtype=object) if "jurisdiction" in units else None
    out: dict[str, str] = {}
    for j in ("", jurisdiction) if jurisdiction else ("",):
        keep = np.ones(len(units), dtype=bool) if where is None else where == j
        unit = units["unit"].to_numpy(dtype=object)[keep]
        aliases = units["aliases"].to_numpy(dtype=object)[keep]
        n = np.fromiter(map(len, aliases), dtype=np.int64, count=len(aliases))
        out.update(zip(unit, unit, strict=True))
        out.update(zip(chain.from_iterable(aliases), np.repeat(unit, n), strict=True))
    return out


def collective_members(units: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Named (non-collective) units each collective stands for, by the registry's ``members``.

    A collective of a jurisdiction stands for that jurisdiction's named units only (a
    collective that names none, for all). A collective without ``members`` maps to an empty
    tuple (it cannot be expanded).
    """
    where = units["jurisdiction"] if "jurisdiction" in units else pd.Series("", index=units.index)
    named = units[~units["is_collective"]]
    collectives = units[units["is_collective"]]
    out = {}
    for unit, members, j in zip(collectives["unit"], collectives["members"], where[collectives.index], strict=True):
        mine = named["system"].isin(members) & ((where[named.index] == j) | (j == ""))
        out[unit] = tuple(named.loc[mine, "unit"])
    return out
