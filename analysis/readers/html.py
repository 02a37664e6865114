"""Saved web pages (``.html``/``.htm``), read with lxml.

The page's declared charset is used (``gb2312`` and ``gbk`` read as their superset GB18030);
without one, UTF-8 then GB18030. Scripts, styles and the ``<head>`` are left out. Block elements
(``<p>``, ``<div>``, ``<li>``, headings, ``<br>`` …) become :class:`~analysis.readers.Line`\\ s
placed at their line in the HTML file; a ``<table>`` without tables inside becomes a
:class:`~analysis.readers.Table` with ``rowspan``/``colspan`` expanded; a table that holds
other tables (a page layout) is read as the blocks inside it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError
from . import Cell, Line, Source, Table

__all__ = ["read"]

_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "select", "button", "svg", "object"}
_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr", "br", "hr",
    "section", "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "center",
    "form", "table", "caption", "figure", "figcaption", "address", "fieldset", "tbody", "thead", "tfoot",
}  # fmt: skip
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "utf8": "utf-8"}


def _decode(path, raw: bytes) -> tuple[str, str]:
    m = _CHARSET.search(raw[:8192])
    declared = m.group(1).decode("ascii").lower() if m else ""
    tries = [_ALIASES.get(declared, declared)] if declared else ["utf-8-sig", "gb18030"]
    for enc in tries:
        try:
            return raw.decode(enc), enc.replace("-sig", "")
        except LookupError:
            raise DataError(path, None, "unknown charset declared in the page", value=declared) from None
        except UnicodeDecodeError as exc:
            if declared or enc == tries[-1]:
                line = raw[: exc.start].count(b"\n") + 1
                raise DataError(
                    path,
                    line,
                    f"bytes are not {enc} (declared {declared or 'none'}) at byte {exc.start}",
                    value=raw[exc.start : exc.start + 8].hex(" "),
                ) from None
    raise AssertionError("unreachable")


class _Walker:
    def __init__(self):
        self.blocks: list = []
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.t_no = 0

    def flush(self):
        text = "".join(self.buf)
        self.buf = []
        for k, part in enumerate(text.split("\n")):
            if part.strip(" \t\r\u3000\u00a0\u200b\ufeff"):
                ln = (self.buf_line or 0) + k if self.buf_line else None
                self.blocks.append(Line(part, f"line {ln}" if ln else "page", ln))
        self.buf_line = None

    def add(self, text: str | None, line: int | None):
        if text:
            text = re.sub(r"[\r\n\t ]+", " ", text)  # HTML white space collapses
            if not self.buf and line:
                self.buf_line = line
            self.buf.append(text)

    def walk(self, el):
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP or not tag:  # comments, processing instructions, scripts
            self.add(el.tail, None)
            return
        if tag == "table" and not el.xpath(".//table"):
            self.flush()
            self.t_no += 1
            self.blocks.append(_table(el, self.t_no))
            self.add(el.tail, None)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if tag == "br":
            self.buf.append("\n")
        self.add(el.text, el.sourceline)
        for child in el:
            self.walk(child)
        if block:
            self.flush()
        self.add(el.tail, None)


def _cell_text(el) -> str:
    w = _Walker()
    w.add(el.text, None)
    for child in el:
        w.walk(child)
    w.flush()
    return "\n".join(b.text.strip() for b in w.blocks if isinstance(b, Line))


def _table(tbl, t_no: int) -> Table:
    grid: dict[tuple[int, int], Cell] = {}
    n_rows = 0
    for r, tr in enumerate(tbl.iter("tr"), start=0):
        n_rows = r + 1
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            try:
                rs = max(1, int(td.get("rowspan", "1") or 1))
                cs = max(1, int(td.get("colspan", "1") or 1))
            except ValueError:
                rs = cs = 1
            rs, cs = min(rs, 1000), min(cs, 100)
            text = _cell_text(td)
            origin = f"table {t_no}, row {r + 1}, column {c + 1}"
            for dr in range(rs):
                for dc in range(cs):
                    place = f"table {t_no}, row {r + dr + 1}, column {c + dc + 1}"
                    grid.setdefault(
                        (r + dr, c + dc), Cell(text, place, "" if (dr, dc) == (0, 0) else origin, td.sourceline)
                    )
            c += cs
    width = max((c for _, c in grid), default=-1) + 1
    n_rows = max([n_rows] + [r + 1 for r, _ in grid])
    rows = tuple(
        tuple(grid.get((r, c), Cell("", f"table {t_no}, row {r + 1}, column {c + 1}")) for c in range(width))
        for r in range(n_rows)
    )
    return Table(rows, f"table {t_no}")


def read(path, name: str) -> Source:
    """Read a saved web page into lines and tables."""
    import lxml.html

    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataError(path, None, f"cannot read file ({exc.strerror})") from None
    text, encoding = _decode(path, raw)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise DataError(path, None, "empty page")
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises several types (ParserError, XMLSyntaxError)
        raise DataError(path, None, f"not a readable HTML page ({exc})") from None
    body = root.find("body")
    w = _Walker()
    w.walk(body if body is not None else root)
    w.flush()
    return Source(name, "html", w.blocks, encoding)
