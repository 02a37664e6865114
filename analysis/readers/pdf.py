"""PDF files with a text layer (``.pdf``), read with pdfplumber.

Each page gives its tables (ruled tables, as Word and WPS export them) and the text lines that
stand outside them, in reading order (top to bottom). A cell merged over several rows or
columns fills every grid position it covers. A header row that Word repeats on every page is
a row of every page's table: the assembler recognises it as the header it already has. A PDF
whose pages have no text at all is a scan: that is an error saying OCR is needed.
"""

from __future__ import annotations

import itertools
import re

from ..errors import DataError
from . import Cell, Line, Source, Table

__all__ = ["read"]


def _inside(x: float, y: float, bbox) -> bool:
    x0, top, x1, bottom = bbox
    return x0 - 0.5 <= x <= x1 + 0.5 and top - 0.5 <= y <= bottom + 0.5


def _centres(edges: list[float]) -> list[float]:
    """Midpoints between consecutive distinct edges (closer than 1 pt counts as one)."""
    out: list[float] = []
    for e in sorted(edges):
        if not out or e - out[-1] > 1.0:
            out.append(e)
    return [(a + b) / 2 for a, b in itertools.pairwise(out)]


_CJK_SPACE = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[0-9A-Za-z%.])|(?<=[0-9A-Za-z%.]) (?=[\u3000-\u9fff\uff00-\uffef])"
)


def _tidy(text: str) -> str:
    """Drop the space PDF text extraction puts between Chinese and Latin or digits (``增长 6.5%``)."""
    return _CJK_SPACE.sub("", text)


def _char_width(ln: dict) -> float:
    return (ln["x1"] - ln["x0"]) / max(len(ln["text"]), 1)


_NO_LINE_START = set("、，。,.；;：:！？!?)）》」』】%”’")


def _need(nxt: dict) -> float:
    """Width of the next line's start: its first character, with a punctuation mark after it,
    which may not start a line (line-breaking rules move the two together)."""
    chars = nxt["chars"]
    need = chars[0]["width"] if chars else _char_width(nxt)
    if len(chars) > 1 and chars[1]["text"] in _NO_LINE_START:
        need += chars[1]["width"]
    return need


def _wraps(prev: dict, nxt: dict, available: float) -> bool:
    """In a cell: did `prev` end because the next line's start would not fit in `available` points?

    Widths, not positions, so that centred cells are read right."""
    return (prev["x1"] - prev["x0"]) + _need(nxt) > available + 0.5


def _cell_text(page, bb) -> str:
    """A cell's text: wrapped lines joined with nothing, lines the author broke with a line break."""
    x0, top, x1, bottom = bb
    lines = page.crop((x0, top, x1, bottom), strict=False).extract_text_lines()
    if not lines:
        return ""
    margin = min(max(min(ln["x0"] for ln in lines) - x0, 0), 6.0)  # the cell's inner margin
    available = (x1 - x0) - 2 * margin
    out = _tidy(lines[0]["text"])
    for prev, ln in itertools.pairwise(lines):
        out += ("" if _wraps(prev, ln, available) else "\n") + _tidy(ln["text"])
    return out


def _table(page, tbl, page_no: int, t_no: int) -> Table:
    cells = [(bb, _cell_text(page, bb)) for row in tbl.rows for bb in row.cells if bb is not None]
    # grid lines from the cells' edges (pdfplumber's columns widen under a merged row)
    ys = _centres([bb[1] for bb, _ in cells] + [bb[3] for bb, _ in cells])
    xs = _centres([bb[0] for bb, _ in cells] + [bb[2] for bb, _ in cells])
    rows = []
    for i, y in enumerate(ys):
        row = []
        for j, x in enumerate(xs):
            place = f"page {page_no}, table {t_no}, row {i + 1}, column {j + 1}"
            hit = next(((bb, text) for bb, text in cells if _inside(x, y, bb)), None)
            if hit is None:
                row.append(Cell("", place))
                continue
            bb, text = hit
            # the merged cell's own place: its top-left grid position
            r0 = next(k for k, yy in enumerate(ys) if _inside(x, yy, bb))
            c0 = next(k for k, xx in enumerate(xs) if _inside(xx, y, bb))
            origin = "" if (r0, c0) == (i, j) else f"page {page_no}, table {t_no}, row {r0 + 1}, column {c0 + 1}"
            row.append(Cell(text or "", place, origin))
        rows.append(tuple(row))
    return Table(tuple(rows), f"page {page_no}, table {t_no}")


def _paragraphs(lines: list[dict]) -> list[tuple[float, str]]:
    """Text lines outside tables, a paragraph's wrapped lines joined into one.

    A line that runs to the right margin (the widest line's end) and is followed by a line
    starting at the left margin (no indent) continues on that line.
    """
    if not lines:
        return []
    left = min(ln["x0"] for ln in lines)
    right = max(ln["x1"] for ln in lines)
    out: list[tuple[float, str]] = []
    prev = None
    for ln in lines:
        text = _tidy(ln["text"])
        if prev is not None and prev["x1"] + _need(ln) > right + 0.5 and ln["x0"] <= left + 0.5 * _char_width(ln):
            out[-1] = (out[-1][0], out[-1][1] + text)
            prev = ln
            continue
        out.append((ln["top"], text))
        prev = ln
    return out


def read(path, name: str) -> Source:
    """Read the tables and text lines of every page."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, OSError, ValueError) as exc:
        raise DataError(path, None, f"not a readable PDF ({exc.__class__.__name__})") from None
    except Exception as exc:  # pdfminer raises its own types for encrypted or damaged files
        raise DataError(path, None, f"not a readable PDF ({exc.__class__.__name__}: {exc})") from None
    blocks: list = []
    n_chars = 0
    with pdf:
        for page_no, page in enumerate(pdf.pages, start=1):
            n_chars += len(page.chars)
            found = page.find_tables()
            items = []
            for t_no, tbl in enumerate(found, start=1):
                items.append((tbl.bbox[1], 0, _table(page, tbl, page_no, t_no)))
            boxes = [t.bbox for t in found]
            lines = []
            for ln in page.extract_text_lines():
                x, y = (ln["x0"] + ln["x1"]) / 2, (ln["top"] + ln["bottom"]) / 2
                if not any(_inside(x, y, bb) for bb in boxes):
                    lines.append(ln)
            for k, (top, text) in enumerate(_paragraphs(lines), start=1):
                items.append((top, 1, Line(text, f"page {page_no}, line {k}")))
            items.sort(key=lambda t: (t[0], t[1]))
            blocks.extend(b for _, _, b in items)
    if n_chars == 0:
        raise DataError(path, None, "the PDF has no text layer (a scan?): OCR is needed before it can be read")
    return Source(name, "pdf", blocks)
