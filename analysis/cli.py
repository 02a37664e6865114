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


def _expand(sources) -> list[Path]:
    """Files as given; a folder stands for its plan files (every format a reader exists for)."""
    out = []
    for s in map(Path, sources):
        if s.is_dir():
            found = config.raw_sources(s)
            for skipped in config.skipped_sources(s):
                print(
                    f"note: {skipped}: skipped (no reader for {skipped.suffix or 'files without a suffix'})",
                    file=sys.stderr,
                )
            if not found:
                raise DataError(s, None, "no plan file (txt, html, docx, xlsx, csv, pdf) in folder")
            out += found
        else:
            out.append(s)
    return out


def _report_unread(doc) -> None:
    if doc.unread:
        print(
            f"warning: {len(doc.unread)} place(s) could not be read (listed in the data-quality report):",
            file=sys.stderr,
        )
        for u in doc.unread[:20]:
            print(f"  {u}", file=sys.stderr)
        if len(doc.unread) > 20:
            print(f"  … and {len(doc.unread) - 20} more", file=sys.stderr)


def _ingest(args) -> int:
    from .ingest import ingest, write_measures

    doc = ingest(_expand(args.sources), keep_going=args.keep_going)
    path = write_measures(doc, args.output)
    _report_unread(doc)
    print(f"{len(doc.measures)} measures in {len(doc.plans)} plan(s) -> {path}")
    return 0


class Progress:
    """Progress of a build on stderr, once it has run for `after` seconds.

    ``progress(stage)`` ends a stage (``build: tables (3.2 s, 9 s in all)``);
    ``progress(stage, done, total)`` reports within a long one (``build: figures (zh): charts
    drawn 3/8``), at most every `every` seconds (and at its last step). Quiet for a short build
    (the seed's), so its output stays the list of files; a build of a large corpus says what it
    is doing. Lines go to stderr only, never into an output. A forked figure worker gets a copy
    and writes its own lines to the same stderr.
    """

    def __init__(self, *, after: float = 5.0, every: float = 10.0, stream=None):
        self.start = self.last = self.last_part = time.perf_counter()
        self.after, self.every, self.stream = after, every, stream

    def __call__(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        now = time.perf_counter()
        if done is not None:
            due = now - self.last_part >= self.every or done == total
            if now - self.start >= self.after and due:
                print(f"build: {stage} {done:,}/{total:,}", file=self.stream or sys.stderr, flush=True)
                self.last_part = now
            return
        if now - self.start >= self.after:
            print(
                f"build: {stage} ({now - self.last:.1f} s, {now - self.start:.0f} s in all)",
                file=self.stream or sys.stderr,
                flush=True,
            )
        self.last = self.last_part = now


def _check_out(out: Path) -> None:
    """A plain error when `out` is a file (or below one), before anything is read or written."""
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                what = f"{printable(str(p))} is a file, not a folder"
                raise OutputError(20, f"cannot write into {printable(str(out))}: {what}")
            return


def _registry(args) -> int:
    from .errors import write_csv
    from .glossary import propose, read_unit_names

    places, place_en = [], {}
    for item in args.place:
        zh, _, en = item.partition("=")
        places.append(zh.strip())
        if en.strip():
            place_en[zh.strip()] = en.strip()
    proposal = propose(read_unit_names(args.sources), places=places, place_en=place_en)
    if args.output is None:
        sys.stdout.write(proposal.units.to_csv(index=False, lineterminator="\n"))
        sys.stdout.flush()
        print(proposal.report(), file=sys.stderr)
        return 0
    path = write_csv(proposal.units, args.output)
    decisions = write_csv(proposal.decisions, Path(path).with_name(f"{Path(path).stem}.decisions.csv"))
    print(proposal.report())
    print(f"-> {path} (decisions: {decisions})")
    return 0


def _registry_beside(raw_dir: Path) -> Path | None:
    """The registry that belongs with a folder of plans: ``DIR/units.csv``, else one beside DIR
    (``data/units.csv`` for ``data/raw/``)."""
    for p in (Path(raw_dir) / "units.csv", Path(raw_dir).parent / "units.csv"):
        if p.is_file():
            return p
    return None


def _resolve_registry(measures_csv: Path, units, *, out: Path | None, raw_dir, propose_missing: bool):
    """``(registry path, proposal or None, rows to paste)`` for a build; see :func:`build`."""
    import pandas as pd

    from .errors import write_csv
    from .glossary import propose, read_unit_names
    from .registry import REGISTRY_COLUMNS, alias_map, read_registry

    names = read_unit_names([measures_csv])
    if units is None and raw_dir is not None:
        units = _registry_beside(raw_dir)
    if units is None:  # no registry: propose one from the glossary, for review
        if out is None:
            raise DataError(
                raw_dir,
                None,
                "these plans have no registry (units.csv): give --out DIR to have one proposed there, or --units",
            )
        proposal = propose(names)
        path = write_csv(proposal.units, Path(out) / "units.csv")
        write_csv(proposal.decisions, Path(out) / "units.decisions.csv")
        print(f"registry: proposed from the glossary -> {path} (review it, then build again with --units)")
        return path, proposal, ""
    units = Path(units)
    known = alias_map(read_registry(units))
    missing = sorted({n for n in names if n not in known})
    if not missing:
        return units, None, ""
    proposal = propose([n for n in names if n not in known])
    if not propose_missing:  # the loader says where each name is used; these rows go with its error
        rows = proposal.units.head(5).to_csv(index=False, header=False, lineterminator="\n").rstrip("\n")
        rows = " ⏎ ".join(rows.split("\n"))  # one line: the message stays the last line of stderr
        if len(proposal.units) > 5:
            rows += f" … and {len(proposal.units) - 5} more (--propose-missing --out DIR writes them all)"
        return units, None, rows
    if out is None:
        raise DataError(units, None, "--propose-missing writes the extended registry under --out: give --out DIR")
    given = pd.read_csv(units, dtype=str, keep_default_na=False, encoding="utf-8-sig")[REGISTRY_COLUMNS]
    new = proposal.units[~proposal.units["unit"].isin(set(given["unit"]))]
    path = write_csv(pd.concat([given, new], ignore_index=True), Path(out) / "units.csv")
    write_csv(proposal.decisions, Path(out) / "units.decisions.csv")
    print(f"registry: {units} + {len(new)} proposed unit(s) for {len(missing)} missing name(s) -> {path}")
    return path, proposal, ""


def build(
    *,
    raw_dir=config.RAW_DIR,
    measures=None,
    units=None,
    out=None,
    keep_going=False,
    propose_missing=False,
    progress=None,
) -> dict:
    """Run the main job; returns ``{name: path}`` of every file written.

    Without `measures`, the plan files in `raw_dir` (every supported format) are ingested first
    and written to ``data/measures.csv`` (or ``OUT/measures.csv`` when `out` is given). Reports
    go to ``reports/`` and figures to ``figures/`` (or under `out`). With `keep_going`, places of
    the sources that cannot be read are listed in ``reports/data_quality.md`` instead of
    stopping the build.

    The registry: `units` if given, else the ``units.csv`` that belongs with `raw_dir` (in it,
    or beside it: ``data/units.csv`` for ``data/raw/``). Where there is none, one is proposed
    from the glossary (:func:`analysis.glossary.propose`), written to ``OUT/units.csv`` and used,
    and every decision it took is listed in the data-quality report. A given registry stays
    authoritative: names it lacks are an error that lists them with the proposed rows, unless
    `propose_missing`, which adds the proposals (``OUT/units.csv``) and lists them.

    The output folder (`out`, or the project folder) is locked for the build
    (:func:`~analysis.errors.output_lock`: a second build stops with a message), and the
    temporary files of an earlier, killed build are removed first. `progress` is called with
    the name of each finished stage, and with ``(stage, done, total)`` within the long ones
    (task sheets, figures, views; see :class:`Progress`).

    Above the sizes of :mod:`analysis.limits` (a national corpus) some outputs take another
    form (the top units with the rest counted, long tables); the data-quality report lists each.
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
            sources = _expand([raw_dir])
            doc = ingest(sources, keep_going=keep_going)
            _report_unread(doc)
            measures = write_measures(doc, (out / "measures.csv") if out else config.MEASURES_CSV)
            written["measures"] = measures
            step("ingest")
        if units is None and doc is None:  # a measures CSV: the registry beside it, else the project's
            units = _registry_beside(Path(measures).parent) or config.UNITS_CSV
        units, proposal, rows = _resolve_registry(
            Path(measures),
            units,
            out=out,
            raw_dir=raw_dir if doc is not None else None,
            propose_missing=propose_missing,
        )
        if proposal is not None:
            written["units"] = units
        try:
            ds = load(measures, units)
        except DataError as exc:
            if not rows:
                raise
            raise DataError(
                exc.path,
                exc.line,
                f"{exc.message}; proposed rows for them, to review and paste into {units} "
                f"(one per ⏎; or build with --propose-missing --out DIR): {rows}",
            ) from None
        step(f"load: {len(ds.measures):,} measures, {len(ds.assignments):,} mentions")

        from .exports import analysis_tables, write_tables
        from .figures import write_figures
        from .sheets import write_task_sheets
        from .views import write_views

        tables = analysis_tables(ds)
        step("analysis tables")
        report = quality_report(ds, doc, proposal=proposal, tables=tables)
        written["data_quality"] = write_text(reports / "data_quality.md", report)
        step("data-quality report")
        written.update(write_tables(tables, reports))
        step("report tables")
        written.update(write_task_sheets(ds, tables, reports, progress=progress))
        step("task sheets")
        written.update(write_figures(ds, tables, figures, progress=progress))
        step("figures")
        written.update(write_views(ds, tables, figures, progress=progress))
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
    written = build(
        raw_dir=args.raw,
        measures=args.measures,
        units=args.units,
        out=args.out,
        keep_going=args.keep_going,
        propose_missing=args.propose_missing,
        progress=Progress(),
    )
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    pi = sub.add_parser("ingest", help="read plan texts into a measures CSV")
    pi.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SOURCE",
        help="plan file(s) (.txt .html .docx .xlsx .csv .pdf) or folder(s) of them",
    )
    pi.add_argument(
        "--keep-going",
        action="store_true",
        help="write the measures that could be read and list every place that could not (else: exit 2)",
    )
    pi.add_argument(
        "-o",
        "--output",
        type=Path,
        default=config.MEASURES_CSV,
        help="measures CSV to write (default: data/measures.csv)",
    )
    pi.set_defaults(func=_ingest)

    pr = sub.add_parser("registry", help="propose a unit registry (units.csv) for plans, from the glossary")
    pr.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="plan text file(s) or measures CSV(s)")
    pr.add_argument("-o", "--output", type=Path, default=None, help="registry CSV to write (default: print it)")
    pr.add_argument(
        "--place",
        action="append",
        default=[],
        metavar="NAME[=ENGLISH]",
        help="a place name that means the plan's own jurisdiction (下陆=Xialu); repeatable",
    )
    pr.set_defaults(func=_registry)

    pb = sub.add_parser("build", help="regenerate data/measures.csv, reports/ and figures/")
    pb.add_argument(
        "--raw",
        type=Path,
        default=config.RAW_DIR,
        help="folder of plan files to ingest, any supported format (default: data/raw)",
    )
    pb.add_argument(
        "--keep-going",
        action="store_true",
        help="build from what could be read; list every unread place in reports/data_quality.md",
    )
    pb.add_argument(
        "--measures", type=Path, default=None, help="use this measures CSV instead of ingesting the raw texts"
    )
    pb.add_argument(
        "--units",
        type=Path,
        default=None,
        help="unit registry (default: the units.csv in or beside the --raw folder; none: one is proposed under --out)",
    )
    pb.add_argument(
        "--propose-missing",
        action="store_true",
        help="add proposed rows for names the registry lacks (written to OUT/units.csv) instead of stopping",
    )
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
