"""The data-quality report, ``reports/data_quality.md``.

Everything an analyst must know before trusting a number: how every source line was read,
numbering gaps, measures without responsible (or lead) units, units named as both lead and
responsible on one measure, the alias merges applied, separator anomalies, and the share of
mentions that go to collective placeholders instead of named units, and the texts the
spreadsheets had to change (control characters, cells over Excel's limit, formula-like text).

Text from the data is escaped (``&``, ``<``, ``>``): the report is Markdown, and a Markdown
viewer would otherwise render HTML written in a plan or a measures CSV. In code spans (file
names, title lines) it is left as is, since Markdown shows a code span literally; a value that
holds a backtick is written as escaped plain text instead.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from . import facts
from .ingest import Document, numbering_gaps
from .load import Dataset
from .safetext import spreadsheet_issues

__all__ = ["collective_shares", "dual_role", "merges_applied", "quality_report"]


def merges_applied(ds: Dataset) -> pd.DataFrame:
    """Mentions whose written name differs from the canonical unit, counted per spelling."""
    a = ds.assignments
    merged = a[a["unit_raw"] != a["unit"]]
    out = merged.groupby(["unit_raw", "unit"], sort=True).size().rename("n_mentions").reset_index()
    notes = ds.units.set_index("unit")["note"]
    out["kind"] = out["unit"].map(notes).fillna("").str.split(":").str[0]
    return out


def dual_role(ds: Dataset) -> pd.DataFrame:
    """Units named as both lead and responsible on the same measure (:func:`analysis.facts.dual_roles`),
    sorted by measure and unit."""
    return facts.dual_roles(ds).sort_values(["measure_id", "unit"], ignore_index=True)


def collective_shares(ds: Dataset) -> pd.DataFrame:
    """Share of mentions that go to collective placeholders, per plan and role, and overall.

    Rows: per plan (sorted by id) its roles (``lead``, ``responsible``: those it has mentions
    of) and ``all``, then ``all`` per role and overall; every mention counted, as written. The
    counts are :func:`analysis.facts.plan_mentions` per role (bin counts over the integer codes
    of the assignments: a million measures without a join of their 4.7 million mentions).
    """
    lead, resp = (facts.plan_mentions(ds, role) for role in ("lead", "responsible"))
    order = np.argsort(lead.index.to_numpy(dtype=object), kind="stable")  # plans by id
    plans = lead.index.to_numpy(dtype=object)[order]
    # per plan three rows (lead, responsible, all), kept where the plan has such mentions
    n = np.stack([lead["n_mentions"].to_numpy()[order], resp["n_mentions"].to_numpy()[order]], axis=1)
    k = np.stack([lead["n_collective"].to_numpy()[order], resp["n_collective"].to_numpy()[order]], axis=1)
    n, k = np.c_[n, n.sum(axis=1)], np.c_[k, k.sum(axis=1)]
    roles = np.array(["lead", "responsible", "all"], dtype=object)
    # then all plans per role (the roles with mentions) and overall
    n_all, k_all = n.sum(axis=0), k.sum(axis=0)
    keep = np.r_[(n > 0).ravel(), n_all[:2] > 0, True]
    n, k = np.r_[n.ravel(), n_all], np.r_[k.ravel(), k_all]
    out = pd.DataFrame(
        {
            "plan_id": np.r_[np.repeat(plans, 3), ["all"] * 3],
            "role": np.r_[np.tile(roles, len(plans)), roles],
            "n_mentions": n.astype("int64"),
            "n_collective": k.astype("int64"),
            "share_collective": np.divide(k, n, out=np.zeros(len(n)), where=n > 0),
        }
    )
    return out[keep].reset_index(drop=True)


def _text(value) -> str:
    """Data text for Markdown: HTML-escaped, on one line."""
    return html.escape(str(value), quote=False).replace("\r", " ").replace("\n", " ")


def _code(value) -> str:
    """Data text as a code span, or as escaped text if it holds a backtick or a line break."""
    s = str(value)
    if "`" in s or "\n" in s or "\r" in s:
        return _text(s)
    return f"`{s}`"


#: Rows shown per table of the report; the rest are counted (a national corpus has tens of thousands).
TABLE_MAX_ROWS = 200
_CUT = "more rows"
_CUT_NOTE = "<!-- table cut: more rows -->\n"  # marks a table cut without the usual line


def _table(df: pd.DataFrame, *, limit: int | None = TABLE_MAX_ROWS) -> str:
    if df.empty:
        return "_none_\n"
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    shown = df if limit is None else df.head(limit)
    for row in shown.itertuples(index=False):
        cells = [f"{v:.1%}" if isinstance(v, float) else _text(v) for v in row]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if len(shown) < len(df):
        lines.append(f"\n… and {len(df) - len(shown):,} {_CUT} (the first {len(shown):,} of {len(df):,} shown)")
    return "\n".join(lines) + "\n"


def _jurisdiction_section(ds: Dataset, doc: Document | None) -> list[str]:
    """Which government each plan belongs to and how that was decided (:mod:`analysis.jurisdiction`)."""
    m = ds.measures
    if "jurisdiction" not in m:
        return []
    plans = m.groupby("plan_id", sort=True).agg(
        jurisdiction=("jurisdiction", "first"), n_measures=("measure_id", "size")
    )
    how = {p: h for p, (_, h) in (doc.jurisdictions if doc is not None else {}).items()}
    plans["decided by"] = [how.get(p, "the measures file's jurisdiction column") for p in plans.index]
    plans = plans.reset_index()
    found = sorted(set(plans["jurisdiction"]) - {""})
    out = ["## Governments (jurisdictions)", ""]
    out.append(f"- {len(found)} government(s): {'、'.join(found) or 'none named'}")
    unknown = plans.loc[plans["jurisdiction"] == "", "plan_id"].tolist()
    if unknown:
        out.append(
            f"- plans whose government could not be told (no folder, and neither issuer nor title starts with a "
            f"place; put each government's files in a folder of its own name): {', '.join(unknown)}"
        )
    shared = "jurisdiction" not in ds.units or bool((ds.units["jurisdiction"] == "").all())
    if len(found) > 1 and shared:
        out.append(
            "- **the registry names no jurisdiction**: every spelling is read as one body across these governments "
            "(区司法局 of one district = 区司法局 of another); build without `--units` to have one registry per "
            "government proposed"
        )
    return [*out, "", _table(plans[["plan_id", "jurisdiction", "n_measures", "decided by"]])]


def quality_report(
    ds: Dataset, doc: Document | None = None, *, proposal=None, tables=None, outputs: bool = True
) -> str:
    """Render the data-quality report as Markdown.

    `doc` is the parsed source (from :func:`analysis.ingest.ingest`); without it (a build on a
    measures CSV) the sections that need the source lines say so. `tables` (of
    :func:`analysis.exports.analysis_tables`) saves recomputing what the section "Outputs in
    another form because of their size" needs (:func:`analysis.limits.size_notes`).
    `outputs=False` (a comparison only, :func:`analysis.cli.compare_corpus`): the sections about
    the task sheets and the charts the build writes are left out, since none is written.
    """
    out = ["# Data-quality report", ""]
    out += _summary(ds)
    out += ["## Sources and line accounting", ""]
    if doc is None:
        out += ["_Built from a measures CSV: source lines not available._", ""]
    else:
        out += _line_accounting(doc) + _plans_and_titles(doc) + _numbering_gaps(doc) + _reading_decisions(doc)
    out += _optional_fields(ds.measures)
    if proposal is not None:
        out += _proposal_section(proposal)
    out += _jurisdiction_section(ds, doc)
    out += _measure_sections(ds)
    out += _collective_section(ds)
    if outputs:
        out += _spreadsheet_section(ds)
        out += _size_section(ds, tables, cut=any(_CUT in part for part in out))
    return "\n".join(out).rstrip() + "\n"


def _summary(ds: Dataset) -> list[str]:
    """The report's first lines: measures per plan, mentions per role, the registry's size."""
    m, a = ds.measures, ds.assignments
    per_plan = ", ".join(f"{p}: {n}" for p, n in m["plan_id"].value_counts().sort_index().items())
    return [
        f"- measures: **{len(m)}** in {m['plan_id'].nunique()} plan(s) ({per_plan})",
        f"- unit mentions: **{len(a)}** ({(a['role'] == 'lead').sum()} lead, "
        f"{(a['role'] == 'responsible').sum()} responsible) of {a['unit_raw'].nunique()} written "
        f"names, merged into {a['unit'].nunique()} registry units",
        f"- registry: {len(ds.units)} units, {int(ds.units['is_collective'].sum())} of them collective placeholders",
        "",
    ]


def _line_accounting(doc: Document) -> list[str]:
    """Per source file: its format and encoding, its lines and how many could not be read; the
    line kinds; then every place that could not be read, with the problem and the value."""
    out = []
    for src, enc in sorted(doc.encodings.items()):
        n = sum(1 for (s, _), _k in doc.line_kinds.items() if s == src)
        n_unread = sum(1 for u in doc.unread if u.source_file == src)
        fmt = doc.formats.get(src, "txt")
        what = f"{fmt}, {enc}" if enc else fmt
        state = "every one accounted for" if not n_unread else f"{n_unread} could not be read (listed below)"
        out.append(f"- {_code(src)} ({_text(what)}): {n} non-blank lines and table rows, {state}")
    kinds = pd.DataFrame(sorted(doc.kind_counts().items()), columns=["line kind", "n_lines"])
    out += ["", _table(kinds), "### Places that could not be read", ""]
    if doc.unread:
        out += [
            "The build went on (`--keep-going`) without these; each is the file, the line or cell, "
            "what is wrong and the value:",
            "",
        ]
    unread = [(u.source_file, u.place, u.message, u.value) for u in doc.unread]
    out.append(_table(pd.DataFrame(unread, columns=["source_file", "place", "problem", "value"])))
    return out


def _plans_and_titles(doc: Document) -> list[str]:
    """The plans read (title, title line, preamble size, issuer) and the anomalies of their titles."""
    plans = [
        (p.plan_id, p.plan_title, p.title_line or "", len(p.preamble), p.issuer or "_not stated_") for p in doc.plans
    ]
    cols = ["plan_id", "plan_title", "title_line", "n_preamble_lines", "issuer"]
    out = ["### Plans", "", _table(pd.DataFrame(plans, columns=cols))]
    titles = [x for x in doc.anomalies if x.kind == "title"]
    if titles:
        out += ["Title anomalies:", ""]
        out += [
            f"- {_text(x.source_file)}, {f'line {x.line}' if x.line is not None else _text(x.place or 'title')}: "
            f"{_text(x.detail)}: {_code(x.value)}"
            for x in titles
        ]
        out.append("")
    return out


def _numbering_gaps(doc: Document) -> list[str]:
    """Jumps in the item numbers of each plan (reported, never an error)."""
    gaps = pd.DataFrame(numbering_gaps(doc), columns=["plan_id", "after_item", "next_item", "n_missing"])
    return [
        "### Numbering gaps",
        "",
        "A jump in item numbers is reported, not treated as an error: the measures are numbered as published.",
        "",
        _table(gaps),
    ]


#: Anomaly kinds of the section "Separator anomalies and role phrases"; every other kind but
#: ``title`` goes to "Other reading decisions".
_SEPARATOR_KINDS = ("separator", "role phrase", "empty label", "text continuation")


def _anomaly_table(anomalies, place_column: str) -> str:
    rows = [(x.source_file, x.line if x.line is not None else x.place, x.kind, x.detail, x.value) for x in anomalies]
    return _table(pd.DataFrame(rows, columns=["source_file", place_column, "kind", "detail", "value"]))


def _reading_decisions(doc: Document) -> list[str]:
    """The reader's anomalies (separators and role phrases, then every other decision) and the
    preamble lines kept as metadata."""
    seps = [x for x in doc.anomalies if x.kind in _SEPARATOR_KINDS]
    other = [x for x in doc.anomalies if x.kind not in (*_SEPARATOR_KINDS, "title")]
    pre = [(p.plan_id, ln, t) for p in doc.plans for ln, t in p.preamble]
    return [
        "### Separator anomalies and role phrases",
        "",
        _anomaly_table(seps, "line"),
        "### Other reading decisions",
        "",
        "Leaders that name no person, rows continued on a new page, repeated headers, columns not read, "
        "measures numbered by position:",
        "",
        _anomaly_table(other, "place"),
        "### Preamble (kept as metadata)",
        "",
        _table(pd.DataFrame(pre, columns=["plan_id", "line", "text"])),
    ]


def _optional_fields(m: pd.DataFrame) -> list[str]:
    """How many measures name a leader and a deadline, when the plans have those columns."""
    out = []
    for col, what in (("leaders_raw", "a leader (分管领导 …)"), ("deadline_raw", "a deadline (完成时限 …)")):
        if col in m:
            out += [f"- measures with {what}: {int((m[col] != '').sum())} of {len(m)}"]
    return [*out, ""] if out else out


def _proposal_section(proposal) -> list[str]:
    """The registry proposed from the glossary: its size and one decision per written name."""
    d = proposal.decisions
    cols = ["name", "n_mentions", "unit", "decision", "system", "confidence", "reason"]
    return [
        "## Registry proposed from the glossary",
        "",
        "No registry was given for these plans, or it lacked names: the suite proposed units from the "
        "glossary of government bodies (`analysis/glossary.csv`) and built with them. Review every "
        "decision below, edit `units.csv` under the output folder, and build again with `--units`.",
        "",
        f"- {len(d)} written names -> {len(proposal.units)} units; "
        f"{int((d['decision'] == 'variant').sum())} merged as variants; "
        f"{len(proposal.untyped())} the glossary could not type (system `other`)",
        "",
        _table(d[(["jurisdiction"] if "jurisdiction" in d else []) + cols]),
    ]


def _measure_sections(ds: Dataset) -> list[str]:
    """Measures without responsible or lead units, dual roles and the alias merges applied."""
    m = ds.measures
    return [
        "## Measures without responsible units",
        "",
        _table(m.loc[m["responsible_units_raw"] == "", ["measure_id", "lead_units_raw", "text"]]),
        "## Measures without lead units",
        "",
        _table(m.loc[m["lead_units_raw"] == "", ["measure_id", "responsible_units_raw", "text"]]),
        "## Units both lead and responsible on one measure",
        "",
        _table(dual_role(ds)),
        "## Alias merges applied",
        "",
        "Written names mapped to another canonical unit by `data/units.csv` "
        "(`variant`: plain variants of one name; `judgement`: a call to review).",
        "",
        _table(merges_applied(ds)),
    ]


def _collective_section(ds: Dataset) -> list[str]:
    """Shares of mentions given to collective placeholders (per plan, or overall on a big corpus)."""
    out = [
        "## Collective placeholders",
        "",
        "Mentions of 区直有关部门, 各街办 and other collectives name no accountable body.",
        "",
    ]
    shares = collective_shares(ds)
    if len(shares) <= TABLE_MAX_ROWS:
        return [*out, _table(shares, limit=None)]
    n_plans = shares["plan_id"].nunique() - 1  # a national corpus: the overall rows, the per-plan ones counted
    return [
        *out,
        _table(shares[shares["plan_id"] == "all"], limit=None),
        f"Per-plan rows of {n_plans:,} plans left out: `analysis.quality.collective_shares(ds)` gives them.\n",
        _CUT_NOTE,
    ]


def _spreadsheet_section(ds: Dataset) -> list[str]:
    """Texts the task sheets and report CSVs write differently from the data (and why)."""
    return [
        "## Text changed in the spreadsheets",
        "",
        "In `task_sheets.xlsx` every text is a text cell, never a formula; control characters that xlsx "
        "cannot hold (form feed and other C0 characters) are written as spaces; a text over 32,767 "
        "characters (Excel's cell limit) is cut, and the cell ends with a note giving its full length. In "
        "the report CSVs a text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a "
        "leading `'`, so that Excel shows it as text. `n`: characters replaced, full length, or 1.",
        "",
        _table(spreadsheet_issues(ds)),
    ]


def _size_section(ds: Dataset, tables, *, cut: bool) -> list[str]:
    """Outputs written in another form because of their size (:func:`analysis.limits.size_notes`);
    `cut`: a table of this report was cut to its first rows."""
    from .limits import size_notes

    notes = size_notes(ds, tables)
    if cut:
        notes.append(f"Tables of this report show their first {TABLE_MAX_ROWS} rows; the rest are counted.")
    if not notes:
        return []
    return ["## Outputs in another form because of their size", "", *[f"- {n}" for n in notes], ""]
