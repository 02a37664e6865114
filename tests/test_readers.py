"""The readers and the assembler on real plans of other governments, in every supported format.

Each folder of ``tests/fixtures/plans/`` holds an excerpt of one real published plan (its
address in ``SOURCE.md``), the file a government would publish (``plan.<ext>``) and
``expected.json``, worked out by hand from the source text, field by field.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.errors import DataError
from analysis.ingest import IngestError, ingest, measures_frame, parse_text
from analysis.readers import Table, office, read_source
from analysis.vocabulary import vocabulary

PLANS = Path(__file__).parent / "fixtures" / "plans"
FIXTURES = sorted(d for d in PLANS.iterdir() if (d / "expected.json").exists())
#: Formats read through LibreOffice (analysis/readers/office.py); `.ci/run` installs it.
OFFICE = (".doc", ".rtf", ".xls")
NO_OFFICE = "LibreOffice (soffice) is not installed: .doc, .rtf and .xls cannot be read here"


def plan_file(folder: Path) -> Path:
    return next(p for p in sorted(folder.iterdir()) if p.stem == "plan")


def expected(folder: Path) -> dict:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def readable_here(folder: Path) -> bool:
    return plan_file(folder).suffix not in OFFICE or office.soffice() is not None


@pytest.fixture(scope="module")
def docs():
    return {d.name: ingest([plan_file(d)]) for d in FIXTURES if readable_here(d)}


def test_fixtures_cover_eight_governments_and_every_format_twice():
    governments = {expected(d)["government"] for d in FIXTURES}
    formats = [plan_file(d).suffix for d in FIXTURES]
    assert len(governments) >= 8, governments
    assert all(formats.count(ext) >= 2 for ext in (".txt", ".html", ".docx", ".xlsx", ".csv", ".pdf")), formats
    levels = {expected(d)["level"] for d in FIXTURES}
    assert {"province", "city", "district", "county"} <= levels
    assert all((d / "SOURCE.md").read_text(encoding="utf-8").count("http") >= 1 for d in FIXTURES)


@pytest.mark.parametrize("folder", FIXTURES, ids=[d.name for d in FIXTURES])
def test_fixture_reads_exactly(folder, docs):
    if not readable_here(folder):
        pytest.skip(NO_OFFICE)
    exp = expected(folder)
    doc = docs[folder.name]
    assert not doc.unread
    assert len(doc.measures) == exp["n_measures"] == len(exp["measures"])
    assert doc.plans[0].issuer == exp["issuer"]
    assert {m.issuer for m in doc.measures} == {exp["issuer"]}
    assert {m.source_format for m in doc.measures} == {exp["format"]}
    for m, e in zip(doc.measures, exp["measures"], strict=True):
        where = f"{folder.name} {m.measure_id}"
        if e["item_no"] is not None:
            assert m.item_no == e["item_no"], where
        assert m.section_title == e["section_title"], where
        assert m.text == e["text"], where
        assert list(m.lead_units) == e["lead"], where
        assert list(m.responsible_units) == e["responsible"], where
        assert list(m.leaders) == e["leaders"], where
        assert m.deadline == e["deadline"], where
    names = sorted({u for m in doc.measures for u in (*m.lead_units, *m.responsible_units)})
    assert names == sorted(exp["unit_names"])
    if "plan_title" in exp:
        assert [p.plan_title for p in doc.plans] == [exp["plan_title"]]


_LABEL_WORDS = [p for p, f, uses in vocabulary() if "label" in uses]


@pytest.mark.parametrize("folder", FIXTURES, ids=[d.name for d in FIXTURES])
def test_texts_hold_no_assignment_leader_or_deadline_and_names_no_person(folder, docs):
    if not readable_here(folder):
        pytest.skip(NO_OFFICE)
    doc = docs[folder.name]
    leaders = {n for m in doc.measures for n in m.leaders}
    for m in doc.measures:
        assert not any(label in m.text for label in _LABEL_WORDS), m.text
        assert not any(n in m.text for n in m.leaders), m.text
        if m.deadline:
            assert m.deadline not in m.text or len(m.deadline) <= 3, m.text
        for u in (*m.lead_units, *m.responsible_units):
            assert not any(n in u for n in leaders), u
            assert not re.search(r"\s", u), u
            assert not re.search(r"(牵头|配合|协助|参与)$", u), u
            assert not any(label in u for label in _LABEL_WORDS), u


@pytest.mark.skipif(office.soffice() is None, reason=NO_OFFICE)
@pytest.mark.parametrize(
    ("old", "new"),
    [("wuhu_2025_doc", "wuhu_2025_docx"), ("changzhou_zhonglou_2021_xls", "changzhou_zhonglou_2021_xlsx")],
)
def test_a_plan_saved_as_word_or_excel_97_reads_as_the_new_format_does(docs, old, new):
    """LibreOffice converts .doc and .xls; every measure, its places and the plan come out as
    from the .docx or .xlsx the file was saved from (only the format differs)."""

    def rows(doc):
        return [
            (m.measure_id, m.section_title, m.text, m.lead_units, m.responsible_units, m.leaders, m.deadline,
             m.source_place, m.lead_place, m.responsible_place)
            for m in doc.measures
        ]  # fmt: skip

    assert rows(docs[old]) == rows(docs[new]) and len(docs[old].measures) == expected(PLANS / new)["n_measures"]
    assert [(p.plan_title, p.issuer) for p in docs[old].plans] == [(p.plan_title, p.issuer) for p in docs[new].plans]
    assert {m.source_format for m in docs[old].measures} == {old.rsplit("_", 1)[1]}
    assert docs[old].anomalies == docs[new].anomalies == []


def _rtf(lines: list[str]) -> bytes:
    """A minimal RTF file of `lines` (one paragraph each), every character as RTF's signed 16-bit ``\\u``."""

    def esc(ch: str) -> str:
        n = ord(ch)
        return ch if n < 128 and ch not in "\\{}" else f"\\u{n - 65536 if n > 32767 else n}?"

    body = "".join("".join(map(esc, line)) + "\\par\n" for line in lines)
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\n\\f0 " + body + "}").encode("ascii")


@pytest.mark.skipif(office.soffice() is None, reason=NO_OFFICE)
def test_an_rtf_plan_is_read_through_libreoffice(tmp_path):
    path = tmp_path / "plan.rtf"
    path.write_bytes(
        _rtf(
            [
                "甲区重点任务分工方案",
                "一、优化营商环境",
                "1.推行证照分离改革。",
                "牵头单位:区市场监督管理局",
                "责任单位:区司法局、区税务局",
            ]
        )
    )
    doc = ingest([path])
    assert [(p.plan_title, p.source_file) for p in doc.plans] == [("甲区重点任务分工方案", "plan.rtf")]
    [m] = doc.measures  # worked out by hand: one section, one item, its two labelled lines
    assert (m.measure_id, m.section_title, m.text) == ("P1-01", "优化营商环境", "推行证照分离改革。")
    assert (m.lead_units, m.responsible_units) == (("区市场监督管理局",), ("区司法局", "区税务局"))
    assert (m.source_format, m.source_place, m.lead_place) == ("rtf", "paragraph 3", "paragraph 4")
    assert doc.anomalies == []


_PLAN_LINES = ["甲区重点任务分工方案", "一、优化营商环境", "1.推行证照分离改革。", "牵头单位:区市场监督管理局"]


def _word_2003_xml(lines: list[str], declared: bool = True) -> bytes:
    """A minimal Word 2003 XML document (WordprocessingML) of `lines`, one paragraph each."""
    paras = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    decl = '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Word.Document"?>\n' if declared else ""
    ns = "http://schemas.microsoft.com/office/word/2003/wordml"
    return f'{decl}<w:wordDocument xmlns:w="{ns}"><w:body>{paras}</w:body></w:wordDocument>'.encode()


def test_word_2003_xml_goes_to_libreoffice_with_or_without_its_declaration(tmp_path):
    for declared in (True, False):
        path = tmp_path / f"plan{declared}.doc"
        path.write_bytes(_word_2003_xml(_PLAN_LINES, declared))
        kind, notes = office._content(path, "doc", "an old Word .doc file")
        assert kind == "office" and notes[0][1].endswith("): LibreOffice read it by its content")


@pytest.mark.skipif(office.soffice() is None, reason=NO_OFFICE)
def test_a_word_2003_xml_plan_named_doc_is_read_through_libreoffice(tmp_path):
    path = tmp_path / "plan.doc"
    path.write_bytes(_word_2003_xml(_PLAN_LINES))
    [m] = ingest([path]).measures  # worked out by hand: one item under one section, its lead labelled
    assert (m.section_title, m.text, m.lead_units) == ("优化营商环境", "推行证照分离改革。", ("区市场监督管理局",))


def test_a_web_page_saved_as_doc_is_read_by_its_content_and_noted(tmp_path):
    """Some sites serve an HTML page under the name .doc: the HTML reader reads it (no
    LibreOffice needed), and the run says the file was not a Word 97 one."""
    page = (PLANS / "dazhu_minsheng_2016_html" / "plan.html").read_bytes()
    (tmp_path / "plan.doc").write_bytes(page)
    doc = ingest([tmp_path / "plan.doc"])
    notes = [a for a in doc.anomalies if a.kind == "reader"]
    assert len(notes) == 1 and notes[0].place == "file"
    assert notes[0].value.startswith("not an old Word .doc file inside (it starts with b'")
    assert notes[0].value.endswith("): read as a web page")
    assert len(doc.measures) == expected(PLANS / "dazhu_minsheng_2016_html")["n_measures"]


@pytest.mark.parametrize(
    ("fixture", "name", "how"),
    [
        ("jiayu_2021_csv", "plan.xls", "read as a CSV table"),  # a web system's "Excel export"
        ("guangdong_2021_txt", "plan.doc", "read as text"),
        ("qiaocheng_2025_pdf", "plan.doc", "read as a PDF"),
        ("changzhou_zhonglou_2021_xlsx", "plan.doc", "read as .xlsx"),  # the parts tell, not the name
    ],
)
def test_another_format_under_an_old_name_is_read_by_its_own_reader(tmp_path, monkeypatch, fixture, name, how):
    """No LibreOffice needed: the first bytes choose the reader, and the run says so."""
    monkeypatch.setattr(office, "soffice", lambda: None)
    (tmp_path / name).write_bytes(plan_file(PLANS / fixture).read_bytes())
    doc = ingest([tmp_path / name])
    notes = [a.value for a in doc.anomalies if a.kind == "reader"]
    assert len(notes) == 1 and notes[0].endswith(f"): {how}"), notes
    assert len(doc.measures) == expected(PLANS / fixture)["n_measures"]
    assert [m.text for m in doc.measures] == [m["text"] for m in expected(PLANS / fixture)["measures"]]


def test_a_single_file_web_page_saved_as_doc_is_decoded_and_read(tmp_path):
    """Word's "web archive" (MHTML) under the name .doc: its HTML part, quoted-printable and in
    GB2312 as the page declares, is read by the HTML reader (worked out: the page's 11 measures)."""
    import quopri

    page = plan_file(PLANS / "dazhu_minsheng_2016_html").read_bytes()
    mhtml = (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        b"------=_NextPart_01\r\nContent-Location: file:///C:/plan.htm\r\n"
        b'Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset="gb2312"\r\n\r\n'
        + quopri.encodestring(page)
        + b"\r\n------=_NextPart_01--\r\n"
    )
    (tmp_path / "plan.doc").write_bytes(mhtml)
    doc = ingest([tmp_path / "plan.doc"])
    assert [a.value for a in doc.anomalies if a.kind == "reader"] == [
        "not an old Word .doc file inside (it starts with b'MIME-Ver'): read as a single-file web page (MHTML)"
    ]
    want = expected(PLANS / "dazhu_minsheng_2016_html")
    assert [m.text for m in doc.measures] == [m["text"] for m in want["measures"]]


def test_a_conversion_that_takes_too_long_leaves_no_libreoffice_behind(tmp_path, monkeypatch):
    """soffice is a launcher that starts the real program as its child: on a timeout the whole
    process group is killed, so nothing keeps running (a LibreOffice left behind would write
    its profile into the removed temporary folder). Here a launcher of the same shape: a shell
    that starts a child holding the arguments and waits."""
    import os
    import time

    launcher = tmp_path / "soffice"
    script = '#!/bin/sh\npython3 -c "import time; time.sleep(60)" "$@" >/dev/null 2>&1 &\nwait\n'
    launcher.write_text(script, encoding="ascii")
    launcher.chmod(0o755)
    monkeypatch.setattr(office, "soffice", lambda: str(launcher))
    monkeypatch.setattr(office, "TIMEOUT_S", 0.5)
    plan = tmp_path / "plan.doc"
    plan.write_bytes((PLANS / "wuhu_2025_doc" / "plan.doc").read_bytes())
    with pytest.raises(DataError, match=r"LibreOffice did not convert an old Word \.doc file within 0\.5 s"):
        ingest([plan])

    def left() -> list[int]:  # processes still holding a temporary folder of this test process
        found = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                with contextlib.suppress(OSError):
                    cmd = (d / "cmdline").read_bytes()
                    if b"analysis-office-" in cmd and b"import time; time.sleep(60)" in cmd:
                        found.append(int(d.name))
        return [pid for pid in found if pid != os.getpid()]

    deadline = time.monotonic() + 5
    while left() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left() == []


@pytest.mark.skipif(office.soffice() is None, reason=NO_OFFICE)
def test_an_excel_97_file_cut_short_says_so_when_nothing_is_found(tmp_path):
    """LibreOffice opens a cut .xls as an empty sheet; the error says the file looks cut short."""
    data = (PLANS / "changzhou_zhonglou_2021_xls" / "plan.xls").read_bytes()
    cut = tmp_path / "plan.xls"
    cut.write_bytes(data[:6000])  # 6,000 bytes: not a whole number of 512-byte sectors
    with pytest.raises(DataError) as e:
        ingest([cut])
    assert e.value.message == (
        "no measure found (the reader noted: its size (6,000 bytes) is not a whole number of "
        "512-byte sectors: it may be cut short)"
    )


def test_a_docx_named_doc_is_read_as_docx_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    (tmp_path / "plan.doc").write_bytes((PLANS / "wuhu_2025_docx" / "plan.docx").read_bytes())
    doc = ingest([tmp_path / "plan.doc"])
    assert [a.value for a in doc.anomalies] == [
        "not an old Word .doc file inside (it starts with b'PK\\x03\\x04\\x14\\x00\\x00\\x00'): read as .docx"
    ]
    assert len(doc.measures) == 9 and {m.source_format for m in doc.measures} == {"doc"}


def test_without_libreoffice_a_doc_says_what_to_install_or_save_it_as(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    path = tmp_path / "plan.doc"
    path.write_bytes((PLANS / "wuhu_2025_doc" / "plan.doc").read_bytes())
    with pytest.raises(DataError) as e:
        ingest([path])
    assert e.value.path == path
    assert e.value.message == (
        "cannot read an old Word .doc file without LibreOffice: install it (Debian and Ubuntu: "
        "libreoffice-writer-nogui) or save the file as .docx and ingest that"
    )
    xls = tmp_path / "plan.xls"
    xls.write_bytes((PLANS / "changzhou_zhonglou_2021_xls" / "plan.xls").read_bytes())
    with pytest.raises(DataError, match=r"libreoffice-calc-nogui\) or save the file as \.xlsx"):
        ingest([xls])


def test_same_plan_in_two_layouts_reads_the_same(docs):
    for a, b in (("liuan_2021_txt", "liuan_2021_lines_txt"), ("anhui_2022_csv", "anhui_2022_lines_txt")):
        rows_a = [(m.item_no, m.text, m.lead_units, m.responsible_units, m.leaders) for m in docs[a].measures]
        rows_b = [(m.item_no, m.text, m.lead_units, m.responsible_units, m.leaders) for m in docs[b].measures]
        assert rows_a == rows_b


# --- provenance: every measure names its cell, paragraph or line


@pytest.mark.parametrize(
    ("folder", "measure", "place", "lead_place"),
    [
        pytest.param("changzhou_zhonglou_2021_xlsx", 0, "民生实事!C3", "民生实事!E3", id="xlsx cell"),
        pytest.param("wuhu_2025_docx", 0, "table 1, row 3, column 2", "table 1, row 3, column 3", id="docx cell"),
        pytest.param(
            "qiaocheng_2025_pdf", 3, "page 2, table 1, row 3, column 2", "page 2, table 1, row 3, column 3", id="pdf"
        ),
        pytest.param("jiayu_2021_csv", 0, "line 5, column 2", "line 5, column 3", id="csv"),
        pytest.param("guangdong_2021_txt", 0, "line 35", "line 39", id="txt line"),
        pytest.param("wuhu_2025_doc", 0, "table 1, row 3, column 2", "table 1, row 3, column 3", id="doc cell"),
        pytest.param("changzhou_zhonglou_2021_xls", 0, "民生实事!C3", "民生实事!E3", id="xls cell"),
    ],
)
def test_provenance(folder, measure, place, lead_place, docs):
    if folder not in docs:
        pytest.skip(NO_OFFICE)
    m = docs[folder].measures[measure]
    assert (m.source_place, m.lead_place) == (place, lead_place)


def test_measures_csv_has_the_new_columns(docs):
    df = measures_frame(docs["xianan_2023_txt"])
    row = df.iloc[0]
    assert (row["leaders_raw"], row["deadline_raw"], row["source_format"]) == ("杜新国", "", "txt")
    df = measures_frame(docs["dazhu_minsheng_2016_html"])
    assert df["deadline_raw"].iloc[0] == "12月底前"
    assert df["issuer"].iloc[0] == "大竹县人民政府办公室"


# --- the readers' intermediate form


def test_docx_merged_cells_fill_every_position():
    src = read_source(PLANS / "wuhu_2025_docx" / "plan.docx")
    table = next(b for b in src.blocks if isinstance(b, Table))
    section_row = table.rows[1]  # 一、主要预期目标, merged across the four columns (gridSpan)
    assert {c.text for c in section_row} == {"一、主要预期目标"}
    assert {c.key for c in section_row} == {"table 1, row 2, column 1"}
    # the 责任单位 cell merged down the rows (vMerge): one key, the same text
    below = [table.rows[r][3] for r in (2, 3, 4)]
    assert len({c.key for c in below}) == 1 and len({c.text for c in below}) == 1


def test_docx_automatic_numbers_are_rendered():
    src = read_source(PLANS / "gangcheng_2021_docx" / "plan.docx")
    items = [b.text for b in src.blocks if re.match(r"^\d\.", b.text)]
    assert [t[:2] for t in items] == ["1.", "2.", "3.", "4."]


def test_html_rowspan_and_declared_gb2312():
    src = read_source(PLANS / "dazhu_minsheng_2016_html" / "plan.html")
    assert src.encoding == "gb18030"
    table = next(b for b in src.blocks if isinstance(b, Table))
    five = [r for r in table.rows if r[0].text == "5"]
    assert len(five) == 2 and five[0][0].key == five[1][0].key  # 序号 5 spans two rows


def test_pdf_header_repeated_on_each_page_is_recognised_once(docs):
    doc = docs["qiaocheng_2025_pdf"]
    repeated = [a for a in doc.anomalies if a.kind == "header"]
    assert len(repeated) == 1 and repeated[0].place == "page 2, table 1, row 1"
    # the 协同配合单位 cell broken across the page: joined, 魏武国控集团 whole
    assert doc.measures[2].responsible_units[-1] == "魏武国控集团"


def test_pdf_wrapped_lines_are_joined_and_deliberate_breaks_kept(docs):
    m = docs["qiaocheng_2025_pdf"].measures[1]
    assert m.text == "一般公共预算收入增长5%左右。"  # wrapped in its cell
    assert m.lead_units == ("区财政局", "区税务局")  # two lines, two units


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_made_by_libreoffice_now_reads_like_the_committed_one(tmp_path, docs):
    """The government's way of making a PDF: LibreOffice headless from the Word file."""
    src = PLANS / "qiaocheng_2025_pdf" / "plan_source.docx"
    r = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        capture_output=True,
        text=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stderr
    fresh = ingest([tmp_path / "plan_source.pdf"])
    committed = docs["qiaocheng_2025_pdf"]
    key = [(m.item_no, m.text, m.lead_units, m.responsible_units) for m in committed.measures]
    assert [(m.item_no, m.text, m.lead_units, m.responsible_units) for m in fresh.measures] == key


# --- errors that help


def test_every_unread_place_of_every_file_is_listed_at_once(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("1.推行改革。\n区发改局\n区财政局\n区商务局\n2.加强监管。\n区市场监管局\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("一、总体\n牵头单位:区司法局\n", encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        ingest([a, b])
    problems = [(p.source_file, p.line, p.message) for p in exc.value.problems]
    assert problems == [
        ("a.txt", 4, "third unit line for the measure of line 1"),
        ("b.txt", 2, "unit label outside any measure"),
    ]
    assert "2 places could not be read" in str(exc.value)
    kept = ingest([a, b], keep_going=True)
    assert [m.measure_id for m in kept.measures] == ["P1-01", "P1-02"]
    assert len(kept.unread) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("plan.wps", b"\xd0\xcf\x11\xe0", "save it as .docx", id="WPS document"),
        pytest.param("plan.et", b"\xd0\xcf\x11\xe0", "save it as .xlsx", id="WPS spreadsheet"),
        pytest.param("plan.doc", b"\xd0\xcf\x11\xe0", "an old Word .doc file that is cut short", id="short doc"),
        pytest.param("plan.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel .xls file that is cut", id="short xls"),
        pytest.param("plan.docx", b"not a zip", "not a readable Word .docx file", id="broken docx"),
        pytest.param("plan.xlsx", b"not a zip", "not a readable Excel .xlsx file", id="broken xlsx"),
        pytest.param("plan.pdf", b"%PDF-1.4 broken", "not a readable PDF", id="broken pdf"),
        pytest.param("plan.odt", b"x", "no reader for .odt", id="unknown suffix"),
    ],
)
def test_unreadable_files_say_what_to_do(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=re.escape(message)):
        ingest([path])


def test_scanned_pdf_says_ocr_is_needed(tmp_path):
    from PIL import Image

    path = tmp_path / "scan.pdf"
    Image.new("L", (200, 100), 255).save(path)  # a page that is only an image
    with pytest.raises(DataError, match=r"no text layer .*OCR is needed"):
        ingest([path])


def test_measures_csv_given_as_a_plan_is_refused():
    from analysis import config

    with pytest.raises(DataError, match="give it to `build --measures`"):
        ingest([config.MEASURES_CSV])


# --- layouts of text the fixtures do not all show


def test_roles_inside_one_value_and_labels_ending_in_a_full_stop():
    doc = parse_text("1.推进改革。\n部门分工:省发展改革委牵头,各地、各部门配合。\n分管省领导:林克庆\n")
    m = doc.measures[0]
    assert (m.lead_units, m.responsible_units, m.leaders) == (("省发展改革委",), ("各地", "各部门"), ("林克庆",))


def test_table_flattened_with_tabs_and_a_spaced_out_header():
    text = (
        "序号\t重 点 工 作 任 务\t牵头单位\t责任单位\t完成时限\n"
        "一、经济发展\n"
        "1\t地区生产总值增长6%。\t区发改局\t区统计局\t全年\n"
    )
    m = parse_text(text).measures[0]
    assert (m.item_no, m.section_title, m.text) == (1, "经济发展", "地区生产总值增长6%。")
    assert (m.lead_units, m.responsible_units, m.deadline) == (("区发改局",), ("区统计局",), "全年")


def test_a_deadline_line_and_a_name_written_with_a_space():
    text = "责任分工表\n1.建设口袋公园10个。\n刘 哲\n区住建局\n区城管局\n2023年12月底前\n"
    m = parse_text(text).measures[0]
    assert (m.leaders, m.lead_units, m.responsible_units, m.deadline) == (
        ("刘哲",),
        ("区住建局",),
        ("区城管局",),
        "2023年12月底前",
    )


def test_chrome_that_looks_like_a_title_is_not_a_plan():
    text = (
        "名称: 关于印发重点工作任务分解表的通知 文号: 某政办〔2023〕1号\n"
        "某区重点工作任务分解表\n"
        "1.推进改革。\n"
        "牵头单位:区发改局\n"
    )
    doc = parse_text(text)
    assert [p.plan_title for p in doc.plans] == ["某区重点工作任务分解表"]


def test_keep_going_lists_unread_places_in_the_quality_report(tmp_path):
    from analysis import config
    from analysis.ingest import write_measures
    from analysis.load import load
    from analysis.quality import quality_report

    bad = tmp_path / "bad.txt"
    bad.write_text("1.措施。\n区司法局\n区直有关部门\n区财政局\n2.另一措施。\n区发改局\n", encoding="utf-8")
    doc = ingest([bad], keep_going=True)
    ds = load(write_measures(doc, tmp_path / "m.csv"), config.UNITS_CSV)
    report = quality_report(ds, doc)
    assert "1 could not be read (listed below)" in report
    assert "| bad.txt | line 4 | third unit line for the measure of line 1 | 区财政局 |" in report


@pytest.mark.parametrize(
    "title",
    [
        "某区重点工作任务分解表",
        "某市2023年重点工作责任清单",
        "某县重点任务清单",
        "某区2024年法治政府建设工作要点",
        "某区重点工作责任分工",
    ],
)
def test_title_endings(title):
    doc = parse_text(f"{title}\n1.推进改革。\n牵头单位:区发改局\n")
    assert [p.plan_title for p in doc.plans] == [title]


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        # a title ending in a word a measure may end in too: taken from the preamble only
        (["某区优化营商环境三年行动实施方案", "为进一步优化营商环境,制定本方案。"], "某区优化营商环境三年行动实施方案"),
        (["关于印发某县工作计划的通知", "某县2024年乡村振兴工作计划"], "某县2024年乡村振兴工作计划"),
        # no title-like line: the file's name (a sentence, a line with a list, a notice heading)
        (["为进一步优化营商环境,制定本方案。"], "<text>"),
        (["关于印发某区实施方案的通知"], "<text>"),
    ],
)
def test_title_from_the_preamble(lines, title):
    body = ["一、深化改革", "1.推进审批改革。(区政务服务局牵头,区住建局配合)", "2.制定全区招商工作方案", "区商务局"]
    text = "\n".join([*lines, *body])
    doc = parse_text(text + "\n")
    assert [p.plan_title for p in doc.plans] == [title]
    assert [m.text for m in doc.measures] == ["推进审批改革。", "制定全区招商工作方案"]


def test_assignment_bracket_over_two_lines():
    # the bracket opened on the measure's line goes on on the next, which starts with a label
    # (or is the rest of a clause): joined and read as one bracket, its units cited at the line
    # that opened it, each join reported
    text = (
        "某区重点工作任务分解表\n一、深化改革\n"
        "1.推进审批改革。(牵头单位:区政务服务局;\n责任单位:区住建局、区自然资源局)\n"
        "2.推进监管改革。(牵头单位:区市场监管局,责任单位:\n区司法局)\n"
        "3.推进试点(含区直各部门\n"
        "区发改局\n"
    )
    doc = parse_text(text)
    got = [(m.text, m.lead_units, m.responsible_units, m.lead_line, m.responsible_line) for m in doc.measures]
    assert got == [
        ("推进审批改革。", ("区政务服务局",), ("区住建局", "区自然资源局"), 3, 3),
        ("推进监管改革。", ("区市场监管局",), ("区司法局",), 5, 5),
        ("推进试点(含区直各部门", ("区发改局",), (), 8, None),
    ]
    joined = [a for a in doc.anomalies if a.kind == "bracket over lines"]
    assert [a.line for a in joined] == [4, 6]


def test_bare_numbers_and_rows_without_any_number():
    bare = parse_text("某区重点工作任务分解表\n1 地区生产总值增长6%。\n区发改局\n区统计局\n").measures[0]
    assert (bare.item_no, bare.text, bare.lead_units, bare.responsible_units) == (
        1,
        "地区生产总值增长6%。",
        ("区发改局",),
        ("区统计局",),
    )
    text = "某区重点工作任务分解表\n重点任务\n牵头单位\n推进老旧小区改造。\n区住建局\n建设口袋公园。\n区城管局\n"
    doc = parse_text(text)
    assert [(m.item_no, m.text, m.lead_units) for m in doc.measures] == [
        (1, "推进老旧小区改造。", ("区住建局",)),
        (2, "建设口袋公园。", ("区城管局",)),
    ]
    assert [a.detail for a in doc.anomalies if a.kind == "item number"] == [
        "no number: numbered 1 by position",
        "no number: numbered 2 by position",
    ]


# --- traditional characters (sweep P2): labels, role phrases and headers read like simplified ones


@pytest.mark.parametrize(
    ("text", "lead", "responsible", "leaders"),
    [
        pytest.param(
            "1.推進改革。\n牽頭單位:區發改局\n責任單位:區財政局、區司法局\n分管領導:林克慶\n",
            ("區發改局",),
            ("區財政局", "區司法局"),
            ("林克慶",),
            id="labelled lines",
        ),
        pytest.param("1.推進改革。(區發改局牽頭,區財政局配合)\n", ("區發改局",), ("區財政局",), (), id="role phrases"),
        pytest.param(
            "序號\t重點任務\t牽頭單位\t配合單位\n1\t推進改革。\t區發改局\t區財政局\n",
            ("區發改局",),
            ("區財政局",),
            (),
            id="header cells",
        ),
    ],
)
def test_traditional_labels_and_roles_read_like_simplified(text, lead, responsible, leaders):
    doc = parse_text(text)
    assert not doc.unread
    m = doc.measures[0]
    assert (m.text, m.lead_units, m.responsible_units, m.leaders) == ("推進改革。", lead, responsible, leaders)


def test_traditional_words_outside_a_label_or_role_place_stay_as_written():
    m = parse_text("1.強化負責人員培訓,牽頭抓總。(區發改局負責)\n").measures[0]
    assert (m.text, m.lead_units) == ("強化負責人員培訓,牽頭抓總。", ("區發改局",))


# --- an assignment in brackets on its own line (sweep P3)


def test_a_bracket_on_its_own_line_goes_to_the_measures_it_follows():
    text = (
        "(一)“一案三制”建设\n1.完善应急预案体系\n(1)加强应急预案管理。\n(2)推进应急预案精编化。\n"
        "(责任单位:市直各有关单位、各开发区管委会)\n2.健全应急管理体制\n(1)深入推进应急管理办事机构建设。\n"
        "(市应急局牵头,市公安局配合)\n3.加强队伍建设\n(1)建设综合救援队伍。\n(2)建设专业救援队伍。(市消防救援支队负责)\n"
    )
    doc = parse_text(text, keep_going=True)
    # (1) of group 3 has no units: the bracket after (2) is (2)'s own, not a line of its own
    assert [(u.line, u.message) for u in doc.unread] == [(10, "measure has neither lead nor responsible units")]
    got = [(m.measure_id, m.subsection_title, m.lead_units, m.responsible_units) for m in doc.measures]
    assert got == [
        ("P1-0.1-01", "完善应急预案体系", (), ("市直各有关单位", "各开发区管委会")),
        ("P1-0.1-02", "完善应急预案体系", (), ("市直各有关单位", "各开发区管委会")),
        ("P1-0.2-01", "健全应急管理体制", ("市应急局",), ("市公安局",)),
        ("P1-0.3-02", "加强队伍建设", ("市消防救援支队",), ()),
    ]
    shared = [a for a in doc.anomalies if a.kind == "shared assignment"]
    assert [(a.line, a.detail) for a in shared] == [
        (5, "brackets on their own line after 2 measures without units (line 3 to line 4): given to each of them")
    ]


# --- a notice's list of attachments (sweep P9)


def test_the_notices_attachment_list_is_preamble_and_the_signature_the_issuer():
    text = (
        "附件:1. 2024年《政府工作报告》主要目标任务责任分解表\n2. 2024年民生实事项目目标任务责任分解表\n"
        "常州市钟楼区人民政府\n2024年3月11日\n(此件公开发布)\n附件1\n2024年《政府工作报告》主要目标任务责任分解表\n"
        "一、目标\n1.地区生产总值增长6%左右。\n牵头单位:发改局\n"
    )
    doc = parse_text(text)
    assert [(p.plan_title, p.issuer, len(p.preamble)) for p in doc.plans] == [
        ("2024年《政府工作报告》主要目标任务责任分解表", "常州市钟楼区人民政府", 6)
    ]
    assert [(m.measure_id, m.text, m.lead_units) for m in doc.measures] == [
        ("P1-01", "地区生产总值增长6%左右。", ("发改局",))
    ]


# --- header cells one per line that the vocabulary does not know (sweep P10)


def test_unknown_header_cells_one_per_line_make_one_header_row():
    text = (
        "某区主要目标任务责任分解表\n序号\n目标名称\n工 作 标 准\n区政府\n分管领导\n牵头单位\n配合单位\n"
        "1\n主要预期目标\n(1)地区生产总值增长6%左右。\n王旭锋\n发改局\n统计局\n"
    )
    doc = parse_text(text)
    m = doc.measures[0]
    assert (m.item_no, m.text, m.leaders, m.lead_units, m.responsible_units) == (
        1,
        "地区生产总值增长6%左右。",
        ("王旭锋",),
        ("发改局",),
        ("统计局",),
    )
    assert [(a.line, a.value, a.detail) for a in doc.anomalies if a.kind == "header"] == [
        (3, "目标名称", "header cell not in the vocabulary: a column of no field"),
        (4, "工 作 标 准", "header cell not in the vocabulary: a column of no field"),
        (5, "区政府分管领导", "header cell over two lines, joined"),
    ]


def test_short_lines_after_a_header_that_no_header_word_follows_are_read_as_usual():
    doc = parse_text("某区重点工作任务分解表\n重点任务\n牵头单位\n推进改革\n区发改局\n")
    assert [(m.text, m.lead_units) for m in doc.measures] == [("推进改革", ("区发改局",))]


# --- inside an assignment in brackets (sweep P5, P5b)


def test_a_note_after_the_full_stop_of_a_labelled_bracket_keeps_the_units_before_it():
    doc = parse_text(
        "一、改革\n(一)加强市场体系建设。〔责任单位:省发展改革委、省大数据中心按职责分工负责。具体任务不再做分工,下同。〕\n"
    )
    m = doc.measures[0]
    assert (m.text, m.lead_units, m.responsible_units) == ("加强市场体系建设。", (), ("省发展改革委", "省大数据中心"))
    assert [(a.kind, a.value) for a in doc.anomalies if a.kind == "note"] == [("note", "具体任务不再做分工,下同")]


@pytest.mark.parametrize(
    ("paren", "lead", "responsible"),
    [
        pytest.param(
            "(区发改局牵头,区财政局、区水务局等部门,区国投公司配合)",
            ("区发改局",),
            ("区财政局", "区水务局", "区国投公司"),
            id="comma inside the 配合 clause",
        ),
        pytest.param("(区发改局牵头,区财政局等单位配合)", ("区发改局",), ("区财政局",), id="等单位"),
    ],
)
def test_a_comma_inside_a_role_clause(paren, lead, responsible):
    m = parse_text(f"1.编制完成项目库。{paren}\n").measures[0]
    assert (m.text, m.lead_units, m.responsible_units) == ("编制完成项目库。", lead, responsible)


def test_brackets_that_cannot_be_read_are_named():
    # the first clause has no role phrase: whose units are they? The reader does not guess
    doc = parse_text("1.编制完成项目库。(区发改局,区财政局配合)\n", keep_going=True)
    assert [(u.message, u.value) for u in doc.unread] == [
        ("cannot read the assignment in the brackets at the end of the measure", "(区发改局,区财政局配合)")
    ]


# --- 及 between two names, 等部门 after the last (sweep P7)


@pytest.mark.parametrize(
    ("value", "units"),
    [
        pytest.param(
            "州司法局、州委编办及州直相关单位", ("州司法局", "州委编办", "州直相关单位"), id="及 between names"
        ),
        pytest.param("市級各有關部門及各縣市區政府", ("市級各有關部門", "各縣市區政府"), id="traditional"),
        pytest.param("区城市管理及综合执法局", ("区城市管理及综合执法局",), id="及 inside one name"),
        pytest.param("区财政局、区水务局等部门", ("区财政局", "区水务局"), id="等部门"),
        pytest.param("区司法局等有关部门", ("区司法局等有关部门",), id="等有关部门 names a collective"),
    ],
)
def test_ji_and_deng_in_a_unit_list(value, units):
    m = parse_text(f"1.推进改革。\n牵头单位:区发改局\n责任单位:{value}\n").measures[0]
    assert m.responsible_units == units


# --- a deadline at the end of a unit list (sweep P6)


@pytest.mark.parametrize(
    ("line", "responsible", "deadline"),
    [
        pytest.param(
            "(牵头单位:州行政审批服务局;责任单位:州司法局、各县市人民政府,6月底完成)",
            ("州司法局", "各县市人民政府"),
            "6月底完成",
            id="in a labelled bracket",
        ),
        pytest.param(
            "\n责任单位:区司法局、区财政局,2023年12月底前", ("区司法局", "区财政局"), "2023年12月底前", id="label line"
        ),
        pytest.param("\n责任单位:区司法局、区统计局", ("区司法局", "区统计局"), "", id="no deadline"),
    ],
)
def test_a_deadline_ending_a_unit_list_is_the_deadline(line, responsible, deadline):
    m = parse_text(f"1.加大简政放权力度。{line}\n").measures[0]
    assert (m.text, m.responsible_units, m.deadline) == ("加大简政放权力度。", responsible, deadline)


# --- section leaders in a label in brackets (sweep P8)


def test_a_leader_label_in_a_section_heading_gives_each_measure_its_leaders():
    text = (
        "某区工作目标任务落实责任分解表\n序号\n目标任务\n牵头单位\n责任单位\n"
        "一、主要经济社会发展指标等工作目标(牵头领导:成坤、柯相国、王俊)\n1\n★地区生产总值增长15%。\n区发改局\n各乡镇\n"
        "2\n规上工业增加值增长10%。\n区经信局\n二、民生工作目标\n3\n新增城镇就业3000人。\n区人社局\n"
    )
    got = [(m.section_title, m.text, m.lead_units, m.leaders) for m in parse_text(text).measures]
    assert got == [
        ("主要经济社会发展指标等工作目标", "★地区生产总值增长15%。", ("区发改局",), ("成坤", "柯相国", "王俊")),
        ("主要经济社会发展指标等工作目标", "规上工业增加值增长10%。", ("区经信局",), ("成坤", "柯相国", "王俊")),
        ("民生工作目标", "新增城镇就业3000人。", ("区人社局",), ()),
    ]


def test_a_bar_in_a_unit_name_is_reported_at_its_line():
    """A registry joins a unit's aliases with |: a name holding one is unread where it stands
    (sweep P13: it made the proposed registry invalid)."""
    doc = parse_text(
        "某区重点工作任务分解表\n1.推进改革。(区发改局|区财政局牵头)\n2.建设公园。(区城管局负责)\n", keep_going=True
    )
    assert [(u.line, u.message, u.value) for u in doc.unread] == [
        (2, "a unit name may not hold '|' (it joins a registry's aliases)", "区发改局|区财政局"),
        (2, "measure has neither lead nor responsible units", "推进改革。"),
    ]
    assert [m.lead_units for m in doc.measures] == [("区城管局",)]
    # a labelled line is not a row of cells split at the bar (it kept 区财政局 and lost 区发改局)
    doc = parse_text("某区重点工作任务分解表\n1.推进改革。\n牵头单位:区发改局|区财政局\n", keep_going=True)
    assert [(u.line, u.value) for u in doc.unread] == [(3, "区发改局|区财政局"), (2, "推进改革。")]
