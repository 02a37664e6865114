"""One visual style for every chart and HTML view: colours, sizes, the CJK font, rcParams.

Colours are Paul Tol's colour-blind-safe qualitative schemes ("muted" for systems, "bright"
then "light" for clusters), so static charts and the HTML views use the same colour for the
same thing. Collective placeholders (区直有关部门 …) are always grey (:func:`unit_color`).

Chinese text is set in Noto Sans CJK SC (SIL Open Font License), shipped by the pip package
``mplfonts`` and registered with matplotlib at run time by :func:`register_cjk_font`: no
``mplfonts init``, no font-cache rebuild, no system font. :func:`figure_style` applies the
project's rcParams (font, sizes, deterministic SVG/PDF output) inside a ``with`` block instead
of changing matplotlib's global state. Nothing here imports matplotlib at module level, so the
HTML views and commands that draw no chart never load it.

>>> SYSTEM_COLORS["government"], cluster_color(1), cluster_color(8) == cluster_color(1)
('#44AA99', '#4477AA', False)
>>> unit_color("collective", is_collective=True) == unit_color("subdistrict", is_collective=True) == COLLECTIVE_COLOR
True
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from pathlib import Path

__all__ = [
    "CLUSTER_PALETTE",
    "COLLECTIVE_COLOR",
    "DPI",
    "FONT_FAMILY",
    "FONT_SIZES",
    "HEATMAP_CMAP",
    "HEATMAP_CMAP_COLLECTIVE",
    "ROLE_COLORS",
    "SYSTEM_COLORS",
    "WIDTH",
    "WORKLOAD_COLORS",
    "cjk_font_path",
    "cluster_color",
    "figure_style",
    "rc_params",
    "register_cjk_font",
    "unit_color",
]

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
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#AAAA00",
)

#: Lead and responsible roles (edges, bars).
ROLE_COLORS = {"lead": "#222255", "responsible": "#99AACC", "lead+responsible": "#663333"}


def cluster_color(cluster: int) -> str:
    """Colour of cluster number `cluster` (1-based); cycles after the palette's 13 colours."""
    return CLUSTER_PALETTE[(int(cluster) - 1) % len(CLUSTER_PALETTE)]


#: Grey for collective placeholders, wherever they appear (same as the "collective" system).
COLLECTIVE_COLOR = SYSTEM_COLORS["collective"]

#: Workload ranking segments: sole lead (dark), co-lead (medium), responsible (light), Tol blues.
WORKLOAD_COLORS = {
    "sole_lead": ROLE_COLORS["lead"],
    "co_lead": "#4477AA",
    "responsible": ROLE_COLORS["responsible"],
}

#: Sequential colour maps (monotone lightness, colour-blind safe): named units and collectives.
HEATMAP_CMAP = "YlGnBu"
HEATMAP_CMAP_COLLECTIVE = "Greys"

#: Raster resolution of the PNG files.
DPI = 300
#: Figure width in inches: fits an A4 page or a 16:9 slide at full width.
WIDTH = 7.5
#: Font sizes in points (at 100 % zoom of a WIDTH-inch figure).
FONT_SIZES = {"base": 9, "small": 7.5, "tiny": 6.5, "title": 11}

#: Family name of the bundled CJK font (it also covers Latin letters and digits).
FONT_FAMILY = "Noto Sans CJK SC"
_FONT_PACKAGE = "mplfonts"
_FONT_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")


def unit_color(system: str, *, is_collective: bool = False) -> str:
    """Colour of a unit: grey for a collective placeholder, else its system's colour."""
    return COLLECTIVE_COLOR if is_collective else SYSTEM_COLORS.get(system, COLLECTIVE_COLOR)


def cjk_font_path() -> Path:
    """Path of Noto Sans CJK SC Regular as shipped by the ``mplfonts`` package.

    The package is located without importing it (importing it would touch matplotlib's
    settings). Raises ``RuntimeError`` with the install command if it is missing.
    """
    spec = importlib.util.find_spec(_FONT_PACKAGE)
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        path = Path(root).joinpath(*_FONT_FILE)
        if path.is_file():
            return path
    raise RuntimeError(
        "Noto Sans CJK SC not found: install the font package with "
        "`pip install -r requirements.txt` (it pins mplfonts, which ships the font)"
    )


@functools.cache
def register_cjk_font() -> str:
    """Add the bundled CJK font to matplotlib's font manager (once per process); return its family."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    if name != FONT_FAMILY:  # pragma: no cover - a different font file under the same path
        raise RuntimeError(f"{path} is {name!r}, expected {FONT_FAMILY!r}")
    return name


def rc_params() -> dict:
    """The project's matplotlib rcParams: bundled font only, sizes, deterministic output.

    ``font.sans-serif`` lists only the bundled font, so a missing glyph shows up as
    matplotlib's "Glyph … missing from font(s)" warning (an error in the tests) instead of a
    silent fall-back to whatever the machine has. SVG text is drawn as paths (opens the same
    everywhere, no font needed); PDF embeds a TrueType/CFF subset (type 42: text stays
    selectable in Word and slides).
    """
    fs = FONT_SIZES
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY],
        "font.size": fs["base"],
        "axes.titlesize": fs["title"],
        "axes.labelsize": fs["base"],
        "xtick.labelsize": fs["small"],
        "ytick.labelsize": fs["small"],
        "legend.fontsize": fs["small"],
        "legend.title_fontsize": fs["base"],
        "figure.titlesize": fs["title"],
        "axes.unicode_minus": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "axes.grid": False,
        "grid.color": "#DDDDDD",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "savefig.dpi": DPI,
        "savefig.facecolor": "white",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "analysis-figures",
        "image.cmap": HEATMAP_CMAP,
        # data text is drawn as written: a unit name with `$…$` is not read as mathtext
        # (which would raise on bad TeX or change what is shown)
        "text.parse_math": False,
    }


@contextlib.contextmanager
def figure_style():
    """Apply :func:`rc_params` (after registering the CJK font) inside a ``with`` block.

    Charts are built as ``matplotlib.figure.Figure`` objects, not through pyplot, so no
    backend is chosen and nothing is kept in pyplot's figure registry; saving uses Agg.
    Save inside the block too: some settings (SVG hash salt, PDF font type) are read then.
    """
    import matplotlib

    register_cjk_font()
    with matplotlib.rc_context(rc_params()):
        yield
