from datetime import timedelta

import polars as pl

from conftest import DUNAI_PIER, OPEN_SEA, TrackBuilder
from shipwatch.settings import TrackSettings
from shipwatch.tables import IDENTITY, SHARED
from shipwatch.tracks import clean_tracks


def test_sorts_and_removes_a_single_teleport(t0):
    df = TrackBuilder(273000001, t0).at(DUNAI_PIER).dwell(2).sail(OPEN_SEA, 10).frame()
    # one corrupt fix 3,000 km away in the middle of the track (like the Solent file's fix at 54.8 E)
    bad = df.slice(10, 1).with_columns(pl.lit(54.8).alias("lon"), pl.lit(30.0).alias("lat"))
    mixed = pl.concat([df.slice(0, 10), bad, df.slice(11)]).reverse()  # unsorted
    out, stats = clean_tracks(mixed)
    assert stats.teleports_removed == 1
    assert out.height == df.height - 1
    assert out["timestamp"].is_sorted()
    assert out["lon"].max() < 140
    assert not out[SHARED].any()


def test_teleport_at_track_start_is_removed(t0):
    df = TrackBuilder(273000001, t0).at(DUNAI_PIER).dwell(3).frame()
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(10.0).otherwise(pl.col("lat")).alias("lat")
    )
    out, stats = clean_tracks(df)
    assert stats.teleports_removed == 1 and out["lat"].min() > 40


def test_fast_but_possible_motion_is_kept(t0):
    df = TrackBuilder(273000001, t0).at(DUNAI_PIER).sail(OPEN_SEA, 30).frame()
    out, stats = clean_tracks(df)
    assert stats.teleports_removed == 0 and out.height == df.height


def test_shared_mmsi_is_flagged_and_split(t0):
    a = TrackBuilder(273000009, t0, name="A").at(DUNAI_PIER).dwell(48, step_min=20).frame()
    b = (
        TrackBuilder(273000009, t0 + timedelta(minutes=7), name="B")
        .at((129.04, 35.10))
        .dwell(48, step_min=20)
        .frame()
    )
    out, stats = clean_tracks(pl.concat([a, b]))
    assert stats.shared_mmsis == [273000009]
    assert out[SHARED].all()
    # the two ships get two identities, each spatially coherent
    ids = out.group_by(IDENTITY).agg(
        pl.col("lat").min().alias("lo"), pl.col("lat").max().alias("hi"), pl.len()
    )
    assert ids.height == 2
    assert (ids["hi"] - ids["lo"]).max() < 0.01


def test_thresholds_are_parameters(t0):
    df = TrackBuilder(273000001, t0).at(DUNAI_PIER).sail(OPEN_SEA, 30).frame()
    _, stats = clean_tracks(df, settings=TrackSettings(max_speed_kn=20, shared_mmsi_min_jumps=1000))
    assert stats.teleports_removed == 0  # every step is "impossible" -> no isolated spike


def test_sparse_second_ship_is_shared_not_teleports(t0):
    # ship A reports every 10 min, ship B on the same MMSI only every 2 h, 700 km away
    a = TrackBuilder(273000009, t0, name="A").at(DUNAI_PIER).dwell(24, step_min=10).frame()
    b = (
        TrackBuilder(273000009, t0 + timedelta(minutes=3), name="B")
        .at((129.04, 35.10))
        .dwell(24, step_min=120)
        .frame()
    )
    out, stats = clean_tracks(pl.concat([a, b]))
    assert stats.teleports_removed == 0
    assert stats.shared_mmsis == [273000009]
    assert out.height == a.height + b.height


def test_glitches_months_apart_do_not_make_one_long_shared_window(t0):
    track = TrackBuilder(273000001, t0).at(OPEN_SEA).dwell(24 * 120, step_min=240).frame()
    glitch_rows = [5, 6, 600, 601]  # two 2-fix glitches, ~100 days apart: four impossible jumps
    df = track.with_columns(
        pl.when(pl.int_range(pl.len()).is_in(glitch_rows)).then(30.0).otherwise(pl.col("lat")).alias("lat")
    )
    out, _ = clean_tracks(df)
    assert out.filter(pl.col(SHARED)).height < 20
