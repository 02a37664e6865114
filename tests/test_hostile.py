"""Hostile input and faults: one parametrized test per class of problem.

Each case ends in a correct result (every measure and mention accounted for, checked against
the clean input) or in a plain message with exit status 2 and no traceback. Commands are run
through :func:`analysis.cli.main`; raw texts go through :func:`analysis.ingest.ingest` only.
Faults (read-only file system, full disk, no permission, killed builds) are injected: the
tests run as any user, and a full disk cannot be made on demand.

The small inputs are the ``tests/fixtures/tiny`` files (12 measures, 34 mentions, 7 units;
see ``tests/conftest.py``) and the seed text (138 measures).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli, config
from analysis import errors as er
from analysis.errors import DataError, OutputError
from analysis.ingest import ingest
from analysis.load import load
from analysis.registry import read_registry

TINY = config.PROJECT_ROOT / "tests" / "fixtures" / "tiny"
MEASURES = (TINY / "measures.csv").read_text(encoding="utf-8")
UNITS = (TINY / "units.csv").read_text(encoding="utf-8")
HEADER, *ROWS = MEASURES.splitlines(keepends=True)
N_MEASURES, N_MENTIONS, N_UNITS = 12, 34, 7  # counted by hand from the fixture
SEED_TEXT = config.SEED.read_text(encoding="utf-8")


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """``python -m analysis ARGS`` in this process: (exit status, stdout, stderr)."""
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def assert_plain(err: str) -> None:
    """stderr ends in one plain message (after progress lines, if any): printable characters only."""
    *progress, last = err.rstrip("\n").split("\n")
    assert last.startswith("error: ") and all(p.startswith("build: ") for p in progress), err
    assert all(ch.isprintable() or ch == "\n" for ch in err), repr(err)


def build_error(capsys, tmp_path, measures: str | bytes, units: str | bytes = UNITS) -> str:
    """Build on these files; the build must stop with exit 2, write nothing, and say why: the message."""
    m = tmp_path / "m.csv"
    u = tmp_path / "u.csv"
    m.write_bytes(measures.encode("utf-8") if isinstance(measures, str) else measures)
    u.write_bytes(units.encode("utf-8") if isinstance(units, str) else units)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "build", "--measures", m, "--units", u, "--out", out)
    assert code == 2, err
    assert_plain(err)
    assert not [p for p in out.rglob("*") if p.is_file()]  # nothing written, nothing left
    return err


def load_text(tmp_path, measures: str | bytes, units: str | bytes = UNITS):
    m = tmp_path / "m.csv"
    u = tmp_path / "u.csv"
    m.write_bytes(measures.encode("utf-8") if isinstance(measures, str) else measures)
    u.write_bytes(units.encode("utf-8") if isinstance(units, str) else units)
    return load(m, u)


def assert_nothing_lost(ds) -> None:
    """Every measure and mention of the tiny fixture, with the fixture's ids and units."""
    ref = load(TINY / "measures.csv", TINY / "units.csv")
    assert ds.measures["measure_id"].tolist() == ref.measures["measure_id"].tolist()
    assert len(ds.assignments) == N_MENTIONS
    cols = ["measure_id", "role", "position", "unit"]
    pd.testing.assert_frame_equal(ds.assignments[cols].astype(str), ref.assignments[cols].astype(str))
    assert len(ds.units) == N_UNITS


def with_row(i: int, old: str, new: str) -> str:
    rows = list(ROWS)
    assert old in rows[i]
    rows[i] = rows[i].replace(old, new, 1)
    return HEADER + "".join(rows)


# ============================================================================ measures CSVs


@pytest.mark.parametrize(
    ("lead", "resp", "line"),
    [
        pytest.param("、", "区丙局", 3, id="lead-one-separator"),
        pytest.param(",；、", "区丙局", 3, id="lead-mixed-separators"),
        pytest.param("区甲局、区乙局", '"、、"', 3, id="responsible-separators"),
        pytest.param("、", '",；、"', 3, id="both-separators"),
    ],
)
def test_unit_list_of_separators_only_is_an_error(capsys, tmp_path, lead, resp, line):
    text = with_row(1, "区甲局、区乙局,区丙局", f'"{lead}",{resp}' if "," in lead else f"{lead},{resp}")
    err = build_error(capsys, tmp_path, text)
    assert f"m.csv:{line}:" in err and "holds separators but no unit name" in err and "P1-02" in err


@pytest.mark.parametrize(
    "mid", ["\ufeffP1-01", "P1-01\u200b", "\u2060P1-01\ufeff", " \u200bP1-01 "], ids=["bom", "zwsp", "wj-bom", "mixed"]
)
def test_invisible_characters_at_the_edges_of_an_id_are_stripped(tmp_path, mid):
    ds = load_text(tmp_path, with_row(0, "P1-01", mid))
    assert_nothing_lost(ds)  # the id is P1-01 exactly


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            with_row(0, "P1-01", "P1\u200b-01"), "m.csv:2: invisible character inside measure_id", id="inside"
        ),
        pytest.param(
            with_row(1, "P1-02", "\ufeffP1-01"), "m.csv:3: duplicate measure_id (first on line 2)", id="bom-twin"
        ),
        pytest.param(with_row(1, "P1-02", "P1-01"), "m.csv:3: duplicate measure_id", id="duplicate"),
        pytest.param(with_row(2, "P1-03", ""), "m.csv:4: empty measure_id", id="empty"),
        pytest.param(with_row(2, "P1-03", "\u200b"), "m.csv:4: empty measure_id", id="invisible-only"),
    ],
)
def test_measure_ids_that_would_look_alike_are_errors(capsys, tmp_path, text, message):
    assert message in build_error(capsys, tmp_path, text)


@pytest.mark.parametrize(
    "header",
    [
        "\ufeff" + HEADER,
        "\ufeff\ufeff" + HEADER,
        HEADER.replace(",plan_id", ",\ufeffplan_id"),
        HEADER.replace("measure_id", "\u200bmeasure_id"),
    ],
    ids=["bom", "double-bom", "bom-before-second-name", "zwsp-before-first-name"],
)
def test_a_bom_before_a_header_name_is_not_a_missing_column(tmp_path, header):
    assert_nothing_lost(load_text(tmp_path, header + "".join(ROWS)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            MEASURES[: MEASURES.rindex(",区甲局、区戊院")], "m.csv:13: row has 7 of 10 fields", id="cut-last-row"
        ),
        pytest.param(MEASURES[: MEASURES.rindex("内容。")], "may be truncated", id="cut-in-text"),
        pytest.param(
            MEASURES[: MEASURES.rindex(",54")], "m.csv:13: row has 9 of 10 fields at the end of the file", id="cut-late"
        ),
        pytest.param(
            with_row(4, ",区甲委,区甲局,26", ",区甲委"), "m.csv:6: row has 8 of 10 fields", id="short-middle-row"
        ),
        pytest.param(
            with_row(4, ",区甲委,区甲局,26", ",区甲委").replace("\n", "\r\n"), "m.csv:6: row has 8", id="short-row-crlf"
        ),
        pytest.param(
            with_row(3, ",22\n", ',"22\n'), "m.csv:5: a quoted field opened in this row never", id="open-quote"
        ),
        pytest.param(with_row(3, ",22\n", ",22,x\n"), "m.csv:5: more fields than columns", id="extra-field"),
    ],
)
def test_rows_with_too_few_or_too_many_fields_are_errors(capsys, tmp_path, text, message):
    assert message in build_error(capsys, tmp_path, text)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_short_row_is_an_error_on_the_fast_and_the_csv_path(tmp_path, encoding):
    # UTF-8 with \n goes through Arrow first; GB18030 through the csv module only
    text = MEASURES[: MEASURES.rindex(",区甲局、区戊院")]
    with pytest.raises(DataError, match=r"m\.csv:13: row has 7 of 10 fields at the end of the file: .*truncated"):
        load_text(tmp_path, text.encode(encoding))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("²", "source_line is not a whole number: '²'", id="superscript"),
        pytest.param("1.5", "source_line is not a whole number: '1.5'", id="decimal"),
        pytest.param("-3", "source_line is not a whole number: '-3'", id="negative"),
        pytest.param("=1+1", "source_line is not a whole number: '=1+1'", id="formula"),
        pytest.param("３", 3, id="full-width"),
    ],
)
def test_numbers(capsys, tmp_path, value, expected):
    text = with_row(0, ",10\n", f",{value}\n")
    if isinstance(expected, int):
        ds = load_text(tmp_path, text)
        assert ds.measures["source_line"].iloc[0] == expected
        assert len(ds.measures) == N_MEASURES and len(ds.assignments) == N_MENTIONS
    else:
        assert f"m.csv:2: {expected}" in build_error(capsys, tmp_path, text)


# ============================================================================ encodings (CSV and raw text)


def _cut_in_character(data: bytes) -> bytes:
    """`data` cut after the first byte of its last multi-byte character."""
    i = max(i for i, b in enumerate(data) if b >= 0xE0)  # lead byte of a 3-byte character
    return data[: i + 1]


def _mixed(text: str, utf8_line: int) -> bytes:
    lines = text.splitlines(keepends=True)
    return b"".join(ln.encode("utf-8") if i == utf8_line else ln.encode("gb18030") for i, ln in enumerate(lines))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_cut_in_character(MEASURES.encode()), "may be truncated", id="cut-in-character"),
        pytest.param(_mixed(MEASURES, 5), "m.csv:6: file mixes encodings", id="utf8-line-in-gbk"),
        pytest.param(_mixed(MEASURES, 1), "m.csv:2: file mixes encodings", id="utf8-first-row"),
        pytest.param(MEASURES.encode("utf-16"), "neither UTF-8", id="utf-16"),
        pytest.param(MEASURES.encode() + b"\x00", "NUL byte", id="nul"),
        pytest.param(MEASURES.encode()[:60] + b"\xff\xfe" + MEASURES.encode()[60:], "line 1, byte 60", id="bad-bytes"),
    ],
)
def test_measures_encoding_errors_say_where(capsys, tmp_path, data, message):
    assert message in build_error(capsys, tmp_path, data)


def test_a_gbk_measures_file_loads_like_the_utf8_one(tmp_path):
    assert_nothing_lost(load_text(tmp_path, MEASURES.encode("gb18030"), UNITS.encode("gb18030")))


@pytest.fixture(scope="module")
def seed_clean():
    return ingest([config.SEED])


def _measures(doc) -> list[tuple]:
    return [(m.measure_id, m.text, m.lead_units, m.responsible_units, m.source_line) for m in doc.measures]


def _raw_variants():
    utf8 = SEED_TEXT.encode("utf-8")
    i = SEED_TEXT.index("2.在全区深入开展宪法学习宣传教育活动")
    return [
        pytest.param(SEED_TEXT.encode("gb18030"), None, id="gb18030"),
        pytest.param(b"\xef\xbb\xbf" + utf8, None, id="utf8-bom"),
        pytest.param(SEED_TEXT.replace("\n", "\r\n").encode(), None, id="crlf"),
        pytest.param(
            (SEED_TEXT[:i] + "\x0c" + SEED_TEXT[i:]).encode(),
            None,
            id="form-feed",
        ),
        pytest.param(_cut_in_character(utf8), "may be truncated", id="cut-in-character"),
        pytest.param(_mixed(SEED_TEXT, SEED_TEXT[:i].count("\n")), "file mixes encodings", id="utf8-line-in-gbk"),
        pytest.param(SEED_TEXT.encode("utf-16"), "neither UTF-8", id="utf-16"),
        pytest.param(utf8[:100] + b"\x00" + utf8[100:], "NUL byte", id="nul"),
    ]


@pytest.mark.parametrize(("data", "message"), _raw_variants())
def test_raw_texts_in_every_encoding(tmp_path, seed_clean, data, message):
    path = tmp_path / "plan.txt"
    path.write_bytes(data)
    if message is None:
        doc = ingest([path])
        assert len(doc.measures) == 138
        assert _measures(doc) == _measures(seed_clean)  # every measure and every unit, as in the clean text
    else:
        with pytest.raises(DataError, match=message) as err:
            ingest([path])
        assert err.value.path == path
        assert str(err.value).isprintable()


# ============================================================================ unit names


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        pytest.param("区\x1b[31m火星局", "区\\x1b[31m火星局", id="ansi"),
        pytest.param("区火星局\u200b", None, id="zwsp"),  # stripped or shown escaped, never raw
        pytest.param("区\u202e局星火", "\\u202e", id="rtl-override"),
        pytest.param("区\x07火星局", "\\x07", id="bell"),
    ],
)
def test_control_characters_in_names_are_escaped_in_messages(capsys, tmp_path, name, shown):
    err = build_error(capsys, tmp_path, with_row(0, "区甲局,", f"{name},"))
    assert "1 unit name(s) not in the registry" in err and "P1-01 (line 2)" in err
    if shown:
        assert shown in err


@pytest.mark.parametrize("n_unknown", [1, 12, 3000])
def test_unknown_units_message_is_short_and_names_the_registry_used(capsys, tmp_path, n_unknown):
    rows = [
        f"P9-{i:04d},P9,方案,1,节,{i + 1},措施{i}。,区未知{i}局、区甲局,区未知0局,{i + 2}\n" for i in range(n_unknown)
    ]
    err = build_error(capsys, tmp_path, HEADER + "".join(ROWS) + "".join(rows))
    assert (
        f"{n_unknown} unit name(s) not in the registry (add them to {tmp_path / 'u.csv'} as a unit or an alias)" in err
    )
    assert "data/units.csv" not in err
    assert "区未知0局 in P9-0000 (line 14)" in err
    if n_unknown > 3:  # 区未知0局 is used by every new measure: three listed, the rest counted
        assert f"区未知0局 in P9-0000 (line 14), P9-0001 (line 15), P9-0002 (line 16) and {n_unknown - 3} more" in err
    if n_unknown > 10:
        assert f"and {n_unknown - 10} more name(s)" in err
    assert len(err) < 1500


def _tiny_renamed(tmp_path, old: str, new: str):
    """The tiny fixture with unit `old` renamed `new` everywhere (measures and registry)."""
    m = tmp_path / "m.csv"
    u = tmp_path / "u.csv"
    m.write_text(MEASURES.replace(old, new), encoding="utf-8")
    u.write_text(UNITS.replace(old, new), encoding="utf-8")
    return load(m, u)


@pytest.mark.parametrize(
    "name", ["区$甲$局", r"区$\frac{局", "区$x^2$局$", "$$"], ids=["pair", "bad-tex", "tex", "only-dollars"]
)
def test_dollar_signs_in_names_are_drawn_as_written(tmp_path, name):
    from analysis import figures
    from analysis.exports import analysis_tables

    ds = _tiny_renamed(tmp_path, "区甲局", name)
    tables = analysis_tables(ds, n_runs=3)
    fig = figures.CHARTS["workload_ranking"](ds, tables, lang="zh")
    path = figures.save_figure(fig, tmp_path / "w.png")
    assert path.stat().st_size > 1000
    texts = [t.get_text() for ax in fig.axes for t in [*ax.texts, *ax.get_yticklabels(), *ax.get_xticklabels()]]
    assert name in texts  # the name itself, not its mathtext rendering
    figures.save_figure(figures.CHARTS["colead_network"](ds, tables, lang="zh"), tmp_path / "n.svg")


@pytest.mark.parametrize("name", ["区" * 100, "区" * 100 + "甲", "区" * 40 + "/" * 60, "局." * 80], ids=range(4))
def test_long_names_get_short_unique_page_files(tmp_path, name):
    from analysis import sheets
    from analysis.exports import analysis_tables

    ds = _tiny_renamed(tmp_path, "区乙局", name)
    written = sheets.write_task_sheets(ds, analysis_tables(ds, n_runs=3), tmp_path / "reports")
    page = written[f"unit_page:{name}"]
    assert page.is_file() and len(page.name.encode("utf-8")) <= 255
    assert name in page.read_text(encoding="utf-8")
    again = sheets.file_names(sheets.sheet_units(ds))  # deterministic
    assert again[name] == page.name
    pages = sorted(p.name for p in (tmp_path / "reports" / "units").glob("*.html"))
    assert len(pages) == 5 + 2  # five named units, all.html, index.html


# ============================================================================ registries


@pytest.mark.parametrize(
    ("units", "message"),
    [
        pytest.param(
            UNITS.replace("note\n", "note,is_collective\n", 1), "u.csv:1: repeated registry columns", id="repeated-flag"
        ),
        pytest.param(UNITS.replace("unit,", "unit,unit,", 1), "repeated registry columns: 'unit'", id="repeated-unit"),
        pytest.param(
            UNITS.replace("区乙局,,Bureau B,government,false,,", "区乙局,,Bureau B"), "u.csv:3: row has", id="short"
        ),
        pytest.param(
            UNITS.replace("Bureau C,government,false,,", "Bureau C,government,false,,,x"), "u.csv:4:", id="long"
        ),
        pytest.param(
            UNITS.replace("区丙局,,", "区丙局,区乙局,"), "u.csv:4: name already used on line 3", id="alias-twice"
        ),
        pytest.param(UNITS.replace("区丙局,,", ",,"), "u.csv:4: empty unit name", id="empty-name"),
        pytest.param(UNITS.replace("Court E,court", "Court E,courts"), "u.csv:6: unknown system", id="system"),
        pytest.param(UNITS.replace("court,false", "court,maybe"), "u.csv:6: is_collective must be", id="bool"),
        pytest.param(
            UNITS.replace("Bureau B,government,false,,", "Bureau B,government,false,party,"),
            "only a collective",
            id="members",
        ),
        pytest.param(UNITS.replace("unit,aliases", "name,aliases"), "u.csv:1: registry columns must be", id="missing"),
    ],
)
def test_registry_problems_are_errors(capsys, tmp_path, units, message):
    assert message in build_error(capsys, tmp_path, MEASURES, units)


@pytest.mark.parametrize(
    "units",
    ["\ufeff" + UNITS, "\ufeff\ufeff" + UNITS, UNITS.replace(",aliases", ",\ufeffaliases", 1), UNITS.encode("gb18030")],
    ids=["bom", "double-bom", "bom-before-name", "gb18030"],
)
def test_registry_header_with_bom_reads(tmp_path, units):
    u = tmp_path / "u.csv"
    u.write_bytes(units.encode("utf-8") if isinstance(units, str) else units)
    reg = read_registry(u)
    assert reg["unit"].tolist() == ["区甲局", "区乙局", "区丙局", "区委丁部", "区戊院", "区直有关部门", "各街办"]
    assert reg["is_collective"].tolist() == [False] * 5 + [True, True]
    assert_nothing_lost(load(TINY / "measures.csv", u))


# ============================================================================ output folders and faults


def _tiny_build_args(out):
    return ["build", "--measures", TINY / "measures.csv", "--units", TINY / "units.csv", "--out", out]


@pytest.mark.parametrize("where", ["file", "below-file"])
def test_out_naming_an_existing_file(capsys, tmp_path, where):
    f = tmp_path / "taken"
    f.write_text("keep me", encoding="utf-8")
    out = f if where == "file" else f / "sub"
    code, _, err = run_cli(capsys, *_tiny_build_args(out))
    assert code == 2
    assert_plain(err)
    assert f"{f} is a file, not a folder" in err
    assert f.read_text(encoding="utf-8") == "keep me"


@contextlib.contextmanager
def _failing_writes(monkeypatch, target: str, err: int, *, at: str = "open"):
    """Make :func:`analysis.errors.atomic_write` fail for files whose path ends with `target`."""
    real_open = open

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[: len(data) // 2])  # part of it reached the disk
            raise OSError(err, os.strerror(err))

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def fake(file, *args, **kwargs):
        name = str(file)
        if name.endswith(er.PARTIAL_SUFFIX) and (target in name.replace(os.sep, "/")):
            if at == "open":
                raise OSError(err, os.strerror(err), name)
            return Full(real_open(file, *args, **kwargs))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(er, "open", fake, raising=False)
    yield


@pytest.mark.parametrize(
    ("target", "err", "at", "reason"),
    [
        pytest.param("reports/.data_quality.md", errno.EROFS, "open", "the file system is read-only", id="erofs"),
        pytest.param("reports/.data_quality.md", errno.ENOSPC, "write", "no space left on the device", id="enospc"),
        pytest.param("reports/.summary.csv", errno.EACCES, "open", "permission denied", id="eacces"),
        pytest.param("reports/.task_sheets.xlsx", errno.EDQUOT, "write", "disk quota exceeded", id="edquot"),
    ],
)
def test_write_faults_are_plain_messages_and_leave_the_old_file(capsys, monkeypatch, tmp_path, target, err, at, reason):
    out = tmp_path / "out"
    name = target.split("/.")[-1]
    old = out / "reports" / name
    old.parent.mkdir(parents=True)
    old.write_bytes(b"OLD")
    with _failing_writes(monkeypatch, target, err, at=at):
        code, _, stderr = run_cli(capsys, *_tiny_build_args(out))
    assert code == 2
    assert_plain(stderr)
    assert f"cannot write {old}: {reason}" in stderr
    assert old.read_bytes() == b"OLD"  # the previous file, whole
    assert not list(out.rglob(f"*{er.PARTIAL_SUFFIX}"))  # no temporary file left
    assert not (out / er.LOCK_NAME).exists()


def test_a_full_disk_inside_a_figure_worker_is_a_plain_message(capsys, monkeypatch, tmp_path):
    from analysis import figures

    monkeypatch.setattr(figures.charts, "CHARTS", {k: figures.CHARTS[k] for k in ("lorenz", "collective_share")})
    out = tmp_path / "out"
    # figures/en/ is drawn by the second worker (forked: it inherits the patched open)
    with _failing_writes(monkeypatch, "figures/en/.collective_share.svg", errno.ENOSPC, at="write"):
        code, _, stderr = run_cli(capsys, *_tiny_build_args(out))
    assert code == 2
    assert_plain(stderr)
    assert f"cannot write {out / 'figures' / 'en' / 'collective_share.svg'}: no space left on the device" in stderr
    assert not list(out.rglob(f"*{er.PARTIAL_SUFFIX}"))
    assert not (out / "figures" / "en" / "collective_share.svg").exists()


def test_read_only_file_system_for_the_folder(capsys, monkeypatch, tmp_path):
    out = tmp_path / "ro" / "out"
    real = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path / "ro")):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code, _, stderr = run_cli(capsys, *_tiny_build_args(out))
    assert code == 2
    assert_plain(stderr)
    assert "the file system is read-only" in stderr and str(tmp_path / "ro") in stderr


@pytest.mark.parametrize("state", ["held", "stale-lock", "stale-partials"])
def test_two_builds_into_one_folder(capsys, monkeypatch, tmp_path, state):
    from analysis import figures

    monkeypatch.setattr(figures.charts, "CHARTS", {"lorenz": figures.CHARTS["lorenz"]})
    out = tmp_path / "out"
    if state == "held":
        with er.output_lock(out):
            code, _, stderr = run_cli(capsys, *_tiny_build_args(out))
        assert code == 2
        assert_plain(stderr)
        assert f"another build (process {os.getpid()}) is writing into {out}" in stderr
        assert not (out / "reports").exists()
        return
    partial = out / "reports" / f".summary.csv.123{er.PARTIAL_SUFFIX}"
    partial.parent.mkdir(parents=True)
    partial.write_text("half", encoding="utf-8")
    keep = out / "reports" / "my notes.partial"  # not a name atomic_write makes: kept
    keep.write_text("mine", encoding="utf-8")
    if state == "stale-lock":
        (out / er.LOCK_NAME).write_text("99999999", encoding="utf-8")  # left by a killed build: not held
    code, _, stderr = run_cli(capsys, *_tiny_build_args(out))
    assert code == 0, stderr
    assert not partial.exists() and keep.read_text(encoding="utf-8") == "mine"
    assert not (out / er.LOCK_NAME).exists()
    assert (out / "reports" / "summary.csv").read_text(encoding="utf-8").startswith("metric,value\nn_measures,12\n")


@pytest.mark.parametrize("failure", ["exception", "os-error"])
def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, failure):
    path = tmp_path / "a.csv"
    path.write_text("old", encoding="utf-8")
    expected = RuntimeError if failure == "exception" else OutputError
    with pytest.raises(expected) as err, er.atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write("new, half")
        if failure == "exception":
            raise RuntimeError("stop")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    if failure == "os-error":
        assert str(err.value.strerror) == f"cannot write {path}: no space left on the device"


# ============================================================================ size


@pytest.mark.parametrize(("max_measures", "max_rows"), [(5, 1_048_576), (5, 12)], ids=["long", "long-and-cut"])
def test_a_role_matrix_too_wide_for_excel_takes_the_long_form(monkeypatch, tmp_path, tiny, max_measures, max_rows):
    from openpyxl import load_workbook

    from analysis import sheets
    from analysis.exports import analysis_tables
    from analysis.quality import quality_report

    monkeypatch.setattr(sheets, "MATRIX_MAX_MEASURES", max_measures)  # 12 measures > 5 columns
    monkeypatch.setattr(sheets, "EXCEL_MAX_ROWS", max_rows)
    written = sheets.write_task_sheets(tiny, analysis_tables(tiny, n_runs=3), tmp_path)
    long = pd.read_csv(written["role_matrix"], dtype=str, keep_default_na=False)
    assert list(long.columns) == sheets.ROLE_TABLE_COLUMNS
    assert len(long) == 33  # 34 mentions, 区甲局 both lead and responsible on P1-05: one row
    assert long.loc[long["measure_id"].eq("P1-05") & long["unit"].eq("区甲局"), "role"].tolist() == ["L+R"]
    ws = load_workbook(written["task_sheets"])[sheets.SHEET_MATRIX]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert ws.max_column == 4
    assert len(rows) == min(33, max_rows - 2)
    assert [list(r) for r in rows] == long[["unit", "is_collective", "measure_id", "role"]].head(len(rows)).replace(
        {"is_collective": {"true": "是", "false": "否"}}
    ).values.tolist()
    report = quality_report(tiny)
    assert "## Outputs in another form because of their size" in report
    assert "The role matrix would need 14 columns" in report and "33 rows" in report
    assert ("the other 23 are in the CSV" in report) == (max_rows == 12)


# ============================================================================ killed builds and workers

WORKER_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from analysis.errors import exit_with_parent
    from analysis.forking import Forked

    def pid_and_wait():
        return os.getpid()

    if sys.argv[1] == "pool":  # the ingest's workers: a pool whose workers wait for more files
        pool = ProcessPoolExecutor(2, initializer=exit_with_parent, initargs=(os.getpid(),))
        pids = {f.result() for f in [pool.submit(pid_and_wait) for _ in range(4)]}
    else:  # the charts' and the Louvain runs' workers, here still running their calls
        jobs = Forked([(time.sleep, (600,), {})] * 2, workers=2).__enter__()
        pids = {proc.pid for proc, _ in jobs.procs}
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
@pytest.mark.parametrize("pool", ["pool", "forked"])
def test_workers_exit_when_their_parent_is_killed(tmp_path, pool):
    env = {**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, pool], stdout=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert pids and all(_alive(p) for p in pids) and proc.pid not in pids
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
def test_a_refused_fork_stops_the_workers_already_started(monkeypatch):
    """The second of two forks fails (no memory left): the error reaches the caller and the
    first worker, which would sleep for 10 minutes, is stopped, not left running."""
    import multiprocessing

    from analysis.forking import Forked

    process = type(multiprocessing.get_context("fork").Process())
    real_start, started = process.start, []

    def start(self):
        if started:
            raise OSError(12, "Cannot allocate memory")
        started.append(self)
        return real_start(self)

    monkeypatch.setattr(process, "start", start)
    with pytest.raises(OSError, match="Cannot allocate memory"), Forked([(time.sleep, (600,), {})] * 2, workers=2):
        pass
    assert len(started) == 1 and not started[0].is_alive()
    assert not multiprocessing.active_children()


def _write_slowly(path):
    from analysis.errors import atomic_write

    with atomic_write(path) as fh:
        fh.write("half")
        time.sleep(600)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
def test_a_stopped_worker_leaves_no_temporary_file(tmp_path):
    """A build that fails beside its chart workers stops them in the middle of a file: the
    worker unwinds, so its ``.partial`` file goes and the old file stays whole."""
    import multiprocessing

    from analysis.forking import Forked

    old = tmp_path / "chart.png"
    old.write_bytes(b"OLD")
    with Forked([(_write_slowly, (old,), {})], workers=1) as jobs:
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob(f"*{er.PARTIAL_SUFFIX}")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list(tmp_path.glob(f"*{er.PARTIAL_SUFFIX}"))  # the worker is writing
        jobs.stop()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.png"] and old.read_bytes() == b"OLD"
    assert not multiprocessing.active_children()


def _session_processes(sid: int) -> list[int]:
    """Live processes of session `sid` (a build started in its own session and all it forked)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (d / "stat").read_text(encoding="ascii").split(")")[-1].split()
                if int(fields[3]) == sid and fields[0] != "Z":
                    found.append(int(d.name))
    return found


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """Complete builds of the tiny data (old) and of a changed copy (new): their files."""
    base = tmp_path_factory.mktemp("kill")
    new_m = base / "new.csv"
    new_m.write_text(
        MEASURES.replace("措施P101的内容。", "措施P101的新内容。").replace("区乙局、区丙局,各街办", "区乙局,各街办"),
        "utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)}
    snaps = {}
    for name, m in (("old", TINY / "measures.csv"), ("new", new_m)):
        args = [str(a) for a in _tiny_build_args(base / name)]
        args[2] = str(m)
        subprocess.run([sys.executable, "-m", "analysis", *args], check=True, env=env, capture_output=True, timeout=900)
        snaps[name] = _snapshot(base / name)
    assert snaps["old"].keys() == snaps["new"].keys()
    assert sum(snaps["old"][k] != snaps["new"][k] for k in snaps["old"]) > 10  # the new build changes files
    return base, new_m, env, snaps


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
@pytest.mark.parametrize(
    "moment",
    ["reports/summary.csv", "reports/units/index.html", "figures/lorenz.png", "figures/en/lorenz.pdf"],
    ids=["after-tables", "after-sheets", "in-figures", "in-en-figures"],
)
def test_sigkill_leaves_whole_files_and_no_process(two_builds, moment):
    """A build killed at some moment leaves every output as it was (old) or as it is meant to be (new)."""
    import shutil

    base, new_m, env, snaps = two_builds
    out = base / f"killed-{moment.replace('/', '_')}"
    shutil.copytree(base / "old", out)
    args = [str(a) for a in _tiny_build_args(out)]
    args[2] = str(new_m)
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    target = out / moment
    deadline = time.monotonic() + 600
    while snaps["old"][moment] == (target.read_bytes() if target.exists() else b"") and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _session_processes(proc.pid)  # no worker outlived the build
    got = _snapshot(out)
    partial = [k for k in got if k.endswith(er.PARTIAL_SUFFIX)]
    assert set(got) - set(partial) <= set(snaps["new"]) | {er.LOCK_NAME}
    for rel, data in got.items():
        if rel in partial or rel == er.LOCK_NAME:
            continue
        assert data in (snaps["old"][rel], snaps["new"][rel]), rel
    assert got[moment] == snaps["new"][moment]
    # the next build finishes the job: every file new, nothing left over
    r = subprocess.run([sys.executable, "-m", "analysis", *args], env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    assert _snapshot(out) == snaps["new"]
