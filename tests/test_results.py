"""A run folder reads back into the Detection that detect() returned; GeoDataFrames come out of it."""

from __future__ import annotations

import polars as pl
import pytest
import shapely

import shipwatch
from shipwatch import resources
from shipwatch.errors import InputError
from shipwatch.tables import CSV_FILES


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """The whole bundled sample, detected once into a run folder."""
    out = tmp_path_factory.mktemp("run")
    days = sorted(resources.SAMPLE_DIR.glob("AIS_*.csv.gz"))
    result, _ = shipwatch.run(days, out, sightings=resources.SAMPLE_SIGHTINGS)
    return out, result


def test_read_results_gives_back_the_tables_of_the_run(sample_run):
    out, result = sample_run
    back = shipwatch.read_results(out)
    assert isinstance(back, shipwatch.Detection)
    for name, file in CSV_FILES.items():
        table = getattr(back, name)
        assert table.height == pl.read_csv(out / file, infer_schema=False).height
        assert table.schema == getattr(result, name).schema, name
        # equal up to the 6 decimals and whole seconds the CSVs keep
        rounded = getattr(result, name).with_columns(
            pl.col(pl.Float64).round(6), pl.col(pl.Datetime).dt.truncate("1s")
        )
        assert table.equals(rounded), name
    assert back.tracks.height == result.tracks.height
    assert [p.name for p in back.ports] == [p.name for p in result.ports]
    assert back.settings == result.settings


def test_to_geopandas_round_trips_a_run(sample_run):
    out, _ = sample_run
    layers = shipwatch.read_results(out).to_geopandas()
    assert set(layers) == {
        "positions",
        "tracks",
        "gaps",
        "dark_transits",
        "port_visits",
        "ports",
        "sightings",
    }
    for name, gdf in layers.items():
        assert gdf.crs.to_epsg() == 4326, name
        present = gdf.geometry[gdf.geometry.notna()]
        assert present.is_valid.all(), name
    for name, file in CSV_FILES.items():
        if name in layers:
            assert len(layers[name]) == pl.read_csv(out / file, infer_schema=False).height, name
    gaps = layers["gaps"]
    assert (gaps.geometry.isna() == gaps["open"]).all()  # only open gaps lack a line
    assert set(layers["dark_transits"].geom_type) == {"LineString"}
    assert (shapely.get_num_points(layers["dark_transits"].geometry.values) == 3).all()
    assert str(layers["dark_transits"]["dark_start"].dtype) == "datetime64[us, UTC]"
    assert set(layers["port_visits"].geom_type) <= {"Polygon", "MultiPolygon"}


def test_a_shared_mmsis_ships_are_separate_lines(sample_run):
    out, result = sample_run
    shared = result.stats["cleaning"]["shared_mmsis"]
    assert shared, "the sample has a shared MMSI"
    tracks = shipwatch.read_results(out).to_geopandas()["tracks"]
    mine = tracks[tracks["mmsi"] == shared[0]]
    assert mine["identity"].nunique() >= 2  # the ships behind it are different lines
    positions = result.tracks.filter(pl.col("mmsi") == shared[0])
    # no line joins fixes of two identities: every line's points belong to its own identity
    for identity, group in mine.groupby("identity"):
        own = positions.filter(pl.col("identity") == identity)
        pts = set(zip(own["lon"].to_list(), own["lat"].to_list(), strict=True))
        for line in group.geometry:
            assert set(map(tuple, shapely.get_coordinates(line).tolist())) <= pts


def test_tracks_split_at_gaps(sample_run):
    _, result = sample_run
    tracks = result.to_geopandas()["tracks"]
    min_gap = result.settings.gaps.min_hours
    for line_start, line_end, mmsi in tracks[["start", "end", "mmsi"]].head(50).itertuples(index=False):
        inside = result.gaps.filter(
            (pl.col("mmsi") == mmsi)
            & (pl.col("start_time") >= line_start)
            & (pl.col("end_time") <= line_end)
            & (pl.col("hours") >= min_gap)
        )
        assert inside.height == 0  # a line never spans a gap


def test_to_pandas_keeps_utc_times(sample_run):
    _, result = sample_run
    frames = result.to_pandas()
    assert str(frames["gaps"]["start_time"].dtype) == "datetime64[us, UTC]"
    assert len(frames["dark_transits"]) == result.dark_transits.height


def test_read_results_of_a_folder_that_is_no_run(tmp_path):
    with pytest.raises(InputError, match=r"no run\.json here"):
        shipwatch.read_results(tmp_path)
