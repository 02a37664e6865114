"""Every path the project uses, in one place.

Notebooks, tests and commands import these names and never type a path. Commands take their
inputs and outputs as options whose defaults come from here, so a user can point them at their
own data without touching the project's files.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "CACHE_DIR",
    "DATA_DIR",
    "FIGURES_DIR",
    "GLOSSARY_CSV",
    "MEASURES_CSV",
    "NOTEBOOKS_DIR",
    "PLAN_NAMES_CSV",
    "PROJECT_ROOT",
    "RANDOM_SEED",
    "RAW_DIR",
    "REPORTS_DIR",
    "SECTION_NAMES_CSV",
    "SEED",
    "UNITS_CSV",
    "raw_sources",
    "skipped_sources",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
#: A pooled corpus, one folder per government (``data/corpus/<government>/plan.*``), that the
#: main job compares (``reports/corpus/``, ``figures/corpus/``).
CORPUS_DIR = DATA_DIR / "corpus"
MEASURES_CSV = DATA_DIR / "measures.csv"
UNITS_CSV = DATA_DIR / "units.csv"
#: Glossary of Chinese government bodies (functional types, systems, written forms), shipped in the package.
GLOSSARY_CSV = Path(__file__).resolve().parent / "glossary.csv"
#: English plan names for the charts, keyed by plan title (hand-maintained).
PLAN_NAMES_CSV = DATA_DIR / "plan_names.csv"
#: Short English section names for the charts, keyed by section title (hand-maintained).
SECTION_NAMES_CSV = DATA_DIR / "section_names.csv"
FIGURES_DIR = PROJECT_ROOT / "figures"
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

#: The Xialu District plan of June 2023, a verbatim copy of the published page text.
SEED = RAW_DIR / "xialu_2023-06-22_rule_of_law_plans_division_of_labour.txt"

#: Cache of derived files that are costly to make and safe to delete (fonts converted for PDF).
#: ``$ANALYSIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/analysis``, else ``~/.cache/analysis``.
CACHE_DIR = Path(
    os.environ.get("ANALYSIS_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "analysis"
)

#: Seed used by every random step (layouts, Louvain, permutation tests) unless told otherwise.
RANDOM_SEED = 20230622


def raw_sources(raw_dir: Path = RAW_DIR) -> list[Path]:
    """The plan files in `raw_dir` that a reader exists for (the suffixes of ``readers.FORMATS``),
    sorted by name so plan ids are stable."""
    from .readers import supported

    return sorted(p for p in Path(raw_dir).iterdir() if p.is_file() and supported(p) and not p.name.startswith("."))


def skipped_sources(raw_dir: Path = RAW_DIR) -> list[Path]:
    """Files in `raw_dir` no reader exists for (notes such as ``*.md`` and hidden files aside)."""
    from .readers import supported

    return sorted(
        p
        for p in Path(raw_dir).iterdir()
        if p.is_file() and not supported(p) and not p.name.startswith(".") and p.suffix.lower() not in (".md", ".json")
    )
