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

__all__ = ["IngestProgress", "Progress", "build", "main"]


def _expand(sources) -> tuple[list[Path], dict[Path, str]]:
    """:func:`analysis.ingest.expand_sources`, each skipped file noted on stderr."""
    from .ingest import expand_sources

    files, folders, skipped = expand_sources(sources)
    for path in skipped:
        print(f"note: {path}: skipped (no reader for {path.suffix or 'files without a suffix'})", file=sys.stderr)
    return files, folders


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

    sources, folders = _expand(args.sources)
    bar = IngestProgress()
    doc = ingest(sources, keep_going=args.keep_going, folders=folders, progress=bar)
    bar.done()
    path = write_measures(doc, args.output)
    _report_unread(doc)
    print(f"{len(doc.measures)} measures in {len(doc.plans)} plan(s) -> {path}")
    return 0


class IngestProgress:
    """A progress bar of the ingest on stderr: files read, measures so far, seconds.

    Shown only for a long ingest (from `min_files` files, once it has run `after` seconds), so
    the seed's ingest stays quiet. On a terminal the bar is redrawn in place (at most five times
    a second); otherwise one line is written per tenth of the files.
    """

    def __init__(self, *, min_files: int = 20, after: float = 1.0, stream=None, width: int = 30):
        self.start = time.perf_counter()
        self.min_files, self.after, self.stream, self.width = min_files, after, stream, width
        self.last_draw, self.last_tenth, self.shown = 0.0, -1, False

    def _out(self):
        return self.stream or sys.stderr

    def line(self, done: int, total: int, measures: int) -> str:
        """The bar's text, e.g. ``ingest [#####.....] 1,500/3,000 files, 500,000 measures, 21 s``."""
        fill = round(self.width * done / total) if total else self.width
        bar = "#" * fill + "." * (self.width - fill)
        elapsed = time.perf_counter() - self.start
        return f"ingest [{bar}] {done:,}/{total:,} files, {measures:,} measures, {elapsed:.0f} s"

    def __call__(self, done: int, total: int, measures: int) -> None:
        now = time.perf_counter()
        if total < self.min_files or now - self.start < self.after:
            return
        out = self._out()
        tty = hasattr(out, "isatty") and out.isatty()
        if tty:
            if now - self.last_draw >= 0.2 or done == total:
                print("\r" + self.line(done, total, measures), end="", file=out, flush=True)
                self.last_draw, self.shown = now, True
        else:
            tenth = 10 * done // total
            if tenth > self.last_tenth:
                print(self.line(done, total, measures), file=out, flush=True)
                self.last_tenth = tenth

    def done(self) -> None:
        """End the bar's line (on a terminal)."""
        if self.shown:
            print(file=self._out(), flush=True)


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
    from .glossary import propose
    from .jurisdiction import propose_pooled, read_mentions

    places, place_en = [], {}
    for item in args.place:
        zh, _, en = item.partition("=")
        places.append(zh.strip())
        if en.strip():
            place_en[zh.strip()] = en.strip()
    sources, folders = _expand(args.sources)
    mentions = read_mentions(sources, folders=folders)
    if places:  # the user says whose plans these are: one government
        proposal = propose([n for _, n in mentions], places=places, place_en=place_en)
    else:
        proposal = propose_pooled(mentions, place_en=place_en)
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
    """``(registry path, proposal or None, rows to paste)`` for a build.

    The registry is `units` if given, else the ``units.csv`` that belongs with `raw_dir` (in it,
    or beside it: ``data/units.csv`` for ``data/raw/``). Where there is none, one is proposed
    from the glossary (one per government for a pooled corpus:
    :func:`analysis.jurisdiction.propose_pooled`), written to ``OUT/units.csv`` and used, and
    every decision it took goes to the data-quality report. A given registry stays
    authoritative: names it lacks are an error that lists them with the proposed rows (the
    third value), unless `propose_missing`, which adds the proposals (``OUT/units.csv``).
    """
    from .jurisdiction import propose_pooled, read_mentions
    from .registry import alias_map, read_registry

    mentions = read_mentions([measures_csv])
    if units is None and raw_dir is not None:
        units = _registry_beside(raw_dir)
    if units is None:  # no registry: propose one from the glossary, for review
        if out is None:
            raise DataError(
                raw_dir,
                None,
                "these plans have no registry (units.csv): give --out DIR to have one proposed there, or --units",
            )
        proposal = propose_pooled(mentions)
        return _write_proposal(proposal, out), proposal, ""
    units = Path(units)
    registry = read_registry(units)
    known = {j: alias_map(registry, j) for j in sorted({j for j, _ in mentions})}
    missing = [(j, n) for j, n in mentions if n not in known[j]]
    if not missing:
        return units, None, ""
    proposal = propose_pooled(missing)
    if not propose_missing:  # the loader says where each name is used; these rows go with its error
        return units, None, _rows_to_paste(proposal)
    if out is None:
        raise DataError(units, None, "--propose-missing writes the extended registry under --out: give --out DIR")
    return _write_proposal(proposal, out, given=units, n_names=len(set(missing))), proposal, ""


def _rows_to_paste(proposal) -> str:
    """The first proposed registry rows on one line (``⏎`` between rows), to go with the loader's
    error about unknown names: the message stays the last line of stderr."""
    rows = proposal.units.head(5).to_csv(index=False, header=False, lineterminator="\n").rstrip("\n")
    rows = " ⏎ ".join(rows.split("\n"))
    if len(proposal.units) > 5:
        rows += f" … and {len(proposal.units) - 5} more (--propose-missing --out DIR writes them all)"
    return rows


def _write_proposal(proposal, out, *, given: Path | None = None, n_names: int = 0) -> Path:
    """Write ``OUT/units.csv`` (the proposal, or the `given` registry with the proposed units it
    lacks added) and ``OUT/units.decisions.csv``; returns the registry's path."""
    import pandas as pd

    from .errors import write_csv
    from .registry import OPTIONAL_REGISTRY_COLUMNS, REGISTRY_COLUMNS

    if given is None:
        path = write_csv(proposal.units, Path(out) / "units.csv")
        write_csv(proposal.decisions, Path(out) / "units.decisions.csv")
        print(f"registry: proposed from the glossary -> {path} (review it, then build again with --units)")
        return path
    rows = pd.read_csv(given, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = rows[[c for c in REGISTRY_COLUMNS + OPTIONAL_REGISTRY_COLUMNS if c in rows.columns]]
    new = proposal.units[~proposal.units["unit"].isin(set(rows["unit"]))]
    if "jurisdiction" in new.columns and "jurisdiction" not in rows.columns:
        rows = rows.assign(jurisdiction="")
    path = write_csv(pd.concat([rows, new], ignore_index=True).fillna(""), Path(out) / "units.csv")
    write_csv(proposal.decisions, Path(out) / "units.decisions.csv")
    print(f"registry: {given} + {len(new)} proposed unit(s) for {n_names} missing name(s) -> {path}")
    return path


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

    Without `measures`, the plan files in `raw_dir` (every supported format; one folder per
    government for a pooled corpus) are ingested into ``data/measures.csv`` (``OUT/measures.csv``
    with `out`); with `keep_going`, places that cannot be read are listed in
    ``reports/data_quality.md`` instead of stopping. Reports go to ``reports/``, figures to
    ``figures/`` (or under `out`); several governments are compared too
    (:func:`analysis.compare.write_comparison`). The registry is found, given or proposed as
    :func:`_resolve_registry` says (`propose_missing`: add proposals for names a given registry
    lacks). The output folder is locked for the build (a second build stops with a message;
    :func:`~analysis.errors.output_lock`) and a killed build's temporary files are removed
    first. `progress` is called with each finished stage, and ``(stage, done, total)`` within
    the long ones (:class:`Progress`). Above the sizes of :mod:`analysis.limits` some outputs
    take another form, each listed in the data-quality report.
    """
    from .compare import governments, write_comparison

    out = Path(out) if out is not None else None
    reports, figures = _output_folders(out)
    step = progress or (lambda stage: None)
    written, doc = {}, None
    with output_lock(out if out is not None else config.PROJECT_ROOT):
        _remove_partials(out, reports, figures)
        if measures is None:
            doc, measures = _read_plans(raw_dir, (out / "measures.csv") if out else config.MEASURES_CSV, keep_going)
            written["measures"] = measures
            step("ingest")
        if units is None and doc is None:  # a measures CSV: the registry beside it, else the project's
            units = _registry_beside(Path(measures).parent) or config.UNITS_CSV
        ds, units, proposal = _load_with_registry(
            measures, units, out=out, raw_dir=raw_dir if doc is not None else None, propose_missing=propose_missing
        )
        if proposal is not None:
            written["units"] = units
        step(f"load: {len(ds.measures):,} measures, {len(ds.assignments):,} mentions")
        written.update(_write_outputs(ds, doc, proposal, reports, figures, progress=progress))
        if len(governments(ds)) > 1:  # a pooled corpus: the governments side by side
            written.update(write_comparison(ds, reports, figures))
            step(f"comparison of {len(governments(ds))} governments")
    return written


def _output_folders(out: Path | None) -> tuple[Path, Path]:
    """The reports and figures folders of a build into `out` (checked first), or the project's."""
    if out is None:
        return config.REPORTS_DIR, config.FIGURES_DIR
    _check_out(out)
    return out / "reports", out / "figures"


def _remove_partials(out: Path | None, reports: Path, figures: Path) -> None:
    """Remove the temporary files a killed build left in the folders this build writes."""
    for folder in (reports, figures):
        remove_partials(folder)
    remove_partials(out if out is not None else config.DATA_DIR, recursive=False)  # measures.csv's folder


def _read_plans(raw_dir, measures_csv: Path, keep_going: bool, *, bar: bool = True):
    """Ingest every plan file under `raw_dir` (one folder per government for a pooled corpus) and
    write `measures_csv`; returns ``(document, path written)``. `bar`: show the ingest's progress."""
    from .ingest import ingest, write_measures

    sources, folders = _expand([raw_dir])
    progress = IngestProgress() if bar else None
    doc = ingest(sources, keep_going=keep_going, folders=folders, progress=progress)
    if progress is not None:
        progress.done()
    if not doc.measures:  # nothing to load: say so, not that the proposed registry is empty
        places = [f"  {u}" for u in doc.unread[:20]] + (
            [f"  … and {len(doc.unread) - 20} more"] if len(doc.unread) > 20 else []
        )
        unread = f"; {len(doc.unread)} place(s) could not be read:\n" + "\n".join(places) if places else ""
        raise DataError(None, None, f"no measures could be read from {raw_dir}{unread}")
    _report_unread(doc)
    return doc, write_measures(doc, measures_csv)


def _load_with_registry(measures, units, *, out, raw_dir, propose_missing: bool):
    """Resolve the registry (:func:`_resolve_registry`: given, found, or proposed) and load the
    measures with it; returns ``(dataset, registry path, proposal or None)``. Names the registry
    lacks are an error that carries the proposed rows for them."""
    from .load import load

    units, proposal, rows = _resolve_registry(
        Path(measures), units, out=out, raw_dir=raw_dir, propose_missing=propose_missing
    )
    try:
        return load(measures, units), units, proposal
    except DataError as exc:
        if not rows:
            raise
        raise DataError(
            exc.path,
            exc.line,
            f"{exc.message}; proposed rows for them, to review and paste into {units} "
            f"(one per ⏎; or build with --propose-missing --out DIR): {rows}",
        ) from None


def _write_outputs(ds, doc, proposal, reports: Path, figures: Path, *, progress=None) -> dict:
    """The analysis tables and every output drawn from them: the data-quality report, the report
    tables, the task sheets, the views and the charts; returns ``{name: path}``."""
    from . import limits
    from .exports import analysis_tables, write_tables
    from .figures import figures_in_background
    from .quality import quality_report
    from .sheets import write_task_sheets
    from .views import write_views

    def step(stage):  # each stage's freed memory goes back before the next
        limits.release_memory()
        if progress is not None:
            progress(stage)

    written = {}
    tables = analysis_tables(ds)
    step("analysis tables")
    # The charts (most of the work on a plan's data) are drawn in worker processes while this
    # one writes the reports and the views; the files are the same either way. At corpus size
    # one worker draws them, beside the report tables and the views (the steps that take
    # little memory), and the data-quality report and the task sheets wait for it
    # (limits.CHARTS_ONE_WORKER_MEASURES).
    corpus = len(ds.measures) > limits.CHARTS_ONE_WORKER_MEASURES
    with figures_in_background(ds, tables, figures, workers=1 if corpus else None, progress=progress) as figure_files:
        report_tables = write_tables(tables, reports)
        step("report tables")
        views = write_views(ds, tables, figures, progress=progress)
        step("views")
        charts = figure_files() if corpus else None
        report = quality_report(ds, doc, proposal=proposal, tables=tables)
        written["data_quality"] = write_text(reports / "data_quality.md", report)
        del report
        step("data-quality report")
        written.update(report_tables)  # (listed after the report, as they always were)
        written.update(write_task_sheets(ds, tables, reports, progress=progress))
        step("task sheets")
        written.update(figure_files() if charts is None else charts)
        step("figures")
    written.update(views)
    return written


def compare_corpus(raw_dir, out, *, units=None, keep_going: bool = False, progress=None) -> dict:
    """Read a pooled corpus (one folder per government) and compare its governments.

    Writes under `out`: ``measures.csv`` (with sidecars), the registry (``units.csv`` in or
    under `raw_dir` if there is one, else one proposed per government, with
    ``units.decisions.csv``), ``data_quality.md``, the comparison tables
    (``compare_*.csv``) and the comparison charts (``figures/compare_*``, zh and en). Returns
    ``{name: path}``. Lighter than :func:`build` (no task sheets, views or per-unit charts).
    """
    from .compare import write_comparison
    from .quality import quality_report

    out = Path(out)
    _check_out(out)
    step = progress or (lambda stage: None)
    written = {}
    with output_lock(out):
        for folder in (out, out / "figures"):
            remove_partials(folder)
        doc, written["measures"] = _read_plans(raw_dir, out / "measures.csv", keep_going, bar=False)
        step("ingest")
        if units is None and (Path(raw_dir) / "units.csv").is_file():
            units = Path(raw_dir) / "units.csv"
        ds, units, proposal = _load_with_registry(
            written["measures"], units, out=out, raw_dir=None, propose_missing=False
        )
        if proposal is not None:
            written["units"] = units
        step(f"load: {len(ds.measures):,} measures")
        report = quality_report(ds, doc, proposal=proposal, outputs=False)
        written["data_quality"] = write_text(out / "data_quality.md", report)
        written.update(write_comparison(ds, out, out / "figures"))
        step("comparison")
    return written


def _compare(args) -> int:
    written = compare_corpus(args.raw, args.out, units=args.units, keep_going=args.keep_going, progress=Progress())
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


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
    default = args.raw == config.RAW_DIR and args.measures is None and args.out is None and args.units is None
    if default and config.CORPUS_DIR.is_dir():  # the main job also compares the project's pooled corpus
        corpus = compare_corpus(config.CORPUS_DIR, config.REPORTS_DIR / "corpus", progress=Progress())
        written.update({f"corpus/{k}": v for k, v in corpus.items()})
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per job (ingest, registry, build, compare, figures)."""
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    for add in (_ingest_command, _registry_command, _build_command, _compare_command, _figures_command):
        add(sub)
    return p


def _ingest_command(sub) -> None:
    """The sub-command ingest: plan files to a measures CSV."""
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


def _registry_command(sub) -> None:
    """The sub-command registry: propose a registry for plans."""
    pr = sub.add_parser("registry", help="propose a unit registry (units.csv) for plans, from the glossary")
    pr.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SOURCE",
        help="plan file(s), folder(s) of plans (one folder per government for a pooled corpus) or measures CSV(s)",
    )
    pr.add_argument("-o", "--output", type=Path, default=None, help="registry CSV to write (default: print it)")
    pr.add_argument(
        "--place",
        action="append",
        default=[],
        metavar="NAME[=ENGLISH]",
        help="a place name that means the plan's own jurisdiction (下陆=Xialu); repeatable",
    )
    pr.set_defaults(func=_registry)


def _build_command(sub) -> None:
    """The sub-command build: the main job."""
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


def _compare_command(sub) -> None:
    """The sub-command compare: a pooled corpus, government by government."""
    pc = sub.add_parser("compare", help="read a pooled corpus (one folder per government) and compare its governments")
    pc.add_argument(
        "--raw", type=Path, default=config.CORPUS_DIR, help="folder of government folders (default: data/corpus)"
    )
    pc.add_argument(
        "--out", type=Path, default=config.REPORTS_DIR / "corpus", help="output folder (default: reports/corpus)"
    )
    pc.add_argument("--units", type=Path, default=None, help="registry (default: RAW/units.csv, else one proposed)")
    pc.add_argument("--keep-going", action="store_true", help="compare what could be read; list the rest")
    pc.set_defaults(func=_compare)


def _figures_command(sub) -> None:
    """The sub-command figures: the charts only."""
    pf = sub.add_parser("figures", help="draw the charts (PNG, SVG, PDF; Chinese and English) into figures/")
    pf.add_argument(
        "--measures", type=Path, default=config.MEASURES_CSV, help="measures CSV (default: data/measures.csv)"
    )
    pf.add_argument("--units", type=Path, default=config.UNITS_CSV, help="unit registry (default: data/units.csv)")
    pf.add_argument("--out", type=Path, default=config.FIGURES_DIR, help="folder for the figures (default: figures/)")
    pf.set_defaults(func=_figures)


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
