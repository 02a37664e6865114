"""Charts: real content on the tiny fixture, no missing glyph, deterministic files, embedded fonts.

Every test here turns warnings into errors, so matplotlib's "Glyph … missing from font(s)"
UserWarning (a tofu box in the output) fails the test.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from analysis import figures as F
from analysis import style

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def tiny_tables(tiny):
    from analysis.exports import analysis_tables

    return analysis_tables(tiny, n_runs=10)


def _bars(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def _ytick_texts(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(F.CHARTS))
def test_every_chart_draws_on_tiny_without_missing_glyphs(tiny, tiny_tables, name, lang):
    fig = F.CHARTS[name](tiny, tiny_tables, lang=lang)
    fig.canvas.draw()  # text is laid out (and glyphs looked up) here
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    has_cjk = bool(re.search(r"[\u4e00-\u9fff]", texts))
    assert has_cjk == (lang == "zh"), name


def test_font_is_the_bundled_noto_sans_cjk_and_no_fallback(tiny, tiny_tables):
    from matplotlib import font_manager

    path = style.cjk_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf" and "SimHei" not in str(path)
    assert style.register_cjk_font() == "Noto Sans CJK SC"
    assert style.rc_params()["font.sans-serif"] == ["Noto Sans CJK SC"]
    with style.figure_style():
        found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False)
    assert found == str(path)


def test_a_missing_glyph_is_an_error():
    fig = F._new_figure(2, 1)
    with style.figure_style():
        fig.text(0.1, 0.5, "\U0001d11e")  # musical G clef: not in Noto Sans CJK
        with pytest.raises(UserWarning, match="missing from font"):
            fig.canvas.draw()


def test_workload_ranking_bars_are_the_hand_counts(tiny, tiny_tables):
    ax = F.workload_ranking(tiny, tiny_tables).axes[0]
    units = _ytick_texts(ax)
    # Sorted by measures led: 区甲局 6 (3 alone), 区乙局 4, 区戊院 4 (1 alone), then the collectives.
    assert units == ["区甲局", "区戊院", "区乙局", "区委丁部", "区丙局", "区直有关部门", "各街办"]
    got = {
        key: dict(zip(units, (p.get_width() for p in _bars(ax, key)), strict=True))
        for key in ("sole_lead", "co_lead", "responsible")
    }
    assert (got["sole_lead"]["区甲局"], got["co_lead"]["区甲局"], got["responsible"]["区甲局"]) == (3, 3, 3)
    assert (got["sole_lead"]["区乙局"], got["co_lead"]["区乙局"], got["responsible"]["区乙局"]) == (0, 4, 2)
    assert got["responsible"]["区直有关部门"] == 4 and got["responsible"]["各街办"] == 2
    # Collectives are grey, named units are not.
    colors = {u: p.get_facecolor() for u, p in zip(units, _bars(ax, "responsible"), strict=True)}
    from matplotlib.colors import to_rgba

    assert colors["各街办"] == to_rgba(style.COLLECTIVE_COLOR)
    assert colors["区甲局"] == to_rgba(style.WORKLOAD_COLORS["responsible"])


def test_workload_ranking_english_uses_registry_names(tiny, tiny_tables):
    ax = F.workload_ranking(tiny, tiny_tables, lang="en").axes[0]
    assert _ytick_texts(ax)[:2] == ["Bureau A", "Court E"]
    assert F.text_overlaps(ax.figure, texts=ax.get_yticklabels()) == []


def test_heatmap_has_one_cell_per_unit_and_section(tiny, tiny_tables):
    ax = F.section_heatmap(tiny, tiny_tables).axes[0]
    meshes = {m.get_gid(): m for m in ax.collections}
    # 5 named units + 2 collectives, 3 sections (P1 §1, P1 §2, P2 §1).
    assert meshes["named"].get_array().shape == (5, 3)
    assert meshes["collective"].get_array().shape == (2, 3)
    cells = [t for t in ax.texts if t.get_gid() == "cell"]
    total = tiny_tables["workload_by_section"]["n_total"]
    assert sorted(int(t.get_text()) for t in cells) == sorted(total[total > 0].tolist())
    assert sum(int(t.get_text()) for t in cells) == total.sum()


def test_lorenz_legend_shows_gini(tiny, tiny_tables):
    for lang, lead in (("zh", "牵头负荷 (Gini 0.22)"), ("en", "Lead load (Gini 0.22)")):
        ax = F.lorenz(tiny, tiny_tables, lang=lang).axes[0]
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert lead in labels
        assert any(label.endswith("(Gini 0.25)") for label in labels)
    line = next(li for li in ax.get_lines() if li.get_gid() == "lead_share")
    np.testing.assert_allclose(line.get_ydata(), [0, 2 / 18, 0.263889, 0.430556, 0.638889, 1], atol=1e-6)


def test_colead_network_nodes_colours_and_labels(tiny, tiny_tables):
    fig = F.colead_network(tiny, tiny_tables)
    ax = fig.axes[0]
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    assert len(nodes.get_offsets()) == 5
    colors = {tuple(np.round(c, 4)) for c in nodes.get_facecolors()}
    from matplotlib.colors import to_rgba

    assert colors == {tuple(np.round(to_rgba(style.cluster_color(c)), 4)) for c in (1, 2)}
    labels = [t for t in ax.texts if t.get_text()]
    assert sorted(t.get_text() for t in labels) == sorted(["区甲局", "区乙局", "区丙局", "区委丁部", "区戊院"])
    assert F.text_overlaps(fig, texts=labels) == []


def test_colead_network_is_seeded(tiny, tiny_tables):
    a = F.colead_network(tiny, tiny_tables).axes[0]
    b = F.colead_network(tiny, tiny_tables).axes[0]
    assert [t.get_position() for t in a.texts] == [t.get_position() for t in b.texts]


def test_collective_share_per_plan(tiny, tiny_tables):
    fig = F.collective_share(tiny, tiny_tables)
    ax1, ax2 = fig.axes[:2]
    # P1 and P2: 3 of 7 responsible mentions go to collectives; all plans 6 of 14.
    np.testing.assert_allclose([p.get_width() for p in _bars(ax1, "collective")], [3 / 7, 3 / 7, 6 / 14])
    # Measures with only collectives responsible: P1-03, P1-06 | P2-02, P2-06.
    np.testing.assert_allclose([p.get_width() for p in _bars(ax2, "only")], [2 / 6, 2 / 6, 4 / 12])
    assert _ytick_texts(ax1) == ["P1 甲方案", "P2 乙方案", "全部方案"]
    en = F.collective_share(tiny, tiny_tables, lang="en").axes[0]
    assert _ytick_texts(en) == ["P1 Plan P1", "P2 Plan P2", "All plans"]


def test_assignments_per_measure_distributions(tiny, tiny_tables):
    ax1, ax2 = F.assignments_per_measure(tiny, tiny_tables).axes[:2]
    assert [p.get_height() for p in _bars(ax1, "lead")] == [5, 6, 1]  # 1, 2, 3 leads
    # 0, 1, 2 responsible units; P2-03 has none; P1-03, P1-06, P2-06 and P2-02 only collectives.
    assert [p.get_height() for p in _bars(ax2, "named")] == [1, 5, 2]
    assert [p.get_height() for p in _bars(ax2, "only_collective")] == [0, 3, 1]


def test_cluster_stability_matrix(tiny, tiny_tables):
    ax = F.cluster_stability(tiny, tiny_tables).axes[0]
    img = ax.get_images()[0].get_array()
    assert img.shape == (5, 5)
    assert _ytick_texts(ax) == ["区甲局", "区乙局", "区丙局", "区戊院", "区委丁部"]
    np.testing.assert_array_equal(img, _block(3, 2))
    assert len([p for p in ax.patches if p.get_gid() == "cluster"]) == 2


def _block(*sizes):
    n = sum(sizes)
    out = np.zeros((n, n))
    start = 0
    for s in sizes:
        out[start : start + s, start : start + s] = 1
        start += s
    return out


def test_lead_coalitions_upset(tiny, tiny_tables):
    fig = F.lead_coalitions(tiny, tiny_tables)
    ax_bar, ax_mat, ax_set = fig.axes
    # Recurring lead sets (≥ 2 units, ≥ 2 measures): {区丙局, 区乙局} and {区委丁部, 区戊院}, twice each.
    assert [p.get_height() for p in _bars(ax_bar, "coalitions")] == [2, 2]
    assert F._coalitions(tiny, min_size=2, min_measures=2) == [(("区丙局", "区乙局"), 2), (("区委丁部", "区戊院"), 2)]
    assert sorted(_ytick_texts(ax_set)) == sorted(["区丙局", "区乙局", "区委丁部", "区戊院"])
    members = [c for c in ax_mat.collections if c.get_gid() == "member"]
    assert sum(len(c.get_offsets()) for c in members) == 4
    # Nothing recurs three times: a plain message instead of an empty chart.
    fig = F.lead_coalitions(tiny, tiny_tables, min_measures=3)
    assert "No set" in F.lead_coalitions(tiny, tiny_tables, lang="en", min_measures=3).texts[0].get_text()
    assert not fig.axes


def test_plan_labels(tiny, seed):
    assert F.plan_labels(tiny) == {"P1": "甲方案", "P2": "乙方案"}
    assert F.plan_labels(tiny, "en") == {"P1": "Plan P1", "P2": "Plan P2"}
    assert F.plan_labels(seed, "en")["P1"] == "Rule of Law in Xialu Plan 2021–2025"
    with pytest.raises(ValueError, match="lang"):
        F.plan_labels(tiny, "fr")


def test_write_figures_is_byte_identical_with_embedded_font_and_no_date(tiny, tiny_tables, tmp_path):
    charts = ["lorenz", "colead_network"]
    a = F.write_figures(tiny, tiny_tables, tmp_path / "a", charts=charts)
    b = F.write_figures(tiny, tiny_tables, tmp_path / "b", charts=charts)
    assert sorted(a) == sorted(
        f"figures/{lang}{name}.{fmt}" for lang in ("", "en/") for name in charts for fmt in ("png", "svg", "pdf")
    )
    for key in a:
        assert a[key].read_bytes() == b[key].read_bytes(), key
    pdf = a["figures/lorenz.pdf"].read_bytes()
    assert b"/FontFile" in pdf and b"NotoSansCJKsc-Regular" in pdf
    assert b"CreationDate" not in pdf
    svg = a["figures/lorenz.svg"].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "<path" in svg
    png = a["figures/en/lorenz.png"].read_bytes()
    assert b"Software" not in png
    from matplotlib.image import imread

    _, w = imread(a["figures/lorenz.png"]).shape[:2]
    assert w == round(style.WIDTH * 0.62 * style.DPI)  # 300 dpi


def test_charts_do_not_import_matplotlib_until_drawn():
    import subprocess
    import sys

    code = "import sys, analysis.figures, analysis.style, analysis.cli; print('matplotlib' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


def test_charts_show_themselves_in_jupyter_with_chinese_glyphs(tiny):
    """A returned chart has a PNG repr drawn in the project style: no missing-glyph warning."""
    import warnings

    from analysis import figures

    fig = figures.workload_ranking(tiny, lang="zh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = fig._repr_png_()
    assert png.startswith(b"\x89PNG")
