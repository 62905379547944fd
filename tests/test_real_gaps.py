"""On real NOAA days, gaps.csv agrees exactly with a plain pandas computation over the same cleaned positions."""

from datetime import timedelta

import pandas as pd
import pytest

from conftest import real_file
from shipwatch.pipeline import detect, load_positions

NOAA = [
    "noaa/AIS_2020_01_01_10pct_mmsi.csv.gz",
    "noaa/AIS_2022_01_03_first99999.csv",
    "noaa/AIS_2023_01_11_sample1000.csv",
]


def pandas_gaps(tracks: pd.DataFrame, hours: float) -> pd.DataFrame:
    """Textbook gap computation: consecutive positions of one MMSI at least ``hours`` apart."""
    t = tracks.sort_values(["mmsi", "timestamp"], kind="stable")
    g = t.groupby("mmsi", sort=False)
    t = t.assign(
        end_time=g["timestamp"].shift(-1),
        end_lat=g["lat"].shift(-1),
        end_lon=g["lon"].shift(-1),
        end_shared=g["shared_mmsi"].shift(-1),
    )
    closed = t[
        (t["end_time"] - t["timestamp"] > timedelta(hours=hours))
        & ~t["shared_mmsi"]
        & ~t["end_shared"].fillna(False).astype(bool)
    ]
    return (
        closed.rename(columns={"timestamp": "start_time", "lat": "start_lat", "lon": "start_lon"})[
            ["mmsi", "start_time", "end_time", "start_lat", "start_lon", "end_lat", "end_lon"]
        ]
        .sort_values(["mmsi", "start_time"])
        .reset_index(drop=True)
    )


@pytest.mark.parametrize("rel", NOAA)
def test_gaps_match_pandas_on_real_noaa(rel):
    path = real_file(rel)
    positions, _ = load_positions([path])
    res = detect(positions)
    cols = ["mmsi", "timestamp", "lat", "lon", "shared_mmsi"]
    expected = pandas_gaps(res.tracks.select(cols).to_pandas(), 6.0)
    ours = (
        res.gaps.filter(~res.gaps["open"])
        .select("mmsi", "start_time", "end_time", "start_lat", "start_lon", "end_lat", "end_lon")
        .to_pandas()
        .sort_values(["mmsi", "start_time"])
        .reset_index(drop=True)
    )
    assert len(ours) == len(expected)
    pd.testing.assert_frame_equal(ours, expected, check_dtype=False)
    # open gaps: silent from the last fix until the end of the day's data for > 6 h
    last = res.tracks.to_pandas().groupby("mmsi").agg(t=("timestamp", "max"), shared=("shared_mmsi", "last"))
    end = res.tracks["timestamp"].max()
    n_open = int(((end - last["t"] > timedelta(hours=6)) & ~last["shared"]).sum())
    assert int(res.gaps["open"].sum()) == n_open
