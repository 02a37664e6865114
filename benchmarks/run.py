"""Time each analysis stage on synthetic national corpora (a measurement, not a test).

Usage: python benchmarks/run.py [--measures N ...] [--repeat R] [--seed S] [--data DIR] [--no-view]

For each size, the corpus of :mod:`benchmarks.make_corpus` is generated once (cached under
``--data``, default a folder in the system's temp directory). The read floors run in a Python
process of their own; then every analysis stage runs in one fresh process, one after the other,
on the same data (as a pipeline would: later stages reuse what earlier ones remembered):

``read floor``  pandas reading the measures CSV (``dtype=str``, no validation, default C engine);
``arrow floor`` the same with ``engine="pyarrow"``: the fastest pandas read, the floor;
``load``        :func:`analysis.load.load`: read, validate, split unit lists, map aliases;
``workload``    :func:`analysis.workload.workload` (per-unit loads and ranks);
``co-lead``     :func:`analysis.graph.unit_edges` of named lead units (B·Bᵀ from the loader's
                integer codes; the same table as ``projection_edges`` of the named leads);
``clusters``    :func:`analysis.clusters.colead_clusters` with ``n_runs=None`` (networkx
                Louvain below 200 lead units, igraph above; 100 runs up to 5,000 lead
                units, 3 above; from 20,000 lead units the runs go to forked worker processes);
``brokers``     :func:`analysis.clusters.brokers` (betweenness exact or sampled, k-core,
                participation);
``view``        :func:`analysis.views.colead_view` with the top 300 units by lead share.

``--ingest SPEC …`` adds the text-ingest rows: ``python -m analysis ingest FOLDER -o CSV`` in a
fresh process, timed from its start to the command's return (interpreter, imports, reading, the
CSV written; not the count of its rows afterwards), beside
the import floor ``python -c "import pandas, matplotlib.pyplot, networkx"`` (best of 3, same run).
A SPEC is ``seedxN`` (N copies of ``data/raw/*.txt``) or ``FILES:MEASURES`` (the plan texts of
:func:`make_corpus.write_texts`, five layouts, one file per county). Its peak is the largest total
memory of the ingest process and its forked workers (PSS, sampled every 50 ms or, for large
processes, less often: see ``_TreeMemory``) or the process's own peak resident set, whichever is
larger. ``--measures`` with no size runs only these rows.

End to end is load + workload + co-lead + clusters + brokers (the view is reported apart);
the ratio divides it by the arrow floor. Peak memory is the process's peak resident set size
during each stage (Linux ``VmHWM``, reset before each stage), imports included; while the
process has children (the forked Louvain workers), the total proportional set size of it and
its children is sampled every 50 ms (less often for large processes) and the stage's peak is the larger of the two. The
end-to-end peak is the largest of its stages. Imports (igraph's included) are timed
separately and not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["imports", "read floor", "arrow floor", "load", "workload", "co-lead", "clusters", "brokers", "view"]
END_TO_END = ["load", "workload", "co-lead", "clusters", "brokers"]
VIEW_UNITS = 300


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


class _TreeMemory(threading.Thread):
    """The largest total memory (PSS, MB) of this process and its child processes, sampled.

    The clusters stage forks worker processes for its Louvain runs; their memory is not in this
    process's ``VmHWM``. While this process has children, this thread adds up the proportional
    set size of all of them every 50 ms (pages shared after the fork counted once in total),
    or less often when reading them takes long: the kernel walks every page of a process to
    add up its PSS (18 ms for a process of 1.4 GB here): the 1M text ingest took 57 s alone and
    70 s timed here with samples every 50 ms (2.8 s of the difference the count of its CSV's
    rows, now outside the time). The pause after a sample is 20 times what the sample took (so
    sampling costs about 5 % of one core), between 50 ms and ``max_pause`` (0.5 s: a stage of
    a second, such as the 1M clusters, is still sampled twice).
    """

    def __init__(self, interval: float = 0.05, max_pause: float = 0.5):
        super().__init__(daemon=True)  # (runs until the worker process exits)
        self.interval, self.max_pause, self.peak = interval, max_pause, 0.0
        self.pause = interval

    @staticmethod
    def _children() -> list[int]:
        kids = []
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError):
                kids += [int(p) for p in (task / "children").read_text().split()]
        return kids

    @staticmethod
    def _pss_mb(pid) -> float:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
        except OSError:  # the child has just exited
            pass
        return 0.0

    def run(self) -> None:
        while True:
            time.sleep(self.pause)
            kids = self._children()
            if kids:
                t = time.perf_counter()
                total = sum(self._pss_mb(p) for p in ["self", *kids])
                self.pause = min(max(self.interval, 20 * (time.perf_counter() - t)), self.max_pause)
                self.peak = max(self.peak, total)

    def take(self) -> float:
        """The peak since the last call (0 if there were no children), and start again."""
        peak, self.peak = self.peak, 0.0
        return peak


IMPORT_FLOOR = "import pandas, matplotlib.pyplot, networkx"


def import_floor(runs: int = 3) -> float:
    """Seconds of ``python -c "import pandas, matplotlib.pyplot, networkx"``, best of `runs`."""
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", IMPORT_FLOOR], check=True, cwd=ROOT)
        best = min(best, time.perf_counter() - t)
    return best


def text_corpus(spec: str, seed: int, data_dir: Path) -> Path:
    """The folder of plan texts of `spec` (``seedx200`` or ``3000:1000000``), made on first use."""
    if spec.startswith("seedx"):
        folder = data_dir / f"texts_{spec}"
        if not folder.is_dir():
            tmp = data_dir / f"texts_{spec}.part"
            tmp.mkdir(parents=True, exist_ok=True)
            raw = sorted((ROOT / "data" / "raw").glob("*.txt"))
            for k in range(int(spec[len("seedx") :])):
                for r in raw:
                    (tmp / f"copy{k:04d}_{r.name}").write_bytes(r.read_bytes())
            tmp.rename(folder)
        return folder
    n_files, n_measures = (int(x) for x in spec.split(":"))
    folder = data_dir / f"texts_{n_files}_{n_measures}_{seed}"
    if not folder.is_dir():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from make_corpus import write_texts

        tmp = data_dir / f"texts_{n_files}_{n_measures}_{seed}.part"
        write_texts(tmp, n_measures, n_files=n_files, seed=seed)
        tmp.rename(folder)
    return folder


def ingest_worker(folder: str, out: str) -> None:
    """``python -m analysis ingest FOLDER -o OUT`` in this process, with its memory sampled; prints JSON."""
    tree = _TreeMemory()
    if Path("/proc/self/smaps_rollup").exists():
        tree.start()
    sys.path.insert(0, str(ROOT))
    from analysis.cli import main as cli_main

    with contextlib.redirect_stdout(sys.stderr):
        code = cli_main(["ingest", folder, "-o", out])
    end = time.monotonic()  # the ingest's end: counting the rows below is not the ingest's time
    n = 0
    if code == 0:
        import csv

        with open(out, encoding="utf-8", newline="") as fh:
            n = sum(1 for _ in csv.reader(fh)) - 1
    peak = max(_peak_mb(), tree.take())
    print(json.dumps({"stage": "text ingest", "peak_mb": peak, "n_measures": n, "exit": code, "end": end}), flush=True)


def ingest_run(folder: Path, data_dir: Path) -> dict:
    """One timed ingest of `folder` in a fresh process: seconds (from its start to the ingest's
    end, on the system-wide monotonic clock), peak MB, measures."""
    out = data_dir / "ingest_out.csv"
    t = time.monotonic()
    proc = subprocess.run(
        [sys.executable, __file__, "--ingest-worker", str(folder), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"text ingest of {folder} failed (exit {proc.returncode})")
    rec = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**rec, "seconds": rec.pop("end") - t, "n_files": sum(1 for p in folder.iterdir() if p.suffix == ".txt")}


def ingest_table(rows: dict[str, list[dict]], floor_s: float) -> str:
    """The Markdown table of the text-ingest rows: medians over the runs, ratio to the import floor."""
    head = ["text ingest", "files", "measures", "seconds", "range", "× import floor", "measures/s", "peak MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for spec, runs in rows.items():
        secs = [r["seconds"] for r in runs]
        med = _median(secs)
        n = runs[0]["n_measures"]
        row = [
            spec,
            f"{runs[0]['n_files']:,}",
            f"{n:,}",
            f"**{med:.2f}**",
            f"{min(secs):.2f}–{max(secs):.2f}" if len(runs) > 1 else "–",
            f"{med / floor_s:.2f}",
            f"{n / med:,.0f}",
            f"{max(r['peak_mb'] for r in runs):,.0f}",
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines.append(f"| import floor | | | {floor_s:.2f} | | 1.00 | | |")
    return "\n".join(lines)


def floor(measures_csv: str) -> None:
    """The read floors, in a process of their own: pandas reading the CSV as text, no validation.

    ``read floor`` is pandas' default (C) reader, ``arrow floor`` its pyarrow engine, the
    fastest way pandas reads the file (and the stricter yardstick).
    """
    import pandas as pd

    for stage, engine in (("read floor", "c"), ("arrow floor", "pyarrow")):
        t = time.perf_counter()
        df = pd.read_csv(measures_csv, dtype=str, keep_default_na=False, engine=engine)
        print(json.dumps({"stage": stage, "seconds": time.perf_counter() - t, "peak_mb": _peak_mb()}), flush=True)
        del df


def worker(measures_csv: str, units_csv: str, view: bool) -> None:
    """Run every analysis stage in this process, printing one JSON line per stage."""
    tree = _TreeMemory()
    if Path("/proc/self/smaps_rollup").exists():
        tree.start()

    def emit(stage, seconds, **extra):
        peak = _peak_mb()
        workers = tree.take()
        rec = {"stage": stage, "seconds": seconds, "peak_mb": max(peak, workers), "process_peak_mb": peak}
        print(json.dumps({**rec, "with_workers_mb": workers, **extra} if workers else {**rec, **extra}), flush=True)
        _reset_peak()

    _reset_peak()
    t = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from analysis import clusters as cl
    from analysis.graph import unit_edges
    from analysis.load import load
    from analysis.workload import workload

    cl._import_igraph()  # imported by the clusters stage otherwise; imports are timed here
    emit("imports", time.perf_counter() - t)

    t = time.perf_counter()
    ds = load(measures_csv, units_csv)
    emit("load", time.perf_counter() - t, n_measures=len(ds.measures), n_assignments=len(ds.assignments))

    t = time.perf_counter()
    wl = workload(ds)
    emit("workload", time.perf_counter() - t)

    t = time.perf_counter()
    edges = unit_edges(ds, role="lead")
    emit("co-lead", time.perf_counter() - t, n_edges=len(edges))

    t = time.perf_counter()
    clus = cl.colead_clusters(ds, n_runs=None)
    emit(
        "clusters",
        time.perf_counter() - t,
        backend=clus.backend,
        n_runs=clus.n_runs,
        n_units=len(clus.assignment),
        n_clusters=int(clus.assignment["cluster"].nunique()),
    )

    t = time.perf_counter()
    br = cl.brokers(ds, clus)
    emit("brokers", time.perf_counter() - t, n_units=len(br))

    if view:
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            how = _view(ds, wl, edges, clus, Path(tmp) / "colead.html")
        emit("view", time.perf_counter() - t, how=how)


def _view(ds, wl, edges, clus, path: Path) -> str:
    """The unit-projection HTML view of the top units by lead share; returns what was used."""
    try:
        from analysis.views import colead_view
    except ImportError:
        colead_view = None
    if colead_view is not None:
        tables = {"workload": wl, "colead_edges": edges, "clusters": clus.assignment}
        path.write_text(colead_view(ds, tables, max_units=VIEW_UNITS), encoding="utf-8")
        return f"views.colead_view(max_units={VIEW_UNITS})"
    # a minimal equivalent: node and edge lists of the top units, as JSON in one HTML page
    top = wl.nlargest(VIEW_UNITS, "lead_share")["unit"]
    keep = set(top)
    e = edges[edges["unit_a"].isin(keep) & edges["unit_b"].isin(keep)]
    nodes = [
        {"id": u, "label": u, "value": float(s)}
        for u, s in zip(top, wl.set_index("unit").loc[top, "lead_share"], strict=True)
    ]
    links = [
        {"from": a, "to": b, "value": int(c)} for a, b, c in zip(e["unit_a"], e["unit_b"], e["count"], strict=True)
    ]
    path.write_text(f"<script>const data={json.dumps({'nodes': nodes, 'edges': links})}</script>", encoding="utf-8")
    return "minimal JSON node/edge lists (views.colead_view not available)"


def corpus(n: int, seed: int, data_dir: Path) -> tuple[Path, Path]:
    """The cached corpus of `n` measures (generated on first use)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_corpus import write_corpus

    folder = data_dir / f"corpus_{n}_{seed}"
    m, u = folder / "measures.csv", folder / "units.csv"
    if not (m.exists() and u.exists()):
        write_corpus(folder, n, seed=seed)
    return m, u


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem = next(int(x.split()[1]) for x in meminfo if x.startswith("MemTotal"))
        ram = f"{mem / 1024**2:.0f} GB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    return f"{os.cpu_count()} cores, {cpu}, {ram}, Python {platform.python_version()}, {platform.system()}"


def _median(values) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def table(results: dict[int, list[dict]]) -> str:
    """The Markdown table: per stage the median over the runs, end to end the median of the runs' sums."""
    cols = ["read floor", "arrow floor", "load", "workload", "co-lead", "clusters", "brokers"]
    head = ["measures", "assignments", *cols, "end to end", "range", "× floor", "peak MB", "view", "imports"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n, runs in results.items():
        med = {s: _median(r[s]["seconds"] for r in runs) for s in runs[0]}
        e2e_runs = [sum(r[s]["seconds"] for s in END_TO_END) for r in runs]
        e2e = _median(e2e_runs)
        peak = max(r[s]["peak_mb"] for r in runs for s in END_TO_END)
        row = [
            f"{n:,}",
            f"{runs[0]['load']['n_assignments']:,}",
            *(f"{med[s]:.2f}" for s in cols),
            f"**{e2e:.2f}**",
            f"{min(e2e_runs):.2f}–{max(e2e_runs):.2f}" if len(runs) > 1 else "–",
            f"{e2e / med['arrow floor']:.1f}",
            f"{peak:,.0f}",
            f"{med['view']:.2f}" if "view" in med else "–",
            f"{med['imports']:.2f}",
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _run(n: int, m: Path, u: Path, no_view: bool, bar) -> dict | None:
    """One run of a corpus: the read floor in one process, the stages in another."""
    out = {}
    floor_run = subprocess.run(
        [sys.executable, __file__, "--floor", str(m)], stdout=subprocess.PIPE, text=True, cwd=ROOT, check=False
    )
    if floor_run.returncode != 0:
        print(f"read floor of {n} measures failed (exit {floor_run.returncode})", file=sys.stderr)
        return None
    for line in floor_run.stdout.splitlines():
        rec = json.loads(line)
        out[rec["stage"]] = rec
        bar.set_description(f"{n:,} measures: {rec['stage']} {rec['seconds']:.2f}s")
        bar.update(1)
    cmd = [sys.executable, __file__, "--worker", str(m), str(u)] + (["--no-view"] if no_view else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    for line in proc.stdout:
        rec = json.loads(line)
        out[rec["stage"]] = rec
        bar.set_description(f"{n:,} measures: {rec['stage']} {rec['seconds']:.2f}s")
        bar.update(1)
    if proc.wait() != 0:
        print(f"benchmark of {n} measures failed (exit {proc.returncode})", file=sys.stderr)
        return None
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--measures", type=int, nargs="*", default=[1_000, 10_000, 100_000], metavar="N")
    p.add_argument(
        "--ingest",
        nargs="+",
        default=[],
        metavar="SPEC",
        help="text-ingest rows: seedxN (N copies of the seed) or FILES:MEASURES (generated plan texts)",
    )
    p.add_argument("--ingest-worker", nargs=2, metavar=("FOLDER", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "analysis-benchmarks")
    p.add_argument("--no-view", action="store_true", help="skip the HTML view stage")
    p.add_argument("--repeat", type=int, default=1, metavar="R", help="runs per size; the table shows medians")
    p.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    p.add_argument("--worker", nargs=2, metavar=("MEASURES", "UNITS"), help=argparse.SUPPRESS)
    p.add_argument("--floor", metavar="MEASURES", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.floor:
        floor(args.floor)
        return 0
    if args.worker:
        worker(*args.worker, view=not args.no_view)
        return 0
    if args.ingest_worker:
        ingest_worker(*args.ingest_worker)
        return 0

    from tqdm import tqdm

    stages = [s for s in STAGES if not (args.no_view and s == "view")]
    results = {}
    total = len(args.measures) * (len(stages) * args.repeat + 1) + len(args.ingest) * args.repeat
    with tqdm(total=total, unit="stage", file=sys.stderr) as bar:
        for n in args.measures:
            bar.set_description(f"{n:,} measures: corpus")
            m, u = corpus(n, args.seed, args.data)
            bar.update(1)
            results[n] = []
            for _ in range(args.repeat):
                run = _run(n, m, u, args.no_view, bar)
                if run is None:
                    return 1
                results[n].append(run)
        ingest_rows = {}
        for spec in args.ingest:
            bar.set_description(f"text ingest {spec}: corpus")
            folder = text_corpus(spec, args.seed, args.data)
            ingest_rows[spec] = []
            for _ in range(args.repeat):
                bar.set_description(f"text ingest {spec}")
                ingest_rows[spec].append(ingest_run(folder, args.data))
                bar.update(1)
        floor_s = import_floor() if args.ingest else None
    runs = f"median of {args.repeat} runs" if args.repeat > 1 else "one run"
    print(f"\nMachine: {machine()}; {runs}\n")
    if results:
        print(table(results))
    if args.ingest:
        print("\n" + ingest_table(ingest_rows, floor_s))
        results["text ingest"] = ingest_rows
    for n, rs in results.items():
        if n == "text ingest":
            continue
        skip = ("stage", "seconds", "peak_mb", "process_peak_mb")
        notes = {s: {k: v for k, v in rec.items() if k not in skip} for s, rec in rs[0].items()}
        print(f"\n{n:,}: " + "; ".join(f"{s} {v}" for s, v in notes.items() if v))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
