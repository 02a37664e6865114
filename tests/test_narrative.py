"""Notebook prose follows the data: sentences on the tiny fixture worked out by hand, and
notebook 02 run for one plan of the seed checked against counts taken straight from the
assignments."""

from __future__ import annotations

import re
from fractions import Fraction

import nbformat
import pytest

from analysis import config, figures
from analysis import narrative as nv
from analysis import workload as wk
from analysis.load import load
from analysis.subset import subset

# --- tiny fixture, by hand ---------------------------------------------------------------------
# Plan P2 of tests/fixtures/tiny: leads 区戊院 P2-01 (alone), P2-02, P2-05, P2-06 (each with one
# other) → 4 measures, lead share 1 + 3 × 1/2 = 2.5; 区甲局 P2-03 (alone), P2-06 → 1.5; 区委丁部 1;
# 区乙局 and 区丙局 ½ each; 6 in all. Responsible mentions: 甲, 丁 (P2-01), 区直有关部门, 各街办
# (P2-02), 戊 (P2-04), 乙 (P2-05), 区直有关部门 (P2-06) = 7, 3 of them collectives.


@pytest.fixture(scope="module")
def tiny_p2(tiny):
    ds = subset(tiny, plans=["P2"])
    return ds, nv.notebook_tables(ds)


def test_tiny_p2_workload_sentence(tiny_p2):
    ds, t = tiny_p2
    text = nv.workload_text(ds, t["workload"])
    assert text.startswith(
        "区戊院 leads 4 of the 6 measures of plan P2, 1 of them alone, and holds 42 % of the named units' lead "
        "share (2.50 of 6.00), 1.7 times the next unit (区甲局, 1.50)."
    )
    # 区乙局: lead P2-04, responsible P2-05; 区丙局: lead P2-04, never responsible.
    assert "1 is responsible at least as often as it leads (区乙局); 1 leads and is never responsible (区丙局)." in text


def test_tiny_p2_other_sentences(tiny_p2):
    ds, t = tiny_p2
    # Gini of [0.5, 0.5, 1, 1.5, 2.5] = 2·23/(5·6) − 6/5 = 1/3; of [0, 1, 1, 1, 1] = 2·14/(5·4) − 6/5 = 0.2.
    assert nv.concentration_text(t["concentration"]).startswith(
        "Lead load is more concentrated (Gini 0.33 over the 5 named units this selection names) than "
        "responsible load (Gini 0.20)"
    )
    assert nv.collectives_text(ds, t["collectives"]) == (
        "Collective placeholders take 43 % of the 7 responsible mentions; 区直有关部门 alone takes 29 %, "
        "and on every one of its 2 measures no named unit is responsible at all."
    )
    assert nv.diagnostics_text(t["workload"], wk.multi_lead_measures(ds)) == (
        "Every one of the 5 named units leads at least one measure. No measure has 4 or more lead units (多头牵头)."
    )


def test_filtered_tables_have_no_rows_of_zeros(tiny):
    # 区戊院 occurs only in P2; in P1 it would be a row of zeros. Lead shares in P1: 甲 1 + ½ + ⅓ + 1,
    # 乙 ½ + ⅓ + ½, 丁 1, 丙 ⅓ + ½.
    t = nv.notebook_tables(subset(tiny, plans=["P1"]))
    assert t["workload"][["unit", "rank"]].values.tolist() == [
        ["区甲局", 1],
        ["区乙局", 2],
        ["区委丁部", 3],
        ["区丙局", 4],
    ]
    assert t["concentration"].set_index("load").loc["lead_share", "n_units"] == 4
    assert t["collectives"]["unit"].tolist() == ["区直有关部门", "各街办"]
    assert (wk.workload(subset(tiny, plans=["P1"]))["unit"] == "区戊院").any()  # (the zero row dropped)


def test_ranking_chart_draws_only_units_of_the_selection(tiny):
    ds = subset(tiny, plans=["P1"])
    fig = figures.workload_ranking(ds, nv.notebook_tables(ds))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["区甲局", "区乙局", "区丙局", "区委丁部", "区直有关部门", "各街办"]  # no 区戊院
    fig = figures.section_heatmap(ds, nv.notebook_tables(ds))
    assert "区戊院" not in [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_sensitivity_tiny(tiny):
    # 区直有关部门 stands for the government units 甲, 乙, 丙 and is responsible on P1-01, P1-03, P2-02,
    # P2-06: 甲 3 → 7, 乙 2 → 5 (P1-01 already), 丙 1 → 5; lead shares unchanged (no collective leads).
    t = nv.sensitivity(nv.notebook_tables(tiny)["workload"], wk.workload(tiny, collectives="expand"))
    assert "rank" not in t.columns
    got = t.set_index("unit")[["n_responsible", "n_responsible_expanded", "gain"]].loc[["区甲局", "区乙局", "区丙局"]]
    assert got.values.tolist() == [[3, 7, 4], [2, 5, 3], [1, 5, 4]]
    assert (t["lead_share"] == t["lead_share_expanded"]).all()
    text = nv.sensitivity_text(tiny, t)
    assert "No collective leads a measure in this selection" in text
    assert "(0 of 5 units differ: the two lead-share columns agree)" in text
    assert (
        "rise for 3 of the 5 named units (median rise 4 measures); the largest rise, 4 measures, is shared by "
        "2 units (区丙局、区甲局)."
    ) in text
    # One unit alone at the top: named with its counts.
    one = t[t["unit"] != "区丙局"]
    assert "the largest rise is 区甲局's, from 3 to 7." in nv.sensitivity_text(tiny, one)


def test_styled_left_aligns_text_and_survives_zero_columns(tiny):
    import warnings

    df = wk.multi_lead_measures(tiny, min_leads=2).assign(zero=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = nv.styled(df, bars=["zero", "n_leads"]).to_html()
    assert "text-align: left" in html


# --- notebook 02 run for plan P2 of the seed -----------------------------------------------------


def _independent_counts(ds):
    """Lead counts, sole leads and lead shares per unit straight from the assignments (Fractions)."""
    a = ds.assignments.drop_duplicates(["measure_id", "role", "unit"])
    leads = a[a["role"] == "lead"].groupby("measure_id")["unit"].agg(list)
    n_lead, sole, share = {}, {}, {}
    for units in leads:
        for u in units:
            n_lead[u] = n_lead.get(u, 0) + 1
            sole[u] = sole.get(u, 0) + (len(units) == 1)
            share[u] = share.get(u, Fraction(0)) + Fraction(1, len(units))
    return n_lead, sole, share


@pytest.mark.notebook
def test_notebook_02_for_plan_p2_says_only_true_things(tmp_path):
    from nbclient import NotebookClient

    path = config.NOTEBOOKS_DIR / "02_workload.ipynb"
    nb = nbformat.read(path, as_version=4)
    params = next(c for c in nb.cells if c.cell_type == "code")
    params.source = "\n".join(
        'PLANS = ["P2"]  # test run' if line.startswith("PLANS = ") else line for line in params.source.splitlines()
    )
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type in ("error", "stream")], "errors or warnings shown"
    prose = "\n".join(o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {}))
    html = "\n".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))

    ds = subset(load(), plans=["P2"])
    collective = set(ds.units.loc[ds.units["is_collective"], "unit"])
    n_lead, sole, share = _independent_counts(ds)
    named_share = {u: s for u, s in share.items() if u not in collective}
    top, second = sorted(named_share, key=lambda u: -named_share[u])[:2]
    total = sum(named_share.values())
    n_measures = ds.measures["measure_id"].nunique()
    present = set(ds.assignments["unit"]) - collective
    assert (top, n_lead[top], sole[top], n_measures) == ("区司法局", 22, 9, 32)  # as the issue says
    assert (
        f"{top} leads {n_lead[top]} of the {n_measures} measures of plan P2, {sole[top]} of them alone, and holds "
        f"{int(100 * named_share[top] / total + Fraction(1, 2))} % of the named units' lead share "
        f"({float(named_share[top]):.2f} of {float(total):.2f}), "
        f"{float(named_share[top] / named_share[second]):.1f} times the next unit ({second}, "
        f"{float(named_share[second]):.2f})."
    ) in prose
    assert f"over the {len(present)} named units this selection names" in prose
    never = present - set(n_lead)
    assert f"{len(never)} of the {len(present)} named units never lead" in prose
    resp = ds.assignments[ds.assignments["role"] == "responsible"].drop_duplicates(["measure_id", "unit"])
    n_coll = int(resp["unit"].isin(collective).sum())
    pct = int(Fraction(100 * n_coll, len(resp)) + Fraction(1, 2))  # (halves round up)
    assert f"Collective placeholders take {pct} % of the {len(resp)} responsible" in prose
    k = ds.assignments[ds.assignments["role"] == "lead"].drop_duplicates(["measure_id", "unit"])
    k = k.groupby("measure_id").size()
    most = k[k == k.max()].index.tolist()
    assert (
        f"{int((k >= 4).sum())} measures have 4 or more lead units (多头牵头): {', '.join(most)} names {k.max()}"
        in prose
    )
    # Nothing copied from the unfiltered seed.
    for stale in ("74 of the 138", "0.69", "Ten named units", "Twenty-two", "138"):
        assert stale not in prose
    # The ranking table shows only units the plan names; texts are left-aligned.
    assert "text-align: left" in html
    shown = set(re.findall(r">(区[^<、]{1,15}|下陆[^<、]{1,10})</td>", html))
    assert shown and not (shown - present - collective)
