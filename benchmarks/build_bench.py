"""Time the whole main job, ``python -m analysis build``, on corpora of given sizes (a measurement, not a test).

Usage::

    python benchmarks/build_bench.py [--measures N ...] [--seed-repeated N ...] [--timeout S]
                                     [--data DIR] [--keep OUT]

Each size is built once, in a fresh process, with ``build --measures M.csv --units U.csv --out
OUT`` (OUT a temporary folder): the synthetic national corpus of :mod:`benchmarks.make_corpus`
(``--measures``, cached under ``--data``) or the seed's 138 measures repeated with new ids up to
N measures (``--seed-repeated``: few units, very long task lists). The table gives per size the
wall time, the CPU time of the build and its worker processes, the peak memory of the build's
process tree (the total proportional set size of the build and every child, sampled every
100 ms: pages shared after a fork counted once; also the largest single-process peak,
``VmHWM``), the exit status, and the stage times the build prints on stderr (its ``Progress``
lines). A build still running after ``--timeout`` seconds is stopped (with its workers) and
shown as such.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import corpus, machine  # noqa: E402


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from ``/proc/PID/task/*/children``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{p}/task").iterdir():
                with contextlib.suppress(OSError):
                    todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def seed_repeated(n: int, data_dir: Path) -> tuple[Path, Path]:
    """The seed's measures repeated (plan and measure ids prefixed ``R0000``…) up to `n` measures."""
    import pandas as pd

    folder = data_dir / f"seed_repeated_{n}"
    m, u = folder / "measures.csv", folder / "units.csv"
    if not (m.exists() and u.exists()):
        seed = pd.read_csv(ROOT / "data" / "measures.csv", dtype=str, keep_default_na=False)
        parts = []
        for r in range(-(-n // len(seed))):
            parts.append(
                seed.assign(plan_id=f"R{r:04d}" + seed["plan_id"], measure_id=f"R{r:04d}-" + seed["measure_id"])
            )
        folder.mkdir(parents=True, exist_ok=True)
        pd.concat(parts, ignore_index=True).head(n).to_csv(m, index=False, lineterminator="\n")
        shutil.copy(ROOT / "data" / "units.csv", u)
    return m, u


def build(measures: Path, units: Path, out: Path, timeout: float) -> dict:
    """Run one build; returns wall and CPU seconds, peak memory (MB), exit status and stage lines."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "analysis", "build", "--measures", str(measures), "--units", str(units)]
    cmd += ["--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    peak_tree = peak_one = 0
    timed_out = False
    while proc.poll() is None:
        pids = _tree(proc.pid)
        peak_tree = max(peak_tree, sum(_pss_kb(p) for p in pids))
        peak_one = max([peak_one] + [_status_kb(p, "VmHWM") for p in pids])
        if time.perf_counter() - t > timeout:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.1)
    stderr = proc.communicate()[1]
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stages = [m.group(1, 2) for m in re.finditer(r"^build: (.*?) \(([\d.]+) s,", stderr, flags=re.M)]
    error = next((ln for ln in reversed(stderr.splitlines()) if ln.startswith(("error:", "Traceback"))), "")
    if not error and proc.returncode:
        error = (stderr.strip().splitlines() or [""])[-1]
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_tree_mb": peak_tree / 1024,
        "peak_process_mb": peak_one / 1024,
        "status": "stopped" if timed_out else str(proc.returncode),
        "error": error[:160],
        "stages": stages,
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--measures", type=int, nargs="*", default=[10_000, 100_000], metavar="N")
    p.add_argument("--seed-repeated", type=int, nargs="*", default=[], metavar="N")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "analysis-benchmarks")
    p.add_argument("--timeout", type=float, default=1200.0, help="stop a build after this many seconds")
    p.add_argument("--keep", type=Path, default=None, help="build into OUT/<corpus> and keep it (default: removed)")
    args = p.parse_args(argv)

    jobs = [(f"synthetic {n:,}", *corpus(n, args.seed, args.data)) for n in args.measures]
    jobs += [(f"seed repeated {n:,}", *seed_repeated(n, args.data)) for n in args.seed_repeated]
    rows = []
    for name, m, u in jobs:
        print(f"{name}: building …", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            out = (args.keep / name.replace(" ", "_").replace(",", "")) if args.keep else Path(tmp) / "out"
            if out.exists():
                shutil.rmtree(out)
            r = build(m, u, out, args.timeout)
        rows.append((name, r))
        print(
            f"{name}: exit {r['status']} after {r['wall']:.0f} s, CPU {r['cpu']:.0f} s, "
            f"peak {r['peak_tree_mb']:,.0f} MB (tree), {r['peak_process_mb']:,.0f} MB (one process); "
            + "; ".join(f"{s} {sec} s" for s, sec in r["stages"]),
            file=sys.stderr,
            flush=True,
        )

    print(f"\nMachine: {machine()}; one run each\n")
    head = ["corpus", "exit", "wall s", "CPU s", "peak MB (tree)", "peak MB (one process)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, r in rows:
        cells = [name, r["status"], f"{r['wall']:.0f}", f"{r['cpu']:.0f}"]
        cells += [f"{r['peak_tree_mb']:,.0f}", f"{r['peak_process_mb']:,.0f}"]
        print("| " + " | ".join(cells) + " |")
    for name, r in rows:
        stages = "; ".join(f"{s} {sec} s" for s, sec in r["stages"])
        print(f"\n{name}: {stages or 'no stage finished after 5 s'}" + (f"\n  {r['error']}" if r["error"] else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
