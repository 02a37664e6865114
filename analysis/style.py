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
    "MAX_HEIGHT",
    "MIN_FONT_SIZE",
    "PNG_OPTIONS",
    "ROLE_COLORS",
    "SYSTEM_COLORS",
    "WIDTH",
    "WORKLOAD_COLORS",
    "cjk_font_path",
    "cluster_color",
    "figure_style",
    "rc_params",
    "register_cjk_font",
    "truetype_font",
    "unit_categories",
    "unit_category",
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
    # Systems added with the glossary (analysis/glossary.csv): Tol "vibrant", which no other
    # palette here uses; red for "other" (untyped names, to review).
    "township": "#33BBEE",
    "zone": "#EE3377",
    "cppcc": "#EE7733",
    "vertical": "#0077BB",
    "other": "#CC3311",
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

#: Bars inside the notebooks' tables (:func:`analysis.narrative.styled`): Tol's pale cyan.
TABLE_BAR_COLOR = "#88CCEE"

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
#: zlib level of every PNG (charts, notebook images): level 3 encodes the seed's 16 chart PNGs
#: in 1.4 s CPU where matplotlib's default (Pillow's 6) takes 2.3 s, and the files are about
#: as large (the 20 committed chart PNGs together 0.1 % larger); the pixels are the same.
PNG_OPTIONS = {"compress_level": 3}
#: Largest figure in inches (15.9 × 22.9 cm): fits the text block of an A4 Word page with
#: 2.5 cm margins (16 × 24.7 cm) at 100 %, so Word never shrinks a chart's text.
WIDTH = 6.25
MAX_HEIGHT = 9.0
#: Font sizes in points at 100 %; nothing smaller than 7 pt (the tests check every text).
FONT_SIZES = {"base": 8.5, "small": 7.5, "tiny": 7, "title": 10}
MIN_FONT_SIZE = 7

#: Family name of the bundled CJK font (it also covers Latin letters and digits).
FONT_FAMILY = "Noto Sans CJK SC"
_FONT_PACKAGE = "mplfonts"
_FONT_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")

# ---- chart colours (figures)
#: Notes under a chart and the totals written after the ranking's bars.
NOTE_COLOR = "#444444"
#: Values written on a light bar or heatmap cell.
VALUE_TEXT_COLOR = "#222222"
#: The line between named units and collectives (ranking), above "all plans" (collective share).
SEPARATOR_COLOR = "#777777"
#: The "collective placeholders" label over the ranking's grey rows.
GROUP_LABEL_COLOR = "#555555"
#: Workload ranking segments of a collective placeholder: greys, darkest for sole lead.
COLLECTIVE_SEGMENT_COLORS = {"sole_lead": "#555555", "co_lead": "#888888", "responsible": COLLECTIVE_COLOR}
#: Heatmap lines between plans and between named units and collectives.
BLOCK_LINE_COLOR = "#333333"
#: Lorenz chart: the diagonal of perfect equality and the responsible-load curve.
EQUALITY_COLOR = "#999999"
RESPONSIBLE_LOAD_COLOR = "#6688BB"
#: Co-lead network: the ties, and the leader line from a node to a label placed away from it.
NETWORK_EDGE_COLOR = "#888888"
LEADER_COLOR = "#555555"
#: Coalition matrix: the empty dots and every other row's stripe.
MATRIX_DOT_COLOR = "#DDDDDD"
MATRIX_STRIPE_COLOR = "#F4F4F4"

# ---- view and sheet colours
# The HTML views (analysis.views, analysis/templates), the task-sheet workbook and the printable
# task pages (analysis.sheets). Role colours are ROLE_COLORS wherever a role is shown.
__all__ += ["PAGE_COLORS", "SHEET_COLORS", "SHEET_ROLE_FILLS", "VIEW_COLORS"]

#: HTML views: measure squares, co-lead ties between two clusters, the notebook iframe's border.
VIEW_COLORS = {"measure": "#8C96A0", "cross_cluster": "#AAAAAA", "frame_border": "#ddd"}
#: Task-sheet workbook (openpyxl takes them without the ``#``): header row (head), collective rows, the
#: columns a unit fills in, cell borders (grid), internal links.
SHEET_COLORS = {"head": "#DDE3EC", "collective": "#EEEEEE", "fill_in": "#FFF8DC", "grid": "#BBBBBB", "link": "#0563C1"}
#: Role cells of the role-matrix sheet: light tints of the ROLE_COLORS (lead, responsible, both).
SHEET_ROLE_FILLS = {"L": "#B9C3E0", "R": "#DCE3F0", "L+R": "#E8C4C4"}
#: Printable task pages (CSS): body text, the meta line, English names, page numbers and notes (dim),
#: table grid, header row (the workbook's), plan rows; lead and both-role cells take ROLE_COLORS.
PAGE_COLORS = {"text": "#111", "meta": "#333", "english": "#444", "dim": "#555", "grid": "#999", "plan": "#f0f0f0"}
PAGE_COLORS["header"] = SHEET_COLORS["head"].lower()


def unit_category(system: str, *, is_collective: bool = False) -> str:
    """The one classification of a unit for colours and legends: ``"collective"`` for a
    collective placeholder (whatever its ``system``: 各街办 is a ``subdistrict`` collective),
    else its ``system``. Charts and HTML views colour and group units by this key.

    >>> unit_category("subdistrict", is_collective=True), unit_category("court")
    ('collective', 'court')
    """
    return "collective" if is_collective else system


def unit_categories(units) -> dict[str, str]:
    """:func:`unit_category` of every unit of a registry frame (``unit``, ``system``, ``is_collective``)."""
    return {
        u: unit_category(s, is_collective=bool(c))
        for u, s, c in zip(units["unit"], units["system"], units["is_collective"], strict=True)
    }


def unit_color(system: str, *, is_collective: bool = False) -> str:
    """Colour of a unit: grey for a collective placeholder, else its system's colour."""
    return SYSTEM_COLORS.get(unit_category(system, is_collective=is_collective), COLLECTIVE_COLOR)


#: Characters every PDF font carries, whatever the chart's text: ASCII and common punctuation.
_BASE_CHARS = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("−–—…·×≥≤§Σ%‰°“”‘’、,。:;()《》「」【】")


@functools.cache
def _file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def truetype_font(chars, *, source: Path | None = None, cache_dir: Path | None = None) -> Path:
    """A TrueType-outline copy of the CJK font for `chars`, for PDF embedding; returns its path.

    Noto Sans CJK is a CFF-based OpenType font. matplotlib's PDF backend (type 42) embeds any
    font as ``CIDFontType2`` with ``/FontFile2``, which the PDF standard reserves for TrueType
    (``glyf``) outlines: poppler warns and Ghostscript and MuPDF drop the text. So the glyphs of
    `chars` (plus ASCII and common punctuation) are converted once from cubic CFF curves to
    quadratic TrueType curves with fontTools (cu2qu, at most 1/1000 em off), and the result is
    cached as ``CACHE_DIR/fonts/<sha256 of the source font>-r<recipe>-fonttools<version>/
    <sha256 of the characters>.ttf``.

    The copy is a fontTools subset (glyphs in the source's order, with what GSUB and GPOS can
    reach from them, metrics and names kept; no ligature features), so matplotlib's own subset of it for a PDF is
    the same whichever superset of a figure's characters it was made for. Its ``cmap`` maps
    only those characters: another one is matplotlib's "Glyph … missing" warning, never a
    silent blank. Making one takes 2–4 s (mostly reading the 16 MB source); the file is
    written through a temporary file and renamed, so processes may build it at once.
    """
    import hashlib
    import os
    import tempfile

    from .config import CACHE_DIR

    source = Path(source) if source else cjk_font_path()
    font_key = _file_sha256(source)
    wanted = "".join(sorted(set(chars) | _BASE_CHARS))
    char_key = hashlib.sha256(wanted.encode("utf-8")).hexdigest()
    from fontTools import version as fonttools_version

    # A new conversion recipe or fontTools version makes a new folder, never a stale copy.
    folder = Path(cache_dir or CACHE_DIR) / "fonts" / f"{font_key[:16]}-r{_RECIPE}-fonttools{fonttools_version}"
    path = folder / f"{char_key[:16]}.ttf"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with _convert_to_truetype(source, wanted) as font, os.fdopen(fd, "wb") as fh:
            font.save(fh, reorderTables=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


#: Version of :func:`_convert_to_truetype`'s recipe (part of the cache key): bump on any change.
_RECIPE = 2


def _convert_to_truetype(source: Path, chars: str):
    """The glyphs of `chars` in `source` (CFF OpenType) as a TrueType font (``fontTools`` object)."""
    font = _subset(source, chars)
    if "CFF " not in font:  # already TrueType outlines
        return font
    glyf = _quadratic_outlines(font)
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = _new_table("loca")
    _truetype_headers(font)
    return font


def _new_table(tag: str):
    from fontTools.ttLib import newTable

    return newTable(tag)


def _subset(source: Path, chars: str):
    """`source` cut to the glyphs of `chars` (and their GSUB/GPOS closure), without ligatures."""
    from fontTools import subset

    options = subset.Options(notdef_outline=True, name_IDs=["*"], name_languages=["*"])
    # No ligatures ("fi", "ff" as one glyph): Ghostscript extracts a ligature's two-letter
    # ToUnicode entry as one wrong CJK character; in a sans font the letters look the same.
    options.layout_features = [f for f in options.layout_features if f not in ("liga", "clig", "dlig")]
    options.drop_tables += ["DSIG"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)  # keeps the glyphs' relative order and the GSUB/GPOS closure
    return font


def _quadratic_outlines(font):
    """A ``glyf`` table of the font's CFF glyphs, cubic curves converted to quadratic ones."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    charstrings = font["CFF "].cff[0].CharStrings
    upem = font["head"].unitsPerEm
    glyf = _new_table("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        if name in charstrings:
            glyph_set[name].draw(Cu2QuPen(pen, max_err=upem / 1000, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    return glyf


#: ``maxp`` fields of a TrueType font without hinting instructions: all zero.
_MAXP_ZERO = (
    "maxZones",
    "maxTwilightPoints",
    "maxStorage",
    "maxFunctionDefs",
    "maxInstructionDefs",
    "maxStackElements",
    "maxSizeOfInstructions",
    "maxComponentElements",
)


def _truetype_headers(font) -> None:
    """Set the ``maxp``, ``post`` and ``head`` fields and the version of a font turned TrueType."""
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in _MAXP_ZERO:
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 3.0  # no glyph names (65,535 cid names would double the file)
    post.extraNames = []
    post.mapping = {}
    font["head"].glyphDataFormat = 0
    font.recalcBBoxes = True
    font.sfntVersion = "\x00\x01\x00\x00"


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
