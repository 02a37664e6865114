"""Shared fixtures: the seed dataset (loaded once) and a tiny hand-checked dataset."""

from __future__ import annotations

import pytest
from hypothesis import settings

from analysis import config
from analysis.ingest import ingest
from analysis.load import load

# Property tests draw the same examples on every run (the suite's random steps are seeded);
# a failure found once stays as an explicit @example.
settings.register_profile("deterministic", derandomize=True)
settings.load_profile("deterministic")


@pytest.fixture(scope="session")
def seed_doc():
    """The seed text as parsed by the ingest."""
    return ingest([config.SEED])


@pytest.fixture(scope="session")
def seed(tmp_path_factory, seed_doc):
    """The seed dataset, ingested afresh into a temporary folder (not the committed CSV)."""
    from analysis.ingest import write_measures

    path = write_measures(seed_doc, tmp_path_factory.mktemp("seed") / "measures.csv")
    return load(path, config.UNITS_CSV)


@pytest.fixture
def write(tmp_path):
    """Write text to a file in tmp_path and return its path: ``write("a.txt", "…")``."""

    def _write(name, text, encoding="utf-8"):
        p = tmp_path / name
        p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        return p

    return _write


TINY_DIR = config.PROJECT_ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture(scope="session")
def tiny():
    """Twelve measures, five named units and two collectives; every answer worked out by hand.

    See ``tests/fixtures/tiny/``: 区甲局 leads six measures (three alone), 区乙局/区丙局 co-lead
    three, 区委丁部 and 区戊院 co-lead two; P1-05 names 区甲局 as lead (spelled 区甲委) and as
    responsible; P2-03 has no responsible unit.
    """
    return load(TINY_DIR / "measures.csv", TINY_DIR / "units.csv")
