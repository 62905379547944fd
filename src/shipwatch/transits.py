"""Dark transits: gaps during which a vessel could, and likely did, call at a watched port.

For each closed gap and each watched port, the call is *reachable* when the vessel could sail
from its last fix to the port polygon, stay ``min_dwell_hours`` and sail on to its next fix at a
plausible speed: its own under-way speed (a high quantile, with a margin), capped, over the
straight-line distance (a lower bound of the sea distance, so nothing possible is ruled out).

Evidence grades:

``possible``
    reachable only.
``probable``
    reachable, and the vessel's port visits show it leaving a destination-role port just before
    the gap (its last fix already outside any port) or arriving at one just after (its first fix
    still outside), and the gap is no longer than the slowest credible round trip with the longest
    stay.
``confirmed``
    probable, and an imagery sighting at the watched port during the gap matches it and nothing
    else (set by :mod:`shipwatch.sightings`).

A gap that starts or ends inside the watched port is a visible call, never a dark one.
"""

from __future__ import annotations

import polars as pl

from shipwatch import schema as s
from shipwatch.frames import TableLike, to_polars
from shipwatch.geo import KM_PER_NM
from shipwatch.ports import DESTINATION, WATCH, Port
from shipwatch.settings import TransitSettings
from shipwatch.tables import DARK_TRANSITS, TRANSIT_ID, empty, event_id
from shipwatch.times import US_PER_HOUR

POSSIBLE, PROBABLE, CONFIRMED = "possible", "probable", "confirmed"
EVIDENCE = (POSSIBLE, PROBABLE, CONFIRMED)
UNDER_WAY_KN = 3.0

def plausible_speeds(tracks: TableLike, *, settings: TransitSettings | None = None) -> pl.DataFrame:
    """Per MMSI, the speed (knots) it is assumed able to hold: its own, with margin, capped."""
    cfg = settings or TransitSettings()
    tracks = to_polars(tracks, what="tracks")
    own = (
        tracks.lazy()
        .filter(pl.col(s.SOG) >= UNDER_WAY_KN)
        .group_by(s.MMSI)
        .agg(pl.col(s.SOG).quantile(cfg.speed_quantile).alias("_q"), pl.len().alias("_n"))
        .collect()
    )
    return (
        tracks.select(s.MMSI)
        .unique()
        .join(own, on=s.MMSI, how="left")
        .select(
            s.MMSI,
            pl.when(pl.col("_n") >= 10)
            .then(pl.col("_q") * cfg.speed_margin)
            .otherwise(cfg.min_speed_kn)
            .clip(cfg.min_speed_kn, cfg.max_speed_kn)
            .alias("speed_kn"),
        )
    )


def dark_transits(
    gaps: TableLike,
    *,
    visits: TableLike,
    speeds: pl.DataFrame,
    vessels: pl.DataFrame,
    ports: list[Port],
    settings: TransitSettings | None = None,
) -> pl.DataFrame:
    """Candidate dark calls at watched ports, one row per (gap, reachable watched port).

    Parameters
    ----------
    gaps
        From :func:`shipwatch.gaps.find_gaps`.
    visits
        From :func:`shipwatch.visits.port_visits`.
    speeds
        From :func:`plausible_speeds`.
    vessels
        From :func:`shipwatch.visits.vessel_info` (for ``length_m``).
    ports, settings
        The registry and thresholds.
    """
    cfg = settings or TransitSettings()
    gaps, visits = to_polars(gaps, what="gaps"), to_polars(visits, what="visits")
    closed = (
        gaps.filter(~pl.col("open") & (pl.col("hours") <= cfg.max_gap_days * 24))
        .join(speeds, on=s.MMSI, how="left")
        .with_columns(pl.col("speed_kn").fill_null(cfg.min_speed_kn))
    )
    frames = [_for_port(closed, port, cfg) for port in ports if port.role == WATCH]
    if not frames or closed.height == 0:
        return empty(DARK_TRANSITS)
    cand = pl.concat(frames).filter(pl.col("_reachable"))
    cand = _link_visits(cand, visits, {p.name for p in ports if p.role == DESTINATION}, cfg)
    slow = cfg.slow_speed_kn * KM_PER_NM
    fits = (
        pl.col("dark_hours") <= (pl.col("km_to_call") + pl.col("km_from_call")) / slow + cfg.max_dwell_hours
    )
    linked = pl.col("departed_destination") | pl.col("arrived_destination")
    out = cand.with_columns(
        pl.when(linked & fits).then(pl.lit(PROBABLE)).otherwise(pl.lit(POSSIBLE)).alias("evidence"),
        pl.lit(None, pl.String).alias("sighting_ids"),
        pl.col("dark_start").dt.strftime("%Y-%m").alias("month"),
        event_id("DT-", "dark_start", "call_port").alias(TRANSIT_ID),
    ).join(vessels.select(s.MMSI, s.LENGTH_M), on=s.MMSI, how="left")
    return out.sort(["dark_start", s.MMSI, "call_port"]).select(list(DARK_TRANSITS))


def _for_port(gaps: pl.DataFrame, port: Port, cfg: TransitSettings) -> pl.DataFrame:
    d1 = port.distance_km(gaps["start_lat"].to_numpy(), gaps["start_lon"].to_numpy()) * cfg.route_factor
    d2 = port.distance_km(gaps["end_lat"].to_numpy(), gaps["end_lon"].to_numpy()) * cfg.route_factor
    kmh = gaps["speed_kn"].to_numpy() * KM_PER_NM
    needed = (d1 + d2) / kmh + cfg.min_dwell_hours
    visible = (gaps["start_port"] == port.name).fill_null(False) | (gaps["end_port"] == port.name).fill_null(
        False
    )
    reachable = (needed <= gaps["hours"].to_numpy()) & ~visible.to_numpy()
    return gaps.select(
        "gap_id",
        s.MMSI,
        s.VESSEL_NAME,
        pl.col("start_time").alias("dark_start"),
        pl.col("end_time").alias("dark_end"),
        pl.col("hours").alias("dark_hours"),
        "start_port",
        "end_port",
        "start_in_port",
        "end_in_port",
        "speed_kn",
    ).with_columns(
        pl.lit(port.name).alias("call_port"),
        pl.Series("km_to_call", d1),
        pl.Series("km_from_call", d2),
        pl.Series("hours_needed", needed),
        pl.Series("_reachable", reachable),
        (pl.col("dark_start") + pl.duration(microseconds=pl.Series(d1 / kmh * US_PER_HOUR).cast(pl.Int64))).alias(
            "call_window_start"
        ),
        (pl.col("dark_end") - pl.duration(microseconds=pl.Series(d2 / kmh * US_PER_HOUR).cast(pl.Int64))).alias(
            "call_window_end"
        ),
    )


def _link_visits(
    cand: pl.DataFrame, visits: pl.DataFrame, destinations: set[str], cfg: TransitSettings
) -> pl.DataFrame:
    """Attach the port left just before and the port reached just after each gap.

    ``departed_destination`` / ``arrived_destination`` say whether those are destination-role
    ports and the vessel's fix at the gap's end is outside any port (it really left / arrived).
    """
    link = pl.duration(microseconds=int(cfg.link_hours * US_PER_HOUR))
    v = visits.select(s.MMSI, "port", "arrival", "departure")
    before = (
        cand.select("gap_id", s.MMSI, "dark_start")
        .join(v, on=s.MMSI, how="inner")
        .filter(
            (pl.col("departure") <= pl.col("dark_start"))
            & (pl.col("departure") >= pl.col("dark_start") - link)
        )
        .sort("departure")
        .group_by("gap_id", maintain_order=True)
        .agg(pl.col("port").last().alias("departure_port"))
    )
    after = (
        cand.select("gap_id", s.MMSI, "dark_end")
        .join(v, on=s.MMSI, how="inner")
        .filter((pl.col("arrival") >= pl.col("dark_end")) & (pl.col("arrival") <= pl.col("dark_end") + link))
        .sort("arrival")
        .group_by("gap_id", maintain_order=True)
        .agg(pl.col("port").first().alias("arrival_port"))
    )
    dest = list(destinations)
    return (
        cand.join(before, on="gap_id", how="left")
        .join(after, on="gap_id", how="left")
        .with_columns(
            (pl.col("departure_port").is_in(dest).fill_null(False) & ~pl.col("start_in_port")).alias(
                "departed_destination"
            ),
            (pl.col("arrival_port").is_in(dest).fill_null(False) & ~pl.col("end_in_port")).alias(
                "arrived_destination"
            ),
        )
    )


__all__ = ["CONFIRMED", "EVIDENCE", "POSSIBLE", "PROBABLE", "dark_transits", "plausible_speeds"]
