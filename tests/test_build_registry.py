"""A build without a hand-written registry: proposed from the glossary, or a given one extended."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import config
from analysis.cli import _registry_beside, _resolve_registry
from analysis.errors import DataError
from analysis.ingest import ingest, write_measures
from analysis.load import load
from analysis.registry import read_registry

WUHU = config.PROJECT_ROOT / "tests" / "fixtures" / "plans" / "wuhu_2025_docx" / "plan.docx"


@pytest.fixture
def wuhu(tmp_path):
    return write_measures(ingest([WUHU]), tmp_path / "measures.csv")


def test_the_seed_keeps_its_hand_made_registry():
    assert _registry_beside(config.RAW_DIR) == config.UNITS_CSV


def test_plans_without_a_registry_get_one_proposed_and_loaded(wuhu, tmp_path):
    out = tmp_path / "out"
    path, proposal, _ = _resolve_registry(wuhu, None, out=out, raw_dir=tmp_path / "nowhere", propose_missing=False)
    assert path == out / "units.csv" and (out / "units.decisions.csv").exists()
    units = read_registry(path).set_index("unit")
    # the 9 written names of the Wuhu excerpt, typed by hand: 7 city bureaus, 2 collectives
    assert len(units) == 9
    assert sorted(units.index[units["is_collective"]]) == ["各县市区政府", "开发区管委会"]
    assert units.loc["市财政局", "system"] == "government"
    ds = load(wuhu, path)
    assert len(ds.measures) == 9 and len(proposal.decisions) == 9


def test_without_out_the_proposal_has_nowhere_to_go(wuhu, tmp_path):
    with pytest.raises(DataError, match=r"no registry .*give --out"):
        _resolve_registry(wuhu, None, out=None, raw_dir=tmp_path, propose_missing=False)


def test_a_given_registry_stays_authoritative(wuhu, tmp_path):
    given = tmp_path / "units.csv"
    given.write_text(
        "unit,aliases,name_en,system,is_collective,members,note\n"
        "市财政局,,City Finance Bureau,government,false,,\n"
        "市商务局,,City Commerce Bureau,government,false,,\n",
        encoding="utf-8",
    )
    _, proposal, rows = _resolve_registry(wuhu, given, out=tmp_path / "out", raw_dir=None, propose_missing=False)
    assert proposal is None  # nothing proposed silently: the build stops with the loader's error and these rows
    parts = rows.split(" ⏎ ")
    assert len(parts) == 5 and parts[0] == "市发展改革委,,City Development and Reform Bureau,government,false,,"
    assert parts[-1].endswith("(--propose-missing --out DIR writes them all)") and " … and 2 more " in parts[-1]
    path, _, _ = _resolve_registry(wuhu, given, out=tmp_path / "out", raw_dir=None, propose_missing=True)
    extended = read_registry(path)
    assert list(extended["unit"][:2]) == ["市财政局", "市商务局"] and len(extended) == 9
    assert Path(given).read_text(encoding="utf-8").count("\n") == 3  # the given file is not touched
