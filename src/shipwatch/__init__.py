"""shipwatch: find ships that go dark between ports.

The public API mirrors the CLI::

    import shipwatch

    report = shipwatch.ingest(["AIS_2023_10_01.zip"], "store")           # shipwatch ingest
    result, manifest = shipwatch.run(["store"], "out", sightings="s.csv")  # shipwatch detect
    result = shipwatch.detect(positions)                                   # DataFrames in, DataFrames out

Each detection stage is also usable on its own (see :mod:`shipwatch.pipeline`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "detect": "shipwatch.pipeline",
    "run": "shipwatch.pipeline",
    "Detection": "shipwatch.pipeline",
    "load_positions": "shipwatch.pipeline",
    "ingest": "shipwatch.ingest",
    "IngestReport": "shipwatch.ingest",
    "Settings": "shipwatch.settings",
    "load_ports": "shipwatch.ports",
    "read_sightings": "shipwatch.sightings",
    "ShipwatchError": "shipwatch.errors",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import the public names lazily, so ``import shipwatch`` stays cheap."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'shipwatch' has no attribute {name!r}")
