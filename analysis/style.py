"""One visual style for every chart and HTML view: colours per unit system, cluster and role.

Colours are Paul Tol's colour-blind-safe qualitative schemes ("muted" for systems, "bright"
then "light" for clusters), so static charts and the HTML views use the same colour for the
same thing.

>>> SYSTEM_COLORS["government"], cluster_color(1), cluster_color(8) == cluster_color(1)
('#44AA99', '#4477AA', False)
"""

from __future__ import annotations

__all__ = ["CLUSTER_PALETTE", "ROLE_COLORS", "SYSTEM_COLORS", "cluster_color"]

#: One colour per unit system (keys of :data:`analysis.registry.SYSTEMS`); grey for collectives.
SYSTEM_COLORS = {
    "party": "#CC6677",
    "congress": "#AA4499",
    "supervision": "#882255",
    "government": "#44AA99",
    "court": "#DDCC77",
    "procuratorate": "#999933",
    "public_security": "#332288",
    "mass_org": "#117733",
    "subdistrict": "#88CCEE",
    "collective": "#BBBBBB",
}

#: Cluster colours, Tol "bright" then "light" (grey left out: it means "collective").
CLUSTER_PALETTE = (
    "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377",
    "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#AAAA00",
)

#: Lead and responsible roles (edges, bars).
ROLE_COLORS = {"lead": "#222255", "responsible": "#99AACC", "lead+responsible": "#663333"}


def cluster_color(cluster: int) -> str:
    """Colour of cluster number `cluster` (1-based); cycles after the palette's 13 colours."""
    return CLUSTER_PALETTE[(int(cluster) - 1) % len(CLUSTER_PALETTE)]
