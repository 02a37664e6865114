"""Task sheets: hand-known answers on the tiny fixture, invariants on the seed, safe names,
byte-identical re-writes, escaped printable pages."""

from __future__ import annotations

import time
import zipfile

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as hst

from analysis import sheets as sh
from analysis import workload as wk
from analysis.load import load

TINY_JIA = [
    ("P1-01", "L"),
    ("P1-02", "L"),
    ("P1-03", "L"),
    ("P1-04", "R"),
    ("P1-05", "L+R"),
    ("P2-01", "R"),
    ("P2-03", "L"),
    ("P2-06", "L"),
]


def tables_of(ds):
    return {"workload": wk.workload(ds), "collectives": wk.collective_table(ds)}


def expected_roles(ds) -> dict[str, dict[str, str]]:
    """``{unit: {measure_id: L|R|L+R}}`` straight from the assignments."""
    out: dict[str, dict[str, set]] = {}
    for unit, mid, role in ds.assignments[["unit", "measure_id", "role"]].itertuples(index=False):
        out.setdefault(unit, {}).setdefault(mid, set()).add(role)
    code = {frozenset({"lead"}): "L", frozenset({"responsible"}): "R", frozenset({"lead", "responsible"}): "L+R"}
    return {u: {m: code[frozenset(r)] for m, r in ms.items()} for u, ms in out.items()}


CODE_NAMES = {label: name for name, label in sh.UNIT_SHEET_COLUMNS.items()}
ROLE_CODE = {label: code for code, label in sh.ROLE_LABELS.items()}


def sheet_rows(ws) -> list[dict]:
    """Rows of a sheet as dicts keyed by column name: a unit sheet's Chinese headers mapped back
    through UNIT_SHEET_COLUMNS (plus ``role`` from 职责), else the header's second line."""
    cells = [str(c.value) for c in ws[2] if c.value is not None]
    if all(c in CODE_NAMES for c in cells):
        header = [CODE_NAMES[c] for c in cells]
        rows = [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=3, values_only=True)]
        return [{**r, "role": ROLE_CODE[r["role_zh"]]} for r in rows]
    header = [str(c.value).split("\n")[-1] for c in ws[2]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=3, values_only=True)]


@pytest.fixture(scope="module")
def tiny_out(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny_sheets")
    return out, sh.write_task_sheets(tiny, tables_of(tiny), out)


@pytest.fixture(scope="module")
def seed_out(seed, tmp_path_factory):
    out = tmp_path_factory.mktemp("seed_sheets")
    return out, sh.write_task_sheets(seed, tables_of(seed), out)


# --- hand-known answers (tiny) ----------------------------------------------------------------


def test_unit_tasks_tiny_jia(tiny):
    t = sh.unit_tasks(tiny, "区甲局")
    assert list(t.columns) == list(sh.TASK_COLUMNS)
    assert list(zip(t["measure_id"], t["role"], strict=True)) == TINY_JIA
    by_id = t.set_index("measure_id")
    assert by_id.loc["P1-03", "other_leads"] == "区乙局、区丙局"
    assert by_id.loc["P1-03", "other_responsible"] == "区直有关部门"
    # Responsible only: every lead is an "other" lead.
    assert by_id.loc["P1-04", "other_leads"] == "区委丁部"
    # Named twice (lead spelled 区甲委, responsible 区甲局): one row, nobody else.
    assert by_id.loc["P1-05", ["role_zh", "other_leads", "other_responsible"]].tolist() == ["牵头、责任", "", ""]
    assert by_id.loc["P2-03", "other_responsible"] == ""  # no responsible line at all
    assert by_id.loc["P2-01", "section"] == "一、唯一节"
    assert by_id.loc["P1-04", "text"] == "措施P104的内容。"


def test_unit_tasks_unknown_unit_raises(tiny):
    with pytest.raises(KeyError, match="区火星局"):
        sh.unit_tasks(tiny, "区火星局")


def test_role_matrix_tiny(tiny):
    mx = sh.role_matrix(tiny)
    assert list(mx.columns[:4]) == sh.MATRIX_META_COLUMNS
    assert list(mx.columns[4:]) == list(tiny.measures["measure_id"])
    # Named units in registry order, then the collectives, marked.
    assert mx["unit"].tolist() == ["区甲局", "区乙局", "区丙局", "区委丁部", "区戊院", "区直有关部门", "各街办"]
    assert mx["is_collective"].tolist() == [False] * 5 + [True] * 2
    m = mx.set_index("unit")
    assert m.loc["区甲局", ["P1-01", "P1-04", "P1-05", "P1-06"]].tolist() == ["L", "R", "L+R", ""]
    assert m.loc["区乙局", ["P1-01", "P1-02", "P2-05"]].tolist() == ["R", "L", "R"]
    assert m.loc["各街办", ["P1-06", "P2-02", "P2-01"]].tolist() == ["R", "R", ""]
    assert (m.loc[:, "P2-03"] != "").sum() == 1  # only its lead, no responsible unit


def test_tiny_workbook_sheets(tiny_out):
    _, written = tiny_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    assert wb.sheetnames == [
        sh.SHEET_SUMMARY,
        sh.SHEET_DIRECTORY,
        sh.SHEET_MATRIX,
        "区甲局",
        "区乙局",
        "区丙局",
        "区委丁部",
        "区戊院",
    ]
    rows = sheet_rows(wb["区甲局"])
    assert [(r["measure_id"], r["role"]) for r in rows] == TINY_JIA
    assert next(r for r in rows if r["measure_id"] == "P1-03")["other_leads"] == "区乙局、区丙局"
    ws = wb["区甲局"]
    assert "Bureau A" in ws["A1"].value and "牵头 6 项" in ws["A1"].value and "责任 3 项" in ws["A1"].value
    assert ws.freeze_panes == "B3"
    assert ws.auto_filter.ref == f"A2:K{2 + len(TINY_JIA)}"
    text_col = openpyxl.utils.get_column_letter(list(sh.UNIT_SHEET_COLUMNS).index("text") + 1)
    assert ws.column_dimensions[text_col].width >= 40 and ws[f"{text_col}3"].alignment.wrap_text


def test_tiny_summary_and_directory(tiny_out):
    _, written = tiny_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    ws = wb[sh.SHEET_SUMMARY]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    # Workload of every named unit and, beside it, the collective table.
    assert {"区甲局", "区乙局", "区丙局", "区委丁部", "区戊院", "区直有关部门", "各街办"} <= set(values)
    header = [c.value for c in ws[2]]
    assert header[:2] == ["排名", "单位"] and "仅集合性责任" in header
    assert not any("\n" in h or "_" in h for h in header if h)  # Chinese headers, no code names
    assert "reports/" not in ws["A1"].value
    assert ws.cell(row=3, column=2).value == "区甲局" and ws.cell(row=3, column=2).hyperlink.location == "'区甲局'!A1"
    d = sheet_rows(wb[sh.SHEET_DIRECTORY])
    en = {r["unit"]: r["name_en"] for r in d}
    assert en["区甲局"] == "Bureau A" and en["各街办"] == "All sub-district offices"
    assert {r["unit"]: r["sheet"] for r in d}["各街办"] in (None, "")  # collectives get no sheet


def test_summary_columns_and_unit_headings_tiny(tiny):
    from analysis import facts
    from analysis import workload as wk

    wl, labels = sh._summary_workload(wk.workload(tiny))
    # the summary's columns, then the per-plan role counts (the per-section ones stay in workload.csv)
    assert list(wl.columns)[:4] == ["rank", "unit", "name_en", "system_zh"]
    assert list(wl.columns)[-4:] == ["n_lead_P1", "n_lead_P2", "n_responsible_P1", "n_responsible_P2"]
    assert [labels[c] for c in list(wl.columns)[-4:]] == ["P1牵头", "P2牵头", "P1责任", "P2责任"]
    # 区甲局 leads P1-01 P1-02 P1-03 P1-05 and P2-03 P2-06, is responsible on P1-04 P1-05 and P2-01
    jia = wl.set_index("unit").loc["区甲局"]
    assert jia[["system_zh", "n_lead_P1", "n_lead_P2", "n_responsible_P1", "n_responsible_P2"]].tolist() == [
        "政府部门", 4, 2, 2, 1,
    ]  # fmt: skip
    counts = facts.unit_counts(tiny).loc["区甲局"]  # 6 led, 3 responsible, 1 both (P1-05), 8 in all
    assert sh._unit_title("区甲局", "Bureau A", counts) == "区甲局  Bureau A  任务清单:牵头 6 项,责任 3 项,共 8 项"
    section = sh._unit_section("区甲局", "Bureau A", sh.unit_tasks(tiny, "区甲局"), counts)
    assert "牵头 6 项,责任 3 项,共 8 项(其中 1 项同时为牵头和责任单位)" in section
    assert section.count('<td class="id">') == 8


def test_matrix_sheet_and_csv_tiny(tiny, tiny_out):
    _, written = tiny_out
    text = written["role_matrix"].read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("unit,name_en,system,is_collective,P1-01,P1-02")
    assert "区甲局,Bureau A,government,false,L,L,L,R,L+R," in text
    assert "区直有关部门,Relevant district departments,collective,true,R,,R," in text


# --- invariants (seed) ------------------------------------------------------------------------


def test_seed_each_sheet_holds_exactly_its_assignments(seed, seed_out):
    _, written = seed_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    want = expected_roles(seed)
    names = sh.sheet_names(sh.sheet_units(seed), reserved=(sh.SHEET_SUMMARY, sh.SHEET_DIRECTORY, sh.SHEET_MATRIX))
    collective = set(seed.units.loc[seed.units["is_collective"], "unit"])
    assert set(names) == set(want) - collective
    assert wb.sheetnames[3:] == list(names.values())
    order = {m: i for i, m in enumerate(seed.measures["measure_id"])}
    for unit, sheet in names.items():
        rows = sheet_rows(wb[sheet])
        got = {r["measure_id"]: r["role"] for r in rows}
        assert len(got) == len(rows), unit  # one row per measure
        assert got == want[unit], unit
        assert [order[r["measure_id"]] for r in rows] == sorted(order[r["measure_id"]] for r in rows)


def test_seed_every_measure_in_the_sheet_of_each_of_its_units(seed, seed_out):
    _, written = seed_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    names = sh.sheet_names(sh.sheet_units(seed), reserved=(sh.SHEET_SUMMARY, sh.SHEET_DIRECTORY, sh.SHEET_MATRIX))
    listed = {unit: {r["measure_id"] for r in sheet_rows(wb[sheet])} for unit, sheet in names.items()}
    texts = {r["measure_id"]: r["text"] for unit in listed for r in sheet_rows(wb[names[unit]])}
    for mid, unit in seed.assignments[["measure_id", "unit"]].itertuples(index=False):
        if unit in names:
            assert mid in listed[unit], (mid, unit)
    full = seed.measures.set_index("measure_id")["text"]
    assert all(texts[m] == full[m] for m in texts)  # the full text, never shortened


def test_seed_matrix_agrees_with_assignments(seed, seed_out):
    import pandas as pd

    _, written = seed_out
    want = expected_roles(seed)
    csv = pd.read_csv(written["role_matrix"], dtype=str, keep_default_na=False)
    cells = {
        (u, m): v
        for u, row in csv.set_index("unit").drop(columns=["name_en", "system", "is_collective"]).iterrows()
        for m, v in row.items()
        if v
    }
    assert cells == {(u, m): r for u, ms in want.items() for m, r in ms.items()}
    collective = set(seed.units.loc[seed.units["is_collective"], "unit"])
    assert {u for u, c in zip(csv["unit"], csv["is_collective"], strict=True) if c == "true"} == collective & set(want)

    ws = openpyxl.load_workbook(written["task_sheets"])[sh.SHEET_MATRIX]
    header = [str(c.value).split("\n")[-1] for c in ws[2]]
    sheet_cells = {
        (row[0], m): v
        for row in ws.iter_rows(min_row=3, values_only=True)
        for m, v in zip(header[2:], row[2:], strict=True)
        if v
    }
    assert sheet_cells == cells


def test_seed_directory_gives_english_names(seed, seed_out):
    _, written = seed_out
    d = sheet_rows(openpyxl.load_workbook(written["task_sheets"])[sh.SHEET_DIRECTORY])
    reg = seed.units.set_index("unit")["name_en"]
    assert {r["unit"] for r in d} == set(seed.assignments["unit"])
    assert all(r["name_en"] == reg[r["unit"]] and r["name_en"] for r in d)


def test_seed_pages(seed, seed_out):
    out, _ = seed_out
    units = sh.sheet_units(seed)
    pages = sorted(p.name for p in (out / "units").glob("*.html"))
    assert pages == sorted([*sh.file_names(units).values(), "index.html", "all.html"])
    page = (out / "units" / "区司法局.html").read_text(encoding="utf-8")
    assert page.count('<tr><td class="id">') == len(sh.unit_tasks(seed, "区司法局")) == 94
    all_html = (out / "units" / "all.html").read_text(encoding="utf-8")
    assert all_html.count('<section class="unit"') == len(units)
    assert "break-after: page" in all_html and "@page" in all_html
    for p in (out / "units").glob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "<script" not in text and "<link" not in text


# --- names ------------------------------------------------------------------------------------

LONG = "区" + "甲乙丙丁戊己庚辛壬癸" * 3 + "局局局局局局局局局"  # 40 characters


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        pytest.param(["区甲局"], ["区甲局"], id="plain"),
        pytest.param([LONG], [LONG[:31]], id="40-char name cut to 31"),
        pytest.param(
            [LONG, LONG[:31] + "另一个", LONG[:31]],
            [LONG[:31], LONG[:29] + "~2", LONG[:29] + "~3"],
            id="collide after cut",
        ),
        pytest.param(["a[b]:c*d?e/f\\g"], ["a_b__c_d_e_f_g"], id="forbidden characters"),
        pytest.param(["Abc", "aBC"], ["Abc", "aBC~2"], id="case-insensitive duplicate"),
        pytest.param(["a/b", "a:b", "a?b"], ["a_b", "a_b~2", "a_b~3"], id="collide after cleaning"),
        pytest.param(["'引号'"], ["引号"], id="apostrophes at the ends"),
        pytest.param(["history"], ["history_"], id="reserved History"),
        pytest.param(["汇总"], ["汇总~2"], id="taken by a fixed sheet"),
        pytest.param(["𠀀" * 20], ["𠀀" * 15], id="astral characters count two"),
    ],
)
def test_sheet_names(units, expected):
    assert list(sh.sheet_names(units, reserved=(sh.SHEET_SUMMARY,)).values()) == expected


def valid_sheet_name(name: str) -> bool:
    return (
        0 < len(name.encode("utf-16-le")) // 2 <= 31
        and not any(ch in name for ch in "[]:*?/\\")
        and not name.startswith("'")
        and not name.endswith("'")
        and name.casefold() != "history"
    )


@settings(max_examples=200, deadline=None)
@given(hst.lists(hst.text(min_size=1, max_size=45), min_size=1, max_size=12, unique=True))
@example(["000000000000000000000𐀀𐀀𐀀𐀀'𐀀"])  # found by CI: the 31-unit cut ended on an apostrophe
def test_sheet_names_always_valid_unique_and_deterministic(units):
    names = sh.sheet_names(units)
    assert list(names) == units
    assert all(valid_sheet_name(n) for n in names.values())
    assert len({n.casefold() for n in names.values()}) == len(units)
    assert sh.sheet_names(units) == names


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        pytest.param(["区甲局"], ["区甲局.html"], id="chinese kept"),
        pytest.param(['a<b>c:d"e/f\\g|h?i*j'], ["a_b_c_d_e_f_g_h_i_j.html"], id="windows-forbidden"),
        pytest.param(["CON", "com1", "nul.txt"], ["CON_.html", "com1_.html", "nul.txt_.html"], id="device names"),
        pytest.param(["x. ", "X"], ["x.html", "X~2.html"], id="trailing dot, case duplicate"),
        pytest.param(["index"], ["index~2.html"], id="taken by the index page"),
    ],
)
def test_file_names(units, expected):
    assert list(sh.file_names(units).values()) == expected


# --- workbooks with awkward names, determinism, escaping --------------------------------------


@pytest.fixture
def awkward(tmp_path):
    """Three units: a 40-character name, one that collides with it after truncation, and one with
    characters Excel forbids in sheet names; the measure text carries HTML."""
    b = LONG[:31] + "二处"
    (tmp_path / "units.csv").write_text(
        "unit,aliases,name_en,system,is_collective,members,note\n"
        f"{LONG},,Long Bureau,government,false,,\n"
        f"{b},,Long Bureau Two,government,false,,\n"
        "区甲局[试点]:办?,,Bureau A <pilot>,government,false,,\n"
        "区直有关部门,,Relevant district departments,collective,true,government,\n",
        encoding="utf-8",
    )
    (tmp_path / "measures.csv").write_text(
        "measure_id,plan_id,plan_title,section_no,section_title,item_no,text,lead_units_raw,responsible_units_raw,source_line\n"
        f'P1-01,P1,方案,1,节,1,"<script>alert(1)</script> & 措施",{LONG}、区甲局[试点]:办?,{b}、区直有关部门,3\n'
        f"P1-02,P1,方案,1,节,2,措施二,{b},{LONG},7\n",
        encoding="utf-8",
    )
    return load(tmp_path / "measures.csv", tmp_path / "units.csv")


def test_awkward_names_workbook(awkward, tmp_path):
    written = sh.write_task_sheets(awkward, tables_of(awkward), tmp_path / "out")
    wb = openpyxl.load_workbook(written["task_sheets"])
    assert wb.sheetnames[3:] == [LONG[:31], LONG[:29] + "~2", "区甲局_试点__办_"]
    assert [(r["measure_id"], r["role"]) for r in sheet_rows(wb[LONG[:31]])] == [("P1-01", "L"), ("P1-02", "R")]
    assert [(r["measure_id"], r["role"]) for r in sheet_rows(wb[LONG[:29] + "~2"])] == [("P1-01", "R"), ("P1-02", "L")]
    d = {r["unit"]: r["sheet"] for r in sheet_rows(wb[sh.SHEET_DIRECTORY])}
    assert d[LONG[:31] + "二处"] == LONG[:29] + "~2"
    # Printable pages: escaped text, safe file names.
    pages = {p.name for p in (tmp_path / "out" / "units").iterdir()}
    assert "区甲局[试点]_办_.html" in pages
    page = (tmp_path / "out" / "units" / "区甲局[试点]_办_.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 措施" in page and "<script>" not in page
    assert "Bureau A &lt;pilot&gt;" in page


def test_rewrite_is_byte_identical(tiny, tmp_path):
    a = sh.write_task_sheets(tiny, tables_of(tiny), tmp_path / "a")
    time.sleep(2.1)  # zip entry times have a two-second resolution
    b = sh.write_task_sheets(tiny, tables_of(tiny), tmp_path / "b")
    assert list(a) == list(b)
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name
    with zipfile.ZipFile(a["task_sheets"]) as z:
        assert {i.date_time for i in z.infolist()} == {sh.FIXED_TIME.timetuple()[:6]}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2023-06-22T00:00:00Z") == 2
    wb = openpyxl.load_workbook(a["task_sheets"])
    assert wb.properties.modified == sh.FIXED_TIME == wb.properties.created


def test_stale_pages_are_removed_but_a_users_own_pages_stay(tiny, tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    # A page this module wrote for a unit no longer in the data (it carries the generator tag) …
    (units / "区已撤销局.html").write_text(
        sh.unit_page_html(tiny, "区甲局").replace("区甲局", "区已撤销局"), encoding="utf-8"
    )
    # … and files a user keeps in the folder.
    (units / "notes.txt").write_text("keep", encoding="utf-8")
    (units / "我的批注.html").write_text("<html><body>我的批注</body></html>", encoding="utf-8")
    sh.write_task_sheets(tiny, tables_of(tiny), tmp_path)
    names = {p.name for p in units.iterdir()}
    assert "区已撤销局.html" not in names and "区甲局.html" in names
    assert "notes.txt" in names and (units / "我的批注.html").read_text(encoding="utf-8") == (
        "<html><body>我的批注</body></html>"
    )


# --- what a unit receives: Chinese headers, columns to fill in, print settings ---------------


def test_unit_sheets_have_chinese_headers_and_fill_in_columns(seed, seed_out):
    import re

    _, written = seed_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    for sheet in wb.sheetnames[3:]:
        ws = wb[sheet]
        header = [c.value for c in ws[2]]
        assert header == list(sh.UNIT_SHEET_COLUMNS.values()), sheet
        assert not any(re.search(r"[A-Za-z_]", h) for h in header), sheet  # no code names
        assert {"落实情况", "责任人", "完成时限"} <= set(header)
        fill = header.index("落实情况") + 1
        assert all(ws.cell(row=r, column=fill).value is None for r in range(3, ws.max_row + 1))
    # The code names are in the directory sheet's legend.
    d = wb[sh.SHEET_DIRECTORY]
    legend = {c.value for row in d.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"measure_id", "implementation", "person_in_charge", "deadline", "lead_share"} <= legend


def test_print_settings(seed, seed_out):
    out, written = seed_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    from openpyxl.utils import get_column_letter

    for name in [sh.SHEET_SUMMARY, sh.SHEET_DIRECTORY, "区司法局"]:
        ws = wb[name]
        ps = ws.page_setup
        assert ps.paperSize == 9 and ps.orientation == "landscape", name  # A4
        assert ws.print_title_rows == "$1:$2", name
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, name
        assert ws.oddHeader.right.text == "&A", name
    # 11 pt text prints at 8.25 pt or larger: a sheet is fitted to one page width only if its
    # printed columns fit at 75 % or more, else printed at 75 % across pages.
    for name, last_col, fitted in [
        (sh.SHEET_SUMMARY, "R", True),
        ("区司法局", "K", True),
        (sh.SHEET_DIRECTORY, "L", False),
    ]:
        ws = wb[name]
        widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws[last_col + "1"].column + 1)]
        assert (sh.print_scale(widths) >= sh.MIN_PRINT_SCALE) is fitted, name
        assert bool(ws.sheet_properties.pageSetUpPr.fitToPage) is fitted, name
        if fitted:
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
        else:
            assert ws.page_setup.scale == sh.MIN_PRINT_SCALE, name
    assert "reports/" not in wb[sh.SHEET_SUMMARY]["A1"].value
    page = (out / "units" / "区司法局.html").read_text(encoding="utf-8")
    assert "@bottom-center" in page and "counter(page)" in page and "counter(pages)" in page
    assert "<th>落实情况</th>" in page


def test_print_scale():
    # A4 landscape minus 12.7 mm margins = 769.9 pt; 100 widths × 5.6 pt = 560 pt fit at 100 %,
    # 160 widths = 896 pt at 85 %, 300 widths = 1680 pt at 45 %.
    assert sh.print_scale([100]) == 100
    assert sh.print_scale([160]) == 85
    assert sh.print_scale([150, 150]) == 45


def test_index_page_does_not_promise_one_page_per_unit(seed, seed_out):
    out, _ = seed_out
    index = (out / "units" / "index.html").read_text(encoding="utf-8")
    assert "每个单位一页" not in index
    assert "任务多的单位跨多页(如区司法局,94 项)" in index  # 区司法局 has 94 tasks (test_seed_pages)
