"""Command line: ``python -m analysis ingest|build …``.

Every data error ends in a plain message on stderr and exit status 2, never a traceback; so
does an output that cannot be written (read-only file system, full disk, no permission, a
file where a folder is needed) and a second build into a folder another build is writing.
Long builds print their stages with the time taken on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

from . import config
from .errors import DataError, OutputError, output_error, output_lock, printable, remove_partials, write_text

__all__ = ["Progress", "build", "main"]


def _ingest(args) -> int:
    from .ingest import ingest, write_measures

    doc = ingest(args.sources)
    path = write_measures(doc, args.output)
    print(f"{len(doc.measures)} measures in {len(doc.plans)} plan(s) -> {path}")
    return 0


class Progress:
    """Stage lines on stderr (``build: tables 3.2 s``) once a build has run for `after` seconds.

    Quiet for a short build (the seed's), so its output stays the list of files; a build of a
    large corpus says what it is doing.
    """

    def __init__(self, *, after: float = 5.0, stream=None):
        self.start = self.last = time.perf_counter()
        self.after, self.stream = after, stream

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if now - self.start >= self.after:
            print(
                f"build: {stage} ({now - self.last:.1f} s, {now - self.start:.0f} s in all)",
                file=self.stream or sys.stderr,
                flush=True,
            )
        self.last = now


def _check_out(out: Path) -> None:
    """A plain error when `out` is a file (or below one), before anything is read or written."""
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                what = f"{printable(str(p))} is a file, not a folder"
                raise OutputError(20, f"cannot write into {printable(str(out))}: {what}")
            return


def build(*, raw_dir=config.RAW_DIR, measures=None, units=config.UNITS_CSV, out=None, progress=None) -> dict:
    """Run the main job; returns ``{name: path}`` of every file written.

    Without `measures`, the texts in `raw_dir` are ingested first and written to
    ``data/measures.csv`` (or ``OUT/measures.csv`` when `out` is given). Reports go to
    ``reports/`` and figures to ``figures/`` (or under `out`).

    The output folder (`out`, or the project folder) is locked for the build
    (:func:`~analysis.errors.output_lock`: a second build stops with a message), and the
    temporary files of an earlier, killed build are removed first. `progress` is called with
    the name of each finished stage.
    """
    from .ingest import ingest, write_measures
    from .load import load
    from .quality import quality_report

    out = Path(out) if out is not None else None
    if out is not None:
        _check_out(out)
    reports = out / "reports" if out else config.REPORTS_DIR
    figures = out / "figures" if out else config.FIGURES_DIR
    step = progress or (lambda stage: None)
    written = {}
    doc = None
    with output_lock(out if out is not None else config.PROJECT_ROOT):
        for folder in (reports, figures):
            remove_partials(folder)
        remove_partials(out if out is not None else config.DATA_DIR, recursive=False)  # measures.csv's folder
        if measures is None:
            sources = config.raw_sources(raw_dir)
            if not sources:
                raise DataError(raw_dir, None, "no *.txt plan text in folder")
            doc = ingest(sources)
            measures = write_measures(doc, (out / "measures.csv") if out else config.MEASURES_CSV)
            written["measures"] = measures
            step("ingest")
        ds = load(measures, units)
        step(f"load: {len(ds.measures):,} measures, {len(ds.assignments):,} mentions")

        from .exports import analysis_tables, write_tables
        from .figures import write_figures
        from .sheets import write_task_sheets
        from .views import write_views

        tables = analysis_tables(ds)
        step("analysis tables")
        written["data_quality"] = write_text(reports / "data_quality.md", quality_report(ds, doc))
        step("data-quality report")
        written.update(write_tables(tables, reports))
        step("report tables")
        written.update(write_task_sheets(ds, tables, reports))
        step("task sheets")
        written.update(write_figures(ds, tables, figures))
        step("figures")
        written.update(write_views(ds, tables, figures))
        step("views")
    return written


def _figures(args) -> int:
    from .exports import analysis_tables
    from .figures import write_figures
    from .load import load

    _check_out(args.out)
    with output_lock(args.out):
        remove_partials(args.out)
        ds = load(args.measures, args.units)
        written = write_figures(ds, analysis_tables(ds), args.out)
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def _build(args) -> int:
    written = build(raw_dir=args.raw, measures=args.measures, units=args.units, out=args.out, progress=Progress())
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    pi = sub.add_parser("ingest", help="read plan texts into a measures CSV")
    pi.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="plan text file(s)")
    pi.add_argument(
        "-o",
        "--output",
        type=Path,
        default=config.MEASURES_CSV,
        help="measures CSV to write (default: data/measures.csv)",
    )
    pi.set_defaults(func=_ingest)

    pb = sub.add_parser("build", help="regenerate data/measures.csv, reports/ and figures/")
    pb.add_argument(
        "--raw", type=Path, default=config.RAW_DIR, help="folder of plan texts to ingest (default: data/raw)"
    )
    pb.add_argument(
        "--measures", type=Path, default=None, help="use this measures CSV instead of ingesting the raw texts"
    )
    pb.add_argument("--units", type=Path, default=config.UNITS_CSV, help="unit registry (default: data/units.csv)")
    pb.add_argument(
        "--out", type=Path, default=None, help="write every output under this folder instead of the project's"
    )
    pb.set_defaults(func=_build)

    pf = sub.add_parser("figures", help="draw the charts (PNG, SVG, PDF; Chinese and English) into figures/")
    pf.add_argument(
        "--measures", type=Path, default=config.MEASURES_CSV, help="measures CSV (default: data/measures.csv)"
    )
    pf.add_argument("--units", type=Path, default=config.UNITS_CSV, help="unit registry (default: data/units.csv)")
    pf.add_argument("--out", type=Path, default=config.FIGURES_DIR, help="folder for the figures (default: figures/)")
    pf.set_defaults(func=_figures)
    return p


def main(argv=None) -> int:
    """Run a command; returns the exit status (2 for bad data or an output that cannot be written)."""
    from concurrent.futures.process import BrokenProcessPool

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except OutputError as exc:
        print(f"error: {exc.strerror}", file=sys.stderr)
    except BrokenProcessPool:
        print("error: a worker process died (out of memory?); nothing half-written was left", file=sys.stderr)
    except OSError as exc:
        print(f"error: {output_error(exc).strerror}", file=sys.stderr)
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    return 2
