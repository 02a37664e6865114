"""Readers: one per file format, all producing one intermediate form.

A plan arrives as a text file, a saved web page, a Word document, an Excel workbook, a CSV
table or a PDF (old Word ``.doc``, ``.rtf`` and Excel ``.xls`` files are converted by LibreOffice
first: :mod:`analysis.readers.office`). Each reader turns its format into a :class:`Source`: an ordered list of
blocks, each either a :class:`Line` of text or a :class:`Table` of :class:`Cell` rows. Merged
cells are expanded (every grid position holds the text of its merged cell, and ``origin`` names
the merged cell, so the assembler can tell one tall cell from two equal ones), and every line
and cell keeps its provenance (``place``: ``line 12``, ``paragraph 7``, ``table 1, row 3,
column 2``, ``Sheet1!B7``, ``page 2, table 1, row 4, column 3``). The assembler in
:mod:`analysis.ingest` reads only this form, so a new format is a new reader and nothing else.

Examples
--------
>>> src = read_source_text("一、总体要求\\n1.推行改革。\\n牵头单位:区发改局\\n", name="demo.txt")
>>> [(b.line, b.text) for b in src.blocks]
[(1, '一、总体要求'), (2, '1.推行改革。'), (3, '牵头单位:区发改局')]
>>> supported("plan.DOCX"), supported("plan.doc"), supported("plan.ofd")
(True, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError

__all__ = [
    "FORMATS",
    "Cell",
    "Line",
    "Source",
    "Table",
    "read_source",
    "read_source_text",
    "supported",
]

#: File suffix -> format name, for every format a reader exists for.
FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".csv": "csv",
    ".pdf": "pdf",
    ".doc": "doc",  # converted by LibreOffice (readers.office)
    ".rtf": "rtf",
    ".xls": "xls",
}

#: Formats people also save plans in, with what to do instead.
_UNSUPPORTED = {
    ".wps": "a WPS document: save it as .docx and ingest that",
    ".et": "a WPS spreadsheet: save it as .xlsx and ingest that",
    ".ofd": "an OFD file: export it as PDF with a text layer and ingest that",
}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of running text (a paragraph, a line of a text file, a text line of a PDF page)."""

    text: str
    place: str  # where it stands: "line 12", "paragraph 3", "page 2, line 5"
    line: int | None = None  # the line number, for text files


@dataclass(frozen=True, slots=True)
class Cell:
    """One grid position of a table; a merged cell fills every position it covers."""

    text: str
    place: str  # "table 1, row 3, column 2", "Sheet1!B7", …
    origin: str = ""  # place of the merged cell this position belongs to ("" = itself)
    line: int | None = None  # the line number, for tables in text files (csv)

    @property
    def key(self) -> str:
        """The merged cell's identity: equal for every position of one merged cell."""
        return self.origin or self.place


@dataclass(frozen=True, slots=True)
class Table:
    """A table: rows of cells, all rows padded to the same width."""

    rows: tuple[tuple[Cell, ...], ...]
    place: str  # "table 1", "Sheet1", "page 2, table 1"


@dataclass
class Source:
    """What a reader read from one file."""

    name: str  # the file name used in messages and the source_file column
    format: str  # txt, html, docx, xlsx, csv, pdf, doc, rtf, xls
    blocks: list = field(default_factory=list)  # Line and Table, in reading order
    encoding: str = ""  # text encodings; "" for binary formats
    notes: list = field(default_factory=list)  # (place, note) the reader wants reported


def supported(path) -> bool:
    """Is there a reader for this file's suffix?"""
    return Path(path).suffix.lower() in FORMATS


def read_source_text(text: str, *, name: str = "<text>") -> Source:
    """A :class:`Source` of the lines of an already decoded text (blank lines dropped)."""
    from .text import lines_of

    return Source(name, "txt", lines_of(text))


def read_source(path, *, name: str | None = None) -> Source:
    """Read one file with the reader of its format.

    Raises
    ------
    DataError
        For a format no reader exists for (saying what to convert it to), a file that cannot
        be opened or decoded, or a PDF without a text layer.
    """
    path = Path(path)
    label = name or path.name
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED:
        raise DataError(path, None, f"cannot read {_UNSUPPORTED[suffix]}")
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise DataError(
            path, None, f"no reader for {suffix or 'files without a suffix'} (supported: {', '.join(sorted(FORMATS))})"
        )
    if not path.is_file():
        raise DataError(path, None, "no such file")
    if fmt == "txt":
        from .text import read

        return read(path, label)
    if fmt == "html":
        from .html import read
    elif fmt == "docx":
        from .docx import read
    elif fmt == "xlsx":
        from .xlsx import read
    elif fmt == "csv":
        from .delimited import read
    elif fmt in ("doc", "rtf", "xls"):
        from .office import read as read_office

        return read_office(path, label, fmt)
    else:
        from .pdf import read
    return read(path, label)
