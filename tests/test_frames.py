"""detect() and the stages accept polars, pandas, GeoPandas and Arrow tables, through one entry check."""

from __future__ import annotations

import geopandas as gpd
import polars as pl
import pytest

import shipwatch
from shipwatch import resources
from shipwatch.errors import InputError
from shipwatch.frames import as_positions
from shipwatch.ingest import load_positions
from shipwatch.tables import CSV_FILES


@pytest.fixture(scope="module")
def positions() -> pl.DataFrame:
    """Sixty days of the bundled sample (Aug–Sep 2023), as the polars path reads them."""
    days = sorted(resources.SAMPLE_DIR.glob("AIS_2023_0[89]_*.csv.gz"))
    df, _ = load_positions(days)
    return df


@pytest.fixture(scope="module")
def expected(positions):
    return shipwatch.detect(positions)


def _same(a, b) -> None:
    for name in CSV_FILES:
        assert getattr(a, name).equals(getattr(b, name)), name


def test_pandas_input_gives_the_polars_results(positions, expected):
    assert expected.dark_transits.height > 0
    _same(shipwatch.detect(positions.to_pandas()), expected)


def test_geodataframe_input_gives_the_polars_results(positions, expected):
    pdf = positions.drop("lat", "lon").to_pandas()
    gdf = gpd.GeoDataFrame(pdf, geometry=gpd.points_from_xy(positions["lon"], positions["lat"]), crs=4326)
    _same(shipwatch.detect(gdf), expected)


def test_arrow_and_lazy_input_give_the_polars_results(positions, expected):
    _same(shipwatch.detect(positions.to_arrow()), expected)
    _same(shipwatch.detect(positions.lazy()), expected)


def test_a_geodataframe_in_another_crs_is_refused():
    gdf = gpd.GeoDataFrame(
        {"mmsi": [273000001], "timestamp": pd_times(["2023-10-01T00:00:00Z"])},
        geometry=gpd.points_from_xy([14_500_000.0], [5_200_000.0]),
        crs=3857,
    )
    with pytest.raises(InputError, match=r"EPSG:3857.*use gdf.to_crs\(4326\)"):
        shipwatch.detect(gdf)


def test_missing_columns_say_what_was_received_and_what_is_needed():
    import pandas as pd

    df = pd.DataFrame({"MMSI": [1], "time": ["2023-10-01"], "y": [42.0], "x": [130.0]})
    with pytest.raises(
        InputError,
        match=r"lack column\(s\) mmsi, timestamp, lat, lon: got a table with columns \[MMSI, time, y, x\]",
    ):
        shipwatch.detect(df)


def test_something_that_is_no_table_is_refused():
    with pytest.raises(
        InputError,
        match=r"should be a polars, pandas or GeoPandas DataFrame or a pyarrow Table, got builtins.list",
    ):
        shipwatch.detect([1, 2, 3])


def test_naive_and_text_times_are_utc():
    import pandas as pd

    naive = pd.DataFrame(
        {
            "mmsi": [273000001],
            "timestamp": pd.to_datetime(["2023-10-01 02:00"]),
            "lat": [42.0],
            "lon": [131.0],
        }
    )
    text = naive.assign(timestamp=["2023-10-01T04:00:00+02:00"])
    a, b = as_positions(naive), as_positions(text)
    assert a["timestamp"].dtype == pl.Datetime("us", "UTC")
    assert a["timestamp"].equals(b["timestamp"])
    with pytest.raises(InputError, match=r"not ISO 8601 times, e\.g\. 'yesterday'"):
        as_positions(naive.assign(timestamp=["yesterday"]))


def pd_times(values):
    import pandas as pd

    return pd.to_datetime(values, utc=True)
