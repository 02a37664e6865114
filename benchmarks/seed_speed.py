"""Time the seed's main job and the notebooks against the import floor (a measurement, not a test).

Usage: python benchmarks/seed_speed.py [--repeat R] [--no-build] [--no-notebooks] [--charts]

``import floor``  ``python -c "import pandas, matplotlib.pyplot, networkx"``, best of R runs;
``seed build``    ``python -m analysis build --out TMP`` (ingest of ``data/raw``, every report,
                  task sheet, chart and view: the same work as the project's own build, into a
                  fresh folder), wall and CPU (the process and its workers), median of R; each
                  run's files are compared byte for byte with the committed ones;
``notebooks``     every notebook top to bottom, one after the other, each in a fresh kernel
                  as ``tests/test_notebooks.py`` runs them (output folder a temporary one,
                  Chinese PNGs only in 05), median of R of all of them together.

``× floor`` divides by the import floor of the same run. ``--charts`` adds a table of what
each chart file costs (CPU seconds in this process, one language after the other): building
the figure with its layouts, the 300-dpi draw, the PNG encoding, the SVG and the PDF.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = "import pandas, matplotlib.pyplot, networkx"


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _run(args, **kw) -> tuple[float, float]:
    """(wall s, CPU s of the child and its descendants) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(args, check=True, env=_env(), cwd=ROOT, stdout=subprocess.DEVNULL, **kw)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def import_floor(repeat: int) -> float:
    return min(_run([sys.executable, "-c", FLOOR])[0] for _ in range(repeat))


def _differing(out: Path) -> list[str]:
    """Committed outputs (measures.csv, reports/, figures/) whose bytes the build in `out` did not
    reproduce; ``reports/corpus/`` aside (the comparison of data/corpus that only the default
    build, without ``--out``, adds)."""
    pairs = [(ROOT / "data" / "measures.csv", out / "measures.csv")]
    for folder in ("reports", "figures"):
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and not p.is_relative_to(ROOT / "reports" / "corpus"):
                pairs.append((p, out / folder / p.relative_to(ROOT / folder)))
    return [str(a.relative_to(ROOT)) for a, b in pairs if not b.is_file() or a.read_bytes() != b.read_bytes()]


def seed_build(repeat: int) -> tuple[list[float], list[float], list[str]]:
    walls, cpus, differ = [], [], set()
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = _run([sys.executable, "-m", "analysis", "build", "--out", tmp], stderr=subprocess.DEVNULL)
            walls.append(wall)
            cpus.append(cpu)
            differ |= set(_differing(Path(tmp)))
    return walls, cpus, sorted(differ)


_NOTEBOOKS = r"""
import sys, tempfile
from pathlib import Path
import nbformat
from nbclient import NotebookClient
for path in sorted(Path("notebooks").glob("*.ipynb")):
    tmp = tempfile.mkdtemp()
    nb = nbformat.read(path, as_version=4)
    overrides = {"OUT": repr(tmp), "FORMATS": '["png"]', "LANGS": '["zh"]'}
    params = next(c for c in nb.cells if c.cell_type == "code")
    params.source = "\n".join(
        next((f"{k} = {v}  # benchmark run" for k, v in overrides.items() if line.startswith(f"{k} = ")), line)
        for line in params.source.splitlines()
    )
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    if errors:
        sys.exit(f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}")
"""


def notebooks(repeat: int) -> list[float]:
    return [_run([sys.executable, "-c", _NOTEBOOKS], stderr=subprocess.DEVNULL)[0] for _ in range(repeat)]


def chart_costs() -> None:
    """Per chart file: CPU seconds of each step of ``figures.render._write_lang``, in this process."""
    sys.path.insert(0, str(ROOT))
    import io

    import numpy as np

    from analysis import figures as F
    from analysis import style
    from analysis.exports import analysis_tables
    from analysis.figures import base, render
    from analysis.load import load

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    ds = load()
    tables = analysis_tables(ds)
    steps = ["figure + layouts", "300-dpi draw", "PNG encoding", "SVG", "PDF"]
    print("\n| chart | " + " | ".join(steps) + " | all |")
    print("|---|" + "---|" * (len(steps) + 1))
    total = dict.fromkeys(steps, 0.0)
    for lang in F.LANGS:
        figs, rows = {}, {}
        for name, func in F.CHARTS.items():
            row, t = {}, cpu()
            fig = figs[name] = func(ds, tables, lang=lang)
            engine = fig.get_layout_engine() if base.has_layout(fig) else None
            base.run_layout(fig)
            row["figure + layouts"], t = cpu() - t, cpu()
            with style.figure_style():
                fig.set_dpi(style.DPI)
                fig.canvas.draw()
                rgba = memoryview(np.array(fig.canvas.buffer_rgba()))
                fig.set_dpi(100)
            row["300-dpi draw"], t = cpu() - t, cpu()
            render._png_bytes(rgba)
            row["PNG encoding"], t = cpu() - t, cpu()
            if engine is not None:
                fig.set_layout_engine("none")
            with style.figure_style():
                fig.savefig(io.BytesIO(), format="svg", dpi=style.DPI, metadata=render._METADATA["svg"])
            row["SVG"] = cpu() - t
            rows[name] = row
        font = style.truetype_font(set().union(*map(render._texts_chars, figs.values())))
        for name, fig in figs.items():
            t = cpu()
            _pdf(render, fig, font)
            rows[name]["PDF"] = cpu() - t
        for name, row in rows.items():
            label = name if lang == "zh" else f"en/{name}"
            print(f"| {label} | " + " | ".join(f"{row[s]:.2f}" for s in steps) + f" | {sum(row.values()):.2f} |")
            for s in steps:
                total[s] += row[s]
    print("| **all 48 files** | " + " | ".join(f"{total[s]:.2f}" for s in steps) + f" | {sum(total.values()):.2f} |")


def _pdf(R, fig, font) -> None:
    import io

    from analysis import style

    with style.figure_style(), R._font_file(fig, font), R._tounicode_as_bfchar():
        fig.savefig(io.BytesIO(), format="pdf", dpi=style.DPI, metadata=R._METADATA["pdf"])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    p.add_argument("--no-build", action="store_true", help="skip the seed build")
    p.add_argument("--no-notebooks", action="store_true", help="skip the notebooks")
    p.add_argument("--charts", action="store_true", help="also print what each chart file costs")
    args = p.parse_args(argv)

    floor = import_floor(args.repeat)
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the start"
    )
    print("\n| what | median (s) | range (s) | × floor | note |\n|---|---|---|---|---|")
    print(f'| import floor (best of {args.repeat}) | {floor:.2f} | | 1.0 | `python -c "{FLOOR}"` |')
    if not args.no_build:
        walls, cpus, differ = seed_build(args.repeat)
        same = (
            "byte-identical to the committed files"
            if not differ
            else f"{len(differ)} files differ: {', '.join(differ[:5])}"
        )
        w = statistics.median(walls)
        print(f"| seed build, wall | {w:.2f} | {min(walls):.2f}–{max(walls):.2f} | {w / floor:.1f} | {same} |")
        c = statistics.median(cpus)
        span = f"{min(cpus):.2f}–{max(cpus):.2f}"
        print(f"| seed build, CPU | {c:.2f} | {span} | {c / floor:.1f} | the process and its workers |")
    if not args.no_notebooks:
        runs = notebooks(args.repeat)
        n = statistics.median(runs)
        span = f"{min(runs):.2f}–{max(runs):.2f}"
        names = sorted(p.stem[:2] for p in (ROOT / "notebooks").glob("*.ipynb"))
        label = f"notebooks {names[0]}–{names[-1]} together"
        print(f"| {label} | {n:.2f} | {span} | {n / floor:.1f} | as the tests run them |")
    if args.charts:
        chart_costs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
