"""The hypergeometric upper tail of the co-lead backbone (:func:`analysis.hypergeom.hypergeom_sf`).

The backbone's p-values come from a vectorised computation instead of ``scipy.stats.hypergeom.sf``
(which takes 0.2–0.4 ms a pair, 549,661 co-leading pairs at a million measures, and a second to
import). These tests hold it to exact fractions and to scipy. No timing is asserted:
``benchmarks/build_bench.py`` and ``benchmarks/seed_speed.py`` measure the build.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

from analysis import clusters as cl
from analysis.hypergeom import hypergeom_sf


def exact_sf(k: int, N: int, K: int, n: int) -> Fraction:
    """P(X ≥ k) as a fraction: Σ_x C(K, x)·C(N − K, n − x) / C(N, n) over x ≥ k, each integer
    term from the one before by the exact ratio (K − x)(n − x) / ((x + 1)(N − K − n + x + 1))."""
    lo, hi = max(0, n - (N - K)), min(K, n)
    x = max(k, lo)
    if x > hi:
        return Fraction(0)
    term = comb(K, x) * comb(N - K, n - x)
    num = 0
    while x <= hi:
        num += term
        term = term * (K - x) * (n - x) // ((x + 1) * (N - K - n + x + 1)) if x < hi else 0
        x += 1
    return Fraction(num, comb(N, n))


# Ten measures, unit a leads 4 of them, unit b leads 3 (C(10,3) = 120 ways to place b's):
#   P(X = 0) = C(4,0)·C(6,3)/120 = 20/120, P(X = 1) = 4·15/120 = 60/120,
#   P(X = 2) = 6·6/120 = 36/120,           P(X = 3) = 4·1/120 = 4/120;
# so P(X ≥ 0) = 1, P(X ≥ 1) = 100/120 = 5/6, P(X ≥ 2) = 40/120 = 1/3, P(X ≥ 3) = 1/30, P(X ≥ 4) = 0.
@pytest.mark.parametrize(
    ("k", "want"),
    [(0, 1.0), (1, 5 / 6), (2, 1 / 3), (3, 1 / 30), (4, 0.0)],
    ids=["k0", "k1", "k2", "k3", "k4-beyond-support"],
)
def test_a_tiny_case_worked_out_by_hand(k, want):
    assert exact_sf(k, 10, 4, 3) == Fraction(want).limit_denominator(100)
    assert hypergeom_sf(k, 10, 4, 3) == pytest.approx(want, rel=1e-14, abs=0)
    assert hypergeom_sf(k, 10, 3, 4) == pytest.approx(want, rel=1e-14, abs=0)  # symmetric in K and n


# (k, N, K, n): the edges of the support, a unit leading every measure, one leading none, draws
# of everything, the mode itself, far tails down to 1e-290, and K, n near N/2.
HAND_PICKED = [
    (1, 138, 1, 1),
    (1, 138, 30, 2),
    (2, 138, 30, 2),
    (3, 138, 30, 2),
    (5, 138, 138, 5),
    (6, 138, 138, 5),
    (1, 138, 0, 5),
    (0, 138, 0, 5),
    (7, 138, 7, 138),
    (40, 138, 60, 70),  # below the mode (30): 1 − P(X ≤ 39)
    (31, 138, 60, 70),
    (1, 10, 8, 7),  # lo = 5: P(X ≥ 1) = 1
    (6, 10, 8, 7),
    (1, 100_000, 2, 2),
    (1, 100_000, 77, 20),
    (25, 100_000, 2508, 1000),  # the mode
    (196, 100_000, 330, 1182),  # p ≈ 5.5e-291
    (850, 100_000, 2508, 2400),
    (3, 100_000, 50_000, 3),
    (5_050, 20_000, 10_000, 10_000),
]


@pytest.mark.parametrize(("k", "N", "K", "n"), HAND_PICKED)
def test_hand_picked_cases_equal_scipy_and_the_exact_fraction(k, N, K, n):
    got = float(hypergeom_sf(k, N, K, n))
    assert got == pytest.approx(float(exact_sf(k, N, K, n)), rel=1e-12, abs=1e-300)
    assert got == pytest.approx(hypergeom.sf(k - 1, N, K, n), rel=1e-12, abs=1e-300)


def test_random_cases_equal_scipy_to_1e_12():
    """5,000 seeded triples with N up to 10⁵ (where scipy's own error is ~1e-15), k anywhere from
    0 to past the end of the support, computed in one call as the backbone does."""
    rng = np.random.default_rng(20260)
    N = rng.integers(2, 100_001, size=5_000)
    # unit sizes from 1 to N, most of them small as in the corpus (log-uniform)
    K = np.minimum(N, np.exp(rng.uniform(0, np.log(N))).astype(np.int64))
    n = np.minimum(N, np.exp(rng.uniform(0, np.log(N))).astype(np.int64))
    hi = np.minimum(K, n)
    k = np.minimum(hi + 1, (rng.uniform(0, 1.3, size=len(N)) * (hi + 1)).astype(np.int64))
    got = hypergeom_sf(k, N, K, n)
    want = hypergeom.sf(k - 1, N, K, n)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    assert (got == 1).sum() > 100 and (got == 0).sum() > 100 and ((got > 0) & (got < 1e-100)).sum() > 10


def test_at_a_million_measures_it_equals_the_exact_fraction():
    """At N = 10⁶ scipy (Boost's Lanczos branch) is itself off by up to ~3e-10 relative: for
    P(X ≥ 1), N = 10⁶, K = 77, n = 20 it gives 0.0015388886194723987, the fraction
    1 − C(999923, 20)/C(10⁶, 20) is 0.0015388886190782968. The exact fraction is the reference."""
    rng = np.random.default_rng(5)
    cases = [(1, 10**6, 77, 20), (2, 10**6, 2575, 2000), (40, 10**6, 2575, 2000), (872, 10**6, 2575, 1200)]
    for _ in range(30):
        K, n = (int(x) for x in rng.integers(1, 3_000, size=2))
        cases.append((int(rng.integers(1, min(K, n) + 1)), 10**6, K, n))
    k, N, K, n = (np.array(c) for c in zip(*cases, strict=True))
    got = hypergeom_sf(k, N, K, n)
    want = np.array([float(exact_sf(*c)) for c in cases])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    assert abs(hypergeom.sf(0, 10**6, 77, 20) / 0.0015388886190782968 - 1) > 1e-10
    assert got[0] == pytest.approx(0.0015388886190782968, rel=1e-15)


def test_duplicated_and_swapped_parameters_give_the_same_bits():
    k = np.array([2, 2, 2, 1, 3])
    K = np.array([40, 30, 40, 5, 40])
    n = np.array([30, 40, 30, 9, 30])
    got = hypergeom_sf(k, 5_000, K, n)
    assert got[0] == got[1] == got[2] and got[3] != got[0] and got[4] < got[0]
    assert hypergeom_sf(np.array([], dtype=int), 10, np.array([], dtype=int), np.array([], dtype=int)).shape == (0,)


@pytest.fixture(scope="module")
def corpus10k(tmp_path_factory):
    import sys

    from analysis.config import PROJECT_ROOT
    from analysis.load import load

    sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
    from make_corpus import write_corpus

    m, u = write_corpus(tmp_path_factory.mktemp("corpus10k"), 10_000, seed=7)
    return load(m, u)


def _backbone_as_defined(ds, got: pd.DataFrame) -> pd.DataFrame:
    """The backbone's pairs, counts and unit sizes (`got`) with p and q as the definition states
    them: scipy's p-values, Benjamini–Hochberg over the array of every pair of lead units, the
    pairs that never co-lead given p = 1. (The pairs and counts are checked by hand in
    ``tests/test_analysis_core.py``.)"""
    from analysis.graph import named_assignments

    n_units = named_assignments(ds.assignments, ds.units).query("role == 'lead'")["unit"].nunique()
    N = ds.measures["measure_id"].nunique()
    e = got[["unit_a", "unit_b", "count", "n_a", "n_b"]].copy()
    e["expected"] = e["n_a"] * e["n_b"] / N
    e["p_value"] = hypergeom.sf(e["count"] - 1, N, e["n_a"], e["n_b"])
    p_all = np.concatenate([e["p_value"].to_numpy(), np.ones(n_units * (n_units - 1) // 2 - len(e))])
    e["q_value"] = cl.benjamini_hochberg(p_all)[: len(e)]
    e["significant"] = e["q_value"] < 0.05
    return e


@pytest.mark.parametrize("fixture", ["seed", "corpus10k"])
def test_the_backbone_equals_its_definition_with_scipy(request, fixture):
    """The backbone against scipy's sf with the full array of p = 1 (the definition): the same
    pairs, p- and q-values to 1e-12, the same significant ties, sorted by p-value. Pairs whose
    p-values are equal as numbers (the same count and the same two unit sizes, either way
    round) get the same bits here and are ordered by name; scipy can give them values a unit in
    the last place apart, which would order them by that rounding (on the seed: 区国资局–区总工会
    and 区人大常委会法工委–区国资局, one shared measure, sizes 2, 1 and 1, 2, p = 2/138 both, which
    scipy gives as …406 and …408)."""
    ds = request.getfixturevalue(fixture)
    got = cl.colead_backbone(ds)
    ref = _backbone_as_defined(ds, got)
    pairs = ["unit_a", "unit_b"]
    assert got.equals(got.sort_values(["p_value", *pairs], ignore_index=True))
    by_pair = got.sort_values(pairs, ignore_index=True)
    ref = ref.sort_values(pairs, ignore_index=True)
    pd.testing.assert_frame_equal(by_pair, ref, check_exact=False, rtol=1e-12, atol=0)
    assert by_pair["significant"].equals(ref["significant"])
    assert 0 < int(got["significant"].sum()) < len(got)


def test_equal_p_values_get_equal_bits_and_sort_by_name(seed):
    """The two seed pairs scipy gives a unit in the last place apart (see above) get one value."""
    bb = cl.colead_backbone(seed).set_index(["unit_a", "unit_b"])
    a, b = bb.loc[("区国资局", "区总工会"), "p_value"], bb.loc[("区人大常委会法工委", "区国资局"), "p_value"]
    assert a == b == pytest.approx(2 / 138, rel=1e-14)
    order = list(cl.colead_backbone(seed).set_index(["unit_a", "unit_b"]).index)
    assert order.index(("区人大常委会法工委", "区国资局")) < order.index(("区国资局", "区总工会"))


def test_the_backbone_does_not_import_scipy_stats():
    """``scipy.stats`` takes about a second to import; the build's tables do not need it."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom analysis.load import load\nfrom analysis import clusters as cl\n"
        "cl.colead_backbone(load())\nprint('scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
