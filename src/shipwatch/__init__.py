"""shipwatch: find ships that go dark between ports.

The public API mirrors the CLI; tables go in as polars, pandas, GeoPandas or Arrow and come out as
polars, with ``to_pandas()`` / ``to_geopandas()`` beside them::

    import shipwatch

    report = shipwatch.ingest(["AIS_2023_10_01.zip"], "store")           # shipwatch ingest
    result, manifest = shipwatch.run(["store"], "out", sightings="s.csv")  # shipwatch detect
    result = shipwatch.detect(positions)                                   # a DataFrame in, a Detection out
    layers = shipwatch.read_results("out").to_geopandas()                  # GeoDataFrames of a finished run

Each detection stage is also usable on its own (see :mod:`shipwatch.pipeline`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "detect": "shipwatch.pipeline",
    "run": "shipwatch.pipeline",
    "Detection": "shipwatch.detection",
    "read_results": "shipwatch.results",
    "read_store": "shipwatch.store",
    "load_positions": "shipwatch.ingest",
    "ingest": "shipwatch.ingest",
    "IngestReport": "shipwatch.ingest",
    "Settings": "shipwatch.settings",
    "Port": "shipwatch.ports",
    "load_ports": "shipwatch.ports",
    "read_sightings": "shipwatch.sightings",
    "ShipwatchError": "shipwatch.errors",
}
__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time the names are imported lazily
    from shipwatch.detection import Detection  # noqa: F401
    from shipwatch.errors import ShipwatchError  # noqa: F401
    from shipwatch.ingest import IngestReport, ingest, load_positions  # noqa: F401
    from shipwatch.pipeline import detect, run  # noqa: F401
    from shipwatch.ports import Port, load_ports  # noqa: F401
    from shipwatch.results import read_results  # noqa: F401
    from shipwatch.settings import Settings  # noqa: F401
    from shipwatch.sightings import read_sightings  # noqa: F401
    from shipwatch.store import read_store  # noqa: F401


# ``ingest`` is both a module and its main function: importing the module binds the package attribute to
# the module, so the function is bound here, after that import, once and for all.
from shipwatch.ingest import ingest  # noqa: E402, F401

_EXPORTS.pop("ingest")


def __getattr__(name: str) -> Any:
    """Import the public names lazily, so ``import shipwatch`` stays cheap."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'shipwatch' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
