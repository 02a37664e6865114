"""The glossary of government bodies: typing real unit names, and proposing a registry.

The table ``tests/fixtures/glossary_names.csv`` holds real unit names copied from the published
plans and notices of 23 governments and from news of two more governments' institutional reforms
(25 in all), each with its source address and the reading worked out by
hand: functional type, system, collective or not, level word and place. Its last rows are the unit
names of the ingest fixtures (``tests/fixtures/plans/*/expected.json``, 12 more governments); for
those, the classifier's reading was checked by hand name by name rather than written down blind
(one disagreement led to the ``forex`` type).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.cli import main
from analysis.errors import DataError
from analysis.glossary import (
    classify,
    compare_registries,
    default_glossary,
    load_glossary,
    propose,
    propose_registry,
    read_unit_names,
    simplify,
)
from analysis.load import load
from analysis.registry import SYSTEMS, read_registry
from analysis.style import SYSTEM_COLORS

NAMES_CSV = Path(__file__).parent / "fixtures" / "glossary_names.csv"
with NAMES_CSV.open(encoding="utf-8") as f:
    NAMES = list(csv.DictReader(f))


def test_the_table_covers_150_names_from_8_governments():
    names = {r["name"] for r in NAMES}
    governments = {r["government"] for r in NAMES}
    assert len(names) >= 150
    assert len(governments) >= 8
    assert all(r["source"] for r in NAMES)


@pytest.mark.parametrize("row", NAMES, ids=[f"{i}-{r['name']}" for i, r in enumerate(NAMES)])
def test_real_names_are_typed_as_worked_out_by_hand(row):
    c = classify(row["name"])
    got = (c.type_id, c.system, c.is_collective, c.level, c.place)
    assert got == (row["type_id"], row["system"], row["is_collective"] == "true", row["level"], row["place"])


@pytest.mark.parametrize(
    ("name", "type_id", "system", "level", "place", "core"),
    [
        pytest.param("区人大", "congress", "congress", "区", "", "人大", id="congress"),
        pytest.param("区人大常委会", "congress_sc", "congress", "区", "", "人大常委会", id="standing-committee"),
        pytest.param(
            "区人大常委会办公室", "congress_office", "congress", "区", "", "人大常委会办公室", id="its-office"
        ),
        pytest.param("区科经局", "sci_econ", "government", "区", "", "科经局", id="keji"),
        pytest.param("下陆公安分局", "public_security", "public_security", "", "下陆", "公安分局", id="xialu-police"),
        pytest.param("立山经济开发区", "zone", "zone", "", "立山", "经济开发区", id="lishan-zone"),
        pytest.param("谯城经开区管委会", "zone", "zone", "", "谯城", "经开区管委会", id="qiaocheng-zone"),
        pytest.param(
            "黄石市生态环境局下陆分局", "ecology", "government", "", "下陆", "生态环境局下陆分局", id="sub-bureau"
        ),
        pytest.param("黄石市下陆区发改局", "ndrc", "government", "区", "黄石市下陆", "发改局", id="place-and-level"),
        pytest.param("中共下陆区委组织部", "organisation", "party", "区", "下陆", "委组织部", id="zhonggong"),
        pytest.param("区委信访局", "petitions", "party", "区", "", "委信访局", id="petitions-under-party"),
        pytest.param("团县委", "youth_league", "mass_org", "县", "", "团县委", id="level-inside"),
        pytest.param("区政数局", "gov_services_data", "government", "区", "", "政数局", id="zhengshu"),
        pytest.param("市市场局", "market", "government", "市", "", "市场局", id="shi-shichang"),
        pytest.param("市场监管局", "market", "government", "", "", "市场监管局", id="no-prefix"),
        pytest.param("旗发改委", "ndrc", "government", "旗", "", "发改委", id="banner"),
        pytest.param("區衛健委", "health", "government", "区", "", "卫健委", id="traditional"),
        pytest.param(
            "黄石市公安局下陆分局", "public_security", "public_security", "", "下陆", "公安局下陆分局", id="city-sub"
        ),
        pytest.param("区发改局（粮食局）", "ndrc", "government", "区", "", "发改局", id="second-name-in-brackets"),
        pytest.param("區人事局(含區編辦)", "personnel_old", "government", "区", "", "人事局", id="included-office"),
    ],
)
def test_hard_names(name, type_id, system, level, place, core):
    c = classify(name)
    assert (c.type_id, c.system, c.level, c.place, c.core, c.is_collective) == (
        type_id,
        system,
        level,
        place,
        core,
        False,
    )


def test_the_congress_trio_and_keji_are_related_types_never_one_type():
    g = load_glossary()
    assert {"congress_sc", "congress_office"} <= set(g.types["congress"].related)
    assert "industry_it" in g.types["sci_econ"].related
    assert classify("区经信局").type_id == "industry_it"


@pytest.mark.parametrize(
    ("name", "system", "members"),
    [
        pytest.param("各开发区、镇(街道)", "collective", ("township", "subdistrict", "zone"), id="zones-towns-streets"),
        pytest.param("各开发区", "zone", ("zone",), id="split-part-1"),
        pytest.param("镇(街道)", "collective", ("township", "subdistrict"), id="split-part-2"),
        pytest.param("各乡镇人民政府、街道办事处", "collective", ("township", "subdistrict"), id="towns-and-streets"),
        pytest.param("街道办事处", "subdistrict", ("subdistrict",), id="bare-street-office"),
        pytest.param("区直各部门", "collective", ("party", "government"), id="all-departments"),
        pytest.param("区政府有关部门", "collective", ("government",), id="government-departments"),
        pytest.param("区直其他行政执法部门", "collective", ("government",), id="law-enforcement"),
        pytest.param(
            "各单位党委(党组)",
            "collective",
            ("party", "government", "congress", "court", "procuratorate", "public_security", "mass_org"),
            id="party-groups",
        ),
        pytest.param("全区经济运行各专班", "collective", (), id="task-forces"),
        pytest.param("各县市区政府", "collective", (), id="lower-governments"),
        pytest.param("市级各有关部门", "collective", ("party", "government"), id="city-level"),
    ],
)
def test_collectives_by_pattern(name, system, members):
    c = classify(name)
    assert (c.type_id, c.is_collective, c.system, c.members) == ("collective", True, system, members)


def test_traditional_characters_are_matched_through_simplified_and_said_so():
    assert simplify("區人大常委會辦公室") == "区人大常委会办公室"
    c = classify("區發改局")
    assert (c.type_id, c.simplified) == ("ndrc", "区发改局")
    assert c.reason.endswith("(read as 区发改局)")
    p = propose(["区发改局", "區發改局"])
    assert p.units[["unit", "aliases"]].values.tolist() == [["区发改局", "區發改局"]]
    assert "variant: 區發改局 = 区发改局 (traditional characters of the same name; sure: high)." in p.units["note"][0]


def test_a_tiny_plan_by_hand():
    names = ["区发改委", "区发改局", "区发改局", "区人大", "区人大常委会", "区人大常委会办公室", "区直相关部门"]
    names += ["区直有关部门", "区直有关部门", "区服务业局", "市财政局", "区财政局", "财政局"]
    p = propose(names)
    u = p.units.set_index("unit")
    assert list(p.units["unit"]) == [
        "区人大",
        "区人大常委会",
        "区人大常委会办公室",
        "区发改局",
        "市财政局",
        "区财政局",
        "区服务业局",
        "区直有关部门",
    ]
    # 区发改局 is both nearer the proper name (发改局 before 发改委 in the glossary) and more used.
    assert u.loc["区发改局", "aliases"] == "区发改委"
    assert u.loc["区发改局", "note"] == "variant: 区发改委 = 区发改局 (发展和改革局, same level 区; sure: high)."
    # The congress, its standing committee and its office stay three units, each with a judgement.
    for unit in ("区人大", "区人大常委会", "区人大常委会办公室"):
        assert u.loc[unit, "aliases"] == ""
        assert u.loc[unit, "note"].count("judgement: kept apart from") == 2
    # A level other than the plan's own is another government; no level written is the plan's own.
    assert u.loc["市财政局", "aliases"] == ""
    assert u.loc["区财政局", "aliases"] == "财政局"
    assert "no level written: read as the plan's own" in u.loc["区财政局", "note"]
    assert "sure: medium" in u.loc["区财政局", "note"]
    # 有关 = 相关; the more used spelling is canonical.
    assert u.loc["区直有关部门", "aliases"] == "区直相关部门"
    assert (u.loc["区直有关部门", "is_collective"], u.loc["区直有关部门", "members"]) == ("true", "party|government")
    # What the glossary cannot type is its own unit, system other, and listed.
    assert (u.loc["区服务业局", "system"], p.untyped()) == ("other", ["区服务业局"])
    assert u.loc["区服务业局", "note"].startswith("untyped:")
    assert p.report().splitlines()[-1] == "untyped (system other, to review): 区服务业局"
    d = p.decisions.set_index("name")
    assert d.loc["区发改委", ["unit", "decision", "n_mentions"]].tolist() == ["区发改局", "variant", 1]
    assert d.loc["区发改局", ["decision", "n_mentions"]].tolist() == ["unit", 2]


def test_a_place_name_is_the_plans_own_only_when_told():
    names = ["下陆公安分局", "区公安局", "区司法局"]
    assert len(propose_registry(names)) == 3
    told = propose(names, places=["下陆"], place_en={"下陆": "Xialu"}).units
    row = told.loc[told["unit"] == "区公安局"].iloc[0]
    assert row["aliases"] == "下陆公安分局"
    assert "place 下陆 is the plan's own" in row["note"]
    assert "sure: medium" in row["note"]


def test_non_unique_kinds_merge_only_when_written_the_same():
    p = propose(["区国投公司", "区城投公司", "区国投公司", "区人民医院", "区中医院"])
    assert sorted(p.units["unit"]) == sorted(["区国投公司", "区城投公司", "区人民医院", "区中医院"])
    assert set(p.units["aliases"]) == {""}


def seed_names():
    return read_unit_names([config.MEASURES_CSV])


@pytest.mark.parametrize(
    ("name", "type_id", "name_en"),
    [
        # a service centre of a bureau's type is named a centre, not a bureau
        ("区招商服务中心", "investment_promotion", "District Investment Promotion Centre"),
        ("县大数据中心", "data", "County Data Centre"),
        ("区招商局", "investment_promotion", "District Investment Promotion Bureau"),
        # a combined planning and construction bureau: not 'after the place 规划'
        ("规划建设局", "planning_construction", "Planning and Construction Bureau"),
        # a generic zone before the body: the zone, in English, not a place 开发 of level 区
        ("开发区规划建设局", "planning_construction", "Development Zone Planning and Construction Bureau"),
        ("开发区财政局", "finance", "Development Zone Finance Bureau"),
        # the reform office is typed apart from policy research (related types)
        ("改革办", "party_reform", "Reform Office"),
        ("区政研室", "party_research", "District Party Policy Research Office"),
    ],
)
def test_english_names_say_what_the_body_is_called(name, type_id, name_en):
    c = classify(name)
    assert (c.type_id, c.name_en) == (type_id, name_en)


def test_reform_and_policy_research_offices_are_related():
    g = default_glossary()
    assert "party_research" in g.types["party_reform"].related
    assert "party_reform" in g.types["party_research"].related


def test_the_seed_text_and_the_seed_measures_give_the_same_names():
    assert read_unit_names([config.SEED]) == seed_names()
    assert len(seed_names()) == 576
    assert len(set(seed_names())) == 64


def test_the_seed_proposal_differs_from_the_hand_made_registry_only_where_the_readme_says():
    proposal = propose(seed_names(), places=["下陆"], place_en={"下陆": "Xialu"})
    diff = compare_registries(proposal.units, read_registry(config.UNITS_CSV))
    assert diff.values.tolist() == [
        ["区人大常委会", "merge", "区人大常委会|区人大", "区人大常委会"],
        ["区经信局", "merge", "区经信局|区科经局", "区经信局"],
        [
            "区经信局",
            "name_en",
            "District Science, Technology and Economic Information Bureau",
            "District Economy and Information Technology Bureau",
        ],
        ["区水湖局", "name_en", "District Water and Lakes Bureau", "District Water Resources Bureau"],
        ["区税务局", "system", "government", "vertical"],
        [
            "区民企中心",
            "name_en",
            "District Private Enterprise Service Centre",
            "District Public Service Unit (民企中心)",
        ],
        ["各街办", "members", "", "subdistrict"],
    ]
    assert len(proposal.units) == 57
    assert proposal.untyped() == []


def test_the_seed_proposal_finds_every_hand_made_variant_and_collective_flag():
    hand = read_registry(config.UNITS_CSV)
    units = propose_registry(seed_names(), places=["下陆"])
    aliases = {a: u for u, al in zip(units["unit"], units["aliases"], strict=True) for a in al.split("|") if a}
    for unit, note, al in zip(hand["unit"], hand["note"], hand["aliases"], strict=True):
        if note.startswith("variant:"):
            assert all(aliases[a] == unit for a in al), unit
    flags = dict(zip(units["unit"], units["is_collective"], strict=True))
    assert {u: ("true" if c else "false") for u, c in zip(hand["unit"], hand["is_collective"], strict=True)} == {
        u: flags[u] for u in hand["unit"]
    }


def test_a_proposed_registry_is_a_valid_registry_for_the_whole_plan(tmp_path):
    path = tmp_path / "units.csv"
    propose_registry(seed_names()).to_csv(path, index=False, lineterminator="\n")
    units = read_registry(path)
    assert len(units) == 57
    ds = load(config.MEASURES_CSV, path)
    assert set(ds.assignments["unit"].astype(str)) == set(units["unit"])


def test_cli_registry_writes_the_registry_and_its_decisions_byte_identically(tmp_path, capsys):
    out = tmp_path / "units.csv"
    assert main(["registry", str(config.SEED), "--place", "下陆=Xialu", "-o", str(out)]) == 0
    first = out.read_bytes()
    decisions = tmp_path / "units.decisions.csv"
    assert decisions.exists()
    printed = capsys.readouterr().out
    assert printed.startswith("64 written names -> 57 units (7 merged as variants, 7 collective, 0 untyped)")
    assert "区民企中心: judgement: glossary form 中心 of 事业单位 (public_institution)" in printed
    assert main(["registry", str(config.MEASURES_CSV), "--place", "下陆=Xialu", "-o", str(out)]) == 0
    assert out.read_bytes() == first
    units = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert units.loc[units["unit"] == "下陆公安分局", "name_en"].item() == "Xialu Public Security Sub-bureau"


def test_a_plan_of_another_government_gets_a_registry_it_loads_with(tmp_path):
    # The first six measures of 立山区's 2023 plan as published at
    # http://www.lishan.gov.cn/html/ASLSQ/202303/0168765895614794.html (title and items verbatim,
    # the preamble cut to one sentence): the plan of issue 16's "tried as a new user would".
    plan = Path(__file__).parent / "fixtures" / "glossary_lishan_2023.txt"
    assert main(["ingest", str(plan), "-o", str(tmp_path / "measures.csv")]) == 0
    assert main(["registry", str(plan), "--place", "立山=Lishan", "-o", str(tmp_path / "units.csv")]) == 0
    units = pd.read_csv(tmp_path / "units.csv", dtype=str, keep_default_na=False).set_index("unit")
    assert list(units.index) == [
        "区发改局",
        "区工信局",
        "区商务局",
        "区市场局",
        "区财政局",
        "立山经济开发区",
        "税务局",
        "各街道",
        "全区经济运行各专班",
        "区直各部门",
        "各相关单位",
    ]
    assert set(units["aliases"]) == {""}
    assert units.loc["立山经济开发区", ["system", "name_en"]].tolist() == ["zone", "Lishan Development Zone"]
    assert units.loc["税务局", ["system", "name_en"]].tolist() == ["vertical", "District Taxation Bureau"]
    assert units.loc["税务局", "note"] == (
        "judgement: glossary form 税务局 of 税务局 (tax) with no level or place written (read as the plan's own)"
        " (sure: medium)."
    )
    assert units["is_collective"].tolist().count("true") == 4
    ds = load(tmp_path / "measures.csv", tmp_path / "units.csv")
    assert len(ds.measures) == 6
    assert set(ds.assignments["unit"].astype(str)) == set(units.index)


def test_cli_registry_bad_source_is_a_plain_message(tmp_path, capsys):
    bad = tmp_path / "m.csv"
    bad.write_text("measure_id,text\nP1-01,x\n", encoding="utf-8")
    assert main(["registry", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}:1: a measures CSV needs the columns lead_units_raw and responsible_units_raw")
    assert "Traceback" not in err


def test_cli_registry_a_bar_in_a_name_is_a_plain_message_at_its_line(tmp_path, capsys):
    """A | in a written name would make the proposed registry read two aliases (sweep P13)."""
    bad = tmp_path / "m.csv"
    bad.write_text(
        "measure_id,text,lead_units_raw,responsible_units_raw\nP1-01,x,区发改局,\nP1-02,y,区城管局,区发改局|区财政局\n",
        encoding="utf-8",
    )
    assert main(["registry", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {bad}:3: a unit name in responsible_units_raw may not hold '|' (it joins a registry's aliases):"
        " '区发改局|区财政局'\n"
    )


def test_glossary_errors_name_file_line_and_value(tmp_path):
    text = config.GLOSSARY_CSV.read_text(encoding="utf-8").splitlines()
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join([*text, "extra,government,x,{level} X,true,发改委,,"]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"form already used by type 'ndrc': '发改委'") as e:
        load_glossary(dup)
    assert e.value.line == len(text) + 1
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([text[0], "x,police,x,X,true,x,,"]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.csv:2: unknown system: 'police'"):
        load_glossary(bad)


def test_every_system_has_a_label_and_a_colour_and_the_glossary_uses_only_those():
    assert set(SYSTEMS) == set(SYSTEM_COLORS)
    assert len(set(SYSTEM_COLORS.values())) == len(SYSTEM_COLORS)
    g = load_glossary()
    assert {t.system for t in g.types.values()} <= set(SYSTEMS) - {"collective"}
    assert {"cppcc", "vertical", "zone", "township", "other"} <= {t.system for t in g.types.values()}


def test_member_units_are_named_after_their_body():
    """区安委会各成员单位 ("each member unit of the district work-safety committee", seen in a sweep
    of real plans) is named after 区安委会, without the 各 of "each"."""
    from analysis.glossary import classify

    assert classify("区安委会各成员单位").name_en == "Member units of 区安委会"
    assert classify("区疫情防控指挥部成员单位").name_en == "Member units of 区疫情防控指挥部"
