"""HTML network views: safe JSON, counts equal to the graph's, byte-identical files, and (in
headless Chromium, every network request blocked) a page that draws offline and runs no data."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import math
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


def test_collectives_follow_the_registry_flag_in_colour_and_legend(tiny, tiny_tables):
    # 各街办 has system "subdistrict" in the registry but is_collective true: grey, filtered as 集合性表述.
    from analysis.style import COLLECTIVE_COLOR

    p = views.network_payload(tiny, tiny_tables)
    node = next(n for n in p["nodes"] if n["id"] == "各街办")
    assert node["color"] == COLLECTIVE_COLOR and node["facets"]["system"] == ["collective"]
    assert p["units"]["各街办"]["system"] == "collective"
    systems = {it["value"]: it["n"] for it in p["facets"][0]["items"]}
    assert systems == {"party": 1, "government": 3, "court": 1, "collective": 2}  # no 街道 entry left


def test_plan_counts_are_measures_led_by_the_units_shown(tiny, tiny_tables):
    def plans(payload):
        return {it["value"]: it["n"] for it in next(f for f in payload["facets"] if f["key"] == "plan")["items"]}

    assert plans(views.colead_payload(tiny, tiny_tables)) == {"P1": 6, "P2": 6}
    # 区甲局 leads P1-01, -02, -03, -05 (as 区甲委), P2-03, -06; 区戊院 P2-01, -02, -05, -06.
    assert plans(views.colead_payload(tiny, tiny_tables, max_units=2)) == {"P1": 4, "P2": 5}
    assert plans(views.network_payload(tiny, tiny_tables)) == {"P1": 6, "P2": 6}


@pytest.mark.parametrize("engine", [None, "networkx", "igraph"])
def test_layout_puts_the_main_component_on_top_and_packs_the_rest_below(engine):
    import networkx as nx

    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("a", "c"), ("e", "f")])
    G.add_node("g")
    pos = views._layout(G, seed=1, engine=engine)
    assert pos == views._layout(G, seed=1, engine=engine)
    assert all(-1 <= x <= 1 and -1 <= y <= 1 for x, y in pos.values())
    assert max(pos[n][1] for n in "abcd") < min(pos[n][1] for n in "efg")  # y grows downwards
    assert pos["e"][1] == pos["f"][1] == pos["g"][1]  # one row: the pair, then the isolate
    assert pos["e"][0] < pos["f"][0] < pos["g"][0]


def test_igraph_layout_of_a_large_view_is_deterministic_and_spread():
    import networkx as nx

    # a 15 x 15 grid (225 nodes > NX_LAYOUT_MAX): igraph's Kamada-Kawai, the same in two runs
    G = nx.relabel_nodes(nx.grid_2d_graph(15, 15), lambda n: f"u{n[0]:02d}{n[1]:02d}")
    nx.set_edge_attributes(G, 1.0, "weight")
    assert len(G) > views.NX_LAYOUT_MAX
    pos = views._layout(G, seed=1)
    assert pos == views._layout(G, seed=1)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    assert min(xs) == -1 and max(xs) == 1 and min(ys) == -1 and max(ys) == 1  # stretched to the canvas
    # neighbours on the grid stay closer than its opposite corners
    d = lambda a, b: math.dist(pos[a], pos[b])  # noqa: E731
    assert d("u0000", "u0001") < 0.3 < 1.5 < d("u0000", "u1414")


def test_colead_payload_requires_the_cluster_table_and_computes_only_the_cheap_ones(tiny, tiny_tables):
    with pytest.raises(ValueError, match=r"tables\['clusters'\].*analysis\.exports\.analysis_tables\(ds\)"):
        views.colead_payload(tiny, {"workload": tiny_tables["workload"]})
    with pytest.raises(ValueError, match="clusters"):
        views.colead_view(tiny)
    # workload (lead shares) and colead_edges are computed when missing: the same payload
    alone = views.colead_payload(tiny, {"clusters": tiny_tables["clusters"]})
    assert alone == views.colead_payload(tiny, tiny_tables)


def test_unit_measure_lists_in_measure_order_with_the_per_role_quota(tiny):
    # 区甲局 (alias 区甲委): leads P1-01 P1-02 P1-03 P2-03 P2-06, responsible on P1-04 P2-01, both on P1-05
    pairs = views._unit_pairs(tiny, {"区甲局"})
    assert pairs["pos"].tolist() == [0, 1, 2, 3, 4, 6, 8, 11]  # rows of the measures table
    full, q = views._unit_measure_lists(pairs, ["区甲局"])
    assert q is None and full["区甲局"] == [
        ["P1-01", "lead"], ["P1-02", "lead"], ["P1-03", "lead"], ["P1-04", "responsible"],
        ["P1-05", "lead+responsible"], ["P2-01", "responsible"], ["P2-03", "lead"], ["P2-06", "lead"],
    ]  # fmt: skip
    # 8 measures > 3: q = 3 // (3 x 1 unit) = 1, the first measure of each role
    one, q = views._unit_measure_lists(pairs, ["区甲局"], max_texts=3)
    assert q == 1 and one["区甲局"] == [["P1-01", "lead"], ["P1-04", "responsible"], ["P1-05", "lead+responsible"]]
    two, q = views._unit_measure_lists(pairs, ["区甲局"], max_texts=6)  # q = 6 // 3 = 2
    assert q == 2 and [m for m, _ in two["区甲局"]] == ["P1-01", "P1-02", "P1-04", "P1-05", "P2-01"]
    other, q = views._unit_measure_lists(pairs, ["区甲局", "区乙局"], max_texts=7)  # q = 7 // 6 = 1
    assert q == 1 and other["区甲局"] == one["区甲局"] and other["区乙局"] == []  # no pairs: an empty list
    # plans of the measures 区戊院 leads: P2-01, P2-02, P2-05, P2-06
    lead = views._unit_pairs(tiny, {"区戊院"}).query("role != 'R'")
    assert views._plans_of(tiny, lead) == (
        {"区戊院": ["P2"]},
        dict.fromkeys(["P2-01", "P2-02", "P2-05", "P2-06"], "P2"),
    )


def test_unit_nodes_size_label_and_rank_follow_the_look():
    from analysis.style import SYSTEM_COLORS

    ids = ["a", "b", "c"]
    units = views._Units(ids, {}, dict.fromkeys(ids, "court"))
    look = views._Look(
        score={"a": 4, "b": 1, "c": 0},
        size=(6, 24),
        big_at=3,
        color=dict.fromkeys(ids, "#000000"),
        facets={u: {"system": ["court"]} for u in ids},
        border=dict.fromkeys(ids, SYSTEM_COLORS["court"]),
        last=frozenset({"a"}),
    )
    pos = {"a": (0.0, 0.0), "b": (1.0, -1.0), "c": (-1.0, 1.0)}
    nodes = {n["id"]: n for n in views._unit_nodes(units, look, pos, n_major=2)}
    # radius 6 + 24 * sqrt(score / 4): 30, 18, 6; a and b carry the large label, a (4 >= 4/3) 2 px larger
    assert [nodes[u]["size"] for u in ids] == [30.0, 18.0, 6.0]
    assert [nodes[u]["font"] for u in ids] == [views.FONT_MAJOR + 2, views.FONT_MAJOR, views.FONT_MINOR]
    assert [nodes[u]["rank"] for u in ids] == [2, 0, 1]  # a is in `last`: labelled after the others
    assert list(nodes["b"]) == ["id", "label", "kind", "x", "y", "size", "color", "border", "font", "rank", "facets"]
    assert views._clusters_facet(ids, {"a": 1, "b": 1, "c": 2}, {"a": 0.5, "b": 1.0})["items"][0]["label"] == "群 1:b等"


def test_colead_view_carries_each_unit_s_first_measures_per_role_above_max_texts(seed):
    tables = analysis_tables(seed, n_runs=5)
    full = views.colead_payload(seed, tables)
    assert len(full["measures"]) == len({m for u in full["units"].values() for m, _ in u["measures"]})
    n_units = len(full["units"])
    capped = views.colead_payload(seed, tables, max_texts=3 * n_units)  # q = 1 measure per role
    assert "每单位每角色前 1 项举措附全文" in capped["subtitle"]
    for u, entry in capped["units"].items():
        whole = full["units"][u]["measures"]
        roles = [r for r in ("lead", "lead+responsible", "responsible") if any(x[1] == r for x in whole)]
        firsts = [next(x for x in whole if x[1] == r) for r in roles]
        assert entry["measures"] == sorted(firsts, key=whole.index)  # the first of each role, in order
        for k in ("n_lead", "n_responsible", "n_total"):  # counts stay those of every measure
            assert entry[k] == full["units"][u][k]
    assert set(capped["measures"]) == {m for e in capped["units"].values() for m, _ in e["measures"]}
    assert capped["nodes"] == full["nodes"] and capped["edges"] == full["edges"]
    # the seed's first measure, P1-01, is led by 区人大常委会 and 区司法局 (data/measures.csv line 2)
    assert capped["units"]["区司法局"]["measures"][0] == ["P1-01", "lead"]


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

    def __init__(self, browser, path, size=(1280, 800)):
        self.requests, self.errors = [], []
        viewport = {"width": size[0], "height": size[1]}
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
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


# --------------------------------------------------------------------------- geometry, search, phones, panel, PNG

#: What is drawn at first sight, read from vis-network's own state: node discs (a square's corners),
#: and for every label it draws (not under the draw threshold, not made transparent) the box of its
#: glyphs: Noto Sans CJK with a hanging baseline at ``yLine + vadjust`` spans -0.09 to 0.88 of the
#: font size, plus half the white halo.
GEOMETRY_JS = """() => {
  const ns = network.body.nodes, data = network.body.data.nodes;
  const kind = Object.fromEntries(view.data.nodes.map(n => [n.id, n.kind]));
  const nodes = network.body.nodeIndices.filter(id => !data.get(id).hidden).map(id => {
    const o = ns[id].options;
    return {id, unit: kind[id] === 'unit', x: ns[id].x, y: ns[id].y,
            r: o.shape === 'square' ? o.size * Math.SQRT2 : o.size + o.borderWidth / 2};
  });
  const labels = [], c = document.querySelector('#net canvas');
  const a = network.DOMtoCanvas({x: 0, y: 0}), b = network.DOMtoCanvas({x: c.clientWidth, y: c.clientHeight});
  for (const n of nodes) {
    if (n.x < a.x || n.x > b.x || n.y < a.y || n.y > b.y) continue; // off screen: not drawn, sizes stale
    const lm = ns[n.id].labelModule, f = lm.fontOptions;
    if (!lm.visible() || f.color === 'rgba(0,0,0,0)') continue;
    const y0 = lm.size.yLine + f.vadjust;
    labels.push({id: n.id, box: [lm.size.left, y0 - 0.09 * f.size - f.strokeWidth / 2,
                                 lm.size.left + lm.size.width, y0 + 0.88 * f.size + f.strokeWidth / 2]});
  }
  const bar = document.getElementById('bar').getBoundingClientRect();
  const top = network.DOMtoCanvas({x: 0, y: bar.bottom - document.getElementById('net').getBoundingClientRect().top}).y;
  return {nodes, labels, barBottom: top, scale: network.getScale()};
}"""


def _overlaps(geo):
    """Unit pairs whose discs overlap, and labels off their node or over another node or label."""
    nodes = {n["id"]: n for n in geo["nodes"]}
    units = [n for n in geo["nodes"] if n["unit"]]
    pairs = [
        (a["id"], b["id"])
        for i, a in enumerate(units)
        for b in units[i + 1 :]
        if math.hypot(a["x"] - b["x"], a["y"] - b["y"]) < a["r"] + b["r"]
    ]
    off, covers, crossed = [], [], []
    for k, lab in enumerate(geo["labels"]):
        x0, y0, x1, y1 = lab["box"]
        own = nodes[lab["id"]]
        # on its own node: centred under it, starting within 6 px of its lower edge
        if abs((x0 + x1) / 2 - own["x"]) > 1 or not own["y"] + own["r"] - 1 <= y0 <= own["y"] + own["r"] + 6:
            off.append(lab["id"])
        for n in geo["nodes"]:
            inside = x0 < n["x"] + n["r"] and n["x"] - n["r"] < x1 and y0 < n["y"] + n["r"] and n["y"] - n["r"] < y1
            if inside and n["id"] != lab["id"]:
                covers.append((lab["id"], n["id"]))
        for other in geo["labels"][:k]:
            a0, b0, a1, b1 = other["box"]
            if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                crossed.append((lab["id"], other["id"]))
    return pairs, off, covers, crossed


@pytest.fixture(scope="module")
def corpus_view(tmp_path_factory):
    """The co-lead view of the top 300 units of a seeded 10,000-measure synthetic corpus."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from make_corpus import write_corpus

    from analysis import clusters
    from analysis.graph import unit_edges
    from analysis.workload import workload

    folder = tmp_path_factory.mktemp("corpus_view")
    ds = load(*write_corpus(folder, 10_000, seed=7))
    tables = {
        "workload": workload(ds),
        "colead_edges": unit_edges(ds, role="lead"),
        "clusters": clusters.colead_clusters(ds, n_runs=None).assignment,
    }
    path = folder / "colead.html"
    path.write_text(views.colead_view(ds, tables, max_units=300), encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.parametrize(
    "name,size",
    [
        pytest.param("view_network", (1366, 768), id="network-1366"),
        pytest.param("view_network", (390, 844), id="network-390"),
        pytest.param("view_network", (768, 1024), id="network-768"),
        pytest.param("view_colead", (1366, 768), id="colead-1366"),
        pytest.param("view_colead", (390, 844), id="colead-390"),
        pytest.param("corpus", (1366, 768), id="corpus300-1366"),
    ],
)
def test_no_overlaps_and_every_label_on_its_own_node_at_first_sight(browser, built, corpus_view, name, size):
    path = corpus_view if name == "corpus" else built["seed"][name]
    pg = Page(browser, path, size)
    try:
        pg.page.wait_for_timeout(200)
        geo = pg.ev(GEOMETRY_JS)
        assert geo["scale"] == 1
        n_units = sum(n["unit"] for n in geo["nodes"])
        assert n_units == (
            300 if name == "corpus" else len(built["seed_tables"]["clusters"]) if name == "view_colead" else 55
        )
        pairs, off, covers, crossed = _overlaps(geo)
        assert pairs == [] and off == [] and covers == [] and crossed == []
        drawn = {lab["id"] for lab in geo["labels"]}
        assert len(drawn) >= 16  # the 16 busiest units are labelled, none given up
        if name == "view_network":
            # 下陆公安分局's label used to sit on 区检察院's node; both, and 区直有关部门, now have their own.
            assert {"区司法局", "区检察院", "下陆公安分局", "区直有关部门"} <= drawn
        # Nothing drawn under the title bar.
        assert min(lab["box"][1] for lab in geo["labels"]) > geo["barBottom"]
        assert min(n["y"] - n["r"] for n in geo["nodes"]) > geo["barBottom"]
        assert pg.errors == [] and pg.requests == []
    finally:
        pg.close()


@pytest.mark.browser
def test_labels_keep_clear_of_nodes_after_zoom_and_selection(browser, built):
    pg = Page(browser, built["seed"]["view_network"], (1366, 768))
    try:
        pg.ev("network.moveTo({scale: 2.2}); network.emit('zoom', {scale: 2.2}); null")
        pg.page.wait_for_timeout(300)
        geo = pg.ev(GEOMETRY_JS)
        _, off, covers, crossed = _overlaps(geo)
        assert off == [] and covers == [] and crossed == []
        # Zoomed in, labels keep their screen size while nodes move apart: more of them fit.
        assert len(geo["labels"]) > 30
        assert "区检察院" in {lab["id"] for lab in geo["labels"]}
        pg.ev("view.select('区检察院', true); null")
        pg.page.wait_for_timeout(300)
        _, off, covers, crossed = _overlaps(pg.ev(GEOMETRY_JS))
        assert off == [] and covers == [] and crossed == []
        assert pg.errors == []
    finally:
        pg.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["view_network", "view_colead"])
def test_search_ranks_exact_prefix_shorter_and_keys_work(browser, built, name):
    pg = Page(browser, built["seed"][name])
    try:
        found = pg.ev("view.search('司法')")
        assert found[:2] == ["区司法局", "区人大和监察司法委员会"] if name == "view_network" else found[0] == "区司法局"
        assert pg.ev("view.search('区法院')")[0] == "区法院"  # exact before 区法院's longer namesakes
        prefix = pg.ev("view.search('区委')")
        starts = [u for u in prefix if u.startswith("区委")]
        assert prefix[: len(starts)] == starts  # every prefix match before any other match
        lengths = [len(u) for u in starts]
        assert lengths == sorted(lengths)  # shorter names first
        pg.page.fill("#q", "司法")
        pg.page.keyboard.press("Enter")
        assert pg.ev("network.getSelectedNodes()") == ["区司法局"]
        # Arrow keys move through the results; Enter takes the highlighted one.
        pg.page.fill("#q", "区委")
        pg.page.keyboard.press("ArrowDown")
        second = prefix[1]
        assert pg.ev("document.querySelector('#results .on').textContent").startswith(second)
        pg.page.keyboard.press("ArrowDown")
        pg.page.keyboard.press("ArrowUp")
        pg.page.keyboard.press("Enter")
        assert pg.ev("network.getSelectedNodes()") == [second]
        # Esc in the search box clears the query and the selection (the README's promise).
        pg.page.focus("#q")
        pg.page.keyboard.press("Escape")
        assert pg.ev("network.getSelectedNodes()") == []
        assert pg.ev("document.getElementById('q').value") == ""
        assert "Node size" in pg.ev("document.getElementById('info').textContent")
        assert pg.errors == []
    finally:
        pg.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["view_network", "view_colead"])
def test_phone_width_gives_the_graph_the_screen_and_the_panel_opens(browser, built, name):
    pg = Page(browser, built["seed"][name], (390, 844))
    try:
        rect = "id => (r => [r.width, r.height, r.top])(document.getElementById(id).getBoundingClientRect())"
        net = pg.ev(rect, "net")
        assert net[0] == 390 and net[0] * net[1] >= 0.9 * 390 * 844
        side = pg.ev("document.getElementById('side').getBoundingClientRect().height")
        assert side <= 60
        assert pg.ev("document.getElementById('legend').getBoundingClientRect().height") == 0
        pg.page.click("#panel")
        assert pg.ev("document.getElementById('side').getBoundingClientRect().height") > 0.5 * 844
        legend = pg.ev(rect, "legend")
        assert legend[1] > 100 and legend[2] < 844
        pg.page.click("#panel")
        assert pg.ev("document.getElementById('side').getBoundingClientRect().height") <= 60
        # Selecting a unit opens the sheet on its details.
        x, y, hit = pg.node_xy("区司法局")
        assert hit == "区司法局"
        pg.page.mouse.click(x, y)
        assert pg.ev("document.getElementById('side').classList.contains('open')") is True
        assert "District Justice Bureau" in pg.ev("document.getElementById('info').textContent")
        assert pg.errors == [] and pg.requests == []
    finally:
        pg.close()


@pytest.mark.browser
def test_colead_panel_shows_a_measure_and_explains_lead_share(browser, built):
    ds, tables = built["seed_ds"], built["seed_tables"]
    pg = Page(browser, built["seed"]["view_colead"])
    try:
        pg.ev("view.select('区司法局', false)")
        info = pg.ev("document.getElementById('info').textContent")
        share = tables["workload"].set_index("unit").loc["区司法局", "lead_share"]
        assert f"牵头份额 lead share {round(share, 2)} (Σ 1/k over 74 measures led" in info
        mid = pg.ev("document.querySelector('#info .m .id').textContent")
        assert mid == "P1-01"  # its first measure led
        pg.page.click("#info .m .id >> nth=0")
        info = pg.ev("document.getElementById('info').textContent")
        m = ds.measures.set_index("measure_id").loc[mid]
        assert f"举措 Measure {mid}" in info and m["text"] in info
        lead = ds.assignments.query("measure_id == @mid and role == 'lead'")["unit"].tolist()
        chips = pg.ev("[...document.querySelectorAll('#info .chips')][0].textContent")
        assert all(u in chips for u in lead) and lead
        # its lead units stay lit, the rest is dimmed; the back link returns to the unit
        assert pg.ev("network.body.data.nodes.get('区司法局').color.background") != "#E6E6E6"
        assert pg.ev("network.body.data.nodes.get('区民政局').color.background") == "#E6E6E6"
        pg.page.click("#info .back")
        assert pg.ev("document.querySelector('#info h2').textContent") == "区司法局"
        assert pg.errors == []
    finally:
        pg.close()


@pytest.mark.browser
def test_legend_counts_follow_the_filters_and_collectives_hide_together(browser, built):
    ds = built["seed_ds"]
    pg = Page(browser, built["seed"]["view_network"])
    try:

        def count(text):
            rows = "[...document.querySelectorAll('#legend .lg')]"
            return pg.ev(f"t => {rows}.find(r => r.textContent.includes(t)).querySelector('.n').textContent", text)

        collectives = set(ds.units.loc[ds.units["is_collective"], "unit"]) & set(ds.assignments["unit"])
        assert "各街办" in collectives and count("集合性表述") == str(len(collectives))
        pg.page.click("#legend .lg:has-text('集合性表述')")
        assert pg.ev("network.body.data.nodes.get('各街办').hidden") is True
        assert count("集合性表述") == f"0/{len(collectives)}"
        pg.page.click("#legend .lg:has-text('P2')")
        # lead assignments left: not to a collective, not on a P2 measure (worked out from the data)
        a = ds.assignments.drop_duplicates(["unit", "measure_id", "role"])
        a = a.merge(ds.measures[["measure_id", "plan_id"]], on="measure_id")
        both = a.groupby(["unit", "measure_id"])["role"].transform("nunique") > 1
        lead = a[(a["role"] == "lead") & ~a["unit"].isin(collectives) & (a["plan_id"] != "P2")]
        n_lead = len(a[a["role"] == "lead"])
        assert count("牵头") == f"{len(lead)}/{n_lead}"
        assert count("P2") == f"0/{(ds.measures['plan_id'] == 'P2').sum()}"
        assert count("P1") == str((ds.measures["plan_id"] == "P1").sum())
        assert both.any()  # (a unit both lead and responsible on a measure has one edge in both counts)
        pg.page.click("#clear")
        assert count("集合性表述") == str(len(collectives))
        assert pg.errors == []
    finally:
        pg.close()


@pytest.mark.browser
def test_png_is_twice_the_resolution_with_title_and_legend(browser, built):
    from io import BytesIO

    from PIL import Image

    pg = Page(browser, built["seed"]["view_colead"], (1366, 768))
    try:
        w, h = pg.ev(
            "[document.querySelector('#net canvas').clientWidth, document.querySelector('#net canvas').clientHeight]"
        )
        img = Image.open(BytesIO(base64.b64decode(pg.ev("view.png()").split(",", 1)[1]))).convert("L")
        assert img.width == 2 * (w + 300) and img.height >= 2 * (h - 60)
        px = img.load()

        def dark(x0, y0, x1, y1):
            return sum(px[x, y] < 128 for x in range(x0, x1) for y in range(y0, y1))

        assert dark(0, 0, 600, 100) > 500  # the title, in the top band
        assert dark(2 * w + 10, 120, img.width, 600) > 1000  # the legend, right of the graph
        assert dark(0, 120, 2 * w, img.height) > 5000  # the graph itself
        assert pg.errors == []
    finally:
        pg.close()
