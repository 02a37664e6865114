"""The analysts' notebooks: committed clean, free of logic, and run top to bottom."""

from __future__ import annotations

import ast
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from analysis import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def test_the_story_has_six_notebooks_in_order():
    assert IDS == [
        "01_data_and_quality",
        "02_workload",
        "03_colead_clusters",
        "04_network_views",
        "05_report_figures",
        "06_compare_governments",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs_and_with_clean_metadata(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert set(nb["metadata"]) <= {"kernelspec", "language_info"}
    for cell in nb["cells"]:
        assert set(cell.get("metadata", {})) == set(), cell["source"][:60]
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_function_or_class_is_defined_in_a_notebook(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda), (
                f"{path.name}: logic belongs in analysis/, not in a notebook: {cell.source[:80]}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_opens_with_a_question_and_parameters_first(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    for line in first_code.source.splitlines():
        assert "#" in line, f"parameter without a one-line comment: {line}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_top_to_bottom(path, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # A notebook that writes files (05) has an OUT parameter: point it at a temporary folder,
    # as an analyst would, so the test never touches the committed figures/ and reports/; and
    # draw Chinese PNGs only (every language and format is written and compared by the build
    # test in test_cli.py).
    overrides = {"OUT": repr(str(tmp_path)), "FORMATS": '["png"]', "LANGS": '["zh"]'}
    params = next(c for c in nb.cells if c.cell_type == "code")
    params.source = "\n".join(
        next((f"{k} = {v}  # test run" for k, v in overrides.items() if line.startswith(f"{k} = ")), line)
        for line in params.source.splitlines()
    )
    client = NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyter_lab_serves_the_notebooks(tmp_path):
    port, token = _free_port(), "analysis-smoke-test"
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={config.PROJECT_ROOT}",
            "--allow-root",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/contents/notebooks?token={token}"
        deadline, listing = time.time() + 60, None
        while time.time() < deadline and listing is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    listing = json.load(r)
            except OSError:
                time.sleep(0.5)
        assert listing is not None, "jupyter lab did not answer within 60 s"
        names = sorted(c["name"] for c in listing["content"] if c["type"] == "notebook")
        assert names == [p.name for p in NOTEBOOKS]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
