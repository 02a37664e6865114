"""The fast ingest: files read in forked workers give the document one process reads, the
compact line kinds behave as a dict, the measures CSV written row by row has pandas' bytes,
and the benchmark's generated plan texts read back to the corpus they were made from."""

from __future__ import annotations

import gc
import pickle
import shutil
import sys
from collections import Counter
from dataclasses import fields

import pytest

from analysis import config
from analysis.cli import IngestProgress
from analysis.errors import write_csv
from analysis.ingest import LineKinds, Measure, ingest, measures_frame, write_measures
from analysis.readers import office

sys.path.insert(0, str(config.PROJECT_ROOT / "benchmarks"))
from make_corpus import LAYOUTS, make_corpus, plan_texts

PLANS = config.PROJECT_ROOT / "tests" / "fixtures" / "plans"

# Two plans in one file; the second file numbers one item twice (an unread place whose value is
# a measure id, so it must move with the plan ids), the third is a table flattened to | cells.
TWO_PLANS = """\
甲区第一批重点任务分工方案
一、优化营商环境
1.推行证照分离改革。
牵头单位:区市场监督管理局
责任单位:区司法局
甲区第二批重点任务分工方案
1.加强执法监督。(区司法局牵头,区直有关部门按职责分工负责)
2.落实普法责任制。
区司法局
各街办
"""
DUPLICATE = """\
乙区重点工作任务分工方案
一、推进依法行政
1.规范行政复议。
区司法局
1.健全调解机制。
区委政法委
"""
PIPES = """\
丙区重点工作任务分工方案
序号 | 工作任务 | 牵头单位 | 责任单位
1 | 完善权责清单。 | 区委编办 | 区直各部门
2 | 推进综合执法。 | 区司法局 |
"""


def _state(doc):
    """Everything a document holds, as plain values (line kinds as a sorted list)."""
    return (
        doc.plans,
        doc.measures,
        doc.anomalies,
        sorted(((s, str(k)), v) for (s, k), v in doc.line_kinds.items()),
        doc.encodings,
        doc.formats,
        doc.unread,
        doc.jurisdictions,
    )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Hand-written texts, the seed, one fixture plan of every format (a Word 97 one among them)
    and an unreadable file."""
    folder = tmp_path_factory.mktemp("mixed")
    paths = []
    for name, text in (("a.txt", TWO_PLANS), ("b.txt", DUPLICATE), ("c.txt", PIPES)):
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    paths.append(config.SEED)
    # wuhu_2025_doc: a Word 97 file, converted by LibreOffice in each worker with a profile of
    # its own (or, without LibreOffice, an unread file in both runs)
    fixtures = ("wuhu_2025_docx", "dazhu_minsheng_2016_html", "qiaocheng_2025_pdf", "jiayu_2021_csv", "wuhu_2025_doc")
    for fixture in fixtures:
        src = next((PLANS / fixture).glob("plan.*"))
        shutil.copy(src, folder / f"{fixture}{src.suffix}")
        paths.append(folder / f"{fixture}{src.suffix}")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    paths.append(folder / "broken.pdf")
    return paths


def test_workers_give_the_document_one_process_reads(mixed):
    plain = ingest(mixed, keep_going=True, processes=1)
    forked = ingest(mixed, keep_going=True, processes=2)
    assert _state(forked) == _state(plain)
    # worked out by hand: a.txt holds P1 and P2, b.txt P3 (its item 1 twice: not unique, so
    # ids name the section, P3-1-01, and the second is a duplicate), c.txt P4
    ids = [m.measure_id for m in plain.measures[:6]]
    assert ids == ["P1-01", "P2-01", "P2-02", "P3-1-01", "P4-01", "P4-02"]
    assert [(m.lead_units, m.responsible_units) for m in plain.measures[1:3]] == [
        (("区司法局",), ("区直有关部门",)),
        (("区司法局",), ("各街办",)),
    ]
    dup = [u for u in forked.unread if u.source_file == "b.txt"]
    assert [(u.line, u.value) for u in dup] == [(5, "P3-1-01")]  # the id moved with its plan
    assert plain.measures[5].responsible_units == ()  # 推进综合执法: no responsible cell
    # the seed follows as P5-P7 (its three plans), then the five fixtures and the broken PDF
    assert [p.plan_id for p in plain.plans if p.source_file == config.SEED.name] == ["P5", "P6", "P7"]
    assert plain.unread[-1].source_file == "broken.pdf" and plain.unread[-1].place == "file"
    if office.soffice() is not None:  # the Word 97 copy, converted in a worker, reads as its .docx

        def rows(name):
            return [(m.text, m.lead_units, m.responsible_units) for m in forked.measures if m.source_file == name]

        assert rows("wuhu_2025_doc.doc") == rows("wuhu_2025_docx.docx") and len(rows("wuhu_2025_doc.doc")) == 9


def test_a_worker_s_reader_error_is_the_plain_path_s(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(PIPES, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\xd8 not text")
    plain = ingest([good, bad], keep_going=True, processes=1)
    forked = ingest([good, bad], keep_going=True, processes=2)
    assert _state(forked) == _state(plain)
    assert [m.measure_id for m in forked.measures] == ["P1-01", "P1-02"]


def test_generated_layouts_read_back_to_the_corpus_they_were_made_from(tmp_path):
    measures, _ = make_corpus(900, n_units=32 * 10, seed=5)
    paths = []
    for name, text in plan_texts(measures, seed=5):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    assert len(paths) == 10  # one file per county, the five layouts twice
    first = (tmp_path / "county0000.txt").read_text(encoding="utf-8").splitlines()
    assert first[0] == "县0000人民政府办公室关于印发重点工作任务分工方案的通知"
    assert first[7] == "县0000第1批重点工作任务分工方案"
    assert first[9:13] == ["项目", "具体项目", "牵头单位", "责任单位"]  # layout "lines"
    plain = ingest(paths, processes=1)
    forked = ingest(paths, processes=2)
    assert _state(forked) == _state(plain)
    df = measures_frame(plain)
    assert len(df) == 900
    for col in ("lead_units_raw", "responsible_units_raw"):
        assert df[col].tolist() == measures[col].tolist()
    assert df["item_no"].tolist() == measures["item_no"].astype(int).tolist()
    # every layout is read as what it is: labelled lines, | cells, parentheses, one cell per line
    kinds = Counter(plain.line_kinds.values())
    assert kinds["labelled"] > 0 and kinds["row"] > 0 and kinds["leaders"] > 0 and kinds["header"] > 0
    assert LAYOUTS == ("lines", "labelled", "pipes", "parenthesis", "cells")


def test_measures_csv_row_by_row_has_pandas_bytes(mixed, tmp_path):
    doc = ingest(mixed, keep_going=True)
    fast = write_measures(doc, tmp_path / "fast.csv")
    slow = write_csv(measures_frame(doc), tmp_path / "slow.csv")
    assert fast.read_bytes() == slow.read_bytes()
    empty = ingest([mixed[-1]], keep_going=True)  # no measure at all: the header only
    assert (
        write_measures(empty, tmp_path / "e.csv").read_bytes()
        == write_csv(measures_frame(empty), tmp_path / "e2.csv").read_bytes()
    )
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").count("\n") == 1


def test_line_kinds_behave_as_a_dict():
    k = LineKinds()
    d = {}
    for key, kind in [
        (("a.txt", 5), "item"),
        (("a.txt", 2), "title"),
        (("b.docx", "table 1, row 2"), "row"),
        (("a.txt", 5), "subsection"),  # overwritten in place, as _headings does
        (("a.txt", 300), "lead"),
        (("b.docx", "paragraph 1"), "title"),
    ]:
        k[key] = kind
        d[key] = kind
    assert k == d and len(k) == 5
    assert k[("a.txt", 5)] == "subsection" and ("a.txt", 3) not in k and ("c.txt", 1) not in k
    with pytest.raises(KeyError):
        k[("a.txt", 4)]
    assert list(k) == [
        ("a.txt", 2),
        ("a.txt", 5),
        ("a.txt", 300),
        ("b.docx", "table 1, row 2"),
        ("b.docx", "paragraph 1"),
    ]
    assert Counter(k.values()) == Counter(d.values())
    del k[("a.txt", 300)]
    del d[("a.txt", 300)]
    assert k == d and len(k) == 4
    back = pickle.loads(pickle.dumps(k))
    assert back == d and isinstance(back, LineKinds)
    merged = LineKinds()
    merged.update(k)
    merged.update({("c.txt", 1): "preamble"})
    assert merged == {**d, ("c.txt", 1): "preamble"}


def test_a_measure_pickles_as_its_fields_and_comes_back_equal():
    """Measures cross from the workers to the parent pickled as a tuple of their fields
    (Measure.__reduce__): every field, defaults included, comes back."""
    m = Measure(
        "P2-03", "P2", "乙方案", None, "", 3, "措施。", ("区发改局",), ("区财政局", "区审计局"),
        "b.docx", None, 7, None, subsection_title="（一）", leaders=("张三",), deadline="2024年底",
        issuer="区政府", source_format="docx", source_place="table 1, row 4", lead_place="x",
        responsible_place="y",
    )  # fmt: skip
    back = pickle.loads(pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == m and type(back) is Measure
    assert [getattr(back, f.name) for f in fields(Measure)] == [getattr(m, f.name) for f in fields(Measure)]


@pytest.mark.parametrize("processes", [1, 2])
def test_a_file_s_repeated_names_and_a_plan_s_id_are_one_string_each(tmp_path, processes):
    """A unit named in several measures of a file is one string object, shared by them (and
    so pickled once from a worker); a plan's measures hold their plan's own id, also after
    the parent renumbers a worker's plans (the copies took 500 MB at a million measures)."""
    paths = []
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(TWO_PLANS, encoding="utf-8")
        paths.append(tmp_path / name)
    doc = ingest(paths, processes=processes)
    # each file (worked out above): P1-01 区市场监督管理局 / 区司法局, P2-01 and P2-02 区司法局 leads
    assert [m.measure_id for m in doc.measures] == ["P1-01", "P2-01", "P2-02", "P3-01", "P4-01", "P4-02"]
    for first in (0, 3):  # a.txt, then b.txt (its plans renumbered P3, P4)
        m1, m2, m3 = doc.measures[first : first + 3]
        assert m1.responsible_units == m2.lead_units == m3.lead_units == ("区司法局",)
        assert m1.responsible_units[0] is m2.lead_units[0] is m3.lead_units[0]
        assert m2.plan_id is m3.plan_id is doc.plans[first // 3 * 2 + 1].plan_id


def test_ingest_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """The parent keeps the document's objects out of full collections while it reads
    (gc.freeze) and gives them back at the end; objects someone else froze stay frozen."""
    plan = tmp_path / "a.txt"
    plan.write_text(TWO_PLANS, encoding="utf-8")
    gc.collect()
    assert gc.get_freeze_count() == 0
    ingest([plan])
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        ingest([plan])
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_ingest_progress_line():
    class Out:
        def __init__(self):
            self.text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

        def isatty(self):
            return False

    out = Out()
    bar = IngestProgress(min_files=2, after=0.0, stream=out, width=10)
    for done in range(1, 5):
        bar(done, 4, 100 * done)
    lines = out.text.splitlines()
    # one line per tenth reached: 1/4 (2 tenths), 2/4 (5), 3/4 (7), 4/4 (10)
    assert [ln.split(" s")[0].rsplit(",", 1)[0] for ln in lines] == [
        "ingest [##........] 1/4 files, 100 measures",
        "ingest [#####.....] 2/4 files, 200 measures",
        "ingest [########..] 3/4 files, 300 measures",
        "ingest [##########] 4/4 files, 400 measures",
    ]
    quiet = Out()
    small = IngestProgress(stream=quiet)  # one file: the seed's ingest says nothing
    small(1, 1, 138)
    assert quiet.text == ""
