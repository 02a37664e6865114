"""Time to first draw and size of the HTML network views (a measurement, not a test).

Usage: python benchmarks/views_bench.py [PAGE.html ...] [--runs N]

Opens each page from disk in headless Debian Chromium with every request outside the file
blocked, N times (a fresh page each run), and reads the ``view-first-draw`` performance mark that
the page sets on vis-network's first ``afterDrawing`` event: milliseconds since navigation
started, so parsing the inlined script and data is included. Prints one row per page: size,
median and range of the first draw, and whether any request or console error happened.
Defaults to ``figures/network.html`` and ``figures/colead.html``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.config import FIGURES_DIR

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def measure(browser, path: Path, runs: int) -> dict:
    times, requests, errors = [], [], []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                requests.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page.goto(path.resolve().as_uri())
        page.wait_for_function("performance.getEntriesByName('view-first-draw').length > 0", timeout=30000)
        times.append(page.evaluate("performance.getEntriesByName('view-first-draw')[0].startTime"))
        ctx.close()
    return {"times": times, "requests": requests, "errors": errors}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", type=Path, default=[FIGURES_DIR / "network.html", FIGURES_DIR / "colead.html"])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; headless {CHROMIUM}")
    print(f"{'view':<16}{'size KB':>9}{'first draw ms (median)':>24}{'min':>7}{'max':>7}  runs  offline")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for path in args.pages:
            r = measure(browser, path, args.runs)
            t = r["times"]
            ok = "yes" if not r["requests"] and not r["errors"] else f"NO {r['requests'][:2]} {r['errors'][:2]}"
            print(
                f"{path.name:<16}{path.stat().st_size / 1024:>9.0f}{statistics.median(t):>24.0f}"
                f"{min(t):>7.0f}{max(t):>7.0f}{len(t):>6}  {ok}"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
