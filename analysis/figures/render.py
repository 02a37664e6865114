"""Saving the charts: PNG, SVG and PDF with fixed metadata, and the build's workers.

:func:`save_figure` writes one figure; :func:`write_figures` draws every chart of
:data:`analysis.figures.charts.CHARTS` in each language and saves it in each format, in forked
worker processes (:func:`figures_in_background` starts them while the rest of the build runs).
The bytes of a file do not depend on how it was drawn: each figure is laid out the same number
of times, in the same order, whichever path saves it.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np

from .. import style
from ..errors import write_bytes
from ..forking import Forked, can_fork, usable_cpus
from ..limits import release_memory
from . import charts as _charts
from .base import has_layout
from .labels import LANGS

__all__ = ["FORMATS", "figure_chars", "figures_in_background", "save_figure", "write_figures"]

FORMATS = ("png", "svg", "pdf")

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": "analysis (python -m analysis figures)"},
    "pdf": {
        "CreationDate": None,
        "ModDate": None,
        "Creator": "analysis (python -m analysis figures)",
        "Producer": "matplotlib",
    },
}


def figure_chars(fig) -> set[str]:
    """Every character in the texts of `fig` (titles, labels, ticks, legends, annotations)."""
    from matplotlib.text import Text

    with style.figure_style():
        fig.canvas.draw()  # ticks and their labels exist only once drawn
    return {c for t in fig.findobj(lambda a: isinstance(a, Text)) for c in t.get_text()}


@contextlib.contextmanager
def _font_file(fig, path: Path):
    """Set every text of `fig` in the font file `path` while the block runs, then restore it.

    A font given by file name wins over the family lookup (``FontProperties.set_file``), and
    tick labels made during the save copy their properties from the existing ticks.
    """
    from matplotlib.text import Text

    texts = fig.findobj(lambda a: isinstance(a, Text))
    saved = [t.get_fontproperties() for t in texts]
    try:
        for t, prop in zip(texts, saved, strict=True):
            prop = prop.copy()
            prop.set_file(str(path))
            t.set_fontproperties(prop)
        yield
    finally:
        for t, prop in zip(texts, saved, strict=True):
            t.set_fontproperties(prop)


_CMAP_RANGE = re.compile(rb"<([0-9a-fA-F]+)> <([0-9a-fA-F]+)> \[([^\]]*)\]")


def _bfchar_cmap(data: bytes) -> bytes:
    r"""A ToUnicode CMap with matplotlib's ``bfrange`` entries written as ``bfchar`` entries.

    matplotlib maps every run of codes with ``<lo> <hi> [<u1> <u2> …]`` (valid PDF), which
    Ghostscript 10.0's text extraction misreads for CJK codes (``负荷集中度`` came out as
    ``÷Öoþ``); the same mapping as one ``<code> <unicode>`` line per code, at most 100 per
    block (ISO 32000-1, 9.10.3), reads the same in poppler, MuPDF and Ghostscript.

    >>> _bfchar_cmap(b"2 beginbfrange\n<0030> <0031> [<0030> <0031>]\n<8d1f> <8d1f> [<8d1f>]\nendbfrange")
    b'3 beginbfchar\n<0030> <0030>\n<0031> <0031>\n<8d1f> <8d1f>\nendbfchar'
    """
    start, end = data.find(b"beginbfrange"), data.rfind(b"endbfrange")
    if start < 0 or end < 0:
        return data
    head = data[:start].rsplit(b"\n", 1)
    pairs = []
    for lo, hi, values in _CMAP_RANGE.findall(data[start:end]):
        width = len(lo)
        dsts = re.findall(rb"<([0-9a-fA-F]+)>", values)
        if int(hi, 16) - int(lo, 16) + 1 != len(dsts):
            return data  # not the shape matplotlib writes: leave it alone
        pairs += [(b"%0*x" % (width, int(lo, 16) + k), d) for k, d in enumerate(dsts)]
    blocks = []
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        lines = b"\n".join(b"<%s> <%s>" % p for p in chunk)
        blocks.append(b"%d beginbfchar\n%s\nendbfchar" % (len(chunk), lines))
    prefix = head[0] + b"\n" if len(head) == 2 else b""
    return prefix + b"\n".join(blocks) + data[end + len(b"endbfrange") :]


@contextlib.contextmanager
def _tounicode_as_bfchar():
    """While the block runs, matplotlib's PDF writer emits ToUnicode CMaps via :func:`_bfchar_cmap`."""
    from matplotlib.backends.backend_pdf import PdfFile

    original = PdfFile.outputStream

    def output_stream(self, ref, data, *, extra=None):
        if data.startswith(b"/CIDInit /ProcSet findresource begin") and b"beginbfrange" in data:
            data = _bfchar_cmap(data)
        return original(self, ref, data, extra=extra)

    PdfFile.outputStream = output_stream
    try:
        yield
    finally:
        PdfFile.outputStream = original


@contextlib.contextmanager
def _frozen_layout(fig):
    """Lay `fig` out once as its PNG is drawn (Agg at :data:`analysis.style.DPI`) and keep
    those positions for every format while the block runs.

    Constrained layout measures text with the renderer at hand, and Agg (hinted, 300 dpi) and
    the PDF and SVG renderers measure a little differently: without this, a PDF's axes sit up
    to 0.6 mm away from the PNG's (7 px at 300 dpi on ``lorenz``).
    """
    if not has_layout(fig):
        yield
        return
    engine = fig.get_layout_engine()
    with style.figure_style():
        dpi = fig.get_dpi()
        fig.set_dpi(style.DPI)
        try:
            fig.canvas.draw()
        finally:
            fig.set_dpi(dpi)
    fig.set_layout_engine("none")
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


def save_figure(fig, path, fmt: str | None = None, *, pdf_font: Path | None = None) -> Path:
    """Save `fig` to `path` (format from the suffix) with fixed metadata; byte-identical on re-run.

    Every format gets the PNG's layout (:func:`_frozen_layout`). PNG at
    :data:`analysis.style.DPI`, SVG with text as paths and a fixed hash salt. PDF with
    the text in a subset of the CJK font with TrueType outlines (type 42, text selectable;
    :func:`analysis.style.truetype_font`, made for the figure's characters unless `pdf_font`
    names a copy that covers them), so every PDF reader shows and extracts it.
    """
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    buf = io.BytesIO()
    with _frozen_layout(fig), style.figure_style():
        if fmt == "pdf":
            font = pdf_font or style.truetype_font(figure_chars(fig))
            with _font_file(fig, font), _tounicode_as_bfchar():
                fig.savefig(buf, format=fmt, dpi=style.DPI, metadata=_METADATA[fmt])
        else:
            extra = {"pil_kwargs": dict(style.PNG_OPTIONS)} if fmt == "png" else {}
            fig.savefig(buf, format=fmt, dpi=style.DPI, metadata=_METADATA[fmt], **extra)
    return write_bytes(path, buf.getvalue())  # atomically: a killed build leaves no cut file


def _texts_chars(fig) -> set[str]:
    """The characters of every text of `fig` as it stands (:func:`figure_chars` without a draw)."""
    from matplotlib.text import Text

    return {c for t in fig.findobj(lambda a: isinstance(a, Text)) for c in t.get_text()}


def _png_bytes(rgba) -> bytes:
    """A PNG file of an Agg buffer, as ``savefig(format="png")`` writes it (same encoder, metadata)."""
    import matplotlib.image

    buf = io.BytesIO()
    matplotlib.image.imsave(
        buf,
        rgba,
        format="png",
        origin="upper",
        dpi=style.DPI,
        metadata=_METADATA["png"],
        pil_kwargs=dict(style.PNG_OPTIONS),
    )
    return buf.getvalue()


def _layout_and_png(fig) -> tuple[object, bytes | None]:
    """Lay `fig` out as the build always has, and keep the pixels of its last layout draw:
    ``(layout engine to restore, PNG bytes)``; the layout is frozen afterwards.

    The build's layout is the draw at :data:`analysis.style.DPI` of :func:`_frozen_layout`,
    after the one the chart function made (:func:`analysis.figures.base.chart`). That draw is
    the PNG's own draw (``savefig`` with the layout frozen renders the same pixels again), so
    the PNG costs only its encoding. A figure without a layout engine gets ``(None, None)``:
    its PNG is saved the ordinary way.
    """
    if not has_layout(fig):
        return None, None
    engine = fig.get_layout_engine()
    with style.figure_style():
        dpi = fig.get_dpi()
        fig.set_dpi(style.DPI)
        try:
            fig.canvas.draw()
            rgba = memoryview(np.array(fig.canvas.buffer_rgba()))
        finally:
            fig.set_dpi(dpi)
        png = _png_bytes(rgba)
    fig.set_layout_engine("none")
    return engine, png


def _write_lang(ds, tables, figures_dir: Path, lang: str, formats, charts, progress=None) -> dict[str, Path]:
    """Draw the charts of one language and save each in `formats`; the bytes of every file
    are those of :func:`save_figure` on a chart function's figure, at less cost.

    Each figure (laid out once by its chart function, see :func:`analysis.figures.base.chart`) is laid out again and
    rendered once for its PNG (:func:`_layout_and_png`), then saved as SVG. The PDFs come
    last, all in one TrueType copy of the font made for the characters of every figure's
    texts (known once each has been drawn; see :func:`save_figure`). `progress` is called
    with ``(stage, done, total)`` after each chart is saved (in the worker, which writes to the
    same stderr).
    """
    folder = figures_dir if lang == "zh" else figures_dir / lang
    names = [name for name in _charts.CHARTS if charts is None or name in charts]

    def key(name, fmt):
        return _keys([name], lang, [fmt])[0]

    step = progress or (lambda *args: None)
    written, figs, engines, chars = {}, {}, {}, set()
    for k, name in enumerate(names, start=1):
        fig = figs[name] = _charts.CHARTS[name](ds, tables, lang=lang)
        engines[name], png = _layout_and_png(fig)
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            if fmt == "png" and png is not None:
                written[key(name, fmt)] = write_bytes(path, png)
            elif fmt != "pdf":
                written[key(name, fmt)] = save_figure(fig, path, fmt)
        chars |= _texts_chars(fig)
        release_memory()  # what the chart's data took: the next chart starts from what is live
        step(f"figures ({lang}): charts saved", k, len(names))
    if "pdf" in formats:
        pdf_font = style.truetype_font(chars)
        for name, fig in figs.items():
            written[key(name, "pdf")] = save_figure(fig, folder / f"{name}.pdf", "pdf", pdf_font=pdf_font)
    for name, fig in figs.items():
        if engines[name] is not None:
            fig.set_layout_engine(engines[name])
    return {k: written[k] for k in _keys(names, lang, formats)}


def _worker_count(processes: int | None, n_tasks: int) -> int:
    """`processes`, or by default one worker per task up to the usable cores."""
    return min(n_tasks, usable_cpus()) if processes is None else processes


def _calls(ds, tables, figures_dir: Path, langs, formats, names, n: int, progress) -> list:
    """The :func:`_write_lang` calls that draw charts `names` in `langs`, for `n` workers.

    One call per language: its PDFs share one font made for all its charts' characters.
    Without PDFs the charts of a language are independent, and a single language (a
    notebook's PNGs) is spread over the workers too: every other chart to each.
    """
    k = 1 if "pdf" in formats else max(1, min(len(names), n // max(len(langs), 1)))
    return [
        (_write_lang, (ds, tables, figures_dir, lang, formats, names[i::k], progress))
        for lang in langs
        for i in range(k)
        if names[i::k]
    ]


@contextlib.contextmanager
def figures_in_background(
    ds,
    tables,
    figures_dir,
    *,
    langs=LANGS,
    formats=FORMATS,
    charts=None,
    processes: int | None = None,
    workers: int | None = None,
    progress=None,
):
    """:func:`write_figures` started in worker processes while the block runs; yields a
    function that waits for them and returns what :func:`write_figures` returns::

        with figures_in_background(ds, tables, "figures") as figure_files:
            ...  # other work, on the cores the charts leave
            written = figure_files()

    The workers are forked (Linux; they inherit `ds` and `tables`, nothing is pickled but the
    file names they return), as many as the usable cores (`processes`), each drawing one
    language (without PDFs: a share of one language's charts, so that a single language uses
    the cores too); `workers` (default: one per share) forks fewer, each running its shares
    in turn (the build at corpus size: one, see :data:`analysis.limits.CHARTS_ONE_WORKER_MEASURES`).
    A worker exits as soon as its charts are saved, giving its memory back while
    the block goes on (:class:`analysis.forking.Forked`), and dies with this process; an error
    in one (a full disk) reaches the caller of ``figure_files()`` as the same exception. When
    the block ends with an error, the workers still running are stopped. With one worker, or
    where the platform does not fork, nothing starts early: ``figure_files()`` draws the
    charts here. The files do not depend on how they were drawn.
    """
    figures_dir = Path(figures_dir)
    langs, formats = list(langs), list(formats)
    names = [name for name in _charts.CHARTS if charts is None or name in charts]
    n = _worker_count(processes, len(langs) * len(names))
    calls = _calls(ds, tables, figures_dir, langs, formats, names, n, progress)
    order = [key for lang in langs for key in _keys(names, lang, formats)]
    if n <= 1 or len(calls) <= 1 or not can_fork():
        yield lambda: _merged([func(*args) for func, args in calls], order)
        return
    with Forked([(func, args, {}) for func, args in calls], workers=workers or n) as jobs:
        yield lambda: _merged(jobs.results(), order)


def _keys(names, lang: str, formats) -> list[str]:
    """The keys :func:`write_figures` returns for charts `names` of `lang`, in its order."""
    sub = "" if lang == "zh" else f"{lang}/"
    return [f"figures/{sub}{name}.{fmt}" for name in names for fmt in formats]


def _merged(parts: list[dict], order: list[str]) -> dict[str, Path]:
    """The files of every part, in `order` (languages, then charts, then formats)."""
    written = {}
    for part in parts:
        written.update(part)
    return {key: written[key] for key in order}


def write_figures(
    ds,
    tables,
    figures_dir,
    *,
    langs=LANGS,
    formats=FORMATS,
    charts=None,
    processes: int | None = None,
    progress=None,
) -> dict[str, Path]:
    """Draw every chart and save it as ``figures_dir/NAME.{png,svg,pdf}`` (Chinese) and
    ``figures_dir/en/NAME.*`` (English); returns ``{"figures/[en/]NAME.ext": path}``.

    The languages are drawn in parallel forked processes (`processes`, default: one per
    language up to the usable cores; see :func:`figures_in_background`); the files do not
    depend on it. The workers die with this process (:func:`~analysis.errors.exit_with_parent`),
    and an error in one (a full disk) reaches the caller as the same exception. Above the sizes
    of :mod:`analysis.limits` the charts show the top units, sections or plans and say how many
    more there are (:func:`analysis.figures.data.size_notes`). `progress` is called with ``(stage, done, total)`` after
    each chart is saved.
    """
    with figures_in_background(
        ds, tables, figures_dir, langs=langs, formats=formats, charts=charts, processes=processes, progress=progress
    ) as figure_files:
        return figure_files()
