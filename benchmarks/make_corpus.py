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
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DEPARTMENTS", "make_corpus", "write_corpus"]

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
    args = p.parse_args(argv)
    m, u = write_corpus(args.out, args.measures, n_units=args.units, seed=args.seed)
    print(f"{args.measures} measures -> {m}; units -> {u}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
