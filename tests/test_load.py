"""The loader and the registry: every bad-input case raises a clear error."""

from __future__ import annotations

import pytest

from analysis import config
from analysis.errors import DataError
from analysis.load import load, read_measures

HEADER = (
    "measure_id,plan_id,plan_title,section_no,section_title,item_no,text,"
    "lead_units_raw,responsible_units_raw,source_line\n"
)
GOOD = HEADER + (
    "P1-01,P1,方案,1,一节,1,措施甲。,区司法局、区发改委,区直相关部门,10\nP1-02,P1,方案,1,一节,2,措施乙。,区民政局,,14\n"
)


def test_good_file_gives_assignments_with_canonical_names(write):
    ds = load(write("m.csv", GOOD), config.UNITS_CSV)
    assert ds.assignments.values.tolist() == [
        ["P1-01", "lead", 1, "区司法局", "区司法局"],
        ["P1-01", "lead", 2, "区发改委", "区发改局"],
        ["P1-01", "responsible", 1, "区直相关部门", "区直有关部门"],
        ["P1-02", "lead", 1, "区民政局", "区民政局"],
    ]
    assert ds.units.set_index("unit").loc["区发改局", "n_mentions"] == 1


def test_a_list_is_read_as_the_ingest_tokenizer_reads_it(write):
    """A hand-made measures file may write 等 (and others) after the last unit, or one
    character between separators: the loader reads it as ``split_units`` does (区财政局等 is
    区财政局; 各县、市、区政府 would be one collective), not as a name of its own."""
    rows = "P1-01,P1,方案,1,一节,1,措施甲。,区司法局、区财政局等,,10\n"
    ds = load(write("m.csv", HEADER + rows), config.UNITS_CSV)
    assert ds.assignments[["unit_raw", "unit"]].values.tolist() == [["区司法局", "区司法局"], ["区财政局", "区财政局"]]


@pytest.mark.parametrize(
    ("content", "match", "line"),
    [
        pytest.param(GOOD.replace(",source_line", ""), "missing columns: 'source_line'", 1, id="missing-column"),
        pytest.param(
            GOOD.replace("source_line\n", "source_line,extra\n").replace("10\n", "10,x\n").replace("14\n", "14,y\n"),
            "unexpected columns: 'extra'",
            1,
            id="unexpected-column",
        ),
        pytest.param(GOOD.replace("措施乙。", ""), "empty text: 'P1-02'", 3, id="empty-text"),
        pytest.param(
            GOOD.replace("P1-02,", "P1-01,"), r"duplicate measure_id \(first on line 2\): 'P1-01'", 3, id="duplicate-id"
        ),
        pytest.param(GOOD.replace(",2,措施乙", ",二,措施乙"), "item_no is not a whole number: '二'", 3, id="bad-int"),
        pytest.param(GOOD.replace("区民政局,,", ",,"), "neither lead nor responsible", 3, id="no-units"),
    ],
)
def test_bad_measures_file(write, content, match, line):
    path = write("m.csv", content)
    with pytest.raises(DataError, match=match) as err:
        read_measures(path)
    assert err.value.line == line
    assert str(err.value).startswith(f"{path}:{line}:")


def test_unknown_units_are_listed_all_at_once_with_their_measures(write):
    path = write("m.csv", GOOD.replace("区司法局、区发改委", "区司法局、区火星局").replace("区民政局", "区月球办"))
    with pytest.raises(DataError) as err:
        load(path, config.UNITS_CSV)
    msg = str(err.value)
    assert "2 unit name(s) not in the registry" in msg
    assert "区火星局 in P1-01 (line 2)" in msg
    assert "区月球办 in P1-02 (line 3)" in msg


def test_gb18030_and_bom_measures_files_load(write):
    a = load(write("gb.csv", GOOD, encoding="gb18030"), config.UNITS_CSV)
    b = load(write("bom.csv", "\ufeff" + GOOD), config.UNITS_CSV)
    assert a.assignments.equals(b.assignments)


def test_undecodable_measures_file(write):
    with pytest.raises(DataError, match="neither UTF-8"):
        read_measures(write("m.csv", GOOD, encoding="utf-16"))


REG_HEADER = "unit,aliases,name_en,system,is_collective,members,note\n"


@pytest.mark.parametrize(
    ("content", "match", "line"),
    [
        pytest.param(
            REG_HEADER + "区司法局,,Justice,government,false,,\n区财政局,区司法局,Finance,government,false,,\n",
            "name already used on line 2: '区司法局'",
            3,
            id="duplicate-alias",
        ),
        pytest.param(REG_HEADER + "区司法局,,Justice,ministry,false,,\n", "unknown system", 2, id="bad-system"),
        pytest.param(REG_HEADER + "区司法局,,Justice,government,maybe,,\n", "is_collective", 2, id="bad-bool"),
        pytest.param(
            REG_HEADER.replace(",note", "") + "区司法局,,Justice,government,false,\n",
            "registry columns",
            1,
            id="missing-column",
        ),
        pytest.param(
            REG_HEADER + "区司法局,,Justice,government,false,party,\n", "only a collective", 2, id="members-on-named"
        ),
    ],
)
def test_bad_registry(write, content, match, line):
    from analysis.registry import read_registry

    with pytest.raises(DataError, match=match) as err:
        read_registry(write("units.csv", content))
    assert err.value.line == line


def test_committed_registry_has_an_english_name_and_a_note_for_every_merge():
    from analysis.registry import read_registry

    units = read_registry()
    assert (units["name_en"] != "").all()
    merged = units[units["aliases"].map(len) > 0]
    assert merged["note"].str.match(r"^(variant|judgement):").all()
