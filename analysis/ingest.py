"""Read division-of-labour plan texts (分工方案) into one row per measure.

The reader accepts the layouts Chinese local governments publish:

* **line layout** (the Xialu seed): an item ``N.text`` followed by an unlabelled lead line
  (牵头单位) and an unlabelled responsible line (责任单位); either may be missing at the end;
* **labelled lines**: ``牵头单位:…`` / ``责任单位:…`` (ASCII or full-width colon, several labels
  on one line allowed), either one alone;
* **trailing parenthesis**: ``N.text(区政府办、区司法局牵头,区直有关部门按职责分工负责)``; the
  text is stored without it.

Item numbers may be written ``1.`` ``1、`` ``(一)`` or ``(1)``; sections ``一、``. A line ending in
``分工方案`` (or a similar phrase) starts a new plan; a file without one is a single plan named
after the file. Lines before a plan's first section or item are preamble (page chrome, cover
letter, signature) and kept as metadata. Repeated table headers (项目 / 具体项目 / 牵头单位 /
责任单位) are recognised and skipped.

Every non-blank line is accounted for: each gets a kind (see :data:`LINE_KINDS`), and a line that
fits none raises :class:`~analysis.errors.DataError` naming the file and line. Nothing is
silently skipped.

Decisions where the text is ambiguous, written down once here:

* in the line layout the first unit line after an item is the lead line, the second the
  responsible line; a measure with a single unit line therefore has leads and no responsible
  units (Xialu P1-52);
* a line after an item that cannot be a unit list (it holds 。 or a token longer than
  :data:`MAX_UNIT_CHARS`) continues the measure text when no unit line has been read yet, and
  is an error afterwards;
* in a trailing parenthesis, ``X牵头`` makes X lead; ``X配合`` / ``X参与`` / ``X协助`` /
  ``X按职责分工负责`` make X responsible; a bare ``X负责`` makes X lead when the parenthesis
  names no ``牵头`` clause (``(区司法局负责)``: the unit in charge), and responsible otherwise;
* role phrases left at the end of a unit name in any layout (``区财政局配合``) are roles, not part
  of the name: they are stripped and reported;
* measure ids are ``P<plan>-<item>`` (``P1-05``); if item numbers restart within a plan's
  sections they become ``P<plan>-<section>-<item>``.

Examples
--------
>>> doc = parse_text('''
... 某区重点任务分工方案
... 一、优化营商环境
... 1.推行证照分离改革。
... 牵头单位:区市场监督管理局
... 责任单位:区政务服务和大数据局、区司法局
... (2)加强执法监督。(区司法局牵头,区直有关部门按职责分工负责)
... ''', source="demo.txt")
>>> doc.measures[0].measure_id, doc.measures[0].lead_units, doc.measures[0].responsible_units
('P1-01', ('区市场监督管理局',), ('区政务服务和大数据局', '区司法局'))
>>> doc.measures[1].text, doc.measures[1].lead_units, doc.measures[1].responsible_units
('加强执法监督。', ('区司法局',), ('区直有关部门',))
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pandas as pd

from .errors import DataError, read_text, write_csv

__all__ = [
    "LINE_KINDS",
    "MAX_UNIT_CHARS",
    "MEASURE_COLUMNS",
    "Anomaly",
    "Document",
    "Measure",
    "Plan",
    "cn_numeral",
    "ingest",
    "measures_frame",
    "numbering_gaps",
    "parse_file",
    "parse_text",
    "plans_frame",
    "preamble_frame",
    "sidecar_paths",
    "split_units",
    "write_measures",
]

#: Columns of ``measures.csv``, in order.
MEASURE_COLUMNS = [
    "measure_id",
    "plan_id",
    "plan_title",
    "section_no",
    "section_title",
    "item_no",
    "text",
    "lead_units_raw",
    "responsible_units_raw",
    "source_file",
    "source_line",
    "lead_line",
    "responsible_line",
]

#: The kind given to every non-blank source line.
LINE_KINDS = (
    "preamble",  # before a plan's first section or item: page chrome, cover letter, signature
    "title",  # a plan title (…分工方案)
    "header",  # a repeated table header (项目 / 具体项目 / 牵头单位 / 责任单位)
    "section",  # 一、…
    "item",  # N.text, (一)text, …
    "text",  # continuation of the previous item's text
    "lead",  # unlabelled lead line (line layout)
    "responsible",  # unlabelled responsible line (line layout)
    "labelled",  # 牵头单位:… / 责任单位:…
)

#: A token longer than this cannot be a unit name (the longest in the seed has 11 characters).
MAX_UNIT_CHARS = 30

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "一二三四五六七八九十百零〇两"

_SECTION_RE = re.compile(rf"^([{_CN_NUM}]+)\s*[、.．]\s*(\S.*)$")
_ITEM_RES = (
    re.compile(r"^(\d{1,3})\s*[.．、](?![.．])\s*(.*)$"),
    re.compile(rf"^[(（]\s*(\d{{1,3}}|[{_CN_NUM}]+)\s*[)）]\s*(.*)$"),
)
_TITLE_END_RE = re.compile(r"(分工方案|任务分工|责任分工|分工表|任务清单|分工安排|分解方案|任务分解表|分工)$")
# Words of a table header row; a line made only of these (one or several) is a header.
_HEADER_WORDS = frozenset(
    """项目 具体项目 牵头单位 责任单位 序号 主要任务 重点任务 工作任务 任务 具体任务 具体措施 重要举措
    主要举措 主要内容 任务内容 配合单位 责任部门 牵头部门 配合部门 完成时限 时间节点 完成时间 备注""".split()  # noqa: SIM905
)
_LEAD_LABELS = ("牵头单位", "牵头部门", "主办单位", "主责单位")
_RESP_LABELS = ("责任单位", "责任部门", "配合单位", "配合部门", "协办单位", "参与单位")
_LABEL_RE = re.compile(rf"({'|'.join(_LEAD_LABELS + _RESP_LABELS)})\s*[:：]")
_SEPARATORS = "、,，;；"
_SEP_RE = re.compile(rf"[{_SEPARATORS}]")
# Role phrases, longest first so that 按职责分工负责 wins over 负责.
_RESP_PHRASES = ("按职责分工负责", "按照职责分工负责", "按职责负责", "分工负责", "配合", "参与", "协助")
_ROLE_PHRASES = (*_RESP_PHRASES, "牵头", "负责")
_SENTENCE_PUNCT = re.compile(r"[。！？!?：:]")
_OPEN = "(（"
_CLOSE = ")）"


def cn_numeral(s: str) -> int:
    """Convert a Chinese or Arabic numeral below 1000 to an int.

    >>> [cn_numeral(x) for x in ("一", "十", "十二", "二十", "三十五", "一百零三", "56")]
    [1, 10, 12, 20, 35, 103, 56]
    """
    if s.isdigit():
        return int(s)
    total, digit = 0, None
    for ch in s:
        if ch == "百":
            total += (digit or 1) * 100
            digit = None
        elif ch == "十":
            total += (digit or 1) * 10
            digit = None
        elif ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            raise ValueError(f"not a numeral: {s!r}")
    return total + (digit or 0)


@dataclass(frozen=True)
class Anomaly:
    """Something odd but readable in a source line, reported in the data-quality report."""

    source_file: str
    line: int
    kind: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Plan:
    """One division-of-labour plan within a source file."""

    plan_id: str
    plan_title: str
    source_file: str
    title_line: int | None  # None when the file has no title line
    preamble: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Measure:
    """One measure (具体项目) with its units as written."""

    measure_id: str
    plan_id: str
    plan_title: str
    section_no: int | None
    section_title: str
    item_no: int
    text: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    source_file: str
    source_line: int
    lead_line: int | None
    responsible_line: int | None


@dataclass
class Document:
    """What :func:`parse_text` read from one or more sources."""

    plans: list[Plan] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    #: ``(source_file, line) -> kind`` for every non-blank line.
    line_kinds: dict[tuple[str, int], str] = field(default_factory=dict)
    #: ``source_file -> encoding`` as detected.
    encodings: dict[str, str] = field(default_factory=dict)

    def extend(self, other: Document) -> Document:
        """Append another document's content (plan ids must already be distinct)."""
        self.plans += other.plans
        self.measures += other.measures
        self.anomalies += other.anomalies
        self.line_kinds.update(other.line_kinds)
        self.encodings.update(other.encodings)
        return self

    def kind_counts(self) -> Counter:
        """Number of non-blank lines of each kind."""
        return Counter(self.line_kinds.values())


def _clean(line: str) -> str:
    """Strip ASCII and full-width whitespace (incl. U+3000 and NBSP) from both ends."""
    return line.strip(" \t\u3000\u00a0\u2002\u2003\ufeff")


def _is_title(s: str) -> bool:
    return len(s) <= 120 and bool(_TITLE_END_RE.search(s)) and not _SENTENCE_PUNCT.search(s)


def _is_header(s: str) -> bool:
    words = s.split()
    return bool(words) and all(w in _HEADER_WORDS for w in words)


def _match_item(s: str):
    for rx in _ITEM_RES:
        m = rx.match(s)
        if m:
            return cn_numeral(m.group(1)), m.group(2).strip()
    return None


def _split_depth0(s: str, seps: str) -> list[str]:
    """Split `s` at characters of `seps` that stand outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        if ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _strip_role(token: str, phrases=_ROLE_PHRASES) -> tuple[str, str]:
    """Split a trailing role phrase off a unit token: ``'区财政局配合' -> ('区财政局', '配合')``."""
    for p in phrases:
        if token.endswith(p) and len(token) > len(p) + 1:
            return token[: -len(p)], p
    return token, ""


def split_units(s: str) -> tuple[list[str], list[str], list[str]]:
    """Split a unit list into names.

    Returns ``(units, roles, notes)``: the names in order, the role phrase stripped from each
    (``''`` if none), and notes on separator anomalies (doubled separators, separators other
    than 、).

    >>> split_units("区政务服务和大数据局、区发改局、、区市场监督管理局")[0]
    ['区政务服务和大数据局', '区发改局', '区市场监督管理局']
    >>> split_units("区直有关部门按职责分工负责")[:2]
    (['区直有关部门'], ['按职责分工负责'])
    >>> split_units("各街办、区直各部门,区委政法委")[2]
    ["separator ',' between groups"]
    """
    parts = _split_depth0(s, _SEPARATORS)
    units, roles, notes = [], [], []
    seps = [ch for ch in s if ch in _SEPARATORS]
    for ch in sorted(set(seps) - {"、"}):
        notes.append(f"separator {ch!r} between groups")
    if any(not _clean(p) for p in parts[1:-1]) or re.search(rf"[{_SEPARATORS}]{{2,}}", s):
        notes.append("doubled separator")
    if parts and (not _clean(parts[0]) or not _clean(parts[-1])) and len(parts) > 1:
        notes.append("separator at the start or end of the list")
    for p in parts:
        p = _clean(p)
        if not p:
            continue
        name, role = _strip_role(p)
        units.append(_clean(name))
        roles.append(role)
    return units, roles, notes


def _looks_like_units(s: str) -> bool:
    if _SENTENCE_PUNCT.search(s):
        return False
    units, _, _ = split_units(s)
    return bool(units) and all(2 <= len(u) <= MAX_UNIT_CHARS for u in units)


def _trailing_paren(text: str):
    """Find an assignment in a trailing parenthesis.

    Returns ``(text_without_it, leads, responsibles, raw_content)`` or ``None`` when the text
    does not end with a parenthesis whose every clause ends with a role phrase.
    """
    body = text.rstrip("。.;；")
    if not body or body[-1] not in _CLOSE:
        return None
    depth = 0
    for i in range(len(body) - 1, -1, -1):
        if body[i] in _CLOSE:
            depth += 1
        elif body[i] in _OPEN:
            depth -= 1
            if depth == 0:
                break
    else:
        return None
    content = body[i + 1 : -1]
    clauses = [_clean(c) for c in _split_depth0(content, ",，;；") if _clean(c)]
    if not clauses:
        return None
    parsed = []
    for clause in clauses:
        names, role = _strip_role(clause)
        if not role:
            return None
        units = [_clean(u) for u in _split_depth0(names, "、") if _clean(u)]
        if not units or not all(2 <= len(u) <= MAX_UNIT_CHARS for u in units):
            return None
        parsed.append((units, role))
    has_lead = any(role == "牵头" for _, role in parsed)
    leads, resps = [], []
    for units, role in parsed:
        if role == "牵头" or (role == "负责" and not has_lead):
            leads += units
        else:
            resps += units
    stripped = body[:i].rstrip()
    tail = text[len(body) :]  # keep a final 。 that followed the parenthesis
    return stripped + tail, leads, resps, content


@dataclass
class _Item:
    plan_index: int
    section_no: int | None
    section_title: str
    item_no: int
    text: str
    line: int
    lead: list[str] = field(default_factory=list)
    resp: list[str] = field(default_factory=list)
    lead_line: int | None = None
    resp_line: int | None = None
    n_unit_lines: int = 0
    form: str = ""  # "", "lines", "labelled" or "parenthesis"


def parse_text(text: str, *, source: str = "<text>", first_plan: int = 1) -> Document:
    """Parse the text of one source file.

    Parameters
    ----------
    text : str
        The whole file, already decoded.
    source : str
        Name used in errors, anomalies and the ``source_file`` column.
    first_plan : int
        Number of the first plan in this file (plans are numbered across files).

    Raises
    ------
    DataError
        For a line that fits no kind, a unit list where none may stand, a measure with no unit
        at all, or a duplicate measure id.
    """
    doc = Document()
    plans: list[dict] = []  # mutable plan records: title, line, preamble, started
    items: list[_Item] = []
    section: tuple[int | None, str] = (None, "")
    current: _Item | None = None
    doc_preamble: list[tuple[int, str]] = []  # lines before the first plan title

    def error(line, msg, value):
        raise DataError(source, line, msg, value=value)

    def new_plan(title: str, line: int | None):
        plans.append({"title": title, "line": line, "preamble": [], "started": False})

    def kind(line, k):
        doc.line_kinds[(source, line)] = k

    def note_units(line, notes, roles, where):
        for n in notes:
            doc.anomalies.append(Anomaly(source, line, "separator", where, n))
        for r in roles:
            if r:
                doc.anomalies.append(Anomaly(source, line, "role phrase", where, f"stripped {r!r}"))

    for lineno, raw in enumerate(text.split("\n"), start=1):
        s = _clean(raw)
        if not s:
            continue
        if _is_title(s):
            new_plan(s, lineno)
            section, current = (None, ""), None
            kind(lineno, "title")
            if s.startswith("《") and "》" not in s:
                doc.anomalies.append(Anomaly(source, lineno, "title", s, "opening 《 without closing 》"))
            continue
        if _is_header(s):
            kind(lineno, "header")
            current = None
            continue
        m = _SECTION_RE.match(s)
        if m:
            if not plans:
                new_plan("", None)
            plans[-1]["started"] = True
            section, current = (cn_numeral(m.group(1)), m.group(2).strip()), None
            kind(lineno, "section")
            continue
        it = _match_item(s)
        if it:
            if not plans:
                new_plan("", None)
            plans[-1]["started"] = True
            current = _Item(len(plans) - 1, section[0], section[1], it[0], it[1], lineno)
            items.append(current)
            kind(lineno, "item")
            paren = _trailing_paren(current.text)
            if paren:
                current.text, current.lead, current.resp, content = paren
                current.lead_line = lineno if current.lead else None
                current.resp_line = lineno if current.resp else None
                current.form = "parenthesis"
                # Commas and semicolons separate the clauses here; only a doubled one is odd.
                if re.search(rf"[{_SEPARATORS}]{{2,}}", content):
                    note_units(lineno, ["doubled separator"], [], content)
            continue
        labels = list(_LABEL_RE.finditer(s))
        if labels and labels[0].start() == 0:
            if current is None:
                error(lineno, "unit label outside any measure", s)
            if current.form not in ("", "labelled"):
                error(lineno, f"measure of line {current.line} already has its units ({current.form})", s)
            current.form = "labelled"
            kind(lineno, "labelled")
            for j, lm in enumerate(labels):
                end = labels[j + 1].start() if j + 1 < len(labels) else len(s)
                value = _clean(s[lm.end() : end]).rstrip(";；,，。")
                units, roles, notes = split_units(value)
                note_units(lineno, notes, roles, value)
                if not units:
                    doc.anomalies.append(Anomaly(source, lineno, "empty label", lm.group(1), "no unit named"))
                bad = [u for u in units if not 2 <= len(u) <= MAX_UNIT_CHARS]
                if bad:
                    error(lineno, "not a unit name", bad[0])
                if lm.group(1) in _LEAD_LABELS:
                    current.lead += units
                    current.lead_line = current.lead_line or lineno
                else:
                    current.resp += units
                    current.resp_line = current.resp_line or lineno
            continue
        if current is None:
            if not plans or not plans[-1]["started"]:
                (plans[-1]["preamble"] if plans else doc_preamble).append((lineno, s))
                kind(lineno, "preamble")
                continue
            error(lineno, "cannot place this line (not a title, section, item or unit list)", s)
        if current.form in ("labelled", "parenthesis"):
            error(lineno, f"unlabelled line after a measure whose units are {current.form}", s)
        if _looks_like_units(s):
            units, roles, notes = split_units(s)
            note_units(lineno, notes, roles, s)
            current.form = "lines"
            if current.n_unit_lines == 0:
                current.lead, current.lead_line = units, lineno
                kind(lineno, "lead")
            elif current.n_unit_lines == 1:
                current.resp, current.resp_line = units, lineno
                kind(lineno, "responsible")
            else:
                error(lineno, f"third unit line for the measure of line {current.line}", s)
            current.n_unit_lines += 1
            continue
        if current.n_unit_lines == 0:
            current.text += s
            kind(lineno, "text")
            doc.anomalies.append(
                Anomaly(source, lineno, "text continuation", s[:20], f"joined to the measure of line {current.line}")
            )
            continue
        error(lineno, "cannot place this line (text after the measure's unit lines)", s)

    if not items:
        raise DataError(source, None, "no measure found")

    stem = Path(source).stem
    for k, p in enumerate(plans):
        pid = f"P{first_plan + k}"
        title = p["title"] or stem
        # Lines before the first plan title (page chrome, cover letter) go with the first plan.
        preamble = tuple(doc_preamble if k == 0 else ()) + tuple(p["preamble"])
        doc.plans.append(Plan(pid, title, source, p["line"], preamble))

    for it in items:
        if not it.lead and not it.resp:
            raise DataError(source, it.line, "measure has neither lead nor responsible units", value=it.text[:40])
        if not it.text:
            raise DataError(source, it.line, "measure has no text", value=str(it.item_no))

    doc.measures = _number(items, doc.plans, source)
    return doc


def _number(items: list[_Item], plans: list[Plan], source: str) -> list[Measure]:
    """Give each item its measure id; see the module docstring for the scheme."""
    out: list[Measure] = []
    for k, plan in enumerate(plans):
        its = [it for it in items if it.plan_index == k]
        unique = len({it.item_no for it in its}) == len(its)
        seen: dict[str, int] = {}
        for it in its:
            if unique:
                mid = f"{plan.plan_id}-{it.item_no:02d}"
            else:
                mid = f"{plan.plan_id}-{it.section_no or 0}-{it.item_no:02d}"
            if mid in seen:
                raise DataError(source, it.line, f"duplicate item number (also on line {seen[mid]})", value=mid)
            seen[mid] = it.line
            out.append(
                Measure(
                    measure_id=mid,
                    plan_id=plan.plan_id,
                    plan_title=plan.plan_title,
                    section_no=it.section_no,
                    section_title=it.section_title,
                    item_no=it.item_no,
                    text=it.text,
                    lead_units=tuple(it.lead),
                    responsible_units=tuple(it.resp),
                    source_file=source,
                    source_line=it.line,
                    lead_line=it.lead_line,
                    responsible_line=it.resp_line,
                )
            )
    return out


def parse_file(path, *, first_plan: int = 1, name: str | None = None) -> Document:
    """Read and parse one source file (UTF-8 or GB18030); `name` is its ``source_file`` label."""
    path = Path(path)
    text, encoding = read_text(path)
    label = name or path.name
    doc = parse_text(text, source=label, first_plan=first_plan)
    doc.encodings[label] = encoding
    return doc


def ingest(sources) -> Document:
    """Parse several source files in the order given; plans are numbered across them."""
    sources = [Path(s) for s in sources]
    if not sources:
        raise DataError(None, None, "no source file given")
    doc = Document()
    for path in sources:
        part = parse_file(path, first_plan=len(doc.plans) + 1)
        if part.plans and any(p.source_file == part.plans[0].source_file for p in doc.plans):
            raise DataError(path, None, "two sources share this file name", value=path.name)
        doc.extend(part)
    return doc


def numbering_gaps(doc: Document) -> list[tuple[str, int, int, int]]:
    """Jumps in item numbering: ``(plan_id, after_item, next_item, n_missing)``."""
    gaps = []
    for plan in doc.plans:
        nos = [m.item_no for m in doc.measures if m.plan_id == plan.plan_id]
        for a, b in pairwise(nos):
            if b > a + 1:
                gaps.append((plan.plan_id, a, b, b - a - 1))
    return gaps


def measures_frame(doc: Document) -> pd.DataFrame:
    """One row per measure with the :data:`MEASURE_COLUMNS`."""
    rows = [
        {
            **{k: getattr(m, k) for k in MEASURE_COLUMNS if hasattr(m, k)},
            "lead_units_raw": "、".join(m.lead_units),
            "responsible_units_raw": "、".join(m.responsible_units),
        }
        for m in doc.measures
    ]
    df = pd.DataFrame(rows, columns=MEASURE_COLUMNS)
    for col in ("section_no", "item_no", "source_line", "lead_line", "responsible_line"):
        df[col] = df[col].astype("Int64")
    return df


def plans_frame(doc: Document) -> pd.DataFrame:
    """One row per plan: id, title, source, title line and measure count."""
    counts = Counter(m.plan_id for m in doc.measures)
    df = pd.DataFrame(
        [
            {
                "plan_id": p.plan_id,
                "plan_title": p.plan_title,
                "source_file": p.source_file,
                "title_line": p.title_line,
                "n_measures": counts[p.plan_id],
                "n_preamble_lines": len(p.preamble),
            }
            for p in doc.plans
        ]
    )
    df["title_line"] = df["title_line"].astype("Int64")
    return df


def preamble_frame(doc: Document) -> pd.DataFrame:
    """The preamble lines (page chrome, cover letter, signature) of every plan."""
    rows = [
        {"plan_id": p.plan_id, "source_file": p.source_file, "line": ln, "text": t}
        for p in doc.plans
        for ln, t in p.preamble
    ]
    return pd.DataFrame(rows, columns=["plan_id", "source_file", "line", "text"])


def sidecar_paths(measures_csv) -> dict[str, Path]:
    """Paths of the metadata written beside a measures CSV: ``<stem>.plans.csv``, ``<stem>.preamble.csv``."""
    p = Path(measures_csv)
    return {
        "plans": p.with_name(f"{p.stem}.plans.csv"),
        "preamble": p.with_name(f"{p.stem}.preamble.csv"),
    }


def write_measures(doc: Document, path) -> Path:
    """Write ``measures.csv`` and its two metadata sidecars; returns the measures path."""
    path = write_csv(measures_frame(doc), path)
    side = sidecar_paths(path)
    write_csv(plans_frame(doc), side["plans"])
    write_csv(preamble_frame(doc), side["preamble"])
    return path
