"""The layout registry: every layout is one module; a new one needs nothing else."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl
import pytest

from shipwatch.ingest import ingest, load_positions
from shipwatch.readers import detect_dialect, layouts
from shipwatch.readers.layouts import CsvLayout, FileLayout
from shipwatch.reasons import Reason
from shipwatch.store import read_store

TOY = Path(__file__).resolve().parents[1] / "data" / "toy_layout"
UTC = dt.UTC


@pytest.fixture
def toy_layout():
    """The toy layout module imported from its file (as a plugin would be), unregistered afterwards."""
    spec = importlib.util.spec_from_file_location("toy_layout", TOY / "toy_layout.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["toy_layout"] = module
    spec.loader.exec_module(module)
    yield module.LAYOUT
    layouts.unregister("toy")
    sys.modules.pop("toy_layout", None)


def test_every_built_in_layout_is_registered_in_detection_order():
    names = [lay.name for lay in layouts.layouts()]
    assert names == [
        "parquet", "geopackage", "geojson", "marinecadastre", "marinecadastre-2025", "dma", "satellite",
        "nmea", "mapped",
    ]  # fmt: skip
    assert all(isinstance(layouts.get(n), CsvLayout) for n in [*names[3:7], "mapped"])
    assert isinstance(layouts.get("nmea"), FileLayout)
    with pytest.raises(ValueError, match="unknown AIS layout 'nope'; expected one of parquet, "):
        layouts.get("nope")


def test_a_name_taken_by_another_module_is_refused():
    clash = CsvLayout(name="dma", matches=lambda header: False, plan=lambda f: None)
    with pytest.raises(ValueError, match="a layout named 'dma' is already registered by shipwatch"):
        layouts.register(clash)
    assert layouts.get("dma").plan.__module__ == "shipwatch.readers.layouts.dma"


def test_a_toy_layout_is_one_module_and_ingests(toy_layout, tmp_path):
    fixture = TOY / "toy.csv"
    assert detect_dialect(fixture) == "toy"
    report = ingest([fixture], tmp_path / "s")
    assert report.balanced
    assert (report.rows_read, report.rows_accepted, report.rows_rejected, report.rows_duplicate) == (6, 3, 2, 1)
    assert report.rejected_by_reason == {Reason.BASE_STATION: 1, Reason.UNPARSEABLE_MMSI: 1}
    assert [f.dialect for f in report.files] == ["toy"]
    stored = read_store(tmp_path / "s").collect()
    assert stored["mmsi"].to_list() == [257000001, 257000001, 257000002]
    # Oslo is UTC+2 in July: 14:00 local is 12:00 UTC
    assert stored["timestamp"].to_list() == [
        dt.datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
        dt.datetime(2024, 7, 1, 12, 10, tzinfo=UTC),
        dt.datetime(2024, 7, 1, 12, 5, tzinfo=UTC),
    ]
    assert stored.select("lat", "lon").rows() == [(59.90, 10.70), (59.91, 10.71), (59.80, 10.60)]
    assert stored["sog"].to_list() == [5.5, 5.6, None]
    assert stored["source_row"].to_list() == [1, 2, 3]
    table, acc = load_positions([fixture])
    assert table.equals(stored) and acc["rows_read"] == 6 and acc.balanced


def test_without_the_module_the_toy_file_is_unknown(tmp_path):
    from shipwatch.errors import UnknownLayoutError

    with pytest.raises(UnknownLayoutError, match=r"unknown AIS layout \(columns: ship_id, when_local"):
        detect_dialect(TOY / "toy.csv")


def test_the_store_keeps_rows_of_a_layout_as_any_other(toy_layout, tmp_path):
    """A layout's rows are canonical: the same positions as MarineCadastre text give the same store."""
    mc = tmp_path / "mc.csv"
    mc.write_text(
        "MMSI,BaseDateTime,LAT,LON,SOG\n"
        "257000001,2024-07-01T12:00:00,59.90,10.70,5.5\n"
        "257000001,2024-07-01T12:10:00,59.91,10.71,5.6\n"
    )
    toy = tmp_path / "toy.csv"
    toy.write_text("ship_id,when_local,y_deg,x_deg,knots\n257000001,01.07.2024 14:00,59.90,10.70,5.5\n"
                   "257000001,01.07.2024 14:10,59.91,10.71,5.6\n")
    a, _ = load_positions([mc])
    b, _ = load_positions([toy])
    assert a.drop("source_file").equals(b.drop("source_file"))
    assert pl.concat([a, b]).height == 4


def test_a_module_dropped_into_the_layouts_package_is_found(tmp_path, monkeypatch):
    """The registry imports every module of its package: a new file there is a new layout."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "toy_found.py").write_text((TOY / "toy_layout.py").read_text())
    monkeypatch.setattr(layouts, "__path__", [*layouts.__path__, str(package)])
    monkeypatch.setattr(layouts, "_discovered", False)
    try:
        assert layouts.get("toy").plan.__module__ == "shipwatch.readers.layouts.toy_found"
        assert detect_dialect(TOY / "toy.csv") == "toy"
    finally:
        layouts.unregister("toy")
        sys.modules.pop("shipwatch.readers.layouts.toy_found", None)
