"""The government a plan belongs to (its jurisdiction), read from where the plan says it.

A pooled corpus holds the plans of many governments, and their bodies share names: 下陆区's
区司法局 and 立山区's 区司法局 are two units of one functional type. Every measure therefore
carries a ``jurisdiction``, decided once per plan, in this order:

1. the folder the plan file is in, when the corpus is laid out one folder per government
   (``corpus/立山区/plan.docx``): the user's own statement, taken verbatim;
2. the place at the start of the plan's issuer (``中共下陆区委全面依法治区委员会办公室`` →
   下陆区, ``济南市钢城区人民政府办公室`` → 济南市钢城区);
3. the place at the start of the plan's title (``2023年莲都区政府工作报告重点工作责任分解`` →
   莲都区);
4. else none (``""``): such plans are listed in the data-quality report, and their units are
   matched to registry rows that name no jurisdiction.

Examples
--------
>>> place_of("中共下陆区委全面依法治区委员会办公室")
'下陆区'
>>> place_of("宁波市鄞州区人民政府办公室")
'宁波市鄞州区'
>>> place_of("2023年莲都区政府工作报告重点工作责任分解")
'莲都区'
>>> place_of("县《政府工作报告》确定的2021年重点工作责任分解") is None
True
>>> innermost("宁波市鄞州区")
'鄞州区'
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["LEVEL_WORDS", "innermost", "jurisdiction_of", "place_of", "unify"]

#: Level words that end a place name, longest first (自治州 before 州).
LEVEL_WORDS = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "地区",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
)

_LEVELS = "|".join(LEVEL_WORDS)
#: Words that are not part of a place name (a body, a verb, a year, punctuation).
_NOT_PLACE = re.compile(r"[^\u3400-\u9fff]|人民|政府|委员|党|办公|机关|关于|印发|全|本|各|我|该|工作|重点|年度")
_LEADING = re.compile(r"^(?:中共|中国共产党|关于印发|关于|《|“|\"|\s|\d{4}\s*年(?:度)?)+")
_MAX_PLACE = 8  # characters of a place name before its level word (恩施土家族苗族 is 7)


def _next_token(s: str) -> str | None:
    """The shortest ``place + level word`` at the start of `s` that reads as a place, or None."""
    for n in range(1, min(_MAX_PLACE, len(s) - 1) + 1):
        place = s[:n]
        if _NOT_PLACE.search(place):
            return None
        for level in LEVEL_WORDS:
            if s.startswith(level, n) and not place.startswith(LEVEL_WORDS):
                if n == 1 and level not in ("县", "市", "旗"):  # 沛县, 儋州市 but not 杭+州
                    continue
                return place + level
    return None


#: Kinds of zone that end in a level word but name no place of their own when a text starts
#: with them (2025年开发区重点工作…: "the development zone", whose city the text does not say);
#: after a place they are part of its name (六安市经济技术开发区, 合肥高新区). With the English
#: name a body's name gets when it starts with one (开发区财政局: Development Zone Finance Bureau).
ZONE_EN = {
    "开发区": "Development Zone",
    "高新区": "High-tech Zone",
    "经开区": "Economic Development Zone",
    "示范区": "Demonstration Zone",
    "试验区": "Pilot Zone",
    "保税区": "Bonded Zone",
    "自贸区": "Free Trade Zone",
    "综保区": "Comprehensive Bonded Zone",
    "工业区": "Industrial Zone",
    "产业区": "Industrial Zone",
    "功能区": "Functional Zone",
    "景区": "Scenic Area",
    "片区": "Area",
    "辖区": "Jurisdiction",
    "主城区": "Main Urban Area",
    "中心城区": "Central Urban Area",
    "老城区": "Old Town",
    "经济开发区": "Economic Development Zone",
    "经济技术开发区": "Economic and Technological Development Zone",
    "高新技术开发区": "High-tech Development Zone",
    "高新技术产业开发区": "High-tech Industrial Development Zone",
    "工业园区": "Industrial Park",
    "产业园区": "Industrial Park",
    "旅游区": "Tourist Zone",
    "风景区": "Scenic Area",
}
#: The kinds of zone of :data:`ZONE_EN`.
GENERIC_ZONES = frozenset(ZONE_EN)


def _tokens(text: str) -> list[str]:
    """The place names (with their level words) at the start of `text`, outermost first; none
    when the text starts with a kind of zone (:data:`GENERIC_ZONES`)."""
    s = _LEADING.sub("", text or "")
    out = []
    while (token := _next_token(s)) is not None:
        if not out and token in GENERIC_ZONES:
            return []
        out.append(token)
        s = s[len(token) :]
    return out


def place_of(text: str) -> str | None:
    """The place at the start of an issuer or title (the whole chain: 济南市钢城区), or None."""
    tokens = _tokens(text)
    return "".join(tokens) if tokens else None


def innermost(place: str) -> str:
    """The last place of a chain (宁波市鄞州区 → 鄞州区): the government itself."""
    tokens = _tokens(place)
    return tokens[-1] if tokens else place


def jurisdiction_of(*, folder: str | None = None, issuer: str = "", title: str = "") -> tuple[str, str]:
    """``(jurisdiction, how)`` of one plan, by the order of this module's docstring."""
    if folder:
        return folder, f"folder {folder}"
    for what, text in (("issuer", issuer), ("title", title)):
        place = place_of(text)
        if place:
            return place, f"{what} {text}"
    return "", "no folder, and neither issuer nor title starts with a place"


def unify(places) -> dict[str, str]:
    """Map each place to the longest written chain that ends with it (下陆区 → 黄石市下陆区).

    Two files of one government may name it differently (with or without its city). A place
    is merged into a longer chain only when all the longer chains ending with it are one
    chain (下陆区 with 黄石市下陆区, not with both 甲市新华区 and 乙市新华区).
    """
    places = sorted({p for p in places if p})
    out = {}
    for p in places:
        tail = _tokens(p) or [p]
        longer = [q for q in places if q != p and (_tokens(q) or [q])[-len(tail) :] == tail]
        longest = max(longer, key=len, default=p)
        out[p] = longest if all(longest.endswith(q) for q in longer) else p
    return out


def assign(doc, folder_of: dict[str, str] | None = None):
    """Set the ``jurisdiction`` of every plan of an ingested document (in place; a measure's is its plan's).

    `folder_of` maps a ``source_file`` label to the government its folder names. Places read
    from issuers and titles are unified (:func:`unify`) across the document. Returns `doc`,
    whose ``jurisdictions`` records ``plan_id -> (jurisdiction, how)``.
    """
    from dataclasses import replace

    folder_of = folder_of or {}
    found = {
        p.plan_id: jurisdiction_of(folder=folder_of.get(p.source_file), issuer=p.issuer, title=p.plan_title)
        for p in doc.plans
    }
    merged = unify(j for (j, how) in found.values() if not how.startswith("folder"))
    decided = {}
    for plan_id, (j, how) in found.items():
        if j and not how.startswith("folder") and merged.get(j, j) != j:
            j, how = merged[j], f"{how} (written {j}; one government with {merged[j]})"
        decided[plan_id] = (j, how)
    doc.plans[:] = [replace(p, jurisdiction=decided[p.plan_id][0]) for p in doc.plans]
    doc.jurisdictions = decided
    return doc


# --- registries of pooled corpora ---------------------------------------------------------------


def own_place(jurisdiction: str) -> str:
    """The place name of a jurisdiction without its level word (黄石市下陆区 → 下陆)."""
    last = innermost(jurisdiction)
    for level in LEVEL_WORDS:
        if last.endswith(level) and len(last) > len(level):
            return last[: -len(level)]
    return last


def _level(jurisdiction: str) -> str:
    last = innermost(jurisdiction)
    return next((lv for lv in LEVEL_WORDS if last.endswith(lv) and len(last) > len(lv)), "")


def qualify(name: str, jurisdiction: str, *, level: str = "") -> str:
    """The name of a body of `jurisdiction`, unique across a pooled corpus.

    ``level`` is the level word the name is written with (区 in 区司法局), as the glossary reads
    it. The written level of the plan's own government is replaced by the government's name
    (区司法局 of 下陆区 → 下陆区司法局); a name that starts with the place already keeps it,
    with the outer places added (下陆公安分局 of 黄石市下陆区 → 黄石市下陆公安分局); a name of
    another level is prefixed by the place of that level where the chain names it (市发改委 of
    黄石市下陆区 → 黄石市发改委), else by the jurisdiction and a middle dot (下陆区·市发改委:
    the body the plan of 下陆区 calls 市发改委); a name without a level gets the jurisdiction
    (财政局 → 下陆区财政局).
    """
    if not jurisdiction:
        return name
    chain = _tokens(jurisdiction) or [jurisdiction]
    outer = "".join(chain[:-1])
    own = own_place(jurisdiction)
    own_level = _level(jurisdiction)
    if name.startswith(chain[-1]) or (own and name.startswith(own)):
        return outer + name
    if level and level == own_level and name.startswith(level):
        return jurisdiction + name[len(level) :]
    if level and name.startswith(level):
        for i, token in enumerate(chain):
            if token.endswith(level):
                return "".join(chain[: i + 1]) + name[len(level) :]
        return f"{jurisdiction}·{name}"
    return jurisdiction + name


def read_mentions(paths, *, folders: dict | None = None) -> list[tuple[str, str]]:
    """Every unit mention of some plan sources as ``(jurisdiction, name)``, in order.

    As :func:`analysis.glossary.read_unit_names`; the jurisdiction is the measures CSV's
    ``jurisdiction`` column ("" where it has none) or, for plan files, what :func:`assign`
    decides.
    """
    from .glossary import read_unit_names

    return read_unit_names(paths, with_jurisdiction=True, folders=folders)


def propose_pooled(mentions, *, place_en: dict[str, str] | None = None):
    """Propose a registry for the mentions of one or several governments' plans.

    `mentions` are ``(jurisdiction, name)`` pairs. With one jurisdiction (or none), this is
    :func:`analysis.glossary.propose` with the jurisdiction's place as the plan's own (so
    下陆公安分局 is read as 下陆区's). With several, each jurisdiction's names are proposed
    apart (a merge never crosses governments), every unit is named by :func:`qualify`, its
    written names become its aliases, and the registry and decisions get a ``jurisdiction``
    column.
    """
    import pandas as pd

    from .glossary import Proposal, propose

    by_j: dict[str, list[str]] = {}
    for j, name in mentions:
        by_j.setdefault(j, []).append(name)
    if len(by_j) <= 1:
        j = next(iter(by_j), "")
        return propose(by_j.get(j, []), places=[own_place(j)] if j else [], place_en=place_en)
    proposals = {j: propose(by_j[j], places=[own_place(j)] if j else [], place_en=place_en) for j in sorted(by_j)}
    rename = {}
    for j, p in proposals.items():
        level = dict(zip(p.decisions["name"], p.decisions["level"], strict=True))
        rename.update({(j, u): qualify(u, j, level=level.get(u, "")) for u in p.units["unit"]})
    taken = Counter(rename.values())
    for key, q in rename.items():  # two governments whose qualified names meet
        if taken[q] > 1:
            rename[key] = f"{key[0]}·{key[1]}"
    units, decisions = [], []
    for j, p in proposals.items():
        u = p.units.copy()
        new = [rename[j, unit] for unit in u["unit"]]
        u["aliases"] = [
            "|".join(([unit] if q != unit else []) + [a for a in aliases.split("|") if a])
            for unit, q, aliases in zip(u["unit"], new, u["aliases"], strict=True)
        ]
        u["note"] = [
            f"{j}'s {unit}{f', named {q} in the pooled corpus' if q != unit else ''}. {n}".strip()
            for unit, q, n in zip(u["unit"], new, u["note"], strict=True)
        ]
        u["unit"] = new
        u["jurisdiction"] = j
        d = p.decisions.copy()
        d["unit"] = [rename[j, x] for x in d["unit"]]
        d.insert(0, "jurisdiction", j)
        units.append(u)
        decisions.append(d)
    return Proposal(units=pd.concat(units, ignore_index=True), decisions=pd.concat(decisions, ignore_index=True))
