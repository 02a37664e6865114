"""Write the analysis tables to ``reports/`` as CSV (byte-identical on re-run).

Each table is a function of :mod:`analysis.workload`, :mod:`analysis.graph` or
:mod:`analysis.clusters`; this module only names the files. README ("Reports") says what each
one holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .config import RANDOM_SEED
from .errors import write_csv
from .safetext import csv_safe

__all__ = ["analysis_tables", "hypergeom_sf", "summary", "write_tables"]


def analysis_tables(
    ds, *, n_runs: int = 100, seed: int = RANDOM_SEED, cache: bool | str = False
) -> dict[str, pd.DataFrame]:
    """Compute every analysis table: ``{file stem: DataFrame}``.

    `cache` shares the tables between processes (the notebooks, and a build before them):
    ``True`` takes them from the cache when this dataset, `n_runs` and `seed` were computed
    before by the same code, else computes and stores them; ``"store"`` always computes and
    stores. The cache is ``CACHE_DIR/tables/`` (:data:`analysis.config.CACHE_DIR`), one file
    per key: a SHA-256 of the dataset's three frames (values, index, columns and dtypes),
    `n_runs`, `seed`, every source file of the :mod:`analysis` package and the versions of
    the libraries the tables are computed with; so a changed measure, registry row, option,
    line of code or library makes another key, never a stale hit.
    """
    if cache not in (False, True, "store"):
        raise ValueError(f"cache must be False, True or 'store', not {cache!r}")
    if cache:
        path = _cache_path(ds, n_runs=n_runs, seed=seed)
        if cache is True:
            hit = _read_cached(path)
            if hit is not None:
                return hit
        tables = analysis_tables(ds, n_runs=n_runs, seed=seed)
        _store_cached(path, tables)
        return tables
    from . import clusters as cl
    from . import workload as wk
    from .graph import coordination_edges, named_assignments, unit_edges

    wl = wk.workload(ds)
    named = named_assignments(ds.assignments, ds.units)
    clus = cl.colead_clusters(ds, n_runs=n_runs, seed=seed)
    if clus.coassignment is not None:
        co = clus.coassignment.rename_axis("unit").reset_index()
    else:  # above clusters.DENSE_MAX lead units: the shares on co-lead ties (a units × units matrix cannot exist)
        co = clus.coassignment_edges
    tables = {
        "workload": wl,
        "workload_expanded": wk.workload(ds, collectives="expand"),
        "workload_by_section": wk.workload_by_section(ds),
        "collectives": wk.collective_table(ds),
        "concentration": wk.concentration(wl),
        "lorenz": wk.lorenz_table(wl),
        "colead_edges": unit_edges(ds, role="lead"),
        "coresponsibility_edges": unit_edges(ds, role="responsible"),
        "coordination_edges": coordination_edges(named),
        "clusters": clus.assignment,
        "cluster_profiles": cl.cluster_profiles(ds, clus),
        "cluster_coassignment": co,
        "colead_backbone": _colead_backbone(ds),
        "brokers": cl.brokers(ds, clus),
        "multi_lead_measures": wk.multi_lead_measures(ds),
        "collective_only_measures": wk.collective_only_measures(ds),
        "never_lead": wk.never_lead(wl),
        "dual_role": wk.dual_role_table(ds),
    }
    tables["summary"] = summary(ds, tables, clus)
    return tables


#: Tables cached per key (the oldest files beyond this many are removed when one is stored).
CACHE_KEEP = 16


def _cache_path(ds, *, n_runs: int, seed: int) -> Path:
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    from .config import CACHE_DIR

    h = hashlib.sha256(f"tables-v1 n_runs={n_runs} seed={seed}".encode())
    for frame in (ds.measures, ds.assignments, ds.units):
        h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    package = Path(__file__).resolve().parent
    for src in sorted(package.rglob("*.py")):  # (subpackages too: figures/, readers/)
        h.update(src.relative_to(package).as_posix().encode() + b"\0" + src.read_bytes())
    for lib in ("numpy", "pandas", "scipy", "networkx", "igraph"):
        try:
            h.update(f"{lib}={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"{lib}=none".encode())
    return Path(CACHE_DIR) / "tables" / f"{h.hexdigest()[:32]}.pickle"


def _read_cached(path: Path) -> dict[str, pd.DataFrame] | None:
    import pickle

    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # absent, or unreadable: computed again (and stored again)


def _store_cached(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write `tables` to `path` through a temporary file (processes may store at once); a cache
    that cannot be written (read-only home, full disk) is skipped, never an error."""
    import contextlib
    import os
    import pickle
    import tempfile

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        old = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[CACHE_KEEP:]
        for p in old:
            p.unlink(missing_ok=True)


#: Above this many pairs of lead units the backbone's correction is computed without an array of
#: the p = 1 of every pair that never co-leads (90,000 lead units: 4·10⁹ pairs, 32 GB).
BACKBONE_DENSE_MAX_PAIRS = 10_000_000


def _colead_backbone(ds, *, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`analysis.clusters.colead_backbone`, the same values at any size.

    Up to :data:`BACKBONE_DENSE_MAX_PAIRS` pairs it is called as it is. Above, the
    Benjamini–Hochberg q-values of the co-leading pairs are computed from their own p-values and
    the number of all pairs: the pairs that never co-lead (p = 1) sort after them, and their
    terms p·m/rank are at least 1, so they never lower a q-value below the cap of 1: the
    result is the same number for number, without the array of ones. The p-values come from
    :func:`hypergeom_sf` (about 3 µs a pair where ``scipy.stats.hypergeom.sf`` takes 0.2–0.4 ms:
    549,661 co-leading pairs at a million measures); pairs with equal p-values as numbers get
    equal bits, so they are ordered by name.
    """
    from . import clusters as cl
    from .graph import named_assignments, projection_edges

    lead = named_assignments(ds.assignments, ds.units).query("role == 'lead'")
    lead = lead.drop_duplicates(["unit", "measure_id"])
    n_lead = lead.groupby("unit").size()
    n_pairs = len(n_lead) * (len(n_lead) - 1) // 2
    if n_pairs <= BACKBONE_DENSE_MAX_PAIRS:
        return cl.colead_backbone(ds, alpha=alpha)
    N = ds.measures["measure_id"].nunique()
    e = projection_edges(lead, role="lead")[["unit_a", "unit_b", "count"]].copy()
    e["n_a"] = e["unit_a"].map(n_lead).astype("int64")
    e["n_b"] = e["unit_b"].map(n_lead).astype("int64")
    e["expected"] = e["n_a"] * e["n_b"] / N
    e["p_value"] = hypergeom_sf(e["count"].to_numpy(), N, e["n_a"].to_numpy(), e["n_b"].to_numpy())
    p = e["p_value"].to_numpy(dtype=float)
    order = np.argsort(p, kind="stable")
    ranked = p[order] * n_pairs / np.arange(1, len(p) + 1)
    q = np.empty(len(p))
    q[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    e["q_value"] = q
    e["significant"] = e["q_value"] < alpha
    return e.sort_values(["p_value", "unit_a", "unit_b"], ignore_index=True)


# --------------------------------------------------------------------------------------------
# The hypergeometric upper tail, vectorised (Loader's saddle-point pmf, summed by recurrence)

#: log √(2π) to 57 digits (checked against 2π from the π recipe of the :mod:`decimal` docs).
_LN_SQRT_2PI_DIGITS = "0.918938533204672741780329736405617639861397473637783412817"
_LN_SQRT_2PI = float(_LN_SQRT_2PI_DIGITS)


def _stirlerr_table() -> np.ndarray:
    """Stirling's error log n! − (n + ½) log n + n − log √(2π) for n = 0 … 15, worked out to 50
    digits with :mod:`decimal` and rounded once (0 for n = 0, as R's table)."""
    import math
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 50
        c = Decimal(_LN_SQRT_2PI_DIGITS)
        rows = [Decimal(0)] + [
            Decimal(math.factorial(n)).ln() - (n + Decimal("0.5")) * Decimal(n).ln() + n - c for n in range(1, 16)
        ]
        return np.array([float(v) for v in rows])


_STIRLERR = _stirlerr_table()


def _stirlerr(n: np.ndarray) -> np.ndarray:
    """log n! − (n + ½) log n + n − log √(2π) of integers n ≥ 0 (a table to 15, then the
    asymptotic series with as many terms as double precision needs, as R's ``stirlerr``)."""
    n = np.asarray(n, dtype=float)
    out = np.empty_like(n)
    small = n <= 15
    out[small] = _STIRLERR[n[small].astype(np.int64)]
    b = n[~small]
    nn = b * b
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    out[~small] = np.where(
        b > 500,
        (s0 - s1 / nn) / b,
        np.where(
            b > 80,
            (s0 - (s1 - s2 / nn) / nn) / b,
            np.where(
                b > 35,
                (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / b,
                (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / b,
            ),
        ),
    )
    return out


def _bd0(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """x log(x/m) + m − x for x, m > 0, without the cancellation near x = m (Loader's ``bd0``:
    a series in v = (x − m)/(x + m) while |v| < 0.1)."""
    out = x * np.log(x / m) + m - x
    near = np.abs(x - m) < 0.1 * (x + m)
    if near.any():
        xn, mn = x[near], m[near]
        v = (xn - mn) / (xn + mn)
        s = (xn - mn) * v
        ej = 2 * xn * v
        v2 = v * v
        for j in range(1, 40):  # |v|² < 0.01: 9 terms reach the last bit; later ones add nothing
            ej = ej * v2
            s1 = s + ej / (2 * j + 1)
            if np.array_equal(s1, s):
                break
            s = s1
        out[near] = s
    return out


def _log_dbinom(x: np.ndarray, size: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """log P(B = x), B binomial(size, p), q = 1 − p, 0 ≤ x ≤ size, 0 < p < 1 (R's ``dbinom_raw``)."""
    out = np.empty(len(x))
    zero, full = x == 0, (x == size) & (x > 0)
    mid = ~(zero | full)
    if zero.any():
        n, pp, qq = size[zero], p[zero], q[zero]
        out[zero] = np.where(pp < 0.1, -_bd0(n, n * qq) - n * pp, n * np.log(qq))
    if full.any():
        n, pp, qq = size[full], p[full], q[full]
        out[full] = np.where(qq < 0.1, -_bd0(n, n * pp) - n * qq, n * np.log(pp))
    if mid.any():
        xx, n, pp, qq = x[mid], size[mid], p[mid], q[mid]
        lc = _stirlerr(n) - _stirlerr(xx) - _stirlerr(n - xx) - _bd0(xx, n * pp) - _bd0(n - xx, n * qq)
        lf = 2 * _LN_SQRT_2PI + np.log(xx) + np.log1p(-xx / n)
        out[mid] = lc - 0.5 * lf
    return out


def _log_dhyper(x: np.ndarray, N: np.ndarray, K: np.ndarray, n: np.ndarray) -> np.ndarray:
    """log P(X = x), X hypergeometric (N items, K marked, n drawn), x in the support, 0 < K < N,
    0 < n < N: three binomial terms with p = n/N (R's ``dhyper``)."""
    p = n / N
    q = (N - n) / N
    return _log_dbinom(x, K, p, q) + _log_dbinom(n - x, N - K, p, q) - _log_dbinom(n, N, p, q)


def hypergeom_sf(k, N, K, n) -> np.ndarray:
    """P(X ≥ k) for X hypergeometric: `N` items of which `K` are marked, `n` drawn (arrays or
    integers, broadcast): ``scipy.stats.hypergeom.sf(k - 1, N, K, n)``, within 1e-13 of the
    exact fraction (tests/test_backbone_tail.py; scipy itself is off by up to 3e-10 at N = 10⁶).

    Each distinct (k, K, n) is computed once (K and n in either order: the law is symmetric in
    them). The probability of the first term comes from Loader's saddle-point formula (no
    difference of large log-gammas, which at N = 10⁶ would leave errors of 10⁻⁹); the tail is
    then summed term by term by the ratio of successive probabilities, always towards the far
    end so that the terms fall: upward from k when k lies above the mode, else 1 − P(X ≤ k − 1)
    summed downward from k − 1 (then P(X ≥ k) is at least about a third, so the subtraction
    loses nothing). A term below 2⁻⁶⁴ of the sum ends it.

    Examples
    --------
    Ten measures, unit a leads 4, unit b leads 3; P(they share ≥ 2) = (C(4,2)·C(6,1) +
    C(4,3)·C(6,0)) / C(10,3) = (36 + 4) / 120 = 1/3:

    >>> round(float(hypergeom_sf(2, 10, 4, 3)), 14)
    0.33333333333333
    """
    k, N, K, n = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (k, N, K, n)))
    shape = k.shape
    lo_kn, hi_kn = np.minimum(K, n), np.maximum(K, n)
    keys = np.stack([k.ravel(), N.ravel(), lo_kn.ravel(), hi_kn.ravel()], axis=1)
    if len(keys) == 0:
        return np.empty(shape)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    kk, NN, KK, nn = (uniq[:, i].astype(float) for i in range(4))
    lo = np.maximum(0.0, nn - (NN - KK))  # the support of X is lo … hi
    hi = np.minimum(KK, nn)
    res = np.where(kk <= lo, 1.0, 0.0)
    inside = (kk > lo) & (kk <= hi)
    mode = np.floor((nn + 1) * (KK + 1) / (NN + 2))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        for upward in (True, False):
            idx = np.flatnonzero(inside & ((kk > mode) if upward else (kk <= mode)))
            if len(idx) == 0:
                continue
            x0 = kk[idx] if upward else kk[idx] - 1
            log_first = _log_dhyper(x0, NN[idx], KK[idx], nn[idx])
            total = _tail_sum(x0, NN[idx], KK[idx], nn[idx], lo[idx], hi[idx], upward=upward)
            part = np.exp(log_first + np.log(total))
            res[idx] = part if upward else np.clip(1.0 - part, 0.0, 1.0)
    return res[inverse.ravel()].reshape(shape)


def _tail_sum(x0, N, K, n, lo, hi, *, upward: bool) -> np.ndarray:
    """Σ P(X = x)/P(X = x0) over x = x0, x0 ± 1, … to `hi` (upward) or `lo` (downward), each term
    the previous times the ratio of successive hypergeometric probabilities; all rows at once,
    those that have converged dropped as the loop goes on."""
    total = np.ones(len(x0))
    term = np.ones(len(x0))
    j = x0.copy()
    act = np.arange(len(x0))
    tiny = 2.0**-64
    while len(act):
        jj, KK, nn, rest = j[act], K[act], n[act], N[act] - K[act] - n[act]
        if upward:
            ratio = (KK - jj) * (nn - jj) / ((jj + 1) * (rest + jj + 1))
            j[act] = jj + 1
        else:
            ratio = jj * (rest + jj) / ((KK - jj + 1) * (nn - jj + 1))
            j[act] = jj - 1
        t = term[act] * ratio
        term[act] = t
        total[act] += t
        end = j[act] >= hi[act] if upward else j[act] <= lo[act]
        act = act[~(end | (t < tiny * total[act]))]
    return total


def summary(ds, tables: dict[str, pd.DataFrame], clus) -> pd.DataFrame:
    """Key figures in one table: ``metric, value``."""
    conc = tables["concentration"].set_index("load")
    resp = ds.assignments[ds.assignments["role"] == "responsible"]
    coll = set(ds.units.loc[ds.units["is_collective"], "unit"])
    bb = tables["colead_backbone"]
    n_lead_units = len(clus.assignment)
    rows = [
        ("n_measures", len(ds.measures)),
        ("n_plans", ds.measures["plan_id"].nunique()),
        ("n_mentions", len(ds.assignments)),
        ("n_named_units", int((~ds.units["is_collective"]).sum())),
        ("n_collective_placeholders", int(ds.units["is_collective"].sum())),
        ("share_responsible_mentions_collective", resp["unit"].isin(coll).mean()),
        ("n_measures_collective_only_responsible", len(tables["collective_only_measures"])),
        ("gini_lead_share", conc.loc["lead_share", "gini"]),
        ("gini_n_responsible", conc.loc["n_responsible", "gini"]),
        ("top1_unit_lead_share", conc.loc["lead_share", "top1_unit"]),
        ("top1_share_lead_share", conc.loc["lead_share", "top1_share"]),
        ("n_lead_units", n_lead_units),
        ("n_clusters", clus.assignment["cluster"].nunique()),
        ("modularity", clus.modularity),
        ("louvain_runs", clus.n_runs),
        ("n_pairs_tested", n_lead_units * (n_lead_units - 1) // 2),
        ("n_significant_colead_ties", int(bb["significant"].sum())),
    ]
    return pd.DataFrame(
        [(k, f"{v:.6f}" if isinstance(v, float) else str(v)) for k, v in rows], columns=["metric", "value"]
    )


def write_tables(tables: dict[str, pd.DataFrame], reports_dir: Path) -> dict[str, Path]:
    """Write each table of :func:`analysis_tables` as ``reports_dir/<name>.csv``; returns the paths.

    These files are meant to be opened in Excel too, so a text cell that a spreadsheet would read
    as a formula (``=…``, ``+…``, ``-…``, ``@…``) is written with a leading ``'``
    (:func:`analysis.safetext.csv_safe`); numbers are left alone.
    """
    reports_dir = Path(reports_dir)
    return {name: write_csv(csv_safe(df), reports_dir / f"{name}.csv") for name, df in tables.items()}
