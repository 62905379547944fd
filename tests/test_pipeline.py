"""The Python API mirrors the CLI: shipwatch.detect returns DataFrames; stages work alone."""

import polars as pl

import shipwatch
from conftest import shuttle
from shipwatch.gaps import find_gaps
from shipwatch.port_labels import label_ports
from shipwatch.ports import load_ports
from shipwatch.tracks import clean_tracks


def test_public_api_detect_returns_dataframes(t0):
    res = shipwatch.detect(shuttle(t0))
    for table in (res.port_visits, res.gaps, res.dark_transits, res.sightings, res.monthly_summary):
        assert isinstance(table, pl.DataFrame)
    assert res.dark_transits["evidence"].to_list() == ["probable"]
    assert set(shipwatch.__all__) >= {"detect", "run", "ingest", "Settings"}


def test_stages_compose_by_hand_like_detect(t0):
    ports = load_ports()
    tracks, _ = clean_tracks(shuttle(t0))
    gaps = find_gaps(label_ports(tracks, ports=ports))
    assert gaps.drop("vessel_name").equals(shipwatch.detect(shuttle(t0)).gaps.drop("vessel_name"))


def test_empty_input_gives_empty_tables():
    from shipwatch import schema

    res = shipwatch.detect(schema.empty())
    assert res.gaps.height == res.dark_transits.height == res.port_visits.height == 0
    assert res.monthly_summary.height == 0


def test_since_until_keep_results_by_start_and_see_across_boundaries(t0):
    from datetime import timedelta

    full = shipwatch.detect(shuttle(t0))
    dark_start = full.dark_transits["dark_start"][0]
    # a period ending during the silence still sees the whole transit (context beyond --until)
    before = shipwatch.detect(shuttle(t0), until=dark_start + timedelta(hours=1))
    assert before.dark_transits.select("dark_start", "dark_end").equals(
        full.dark_transits.select("dark_start", "dark_end")
    )
    # a period starting during the silence does not report a transit that began before it
    after = shipwatch.detect(shuttle(t0), since=dark_start + timedelta(hours=1))
    assert after.dark_transits.height == 0
    assert (after.gaps["start_time"] >= dark_start + timedelta(hours=1)).all()
