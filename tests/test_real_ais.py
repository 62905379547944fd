"""Every real AIS file in ../shared/real_ais: exact row accounting against an independent line count."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import importlib.util

import polars as pl
import pyogrio
import pytest

from conftest import real_file
from shipwatch.ingest import ingest
from shipwatch.readers import detect_dialect
from shipwatch.store import read_store

pytestmark = pytest.mark.real

MAPS = {
    "other/solent_20160112.csv": "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees,"
    "cog=COG_degrees,sog=SOG_knots",
    "other/suez_boat_positions.csv": "mmsi=ID,time=ais_pos_timestamp,lon=longitude,lat=latitude,"
    "time_format=%d/%m/%Y %H:%M",
}
CSV_FILES = {
    "noaa/AIS_2020_01_01_10pct_mmsi.csv.gz": "marinecadastre",
    "noaa/AIS_2022_01_03_first99999.csv": "marinecadastre",
    "noaa/AIS_2023_01_11_sample1000.csv": "marinecadastre",
    "dma/aisdk_2018-06-01_first138.csv": "dma",
    "spire/exactearth_20210701.csv": "satellite",
    "other/solent_20160112.csv": "mapped",
    "other/suez_boat_positions.csv": "mapped",
}


def data_lines(path) -> int:
    """Non-empty CSV records after the header, counted with the csv module."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        return sum(1 for row in reader if row)


@pytest.mark.parametrize("rel", sorted(CSV_FILES))
def test_real_csv_exact_row_accounting(rel, tmp_path):
    path = real_file(rel)
    expected = data_lines(path)
    report = ingest([path], tmp_path / "store", mapping=MAPS.get(rel))
    assert report.files[0].dialect == CSV_FILES[rel]
    assert report.rows_read == expected == report.files[0].rows
    assert report.rows_accepted + report.rows_rejected + report.rows_duplicate == report.rows_read


def test_real_counts_match_the_readme(tmp_path):
    """Figures stated in real_ais/README.md."""
    r = ingest([real_file("noaa/AIS_2020_01_01_10pct_mmsi.csv.gz")], tmp_path / "a")
    assert r.rows_read == 644_698 and r.rows_duplicate == 166
    r = ingest([real_file("spire/exactearth_20210701.csv")], tmp_path / "b")
    by_reason = r.rejected_by_reason  # static messages without position: type 24 joined, the others not
    assert by_reason["not a position report"] + by_reason["static data (joined)"] == 93
    assert by_reason["static data (joined)"] == 33


def test_unknown_layout_without_mapping_is_refused():
    from shipwatch.errors import UnknownLayoutError

    with pytest.raises(UnknownLayoutError, match=r"solent_20160112.csv: unknown AIS layout .*--map"):
        detect_dialect(real_file("other/solent_20160112.csv"))


def test_real_geopackage_through_the_dispatcher(tmp_path):
    if importlib.util.find_spec("shipwatch.readers.spatial") is None:
        pytest.skip("spatial reader not available yet")
    path = real_file("dma/dma_2017-07-05_gothenburg.gpkg")
    features = sum(pyogrio.read_info(path, layer=name)["features"] for name, _ in pyogrio.list_layers(path))
    report = ingest([path], tmp_path / "s")
    assert report.files[0].dialect == "geopackage"
    assert report.rows_read == features == 255
    assert report.balanced and report.rows_accepted > 0


@pytest.mark.parametrize(
    "rel",
    [
        "nmea/test_data_20211101.nm4",
        "nmea/test_data_201201.nmea",
        "nmea/pyais_nmea_data_sample.txt",
        "nmea/gpsd_sample.aivdm",
    ],
)
def test_real_nmea_through_the_dispatcher(rel, tmp_path):
    if importlib.util.find_spec("shipwatch.readers.nmea") is None:
        pytest.skip("NMEA reader not available yet")
    path = real_file(rel)
    assert detect_dialect(path) == "nmea"
    report = ingest([path], tmp_path / "s")
    nonblank = sum(
        1
        for line in path.read_text(errors="replace").splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert 0 < report.rows_read <= nonblank  # multipart messages fold several lines into one row
    assert report.balanced


def test_suez_boats_keyed_by_their_own_ids(tmp_path):
    """``--map id=ID``: the MovingPandas Suez example's ``ID`` is not an MMSI; with ``mmsi=ID`` every
    row is rejected as "MMSI not 9 digits", with ``id=ID`` every row with a position is kept."""
    path = real_file("other/suez_boat_positions.csv")
    as_mmsi = ingest([path], tmp_path / "a", mapping=MAPS["other/suez_boat_positions.csv"])
    assert as_mmsi.rows_accepted == 0 and set(as_mmsi.rejected_by_reason) == {"MMSI not 9 digits"}
    spec = "id=ID,time=ais_pos_timestamp,lon=longitude,lat=latitude,time_format=%d/%m/%Y %H:%M"
    report = ingest([path], tmp_path / "b", mapping=spec)
    assert report.balanced and report.rows_read == data_lines(path) == 22_287
    assert "MMSI not 9 digits" not in report.rejected_by_reason
    assert report.rows_accepted + report.rows_duplicate == report.rows_read - report.rows_rejected
    assert report.rows_accepted > 20_000
    stored = read_store(tmp_path / "b").collect()
    ids = sorted(set(stored["mmsi"] - 1_000_000_000))
    raw = pl.read_csv(path, encoding="utf8-lossy")
    assert ids == sorted(set(raw[raw.columns[0]]))  # the keys give the ids back
    first = stored.filter(pl.col("mmsi") == 1_000_000_001).sort("timestamp").row(0, named=True)
    assert (first["timestamp"], first["lon"], first["lat"]) == (
        dt.datetime(2021, 3, 20, 0, 22, tzinfo=dt.UTC), 32.32925, 31.4386
    )
