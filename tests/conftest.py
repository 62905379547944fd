"""Shared fixtures: where the real AIS files are, and small builders."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_AIS = ROOT.parent / "shared" / "real_ais"
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def real_ais() -> Path:
    """The folder of real public AIS files; tests using it skip cleanly when it is absent."""
    if not REAL_AIS.is_dir():
        pytest.skip(f"real AIS files not found at {REAL_AIS}")
    return REAL_AIS


def real_file(rel: str) -> Path:
    """One real AIS file by path relative to ``real_ais``; skips the test when it is absent."""
    path = REAL_AIS / rel
    if not path.exists():
        pytest.skip(f"real AIS file not found: {path}")
    return path
