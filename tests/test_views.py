"""HTML network views: safe JSON, counts equal to the graph's, byte-identical files, and (in
headless Chromium, every network request blocked) a page that draws offline and runs no data."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
from pathlib import Path

import pytest

from analysis import views
from analysis.exports import analysis_tables
from analysis.graph import bipartite_graph
from analysis.load import load

TINY_DIR = Path(__file__).parent / "fixtures" / "tiny"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAYLOADS = (
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=2</script>",
    '<a href="javascript:window.__pwned=3">x</a>',
)


@pytest.fixture(scope="module")
def tiny_tables(tiny):
    return analysis_tables(tiny, n_runs=5)


# --------------------------------------------------------------------------- pure Python


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("</script><script>alert(1)</script>", id="script-close"),
        pytest.param("<!-- <script>", id="comment-open"),
        pytest.param("a & b > c", id="amp-gt"),
        pytest.param("line\u2028sep\u2029para", id="js-line-separators"),
        pytest.param('"quote" \\ back', id="quote-backslash"),
        pytest.param("区司法局 牵头", id="chinese"),
    ],
)
def test_escape_json_is_inert_in_html_and_round_trips(text):
    out = views.escape_json({"t": text, "n": [1, 2.5]})
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(out) == {"t": text, "n": [1, 2.5]}


def test_network_payload_has_one_node_per_graph_node_and_one_edge_per_edge(tiny, tiny_tables):
    p = views.network_payload(tiny, tiny_tables)
    G = bipartite_graph(tiny)
    assert sorted(n["id"] for n in p["nodes"]) == sorted(G.nodes)
    # 34 (measure, unit, role) mentions; P1-05 names 区甲局 in both roles: one edge.
    assert len(p["edges"]) == G.number_of_edges() == 33
    assert {frozenset((e["from"], e["to"])) for e in p["edges"]} == {frozenset(e) for e in G.edges}
    roles = {(e["from"], e["to"]): e["role"] for e in p["edges"]}
    assert roles["区甲局", "P1-05"] == "lead+responsible"  # spelled 区甲委 as lead, 区甲局 as responsible
    assert set(p["measures"]) == set(tiny.measures["measure_id"])
    assert all(-1 <= n["x"] <= 1 and -1 <= n["y"] <= 1 for n in p["nodes"])


def test_colead_payload_counts_and_max_units(tiny, tiny_tables):
    p = views.colead_payload(tiny, tiny_tables)
    assert sorted(n["id"] for n in p["nodes"]) == sorted(tiny_tables["clusters"]["unit"])
    assert len(p["edges"]) == len(tiny_tables["colead_edges"])
    edge = next(e for e in p["edges"] if {e["from"], e["to"]} == {"区乙局", "区丙局"})
    assert edge["count"] == 3 and edge["measures"] == ["P1-03", "P1-06", "P2-04"]
    # Lead shares: 区甲局 1+1/2+1/3+1+1+1/2, 区戊院 1+1/2+1/2+1/2, the next 区委丁部 2.
    top2 = views.colead_payload(tiny, tiny_tables, max_units=2)
    assert [n["id"] for n in top2["nodes"]] == sorted(["区甲局", "区戊院"])
    assert [(e["from"], e["to"], e["measures"]) for e in top2["edges"]] == [("区戊院", "区甲局", ["P2-06"])]
    kept = {n["id"] for n in top2["nodes"]}
    assert all(e["from"] in kept and e["to"] in kept for e in top2["edges"])


def test_colead_shared_measures_are_the_measures_led_together(tiny, tiny_tables):
    p = views.colead_payload(tiny, tiny_tables)
    lead = tiny.assignments.query("role == 'lead'").groupby("unit")["measure_id"].agg(set)
    for e in p["edges"]:
        assert e["measures"] == sorted(lead[e["from"]] & lead[e["to"]])
        assert e["count"] == len(e["measures"])


def test_write_views_is_byte_identical_self_contained_and_hashed(tiny, tiny_tables, tmp_path):
    a = views.write_views(tiny, tiny_tables, tmp_path / "a")
    b = views.write_views(tiny, tiny_tables, tmp_path / "b")
    assert set(a) == {"view_network", "view_colead"}
    for name in a:
        text = a[name].read_bytes()
        assert text == b[name].read_bytes(), name
        html = text.decode("utf-8")
        assert not re.search(r"<(link|img|iframe)\b", html)
        assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", html)
        # The CSP lists exactly the hashes of the two inline scripts.
        scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
        assert len(scripts) == 2
        for js in scripts:
            digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode()
            assert f"'sha256-{digest}'" in html
        assert "default-src 'none'" in html


def test_show_wraps_the_page_in_a_sandboxed_srcdoc_iframe(tiny, tiny_tables):
    page = views.colead_view(tiny, tiny_tables)
    out = views.show(page, height=500)
    assert out.data.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
    assert 'sandbox="allow-scripts allow-downloads"' in out.data
    assert "height:500px" in out.data


# --------------------------------------------------------------------------- browser


def _poisoned_dataset(folder: Path):
    """The tiny data set with the payloads in a measure's text, plan, section and a unit's name."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(TINY_DIR / "measures.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bad = " ".join(PAYLOADS)
    rows[0]["text"] = "措施 " + bad + " href 结束"
    for r in rows:
        if r["plan_id"] == "P1":
            r["plan_title"] = "甲方案" + PAYLOADS[1]
            if r["section_no"] == "1":
                r["section_title"] = PAYLOADS[0]
    with open(folder / "measures.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(TINY_DIR / "units.csv", encoding="utf-8") as fh:
        units = list(csv.DictReader(fh))
    units[0]["name_en"] = PAYLOADS[2]
    with open(folder / "units.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(units[0]))
        w.writeheader()
        w.writerows(units)
    return load(folder / "measures.csv", folder / "units.csv")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory, seed):
    """The seed's views and the poisoned tiny views, written to a temporary folder."""
    root = tmp_path_factory.mktemp("views")
    tables = analysis_tables(seed, n_runs=10)
    out = {"seed": views.write_views(seed, tables, root / "seed"), "seed_ds": seed, "seed_tables": tables}
    ds = _poisoned_dataset(root / "poison_data")
    out["poison"] = views.write_views(ds, analysis_tables(ds, n_runs=5), root / "poison")
    out["poison_ds"] = ds
    return out


class Page:
    """An offline page: every request outside the file is recorded and aborted."""

    def __init__(self, browser, path):
        self.requests, self.errors = [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))
        self.context.route("**/*", self._route)
        self.page.goto(Path(path).resolve().as_uri())
        self.page.wait_for_function("window.view && network.body.data.nodes.length > 0", timeout=15000)

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort("internetdisconnected")

    def ev(self, js, arg=None):
        return self.page.evaluate(js, arg)

    def node_xy(self, node_id):
        return self.ev(
            """id => { const p = network.canvasToDOM(network.getPositions([id])[id]);
                       const r = document.getElementById('net').getBoundingClientRect();
                       return [p.x + r.left, p.y + r.top, network.getNodeAt(p)]; }""",
            node_id,
        )

    def close(self):
        self.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["view_network", "view_colead"])
def test_view_draws_offline_with_the_graphs_counts(browser, built, name):
    ds, tables = built["seed_ds"], built["seed_tables"]
    if name == "view_network":
        G = bipartite_graph(ds)
        n_nodes, n_edges, some = G.number_of_nodes(), G.number_of_edges(), ["区司法局", "P1-22"]
    else:
        n_nodes, n_edges, some = len(tables["clusters"]), len(tables["colead_edges"]), ["区司法局", "区法院"]
    pg = Page(browser, built["seed"][name])
    try:
        pg.page.wait_for_timeout(200)
        assert pg.ev("network.body.data.nodes.length") == n_nodes
        assert pg.ev("network.body.data.edges.length") == n_edges
        assert pg.ev("ids => network.body.data.nodes.get(ids).map(n => n.id)", some) == some
        assert pg.ev("network.physics.options.enabled") is False
        # Opening zoom: the busiest unit's label is drawn at a legible size.
        assert pg.ev("network.getScale()") == 1
        assert pg.ev("network.body.nodes['区司法局'].labelModule.visible()") is True
        # Click a unit: side panel lists its measures with their full text.
        x, y, hit = pg.node_xy("区司法局")
        assert hit == "区司法局"
        pg.page.mouse.click(x, y)
        info = pg.ev("document.getElementById('info').textContent")
        text = ds.measures.set_index("measure_id").loc["P1-01", "text"]
        assert "区司法局" in info and text in info
        # Search by English name, then by measure text.
        assert pg.ev("view.search('district justice')")[0] == "区司法局"
        pg.page.fill("#q", "Justice Bureau")
        assert "区司法局" in pg.ev("document.getElementById('results').textContent")
        if name == "view_network":
            assert "P1-01" in pg.ev("t => view.search(t)", text[:12])
        # PNG of the current view.
        assert pg.ev("view.png()").startswith("data:image/png;base64,")
        with pg.page.expect_download() as dl:
            pg.page.click("#png")
        assert dl.value.suggested_filename.endswith(".png")
        assert pg.requests == [] and pg.errors == []
    finally:
        pg.close()


@pytest.mark.browser
def test_legend_click_filters_by_system_plan_and_role(browser, built):
    pg = Page(browser, built["seed"]["view_network"])
    try:
        pg.page.click("#legend .lg:has-text('法院')")
        assert pg.ev("network.body.data.nodes.get('区法院').hidden") is True
        assert pg.ev("network.body.data.nodes.get('区司法局').hidden") is False
        pg.page.click("#legend .lg:has-text('P2')")
        assert pg.ev("network.body.data.nodes.get('P2-01').hidden") is True
        assert pg.ev("network.body.data.nodes.get('P1-01').hidden") is False
        pg.page.click("#legend .lg:has-text('responsible')")
        hidden = pg.ev("network.body.data.edges.get().filter(e => e.hidden).length")
        visible_roles = pg.ev(
            "[...new Set(network.body.data.edges.get().filter(e => !e.hidden).map(e => view.data.edges[e.id].role))]"
        )
        assert hidden > 0 and "responsible" not in visible_roles
        pg.page.click("#clear")
        assert pg.ev("network.body.data.nodes.get().filter(n => n.hidden).length") == 0
        assert pg.errors == [] and pg.requests == []
    finally:
        pg.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["view_network", "view_colead"])
def test_poisoned_texts_run_nothing(browser, built, name):
    pg = Page(browser, built["poison"][name])
    try:
        before = pg.ev("Object.keys(window).sort()")
        target = "P1-01" if name == "view_network" else "区甲局"
        x, y, hit = pg.node_xy(target)
        if hit != target:  # another node on top: move the target to a free corner first
            pg.ev("id => { const c = network.DOMtoCanvas({x: 30, y: 760}); network.moveNode(id, c.x, c.y); }", target)
            x, y, hit = pg.node_xy(target)
        assert hit == target
        pg.page.mouse.move(x, y)
        pg.page.wait_for_timeout(250)
        assert pg.ev("document.getElementById('tip').style.display") == "block"
        tip = pg.ev("document.getElementById('tip').textContent")
        pg.page.mouse.click(x, y)
        for node in ("P1-01", "区甲局"):
            pg.ev("id => view.select(id, true)", node)
        pg.page.fill("#q", "onerror")
        pg.page.wait_for_timeout(100)
        results = pg.ev("document.getElementById('results').textContent")
        pg.page.keyboard.press("Enter")
        pg.page.wait_for_timeout(250)
        info = pg.ev("document.getElementById('info').textContent")
        shown = tip + results + info + pg.ev("document.getElementById('legend').textContent")
        # Each payload is shown literally, as text …
        for payload in PAYLOADS:
            assert payload in shown, payload
        # … and nothing ran or was created from it.
        assert pg.ev("typeof window.__pwned") == "undefined"
        assert pg.ev("Object.keys(window).sort()") == before
        assert pg.ev("document.querySelectorAll('img, a[href], #info script, #tip script').length") == 0
        assert pg.requests == [] and pg.errors == []
    finally:
        pg.close()
