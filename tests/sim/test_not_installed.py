"""The simulator is a development tool: the installed package holds none of it."""

from __future__ import annotations

import ast
import importlib.machinery
from pathlib import Path

import shipwatch

SRC = Path(shipwatch.__file__).resolve().parent


def test_no_scenario_package():
    # Searched on the imported package's own path: a development environment's editable install of
    # another checkout may still map the old name through its own finder.
    assert importlib.machinery.PathFinder.find_spec("shipwatch.scenario", shipwatch.__path__) is None
    assert not (SRC / "scenario").exists()
    pyproject = (SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    packages = next(line for line in pyproject.splitlines() if line.startswith("packages = "))
    assert "scenario" not in packages and "sim" not in packages


def test_no_module_of_the_package_imports_the_simulator():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            offenders += [f"{path.name}: {n}" for n in names if n == "sim" or n.startswith("sim.")]
            offenders += [f"{path.name}: {n}" for n in names if "scenario" in n]
    assert offenders == []


def test_the_sample_command_is_gone():
    from shipwatch.cli import COMMANDS

    assert "sample" not in COMMANDS
