"""Hostile data in the outputs: formula payloads stay text in every xlsx and in the CSVs meant
for Excel, control characters and over-long cells do not break or silently shorten the
workbook, data_quality.md escapes HTML from the data, and a rebuild keeps a user's own pages."""

from __future__ import annotations

import csv
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest

from analysis import exports
from analysis import sheets as sh
from analysis import workload as wk
from analysis.load import load
from analysis.quality import quality_report
from analysis.safetext import EXCEL_CELL_MAX, csv_safe

PAYLOADS = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)"]
EVIL_UNIT = '=HYPERLINK("http://x","unit")'
LONG_TEXT = "长" * 40_000
CONTROL_TEXT = "第一段\x0c第二段\x01\x1f结束"
HTML_TEXT = "<img src=x onerror=alert(1)> & <b>粗</b>"

COLUMNS = [
    "measure_id",
    "plan_id",
    "plan_title",
    "section_no",
    "section_title",
    "item_no",
    "text",
    "lead_units_raw",
    "responsible_units_raw",
    "source_line",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Nine measures: the five formula payloads as texts, a unit whose name is a formula, a text
    of 40,000 characters, one with a form feed and other control characters, and one with HTML
    (without responsible units, so data_quality.md lists it)."""
    d = tmp_path_factory.mktemp("hostile")
    with open(d / "units.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["unit", "aliases", "name_en", "system", "is_collective", "members", "note"])
        w.writerow(["区甲局", "", "=1+1", "government", "false", "", ""])
        w.writerow([EVIL_UNIT, "", "Evil unit", "government", "false", "", ""])
        w.writerow(["区直有关部门", "", "Relevant district departments", "collective", "true", "government", ""])
    rows = [(t, "区甲局", f"{EVIL_UNIT}、区直有关部门") for t in PAYLOADS]
    rows += [(LONG_TEXT, "区甲局", "区直有关部门"), (CONTROL_TEXT, EVIL_UNIT, "区甲局"), (HTML_TEXT, "区甲局", "")]
    with open(d / "measures.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for i, (text, lead, resp) in enumerate(rows, start=1):
            w.writerow([f"P1-{i:02d}", "P1", "-方案", 1, "@节", i, text, lead, resp, 10 + i])
    return load(d / "measures.csv", d / "units.csv")


@pytest.fixture(scope="module")
def hostile_out(hostile, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile_out")
    tables = {"workload": wk.workload(hostile), "collectives": wk.collective_table(hostile)}
    return out, sh.write_task_sheets(hostile, tables, out)


def test_loads_the_hostile_fixture_as_written(hostile):
    texts = hostile.measures.set_index("measure_id")["text"]
    assert texts.tolist()[:5] == PAYLOADS and texts["P1-07"] == CONTROL_TEXT and len(texts["P1-06"]) == 40_000


def test_formula_payloads_are_text_cells_in_every_sheet(hostile_out):
    _, written = hostile_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    seen.add(c.value)
    assert set(PAYLOADS) | {EVIL_UNIT, "=1+1", "-方案", "一、@节"} <= seen
    # In the unit sheet, each payload is the measure's text, exactly as written.
    ws = wb["区甲局"]
    header = [c.value for c in ws[2]]
    col = header.index(sh.UNIT_SHEET_COLUMNS["text"]) + 1
    cells = [ws.cell(row=r, column=col) for r in range(3, 3 + len(PAYLOADS))]
    assert [c.value for c in cells] == PAYLOADS and {c.data_type for c in cells} == {"s"}
    assert all(c.quotePrefix for c in cells)  # Excel keeps them text when the cell is edited


def test_no_formula_in_the_xml(hostile_out):
    import zipfile

    with zipfile.ZipFile(hostile_out[1]["task_sheets"]) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_long_cell_cut_with_a_note_and_control_characters_replaced(hostile, hostile_out):
    _, written = hostile_out
    wb = openpyxl.load_workbook(written["task_sheets"])
    ws = wb["区甲局"]
    col = [c.value for c in ws[2]].index(sh.UNIT_SHEET_COLUMNS["text"]) + 1
    by_id = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=col).value for r in range(3, ws.max_row + 1)}
    long = by_id["P1-06"]
    assert len(long) <= EXCEL_CELL_MAX and long.startswith("长" * 32_000)
    assert long.endswith("全文 40000 字,见 measures.csv〕")
    assert by_id["P1-07"] == "第一段 第二段  结束"
    report = quality_report(hostile)
    section = report.split("## Text changed in the spreadsheets")[1]
    assert "| P1-07 | text | control characters | 3 |" in section
    assert "| P1-06 | text | over 32767 characters | 40000 |" in section
    assert "| P1-01 | text | starts like a formula | 1 |" in section


def test_role_matrix_csv_prefixes_formula_text(hostile_out):
    _, written = hostile_out
    rows = list(csv.reader(written["role_matrix"].read_text(encoding="utf-8").splitlines()))
    units = [r[0] for r in rows[1:]]
    assert units == ["区甲局", "'" + EVIL_UNIT, "区直有关部门"]
    assert rows[1][1] == "'=1+1"  # name_en of 区甲局
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_report_csvs_prefix_formula_text_but_not_numbers(hostile, tmp_path):
    tables = {
        "multi_lead_measures": wk.multi_lead_measures(hostile, min_leads=1),
        "workload": wk.workload(hostile),
        "numbers": pd.DataFrame({"x": [-1.5, 2.0], "label": ["-1", "ok"]}),
    }
    paths = exports.write_tables(tables, tmp_path)
    text = paths["multi_lead_measures"].read_text(encoding="utf-8")
    for p in PAYLOADS:
        assert "'" + p.replace('"', '""') in text
    rows = list(csv.reader(paths["numbers"].read_text(encoding="utf-8").splitlines()))
    assert rows[1:] == [["-1.500000", "'-1"], ["2.000000", "ok"]]
    for path in paths.values():
        for r in csv.reader(path.read_text(encoding="utf-8").splitlines()):
            assert not any(c.startswith(("=", "+", "@")) for c in r), (path.name, r)


def test_csv_safe_leaves_a_clean_frame_untouched():
    df = pd.DataFrame({"unit": ["区甲局"], "n": [-1]})
    assert csv_safe(df) is df


def test_csv_safe_prefixes_categorical_and_mixed_columns():
    # A categorical column of unit names (the assignments' dtype) is text too; a mixed object
    # column has its strings prefixed and its numbers and missing cells left alone.
    df = pd.DataFrame(
        {
            "unit": pd.Categorical(["=1+1", "区甲局", "=1+1", None]),
            "mixed": pd.Series(["@x", -2, None, "-y"], dtype=object),
        }
    )
    out = csv_safe(df)
    assert out["unit"].tolist()[:3] == ["'=1+1", "区甲局", "'=1+1"] and pd.isna(out["unit"].iloc[3])
    assert out["mixed"].tolist()[:2] == ["'@x", -2] and pd.isna(out["mixed"].iloc[2])
    assert out["mixed"].iloc[3] == "'-y"


def test_data_quality_escapes_html_from_the_data(hostile):
    report = quality_report(hostile)
    assert "<img" not in report and "<b>" not in report
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;粗&lt;/b&gt;" in report


def test_deadline_column_filled_from_deadline_raw(tiny, tmp_path):
    deadlines = {"P1-01": "2023年12月底前", "P1-03": "长期坚持"}
    ds = replace(tiny, measures=tiny.measures.assign(deadline_raw=tiny.measures["measure_id"].map(deadlines)))
    tables = {"workload": wk.workload(ds), "collectives": wk.collective_table(ds)}
    written = sh.write_task_sheets(ds, tables, tmp_path)
    ws = openpyxl.load_workbook(written["task_sheets"])["区甲局"]
    header = [c.value for c in ws[2]]
    got = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=header.index("完成时限") + 1).value
        for r in range(3, ws.max_row + 1)
    }
    assert got["P1-01"] == "2023年12月底前" and got["P1-03"] == "长期坚持" and got["P1-02"] is None
    page = (tmp_path / "units" / "区甲局.html").read_text(encoding="utf-8")
    assert "<th>完成时限</th>" in page and "<td>2023年12月底前</td>" in page
    # Without the column the sheet still has 完成时限, blank, for the unit to fill in.
    plain = sh.task_workbook(tiny, tables)["区甲局"]
    col = [c.value for c in plain[2]].index("完成时限") + 1
    assert all(plain.cell(row=r, column=col).value is None for r in range(3, plain.max_row + 1))
    assert "完成时限" not in sh.unit_page_html(tiny, "区甲局")
