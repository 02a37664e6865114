"""Word documents (``.docx``), read with python-docx: paragraphs and tables in body order.

* Paragraph numbers that Word draws itself (automatic numbering, ``w:numPr`` on the paragraph
  or its style) are not in the text: they are rendered from ``numbering.xml`` (decimal,
  Chinese counting, circled and letter formats, with the level's text such as ``%1.`` or
  ``(%1)``) and put before the text, as a reader of the document sees them.
* Table cells merged across columns (``w:gridSpan``) or down rows (``w:vMerge``) fill every
  grid position they cover, with the merged cell's place as ``origin``.
* A cell's paragraphs are joined with line breaks; a table inside a cell becomes its lines.
"""

from __future__ import annotations

from ..errors import DataError
from . import Cell, Line, Source, Table

__all__ = ["read"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """An int below 10,000 in Chinese counting (十一, 二十, 一百零五)."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            out += ("零" if zero else "") + _CN[d] + unit
            zero = False
        elif out:
            zero = True
    return out


def _format(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting"):
        return _cn_number(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperRoman" or fmt == "lowerRoman":
        vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        s, k = "", n
        for v, r in vals:
            while k >= v:
                s, k = s + r, k - v
        return s if fmt == "upperRoman" else s.lower()
    if fmt == "none" or fmt == "bullet":
        return ""
    return str(n)  # decimal, decimalZero, …


def _part_element(doc, part: str):
    """The XML root of the part `part` of a python-docx document (``numbering_part``,
    ``styles``), or None when the file has none."""
    try:
        return getattr(doc.part, part).element
    except (NotImplementedError, KeyError, AttributeError):
        return None


class _Numbering:
    """Renders automatic paragraph numbers, counting as Word does (per abstract list)."""

    def __init__(self, doc):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstractNumId -> ilvl -> (start, fmt, text)
        self.num_to_abstract: dict[str, str] = {}
        self.overrides: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        root = _part_element(doc, "numbering_part")
        if root is not None:
            for an in root.iter(f"{_W}abstractNum"):
                aid = an.get(f"{_W}abstractNumId")
                lv = {}
                for lvl in an.iter(f"{_W}lvl"):
                    ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                    start = lvl.find(f"{_W}start")
                    fmt = lvl.find(f"{_W}numFmt")
                    text = lvl.find(f"{_W}lvlText")
                    lv[ilvl] = (
                        int(start.get(f"{_W}val")) if start is not None else 1,
                        fmt.get(f"{_W}val") if fmt is not None else "decimal",
                        text.get(f"{_W}val") if text is not None else f"%{ilvl + 1}.",
                    )
                self.levels[aid] = lv
            for num in root.iter(f"{_W}num"):
                nid = num.get(f"{_W}numId")
                a = num.find(f"{_W}abstractNumId")
                if a is not None:
                    self.num_to_abstract[nid] = a.get(f"{_W}val")
                for ov in num.iter(f"{_W}lvlOverride"):
                    so = ov.find(f"{_W}startOverride")
                    if so is not None:
                        self.overrides.setdefault(nid, {})[int(ov.get(f"{_W}ilvl", "0"))] = int(so.get(f"{_W}val"))
        styles = _part_element(doc, "styles")
        if styles is not None:
            for st in styles.iter(f"{_W}style"):
                numpr = st.find(f"{_W}pPr/{_W}numPr")
                if numpr is not None:
                    nid = numpr.find(f"{_W}numId")
                    ilvl = numpr.find(f"{_W}ilvl")
                    if nid is not None:
                        self.style_num[st.get(f"{_W}styleId")] = (
                            nid.get(f"{_W}val"),
                            int(ilvl.get(f"{_W}val")) if ilvl is not None else 0,
                        )

    def label(self, p) -> str:
        """The number Word draws before paragraph element `p` ("" if none)."""
        ppr = p.find(f"{_W}pPr")
        if ppr is None:
            return ""
        numpr = ppr.find(f"{_W}numPr")
        nid, ilvl = None, 0
        if numpr is not None:
            n = numpr.find(f"{_W}numId")
            lv = numpr.find(f"{_W}ilvl")
            nid = n.get(f"{_W}val") if n is not None else None
            ilvl = int(lv.get(f"{_W}val")) if lv is not None else 0
        else:
            ps = ppr.find(f"{_W}pStyle")
            if ps is not None and ps.get(f"{_W}val") in self.style_num:
                nid, ilvl = self.style_num[ps.get(f"{_W}val")]
        if nid is None or nid == "0" or nid not in self.num_to_abstract:
            return ""
        aid = self.num_to_abstract[nid]
        levels = self.levels.get(aid, {})
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(aid, {})
        if nid not in self.started:  # a list instance's first paragraph: apply its start overrides
            self.started.add(nid)
            for lvl, start in self.overrides.get(nid, {}).items():
                counts[lvl] = start - 1
        start = levels[ilvl][0]
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        text = levels[ilvl][2]
        for k in range(ilvl + 1):
            if f"%{k + 1}" in text:
                start_k, fmt_k, _ = levels.get(k, (1, "decimal", ""))
                text = text.replace(f"%{k + 1}", _format(counts.get(k, start_k), fmt_k))
        if levels[ilvl][1] == "bullet":
            return ""
        return text


def _text(p) -> str:
    """The visible text of a paragraph element: runs, tabs and line breaks (deleted text left out)."""
    out = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
        tag = el.tag
        if tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        else:
            out.append("\n")
    return "".join(out)


def _para(p, numbering: _Numbering) -> str:
    label = numbering.label(p)
    return label + _text(p)


def _cell_text(tc, numbering: _Numbering) -> str:
    parts = []
    for child in tc:
        if child.tag == f"{_W}p":
            parts.append(_para(child, numbering))
        elif child.tag == f"{_W}tbl":
            for tr in child.iter(f"{_W}tr"):
                parts.append("\t".join(_cell_text(c, numbering) for c in tr.iter(f"{_W}tc")))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                parts.append(_cell_text(content, numbering))
    return "\n".join(parts)


def _row_cells(tr):
    for child in tr:
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from (c for c in content if c.tag == f"{_W}tc")


def _table(tbl, t_no: int, numbering: _Numbering) -> Table:
    grid: list[list[Cell]] = []
    above: dict[int, Cell] = {}  # column -> the cell last seen in it (for vMerge continue)
    for r, tr in enumerate((c for c in tbl if c.tag == f"{_W}tr"), start=1):
        row: list[Cell] = []
        trpr = tr.find(f"{_W}trPr")
        before = trpr.find(f"{_W}gridBefore") if trpr is not None else None
        col = int(before.get(f"{_W}val")) if before is not None else 0
        row.extend(Cell("", f"table {t_no}, row {r}, column {k + 1}") for k in range(col))
        for tc in _row_cells(tr):
            tcpr = tc.find(f"{_W}tcPr")
            span, vmerge = 1, None
            if tcpr is not None:
                gs = tcpr.find(f"{_W}gridSpan")
                span = int(gs.get(f"{_W}val")) if gs is not None else 1
                vm = tcpr.find(f"{_W}vMerge")
                if vm is not None:
                    vmerge = vm.get(f"{_W}val") or "continue"
            place = f"table {t_no}, row {r}, column {col + 1}"
            if vmerge == "continue" and col in above:
                first = above[col]
                cells = [
                    Cell(first.text, f"table {t_no}, row {r}, column {col + k + 1}", first.key) for k in range(span)
                ]
            else:
                text = _cell_text(tc, numbering)
                cells = [
                    Cell(text, f"table {t_no}, row {r}, column {col + k + 1}", place if k else "") for k in range(span)
                ]
            for k, cell in enumerate(cells):
                above[col + k] = cell
            row.extend(cells)
            col += span
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    rows = tuple(
        tuple(row + [Cell("", f"table {t_no}, row {r}, column {k + 1}") for k in range(len(row), width)])
        for r, row in enumerate(grid, start=1)
    )
    return Table(rows, f"table {t_no}")


def read(path, name: str) -> Source:
    """Read a .docx file into lines (paragraphs) and tables, in body order."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataError(path, None, f"not a readable Word .docx file ({exc.__class__.__name__})") from None
    numbering = _Numbering(doc)
    blocks: list = []
    p_no = t_no = 0

    def walk(parent):
        nonlocal p_no, t_no
        for child in parent:
            if child.tag == f"{_W}p":
                p_no += 1
                text = _para(child, numbering)
                for k, part in enumerate(text.split("\n")):
                    if part.strip():
                        place = f"paragraph {p_no}" + (f", line {k + 1}" if "\n" in text else "")
                        blocks.append(Line(part, place))
            elif child.tag == f"{_W}tbl":
                t_no += 1
                blocks.append(_table(child, t_no, numbering))
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    walk(content)

    walk(doc.element.body)
    return Source(name, "docx", blocks)
