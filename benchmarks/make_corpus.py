"""A synthetic national corpus of division-of-labour plans, seeded, in the project's file formats.

``python benchmarks/make_corpus.py --measures 1000000 --out DIR`` writes ``DIR/measures.csv``
(the columns of :data:`analysis.ingest.MEASURE_COLUMNS`) and ``DIR/units.csv`` (the registry
format of ``data/units.csv``), so that :func:`analysis.load.load` is what a benchmark times.

Shape (about 3,000 county governments at a million measures, several plans each):

* ``n_units`` (default ``n_measures // 10``, at least 64) split into counties of 28 named
  departments and 3 collective placeholders (``县0001直有关部门`` …), plus 10 prefecture-level
  units per group of 10 counties (``市001发改委`` …) that now and then co-lead a county measure,
  so the co-lead graph has components of a few hundred units, not one per county;
* county sizes are log-normal and each county ranks its departments by a Zipf law (exponent
  1.3) in its own random order: a few units lead many measures, most lead a handful;
* 1–7 lead units per measure (P = .42 .26 .14 .08 .05 .03 .02) and 0–9 responsible
  mentions (P = .08 .33 .21 .13 .09 .06 .04 .03 .02 .01), about 40 % of the responsible
  mentions to the county's collectives;
* 10 % of the mentions of a county's 发改局 are written 发改委 (an alias in the registry), and
  1 % of measures name their first lead as responsible too (a dual role), as in the real plans.

Everything follows from ``seed``: the same arguments give byte-identical files.

``--texts`` also writes the same measures as plan texts, one ``.txt`` file per county
(``DIR/texts/county0001.txt``), for the text-ingest benchmark: :func:`plan_texts` writes each
county's plans in one of five layouts the ingest reads (``LAYOUTS``): unlabelled unit lines
under a spaced-out header (the Xialu layout), ``牵头单位:`` / ``责任单位:`` lines with 完成时限
and (一) sub-headings, a table flattened to ``|`` cells, a trailing role parenthesis
(``(X牵头,Y配合)``), and a table copied one cell per line. Every file opens with a notice
(heading, cover letter, signature and date) and numbers its plans' sections 一、二、…; measure
texts are joined from clause fragments, so few lines repeat. ``python -m analysis ingest`` of
the files gives back the units of :func:`make_corpus` measure by measure (tested).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DEPARTMENTS", "LAYOUTS", "make_corpus", "plan_texts", "write_corpus", "write_texts"]

#: (suffix, English, system) of the 28 named departments of a county.
DEPARTMENTS = [
    ("司法局", "Justice Bureau", "government"),
    ("政府办", "Government Office", "government"),
    ("发改局", "Development and Reform Bureau", "government"),
    ("财政局", "Finance Bureau", "government"),
    ("公安局", "Public Security Bureau", "public_security"),
    ("民政局", "Civil Affairs Bureau", "government"),
    ("人社局", "Human Resources Bureau", "government"),
    ("住建局", "Housing Bureau", "government"),
    ("自然资源局", "Natural Resources Bureau", "government"),
    ("生态环境局", "Ecology Bureau", "government"),
    ("交通运输局", "Transport Bureau", "government"),
    ("农业农村局", "Agriculture Bureau", "government"),
    ("水利局", "Water Bureau", "government"),
    ("商务局", "Commerce Bureau", "government"),
    ("文旅局", "Culture and Tourism Bureau", "government"),
    ("卫健局", "Health Bureau", "government"),
    ("应急局", "Emergency Bureau", "government"),
    ("市场监管局", "Market Regulation Bureau", "government"),
    ("审计局", "Audit Bureau", "government"),
    ("统计局", "Statistics Bureau", "government"),
    ("教育局", "Education Bureau", "government"),
    ("科技局", "Science Bureau", "government"),
    ("经信局", "Economy and IT Bureau", "government"),
    ("城管局", "Urban Management Bureau", "government"),
    ("信访局", "Petitions Bureau", "government"),
    ("法院", "Court", "court"),
    ("检察院", "Procuratorate", "procuratorate"),
    ("委办公室", "Party Committee Office", "party"),
]
COLLECTIVES = [
    ("直有关部门", "relevant departments"),
    ("政府有关部门", "relevant government departments"),
    ("各乡镇", "all townships"),
]
CITY_DEPARTMENTS = ["发改委", "财政局", "司法局", "公安局", "生态环境局"]
CITY_DEPARTMENTS += ["交通运输局", "住建局", "商务局", "卫健委", "教育局"]
P_LEADS = np.array([0.42, 0.26, 0.14, 0.08, 0.05, 0.03, 0.02])  # 1..7
P_RESP = np.array([0.08, 0.33, 0.21, 0.13, 0.09, 0.06, 0.04, 0.03, 0.02, 0.01])  # 0..9
P_COLLECTIVE = 0.45  # per responsible mention, before capping at the county's 3 collectives
P_CITY_LEAD = 0.05
P_ALIAS = 0.10
P_DUAL = 0.01
ZIPF = 1.3
_TEXTS = [
    "健全依法决策机制，完善重大行政决策程序。",
    "深化行政执法体制改革。",
    "推进政务公开标准化规范化建设，提升政务服务效能，做到应公开尽公开。",
    "加强法治宣传教育。",
    "完善矛盾纠纷多元化解机制，推动社会治理重心向基层下移。",
    "落实行政规范性文件合法性审核机制。",
    "推进社会信用体系建设，健全守信激励和失信惩戒机制，营造诚实守信的社会环境。",
    "加强生态环境保护执法。",
    "优化营商环境，持续深化“放管服”改革。",
    "完善公共法律服务体系，推进公共法律服务平台建设，实现城乡全覆盖。",
    "健全突发事件应对体系。",
    "加强对行政权力的制约和监督，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
]


def make_corpus(n_measures: int, *, n_units: int | None = None, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(measures, units)``: a measures table and a unit registry, as strings.

    Examples
    --------
    >>> m, u = make_corpus(200, seed=1)
    >>> len(m), m["measure_id"].is_unique, set(u["is_collective"]) == {"true", "false"}
    (200, True, True)
    """
    rng = np.random.default_rng(seed)
    n_units = max(64, n_measures // 10) if n_units is None else n_units
    n_dep, n_col = len(DEPARTMENTS), len(COLLECTIVES)
    n_counties = max(1, round(n_units / (n_dep + n_col + 1)))
    n_cities = -(-n_counties // 10)

    # measures per county: log-normal sizes, every county at least one measure
    size = rng.lognormal(0.0, 1.0, n_counties)
    county = np.sort(rng.choice(n_counties, size=n_measures, p=size / size.sum()))
    # rank within county -> plan (about 45 measures each), item, section (8 items each)
    start = np.searchsorted(county, county, side="left")
    rank = np.arange(n_measures) - start
    plan = rank // 45 + 1
    item = rank % 45 + 1
    section = (item - 1) // 8 + 1

    n_lead = rng.choice(np.arange(1, 8), size=n_measures, p=P_LEADS)
    n_resp = rng.choice(np.arange(0, 10), size=n_measures, p=P_RESP)
    n_coll = np.minimum(rng.binomial(n_resp, P_COLLECTIVE), n_col)
    n_named_resp = n_resp - n_coll

    # each county ranks its departments by a Zipf law, in its own order
    weights = 1.0 / np.arange(1, n_dep + 1) ** ZIPF
    perm = np.argsort(rng.random((n_counties, n_dep)), axis=1)  # perm[c, rank] = department
    logw = np.empty((n_counties, n_dep))
    np.put_along_axis(logw, perm, np.log(weights)[None, :], axis=1)

    dep_names = np.array([d[0] for d in DEPARTMENTS], dtype=object)
    county_tag = np.array([f"县{c:04d}" for c in range(n_counties)], dtype=object)
    city_tag = np.array([f"市{t:03d}" for t in range(n_cities)], dtype=object)
    alias_dep = 2  # 发改局, sometimes written 发改委

    lead_lists, resp_lists = [], []
    chunk = 100_000
    for lo in range(0, n_measures, chunk):
        hi = min(lo + chunk, n_measures)
        c = county[lo:hi]
        # Gumbel top-k: a weighted draw without replacement of departments per measure
        keys = logw[c] + rng.gumbel(size=(hi - lo, n_dep))
        order = np.argsort(-keys, axis=1)
        coll_order = np.argsort(rng.random((hi - lo, n_col)), axis=1)
        city_lead = rng.random(hi - lo) < P_CITY_LEAD
        city_dep = rng.integers(0, len(CITY_DEPARTMENTS), hi - lo)
        alias = rng.random((hi - lo, n_dep)) < P_ALIAS
        dual = rng.random(hi - lo) < P_DUAL
        for i in range(hi - lo):
            j = lo + i
            tag = county_tag[c[i]]
            k, r = n_lead[j], n_named_resp[j]
            names = []
            for pos, d in enumerate(order[i, : k + r]):
                name = tag + ("发改委" if d == alias_dep and alias[i, pos] else dep_names[d])
                names.append(name)
            leads = names[:k]
            if city_lead[i] and k >= 2:
                leads[-1] = city_tag[c[i] // 10] + CITY_DEPARTMENTS[city_dep[i]]
            resp = names[k:]
            resp += [tag + COLLECTIVES[x][0] for x in coll_order[i, : n_coll[j]]]
            if dual[i] and len(resp) < 9:
                resp.append(leads[0])
            lead_lists.append("、".join(leads))
            resp_lists.append("、".join(resp))

    cid = county_tag[county]
    measure_id = [f"C{c:04d}-P{p}-{i:02d}" for c, p, i in zip(county, plan, item, strict=True)]
    plan_id = [f"C{c:04d}-P{p}" for c, p in zip(county, plan, strict=True)]
    text_idx = rng.integers(0, len(_TEXTS), n_measures)
    source_line = 10 + 6 * item
    measures = pd.DataFrame(
        {
            "measure_id": measure_id,
            "plan_id": plan_id,
            "plan_title": [f"《{t}法治建设规划》分工方案" for t in cid],
            "section_no": section.astype(str),
            "section_title": [f"第{s}部分" for s in section],
            "item_no": item.astype(str),
            "text": np.array(_TEXTS, dtype=object)[text_idx],
            "lead_units_raw": lead_lists,
            "responsible_units_raw": resp_lists,
            "source_file": [f"county{c:04d}.txt" for c in county],
            "source_line": source_line.astype(str),
            "lead_line": (source_line + 2).astype(str),
            "responsible_line": np.where(np.array([bool(x) for x in resp_lists]), (source_line + 4).astype(str), ""),
        }
    )

    rows = []
    for c in range(n_counties):
        tag = county_tag[c]
        for d, (suffix, en, system) in enumerate(DEPARTMENTS):
            alias = f"{tag}发改委" if d == alias_dep else ""
            note = f"variant: {tag}发改委 is the older name." if alias else ""
            rows.append((tag + suffix, alias, f"County {c:04d} {en}", system, "false", "", note))
        for suffix, en in COLLECTIVES:
            rows.append((tag + suffix, "", f"County {c:04d} {en}", "collective", "true", "", ""))
    for t in range(n_cities):
        for suffix in CITY_DEPARTMENTS:
            rows.append((city_tag[t] + suffix, "", f"Prefecture {t:03d} {suffix}", "government", "false", "", ""))
    units = pd.DataFrame(rows, columns=["unit", "aliases", "name_en", "system", "is_collective", "members", "note"])
    return measures, units


#: The layouts of :func:`plan_texts`, one per county in turn.
LAYOUTS = ("lines", "labelled", "pipes", "parenthesis", "cells")
_CLAUSES = [
    "健全依法决策机制",
    "完善重大行政决策程序",
    "深化行政执法体制改革",
    "推进政务公开标准化规范化建设",
    "提升政务服务效能",
    "加强法治宣传教育",
    "完善矛盾纠纷多元化解机制",
    "推动社会治理重心向基层下移",
    "落实行政规范性文件合法性审核机制",
    "推进社会信用体系建设",
    "健全守信激励和失信惩戒机制",
    "加强生态环境保护执法",
    "优化营商环境",
    "持续深化“放管服”改革",
    "完善公共法律服务体系",
    "实现城乡公共法律服务全覆盖",
    "健全突发事件应对体系",
    "加强对行政权力的制约和监督",
    "全面推行行政执法公示制度",
    "落实执法全过程记录制度",
    "推行重大执法决定法制审核制度",
    "建设高标准农田",
    "推进老旧小区改造",
    "加快城乡供水一体化",
    "支持民营企业发展",
    "扩大有效投资",
    "推进数字政府建设",
    "加强安全生产监管",
    "做好防汛抗旱工作",
    "提高基层医疗服务能力",
    "促进高校毕业生就业",
    "落实减税降费政策",
    "加强食品药品安全监管",
    "推进垃圾分类",
    "开展重点领域专项整治",
    "完善养老服务体系",
]
_SECTIONS = ["坚持依法行政", "优化营商环境", "推进乡村振兴", "保障改善民生", "加强生态保护", "深化改革开放"]
_SECTIONS += ["建设法治社会", "防范化解风险", "提升治理能力", "加强自身建设"]
_LEADERS = ["王建国", "李红", "张伟民", "刘 哲", "陈兴立", "杨帆"]
_DEADLINES = ["2025年12月底前", "长期坚持", "2024年6月底前", "每年", "持续推进"]
_CN = "一二三四五六七八九"


def _cn(n: int) -> str:
    """A Chinese numeral below 100: 1 -> 一, 10 -> 十, 23 -> 二十三."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("" if tens == 1 else _CN[tens - 1]) + "十") + ("" if ones == 0 else _CN[ones - 1])


def plan_texts(measures: pd.DataFrame, *, seed: int = 0):
    """``(file name, text)`` for each county of `measures` (a :func:`make_corpus` table), in county order.

    The file of the k-th county (in order) takes layout ``LAYOUTS[k % 5]``. The measure texts
    are new (two or three clauses of a list, seeded); the units are the table's, as written.

    Examples
    --------
    >>> m, _ = make_corpus(60, seed=2)
    >>> name, text = next(plan_texts(m))
    >>> name, text.splitlines()[0]
    ('county0000.txt', '县0000人民政府办公室关于印发重点工作任务分工方案的通知')
    """
    rng = np.random.default_rng([seed, 1])
    n = len(measures)
    k_clauses = rng.integers(2, 4, n)
    clause = rng.integers(0, len(_CLAUSES), (n, 3))
    texts = ["，".join(_CLAUSES[c] for c in clause[i, : k_clauses[i]]) + "。" for i in range(n)]
    deadline = rng.integers(0, len(_DEADLINES), n)
    leader = rng.integers(0, len(_LEADERS), n)
    files = measures["source_file"].tolist()
    plans = measures["plan_id"].tolist()
    items = measures["item_no"].astype(int).tolist()
    sections = measures["section_no"].astype(int).tolist()
    leads = measures["lead_units_raw"].tolist()
    resps = measures["responsible_units_raw"].tolist()
    start = 0
    for k in range(n + 1):
        if k < n and (k == start or files[k] == files[start]):
            continue
        name, rows = files[start], range(start, k)
        tag = "县" + name[len("county") : -len(".txt")]
        layout = LAYOUTS[len(name) and int(name[len("county") : -len(".txt")]) % len(LAYOUTS)]
        out = [
            f"{tag}人民政府办公室关于印发重点工作任务分工方案的通知",
            "各乡镇人民政府，县直各部门：",
            "现将重点工作任务分工方案印发给你们，请认真贯彻执行。",
            f"{tag}人民政府办公室",
            "2023年6月22日",
            "",
        ]
        plan, section = None, None
        for j in rows:
            if plans[j] != plan:
                plan, section = plans[j], None
                out += ["", f"{tag}第{int(plan.rsplit('P', 1)[1])}批重点工作任务分工方案", ""]
                out += {
                    "lines": ["项目", "具体项目", "牵头单位", "责任单位"],
                    "labelled": [],
                    "pipes": ["序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限"],
                    "parenthesis": [],
                    "cells": ["序号", "重 点 工 作 任 务", "责任领导", "牵头单位", "责任单位"],
                }[layout]
            if sections[j] != section:
                section = sections[j]
                out.append(f"{_cn(section)}、{_SECTIONS[(section - 1) % len(_SECTIONS)]}")
                if layout == "labelled":
                    out.append(f"（一）{_SECTIONS[section % len(_SECTIONS)]}方面")
            item, text, lead, resp = items[j], texts[j], leads[j], resps[j]
            if layout == "lines":
                out += [f"{item}.{text}", lead] + ([resp] if resp else [])
            elif layout == "labelled":
                out += [f"{item}.{text}", f"牵头单位：{lead}"] + ([f"责任单位：{resp}"] if resp else [])
                out.append(f"完成时限：{_DEADLINES[deadline[j]]}")
            elif layout == "pipes":
                out.append(f"{item} | {text} | {lead} | {resp} | {_DEADLINES[deadline[j]]}")
            elif layout == "parenthesis":
                roles = f"{lead}牵头" + (f"，{resp}按职责分工负责" if resp else "")
                out.append(f"{item}.{text[:-1]}（{roles}）。")
            else:
                out += [str(item), text, _LEADERS[leader[j]], lead] + ([resp] if resp else [])
        yield name, "\n".join(out) + "\n"
        start = k


def write_texts(out_dir, n_measures: int, *, n_files: int | None = None, seed: int = 0) -> list[Path]:
    """Write the plan texts of a corpus of `n_measures` measures in about `n_files` files
    (``out_dir/county0000.txt`` …; one per county, ``n_units = 32 * n_files``); returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    measures, _ = make_corpus(n_measures, n_units=None if n_files is None else 32 * n_files, seed=seed)
    paths = []
    for name, text in plan_texts(measures, seed=seed):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_corpus(out_dir, n_measures: int, *, n_units: int | None = None, seed: int = 0) -> tuple[Path, Path]:
    """Write ``out_dir/measures.csv`` and ``out_dir/units.csv``; returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    measures, units = make_corpus(n_measures, n_units=n_units, seed=seed)
    mpath, upath = out_dir / "measures.csv", out_dir / "units.csv"
    measures.to_csv(mpath, index=False, lineterminator="\n", encoding="utf-8")
    units.to_csv(upath, index=False, lineterminator="\n", encoding="utf-8")
    return mpath, upath


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--measures", type=int, default=10_000, help="number of measures (default 10000)")
    p.add_argument("--units", type=int, default=None, help="number of units (default measures/10)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=Path, required=True, help="folder for measures.csv and units.csv")
    p.add_argument("--texts", action="store_true", help="also write the plan texts to OUT/texts (one file per county)")
    args = p.parse_args(argv)
    m, u = write_corpus(args.out, args.measures, n_units=args.units, seed=args.seed)
    print(f"{args.measures} measures -> {m}; units -> {u}")
    if args.texts:
        n_files = None if args.units is None else -(-args.units // 32)
        paths = write_texts(args.out / "texts", args.measures, n_files=n_files, seed=args.seed)
        print(f"{len(paths)} plan texts -> {args.out / 'texts'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
