"""The ingest's vocabulary and the unit-list tokenizer, shared by the ingest and the loader.

Every label the ingest knows lives in one table, ``analysis/vocabulary.csv``: a table header
cell (``牵头单位``), a line label (``牵头单位:…``) or a role phrase after a unit name (``配合``),
each mapped to a field of a measure. A new label is one row of that file.

The fields: ``number`` (序号), ``group`` (a category column: 重点任务, 项目), ``text`` (the
measure: 具体措施, 具体项目), ``lead``, ``responsible``, ``leaders`` (people: 分管领导),
``deadline`` (完成时限), ``remarks`` (备注) and ``roles`` (a value whose roles are written in it:
``部门分工:省发展改革委牵头,各地、各部门配合``).

One exception is written here rather than in the table: the role phrase ``负责`` makes a unit
lead when its value names no ``牵头`` clause (``(区司法局负责)``: the unit in charge), and
responsible otherwise (``区司法局牵头,区直有关部门负责``).

Examples
--------
>>> column_field("牵头单位"), column_field("主要牵头单位"), column_field("牵 头 单 位（部门）")
('lead', 'lead', 'lead')
>>> column_field("分管市领导"), column_field("完成时限及要求"), column_field("备注")
('leaders', 'deadline', 'remarks')
>>> split_units("区政务服务和大数据局、区发改局、、区市场监督管理局")[0]
['区政务服务和大数据局', '区发改局', '区市场监督管理局']
>>> split_units("区直有关部门按职责分工负责")[:2]
(['区直有关部门'], ['按职责分工负责'])
>>> split_units("各街办、区直各部门,区委政法委")[2]
["separator ',' between groups"]
>>> role_clauses("省发展改革委牵头,各地、各部门配合。")
[(['省发展改革委'], 'lead'), (['各地', '各部门'], 'responsible')]
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from pathlib import Path

__all__ = [
    "CLOSE",
    "EDGE",
    "FIELDS",
    "MAYBE_NOT_PLAIN_RE2",
    "OPEN",
    "ROLE_PHRASES",
    "SEPARATORS",
    "clean",
    "column_field",
    "is_plain",
    "label_regex",
    "re2_chars",
    "respell_traditional",
    "role_clauses",
    "role_field",
    "simplified_chars",
    "split_depth0",
    "split_units",
    "strip_role",
    "vocabulary",
]

VOCABULARY_CSV = Path(__file__).with_name("vocabulary.csv")
FIELDS = ("number", "group", "text", "lead", "responsible", "leaders", "deadline", "remarks", "roles")

#: Characters that separate unit names in a list.
SEPARATORS = "、,，;；"
OPEN = "(（〔【["
CLOSE = ")）〕】]"
#: What :func:`clean` strips from both ends: ASCII and full-width spaces, NBSP, en/em space, BOM.
EDGE = " \t\u3000\u00a0\u2002\u2003\ufeff"


@cache
def vocabulary() -> tuple[tuple[str, str, frozenset[str]], ...]:
    """The rows of ``vocabulary.csv``: ``(phrase, field, uses)``."""
    rows = []
    with open(VOCABULARY_CSV, encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    for k, row in enumerate(csv.DictReader(lines), start=2):
        if row["field"] not in FIELDS:
            raise ValueError(f"{VOCABULARY_CSV}: row {k}: unknown field {row['field']!r}")
        rows.append((row["phrase"], row["field"], frozenset(row["use"].split("|"))))
    return tuple(rows)


@cache
def _phrases(use: str) -> dict[str, str]:
    """``{phrase: field}`` of one use (column, label, role); remembered, never to be changed."""
    return {p: f for p, f, uses in vocabulary() if use in uses}


@cache
def _columns() -> dict[str, str]:
    return _phrases("column")


#: Role phrases, longest first so that 按职责分工负责 wins over 负责.
ROLE_PHRASES = tuple(sorted(_phrases("role"), key=len, reverse=True))

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_SPACE = re.compile(r"\s+")


# --- traditional characters ------------------------------------------------------------------
# Plans published (or mirrored) in traditional characters write the same labels and role phrases
# (牽頭單位:…, X牽頭, Y按職責分工負責). They are read through OpenCC's t2s character table, the
# table the glossary matches names with (analysis/glossary.py, ``simplify``), one character for
# one character so that positions and lengths stay: only the vocabulary's own words are respelled,
# unit names and texts stay as written (the glossary merges the spellings of a name).


@cache
def _t2s_table() -> dict[str, str]:
    """One traditional character -> its simplified character (OpenCC ``TSCharacters.txt``,
    the first reading of each; characters that read as several characters are left out)."""
    import opencc

    table = {}
    path = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    with open(path, encoding="utf-8") as fh:
        for ln in fh:
            trad, _, simp = ln.rstrip("\n").partition("\t")
            simp = simp.split(" ")[0]
            if len(trad) == 1 and len(simp) == 1 and trad != simp:
                table[trad] = simp
    return table


def simplified_chars(s: str) -> str:
    """`s` with each traditional character in its simplified spelling, one for one (same length).

    >>> simplified_chars("牽頭單位:區發改局")
    '牵头单位:区发改局'
    """
    if s.isascii():
        return s
    return s.translate(_t2s_ordinals())


@cache
def _t2s_ordinals() -> dict[int, str]:
    """:func:`_t2s_table` keyed by code point, for ``str.translate``."""
    return {ord(trad): simp for trad, simp in _t2s_table().items()}


@cache
def _traditional_of() -> dict[str, str]:
    """A simplified character -> the traditional characters t2s reads as it."""
    out: dict[str, str] = {}
    for trad, simp in _t2s_table().items():
        out[simp] = out.get(simp, "") + trad
    return out


def _spelled_either_way(phrase: str) -> str:
    """A regex matching `phrase` in simplified or traditional characters (牵头: ``[牵牽][头頭]``)."""
    alt = _traditional_of()
    return "".join(f"[{re.escape(ch + alt[ch])}]" if ch in alt else re.escape(ch) for ch in phrase)


#: What may follow a role phrase at the end of a unit name: a separator, a closing bracket, 。 or the end.
_AFTER_ROLE = rf"(?=[{re.escape(SEPARATORS + CLOSE)}。.]|\s*$)"


@cache
def _respell_regexes() -> tuple[re.Pattern, re.Pattern]:
    """``(a class of the traditional characters of the listed phrases, the phrases where they
    stand as labels or roles)``; a class search is a sixth of ``frozenset.isdisjoint``'s time
    on a line of CJK text."""
    alt = _traditional_of()
    words = {p for p, _, uses in vocabulary() if uses & {"label", "role"}}
    trad = sorted({t for w in words for ch in w for t in alt.get(ch, "")})
    labels = sorted((p for p in _phrases("label") if any(ch in alt for ch in p)), key=len, reverse=True)
    roles = sorted((p for p in _phrases("role") if any(ch in alt for ch in p)), key=len, reverse=True)
    label_rx = "|".join(_spelled_either_way(p) for p in labels)
    role_rx = "|".join(_spelled_either_way(p) for p in roles)
    spots = rf"(?:{label_rx})(?=\s*[:：])|(?<=[^\s{re.escape(SEPARATORS + OPEN)}])(?:{role_rx}){_AFTER_ROLE}"
    any_trad = f"[{re.escape(''.join(trad))}]" if trad else "(?!)"  # (?!) never matches
    return re.compile(any_trad), re.compile(spots)


def respell_traditional(s: str) -> str:
    """`s` with the labels and role phrases written in traditional characters respelled in
    simplified ones; everything else (unit names, texts) as written.

    A label counts where a colon follows it, a role phrase where it ends a name (a separator,
    a closing bracket, 。 or the end of the value follows it).

    >>> respell_traditional("(市政府辦公室牽頭,市級各有關部門按職責分工負責)")
    '(市政府辦公室牵头,市級各有關部門按职责分工负责)'
    >>> respell_traditional("牽頭單位:州行政審批服務局;責任單位:州司法局")
    '牵头单位:州行政審批服務局;责任单位:州司法局'
    >>> respell_traditional("負責人員要牽頭抓總")  # not in a label's or a role's place
    '負責人員要牽頭抓總'
    """
    trad, spots = _respell_regexes()
    if trad.search(s) is None:
        return s
    return spots.sub(lambda m: simplified_chars(m.group()), s)


@lru_cache(maxsize=1 << 12)
def column_field(header: str, *, strict: bool = False) -> str | None:
    """The field a table header cell stands for, or None.

    Spaces and line breaks are ignored, then bracketed additions (``牵头单位（部门）``);
    traditional characters are read as simplified ones (``牽頭單位``). With
    `strict`, only listed phrases count; else a header not in the table is matched by its
    longest listed suffix, then by keyword (领导 or 责任人: leaders; 时限, 时间 or 时序: deadline;
    牵头: lead; 配合, 协同, 协办, 参与, or ending in 单位 or 部门: responsible).
    """
    h = simplified_chars(_SPACE.sub("", header or ""))  # 牽頭單位 is 牵头单位
    cols = _columns()
    for cand in (h, _BRACKETS.sub("", h), h.rstrip(":：")):
        if cand in cols:
            return cols[cand]
    if strict:
        return None
    h = _BRACKETS.sub("", h).rstrip(":：")
    if not h or len(h) > 16:
        return None
    for k in range(1, len(h)):
        if h[k:] in cols and len(h[k:]) >= 2:
            return cols[h[k:]]
    if "领导" in h or "责任人" in h:
        return "leaders"
    if any(w in h for w in ("时限", "时间", "时序", "期限")):
        return "deadline"
    if "牵头" in h:
        return "lead"
    if any(w in h for w in ("配合", "协同", "协办", "参与")) or h.endswith("单位") or h.endswith("部门"):
        return "responsible"
    return None


@cache
def label_regex() -> re.Pattern:
    """A regex for a line label (any listed label) followed by a colon: group 1 is the label."""
    labels = sorted(_phrases("label"), key=len, reverse=True)
    return re.compile(rf"({'|'.join(map(re.escape, labels))})\s*[:：]")


def label_field(label: str) -> str:
    """The field of a line label found by :func:`label_regex`."""
    return _phrases("label")[label]


def role_field(phrase: str) -> str:
    """``lead`` or ``responsible`` for a role phrase (``负责`` gives ``lead``; see above)."""
    return _phrases("role")[phrase]


def clean(s: str) -> str:
    """Strip ASCII and full-width whitespace (incl. U+3000 and NBSP) from both ends."""
    return s.strip(EDGE)


_BRACKET_CHARS = frozenset(OPEN + CLOSE)


@cache
def _sep_regex(seps: str) -> re.Pattern:
    return re.compile(f"[{re.escape(seps)}]")


def split_depth0(s: str, seps: str) -> list[str]:
    """Split `s` at characters of `seps` that stand outside parentheses.

    >>> split_depth0("区财政局、各单位党委(党组、支部)、区司法局", "、")
    ['区财政局', '各单位党委(党组、支部)', '区司法局']
    """
    if _BRACKET_CHARS.isdisjoint(s):  # no bracket: every separator is at depth 0
        return _sep_regex(seps).split(s)
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(depth - 1, 0)
        if ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def strip_role(token: str, phrases=ROLE_PHRASES) -> tuple[str, str]:
    """Split a trailing role phrase off a unit token: ``'区财政局配合' -> ('区财政局', '配合')``.

    The name must keep at least two characters (``参与`` alone is not a unit plus a role).
    """
    if not token.endswith(phrases):  # one C-level test for the common case: no role phrase
        return token, ""
    for p in phrases:
        if token.endswith(p) and len(token) > len(p) + 1:
            return token[: -len(p)], p
    return token, ""


_DOUBLED = re.compile(rf"[{SEPARATORS}]{{2,}}")
_SPLITTING = set(SEPARATORS)


_EDGE_RE = re.compile(f"[{re.escape(EDGE)}]")


_NOT_IN_PLAIN = re.compile(f"[{re.escape(SEPARATORS + OPEN + CLOSE + EDGE)}]")
# a role phrase that strip_role would cut off (it needs two characters before it)
_ROLE_END = re.compile(f"(?s).{{2,}}(?:{'|'.join(map(re.escape, ROLE_PHRASES))})$")


def is_plain(name: str) -> bool:
    """True if :func:`split_units` reads `name` (a part between two 、) as itself, or it is empty.

    That is: no separator or bracket, nothing :func:`clean` would strip, no trailing role
    phrase :func:`strip_role` would cut off, no trailing 等 (等部门, 等单位) it would drop, and more than one
    character (a one-character part is joined to its neighbours). The loader splits the plain
    lists by Arrow and only the others with :func:`split_units` (``tests/test_scale.py``
    checks the two agree on generated names).
    """
    if not name:
        return True
    return not (
        len(name) < 2
        or name[0] in EDGE
        or name[-1] in EDGE
        or _NOT_IN_PLAIN.search(name)
        or _ROLE_END.match(name)
        or _strip_etc(name) != name
    )


def re2_chars(chars: str) -> str:
    """`chars` as RE2 code points (``\\x{3001}``…), safe inside and outside a character class."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


#: A superset of the names :func:`is_plain` rejects, in RE2 syntax (Arrow's regex engine): an
#: edge character, a separator or bracket, a line break, a role phrase or 等 anywhere, or a
#: name of one character. Arrow pre-selects with it the few names that need :func:`is_plain`.
MAYBE_NOT_PLAIN_RE2 = "|".join(
    [f"[{re2_chars(SEPARATORS + OPEN + CLOSE + EDGE + '等')}\\n]", "^.$", *map(re2_chars, ROLE_PHRASES)]
)


def split_units(s: str) -> tuple[list[str], list[str], list[str]]:
    """Split a unit list into names.

    Returns ``(units, roles, notes)``: the names in order, the role phrase stripped from each
    (``''`` if none), and notes on separator anomalies (doubled separators, separators other
    than 、). Whitespace inside a name is removed (PDF and Word exports space out short names:
    ``区 财 政 局``).
    """
    units, roles, notes = _split_units(s)
    return list(units), list(roles), list(notes)


@lru_cache(maxsize=1 << 16)
def _split_units(s: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """:func:`split_units` as tuples, remembered: real plans repeat the same lists many times."""
    parts = split_depth0(s, SEPARATORS) if any(ch in s for ch in _SPLITTING) else [s]
    units, roles, notes = [], [], []
    seps = [ch for ch in s if ch in SEPARATORS]
    for ch in sorted(set(seps) - {"、"}):
        notes.append(f"separator {ch!r} between groups")
    if any(not clean(p) for p in parts[1:-1]) or _DOUBLED.search(s):
        notes.append("doubled separator")
    if parts and (not clean(parts[0]) or not clean(parts[-1])) and len(parts) > 1:
        notes.append("separator at the start or end of the list")
    parts = _rejoin_short([clean(p) for p in parts if clean(p)], notes)
    for p in parts:
        name, role = strip_role(p)
        short = _strip_etc(name)  # 六安供电公司等, 区水务局等部门: "and others" is not part of the name
        if short != name:
            notes.append(f"trailing {name[len(short) :]} removed")
            name = short
        name = clean(name)
        if _EDGE_RE.search(name):
            name = _EDGE_RE.sub("", name)
            notes.append("space inside a name removed")
        units.append(name)
        roles.append(role)
    return tuple(units), tuple(roles), tuple(notes)


def _strip_etc(name: str) -> str:
    """A name without a trailing 等 or 等部门 / 等单位 (``区水务局等部门`` -> ``区水务局``), when
    at least three characters are left (``各地等`` stays whole).

    >>> _strip_etc("六安供电公司等"), _strip_etc("区水务局等部门"), _strip_etc("各地等")
    ('六安供电公司', '区水务局', '各地等')
    """
    if "等" not in name:
        return name
    for tail in _ETC:
        if name.endswith(tail) and len(name) - len(tail) >= 3:
            return name[: -len(tail)]
    return name


#: "and the others": what follows the last name of a list (六安供电公司等, 区水务局等部门). Not
#: 等有关部门 / 等相关部门: they name a collective (the other bodies concerned) and stay in the
#: name (区司法局等有关部门, 济南市钢城区 2021).
_ETC = ("等部门", "等单位", "等")


def _rejoin_short(parts: list[str], notes: list[str]) -> list[str]:
    """Join a run of one-character parts to its neighbours: 各县、市、区政府 is one collective.

    A part of one character (市, 区) cannot be a body's name; with the parts around it it
    names a set (各县、市、区政府: each county, city and district government).
    """
    if not any(len(p) < 2 for p in parts):
        return parts
    out: list[str] = []
    join_next = False
    for p in parts:
        if out and (join_next or len(p) < 2):
            out[-1] += "、" + p
        else:
            out.append(p)
        join_next = len(p) < 2
    notes.append("one-character names joined to their neighbours")
    return out


def role_clauses(value: str, *, max_chars: int = 30) -> list[tuple[list[str], str]] | None:
    """Read a value whose roles are written in it: ``X牵头,Y、Z配合`` -> ``[([X], lead), ([Y, Z], responsible)]``.

    Clauses are separated by ``,`` ``，`` ``;`` ``；``; each must end in a role phrase and name
    units of 2 to `max_chars` characters, else None, except that a clause without a role
    phrase after one with a role belongs to the next clause that has one (a comma inside a
    ``配合`` clause: ``X牵头,Y、Z等部门,W配合``); a trailing ``等``, ``等部门`` or ``等单位`` is
    dropped. A trailing ``。`` is ignored. ``负责`` makes its units lead only when no clause
    says ``牵头``.

    >>> role_clauses("区发改局牵头,区财政局、区水务局等部门,区国投公司配合")
    [(['区发改局'], 'lead'), (['区财政局', '区水务局', '区国投公司'], 'responsible')]
    >>> role_clauses("区发改局,区财政局配合") is None  # the first clause's role is not written
    True
    """
    clauses = [clean(c) for c in split_depth0(clean(value).rstrip("。.;；"), ",，;；") if clean(c)]
    if not clauses:
        return None
    parsed = []
    waiting: list[str] = []  # units of clauses without a role phrase, after one with a role
    for clause in clauses:
        names, role = strip_role(clause)
        units = [_strip_etc(clean(u)) for u in split_depth0(names, "、") if clean(u)]
        if not units or not all(2 <= len(u) <= max_chars for u in units):
            return None
        if not role:
            # X牵头,Y、Z等部门,W配合: a comma inside the 配合 clause; the first clause needs its role
            if not parsed:
                return None
            waiting += units
            continue
        parsed.append((waiting + units, role))
        waiting = []
    if waiting:
        return None
    has_lead = any(role != "负责" and role_field(role) == "lead" for _, role in parsed)
    return [
        (units, "lead" if role_field(role) == "lead" and (role != "负责" or not has_lead) else "responsible")
        for units, role in parsed
    ]
