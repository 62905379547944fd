"""Randomized test theatres: determinism per seed, truth consistent with the positions."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import shapely

from shipwatch import schema
from sim.places import port_map
from sim.theatres import THEATRE_KINDS, make_theatre

SEEDS = [0, 1, 2]
# Kinds whose truth holds Najin calls; every other kind has none.
CALL_KINDS = {
    "shuttles",
    "mixed",
    "shuttle_berth_switch",
    "shuttle_berth_to_sea",
    "twin_image",
    "confounders",
}


@pytest.mark.parametrize("kind", THEATRE_KINDS)
def test_same_seed_same_theatre(kind: str) -> None:
    a, b = make_theatre(kind, seed=5), make_theatre(kind, seed=5)
    for name in ("positions", "sightings", "truth", "sighting_truth", "events"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert not a.positions.equals(make_theatre(kind, seed=6).positions)
    assert a.positions.schema == schema.CANONICAL_SCHEMA


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", THEATRE_KINDS)
def test_truth_agrees_with_positions(kind: str, seed: int) -> None:
    th = make_theatre(kind, seed=seed)
    pos = th.positions
    assert pos.height > 500
    assert pos["timestamp"].min() >= th.start and pos["timestamp"].max() < th.end
    assert pos["mmsi"].is_between(100_000_000, 999_999_999).all()
    najin = port_map()["Najin"].geometry
    in_najin = shapely.contains_xy(najin, pos["lon"].to_numpy(), pos["lat"].to_numpy())
    dark_mmsi = set(th.truth.filter(pl.col("dark"))["mmsi"].to_list())
    visible_mmsi = set(th.truth.filter(~pl.col("dark"))["mmsi"].to_list())
    assert set(pos.filter(pl.Series(in_najin))["mmsi"].to_list()) <= visible_mmsi
    if kind in CALL_KINDS:
        assert len(dark_mmsi) >= 2
        assert (th.truth["call_end"] > th.truth["call_start"]).all()
    else:
        assert th.truth.height == 0


def test_event_durations_match_their_kind() -> None:
    th = make_theatre("mixed", seed=11, days=40)
    ev = th.events.with_columns(((pl.col("end") - pl.col("start")).dt.total_seconds() / 3600).alias("h"))
    silent = ev.filter(pl.col("kind") == "silent_berth")["h"]
    assert silent.len() == 2 and silent.is_between(8, 20).all()
    assert ev.filter(pl.col("kind") == "shared_mmsi")["h"].is_between(24, 5 * 24).all()
    shared = ev.filter(pl.col("kind") == "shared_mmsi").row(0, named=True)
    names = th.positions.filter(
        (pl.col("mmsi") == shared["mmsi"]) & pl.col("timestamp").is_between(shared["start"], shared["end"])
    )["vessel_name"].unique()
    assert names.len() == 2


def test_shuttle_sightings_show_the_ship_at_najin() -> None:
    th = make_theatre("shuttles", seed=3)
    truth = th.sighting_truth.join(th.sightings, on="sighting_id")
    at_najin = truth.filter(pl.col("kind") == "najin_shuttle")
    assert at_najin.height >= 1
    assert (at_najin["length_m"] - at_najin["true_length_m"]).abs().max() <= 5
    najin = port_map()["Najin"].geometry
    assert shapely.contains_xy(najin, at_najin["lon"].to_numpy(), at_najin["lat"].to_numpy()).all()
    assert np.isin(at_najin["mmsi"].to_numpy(), th.truth["mmsi"].to_numpy()).all()


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown theatre kind 'ferries'"):
        make_theatre("ferries", seed=0)
