"""What the build's and the notebooks' speed rests on: the shortcuts give the same bytes.

Speed itself is measured by ``benchmarks/seed_speed.py`` (never timed here).
"""

from __future__ import annotations

import multiprocessing
import pickle

import pandas as pd
import pytest

from analysis import config, exports, style
from analysis import figures as F
from analysis.figures import render as R
from analysis.forking import Forked


@pytest.fixture(scope="module")
def tiny_tables(tiny):
    return exports.analysis_tables(tiny, n_runs=10)


def _plain_png(fig) -> bytes:
    """The PNG the plain way: ``savefig`` with the layout of a 300-dpi draw frozen."""
    import io

    buf = io.BytesIO()
    with R._frozen_layout(fig), style.figure_style():
        fig.savefig(buf, format="png", dpi=style.DPI, metadata=R._METADATA["png"], pil_kwargs=style.PNG_OPTIONS)
    return buf.getvalue()


@pytest.mark.parametrize("name", ["lorenz", "workload_ranking", "colead_network"])
def test_png_of_the_layout_draw_is_the_png_of_savefig(tiny, tiny_tables, name):
    """A layout run instead of a draw, and the PNG taken from the draw that lays the figure
    out, give the bytes of the plain way (a draw in the chart function, a 300-dpi layout draw,
    then savefig)."""
    func = F.CHARTS[name]
    engine, png = R._layout_and_png(func(tiny, tiny_tables, lang="zh"))
    if png is None:  # no layout engine (the network): saved the ordinary way, nothing to compare
        assert engine is None and name == "colead_network"
        return
    assert png == _plain_png(_drawn(func, tiny, tiny_tables))
    assert png.startswith(b"\x89PNG")


def _drawn(func, ds, tables, lang="zh"):
    """The chart as the chart functions made it before: drawn once (not only laid out)."""
    with style.figure_style():
        fig = func.__wrapped__(ds, tables, lang=lang)
        fig.canvas.draw()
    return fig


def test_a_layout_run_leaves_the_positions_a_draw_leaves(tiny, tiny_tables):
    func = F.CHARTS["lorenz"]
    laid_out = func(tiny, tiny_tables, lang="en")
    drawn = _drawn(func, tiny, tiny_tables, lang="en")
    assert [tuple(ax.get_position().bounds) for ax in laid_out.axes] == [
        tuple(ax.get_position().bounds) for ax in drawn.axes
    ]


@pytest.mark.parametrize("workers", [None, 1], ids=["a worker per language", "one worker for both"])
def test_figures_in_background_write_what_write_figures_writes(tiny, tiny_tables, tmp_path, monkeypatch, workers):
    charts = ["lorenz", "collective_share"]
    here = F.write_figures(tiny, tiny_tables, tmp_path / "here", charts=charts, processes=1)
    started = []
    monkeypatch.setattr(R, "Forked", lambda jobs, *, workers: started.append(workers) or Forked(jobs, workers=workers))
    with F.figures_in_background(
        tiny, tiny_tables, tmp_path / "bg", charts=charts, processes=2, workers=workers
    ) as figure_files:
        (tmp_path / "meanwhile.txt").write_text("other work", encoding="utf-8")
        bg = figure_files()
    assert started == [workers or 2]
    assert list(bg) == list(here)  # same keys, same order (charts, then formats)
    assert len(bg) == 2 * 2 * 3
    for key in here:
        assert bg[key].read_bytes() == here[key].read_bytes(), key
    assert not multiprocessing.active_children()


def test_one_language_without_pdfs_is_spread_over_the_workers(tiny, tiny_tables, tmp_path, monkeypatch):
    charts = ["lorenz", "collective_share", "assignments_per_measure"]
    here = F.write_figures(
        tiny, tiny_tables, tmp_path / "here", langs=["zh"], formats=["png", "svg"], charts=charts, processes=1
    )
    calls = []
    original = R._write_lang
    monkeypatch.setattr(R, "_write_lang", lambda *a: calls.append(a[-1]) or original(*a))
    spread = F.write_figures(
        tiny, tiny_tables, tmp_path / "spread", langs=["zh"], formats=["png", "svg"], charts=charts, processes=2
    )
    assert calls == []  # drawn in the two forked workers, not here
    assert list(spread) == list(here) == [f"figures/{c}.{f}" for c in charts for f in ("png", "svg")]
    for key in here:
        assert spread[key].read_bytes() == here[key].read_bytes(), key


def test_an_error_beside_the_figure_workers_stops_them(tiny, tiny_tables, tmp_path):
    with (
        pytest.raises(RuntimeError, match="sheets failed"),
        F.figures_in_background(tiny, tiny_tables, tmp_path, charts=["lorenz"], processes=2),
    ):
        raise RuntimeError("sheets failed")
    assert not multiprocessing.active_children()


# --------------------------------------------------------------------------------------------
# The tables the notebooks share


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache" / "tables"


def _same_tables(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def test_cached_tables_are_the_computed_ones_and_computed_once(tiny, cache_dir, monkeypatch):
    from analysis import clusters

    first = exports.analysis_tables(tiny, n_runs=5, cache=True)
    files = list(cache_dir.glob("*.pickle"))
    assert len(files) == 1
    _same_tables(first, exports.analysis_tables(tiny, n_runs=5))

    def no_second_run(*a, **k):
        raise AssertionError("computed again")

    monkeypatch.setattr(clusters, "colead_clusters", no_second_run)
    again = exports.analysis_tables(tiny, n_runs=5, cache=True)
    _same_tables(first, again)
    assert again["summary"].set_index("metric").loc["louvain_runs", "value"] == "5"
    with pytest.raises(AssertionError, match="computed again"):  # "store" always computes
        exports.analysis_tables(tiny, n_runs=5, cache="store")


def test_another_dataset_or_option_is_another_key(tiny, cache_dir):
    from analysis.subset import subset

    exports.analysis_tables(tiny, n_runs=5, cache=True)
    exports.analysis_tables(tiny, n_runs=6, cache=True)
    exports.analysis_tables(tiny, n_runs=5, seed=7, cache=True)
    plan = sorted(tiny.measures["plan_id"].unique())[0]
    one = subset(tiny, plans=[plan])
    part = exports.analysis_tables(one, n_runs=5, cache=True)
    assert len(list(cache_dir.glob("*.pickle"))) == 4
    assert part["summary"].set_index("metric").loc["n_measures", "value"] == str(len(one.measures))
    # one changed cell of the registry: another key
    units = tiny.units.copy()
    units.loc[0, "name_en"] = units.loc[0, "name_en"] + " (renamed)"
    renamed = type(tiny)(tiny.measures, tiny.assignments, units)
    assert exports._cache_path(renamed, n_runs=5, seed=1) != exports._cache_path(tiny, n_runs=5, seed=1)


def test_an_unreadable_cache_file_is_computed_again(tiny, cache_dir):
    first = exports.analysis_tables(tiny, n_runs=5, cache=True)
    (path,) = cache_dir.glob("*.pickle")
    path.write_bytes(b"not a pickle")
    _same_tables(first, exports.analysis_tables(tiny, n_runs=5, cache=True))
    assert isinstance(pickle.loads(path.read_bytes()), dict)  # stored again


def test_a_cache_that_cannot_be_written_is_skipped(tiny, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setattr(config, "CACHE_DIR", blocker)  # a file where the folder would go
    tables = exports.analysis_tables(tiny, n_runs=5, cache=True)
    assert "summary" in tables


def test_cache_option_is_checked(tiny):
    with pytest.raises(ValueError, match="cache must be"):
        exports.analysis_tables(tiny, cache="yes")
