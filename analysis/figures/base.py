"""What every chart's drawing shares: a figure on an Agg canvas, the :func:`chart` wrapper,
notes under a chart, the systems' legend.

matplotlib is imported inside the functions, so importing the package loads none of it.
"""

from __future__ import annotations

import functools
import io

from .. import style
from ..registry import SYSTEMS
from .labels import LANGS, t

__all__ = ["NOTEBOOK_DPI", "chart", "figure_note", "has_layout", "new_figure", "run_layout", "system_legend"]

#: Resolution of the inline PNG a notebook shows (files use :data:`analysis.style.DPI`).
NOTEBOOK_DPI = 110

#: The light box behind a value written over a bar.
LABEL_BOX = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85}


def ticker():
    import matplotlib.ticker

    return matplotlib.ticker


@functools.cache
def _chart_figure_class():
    """A matplotlib ``Figure`` that shows itself in Jupyter, drawn inside the project style.

    Without pyplot no display hook is registered for figures, and a hook drawn outside
    :func:`analysis.style.figure_style` would fall back to a font without Chinese glyphs.
    """
    from matplotlib.figure import Figure

    class ChartFigure(Figure):
        def _repr_png_(self):
            buf = io.BytesIO()
            with style.figure_style():
                self.savefig(buf, format="png", dpi=NOTEBOOK_DPI, pil_kwargs=dict(style.PNG_OPTIONS))
            return buf.getvalue()

    return ChartFigure


def new_figure(width: float, height: float, *, layout: str | None = "constrained"):
    """A figure of `width` × `height` inches on an Agg canvas (no pyplot, no GUI backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _chart_figure_class()(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)  # Agg canvas: draw() lays out text; no pyplot, no GUI backend
    return fig


def system_legend(ax, systems, lang: str, *, loc: str, title: bool = True, **kw):
    """Legend of the unit categories in `systems` (keys of :func:`analysis.style.unit_category`),
    in registry order; only those given, so a category no unit on the chart has is not listed."""
    from matplotlib.patches import Patch

    i = LANGS.index(lang)
    handles = [Patch(facecolor=style.SYSTEM_COLORS[s], label=SYSTEMS[s][i]) for s in SYSTEMS if s in systems]
    return ax.legend(handles=handles, loc=loc, title=t("system", lang) if title else None, **kw)


def message_figure(title: str, message: str):
    """A chart with nothing to draw: its title and one plain sentence saying why."""
    fig = new_figure(style.WIDTH, 1.6)
    fig.text(0.5, 0.5, message, ha="center", va="center")
    fig.suptitle(title, x=0.01, ha="left")
    return fig


def figure_note(fig, lines: list[str]) -> None:
    """Lines of small grey text at the bottom left of `fig`, with room kept for them."""
    fig.text(0.01, 0.004, "\n".join(lines), fontsize=style.FONT_SIZES["small"], color=style.NOTE_COLOR, va="bottom")
    h = (0.05 + 0.135 * len(lines)) / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, h, 1, 1 - h))


def has_layout(fig) -> bool:
    """Whether `fig` has a layout engine of its own (constrained layout)."""
    engine = fig.get_layout_engine()
    return engine is not None and type(engine).__name__ != "PlaceHolderLayoutEngine"


def run_layout(fig) -> None:
    """Draw `fig` without rendering it (``Figure.draw_without_rendering``), in the project style.

    Every artist's draw runs (the layout engine first, tick labels made, text measured) but the
    renderer's drawing calls do nothing: the figure is left as a draw leaves it, the next
    layout starts from the same positions, at a fraction of the cost. A figure laid out so n
    times and then drawn has the pixels of one drawn n + 1 times.
    """
    with style.figure_style():
        fig.draw_without_rendering()


def chart(func):
    """Run a chart function in the project style and draw it once before returning.

    The draw creates tick labels and lays out text while the style (bundled CJK font) is in
    force; matplotlib copies those properties to ticks made by later draws, so the figure
    shows Chinese correctly even when displayed or saved outside :func:`style.figure_style`.
    It renders nothing (:func:`run_layout`): the pixels would be thrown away.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style.figure_style():
            fig = func(*args, **kwargs)
            run_layout(fig)
        return fig

    return wrapper
