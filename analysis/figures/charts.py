"""The charts: each is its data (:mod:`analysis.figures.data`) drawn (``draw_*`` modules).

Every chart has the shape ``chart(ds, tables=None, *, lang="zh", …) -> Figure`` and runs in the
project style, laid out once before it is returned (:func:`analysis.figures.base.chart`).
:data:`CHARTS` lists them in the order the build writes them.
"""

from __future__ import annotations

from ..config import RANDOM_SEED
from . import data as D
from .base import chart
from .draw_clusters import draw_cluster_stability, draw_lead_coalitions
from .draw_loads import draw_assignments_per_measure, draw_collective_share, draw_lorenz
from .draw_network import draw_colead_network
from .draw_units import draw_section_heatmap, draw_workload_ranking

__all__ = [
    "CHARTS",
    "assignments_per_measure",
    "cluster_stability",
    "colead_network",
    "collective_share",
    "lead_coalitions",
    "lorenz",
    "section_heatmap",
    "workload_ranking",
]


@chart
def workload_ranking(ds, tables=None, *, lang: str = "zh", collectives: bool = True, top: int | None = D.TOP_UNITS):
    """Measures per unit, stacked: sole lead, co-lead, responsible; sorted by measures led.

    The `top` named units first (a square in their system's colour before the name; ``None``:
    all that fit the page), then, when `collectives` is true, the collective placeholders in
    grey. A note under the chart says how many named units are left out and how much each of
    them carries at most (the full list is ``reports/workload.csv``). Legends list only the
    roles and systems drawn. Data: :func:`~analysis.figures.data.workload_ranking_data`.
    """
    data = D.workload_ranking_data(ds, tables, lang=lang, collectives=collectives, top=top)
    return draw_workload_ranking(data, lang)


@chart
def section_heatmap(
    ds, tables=None, *, lang: str = "zh", value: str = "n_total", top: int | None = D.TOP_UNITS_HEATMAP
):
    """Measures per unit (rows) and section (columns); `value` is ``n_total``, ``n_lead`` or ``n_responsible``.

    The `top` named units in the ranking's order on a blue scale (the rest are counted in a
    note), then collective placeholders on a grey scale; each non-empty cell shows its count.
    Columns are every section of every plan, in source order, grouped by plan, named by
    :func:`~analysis.figures.section_labels`. Data: :func:`~analysis.figures.data.section_heatmap_data`.
    """
    return draw_section_heatmap(D.section_heatmap_data(ds, tables, lang=lang, value=value, top=top), lang)


@chart
def lorenz(ds, tables=None, *, lang: str = "zh"):
    """Lorenz curves of lead load (``lead_share``) and responsible load (``n_responsible``).

    Named units only; the legend gives each curve's Gini coefficient.
    Data: :func:`~analysis.figures.data.lorenz_data`.
    """
    return draw_lorenz(D.lorenz_data(ds, tables, lang=lang), lang)


@chart
def colead_network(ds, tables=None, *, lang: str = "zh", seed: int = RANDOM_SEED):
    """Co-lead projection: units that lead measures together, coloured by consensus cluster.

    Node area grows with the measures a unit leads, line width with the measures two units
    lead together. Seeded layout; each label is put next to its node where it covers no node
    and no other label (greedy and deterministic). Needs the tables ``clusters`` and
    ``colead_edges``. Data: :func:`~analysis.figures.data.colead_network_data`.
    """
    return draw_colead_network(D.colead_network_data(ds, tables, lang=lang), lang, seed=seed)


@chart
def collective_share(ds, tables=None, *, lang: str = "zh"):
    """Per plan and for all plans: responsible mentions given to collective placeholders
    (named vs collective, 100 % bars) and the share of measures whose responsible units are
    all collectives. Data: :func:`~analysis.figures.data.collective_share_data`."""
    return draw_collective_share(D.collective_share_data(ds, tables, lang=lang), lang)


@chart
def assignments_per_measure(ds, tables=None, *, lang: str = "zh"):
    """Distributions of lead units per measure and of responsible units per measure.

    Responsible bars are split into measures naming at least one named unit and measures
    naming only collective placeholders (grey); a measure without a responsible line is the
    bar at 0. Data: :func:`~analysis.figures.data.assignments_per_measure_data`.
    """
    return draw_assignments_per_measure(D.assignments_per_measure_data(ds, tables, lang=lang), lang)


@chart
def cluster_stability(ds, tables=None, *, lang: str = "zh"):
    """Co-assignment matrix: share of Louvain runs in which two lead units share a community.

    Units ordered by consensus cluster (coloured strips and outlines), then by measures led.
    In English the columns carry row numbers instead of the long names. Needs the tables
    ``clusters`` and ``cluster_coassignment``. Data: :func:`~analysis.figures.data.cluster_stability_data`.
    """
    return draw_cluster_stability(D.cluster_stability_data(ds, tables, lang=lang), lang)


@chart
def lead_coalitions(
    ds, tables=None, *, lang: str = "zh", min_size: int = 2, min_measures: int = 2, max_coalitions: int = 20
):
    """UpSet-style chart of recurring lead coalitions.

    A coalition is the exact set of lead units of a measure (at least `min_size` units); those
    that lead at least `min_measures` measures are shown (at most `max_coalitions`, most
    frequent first). Top: measures per coalition; matrix: its members (one row per unit);
    left: all measures each unit leads, for scale. Drawn by hand: upsetplot 0.9.0 fails under
    pandas 3. Data: :func:`~analysis.figures.data.lead_coalitions_data`.
    """
    data = D.lead_coalitions_data(
        ds, tables, lang=lang, min_size=min_size, min_measures=min_measures, max_coalitions=max_coalitions
    )
    return draw_lead_coalitions(data, lang)


#: File stem → chart function, in the order the build writes them.
CHARTS = {
    "workload_ranking": workload_ranking,
    "section_heatmap": section_heatmap,
    "lorenz": lorenz,
    "colead_network": colead_network,
    "collective_share": collective_share,
    "assignments_per_measure": assignments_per_measure,
    "cluster_stability": cluster_stability,
    "lead_coalitions": lead_coalitions,
}
