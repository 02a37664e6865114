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

End to end is load + workload + co-lead + clusters + brokers (the view is reported apart);
the ratio divides it by the arrow floor. Peak memory is the process's peak resident set size
during each stage (Linux ``VmHWM``, reset before each stage), imports included; while the
process has children (the forked Louvain workers), the total proportional set size of it and
its children is sampled every 50 ms and the stage's peak is the larger of the two. The
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
    set size of all of them every 50 ms (pages shared after the fork counted once in total).
    """

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)  # (runs until the worker process exits)
        self.interval, self.peak = interval, 0.0

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
            time.sleep(self.interval)
            kids = self._children()
            if kids:
                self.peak = max(self.peak, sum(self._pss_mb(p) for p in ["self", *kids]))

    def take(self) -> float:
        """The peak since the last call (0 if there were no children), and start again."""
        peak, self.peak = self.peak, 0.0
        return peak


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
    p.add_argument("--measures", type=int, nargs="+", default=[1_000, 10_000, 100_000], metavar="N")
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

    from tqdm import tqdm

    stages = [s for s in STAGES if not (args.no_view and s == "view")]
    results = {}
    with tqdm(total=len(args.measures) * (len(stages) * args.repeat + 1), unit="stage", file=sys.stderr) as bar:
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
    runs = f"median of {args.repeat} runs" if args.repeat > 1 else "one run"
    print(f"\nMachine: {machine()}; {runs}\n")
    print(table(results))
    for n, rs in results.items():
        skip = ("stage", "seconds", "peak_mb", "process_peak_mb")
        notes = {s: {k: v for k, v in rec.items() if k not in skip} for s, rec in rs[0].items()}
        print(f"\n{n:,}: " + "; ".join(f"{s} {v}" for s, v in notes.items() if v))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
