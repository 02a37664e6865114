"""The commands: plain errors with a non-zero exit, and a build that is byte-identical on re-run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import config
from analysis.errors import DataError


def run(*args, cwd=config.PROJECT_ROOT):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_ingest_error_is_a_plain_message_and_exit_2(write, tmp_path):
    bad = write("bad.txt", "1.措施。\n区司法局\n区直有关部门\n区财政局\n")
    r = run("ingest", bad, "-o", tmp_path / "m.csv")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "error: bad.txt:4: third unit line for the measure of line 1: '区财政局'" in r.stderr
    assert not (tmp_path / "m.csv").exists()


def test_ingest_writes_csv_and_sidecars(tmp_path):
    r = run("ingest", config.SEED, "-o", tmp_path / "m.csv")
    assert r.returncode == 0, r.stderr
    assert "138 measures in 3 plan(s)" in r.stdout
    assert (tmp_path / "m.plans.csv").read_text(encoding="utf-8").count("\n") == 4
    assert (tmp_path / "m.preamble.csv").read_text(encoding="utf-8").count("\n") == 10


def test_build_error_on_unknown_unit_is_plain(write, tmp_path):
    m = write(
        "m.csv",
        "measure_id,plan_id,plan_title,section_no,section_title,item_no,text,"
        "lead_units_raw,responsible_units_raw,source_line\nP1-01,P1,t,1,s,1,x,区火星局,,3\n",
    )
    r = run("build", "--measures", m, "--out", tmp_path / "out")
    assert r.returncode == 2
    assert "区火星局 in P1-01 (line 2)" in r.stderr
    assert "proposed rows for them" in r.stderr and ": 区火星局,,区火星局,other," in r.stderr  # a row to paste
    assert "Traceback" not in r.stderr


def test_build_makes_the_committed_outputs_byte_for_byte(tmp_path):
    """A fresh build into a new folder writes exactly the committed files, byte for byte.

    The committed files were written by an earlier build (another process, another day), so
    this is also the check that two builds give the same bytes: a second build here would
    repeat it at the cost of a seed build. ``reports/corpus/`` is written only by the default
    build (without ``--out``); ``tests/test_jurisdictions.py`` checks it."""
    out = tmp_path / "out"
    r = run("build", "--out", out)
    assert r.returncode == 0, r.stderr
    built = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert (out / "measures.csv").read_bytes() == config.MEASURES_CSV.read_bytes()
    root = config.PROJECT_ROOT
    committed = sorted(
        p.relative_to(root)
        for folder in ("reports", "figures")
        for p in (root / folder).rglob("*")
        if p.is_file() and not p.is_relative_to(root / "reports" / "corpus")
    )
    assert [r for r in built if r.parts[0] in ("reports", "figures")] == committed
    for rel in committed:
        assert (root / rel).read_bytes() == (out / rel).read_bytes(), f"{rel} is stale: run the build"


def test_ingest_a_folder_of_mixed_formats(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    plans = config.PROJECT_ROOT / "tests" / "fixtures" / "plans"
    for name in ("wuhu_2025_docx", "dazhu_minsheng_2016_html", "qiaocheng_2025_pdf", "jiayu_2021_csv"):
        src = next((plans / name).glob("plan.*"))
        (folder / f"{name}{src.suffix}").write_bytes(src.read_bytes())
    (folder / "notes.odt").write_bytes(b"PK")
    r = run("ingest", folder, "-o", tmp_path / "m.csv")
    assert r.returncode == 0, r.stderr
    # 9 (Wuhu) + 11 (Dazhu) + 5 (Qiaocheng) + 5 (Jiayu), each counted by hand in its expected.json
    assert "30 measures in 4 plan(s)" in r.stdout
    assert "notes.odt: skipped (no reader for .odt)" in r.stderr
    import pandas as pd

    df = pd.read_csv(tmp_path / "m.csv", dtype=str, keep_default_na=False)
    assert sorted(df["source_format"].unique()) == ["csv", "docx", "html", "pdf"]


def test_ingest_takes_one_path_or_a_folder_as_the_cli_does(tmp_path):
    """`ingest()` in a notebook: a path (str or Path) is one file, not its characters; a folder
    stands for its plan files, a file without a reader skipped with a warning; the same file
    twice is a plain error (it used to be a StopIteration from the label check)."""
    from analysis.ingest import ingest

    folder = tmp_path / "plans"
    folder.mkdir()
    plans = config.PROJECT_ROOT / "tests" / "fixtures" / "plans"
    for name in ("wuhu_2025_docx", "jiayu_2021_csv"):
        src = next((plans / name).glob("plan.*"))
        (folder / f"{name}{src.suffix}").write_bytes(src.read_bytes())
    (folder / "notes.odt").write_bytes(b"PK")
    docx = folder / "wuhu_2025_docx.docx"
    # 9 measures in Wuhu's plan, 5 in Jiayu's (counted by hand in their expected.json)
    assert len(ingest(str(docx)).measures) == len(ingest(docx).measures) == len(ingest([docx]).measures) == 9
    with pytest.warns(UserWarning, match=r"notes\.odt: skipped \(no reader for \.odt\)"):
        doc = ingest(str(folder))
    assert [m.source_file for m in doc.measures] == ["jiayu_2021_csv.csv"] * 5 + ["wuhu_2025_docx.docx"] * 9
    with pytest.raises(DataError, match="the same file is given twice") as e:
        ingest([docx, str(docx)])
    assert e.value.path == docx
    r = run("ingest", docx, docx, "-o", tmp_path / "m.csv")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "the same file is given twice" in r.stderr


def test_keep_going_writes_what_it_read_and_lists_the_rest(write, tmp_path):
    bad = write("bad.txt", "1.措施。\n区司法局\n区直有关部门\n区财政局\n2.另一措施。\n区发改局\n")
    r = run("ingest", bad, "-o", tmp_path / "m.csv")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run("ingest", bad, "-o", tmp_path / "m.csv", "--keep-going")
    assert r.returncode == 0, r.stderr
    assert "1 place(s) could not be read" in r.stderr
    assert "bad.txt:4: third unit line for the measure of line 1: '区财政局'" in r.stderr
    assert "2 measures in 1 plan(s)" in r.stdout


#: Two small plans as real governments publish them (shapes of 鞍山市立山区 2023 and 武汉市蔡甸区
#: 2023, see the sweep in tests/test_analysis_core.py::test_tables_of_plans_without_co_leads):
#: every measure led by one unit, and a plan that names only 责任单位.
NO_COLEAD = "一、主要预期目标\n1.地区生产总值增长6%左右。\n牵头单位:区发改局\n责任单位:各街道\n2.一般公共预算收入增长8%左右。\n牵头单位:区财政局\n责任单位:区税务局\n"  # noqa: E501
NO_LEAD = "一、主要预期目标\n(一)地区生产总值增长7%以上\n责任单位:区发展和改革局\n(二)规上工业增加值增长12%以上\n责任单位:区科技和经信局\n"  # noqa: E501


def test_build_of_a_plan_that_names_no_lead_unit(tmp_path):
    """The main job on a plan with only 责任单位 (it used to end in a traceback in the clusters):
    both units are named, responsible for one measure each, no clusters, no collectives."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text(NO_LEAD, encoding="utf-8")
    r = run("build", "--raw", raw, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    reports = tmp_path / "out" / "reports"
    assert (reports / "clusters.csv").read_text(encoding="utf-8").splitlines()[1:] == []
    assert (reports / "collectives.csv").read_text(encoding="utf-8").splitlines()[1:] == []
    wl = (reports / "workload.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in wl[1:]] == ["区发展和改革局", "区科技和经信局"]


def test_a_build_that_reads_no_measure_says_so_and_where(tmp_path):
    """Zero measures read (sweep P14): the error names the folder and the unread places, not the
    empty proposed registry (it said "OUT/units.csv: registry has no unit")."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("某区重点工作任务分解表\n1.推进改革。\n2.建设公园。\n", encoding="utf-8")
    r = run("build", "--raw", raw, "--out", tmp_path / "out", "--keep-going")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr == (
        f"error: no measures could be read from {raw}; 2 place(s) could not be read:\n"
        "  a.txt:2: measure has neither lead nor responsible units: '推进改革。'\n"
        "  a.txt:3: measure has neither lead nor responsible units: '建设公园。'\n"
    )
    assert not (tmp_path / "out" / "units.csv").exists()
