"""Text columns through Arrow: conversion and hash look-ups that pandas does slowly on Arrow strings.

With pyarrow installed, pandas 3 stores text in Arrow, and ``isin``, ``reindex`` and
``get_indexer`` then round-trip every value through Python objects (a tenth of a second per
100,000 names). These helpers hand the columns to Arrow's own hash tables instead. pyarrow is
imported when one is called, so that modules that only import this one stay light.

>>> import numpy as np
>>> import pandas as pd
>>> positions(pd.Series(["乙", "丙", "甲"]), ["甲", "乙"]).tolist()
[1, -1, 0]
>>> isin(pd.Series(["乙", "丙"]), {"乙"}).tolist()
[True, False]
>>> take(np.array(["甲", "乙"], dtype=object), np.array([1, 1, 0])).tolist()
['乙', '乙', '甲']
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

__all__ = ["isin", "positions", "read_text_csv", "strip", "take", "to_arrow", "whitespace"]


@functools.cache
def whitespace() -> str:
    """Every character :meth:`str.strip` removes (Arrow's ``utf8_trim`` takes a set).

    Computed on first use (a pass over all of Unicode, a tenth of a second), not at import.

    >>> len(whitespace()), " " in whitespace(), chr(0x3000) in whitespace()
    (29, True, True)
    """
    return "".join(chr(i) for i in range(0x110000) if chr(i).isspace())


def strip(column):
    """An Arrow text column with every value stripped as :meth:`str.strip` would strip it."""
    import pyarrow.compute as pc

    return pc.utf8_trim(column, whitespace())


def read_text_csv(source, header: list[str], *, block_size: int | None = None):
    """Arrow's CSV reader with every column read as text (``""`` stays ``""``, never null).

    Returns None where Arrow rejects the file (invalid UTF-8, a row with too few or too many
    fields); quoted line breaks are not expected (``newlines_in_values=False``), so callers
    compare the number of rows with the number of lines.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    read = pacsv.ReadOptions() if block_size is None else pacsv.ReadOptions(block_size=block_size)
    try:
        return pacsv.read_csv(
            source,
            read_options=read,
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.large_string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def to_arrow(values):
    """A text column (Series, array or list of str) as one Arrow ``large_string`` array.

    Arrow-backed Series are not copied; other values go through Python objects.
    """
    import pyarrow as pa

    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values
    elif isinstance(values, (pd.Series, pd.Index)) and hasattr(values.array, "__arrow_array__"):
        arr = pa.array(values.array)
    else:
        arr = pa.array(np.asarray(values, dtype=object))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr


def isin(values, wanted) -> np.ndarray:
    """``values.isin(wanted)`` as a boolean array (missing values are not in)."""
    import pyarrow.compute as pc

    value_set = to_arrow([str(w) for w in wanted])
    return pc.is_in(to_arrow(values), value_set=value_set).to_numpy(zero_copy_only=False)


def positions(values, within) -> np.ndarray:
    """Position of each of `values` in `within` (its first occurrence), −1 where absent."""
    import pyarrow.compute as pc

    found = pc.index_in(to_arrow(values), value_set=to_arrow(within))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def take(values, indices) -> pd.api.extensions.ExtensionArray:
    """``values[indices]`` as a pandas ``str`` array, gathered by Arrow.

    The same values and dtype as a frame built from ``values[indices]`` (an object array of
    str), without making a Python string per row and converting them back to Arrow.
    """
    import pyarrow as pa

    return pd.array(to_arrow(values).take(pa.array(np.asarray(indices))), dtype=str)
