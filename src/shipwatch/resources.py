"""Where the data that ships with shipwatch lives (``data/`` at the top of the repository)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
PORTS_FILE = DATA_DIR / "ports" / "ports.geojson"
SAMPLE_DIR = DATA_DIR / "sample_ais"
SAMPLE_SIGHTINGS = SAMPLE_DIR / "sightings.csv"
REFERENCE_FILE = DATA_DIR / "reference" / "published_counts.csv"
