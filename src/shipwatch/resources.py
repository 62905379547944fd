"""Where the data that ships with shipwatch lives: the ``shipwatch.data`` package.

In the repository that package is the top-level ``data/`` folder (``pyproject.toml`` maps it), so an
editable install, a wheel and an sdist all find the same files through :mod:`importlib.resources`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_dir() -> Path:
    """The folder of the installed ``shipwatch.data`` package (``data/`` in the repository)."""
    root = files("shipwatch.data")
    path = Path(str(root))
    if not path.is_dir():  # pragma: no cover - a zipped install, which setuptools never makes here
        raise RuntimeError(f"shipwatch's data is not a folder on disk ({root}); install shipwatch unzipped")
    return path


DATA_DIR = data_dir()
PORTS_FILE = DATA_DIR / "ports" / "ports.geojson"
SAMPLE_DIR = DATA_DIR / "sample_ais"
SAMPLE_SIGHTINGS = SAMPLE_DIR / "sightings.csv"
REFERENCE_FILE = DATA_DIR / "reference" / "published_counts.csv"
COASTLINE_DIR = DATA_DIR / "coastline"
