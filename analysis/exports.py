"""Write the analysis tables to ``reports/`` as CSV (byte-identical on re-run).

Each table is a function of :mod:`analysis.workload`, :mod:`analysis.graph` or
:mod:`analysis.clusters`; this module only names the files. README ("Reports") says what each
one holds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import RANDOM_SEED
from .errors import write_csv
from .safetext import csv_safe

__all__ = ["analysis_tables", "summary", "write_tables"]


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
        "colead_backbone": cl.colead_backbone(ds),
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
