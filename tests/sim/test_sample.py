"""The bundled simulated sample: reproducible bytes, size, and the documented pattern."""

from __future__ import annotations

import gzip
import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import shapely

from shipwatch.geo import haversine_km
from sim.identities import KNOWN_REAL_IMO, KNOWN_REAL_MMSI, imo_is_valid
from sim.marinecadastre import HEADER
from sim.places import port_map
from sim.sample import Sample, build_sample, write_sample

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample_ais"
WINTER = datetime(2023, 12, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample() -> Sample:
    return build_sample()


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    times = ["departure_time", "ais_off", "najin_arrival", "najin_departure", "ais_on", "arrival_time"]
    return pl.read_csv(SAMPLE_DIR / "events.csv", infer_schema_length=0).with_columns(
        pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC") for c in times
    )


@pytest.fixture(scope="module")
def voyages(events: pl.DataFrame) -> pl.DataFrame:
    return events.filter(pl.col("kind") == "shuttle_voyage")


def _port_of(df: pl.DataFrame) -> np.ndarray:
    lon, lat = df["lon"].to_numpy(), df["lat"].to_numpy()
    port = np.full(df.height, "", dtype=object)
    for name, p in port_map().items():
        port[shapely.contains_xy(p.geometry, lon, lat)] = name
    return port


def test_regenerated_sample_is_bit_for_bit_the_committed_one(tmp_path: Path) -> None:
    written = write_sample(tmp_path)
    committed = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.is_file())
    assert sorted(p.name for p in written) == committed
    for path in written:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), (
            f"{path.name} differs; run make sample"
        )


def test_sample_is_under_the_size_budget() -> None:
    size = sum(p.stat().st_size for p in SAMPLE_DIR.iterdir())
    assert size < 15e6


def test_daily_files_have_the_marinecadastre_layout() -> None:
    files = sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
    assert len(files) == 213  # 2023-08-01 .. 2024-02-29
    assert files[0].name == "AIS_2023_08_01.csv.gz" and files[-1].name == "AIS_2024_02_29.csv.gz"
    raw = files[40].read_bytes()
    assert raw[4:8] == b"\0\0\0\0" and not raw[3] & 0x08  # mtime 0, no embedded file name
    lines = gzip.decompress(raw).decode().splitlines()
    assert lines[0] == ",".join(HEADER)
    day = files[40].name[4:14].replace("_", "-")
    stamps = [line.split(",")[1] for line in lines[1:]]
    assert all(re.fullmatch(rf"{day}T\d\d:\d\d:\d\d", s) for s in stamps)
    assert stamps != sorted(stamps)  # like the real files, not strictly time-sorted
    imos = {line.split(",")[8] for line in lines[1:]} - {""}
    assert imos and all(re.fullmatch(r"IMO\d{7}", i) for i in imos)


def test_identities_are_fictitious(sample: Sample) -> None:
    mmsis = sample.positions["mmsi"].unique().to_list()
    assert 30 <= len(mmsis) <= 50
    assert all(100_000_000 <= m <= 999_999_999 for m in mmsis)
    assert not set(mmsis) & KNOWN_REAL_MMSI
    imos = sample.positions["imo"].drop_nulls().unique().to_list()
    assert not set(imos) & KNOWN_REAL_IMO
    assert all(imo_is_valid(i) and i < 5_000_000 for i in imos)


def test_events_table_has_25_dark_najin_calls_aug_to_early_december(voyages: pl.DataFrame) -> None:
    assert voyages.height == 25
    assert voyages["najin_arrival"].min() >= datetime(2023, 8, 20, tzinfo=UTC)
    assert voyages["najin_departure"].max() < datetime(2023, 12, 10, tzinfo=UTC)
    per_month = dict(voyages.group_by(pl.col("najin_arrival").dt.strftime("%Y-%m")).len().iter_rows())
    assert per_month == {"2023-08": 1, "2023-09": 4, "2023-10": 9, "2023-11": 9, "2023-12": 2}
    assert set(voyages["vessel"]) == {"KAMA", "SOFIA", "LADY MILA", "MIRA-1"}
    assert voyages["source"].is_not_null().all()


def test_each_voyage_follows_the_documented_pattern(voyages: pl.DataFrame) -> None:
    h = 3600.0
    off = (voyages["ais_off"] - voyages["departure_time"]).dt.total_seconds() / h
    on = (voyages["arrival_time"] - voyages["ais_on"]).dt.total_seconds() / h
    trip = (voyages["arrival_time"] - voyages["departure_time"]).dt.total_seconds() / (24 * h)
    assert off.is_between(0.9, 4.1).all() and on.is_between(0.9, 4.1).all()
    assert trip.is_between(3.0, 5.0).all()
    assert set(voyages["departure_port"]) | set(voyages["arrival_port"]) <= {"Dunai", "Vostochny"}
    assert voyages["length_m"].cast(pl.Float64).is_between(100, 140).all()


def test_positions_agree_with_the_events(sample: Sample, voyages: pl.DataFrame) -> None:
    pos = sample.positions
    for row in voyages.iter_rows(named=True):
        track = pos.filter(pl.col("mmsi") == int(row["mmsi"]))
        dark = track.filter(pl.col("timestamp").is_between(row["ais_off"], row["ais_on"], closed="left"))
        assert dark.height == 0
        before = track.filter(pl.col("timestamp") < row["ais_off"])["timestamp"].max()
        after = track.filter(pl.col("timestamp") >= row["ais_on"])["timestamp"].min()
        assert (row["ais_off"] - before).total_seconds() < 2 * 3600
        assert (after - row["ais_on"]).total_seconds() < 2 * 3600


def test_positions_only_in_ports_the_plan_visits(sample: Sample) -> None:
    allowed = {
        "shuttle": {"Dunai", "Vostochny", "Nakhodka"},
        "liner": {"Vostochny", "Nakhodka", "Kozmino", "Busan"},
        "harbour craft": {"Nakhodka", "Vostochny", "Kozmino", "Vladivostok"},
        "fishing": {"Posyet", "Zarubino"},
        "coastal trader": {"Nakhodka", "Vostochny", "Slavyanka"},
        "visible Najin caller": {"Najin", "Zarubino", "Busan", "Chongjin"},
        "shared MMSI": set(),
    }
    pos = sample.positions.with_columns(pl.Series("port", _port_of(sample.positions).astype(str)))
    seen = pos.filter(pl.col("port") != "").group_by("vessel_name").agg(pl.col("port").unique())
    roles = dict(sample.vessels.select("vessel", "role").iter_rows())
    for name, ports in seen.iter_rows():
        assert set(ports) <= allowed[roles[name]], (name, ports)


def test_no_najin_activity_in_the_winter_pause(sample: Sample) -> None:
    pos = sample.positions.filter(pl.col("timestamp") >= WINTER)
    assert "Najin" not in set(_port_of(pos))
    s = sample.sightings.filter(pl.col("observed_at") >= WINTER)
    assert "Najin" not in set(_port_of(s))


def test_najin_imagery_covers_40_to_60_percent_of_dark_calls(sample: Sample, voyages: pl.DataFrame) -> None:
    imaged = voyages.filter(pl.col("sighting_ids").is_not_null())
    assert 0.4 <= imaged.height / voyages.height <= 0.6
    sights = sample.sightings
    for row in imaged.iter_rows(named=True):
        for sid in row["sighting_ids"].split(";"):
            s = sights.filter(pl.col("sighting_id") == sid).row(0, named=True)
            assert row["najin_arrival"] < s["observed_at"] < row["najin_departure"]
            assert abs(s["length_m"] - float(row["length_m"])) <= 5


def test_aisless_vostochny_calls_are_imaged_far_from_ais(sample: Sample, events: pl.DataFrame) -> None:
    calls = events.filter(pl.col("kind") == "aisless_call")
    assert calls.height == 19
    pos = sample.positions.sort("timestamp")
    t = pos["timestamp"].dt.epoch("s").to_numpy()
    vost = port_map()["Vostochny"].geometry
    for row in calls.iter_rows(named=True):
        ids = row["sighting_ids"].split(";")
        assert 1 <= len(ids) <= 3
        s = sample.sightings.filter(pl.col("sighting_id").is_in(ids)).sort("observed_at")
        assert shapely.contains_xy(vost, s["lon"].to_numpy(), s["lat"].to_numpy()).all()
        assert (s["length_m"] - float(row["length_m"])).abs().max() <= 5
        days = s["observed_at"].dt.date().to_list()
        assert all((b - a).days == 1 for a, b in itertools.pairwise(days))
        assert haversine_km(s["lat"][0], s["lon"][0], s["lat"].to_numpy(), s["lon"].to_numpy()).max() < 0.2
        for obs in s.iter_rows(named=True):
            ts = obs["observed_at"].timestamp()
            a, b = np.searchsorted(t, [ts - 3 * 3600, ts + 3 * 3600])
            d = haversine_km(obs["lat"], obs["lon"], pos["lat"].to_numpy()[a:b], pos["lon"].to_numpy()[a:b])
            assert d.size == 0 or d.min() >= 2.0


def test_sightings_csv_format() -> None:
    lines = (SAMPLE_DIR / "sightings.csv").read_text().splitlines()
    assert lines[0] == "sighting_id,observed_at,lat,lon,length_m,source"
    assert all(re.match(r"S\d{3},\d{4}-\d\d-\d\dT\d\d:\d\d:00Z,", line) for line in lines[1:])
