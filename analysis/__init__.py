"""Who is responsible for what in government division-of-labour plans (分工方案).

Conventions
-----------
* ``python -m analysis build`` turns the plan texts in ``data/raw/`` into
  ``data/measures.csv`` (one row per measure, unit lists as written) and everything in
  ``reports/`` and ``figures/``; every output is byte-identical on re-run.
* :func:`analysis.load.load` returns a :class:`~analysis.load.Dataset` of three tables:
  ``measures``, ``assignments`` (``measure_id, role, position, unit_raw, unit``; ``role``,
  ``unit_raw`` and ``unit`` are categoricals) and ``units`` (the registry ``data/units.csv``,
  the one place where names are merged).
* Transforms take a frame or graph plus keyword options and return a new one; paths live only
  in :mod:`analysis.config`; every random step is seeded.
* Bad input raises :class:`~analysis.errors.DataError` naming the file, line and value.

Submodules are imported on demand so that a command that draws no chart never imports
matplotlib.

Examples
--------
>>> from analysis.load import load
>>> ds = load()
>>> ds.assignments.groupby("role").size().to_dict()
{'lead': 299, 'responsible': 277}
"""

__version__ = "0.1.0"
