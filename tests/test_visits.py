from datetime import timedelta

import polars as pl

from conftest import DUNAI_PIER, OFF_DUNAI, VOSTOCHNY_BERTH, TrackBuilder
from shipwatch.port_labels import label_ports
from shipwatch.ports import load_ports
from shipwatch.tables import PORT
from shipwatch.tracks import clean_tracks
from shipwatch.visits import port_visits

PORTS = load_ports()


def _visits(df):
    tracks, _ = clean_tracks(df)
    return port_visits(label_ports(tracks, ports=PORTS), ports=PORTS)


def test_visit_with_entry_stop_exit_has_confidence_4(t0):
    df = TrackBuilder(273000001, t0).at(OFF_DUNAI).sail(DUNAI_PIER, 8).dwell(20).sail(OFF_DUNAI, 8).frame()
    v = _visits(df)
    assert v.height == 1
    row = v.row(0, named=True)
    assert row["port"] == "Dunai" and row["role"] == "destination"
    assert row["stop"] and row["entry_observed"] and row["exit_observed"] and row["confidence"] == 4
    assert 19.5 < row["hours"] < 21.5


def test_hysteresis_ignores_jitter_at_the_boundary(t0):
    ports = {p.name: p for p in PORTS}
    tb = TrackBuilder(273000001, t0).at(VOSTOCHNY_BERTH).dwell(8)
    df = tb.frame()
    # alternate between just inside (0.3 km off the polygon) and 1.0 km off: within exit_km, stays in port
    lat0 = 42.7300 - 0.0027  # ~0.3 km south of the polygon's southern vertex
    rows = []
    for i in range(12):
        rows.append({"lat": lat0 - (0.0063 if i % 2 else 0.0), "lon": 133.0740})
    extra = df.tail(12).with_columns(
        pl.Series("lat", [r["lat"] for r in rows]),
        pl.Series("lon", [r["lon"] for r in rows]),
        (pl.col("timestamp") + timedelta(hours=5)),
    )
    d = ports["Vostochny"].distance_km(extra["lat"].to_numpy(), extra["lon"].to_numpy())
    assert d.min() < 0.5 and d.max() < 1.5
    v = _visits(pl.concat([df, extra]))
    assert v.height == 1 and v["port"][0] == "Vostochny"


def test_in_port_gap_counts_and_no_visit_at_sea(t0):
    df = TrackBuilder(273000001, t0).at(DUNAI_PIER).dwell(2).dark(10).dwell(2).sail(OFF_DUNAI, 8).frame()
    v = _visits(df)
    assert v.height == 1
    assert v["in_port_gap_hours"][0] >= 10
    tracks, _ = clean_tracks(df)
    labelled = label_ports(tracks, ports=PORTS)
    assert labelled.filter(pl.col("lat") < 42.81)[PORT].null_count() > 0


def test_moving_into_another_ports_band_ends_the_first_visit(t0):
    # from the Kozmino terminal to ~1 km off Vostochny: beyond exit_km of Kozmino, in Vostochny's band
    df = (
        TrackBuilder(273000001, t0).at((133.02, 42.716)).dwell(6).sail((133.060, 42.728), 6).dwell(6).frame()
    )
    tracks, _ = clean_tracks(df)
    labelled = label_ports(tracks, ports=PORTS)
    assert labelled[PORT][0] == "Kozmino"
    assert labelled[PORT][-1] is None  # not still "in Kozmino", and not yet in Vostochny
