"""Plain text (``.txt``): UTF-8 with or without BOM, or GB18030; one :class:`Line` per non-blank line."""

from __future__ import annotations

from ..errors import read_text
from . import Line, Source

__all__ = ["lines_of", "read"]

# what counts as blank: ASCII and full-width spaces, NBSP, en/em spaces, BOM, zero-width space
_BLANK = " \t\u3000\u00a0\u2002\u2003\ufeff\u200b\f\v"


def lines_of(text: str) -> list[Line]:
    """The non-blank lines of `text`, numbered from 1 (line ends already ``\\n``)."""
    return [Line(raw, f"line {n}", n) for n, raw in enumerate(text.split("\n"), start=1) if raw.strip(_BLANK)]


def read(path, name: str) -> Source:
    """Read a text file (see :func:`analysis.errors.read_text` for the encodings)."""
    text, encoding = read_text(path)
    return Source(name, "txt", lines_of(text), encoding)
