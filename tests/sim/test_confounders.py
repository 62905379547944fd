"""Theatres that hold the confounders of domain.md §5: each behaves as documented and its truth is right."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl
import pytest
import shapely

from shipwatch.geo import KM_PER_NM, haversine_km
from sim.places import OUTER_ANCHORAGES, port_map
from sim.theatres import make_theatre

SEEDS = [0, 1, 2]
PORTS = port_map()


def _around(th, mmsi: int, start: datetime, end: datetime) -> tuple[dict, dict]:
    """The last report of ``mmsi`` before ``start`` and its first at or after ``end``."""
    own = th.positions.filter(pl.col("mmsi") == mmsi).sort("timestamp")
    before = own.filter(pl.col("timestamp") < start).tail(1)
    after = own.filter(pl.col("timestamp") >= end).head(1)
    assert before.height == 1 and after.height == 1
    return before.row(0, named=True), after.row(0, named=True)


def _inside(port: str, row: dict) -> bool:
    return bool(shapely.contains_xy(PORTS[port].geometry, row["lon"], row["lat"]))


def _nm_from(port: str, row: dict) -> float:
    return float(PORTS[port].distance_km(np.array([row["lat"]]), np.array([row["lon"]]))[0]) / KM_PER_NM


def _km(a: dict, b: dict) -> float:
    return float(haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]))


def _no_one_at_najin(th) -> None:
    pos = th.positions
    inside = shapely.contains_xy(PORTS["Najin"].geometry, pos["lon"].to_numpy(), pos["lat"].to_numpy())
    visible = set(th.truth.filter(~pl.col("dark"))["mmsi"].to_list())
    assert set(pos.filter(pl.Series(inside))["mmsi"].to_list()) <= visible


@pytest.mark.parametrize("seed", SEEDS)
def test_anchorage_wait_is_silent_at_one_spot_outside_the_port(seed: int) -> None:
    th = make_theatre("anchorage_wait", seed=seed)
    assert th.truth.height == 0
    _no_one_at_najin(th)
    waits = th.events.filter(pl.col("kind") == "anchorage_wait")
    assert waits.height >= 2 and set(waits["port"].to_list()) == {"Dunai", "Vostochny"}
    hours = (waits["end"] - waits["start"]).dt.total_seconds() / 3600
    assert hours.is_between(48, 120).all()
    for ev in waits.iter_rows(named=True):
        before, after = _around(th, ev["mmsi"], ev["start"], ev["end"])
        assert _km(before, after) < 0.3  # reappears where it went silent
        for row in (before, after):
            assert row["nav_status"] == 1 and row["sog"] < 1
            assert not any(_inside(p, row) for p in PORTS)  # at sea, in no port outline
            assert 1.0 < _nm_from(ev["port"], row) < 8.0  # a few nm out
        assert min(_km(before, {"lon": x, "lat": y}) for x, y in OUTER_ANCHORAGES[ev["port"]]) < 0.3


@pytest.mark.parametrize("seed", SEEDS)
def test_layup_is_silent_alongside_and_never_moves(seed: int) -> None:
    th = make_theatre("layup", seed=seed)
    assert th.truth.height == 0
    _no_one_at_najin(th)
    layups = th.events.filter(pl.col("kind") == "layup")
    assert layups.height >= 2 and set(layups["port"].to_list()) <= {"Dunai", "Vostochny"}
    assert ((layups["end"] - layups["start"]).dt.total_seconds() / 86400 >= 2).all()
    for ev in layups.iter_rows(named=True):
        before, after = _around(th, ev["mmsi"], ev["start"], ev["end"])
        assert _km(before, after) < 0.1
        assert _inside(ev["port"], before) and _inside(ev["port"], after)
        assert before["nav_status"] == after["nav_status"] == 5


def _check_calls(th, expect: set[str], *, sea_nm: float = 15.5) -> None:
    """Every true dark call: off before the Najin call and on after it, where the truth says.

    ``sea_nm``: how far out at most the last report before (first after) an AIS switch at sea lies.
    """
    calls = th.truth.filter(pl.col("dark"))
    assert calls.height >= 2
    assert set(calls["pattern"].to_list()) <= expect
    off_events = th.events.filter(pl.col("kind") == "ais_off")
    for call in calls.iter_rows(named=True):
        assert call["ais_off"] < call["call_start"] < call["call_end"] < call["ais_on"]
        assert (
            off_events.filter(
                (pl.col("mmsi") == call["mmsi"])
                & (pl.col("start") == call["ais_off"])
                & (pl.col("end") == call["ais_on"])
            ).height
            == 1
        )
        before, after = _around(th, call["mmsi"], call["ais_off"], call["ais_on"])
        for row, port, where in (
            (before, call["from_port"], call["off_where"]),
            (after, call["to_port"], call["on_where"]),
        ):
            if where == "berth":
                assert _inside(port, row) and row["sog"] < 1, call
            else:
                assert not _inside(port, row) and 0.2 < _nm_from(port, row) < sea_nm, call


@pytest.mark.parametrize("seed", SEEDS)
def test_berth_switch_goes_dark_at_one_berth_and_returns_at_the_other(seed: int) -> None:
    th = make_theatre("shuttle_berth_switch", seed=seed)
    _no_one_at_najin(th)
    _check_calls(th, {"berth_switch"})
    calls = th.truth.filter(pl.col("dark"))
    assert (calls["from_port"] != calls["to_port"]).all()
    assert set(calls["off_where"].to_list()) == set(calls["on_where"].to_list()) == {"berth"}


@pytest.mark.parametrize("seed", SEEDS)
def test_berth_to_sea_shuttles(seed: int) -> None:
    th = make_theatre("shuttle_berth_to_sea", seed=seed, days=45)
    _no_one_at_najin(th)
    _check_calls(th, {"berth_to_sea", "sea_to_berth"})
    calls = th.truth.filter(pl.col("dark"))
    assert ((calls["off_where"] == "berth") != (calls["on_where"] == "berth")).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_twin_image_shows_both_shuttles_in_one_pass(seed: int) -> None:
    th = make_theatre("twin_image", seed=seed)
    _no_one_at_najin(th)
    _check_calls(th, {"twin"}, sea_nm=60)  # off 1-4 h after leaving, on 1-4 h before arriving
    seen = th.sightings.join(th.sighting_truth, on="sighting_id")
    groups = seen.group_by("observed_at").agg(
        pl.len().alias("n"),
        pl.col("mmsi").n_unique().alias("ships"),
        pl.col("source").n_unique().alias("sources"),
    )
    assert groups.height >= 2
    assert (groups["n"] == 2).all() and (groups["ships"] == 2).all() and (groups["sources"] == 1).all()
    assert (seen["kind"] == "najin_shuttle").all()
    assert ((seen["length_m"] - seen["true_length_m"]).abs() <= 5).all()
    assert seen["true_length_m"].max() - seen["true_length_m"].min() >= 10  # lengths tell them apart
    najin = PORTS["Najin"].geometry
    assert shapely.contains_xy(najin, seen["lon"].to_numpy(), seen["lat"].to_numpy()).all()
    calls = th.truth.select("mmsi", "call_start", "call_end")
    inside = seen.join(calls, on="mmsi").filter(pl.col("observed_at").is_between("call_start", "call_end"))
    assert inside.select("sighting_id").n_unique() == seen.height


def test_confounders_hold_every_behaviour() -> None:
    th = make_theatre("confounders", seed=4, days=40)
    _no_one_at_najin(th)
    patterns = set(th.truth["pattern"].to_list())
    assert {"shuttle", "berth_switch", "twin"} <= patterns
    assert patterns & {"berth_to_sea", "sea_to_berth"}
    kinds = set(th.events["kind"].to_list())
    assert {"ais_off", "anchorage_wait", "layup", "silent_berth", "shared_mmsi", "reception"} <= kinds
    assert th.positions["mmsi"].n_unique() >= 20
    dark = th.truth.filter(pl.col("dark"))
    # every dark call is one ais_off event of its ship (fishing boats' dark spells are ais_off too)
    joined = dark.join(
        th.events.filter(pl.col("kind") == "ais_off"), left_on=["mmsi", "ais_off"], right_on=["mmsi", "start"]
    )
    assert joined.height == dark.height
