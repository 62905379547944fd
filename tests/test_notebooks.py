"""The analyst notebooks: stored clean, generated from notebooks/build_notebooks.py, public API only, and
each one executes without error, from notebooks/, in under a minute on the bundled data."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "python3"
CELL_TIMEOUT_S = 120
NOTEBOOK_LIMIT_S = 60.0


def _generator():
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOK_DIR / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_at_least_three_notebooks():
    assert len(NOTEBOOKS) >= 3, NOTEBOOKS
    assert {p.name for p in NOTEBOOKS} >= {
        "01_quickstart.ipynb",
        "02_bring_your_own_ais.ipynb",
        "03_imagery_and_evidence.ipynb",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook with no code cells"
    for i, cell in enumerate(code):
        assert cell.outputs == [], f"{path.name}: code cell {i} has stored outputs"
        assert cell.execution_count is None, f"{path.name}: code cell {i} has an execution count"
    assert nb.metadata["kernelspec"]["name"] == KERNEL


def test_notebooks_are_what_the_generator_writes(tmp_path):
    """The .ipynb files are the generator's output, byte for byte: edit build_notebooks.py, not the JSON."""
    written = _generator().build(tmp_path)
    assert sorted(p.name for p in written) == [p.name for p in NOTEBOOKS]
    for p in written:
        assert p.read_bytes() == (NOTEBOOK_DIR / p.name).read_bytes(), (
            f"{p.name} differs from what notebooks/build_notebooks.py writes: run it and commit the result"
        )


# Names from shipwatch that start with an underscore, or a private module (shipwatch._x / shipwatch.x._y).
PRIVATE = re.compile(r"shipwatch(\.\w+)*\._\w*|from shipwatch[\w.]* import [^\n]*\b_\w+")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_public_api_only(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not PRIVATE.search(cell.source), f"{path.name}: private name in\n{cell.source}"
            for line in cell.source.splitlines():
                if re.match(r"\s*(from|import)\s+(tools|sim|tests|conftest)\b", line):
                    pytest.fail(f"{path.name}: imports a development tree: {line}")


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory) -> dict[str, str]:
    """Environment of the kernels: this tree's src first on the path (so the notebooks exercise the code
    under test), and the ``python3`` kernel of ipykernel in this venv. Should no kernelspec be found (a
    fresh environment without ipykernel's share/ files), one is written into a temporary JUPYTER_PATH:
    nothing is installed into the user's own Jupyter folders."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env["JUPYTER_PLATFORM_DIRS"] = "1"  # no deprecation warning from jupyter_core about its paths
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        root = tmp_path_factory.mktemp("jupyter")
        spec = root / "kernels" / KERNEL
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "Python 3 (shipwatch tests)",
                    "language": "python",
                }
            )
        )
        env["JUPYTER_PATH"] = os.pathsep.join([str(root), *filter(None, [env.get("JUPYTER_PATH")])])
        os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]  # for the kernel manager in this process
    return env


def execute(path: Path, env: dict[str, str]) -> tuple[object, float]:
    """Run a notebook from notebooks/ as a reader would; return the executed notebook and seconds taken."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    start = time.perf_counter()
    client.execute(env=env, cwd=str(NOTEBOOK_DIR))
    return nb, time.perf_counter() - start


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, kernel_env, tmp_path):
    before = {p.name for p in NOTEBOOK_DIR.rglob("*")}
    nb, seconds = execute(path, kernel_env)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        assert cell.execution_count is not None, f"code cell {i} did not run"
    nbformat.write(nb, tmp_path / path.name)  # the executed copy, for a look when a test fails
    if path.name == "01_quickstart.ipynb":  # the map and the transit plot are drawn inline
        pngs = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        assert len(pngs) >= 2, "the quickstart shows no map"
    assert seconds < NOTEBOOK_LIMIT_S, f"{path.name} took {seconds:.1f} s (limit {NOTEBOOK_LIMIT_S:.0f} s)"
    assert {p.name for p in NOTEBOOK_DIR.rglob("*")} == before, "the notebook wrote files beside itself"
    print(f"{path.name}: {seconds:.1f} s")

