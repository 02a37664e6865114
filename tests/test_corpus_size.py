"""Outputs at corpus size take a form that can exist, and the data-quality report says so.

The limits of :mod:`analysis.limits` are lowered on the tiny data set (twelve measures, five
named units, two collectives; see ``tests/conftest.py``) so that every reduced form is built in
a second. Expected units, rows and report lines are worked out by hand from the fixture:

task rows (distinct measures in any role): 区甲局 8, 区乙局 6, 区丙局 4, 区委丁部 4, 区戊院 5;
measures led: 区甲局 6, 区乙局 4, 区丙局 3, 区委丁部 3, 区戊院 4; lead shares: 区甲局 4.33,
区戊院 2.5, 区委丁部 2, 区乙局 1.83, 区丙局 1.33; responsible mentions: P1 7, P2 7; unit-measure
pairs per section: P1 § 1: 10, P1 § 2: 6, P2 § 1: 17.

No timing is asserted here: ``benchmarks/build_bench.py`` measures the build at corpus size.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys

import pandas as pd
import pytest

from analysis import config, limits, quality, sheets
from analysis import figures as F
from analysis.cli import Progress
from analysis.exports import analysis_tables
from analysis.quality import quality_report
from analysis.views import write_views

SIZE_SECTION = "## Outputs in another form because of their size"


@pytest.fixture(scope="module")
def tiny_tables(tiny):
    return analysis_tables(tiny, n_runs=3)


def _size_lines(report: str) -> list[str]:
    if SIZE_SECTION not in report:
        return []
    part = report.split(SIZE_SECTION, 1)[1]
    return [ln[2:] for ln in part.strip().splitlines() if ln.startswith("- ")]


def test_top_units_keeps_the_largest_within_both_limits():
    counts = pd.Series({"甲": 8, "乙": 6, "丙": 4, "丁": 4, "戊": 5})
    assert limits.top_units(counts, max_units=3) == ["甲", "乙", "戊"]
    assert limits.top_units(counts, max_units=4) == ["甲", "乙", "丙", "戊"]  # 丙 before 丁: the series' order
    assert limits.top_units(counts, max_units=5, max_rows=15) == ["甲", "乙"]  # 8 + 6 = 14; + 5 = 19 > 15
    assert limits.top_units(counts, max_units=5, max_rows=7) == []


def test_below_every_limit_nothing_is_reduced(tiny, tiny_tables, tmp_path):
    assert limits.size_notes(tiny, tiny_tables) == []
    assert SIZE_SECTION not in quality_report(tiny, tables=tiny_tables)
    written = sheets.write_task_sheets(tiny, tiny_tables, tmp_path)
    assert "task_table" not in written and not (tmp_path / "task_table.csv").exists()
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == [
        "all.html",
        "index.html",
        "区丙局.html",
        "区乙局.html",
        "区委丁部.html",
        "区戊院.html",
        "区甲局.html",
    ]


def test_only_the_top_units_get_a_sheet_and_a_page(monkeypatch, tiny, tiny_tables, tmp_path):
    from openpyxl import load_workbook

    sheets.write_task_sheets(tiny, tiny_tables, tmp_path)  # a first build: every unit has a page
    monkeypatch.setattr(limits, "UNIT_SHEETS_MAX_UNITS", 3)
    assert sheets.task_sheet_units(tiny) == ["区甲局", "区乙局", "区戊院"]
    written = sheets.write_task_sheets(tiny, tiny_tables, tmp_path)
    wb = load_workbook(written["task_sheets"])
    assert wb.sheetnames == [
        sheets.SHEET_SUMMARY,
        sheets.SHEET_DIRECTORY,
        sheets.SHEET_MATRIX,
        "区甲局",
        "区乙局",
        "区戊院",
    ]
    assert wb["区戊院"].max_row == 2 + 5  # title, header, five tasks
    # the directory: units with a sheet first, then named units without, then collectives
    directory = [r[0] for r in wb[sheets.SHEET_DIRECTORY].iter_rows(min_row=3, max_col=1, values_only=True) if r[0]]
    assert directory[:7] == ["区甲局", "区乙局", "区戊院", "区丙局", "区委丁部", "区直有关部门", "各街办"]
    # pages of the units left out are removed; the index counts them
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == [
        "all.html",
        "index.html",
        "区乙局.html",
        "区戊院.html",
        "区甲局.html",
    ]
    index = (tmp_path / "units" / "index.html").read_text(encoding="utf-8")
    assert "以上为任务最多的 3 个单位;另有 2 个单位未单独成页" in index
    # every unit's task list in one long table, registry order, source order within a unit
    t = pd.read_csv(written["task_table"], dtype=str, keep_default_na=False)
    assert list(t.columns) == sheets.TASK_TABLE_COLUMNS
    assert t.groupby("unit", sort=False).size().to_dict() == {
        "区甲局": 8,
        "区乙局": 6,
        "区丙局": 4,
        "区委丁部": 4,
        "区戊院": 5,
    }
    bing = t[t["unit"] == "区丙局"]
    assert bing[["measure_id", "role", "other_leads", "other_responsible"]].values.tolist() == [
        ["P1-02", "R", "区甲局、区乙局", ""],
        ["P1-03", "L", "区甲局、区乙局", "区直有关部门"],
        ["P1-06", "L", "区乙局", "各街办"],
        ["P2-04", "L", "区乙局", "区戊院"],
    ]
    assert _size_lines(quality_report(tiny, tables=tiny_tables)) == [
        "Units with a sheet in `reports/task_sheets.xlsx` and a page in `reports/units/`: the 3 of 5 named units "
        "with the most measures (19 task rows; at most 3 units and 50,000 rows); 2 units with 8 task rows (each "
        "at most 4) have none: every unit's task list is in `reports/task_table.csv` (one row per unit and "
        "measure, 27 rows; the measure text, plan and section are in `measures.csv`, joined on `measure_id`)."
    ]
    # back below the limit: the long table goes, every page is back
    monkeypatch.setattr(limits, "UNIT_SHEETS_MAX_UNITS", 500)
    sheets.write_task_sheets(tiny, tiny_tables, tmp_path)
    assert not (tmp_path / "task_table.csv").exists()
    assert len(list((tmp_path / "units").glob("*.html"))) == 7


def test_the_row_budget_of_the_unit_sheets(monkeypatch, tiny):
    monkeypatch.setattr(limits, "UNIT_SHEETS_MAX_ROWS", 15)
    assert sheets.task_sheet_units(tiny) == ["区甲局", "区乙局"]  # 8 + 6 = 14; 区戊院's 5 would make 19
    (line,) = sheets.size_notes(tiny)
    assert "the 2 of 5 named units with the most measures (14 task rows; at most 500 units and 15 rows)" in line
    assert "3 units with 13 task rows (each at most 5) have none" in line


def test_table_sheets_are_cut_and_the_full_tables_written(monkeypatch, tiny, tiny_tables, tmp_path):
    from openpyxl import load_workbook

    monkeypatch.setattr(limits, "SHEET_MAX_ROWS", 3)
    written = sheets.write_task_sheets(tiny, tiny_tables, tmp_path)
    wb = load_workbook(written["task_sheets"])
    summary = [r[1] for r in wb[sheets.SHEET_SUMMARY].iter_rows(min_row=3, max_col=2, values_only=True) if r[1]]
    assert summary == tiny_tables["workload"]["unit"].head(3).tolist()  # the first 3 of 5 by rank
    d = wb[sheets.SHEET_DIRECTORY]
    assert [r[0] for r in d.iter_rows(min_row=3, max_col=1, values_only=True) if r[0]] == ["区甲局", "区乙局", "区丙局"]
    full = pd.read_csv(written["unit_directory"], dtype=str, keep_default_na=False)
    assert full["unit"].tolist() == ["区甲局", "区乙局", "区丙局", "区委丁部", "区戊院", "区直有关部门", "各街办"]
    assert _size_lines(quality_report(tiny, tables=tiny_tables)) == [
        "The workload table of the sheet `汇总` in `reports/task_sheets.xlsx` shows its first 3 of 5 rows "
        "(`analysis.limits.SHEET_MAX_ROWS`): the full table is `reports/workload.csv`.",
        "The sheet `单位名录` (unit directory) in `reports/task_sheets.xlsx` shows its first 3 of 7 rows "
        "(`analysis.limits.SHEET_MAX_ROWS`): the full table is `reports/unit_directory.csv`.",
    ]  # (the collective table has 2 rows: not cut)


def test_a_sparse_role_matrix_takes_the_long_form(monkeypatch, tiny, tmp_path):
    monkeypatch.setattr(sheets, "MATRIX_MAX_CELLS", 7 * 12 - 1)  # 7 units × 12 measures = 84 cells
    assert sheets.matrix_is_long(tiny)
    (line,) = sheets.size_notes(tiny)
    assert line.startswith("The role matrix would have 7 × 12 cells (more than 83, nearly all empty)")
    assert line.endswith(
        "(one row per unit and measure, 33 rows: unit, name_en, system, is_collective, measure_id, role)."
    )
    monkeypatch.setattr(sheets, "MATRIX_MAX_CELLS", 7 * 12)
    assert not sheets.matrix_is_long(tiny)


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def test_charts_show_the_top_units_plans_and_sections(monkeypatch, tiny, tiny_tables):
    monkeypatch.setattr(limits, "CHART_MAX_UNITS", 3)
    monkeypatch.setattr(limits, "CHART_MAX_PLANS", 1)
    monkeypatch.setattr(limits, "CHART_MAX_SECTIONS", 2)
    net = F.colead_network(tiny, tiny_tables)
    ax = net.axes[0]
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    assert len(nodes.get_offsets()) == 3
    assert {t.get_text() for t in ax.texts} == {"区甲局", "区乙局", "区戊院"}  # 6, 4, 4 led; 区乙局 < 区戊院 by name
    assert any("另有 2 个牵头单位未列出(各牵头不超过 3 项措施)" in t.get_text() for t in net.texts)
    stab = F.cluster_stability(tiny, tiny_tables)
    assert sorted(_labels(stab.axes[0])) == sorted(["区甲局", "区乙局", "区戊院"])
    assert any("仅列出牵头最多的 3 个单位;另有 2 个未列出" in t.get_text() for t in stab.texts)
    share = F.collective_share(tiny, tiny_tables)
    names = _labels(share.axes[0])
    assert len(names) == 2 and names[0].startswith("P1") and names[1] == "全部方案"  # P1 and P2 tie at 7: P1 first
    heat = F.section_heatmap(tiny, tiny_tables)
    cols = [t.get_text() for t in heat.axes[0].get_xticklabels()]
    assert len(cols) == 2 and cols[0].startswith("P1 · ") and cols[1].startswith("P2 · ")  # § P1-1 (10), P2-1 (17)
    assert any("另有 1 个部分未列出(共 3 个" in t.get_text() for t in heat.texts)
    lines = F.size_notes(tiny, tiny_tables)
    assert lines == [
        "`figures/section_heatmap.*` shows 2 of 3 plan sections (those where the units drawn have the most "
        "measures): the full table is `reports/workload_by_section.csv`.",
        "`figures/colead_network.*` and `figures/cluster_stability.*` show the 3 of 5 lead units that lead the "
        "most measures: every unit's cluster is in `reports/clusters.csv`, the co-lead ties in "
        "`reports/colead_edges.csv`, the co-assignment shares in `reports/cluster_coassignment.csv`.",
        "`figures/collective_share.*` shows 1 of 2 plans (those with the most responsible mentions) and all "
        "plans together: the per-plan shares are given by `analysis.quality.collective_shares(ds)`.",
    ]


def test_the_co_assignment_edges_make_the_stability_matrix(tiny_tables):
    co = pd.DataFrame({"unit_a": ["区甲局", "区乙局"], "unit_b": ["区乙局", "区丙局"], "share": [0.5, 0.25]})
    m = F.data._coassignment_matrix(co, ["区甲局", "区乙局", "区丙局"])
    assert m.values.tolist() == [[1.0, 0.5, 0.0], [0.5, 1.0, 0.25], [0.0, 0.25, 1.0]]


def _payload(path) -> dict:
    text = path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="view-data">(.*?)</script>', text, re.S).group(1)
    return json.loads(block)


def test_views_show_the_first_plans_and_the_top_units(monkeypatch, tiny, tiny_tables, tmp_path):
    monkeypatch.setattr(limits, "VIEW_MAX_MEASURES", 6)
    monkeypatch.setattr(limits, "VIEW_MAX_UNITS", 2)
    assert limits.view_plans(tiny) == ["P1"]
    written = write_views(tiny, tiny_tables, tmp_path)
    net = _payload(written["view_network"])
    assert sorted(n["id"] for n in net["nodes"] if n["kind"] == "measure") == [f"P1-0{i}" for i in range(1, 7)]
    col = _payload(written["view_colead"])
    assert sorted(n["id"] for n in col["nodes"]) == ["区戊院", "区甲局"]  # lead shares 4.33 and 2.5
    assert limits._view_notes(tiny, tiny_tables) == [
        "`figures/network.html` (units and measures) shows the first 1 of 2 plans in source order (6 of 12 "
        "measures; the view holds at most 6): every measure and unit is in `reports/role_matrix.csv`.",
        "`figures/colead.html` (co-lead view) shows the 2 units with the largest lead share and the ties among "
        "them; 3 more of 5 lead units are in `reports/clusters.csv` and `reports/colead_edges.csv`.",
    ]


def test_progress_within_a_stage_goes_to_stderr_only(capsys):
    import io

    stream = io.StringIO()
    p = Progress(after=0, every=1000, stream=stream)
    p("figures (zh): charts drawn", 1, 8)  # within `every` seconds of the last line: quiet
    p("figures (zh): charts drawn", 2, 8)
    p("figures (zh): charts drawn", 8, 8)  # the last step always
    p("figures")
    p.every = 0
    p("views", 1, 2)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "build: figures (zh): charts drawn 8/8"
    assert re.fullmatch(r"build: figures \(\d+\.\d s, \d+ s in all\)", lines[1])
    assert lines[2:] == ["build: views 1/2"]
    assert capsys.readouterr() == ("", "")
    quiet = io.StringIO()
    Progress(after=3600, stream=quiet)("figures (zh): charts drawn", 8, 8)
    assert quiet.getvalue() == ""


_TRIM_SCRIPT = """
import sys
from analysis.limits import release_memory
import pyarrow

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

# 200 MB of C-library blocks (2 kB each: above Python's small-object allocator) freed below a
# block that stays, so the heap cannot shrink from its top by itself
blocks = [bytes(2000) + str(i).encode() for i in range(100_000)]
keep = blocks[-1]
del blocks
held = rss_mb()
release_memory()
heap = held - rss_mb()
# 500 MB of Arrow strings (pandas' strings live in Arrow's pool, which keeps freed memory)
text = pyarrow.array(["区发展和改革局" * 12] * 1_000_000)
size = text.nbytes // 2**20
del text
held = rss_mb()
release_memory()
print(heap, held - rss_mb(), size)
"""


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"),
    reason="release_memory's trim and the resident set read from /proc need Linux with glibc",
)
def test_release_memory_gives_freed_memory_back():
    # Seen on this machine: the resident set keeps about 195 MB of the 200 MB of freed blocks and
    # 390-500 MB for the freed Arrow array (244 MB of data, allocated as it grew) until
    # release_memory runs; without it, neither goes back (0 and 0). At least half of each here.
    out = subprocess.run([sys.executable, "-c", _TRIM_SCRIPT], capture_output=True, text=True, check=True)
    heap, arrow, size = map(int, out.stdout.split())
    assert heap >= 100, out.stdout
    assert arrow >= size // 2, out.stdout


@pytest.mark.parametrize("limit", [None, 5], ids=["a plan", "a corpus (limit lowered)"])
def test_at_corpus_size_one_chart_worker_and_the_task_sheets_after_it(monkeypatch, tmp_path, limit):
    """Above CHARTS_ONE_WORKER_MEASURES (the tiny data has 12 measures) the charts get one
    worker and the data-quality report and the task sheets are written once the charts are in;
    below, a worker per core and the charts collected last. The charts are a recorder here."""
    import contextlib

    from analysis import cli

    if limit is not None:
        monkeypatch.setattr(limits, "CHARTS_ONE_WORKER_MEASURES", limit)
    events = []

    @contextlib.contextmanager
    def recorder(ds, tables, figures, *, workers=None, progress=None):
        events.append(("workers", workers))
        yield lambda: events.append("charts collected") or {}

    def recorded(name, func):
        def call(*args, **kwargs):
            events.append(name)
            return func(*args, **kwargs)

        return call

    monkeypatch.setattr(F, "figures_in_background", recorder)
    monkeypatch.setattr(sheets, "write_task_sheets", recorded("task sheets", sheets.write_task_sheets))
    monkeypatch.setattr(quality, "quality_report", recorded("report", quality.quality_report))
    tiny_dir = config.PROJECT_ROOT / "tests" / "fixtures" / "tiny"
    written = cli.build(measures=tiny_dir / "measures.csv", units=tiny_dir / "units.csv", out=tmp_path)
    if limit is None:
        assert events == [("workers", None), "report", "task sheets", "charts collected"]
    else:
        assert events == [("workers", 1), "charts collected", "report", "task sheets"]
    assert (tmp_path / "reports" / "task_sheets.xlsx").is_file() and "data_quality" in written
