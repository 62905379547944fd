"""Checks on a run's inputs and results that catch empty or bogus results looking like success.

Each function is pure: the CLI turns what they find into one-line warnings (exit 1) or errors (exit 2);
:mod:`shipwatch.pipeline` may call them too (see docs/readme/hardening.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.errors import InputError
from shipwatch.ports import DESTINATION, WATCH, Port, distance_matrix_km

#: A run whose positions all lie farther than this (km) from every watched and destination port is
#: probably data from another region run against the wrong ports.
NEAR_PORT_KM = 100.0


def check_period(start: datetime | None, end: datetime | None) -> None:
    """Raise :class:`InputError` when ``--since`` is not before ``--until``."""
    if start is not None and end is not None and start >= end:
        raise InputError(
            f"--since {start:%Y-%m-%dT%H:%M:%SZ} is not before --until {end:%Y-%m-%dT%H:%M:%SZ}; "
            "swap them or widen the period"
        )


def no_watch_port(ports: list[Port]) -> str | None:
    """A warning when the registry has no watched port (no dark transit can be found)."""
    if not any(p.role == WATCH for p in ports):
        return "the ports file has no port with role 'watch': no dark transits can be found"
    return None


def far_from_ports(
    positions: pl.DataFrame,
    ports: list[Port],
    *,
    max_km: float = NEAR_PORT_KM,
    none_near_is_far: bool = False,
) -> str | None:
    """A warning when no position lies within ``max_km`` of any watched or destination port.

    ``none_near_is_far``: ``positions`` are only those a prefilter kept (the rest are far), so an empty
    table means every position is far, not that there are none.
    """
    chosen = [p for p in ports if p.role in (WATCH, DESTINATION)]
    if not chosen or (positions.height == 0 and not none_near_is_far):
        return None
    if positions.height:
        d = distance_matrix_km(
            chosen, positions[s.LAT].to_numpy(), positions[s.LON].to_numpy(), max_km=max_km
        )
        if np.isfinite(d).any() and (d <= max_km).any():
            return None
    names = ", ".join(p.name for p in chosen)
    return (
        f"no position within {max_km:g} km of any watched or destination port ({names}): "
        "is this data from another region? pass its ports with --ports"
    )


def sightings_outside(
    sightings: pl.DataFrame, start: datetime | None, end: datetime | None, *, context_days: float = 0.0
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split sightings into those inside the AIS data's time span (± ``context_days``) and those outside.

    A sighting outside it (a mistyped year, say) can match nothing and would stretch the monthly table.
    ``start``/``end`` are the first and last AIS fix (None: no bound). Returns ``(inside, outside)``.
    """
    pad = timedelta(days=context_days)
    keep = pl.lit(True)
    if start is not None:
        keep &= pl.col("observed_at") >= start - pad
    if end is not None:
        keep &= pl.col("observed_at") <= end + pad
    return sightings.filter(keep), sightings.filter(~keep)


def sightings_warning(outside: pl.DataFrame, start: datetime | None, end: datetime | None) -> str | None:
    """The one-line warning for :func:`sightings_outside`'s second table."""
    if outside.height == 0:
        return None
    first = outside.sort("observed_at").row(0, named=True)
    n = outside.height
    return (
        f"{n} sighting{'s' if n != 1 else ''} outside the AIS data's time span "
        f"({start:%Y-%m-%d} to {end:%Y-%m-%d}) left out of matching "
        f"(first: {first['sighting_id']} at {first['observed_at']:%Y-%m-%dT%H:%M:%SZ}); check the years"
    )


def cap_positions(positions: pl.DataFrame, max_per_vessel: int) -> tuple[pl.DataFrame, int]:
    """At most ``max_per_vessel`` positions per vessel (mmsi), thinned evenly in time order, keeping each
    vessel's first and last fix. Returns the positions (sorted by mmsi, timestamp) and how many were dropped.
    """
    if max_per_vessel < 2:
        raise InputError(f"max_positions_per_vessel must be at least 2, got {max_per_vessel}")
    df = positions.sort(s.MMSI, s.TIMESTAMP)
    n = pl.len().over(s.MMSI)
    i = pl.int_range(pl.len()).over(s.MMSI)
    # keep index i when it is the nearest to one of max_per_vessel evenly spaced targets
    step = (n - 1) / (max_per_vessel - 1)
    k = (i / step).floor()
    keep = (n <= max_per_vessel) | (i == n - 1) | ((k * step).ceil() == i)
    out = df.filter(keep)
    return out, df.height - out.height
