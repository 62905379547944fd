"""Geo exports read back as an analyst's tools read them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import polars as pl
import pytest

from shipwatch.errors import InputError
from shipwatch.geoexport import KML_NS, TABLES, export

from .conftest import FORMULA, HOSTILE


def test_geojson_reads_back_one_row_per_csv_row(det, run_dir, tmp_path):
    paths = export(det, tmp_path, fmt="geojson")
    assert [p.name for p in paths] == [f"{t}.geojson" for t in TABLES]
    transits = gpd.read_file(tmp_path / "dark_transits.geojson")
    assert transits.crs.to_epsg() == 4326
    assert len(transits) == pl.read_csv(run_dir / "dark_transits.csv").height > 0
    assert set(transits.geom_type) == {"LineString"}
    gaps = gpd.read_file(tmp_path / "gaps.geojson")
    csv = pl.read_csv(run_dir / "gaps.csv")
    assert len(gaps) == csv.height
    assert int(gaps.geometry.isna().sum()) == int(csv["open"].sum())  # open gaps kept, no geometry
    assert len(gpd.read_file(tmp_path / "sightings.geojson")) == pl.read_csv(run_dir / "sightings.csv").height


def test_default_folder_is_the_run_folder(run_dir):
    from shipwatch.results import read_results

    paths = export(read_results(run_dir), run_dir, fmt="geojson", tables=["dark_transits"])
    assert paths == [run_dir / "dark_transits.geojson"]


def test_kml_one_placemark_per_transit_and_escaped(hostile, tmp_path):
    (path,) = export(hostile, tmp_path, fmt="kml", tables=["dark_transits"])
    raw = path.read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    root = ET.parse(path).getroot()
    marks = root.findall(f".//{{{KML_NS}}}Placemark")
    assert len(marks) == hostile.dark_transits.height
    names = [m.find(f"{{{KML_NS}}}name").text for m in marks]
    assert names[0].startswith(HOSTILE) and names[1].startswith(FORMULA)
    styles = {m.find(f"{{{KML_NS}}}styleUrl").text for m in marks}
    assert {"#transit-confirmed", "#transit-probable"} <= styles
    desc = marks[0].find(f"{{{KML_NS}}}description").text
    assert "why:" in desc and "grade:" in desc


def test_kml_and_geojson_bytes_are_stable(det, tmp_path):
    for fmt in ("kml", "geojson"):
        a = [p.read_bytes() for p in export(det, tmp_path / "a", fmt=fmt, tables=["dark_transits", "gaps"])]
        b = [p.read_bytes() for p in export(det, tmp_path / "b", fmt=fmt, tables=["dark_transits", "gaps"])]
        assert a == b, fmt


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_gpkg_and_parquet_read_back(det, tmp_path, fmt):
    paths = export(det, tmp_path, fmt=fmt)
    for table, path in zip(TABLES, paths, strict=True):
        gdf = gpd.read_parquet(path) if fmt == "parquet" else gpd.read_file(path)
        assert gdf.crs.to_epsg() == 4326, table
        assert len(gdf) == getattr(det, table).height if table != "tracks" else len(gdf) > 0
    again = export(det, tmp_path / "again", fmt=fmt, tables=["dark_transits"])
    assert again[0].read_bytes() == (tmp_path / f"dark_transits.{fmt}").read_bytes()


def test_unknown_format_or_table(det, tmp_path):
    with pytest.raises(InputError, match="format"):
        export(det, tmp_path, fmt="shp")
    with pytest.raises(InputError, match="table"):
        export(det, tmp_path, fmt="kml", tables=["nope"])
