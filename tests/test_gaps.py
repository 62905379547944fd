from datetime import timedelta

import polars as pl

from conftest import DUNAI_PIER, OFF_DUNAI, OPEN_SEA, TrackBuilder
from shipwatch.gaps import find_gaps
from shipwatch.port_labels import label_ports
from shipwatch.ports import load_ports
from shipwatch.settings import GapSettings
from shipwatch.tracks import clean_tracks

PORTS = load_ports()


def _gaps(df, **kw):
    tracks, _ = clean_tracks(df)
    return find_gaps(label_ports(tracks, ports=PORTS), **kw)


def test_gap_fields(t0):
    df = TrackBuilder(273000001, t0).at(DUNAI_PIER).dwell(12).sail(OPEN_SEA, 10).dark(30).dwell(2).frame()
    g = _gaps(df)
    assert g.height == 1
    r = g.row(0, named=True)
    assert abs(r["hours"] - 30) < 0.01 and not r["open"]
    assert r["start_lat"] == r["end_lat"] and r["distance_km"] == 0.0
    assert r["start_port"] is None
    for h in (6, 12, 24):
        window = df.filter(
            pl.col("timestamp").is_between(r["start_time"] - timedelta(hours=h), r["start_time"])
        )
        assert r[f"positions_{h}h_before"] == window.height


def test_threshold_is_exclusive_like_gfw_and_configurable(t0):
    # GFW counts silences longer than the threshold: exactly 6 h is no gap, 6 h 6 min is one
    df = (
        TrackBuilder(273000001, t0)
        .at(OPEN_SEA)
        .dwell(1)
        .dark(6)
        .dwell(1)
        .dark(5.9)
        .dwell(1)
        .dark(6.1)
        .dwell(1)
    ).frame()
    assert _gaps(df).height == 1
    assert _gaps(df, settings=GapSettings(min_hours=5.5)).height == 3


def test_open_gap_at_end_of_data(t0):
    a = TrackBuilder(273000001, t0).at(OPEN_SEA).dwell(2).frame()
    b = TrackBuilder(273000002, t0).at(DUNAI_PIER).dwell(20).frame()
    g = _gaps(pl.concat([a, b]))
    assert g.height == 1
    r = g.row(0, named=True)
    assert r["open"] and r["mmsi"] == 273000001 and r["end_time"] is None and abs(r["hours"] - 18) < 0.01


def test_coverage_counts_other_vessels_heard_near_the_ends(t0):
    silent = TrackBuilder(273000001, t0).at(OFF_DUNAI).dwell(1).dark(24).dwell(1).frame()
    near = [
        TrackBuilder(273000100 + i, t0 + timedelta(hours=5)).at((132.36 + i * 0.01, 42.81)).dwell(3).frame()
        for i in range(3)
    ]
    far = TrackBuilder(273000200, t0 + timedelta(hours=5)).at((129.04, 35.10)).dwell(3).frame()
    g = _gaps(pl.concat([silent, *near, far]))
    assert g.filter(pl.col("mmsi") == 273000001)["coverage_vessels"][0] == 3


def test_shared_mmsi_makes_no_gap(t0):
    a = TrackBuilder(273000009, t0).at(DUNAI_PIER).dwell(48, step_min=20).frame()
    # ship B on the same MMSI, far away, silent for 12 h in the middle
    b1 = TrackBuilder(273000009, t0 + timedelta(minutes=7)).at((129.04, 35.10)).dwell(10, step_min=20).frame()
    b2 = TrackBuilder(273000009, t0 + timedelta(hours=24)).at((129.04, 35.10)).dwell(24, step_min=20).frame()
    assert _gaps(pl.concat([a, b1, b2])).height == 0


def test_coverage_is_the_same_however_the_runs_are_chunked_or_split(t0):
    # a crowded anchorage over three days: many silent vessels and many heard ones in the same cells,
    # a vessel heard twice in one cell (two runs), and runs given as one table or per bucket of vessels
    from shipwatch.gaps import coverage, presence_runs

    frames = [
        TrackBuilder(273000001 + i, t0 + timedelta(hours=i)).at((132.36 + i * 0.002, 42.81)).dwell(1).dark(20 + i)
        .dwell(1).frame()
        for i in range(12)
    ]
    frames += [
        TrackBuilder(273000500 + i, t0 + timedelta(hours=3 * i)).at((132.37, 42.80 + i * 0.002)).dwell(2).dark(7)
        .dwell(2).frame()
        for i in range(15)
    ]
    tracks, _ = clean_tracks(pl.concat(frames))
    labelled = label_ports(tracks, ports=PORTS)
    g = find_gaps(labelled, with_coverage=False)
    runs = presence_runs(labelled)
    whole = coverage(g, runs)
    assert whole.sum() > 0 and whole.n_unique() > 1  # something to compare
    assert whole.to_list() == _coverage_by_hand(g, runs)
    for rows in (1, 7, 50):
        assert coverage(g, runs, chunk_rows=rows).to_list() == whole.to_list()
    odd = pl.col("mmsi") % 2 == 1
    assert coverage(g, [runs.filter(odd), runs.filter(~odd)], chunk_rows=5).to_list() == whole.to_list()


def _coverage_by_hand(gaps, runs):
    """Distinct other MMSIs with a run in the 3x3 cells around either end, overlapping the gap (a loop)."""
    from shipwatch.gaps import _cells
    from shipwatch.settings import GapSettings

    r = GapSettings().coverage_radius_km
    out = []
    for g in gaps.iter_rows(named=True):
        ga = int(g["start_time"].timestamp())
        gb = int((g["end_time"] or g["start_time"] + timedelta(hours=g["hours"])).timestamp())
        seen = set()
        for lat, lon in ((g["start_lat"], g["start_lon"]), (g["end_lat"], g["end_lon"])):
            if lat is None:
                continue
            cx, cy = (pl.select(e).item() for e in _cells(pl.lit(lat), pl.lit(lon), r))
            near = runs.filter(
                ((pl.col("cx") - cx).abs() <= 1) & ((pl.col("cy") - cy).abs() <= 1)
                & (pl.col("a") <= gb) & (pl.col("b") >= ga) & (pl.col("mmsi") != g["mmsi"])
            )
            seen |= set(near["mmsi"].to_list())
        out.append(len(seen))
    return out
