"""The charts' words: the zh/en texts (:data:`TEXTS`), unit, plan and section names, wrapping.

Nothing here draws or counts: each function turns a name or a number the data functions
(:mod:`analysis.figures.data`) give into the text a chart prints.
"""

from __future__ import annotations

import csv
import re
import textwrap
import unicodedata
from pathlib import Path

import pandas as pd

from ..config import PLAN_NAMES_CSV, SECTION_NAMES_CSV

__all__ = ["LANGS", "TEXTS", "check_lang", "plan_labels", "section_labels", "t", "unit_labels"]

LANGS = ("zh", "en")

#: Every fixed text of the charts: key → (Chinese, English).
TEXTS = {
    "sole_lead": ("单独牵头", "Sole lead"),
    "co_lead": ("联合牵头", "Co-lead"),
    "responsible": ("责任单位", "Responsible"),
    "n_measures": ("措施数", "Measures"),
    "ranking_x": (
        "措施数(同一措施既牵头又负责的单位两项均计)",
        "Measures (a unit both lead and responsible on one measure counts in both)",
    ),
    "ranking_title": ("各单位工作负荷", "Workload per unit"),
    "collectives": ("集合性表述", "Collective placeholders"),
    "role": ("角色", "Role"),
    "system": ("系统", "System"),
    "heatmap_title": ("各单位在各部分的任务数(牵头或责任)", "Measures per unit and section (lead or responsible)"),
    "section": ("部分", "Section"),
    "lorenz_title": ("负荷集中度(洛伦兹曲线)", "Concentration of load (Lorenz curves)"),
    "lorenz_x": ("单位累计占比(按负荷由小到大)", "Cumulative share of named units (lowest load first)"),
    "lorenz_y": ("负荷累计占比", "Cumulative share of load"),
    "lead_load": ("牵头负荷", "Lead load"),
    "responsible_load": ("责任负荷", "Responsible load"),
    "equality": ("完全均等", "Perfect equality"),
    "network_title": ("联合牵头网络", "Co-lead network"),
    "network_note": (
        "节点大小:牵头措施数;连线粗细:共同牵头措施数;颜色:共识群组",
        "Node size: measures led; line width: measures led together; colour: consensus cluster; "
        'names without the leading "District"',
    ),
    "cluster": ("群组", "Cluster"),
    "share_title": ("责任分配给集合性表述的比例", "Responsibility given to collective placeholders"),
    "share_mentions": ("责任单位提及中集合性表述的占比", "Share of responsible mentions"),
    "share_only": ("仅由集合性表述负责的措施占比", "Share of measures with only collectives responsible"),
    "named_units": ("具名单位", "Named units"),
    "all_plans": ("全部方案", "All plans"),
    "dist_title": ("每项措施的单位数", "Units per measure"),
    "dist_lead": ("牵头单位数", "Lead units per measure"),
    "dist_resp": ("责任单位数", "Responsible units per measure"),
    "with_named": ("含具名单位", "At least one named unit"),
    "only_collective": ("仅集合性表述", "Only collective placeholders"),
    "none": ("无", "none"),
    "stability_title": (
        "群组稳定性:Louvain 各次运行中两单位同组的比例",
        "Cluster stability: share of Louvain runs in which two units share a community",
    ),
    "stability_cbar": ("同组运行占比", "Share of runs together"),
    "coalitions_title": ("反复出现的联合牵头组合", "Recurring lead coalitions"),
    "coalitions_y": ("以该组合牵头的措施数", "Measures led by exactly this set"),
    "coalitions_units": ("牵头措施总数", "Measures led"),
    "no_lead_unit": (
        "本方案没有写明牵头单位的措施:没有可画的联合牵头关系",
        "No measure of these plans names a lead unit: there are no co-lead ties to draw",
    ),
    "no_section": ("未分部分", "no section"),
    "no_coalition": (
        "没有在两项及以上措施中重复出现的联合牵头组合",
        "No set of lead units recurs on two or more measures",
    ),
    "plans": ("方案", "Plans"),
    "district_note": ("", 'Unit names without the leading "District".'),
    "plan_titles_note": ("方案名称见 measures.csv 的 plan_title 列", "Plan titles: column plan_title of measures.csv"),
    "sections_cut": (
        "另有 {n:,} 个部分未列出(共 {total:,} 个;只列出所示单位任务最多的部分);"
        "完整表见 reports/workload_by_section.csv",
        "{n:,} more sections not shown (of {total:,}; those where the units shown have the most measures are); "
        "full table in reports/workload_by_section.csv",
    ),
    "network_cut": (
        "另有 {n:,} 个牵头单位未列出(各牵头不超过 {most:,} 项措施);完整名单见 reports/clusters.csv",
        "{n:,} more lead units not shown (each leads at most {most:,} measures); full list in reports/clusters.csv",
    ),
    "stability_cut": (
        "仅列出牵头最多的 {k:,} 个单位;另有 {n:,} 个未列出,见 reports/cluster_coassignment.csv",
        "The {k:,} units that lead the most; {n:,} more in reports/cluster_coassignment.csv",
    ),
    "plans_cut": (
        "仅列出责任提及最多的 {k:,} 个方案;另有 {n:,} 个方案未列出(计入“全部方案”)",
        "The {k:,} plans with the most responsible mentions; {n:,} more plans not shown (counted in All plans)",
    ),
}


def t(key: str, lang: str) -> str:
    """The text `key` of :data:`TEXTS` in `lang`."""
    return TEXTS[key][LANGS.index(lang)]


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")


def unit_labels(ds, lang: str = "zh") -> dict[str, str]:
    """Display name of every unit: the canonical name (zh) or the registry's ``name_en`` (en)."""
    check_lang(lang)
    if lang == "zh":
        return {u: u for u in ds.units["unit"]}
    return {u: (en or u) for u, en in zip(ds.units["unit"], ds.units["name_en"], strict=True)}


def display_names(ds, lang: str) -> dict[str, str]:
    """Names as the charts print them: :func:`unit_labels`, in English without a leading
    "District " (every unit is a district unit; each English chart says so)."""
    labels = unit_labels(ds, lang)
    if lang == "en":
        labels = {u: re.sub(r"^District ", "", name) for u, name in labels.items()}
    return labels


def _read_names(path: Path, key: str) -> dict[str, str]:
    """``{key column: name_en}`` of a hand-maintained name table (empty if the file is missing)."""
    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r[key].strip(): r["name_en"].strip() for r in csv.DictReader(fh) if r.get("name_en")}


def section_labels(ds, lang: str = "zh", *, section_names: Path = SECTION_NAMES_CSV) -> dict[tuple[str, str], str]:
    """Short name of every section, keyed by ``(plan_id, section_no)``, in source order.

    zh: the number and the title up to its first comma (cut to 9 characters with …); en: the
    number and the name in ``data/section_names.csv`` for that title, else ``P1 §2``.

    >>> from analysis.load import load
    >>> labels = section_labels(load(), "en")
    >>> labels["P1", "3"], labels["P3", "5"], section_labels(load())["P2", "8"]
    ('3 Judicial reform', '5 Cyberspace governance', '8 加快数字法治政府…')
    """
    check_lang(lang)
    sections = ds.measures.drop_duplicates(["plan_id", "section_no"])
    names = _read_names(section_names, "section_title") if lang == "en" else {}
    out = {}
    for pid, no, title in zip(sections["plan_id"], sections["section_no"], sections["section_title"], strict=True):
        no = section_key(no)
        if not no:  # items before (or without) any section heading
            out[pid, no] = t("no_section", lang)
        elif lang == "zh":
            out[pid, no] = f"{no} {short(title, 9)}"
        else:
            name = names.get(str(title).strip())
            out[pid, no] = f"{no} {name}" if name else f"{pid} §{no}"
    return out


def section_key(no) -> str:
    """The key of a section number in :func:`section_labels`: its digits, or "" for the items of
    a plan that come before (or without) any section heading (``<NA>``; 0 in
    :func:`analysis.workload.workload_by_section`)."""
    return "" if pd.isna(no) or no == 0 else str(no)


def plan_labels(ds, lang: str = "zh", *, plan_names: Path = PLAN_NAMES_CSV) -> dict[str, str]:
    """Short name of every plan, in source order.

    zh: the title without 《》 and the trailing 重要举措分工方案 (or 分工方案 …); en: the name in
    ``data/plan_names.csv`` for that title, else the ``plan_id``.

    >>> from analysis.load import load
    >>> plan_labels(load())["P1"], plan_labels(load(), "en")["P2"]
    ('法治下陆建设规划(2021-2025年)', 'Xialu Law-based Government Programme 2021–2025')
    """
    check_lang(lang)
    titles = ds.measures.drop_duplicates("plan_id").set_index("plan_id")["plan_title"]
    if lang == "en":
        names = _read_names(plan_names, "plan_title")
        return {pid: names.get(title, f"Plan {pid}") for pid, title in titles.items()}
    out = {}
    for pid, title in titles.items():
        short_title = (
            re.sub(r"(重要举措)?(任务)?分工(方案|表)?$", "", title).replace("《", "").replace("》", "").strip()
        )
        out[pid] = short_title or pid
    return out


def wrap(text: str, width: int) -> str:
    """`text` on lines of at most `width` characters (a longer word stays whole)."""
    # Never break after a hyphen: "Urban-Rural" stays whole (poppler joins a line-end hyphen).
    wrapped = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(wrapped) if len(text) > width else text


def wrap_note(text: str, lang: str) -> list[str]:
    """A note's lines for a page-wide chart: 120 half-width cells of Chinese, 110 characters of English."""
    if lang == "zh":  # by display width (a CJK character is two half-width cells), 120 cells a line
        lines, cur, width = [], "", 0
        for ch in text:
            w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
            if width + w > 120:
                lines.append(cur)
                cur, width = "", 0
            cur, width = cur + ch, width + w
        return [*lines, cur]
    return textwrap.wrap(text, 110, break_long_words=False, break_on_hyphens=False) or [""]


def shorten(text: str, n: int) -> str:
    """`text` cut at a word boundary to at most `n` characters, with … when cut."""
    return text if len(text) <= n else textwrap.shorten(text, n, placeholder="…")


def short(text: str, n: int) -> str:
    """`text` up to its first comma, cut to `n` characters with …"""
    text = re.split(r"[,，]", text)[0]
    return text if len(text) <= n else text[: n - 1] + "…"


def network_label(name: str, lang: str) -> str:
    """Node label: the display name (:func:`display_names`), wrapped in English."""
    return name if lang == "zh" else wrap(name, 22)


def left_out_note(hidden: pd.DataFrame, hidden_co: pd.DataFrame, lang: str, table: str = "workload.csv") -> str:
    """The sentence saying which rows a chart leaves out and where the full list is.

    `hidden` are the named units left out (``n_sole_lead, n_colead, n_responsible``),
    `hidden_co` the collectives left out (only their number is said).
    """
    parts = []
    if len(hidden):
        lead = int((hidden["n_sole_lead"] + hidden["n_colead"]).max())
        total = int((hidden["n_sole_lead"] + hidden["n_colead"] + hidden["n_responsible"]).max())
        if lang == "zh":
            parts.append(f"另有 {len(hidden)} 个具名单位未列出(各牵头不超过 {lead} 项措施,各角色合计不超过 {total} 项)")
        else:
            parts.append(
                f"{len(hidden)} more named units not shown (each leads at most {lead} measures, {total} in all roles)"
            )
    if len(hidden_co):
        k = len(hidden_co)
        parts.append(f"另有 {k} 个集合性表述未列出" if lang == "zh" else f"{k} more collectives not shown")
    where = f";完整名单见 reports/{table}" if lang == "zh" else f"; full list in reports/{table}"
    return (";" if lang == "zh" else "; ").join(parts) + where
