"""Kinematic building blocks: motion, berth drift, silences, determinism."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl

from shipwatch import schema
from shipwatch.geo import haversine_km
from sim.places import DUNAI_SPOTS, NAJIN_PIER_SPOTS, sea_route
from sim.tracks import DAY, HOUR, MOORED, TrackBuilder, Vessel, bearing_deg, epoch

VESSEL = Vessel(273990001, "TEST", 1000009, "UBAA2", 70, 120.0, 18.0, 7.5)
T0 = epoch(datetime(2023, 9, 1, tzinfo=UTC))


def _voyage(seed: int) -> TrackBuilder:
    tb = TrackBuilder(VESSEL, T0, DUNAI_SPOTS[0], np.random.default_rng(seed))
    tb.dwell(DAY)
    tb.sail([*sea_route("Dunai", "Najin"), NAJIN_PIER_SPOTS["pier1_n"]], 10.5, lateral_m=300)
    tb.dwell(2 * DAY)
    return tb


def test_frame_is_canonical_and_deterministic() -> None:
    a, b = _voyage(7).frame(), _voyage(7).frame()
    assert a.schema == schema.CANONICAL_SCHEMA
    assert a.equals(b)
    assert not a.equals(_voyage(8).frame())
    assert a["vessel_name"].unique().to_list() == ["TEST"] and a["transceiver"].unique().to_list() == ["A"]


def test_sog_and_cog_match_the_motion() -> None:
    df = _voyage(1).frame().filter(pl.col("nav_status") == 0)
    lat, lon = df["lat"].to_numpy(), df["lon"].to_numpy()
    dt_h = np.diff(df["timestamp"].dt.epoch("s").to_numpy()) / HOUR
    implied = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:]) / 1.852 / dt_h
    assert abs(np.median(implied / df["sog"].to_numpy()[:-1]) - 1) < 0.05
    brg = bearing_deg(lon[:-1], lat[:-1], lon[1:], lat[1:])
    diff = np.abs((brg - df["cog"].to_numpy()[:-1] + 180) % 360 - 180)
    assert np.median(diff) < 5
    hd = np.abs((df["heading"].to_numpy() - df["cog"].to_numpy() + 180) % 360 - 180)
    assert np.percentile(hd, 95) < 10
    assert 8 <= np.median(dt_h * 60) <= 25  # minutes between reports under way


def test_dwell_stays_put_and_slow() -> None:
    tb = TrackBuilder(VESSEL, T0, DUNAI_SPOTS[0], np.random.default_rng(3))
    tb.dwell(5 * DAY, status=MOORED)
    df = tb.frame()
    assert df["sog"].max() <= 0.3
    d = haversine_km(DUNAI_SPOTS[0][1], DUNAI_SPOTS[0][0], df["lat"].to_numpy(), df["lon"].to_numpy())
    assert d.max() < 0.06
    assert 80 <= df.height <= 160  # about one report an hour


def test_silence_cuts_reports() -> None:
    tb = _voyage(2)
    tb.silence(T0 + DAY + 2 * HOUR, T0 + 2 * DAY)
    ts = tb.frame()["timestamp"].dt.epoch("s").to_numpy()
    assert not ((ts >= T0 + DAY + 2 * HOUR) & (ts < T0 + 2 * DAY)).any()
    assert len(tb.reports()["t"]) > len(ts)
