"""Lint and format are part of the suite, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import config

PATHS = ["analysis", "tests", "benchmarks"]


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["ruff-check", "ruff-format"])
def test_ruff(args):
    r = subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], cwd=config.PROJECT_ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
