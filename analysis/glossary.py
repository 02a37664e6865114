"""Glossary of Chinese government bodies: type a written unit name, and propose a registry.

The glossary (``analysis/glossary.csv``; README "Glossary and proposed registries") lists functional types (发展和改革,
司法, 公安 …), each with its system, an English name pattern and the written forms plans use
(发展和改革局, 发改委, 发改局 …, in order of preference: the body's proper name first). A written
name is read as

    [中共] [jurisdiction prefix] form

where the prefix is a level (省 市 州 盟 县 区 旗 乡 镇 街道 …), a place and a level (黄石市), a
place alone (下陆公安分局, 立山经济开发区) or nothing. The longest form that leaves a valid prefix
wins, so 区人大常委会办公室 is the office, not the committee. Collective placeholders (区直有关部门,
各街道, 各开发区、镇(街道) …) are recognised by pattern before any form. Names in traditional
characters are matched through their simplified spelling (OpenCC's ``t2s`` tables).

:func:`propose` turns the written names of a plan into a registry in the format of
``data/units.csv``: spellings of one functional type and one jurisdiction become one unit, with a
``variant:`` note giving the reason and how sure it is; related types (区人大 and 区人大常委会,
区科经局 and 区经信局) are never merged, and each gets a ``judgement:`` note; names the glossary
cannot type stay units of their own with system ``other``.

Examples
--------
>>> c = classify("区发改委")
>>> c.type_id, c.system, c.level, c.name_en
('ndrc', 'government', '区', 'District Development and Reform Bureau')
>>> classify("下陆公安分局").place, classify("下陆公安分局").type_id
('下陆', 'public_security')
>>> classify("各开发区、镇(街道)").is_collective
True
>>> classify("區衛健委").type_id
'health'
>>> p = propose(["区发改局", "区发改委", "区人大", "区人大常委会"])
>>> p.units[["unit", "aliases"]].values.tolist()
[['区人大', ''], ['区人大常委会', ''], ['区发改局', '区发改委']]
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .config import GLOSSARY_CSV
from .errors import DataError, read_text
from .jurisdiction import ZONE_EN
from .registry import REGISTRY_COLUMNS, SYSTEMS, split_names
from .vocabulary import split_units

__all__ = [
    "DECISION_COLUMNS",
    "GLOSSARY_COLUMNS",
    "LEVELS",
    "Classification",
    "Glossary",
    "GlossaryType",
    "Proposal",
    "classify",
    "compare_registries",
    "default_glossary",
    "load_glossary",
    "propose",
    "propose_registry",
    "read_unit_names",
    "simplify",
]

GLOSSARY_COLUMNS = ["type_id", "system", "name_zh", "name_en", "unique", "forms", "related", "note"]

#: Level words a jurisdiction prefix can end in, with their English, longest first.
LEVELS = {
    "自治区": "Regional",
    "自治州": "Prefecture",
    "自治县": "County",
    "自治旗": "Banner",
    "街道": "Sub-district",
    "特区": "Special District",
    "苏木": "Sumu",
    "省": "Provincial",
    "市": "City",
    "州": "Prefecture",
    "盟": "League",
    "县": "County",
    "区": "District",
    "旗": "Banner",
    "乡": "Township",
    "镇": "Town",
}
_LEVEL_ALT = "|".join(sorted(LEVELS, key=len, reverse=True))
_LEVEL_TOKENS = ("区", "县", "市", "旗", "省", "州", "盟", "乡", "镇")  # expansions of {L}

#: Pieces that mark a body, not a place: a prefix containing one is not a jurisdiction.
_BODY_MARKS = ("委", "局", "办", "部", "厅", "院", "室", "会", "政府", "人大", "党", "组", "直", "各", "有关", "相关")

DECISION_COLUMNS = [
    "name",
    "n_mentions",
    "unit",
    "decision",
    "type_id",
    "system",
    "level",
    "place",
    "is_collective",
    "confidence",
    "reason",
]


@dataclass(frozen=True)
class GlossaryType:
    """One functional type of the glossary (one row of ``glossary.csv``)."""

    type_id: str
    system: str
    name_zh: str
    name_en: str
    unique: bool
    forms: tuple[str, ...]
    related: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Glossary:
    """The glossary: types by id, and every written form (``{L}`` expanded) → (type id, rank, level)."""

    types: dict[str, GlossaryType]
    forms: dict[str, tuple[str, int, str]]
    place_forms: tuple[tuple[re.Pattern, str, int, str, str], ...]


@dataclass(frozen=True)
class Classification:
    """How one written name is read.

    ``type_id`` is empty for a name the glossary cannot type (then ``system`` is ``other`` and
    ``confidence`` ``none``) and ``collective`` for a collective placeholder. ``level`` is the
    level word of the prefix (区, 市 …) and ``place`` the place name written before it or without
    it (下陆); ``core`` is the matched form and ``suffix`` its last word (局, 委 …).
    """

    name: str
    simplified: str
    type_id: str
    system: str
    name_en: str
    level: str
    place: str
    prefix: str
    core: str
    suffix: str
    is_collective: bool
    members: tuple[str, ...]
    unique: bool
    confidence: str
    reason: str


def load_glossary(path=GLOSSARY_CSV) -> Glossary:
    """Read and check the glossary.

    Raises
    ------
    DataError
        Wrong columns, an empty or repeated type id, an unknown system, a bad ``unique`` flag, a
        form used by two types, or a related type that does not exist; each names the file,
        line and value.
    """
    path = Path(path)
    text, _ = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != GLOSSARY_COLUMNS:
        raise DataError(path, 1, f"glossary columns must be {GLOSSARY_COLUMNS}", value=str(reader.fieldnames))
    types: dict[str, GlossaryType] = {}
    forms: dict[str, tuple[str, int, str]] = {}
    place_forms: list[tuple[re.Pattern, str, int, str, str]] = []
    lines: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        t = _glossary_type(row, path, line, types)
        _add_forms(t, path, line, forms, place_forms)
        types[t.type_id] = t
        lines[t.type_id] = line
    types = _symmetric_related(types, path, lines)
    # The longest literal first: 人民银行{P}中心支行 before 人民银行{P}支行.
    place_forms.sort(key=lambda p: -len(p[3] + p[4]))
    return Glossary(types=types, forms=forms, place_forms=tuple(place_forms))


def _glossary_type(row: dict, path: Path, line: int, types: dict[str, GlossaryType]) -> GlossaryType:
    """The type of one glossary row (at `line` of `path`; `types`, those of the rows before).

    Raises DataError for an empty or repeated type id, an unknown system, a ``unique`` that is
    not true or false, or no forms."""
    tid = (row["type_id"] or "").strip()
    if not tid or tid in types:
        raise DataError(path, line, "empty or repeated type_id", value=tid)
    system = (row["system"] or "").strip()
    if system not in SYSTEMS or system == "collective":
        raise DataError(path, line, "unknown system", value=system)
    unique = (row["unique"] or "").strip().lower()
    if unique not in ("true", "false"):
        raise DataError(path, line, "unique must be true or false", value=row["unique"])
    t = GlossaryType(
        type_id=tid,
        system=system,
        name_zh=row["name_zh"].strip(),
        name_en=row["name_en"].strip(),
        unique=unique == "true",
        forms=split_names(row["forms"]),
        related=split_names(row["related"]),
        note=(row["note"] or "").strip(),
    )
    if not t.forms:
        raise DataError(path, line, "type without forms", value=tid)
    return t


def _add_forms(t: GlossaryType, path: Path, line: int, forms: dict, place_forms: list) -> None:
    """Add the written forms of type `t` (of `line` of `path`) to `forms` (``{L}`` expanded to
    each level word: form → (type id, rank, level)) and its ``{P}`` forms to `place_forms` (a
    pattern with the place inside); both changed in place. Raises DataError for a form that
    another type has."""
    for rank, form in enumerate(t.forms):
        if "{P}" in form:
            pattern = re.escape(form).replace(r"\{P\}", "(?P<inner>[^委局办部厅院室会]{1,8}?)") + "$"
            head, tail = form.split("{P}", 1)
            place_forms.append((re.compile(pattern), t.type_id, rank, head, tail))
            continue
        expanded = [(form.replace("{L}", lv), lv) for lv in _LEVEL_TOKENS] if "{L}" in form else [(form, "")]
        for f, lv in expanded:
            if f in forms and forms[f][0] != t.type_id:
                raise DataError(path, line, f"form already used by type {forms[f][0]!r}", value=f)
            forms.setdefault(f, (t.type_id, rank, lv))


def _symmetric_related(types: dict[str, GlossaryType], path: Path, lines: dict[str, int]) -> dict[str, GlossaryType]:
    """`types` with relatedness made symmetric (a row may list it on one side only). Raises
    DataError (at the type's line, `lines`) for a related type that does not exist."""
    for t in types.values():
        bad = [r for r in t.related if r not in types]
        if bad:
            raise DataError(path, lines[t.type_id], "unknown related type", value=bad[0])
    back: dict[str, list[str]] = {tid: [] for tid in types}
    for t in types.values():
        for r in t.related:
            back[r].append(t.type_id)
    out = dict(types)
    for tid, t in types.items():
        extra = tuple(r for r in back[tid] if r not in t.related)
        if extra:
            out[tid] = GlossaryType(**{**t.__dict__, "related": t.related + extra})
    return out


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    """The shipped glossary (``analysis/glossary.csv``), read once per process."""
    return load_glossary(GLOSSARY_CSV)


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


_PUNCT = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "，": ",", "　": " "})


def simplify(name: str) -> str:
    """The spelling used for matching: simplified characters, ASCII brackets, no spaces.

    >>> simplify("區發改局"), simplify("各单位党委（党组）")
    ('区发改局', '各单位党委(党组)')
    """
    s = re.sub(r"\s+", "", name.translate(_PUNCT))
    if all(_unchanged(ch) for ch in s):
        return s  # fast path: no character OpenCC would change on its own
    return _converter().convert(s)


@lru_cache(maxsize=65536)
def _unchanged(ch: str) -> bool:
    return ch.isascii() or _converter().convert(ch) == ch


# --- collective placeholders ----------------------------------------------------------------

_NAMED_SYSTEMS = ("party", "congress", "supervision", "government", "court", "procuratorate", "public_security")
_ALL_UNITS = (*_NAMED_SYSTEMS, "cppcc", "mass_org", "vertical")
#: 各单位党委(党组): the bodies that have a Party committee or a leading Party group.
_PARTY_GROUPS = ("party", "government", "congress", "court", "procuratorate", "public_security", "mass_org")
_KIND_WORDS = (
    "部门",
    "单位",
    "机构",
    "专班",
    "街道",
    "街办",
    "乡镇",
    "镇",
    "乡",
    "社区",
    "村",
    "企业",
    "学校",
    "政府",
    "管委会",
    "开发区",
    "园区",
    "新区",
    "组织",
    "党组",
    "党委",
)
_BARE_GRASSROOTS = re.compile(
    r"^(?:相关|有关)?(?:街道|街道办事处|街道办|街办|乡镇|镇街|镇|乡|苏木|社区|村|村\(社区\)|镇\(街道\)|乡镇\(街道\)|"
    r"乡镇人民政府|镇人民政府|乡人民政府|街道党工委|乡镇党委|乡镇党委政府|镇街党委|乡镇办|镇办|街镇|镇街道)(?:\([^)]*\))?$"
)
_BARE_GENERIC = re.compile(r"^(?:有关|相关|其他|其它)?(?:部门|单位|部门和单位|单位和部门|企业|机构)$")
_SCOPE = re.compile(rf"^(?:全|本)?(?P<level>{_LEVEL_ALT})(?P<scope>直|级|属|政府|委|直机关|委政府)?")


def _collective(s: str) -> tuple[str, str] | None:
    """``(kind, reason)`` if `s` is a collective placeholder, else None."""
    if s.startswith("各"):
        return "distributive", "starts with 各 (each/all)"
    if s.startswith(("全区", "全市", "全县", "全旗", "全省", "全镇", "全乡")) and "各" in s:
        return "distributive", "全… 各… (all … of the whole jurisdiction)"
    if s.endswith("成员单位"):
        return "members", "ends with 成员单位 (member units of a body)"
    if _BARE_GRASSROOTS.match(s):
        return "grassroots", "a sub-district or township word with no name: stands for all of them"
    if _BARE_GENERIC.match(s):
        return "generic", "a generic word (部门, 单位) with no name"
    base = s.split("(")[0]
    if base.endswith(_KIND_WORDS) and re.search(r"有关|相关|其他|其它|各|若干|所有|等", base):
        return "qualified", "有关/相关/其他/各 … 部门/单位 (relevant, other or all bodies of a kind)"
    m = _SCOPE.match(base)
    if m and m.group("scope") in ("直", "级", "属") and base.endswith(("部门", "单位", "机构")):
        return "scoped", f"{m.group(0)}… {base[-2:]} (the {base[-2:]} of a level, none named)"
    return None


def _collective_attrs(s: str) -> tuple[str, tuple[str, ...]]:
    """System and member systems of a collective, from the kinds of body it names."""
    grass = []
    if re.search(r"乡|镇|苏木", s):
        grass.append("township")
    if re.search(r"街道|街办|社区", s):
        grass.append("subdistrict")
    if re.search(r"开发区|园区|管委会|新区|功能区", s):
        grass.append("zone")
    if "党委(党组)" in s or "党组" in s:
        return "collective", _PARTY_GROUPS
    if "成员单位" in s or "专班" in s or "领导小组" in s:
        return "collective", ()
    if re.search(r"(县|市|区|旗)(市|区|县)*政府$|县\(市、区\)|区\(市、县\)|各(县|区|市)+$", s):
        return "collective", ()
    if grass and not re.search(r"部门|单位|机构", s):
        system = grass[0] if len(grass) == 1 else "collective"
        return system, tuple(grass)
    m = _SCOPE.match(s)
    scope = m.group("scope") if m else None
    if scope == "政府" or (scope is None and "政府" in s and "部门" in s):
        return "collective", ("government",)
    if "执法" in s:
        return "collective", ("government",)
    if "部门" in s or "机构" in s:
        return "collective", ("party", "government")
    return "collective", _ALL_UNITS


_QUAL_EN = {"有关": "Relevant", "相关": "Relevant", "其他": "Other", "其它": "Other", "各": "All"}
_KIND_EN = (
    ("党委(党组)", "Party committees (leading Party groups) of all units"),
    ("成员单位", "member units"),
    ("专班", "task forces"),
    ("行政执法部门", "law-enforcement departments"),
    ("部门", "departments"),
    ("单位", "units"),
    ("机构", "agencies"),
    ("街办", "sub-district offices"),
    ("街道", "sub-districts"),
    ("乡镇", "townships"),
    ("镇", "towns"),
    ("开发区", "development zones"),
    ("社区", "communities"),
    ("村", "villages"),
    ("政府", "governments"),
)


def _collective_en(s: str) -> str:
    """A plain English rendering of a collective placeholder (best effort)."""
    for key, en in _KIND_EN[:1]:
        if key in s:
            return en
    qual = next((v for k, v in _QUAL_EN.items() if k in s), "All")
    m = _SCOPE.match(s)
    if m and m.group("level") in ("乡", "镇", "街道", "苏木"):
        m = None
    scope = ""
    if m:
        level = LEVELS[m.group("level")].lower()
        scope = {"政府": f"{level} government ", None: f"{level} "}.get(m.group("scope"), f"{level} ")
    rest = s[m.end() :] if m else s
    kinds = []
    for key, en in _KIND_EN[1:]:
        if key in rest:
            kinds.append(en)
            rest = rest.replace(key, "")
    if len(kinds) > 1 and "governments" in kinds:
        kinds.remove("governments")
    kind = " and ".join(kinds[:3]) or "bodies"
    if s.endswith("成员单位"):
        return f"Member units of {s[: -len('成员单位')].removesuffix('各')}"  # 区安委会各成员单位: of 区安委会
    return f"{qual} {scope}{kind}".strip()


# --- prefixes ---------------------------------------------------------------------------------


def _parse_prefix(prefix: str) -> tuple[str, str] | None:
    """``(level, place)`` of a jurisdiction prefix, or None if it is not one."""
    if not prefix:
        return "", ""
    if prefix in LEVELS:
        return prefix, ""
    if prefix in ZONE_EN:  # 开发区规划建设局: the zone (of the plan's government), not a place 开发 of level 区
        return "", prefix
    for lv in sorted(LEVELS, key=len, reverse=True):
        if prefix.endswith(lv):
            rest = prefix[: -len(lv)]
            if lv == "州" and len(rest) < 2:
                continue  # 杭州, 开州: a place name ending in 州, not a prefecture
            if rest and _plausible_place(rest, allow_levels=True):
                return lv, rest
    if _plausible_place(prefix, allow_levels=False):
        return "", prefix
    return None


def _plausible_place(s: str, *, allow_levels: bool) -> bool:
    if not 1 <= len(s) <= 12 or any(m in s for m in _BODY_MARKS):
        return False
    if not re.fullmatch(r"[\u3400-\u9fff]+", s):
        return False
    if allow_levels:
        return not s.startswith(tuple(LEVELS))
    return len(s) >= 2 and not any(lv in s for lv in LEVELS if lv != "州")  # 滁州, 杭州: 州 in a place name


def _lead_level(prefix: str) -> tuple[str, str]:
    """For names of non-unique types: the level word at the start of the prefix, if any."""
    m = re.match(rf"^(?P<place>[^委局办部厅院室会]*?)(?P<level>{_LEVEL_ALT})", prefix)
    if m and _parse_prefix(m.group(0)) is not None:
        return m.group("level"), m.group("place")
    return "", ""


_SUFFIXES = (
    "管委会",
    "委员会",
    "办公室",
    "分公司",
    "分局",
    "公司",
    "集团",
    "中心",
    "局",
    "委",
    "办",
    "厅",
    "部",
    "院",
    "会",
    "室",
    "所",
    "站",
    "联",
)


def _suffix(core: str) -> str:
    return next((x for x in _SUFFIXES if core.endswith(x)), "")


def _name_en(t: GlossaryType, level: str, place: str, core: str, place_en: dict[str, str], default_level: str) -> str:
    if level:
        where = LEVELS[level]
        if place:
            where = f"{place_en.get(place, place)} {where}"
    elif place:
        where = place_en.get(place, ZONE_EN.get(place, place))
    else:
        where = LEVELS.get(default_level, "")
    en = t.name_en.replace("{level}", where).replace("{name}", core)
    if core.endswith("分局") and en.endswith(" Bureau"):
        en = en[: -len("Bureau")] + "Sub-bureau"
    elif core.endswith("中心") and en.endswith((" Bureau", " Office")):  # 招商服务中心: a centre, not a bureau
        en = en.rsplit(" ", 1)[0] + " Centre"
    return re.sub(r"\s+", " ", en).strip()


# --- classification ---------------------------------------------------------------------------

_FALLBACKS = (
    ("委", "party", "an organ of the Party committee (…委…) not in the glossary"),
    ("人大", "congress", "a body of the people's congress (…人大…) not in the glossary"),
    ("政协", "cppcc", "a body of the CPPCC (…政协…) not in the glossary"),
    ("政府", "government", "a body of the government (…政府…) not in the glossary"),
)


def classify(name: str, glossary: Glossary | None = None, *, place_en=None, default_level: str = "") -> Classification:
    """Read a written unit name: functional type, system, English name, level, place, collective.

    Parameters
    ----------
    name : str
        The name as the plan writes it.
    glossary : Glossary, optional
        Defaults to the shipped ``analysis/glossary.csv``.
    place_en : dict, optional
        English names of places (``{"下陆": "Xialu"}``) for the English name; a place not given
        stays in Chinese.
    default_level : str
        Level word used in the English name when the name writes none (the plan's own level).

    Returns
    -------
    Classification
        Never raises for odd input: an empty or unreadable name is untyped (``confidence`` none).

    Notes
    -----
    The readings are tried in turn, the first that fits wins: a collective placeholder, a
    glossary form after a jurisdiction prefix, a name with a trailing 等, a name with a bracket,
    a city bureau's sub-bureau for a place, a level followed by 委/人大/政协/政府 (low confidence).
    """
    g = glossary or default_glossary()
    place_en = place_en or {}
    written = name.strip()
    s = simplify(written)
    trad = "" if s == re.sub(r"\s+", "", written.translate(_PUNCT)) else f" (read as {s})"
    if not s:
        return _classification(written, s, trad, reason="empty name")
    body = s[2:] if s.startswith("中共") and len(s) > 2 else s
    reading = (
        _collective_reading(s)
        or _form_reading(body, g, place_en, default_level)
        or _others_reading(body, g, place_en, default_level)
        or _bracket_reading(body, g, place_en, default_level)
        or _sub_bureau_reading(body, g, place_en, default_level)
        or _pattern_reading(body, written)
        or {"reason": "untyped: no glossary form or pattern fits"}
    )
    return _classification(written, s, trad, **reading)


def _classification(written: str, simplified: str, trad: str, **reading) -> Classification:
    """The :class:`Classification` of a name `written` (`simplified` for matching): the fields of
    `reading` over those of an untyped name, `trad` (how a traditional spelling was read, or
    empty) after the reason."""
    base = dict(
        name=written,
        simplified=simplified,
        type_id="",
        system="other",
        name_en=written,
        level="",
        place="",
        prefix="",
        core="",
        suffix="",
        is_collective=False,
        members=(),
        unique=False,
        confidence="none",
        reason="",
    )
    base.update(reading)
    base["reason"] += trad
    return Classification(**base)


def _collective_reading(s: str) -> dict | None:
    """The fields of a collective placeholder `s` (a simplified name), or None if it is not one."""
    coll = _collective(s)
    if coll is None:
        return None
    kind, why = coll
    system, members = _collective_attrs(s)
    m = _SCOPE.match(s)
    return dict(
        type_id="collective",
        system=system,
        name_en=_collective_en(s),
        level=m.group("level") if m and kind not in ("grassroots", "generic") else "",
        is_collective=True,
        members=members,
        unique=False,
        confidence="high" if kind in ("distributive", "qualified", "scoped", "members") else "medium",
        reason=f"collective: {why}",
    )


def _form_candidates(body: str, g: Glossary) -> list[tuple[int, str, int, str, str]]:
    """The glossary forms `body` ends in: ``(start, type id, rank, level in the form, place
    inside the form)`` for each, the longest (leftmost start) first."""
    candidates = []
    for i in range(len(body)):
        hit = g.forms.get(body[i:])
        if hit is not None:
            candidates.append((i, hit[0], hit[1], hit[2], ""))
    for pattern, tid, rank, head, tail in g.place_forms:
        if not body.endswith(tail) or head not in body:
            continue
        for i in range(len(body)):
            m = pattern.match(body, i)
            if m:
                candidates.append((i, tid, rank, "", m.group("inner")))
                break
    candidates.sort(key=lambda c: c[0])
    return candidates


def _unique_where(prefix: str, embedded: str, inner: str) -> tuple[str, str, str, str] | None:
    """``(level, place, confidence, where)`` of a name of a unique type written after `prefix`
    (`embedded`: the level inside the form, `inner`: the place inside a ``{P}`` form); None
    when `prefix` is no jurisdiction."""
    parsed = _parse_prefix(prefix)
    if parsed is None:
        return None
    level, place = parsed
    if embedded and not level:
        level = embedded
    parent = ""
    if inner:
        parent = prefix
        level, place = _parse_prefix(inner) or ("", inner)
    if place and not level:
        confidence, where = "medium", f"after the place {place} (no level written)"
    elif level:
        confidence, where = "high", f"after {place}{level}" if place else f"after the level {level}"
    else:
        confidence, where = "medium", "with no level or place written (read as the plan's own)"
    if inner:
        where = f"the branch for {inner}" + (f" of the {parent} body" if parent else "")
    return level, place, confidence, where


def _form_reading(body: str, g: Glossary, place_en: dict, default_level: str) -> dict | None:
    """The fields of `body` read by its longest glossary form that leaves a jurisdiction prefix
    (any prefix, for a type a government has several of), or None."""
    for start, tid, rank, embedded, inner in _form_candidates(body, g):
        t = g.types[tid]
        prefix, core = body[:start], body[start:]
        if t.unique:
            found = _unique_where(prefix, embedded, inner)
            if found is None:
                continue
            level, place, confidence, where = found
        else:
            level, place = _lead_level(prefix)
            confidence, where = (
                "medium",
                "a kind of body of which a government has several; identity is the written name",
            )
        system = t.system
        reason = f"glossary form {core if not inner else t.forms[rank]} of {t.name_zh} ({tid}) {where}"
        if system == "government" and core.startswith("委"):
            system, reason = "party", reason + "; written under the Party committee (委…), so system party"
        return dict(
            type_id=tid,
            system=system,
            name_en=_name_en(
                t, level, place, core if t.unique else prefix[len(place + level) :] + core, place_en, default_level
            ),
            level=level,
            place=place,
            prefix=prefix,
            core=core,
            suffix=_suffix(core),
            unique=t.unique,
            confidence=confidence,
            reason=reason,
        )
    return None


def _named_reading(named: Classification, why: str) -> dict | None:
    """The fields of a name read as the body `named` (the reading of a part of it), `why` after
    its reason, at medium confidence; None unless `named` is a typed, named (not collective) body."""
    if not named.type_id or named.is_collective:
        return None
    return dict(
        **{k: getattr(named, k) for k in ("type_id", "system", "name_en", "level", "place", "prefix", "core")},
        suffix=named.suffix,
        unique=named.unique,
        confidence="medium",
        reason=f"{named.reason}; {why}",
    )


def _others_reading(body: str, g: Glossary, place_en: dict, default_level: str) -> dict | None:
    """A last name followed by 等 ("and others", 省林业局等): the fields of the named body, or None."""
    if not (body.endswith("等") and len(body) > 2):
        return None
    named = classify(body[:-1], g, place_en=place_en, default_level=default_level)
    return _named_reading(named, "the trailing 等 (and others) names no further body")


def _bracket_reading(body: str, g: Glossary, place_en: dict, default_level: str) -> dict | None:
    """A second name or an included office in brackets (区发改局(粮食局), 区人事局(含区编办)): the
    fields of the body named before the bracket, or None."""
    m = re.fullmatch(r"(?P<outer>[^()]+)\((?P<inner>[^()]+)\)", body)
    if not m:
        return None
    outer = classify(m.group("outer"), g, place_en=place_en, default_level=default_level)
    return _named_reading(outer, f"the bracket ({m.group('inner')}) is read as a second name or included office")


def _sub_bureau_reading(body: str, g: Glossary, place_en: dict, default_level: str) -> dict | None:
    """A city bureau's sub-bureau for a place (黄石市公安局下陆分局): the fields of the place's body
    of that type, or None."""
    m = re.fullmatch(r"(?P<outer>.+?局)(?P<inner>[\u3400-\u9fff]{2,6}?)分局", body)
    if not (m and _plausible_place(m.group("inner"), allow_levels=False)):
        return None
    outer = classify(m.group("outer"), g, place_en=place_en, default_level=default_level)
    t = g.types.get(outer.type_id)
    if t is None or not t.unique:
        return None
    core = m.group("outer")[len(outer.prefix) :] + m.group("inner") + "分局"
    return dict(
        type_id=t.type_id,
        system=outer.system,
        name_en=_name_en(t, "", m.group("inner"), core, place_en, default_level),
        place=m.group("inner"),
        prefix=outer.prefix,
        core=core,
        suffix="分局",
        unique=True,
        confidence="medium",
        reason=f"{outer.reason}; its sub-bureau for {m.group('inner')} (局…分局)",
    )


def _pattern_reading(body: str, written: str) -> dict | None:
    """A level followed by a body of the Party committee, congress, CPPCC or government that the
    glossary does not list (区委xx办, 市政府xx中心): the fields, at low confidence, or None."""
    m = re.match(rf"^(?P<place>[\u3400-\u9fff]{{0,6}}?)(?P<level>{_LEVEL_ALT})(?P<rest>.+)$", body)
    if not (m and _parse_prefix(m.group("place") + m.group("level")) is not None):
        return None
    for head, system, why in _FALLBACKS:
        if m.group("rest").startswith(head) and len(m.group("rest")) > len(head):
            return dict(
                type_id=f"{system}_other",
                system=system,
                name_en=written,
                level=m.group("level"),
                place=m.group("place"),
                prefix=m.group("place") + m.group("level"),
                core=m.group("rest"),
                suffix=_suffix(m.group("rest")),
                unique=False,
                confidence="low",
                reason=f"pattern: {why}",
            )
    return None


# --- proposing a registry -----------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A proposed registry and the decision taken for every written name.

    ``units`` has the :data:`~analysis.registry.REGISTRY_COLUMNS` as strings (``aliases`` and
    ``members`` ``|``-separated, ``is_collective`` ``true``/``false``), ready to write as
    ``units.csv``; ``decisions`` has :data:`DECISION_COLUMNS`, one row per written name.
    """

    units: pd.DataFrame
    decisions: pd.DataFrame

    def untyped(self) -> list[str]:
        """Written names the glossary could not type (kept as units of system ``other``)."""
        d = self.decisions
        return d.loc[d["decision"] == "untyped", "name"].tolist()

    def report(self) -> str:
        """Plain-text list of the merges, judgement calls and untyped names, for review."""
        d = self.decisions
        lines = [
            f"{len(d)} written names -> {len(self.units)} units "
            f"({int((d['decision'] == 'variant').sum())} merged as variants, "
            f"{int(self.units['is_collective'].eq('true').sum())} collective, {len(self.untyped())} untyped)"
        ]
        for unit, note in zip(self.units["unit"], self.units["note"], strict=True):
            if note:
                lines.append(f"  {unit}: {note}")
        if self.untyped():
            lines.append("untyped (system other, to review): " + "、".join(self.untyped()))
        return "\n".join(lines)


def _jurisdiction(c: Classification, own_places: set[str], own_level: str) -> tuple[str, str]:
    """``(key, how)``: the jurisdiction a typed name belongs to, and how it was decided."""
    if c.place and c.place in own_places and (not c.level or c.level == own_level):
        return "", f"place {c.place} is the plan's own"
    if c.place:
        return f"{c.place}{c.level}", ""
    if not c.level:
        return "", "no level written: read as the plan's own"
    if c.level == own_level:
        return "", ""
    return c.level, ""


def propose(
    names: Iterable[str],
    *,
    places: Iterable[str] = (),
    place_en: dict[str, str] | None = None,
    glossary: Glossary | None = None,
) -> Proposal:
    """Propose a registry for the written unit names of one government's plan(s).

    Parameters
    ----------
    names : iterable of str
        Every mention, as written (repeats count: the most used spelling breaks ties).
    places : iterable of str
        Place names that mean the plan's own jurisdiction (``["下陆"]`` for Xialu District), so
        that 下陆公安分局 and 区公安分局 are read as one jurisdiction.
    place_en : dict, optional
        English names of places for the ``name_en`` column (``{"下陆": "Xialu"}``).

    Returns
    -------
    Proposal
        ``units`` (the registry) and ``decisions`` (one row per written name).

    Notes
    -----
    Spellings are merged only when the glossary gives them one functional type that a
    government has once (``unique``) and they belong to one jurisdiction; collectives only when
    they are written the same up to 有关 = 相关 and 其它 = 其他. Related types (``related`` in the
    glossary) in one jurisdiction are kept apart and both get a ``judgement:`` note.

    The steps: count the mentions (:func:`_mentions`), read each name (:func:`_readings`),
    group the names that are one unit (:func:`_groups`), make each group a unit with its
    canonical name first (:func:`_ranked`, :func:`_unit_row`, :func:`_decision_rows`), flag
    related types (:func:`_flag_related`), sort the rows (:func:`_proposal`).
    """
    g = glossary or default_glossary()
    place_en = dict(place_en or {})
    counts, order = _mentions(names)
    own_places = {simplify(p) for p in places}
    cls, own_level = _readings(order, g, place_en)
    groups, how = _groups(order, cls, own_places, own_level)
    units, decisions = [], []
    for key, members in groups.items():
        members = _ranked(key, members, cls, g, counts, order)
        units.append(_unit_row(key, members, cls, how, g, order))
        decisions += _decision_rows(members, cls, counts)
    _flag_related(units, g)
    return _proposal(units, decisions, order)


def _proposal(units: list[dict], decisions: list[dict], order: dict[str, int]) -> Proposal:
    """The :class:`Proposal` of the unit rows (named units first, by system, then collectives;
    each group in first-mention order) and the decision rows (in first-mention order)."""
    sys_order = {s: i for i, s in enumerate(SYSTEMS)}
    units = sorted(units, key=lambda u: (u["is_collective"] == "true", sys_order.get(u["system"], 99), u["_order"]))
    frame = pd.DataFrame([{k: u[k] for k in REGISTRY_COLUMNS} for u in units], columns=REGISTRY_COLUMNS)
    dec = pd.DataFrame(decisions, columns=DECISION_COLUMNS).sort_values("name", key=lambda s: s.map(order))
    return Proposal(units=frame, decisions=dec.reset_index(drop=True))


def _mentions(names: Iterable[str]) -> tuple[Counter[str], dict[str, int]]:
    """``(mentions of each name, position of its first mention)``: names stripped, empty ones left out."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for n in names:
        n = (n or "").strip()
        if not n:
            continue
        counts[n] += 1
        order.setdefault(n, len(order))
    return counts, order


def _readings(order: dict[str, int], g: Glossary, place_en: dict) -> tuple[dict[str, Classification], str]:
    """``(reading of each name, the plan's own level)``: the names of `order` classified, the own
    level the one most written before a typed name's form, and the names of a typed body with no
    level or place read again with it. In a plan of a city or above, a zone word with no name
    (开发区管委会) stands for its zones: a collective."""
    first = {n: classify(n, g, place_en=place_en) for n in order}
    levels = Counter(c.level for c in first.values() if c.level and not c.place and c.type_id not in ("", "collective"))
    own_level = levels.most_common(1)[0][0] if levels else ""
    cls = {
        n: classify(n, g, place_en=place_en, default_level=own_level) if c.type_id and not (c.level or c.place) else c
        for n, c in first.items()
    }
    if own_level in ("省", "自治区", "市", "州", "自治州", "盟"):
        for n, c in cls.items():
            if c.type_id == "zone" and not (c.level or c.place):
                cls[n] = replace(
                    c,
                    type_id="collective",
                    system="zone",
                    name_en="All development zones",
                    is_collective=True,
                    members=("zone",),
                    unique=False,
                    reason=f"collective: a zone word with no name in a {own_level}-level plan stands for its zones",
                )
    return cls, own_level


def _groups(
    order: dict[str, int], cls: dict[str, Classification], own_places: set[str], own_level: str
) -> tuple[dict[tuple, list[str]], dict[str, str]]:
    """``(names of each unit by its key, how the jurisdiction of a typed name was decided)``.

    The key of a collective is its spelling up to 有关 = 相关 and 其它 = 其他; of an untyped name
    its simplified spelling; of a unique type the type and the jurisdiction; of any other type
    the type and the simplified spelling. Names in first-mention order.
    """
    groups: dict[tuple, list[str]] = {}
    how: dict[str, str] = {}
    for n in order:
        c = cls[n]
        if c.is_collective:
            key = ("collective", re.sub("相关", "有关", c.simplified).replace("其它", "其他"))
        elif not c.type_id:
            key = ("untyped", c.simplified)
        elif c.unique:
            jkey, how[n] = _jurisdiction(c, own_places, own_level)
            key = ("type", c.type_id, jkey)
        else:
            key = ("name", c.type_id, c.simplified)
        groups.setdefault(key, []).append(n)
    return groups, how


def _ranked(key: tuple, members: list[str], cls: dict[str, Classification], g: Glossary, counts, order) -> list[str]:
    """The names of one unit (group `key`), the canonical name first: for a type, the simplified
    spelling, a written level or place, the glossary's preferred form, then the most mentions;
    otherwise the most mentions. Ties go to the first mentioned."""
    if key[0] != "type":
        return sorted(members, key=lambda n: (-counts[n], order[n]))

    def rank(n: str):
        c = cls[n]
        form_rank = g.forms.get(c.core, ("", 99, ""))[1] if c.core else 99
        implicit = not (c.level or c.place)
        return (c.simplified != n, implicit, form_rank, -counts[n], order[n])

    return sorted(members, key=rank)


def _alias_notes(key: tuple, members: list[str], cls: dict[str, Classification], how: dict[str, str], g) -> list[str]:
    """One ``variant:`` note for each alias of a unit (`members`, the canonical name first):
    why it is that unit and how sure."""
    canon = members[0]
    c = cls[canon]
    notes = []
    for alias in members[1:]:
        a = cls[alias]
        if key[0] == "type":
            t = g.types[c.type_id]
            if a.simplified == c.simplified:
                why = "traditional characters of the same name"
            else:
                where = f"same level {c.level}" if a.level == c.level and a.place == c.place else "same jurisdiction"
                extra = "; ".join(x for x in (how.get(alias), how.get(canon)) if x)
                why = f"{t.name_zh}, {where}" + (f"; {extra}" if extra else "")
            sure = "high" if a.confidence == c.confidence == "high" else "medium"
            notes.append(f"variant: {alias} = {canon} ({why}; sure: {sure}).")
        elif key[0] == "collective":
            why = "traditional characters" if a.simplified == c.simplified else "有关 and 相关 both mean 'relevant'"
            notes.append(f"variant: {alias} = {canon} ({why}; sure: high).")
        else:
            notes.append(f"variant: {alias} = {canon} (the same name in traditional characters; sure: high).")
    return notes


def _unit_notes(key: tuple, c: Classification, how: str) -> list[str]:
    """The note on a unit's own reading (`c`, of its canonical name; `how` its jurisdiction was
    decided): untyped, a judgement of medium or low confidence, or none."""
    if not c.type_id:
        return ["untyped: not in the glossary; kept as its own unit with system other, to review."]
    if c.confidence in ("medium", "low") and not c.is_collective:
        extra = f"; {how}" if how.startswith("place") else ""
        return [f"judgement: {c.reason}{extra} (sure: {c.confidence})."]
    if key[0] == "type" and how:
        return [f"judgement: {how} (sure: medium)."]
    return []


def _unit_row(key: tuple, members: list[str], cls: dict[str, Classification], how: dict[str, str], g, order) -> dict:
    """The registry row of one unit (`members`, the canonical name first), with its group `key`
    and first mention (``_key``, ``_order``) for the steps after."""
    canon = members[0]
    c = cls[canon]
    notes = _alias_notes(key, members, cls, how, g) + _unit_notes(key, c, how.get(canon, ""))
    return {
        "unit": canon,
        "aliases": "|".join(members[1:]),
        "name_en": c.name_en,
        "system": c.system,
        "is_collective": "true" if c.is_collective else "false",
        "members": "|".join(c.members),
        "note": " ".join(notes),
        "_key": key,
        "_order": order[canon],
    }


def _decision_rows(members: list[str], cls: dict[str, Classification], counts) -> list[dict]:
    """One row of :data:`DECISION_COLUMNS` for each name of a unit (`members`, the canonical name first)."""
    canon = members[0]
    rows = []
    for n in members:
        d = cls[n]
        rows.append(
            {
                "name": n,
                "n_mentions": counts[n],
                "unit": canon,
                "decision": (
                    "variant"
                    if n != canon
                    else "collective"
                    if d.is_collective
                    else "untyped"
                    if not d.type_id
                    else "unit"
                ),
                "type_id": d.type_id,
                "system": cls[canon].system,
                "level": d.level,
                "place": d.place,
                "is_collective": "true" if d.is_collective else "false",
                "confidence": d.confidence,
                "reason": d.reason,
            }
        )
    return rows


def _flag_related(units: list[dict], g: Glossary) -> None:
    """Related types in one jurisdiction are never merged: add a ``judgement:`` note to each of
    the unit rows `units` (changed in place) that has one of a related type beside it."""
    by_place: dict[str, dict[str, list[int]]] = {}
    for i, u in enumerate(units):
        if u["_key"][0] == "type":
            by_place.setdefault(u["_key"][2], {}).setdefault(u["_key"][1], []).append(i)
    for u in units:
        if u["_key"][0] != "type":
            continue
        bucket = by_place[u["_key"][2]]
        near = sorted(i for r in g.types[u["_key"][1]].related for i in bucket.get(r, ()))
        for v in (units[i] for i in near):
            other = g.types[v["_key"][1]]
            u["note"] = (u["note"] + " " if u["note"] else "") + (
                f"judgement: kept apart from {v['unit']} ({other.name_zh}): related types that can name one body"
                " (renamed, merged or loosely written); the glossary cannot tell, so they are not merged"
                " (to merge, move this name into that row's aliases)."
            )


def propose_registry(names: Iterable[str], **kwargs) -> pd.DataFrame:
    """The registry of :func:`propose` (``units.csv`` columns); keyword options as there."""
    return propose(names, **kwargs).units


def read_unit_names(paths, *, with_jurisdiction: bool = False, folders: dict | None = None) -> list:
    """Every unit mention of some plan sources, in order (lead units, then responsible, per measure).

    With `with_jurisdiction`, ``(jurisdiction, name)`` pairs (see
    :func:`analysis.jurisdiction.read_mentions`); `folders` as for :func:`analysis.ingest.ingest`.

    A ``.csv`` source whose header starts with ``measure_id`` (or has ``lead_units_raw``) is a measures CSV (columns
    ``lead_units_raw`` and ``responsible_units_raw``, names joined by ``、``); any other file
    (a plan in any supported format, a plan table saved as CSV included) is read with
    :func:`analysis.ingest.ingest`. The mentions of the measures CSVs come first, in the order
    given, then those of the plans.

    Raises
    ------
    DataError
        A CSV without those columns, or any ingest error (file, line, value).
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise DataError(None, None, "no source file given")
    tables = [p for p in paths if _is_measures_csv(p)]
    texts = [p for p in paths if p not in tables]
    names = [pair for path in tables for pair in _csv_mentions(path)]
    if texts:
        names += _plan_mentions(texts, folders)
    return names if with_jurisdiction else [n for _, n in names]


def _is_measures_csv(p: Path) -> bool:
    """Is `p` a measures CSV (by its header)? A plan table saved as CSV is a plan like any other."""
    if p.suffix.lower() != ".csv":
        return False
    head = read_text(p)[0].split("\n", 1)[0]
    return head.startswith("measure_id") or "lead_units_raw" in head


def _csv_mentions(path: Path) -> list[tuple[str, str]]:
    """``(jurisdiction, name)`` of every unit mention of a measures CSV, split as the loader
    splits the lists. Raises DataError if it has no ``lead_units_raw`` or ``responsible_units_raw``."""
    text, _ = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    need = ["lead_units_raw", "responsible_units_raw"]
    missing = [c for c in need if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(
            path, 1, "a measures CSV needs the columns lead_units_raw and responsible_units_raw", value=str(missing)
        )
    names = []
    for row in reader:
        j = (row.get("jurisdiction") or "").strip()
        for col in need:
            for n in split_units(row[col] or "")[0]:
                if "|" in n:  # the registry joins a unit's aliases with |: it would read as two names
                    line = reader.line_num
                    raise DataError(
                        path, line, f"a unit name in {col} may not hold '|' (it joins a registry's aliases)", value=n
                    )
                names.append((j, n))
    return names


def _plan_mentions(texts: list[Path], folders: dict | None) -> list[tuple[str, str]]:
    """``(jurisdiction, name)`` of every unit mention of the plans `texts`, read with
    :func:`analysis.ingest.ingest` (`folders` as there)."""
    from .ingest import ingest

    doc = ingest(texts, folders=folders)
    where = {p.plan_id: p.jurisdiction for p in doc.plans}
    return [(where[m.plan_id], n) for m in doc.measures for n in (*m.lead_units, *m.responsible_units)]


def compare_registries(proposed: pd.DataFrame, hand: pd.DataFrame) -> pd.DataFrame:
    """Where a proposed registry differs from a hand-made one, field by field.

    Parameters
    ----------
    proposed : DataFrame
        :func:`propose_registry` output (string columns).
    hand : DataFrame
        :func:`analysis.registry.read_registry` output.

    Returns
    -------
    DataFrame
        ``unit`` (the hand-made canonical name), ``field`` (``merge``, ``system``,
        ``is_collective``, ``members`` or ``name_en``), ``hand`` and ``proposed``; for ``merge``
        the two values are the ``|``-joined spellings each registry puts in that unit.
    """

    def groups(units, aliases):
        out = {}
        for u, a in zip(units, aliases, strict=True):
            names = (u, *a)
            for n in names:
                out[n] = (u, names)
        return out

    p_alias = [tuple(x for x in a.split("|") if x) for a in proposed["aliases"]]
    pg = groups(proposed["unit"], p_alias)
    hg = groups(hand["unit"], hand["aliases"])
    prow = {u: i for i, u in enumerate(proposed["unit"])}
    rows = []
    for h, (u, hnames) in ((n, hg[n]) for n in hand["unit"]):
        pu, pnames = pg.get(h, (None, ()))
        if set(hnames) != set(pnames):
            rows.append({"unit": u, "field": "merge", "hand": "|".join(hnames), "proposed": "|".join(pnames)})
        if pu is None:
            continue
        hrow = hand.loc[hand["unit"] == u].iloc[0]
        prr = proposed.iloc[prow[pu]]
        pairs = {
            "system": (hrow["system"], prr["system"]),
            "is_collective": ("true" if hrow["is_collective"] else "false", prr["is_collective"]),
            "members": ("|".join(hrow["members"]), prr["members"]),
            "name_en": (hrow["name_en"], prr["name_en"]),
        }
        for field, (hv, pv) in pairs.items():
            if hv != pv:
                rows.append({"unit": u, "field": field, "hand": hv, "proposed": pv})
    return pd.DataFrame(rows, columns=["unit", "field", "hand", "proposed"])
