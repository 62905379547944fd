"""A theatre written in each public layout reads back through ingest as the theatre's own positions."""

from __future__ import annotations

import polars as pl
import pytest

from shipwatch.ingest import load_positions
from sim.layouts import LAYOUTS, write_positions
from sim.theatres import make_theatre

KEY = ["mmsi", "timestamp", "lat", "lon"]


@pytest.fixture(scope="module")
def theatre():
    # the confounders hold every actor, including two ships broadcasting one MMSI
    return make_theatre("confounders", seed=2, days=12)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_written_layout_is_ingested_with_the_same_positions(theatre, layout: str, tmp_path) -> None:
    paths = write_positions(theatre.positions, tmp_path, layout)
    got, report = load_positions(paths)
    want = theatre.positions.sort(KEY)
    got = got.sort(KEY)
    assert report.rows_accepted == want.height == got.height
    assert (
        report.files[0].dialect == {"marinecadastre": "marinecadastre", "dma": "dma", "nmea": "nmea"}[layout]
    )
    assert got["mmsi"].equals(want["mmsi"]) and got["timestamp"].equals(want["timestamp"])
    for col, tol in [("lat", 1e-5), ("lon", 1e-5), ("sog", 0.11), ("cog", 0.11), ("heading", 1.0)]:
        assert (got[col] - want[col]).abs().max() <= tol, col
    assert got["nav_status"].equals(want["nav_status"])
    assert got["vessel_name"].equals(want["vessel_name"])
    assert (got["length_m"] - want["length_m"]).abs().max() <= 1.0
    assert got["imo"].equals(want["imo"])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_writers_are_deterministic(theatre, layout: str, tmp_path) -> None:
    a = write_positions(theatre.positions, tmp_path / "a", layout)
    b = write_positions(theatre.positions, tmp_path / "b", layout)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))


def test_nmea_lines_carry_their_time_in_a_tag_block(theatre, tmp_path) -> None:
    (path,) = write_positions(theatre.positions.head(50), tmp_path, "nmea")
    lines = path.read_text().splitlines()
    assert all(line.startswith("\\c:") and "\\!AIVDM," in line for line in lines)
    first = int(lines[0][3 : lines[0].index("*")])
    assert first == theatre.positions.head(50)["timestamp"].min().timestamp()


def test_dma_header_and_times(theatre, tmp_path) -> None:
    (path,) = write_positions(theatre.positions.head(5), tmp_path, "dma")
    header, row = path.read_text().splitlines()[:2]
    assert header.startswith("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG")
    assert header.endswith("Destination,ETA,Data source type")
    first = theatre.positions.sort("timestamp", "mmsi").row(0, named=True)
    assert row.startswith(first["timestamp"].strftime("%d/%m/%Y %H:%M:%S") + ",Class A,")


def test_unknown_layout_is_refused(theatre, tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown layout 'kml'"):
        write_positions(pl.DataFrame(), tmp_path, "kml")
