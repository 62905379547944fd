"""Shared fixtures: where the real AIS files are, and small builders."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_AIS = ROOT.parent / "shared" / "real_ais"
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def real_ais() -> Path:
    """The folder of real public AIS files; tests using it skip cleanly when it is absent."""
    if not REAL_AIS.is_dir():
        pytest.skip(f"real AIS files not found at {REAL_AIS}")
    return REAL_AIS


def real_file(rel: str) -> Path:
    """One real AIS file by path relative to ``real_ais``; skips the test when it is absent."""
    path = REAL_AIS / rel
    if not path.exists():
        pytest.skip(f"real AIS file not found: {path}")
    return path


# --- builders for small detection fixtures ----------------------------------------------------

NAJIN_PIER = (130.2867, 42.2300)  # (lon, lat)
DUNAI_PIER = (132.3570, 42.8975)
VOSTOCHNY_BERTH = (133.0695, 42.7520)
OFF_DUNAI = (132.36, 42.80)
OPEN_SEA = (132.0, 42.6)


class TrackBuilder:
    """Builds one vessel's canonical positions leg by leg (positions every ``step_min`` minutes)."""

    def __init__(self, mmsi: int, start, *, name: str = "TEST SHIP", length_m: float | None = 120.0):
        self.mmsi, self.t, self.name, self.length = mmsi, start, name, length_m
        self.rows: list[tuple] = []
        self.pos: tuple[float, float] | None = None

    def at(self, pos: tuple[float, float]) -> TrackBuilder:
        self.pos = pos
        return self

    def dwell(self, hours: float, *, step_min: float = 30) -> TrackBuilder:
        from datetime import timedelta

        n = int(hours * 60 / step_min)
        for i in range(n + 1):
            self.rows.append((self.t + timedelta(minutes=step_min * i), self.pos[1], self.pos[0], 0.1))
        self.t += timedelta(hours=hours)
        return self

    def sail(self, to: tuple[float, float], kn: float, *, step_min: float = 10) -> TrackBuilder:
        from datetime import timedelta

        from shipwatch.geo import haversine_km

        a = self.pos
        hours = float(haversine_km(a[1], a[0], to[1], to[0])) / (kn * 1.852)
        n = max(int(hours * 60 / step_min), 1)
        for i in range(1, n + 1):
            f = i / n
            self.rows.append(
                (
                    self.t + timedelta(hours=hours * f),
                    a[1] + (to[1] - a[1]) * f,
                    a[0] + (to[0] - a[0]) * f,
                    kn,
                )
            )
        self.t += timedelta(hours=hours)
        self.pos = to
        return self

    def dark(self, hours: float, *, then_at: tuple[float, float] | None = None) -> TrackBuilder:
        from datetime import timedelta

        self.t += timedelta(hours=hours)
        if then_at is not None:
            self.pos = then_at
        return self

    def frame(self):
        import polars as pl

        from shipwatch import schema

        df = pl.DataFrame(self.rows, schema=["timestamp", "lat", "lon", "sog"], orient="row").with_columns(
            pl.lit(self.mmsi).alias("mmsi"),
            pl.lit(self.name).alias("vessel_name"),
            pl.lit(self.length).alias("length_m"),
            pl.lit(f"built-{self.mmsi}").alias("source_file"),
            pl.int_range(1, pl.len() + 1).alias("source_row"),
        )
        return schema.conform(df)


@pytest.fixture
def t0():
    from datetime import UTC, datetime

    return datetime(2023, 9, 1, tzinfo=UTC)


def shuttle(
    start,
    *,
    mmsi: int = 273000001,
    name: str = "TEST SHIP",
    length_m: float = 120.0,
    dark_hours: float = 72.0,
    back_to: tuple[float, float] = DUNAI_PIER,
):
    """A dark shuttle: a day at Dunai, out to sea, ``dark_hours`` silent, back to ``back_to``, a day there."""
    return (
        TrackBuilder(mmsi, start, name=name, length_m=length_m)
        .at(DUNAI_PIER)
        .dwell(24)
        .sail(OFF_DUNAI, 10)
        .sail(OPEN_SEA, 10)
        .dark(dark_hours)
        .sail(OFF_DUNAI, 10)
        .sail(back_to, 8)
        .dwell(24)
        .frame()
    )
