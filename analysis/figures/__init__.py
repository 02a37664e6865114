"""Publication charts: each chart is its data (a table) drawn; :func:`write_figures` saves them.

Every chart function has the shape ``chart(ds, tables=None, *, lang="zh") -> Figure``: `ds` is
the :class:`analysis.load.Dataset`, `tables` the dict of :func:`analysis.exports.analysis_tables`,
`lang` ``"zh"`` (Chinese labels, canonical unit names) or ``"en"`` (the registry's ``name_en``,
the English system labels of :data:`analysis.registry.SYSTEMS`, plan names from
``data/plan_names.csv``; a plan missing there is called by its ``plan_id``). A chart computes
the cheap workload tables it reads when `tables` leaves them out
(:data:`~analysis.figures.data.CHEAP_TABLES`); the cluster tables (``clusters``,
``colead_edges``, ``cluster_coassignment``) it must be given, or it says which one is missing:
they take 100 Louvain runs, which a chart never starts on its own.

The package, in the order a chart is made:

``labels``
    the zh/en texts (:data:`~analysis.figures.labels.TEXTS`), unit, plan and section names,
    wrapping, the "left out" note.
``data``
    one function per chart, ``<chart>_data(ds, tables, *, lang, …)``, returning a frame or a
    small dataclass of frames with exactly what the chart draws: bar values, rows in order,
    labels, the notes and their counts. It reads only the analysis tables and
    :mod:`analysis.facts`; tested by hand on the tiny fixture (``tests/test_figures_data.py``).
``draw_units``, ``draw_loads``, ``draw_network``, ``draw_clusters``
    one ``draw_<chart>(data, lang) -> Figure`` per chart (ranking and heatmap; Lorenz,
    collective share and units per measure; co-lead network; cluster stability and
    coalitions). A drawing counts nothing; colours come from :mod:`analysis.style` only.
``base``
    what the drawings share: a figure on an Agg canvas (no pyplot), the :func:`~analysis.figures.base.chart`
    wrapper (project style, one layout pass), notes under a chart, the systems' legend.
``charts``
    the chart functions (data, then drawing) and :data:`CHARTS`, file stem → chart, in the
    order the build writes them (a figure's bytes depend on the order of drawing calls).
``render``
    :func:`save_figure` (PNG, SVG, PDF with fixed metadata and an embedded TrueType subset of
    the CJK font), :func:`write_figures` and :func:`figures_in_background` (forked workers).
``checks``
    :func:`text_overlaps` and :func:`label_node_overlaps`, for tests.

Charts (file stems in :data:`CHARTS`):

``workload_ranking``
    measures per unit, stacked sole lead / co-lead / responsible; collectives in grey below.
``section_heatmap``
    measures per unit and section (all roles); collectives in grey below.
``lorenz``
    Lorenz curves of lead load (Σ 1/k) and responsible load over named units, Gini in the legend.
``colead_network``
    co-lead projection, nodes coloured by consensus cluster, seeded ForceAtlas2 layout.
``collective_share``
    per plan, share of responsible mentions given to collective placeholders and share of
    measures whose responsible units are all collectives.
``assignments_per_measure``
    distributions of the number of lead units and of responsible units per measure.
``cluster_stability``
    co-assignment matrix of the Louvain runs (share of runs in which two units share a community).
``lead_coalitions``
    UpSet-style chart of lead-unit sets that recur on two or more measures.

All text is set in the bundled Noto Sans CJK SC (:mod:`analysis.style`); files are
byte-identical on re-run (fixed metadata, fixed SVG hash salt, seeded layout). matplotlib is
imported only when a chart is drawn.

Examples
--------
>>> from analysis.load import load
>>> from analysis.figures import data
>>> ds = load()
>>> rows = data.workload_ranking_data(ds).rows
>>> rows.loc[0, "unit"], int(rows.loc[0, "n_sole_lead"]), int(rows.loc[0, "n_colead"])
('区司法局', 21, 53)
>>> fig = lorenz(ds, lang="en")
>>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][1:]
['Lead load (Gini 0.69)', 'Responsible load (Gini 0.60)']
"""

from __future__ import annotations

from .charts import (
    CHARTS,
    assignments_per_measure,
    cluster_stability,
    colead_network,
    collective_share,
    lead_coalitions,
    lorenz,
    section_heatmap,
    workload_ranking,
)
from .checks import label_node_overlaps, text_overlaps
from .data import TOP_UNITS, TOP_UNITS_HEATMAP, size_notes
from .labels import LANGS, plan_labels, section_labels, unit_labels
from .render import FORMATS, figure_chars, figures_in_background, save_figure, write_figures

__all__ = [
    "CHARTS",
    "FORMATS",
    "LANGS",
    "TOP_UNITS",
    "TOP_UNITS_HEATMAP",
    "assignments_per_measure",
    "cluster_stability",
    "colead_network",
    "collective_share",
    "figure_chars",
    "figures_in_background",
    "label_node_overlaps",
    "lead_coalitions",
    "lorenz",
    "plan_labels",
    "save_figure",
    "section_heatmap",
    "section_labels",
    "size_notes",
    "text_overlaps",
    "unit_labels",
    "workload_ranking",
    "write_figures",
]
