"""Simulated satellite imagery sightings: pass times, measurement noise, the sightings table.

A sighting is one vessel detected in one image: time, position and measured length. Optical
passes over the area fall around 00:30-03:30 UTC (late morning local time); radar passes near
08:50-09:10 and 20:50-21:10 UTC. Lengths are measured within ±4 m, positions within ~30 m.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from shipwatch.geo import haversine_km
from sim.tracks import DAY, HOUR, LonLat, offset_m

SIGHTING_SCHEMA = pl.Schema(
    {
        "sighting_id": pl.String(),
        "observed_at": pl.Datetime("us", "UTC"),
        "lat": pl.Float64(),
        "lon": pl.Float64(),
        "length_m": pl.Float64(),
        "source": pl.String(),
    }
)
OPTICAL = "simulated optical (PlanetScope-like, 3 m)"
RADAR = "simulated SAR (Sentinel-1-like, 10 m)"


@dataclass
class Sighting:
    """One simulated detection and, for the truth tables, what it really is."""

    t: float  # epoch seconds, whole minutes
    lon: float
    lat: float
    length_m: float
    source: str
    kind: str  # najin_shuttle | najin_other | aisless_call | ais_vessel
    ref: str = ""  # event id of the truth it belongs to
    mmsi: int | None = None
    true_length_m: float = 0.0
    sighting_id: str = ""


def pass_time(day_start: float, rng: np.random.Generator) -> tuple[float, str]:
    """A satellite pass on the UTC day starting at ``day_start`` (epoch s): (time, source)."""
    if rng.random() < 0.6:
        t = day_start + rng.uniform(0.5, 3.5) * HOUR
        src = OPTICAL
    else:
        t = day_start + (rng.choice([8.83, 20.83]) + rng.uniform(0, 0.33)) * HOUR
        src = RADAR
    return float(np.floor(t / 60.0) * 60.0), src


def passes_between(start: float, end: float, rng: np.random.Generator) -> list[tuple[float, str]]:
    """The passes (time, source) of each UTC day that fall inside [start, end)."""
    out = []
    day = np.floor(start / DAY) * DAY
    while day < end:
        t, src = pass_time(day, rng)
        if start <= t < end:
            out.append((t, src))
        day += DAY
    return out


def observe(
    t: float,
    spot: LonLat,
    length_m: float,
    source: str,
    kind: str,
    rng: np.random.Generator,
    *,
    ref: str = "",
    mmsi: int | None = None,
    position_sigma_m: float = 20.0,
) -> Sighting:
    """A sighting of a vessel of true ``length_m`` at ``spot`` at time ``t``, with measurement noise."""
    lon, lat = offset_m(
        np.array([spot[0]]),
        np.array([spot[1]]),
        rng.normal(0, position_sigma_m, 1),
        rng.normal(0, position_sigma_m, 1),
    )
    measured = float(np.round(length_m + rng.uniform(-4, 4)))
    return Sighting(
        t,
        round(float(lon[0]), 5),
        round(float(lat[0]), 5),
        measured,
        source,
        kind,
        ref,
        mmsi,
        float(length_m),
    )


def nearest_ais_km(
    t: float,
    spot: LonLat,
    times: NDArray[np.float64],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    *,
    window_s: float = 3 * HOUR,
) -> float:
    """Distance (km) from ``spot`` to the nearest AIS report within ``window_s`` of ``t`` (inf if none).

    ``times`` must be sorted ascending (epoch seconds).
    """
    a, b = np.searchsorted(times, [t - window_s, t + window_s])
    if b <= a:
        return float("inf")
    return float(haversine_km(spot[1], spot[0], lat[a:b], lon[a:b]).min())


def number_sightings(sightings: list[Sighting], prefix: str = "S") -> list[Sighting]:
    """Sort by time (then position) and give each its id ``S001``, ``S002``, ..."""
    ordered = sorted(sightings, key=lambda s: (s.t, s.lon, s.lat))
    width = max(3, len(str(len(ordered))))
    for i, s in enumerate(ordered, start=1):
        s.sighting_id = f"{prefix}{i:0{width}d}"
    return ordered


def sightings_frame(sightings: list[Sighting]) -> pl.DataFrame:
    """The public sightings table (as in ``sightings.csv``), time-ordered; ids must be set."""
    return pl.DataFrame(
        {
            "sighting_id": [s.sighting_id for s in sightings],
            "observed_at": pl.Series([round(s.t) * 1_000_000 for s in sightings], dtype=pl.Int64)
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone("UTC"),
            "lat": [s.lat for s in sightings],
            "lon": [s.lon for s in sightings],
            "length_m": [s.length_m for s in sightings],
            "source": [s.source for s in sightings],
        },
        schema=SIGHTING_SCHEMA,
    )


def sighting_truth_frame(sightings: list[Sighting]) -> pl.DataFrame:
    """What each sighting really is: id, kind, event ref, MMSI (null when AIS-less), true length."""
    return pl.DataFrame(
        {
            "sighting_id": [s.sighting_id for s in sightings],
            "kind": [s.kind for s in sightings],
            "ref": [s.ref for s in sightings],
            "mmsi": pl.Series([s.mmsi for s in sightings], dtype=pl.Int64),
            "true_length_m": [s.true_length_m for s in sightings],
        },
        schema={
            "sighting_id": pl.String,
            "kind": pl.String,
            "ref": pl.String,
            "mmsi": pl.Int64,
            "true_length_m": pl.Float64,
        },
    )


def write_sightings_csv(df: pl.DataFrame) -> str:
    """``sightings.csv`` text: ``observed_at`` as ``YYYY-MM-DDTHH:MM:SSZ``, lengths as whole metres."""
    return df.select(
        "sighting_id",
        pl.col("observed_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("lat").round(5).cast(pl.String),
        pl.col("lon").round(5).cast(pl.String),
        pl.col("length_m").round(0).cast(pl.Int64),
        "source",
    ).write_csv(line_terminator="\n")
