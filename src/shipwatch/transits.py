"""Dark transits: gaps during which a vessel could have called at a watched port, with the evidence.

For each closed gap and each watched port, the call is *reachable* when the vessel could sail from its
last fix to the port polygon, stay ``min_dwell_hours`` and sail on to its next fix at a plausible
speed: its own under-way speed (a high quantile, with a margin), capped, over the straight-line
distance. Straight lines are a lower bound of the sea distance, so nothing possible is ruled out.

Each candidate then carries the evidence an analyst weighs (domain notes §5), as columns:

- **link to a destination port**: the destination-role port it left just before the gap
  (``departure_port``, also when it went dark inside it) and the one it reached just after
  (``arrival_port``);
- **motion across the gap** (:func:`motion`): how far apart its last and next fix are
  (``displacement_km``), the port at each end, how it was moving just before going dark and just after
  reappearing (``sog_before``, ``cog_before``, ``sog_after``, ``cog_after``), what the ends show
  (``motion``: moved, under way at both, still, unclear), and whether it simply kept its course across it
  (``kept_course``: a reception hole on a crossing, not a call);
- **timing over water**: the distances to and from the call over water (:mod:`shipwatch.seaway`)
  and whether the silence fits that round trip (``fits_timing``);
- **how routine** the vessel's silences are (``vessel_candidate_calls``, ``routine``).

The grade itself, and its ``why``, are decided in one place: :mod:`shipwatch.grades`. A gap that
starts or ends inside the watched port is a visible call, never a dark one.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.frames import TableLike, to_polars
from shipwatch.geo import KM_PER_NM
from shipwatch.grades import CONFIRMED, EVIDENCE, POSSIBLE, PROBABLE, grade_transits
from shipwatch.ports import DESTINATION, WATCH, Port
from shipwatch.seaway import sea_km_from_port
from shipwatch.settings import TransitSettings
from shipwatch.tables import DARK_TRANSITS, GAP_ID, PORT, TRANSIT_ID, empty, event_id
from shipwatch.times import US_PER_HOUR

UNDER_WAY_KN = 3.0
#: Motion across a gap (see :func:`motion`).
MOVED, UNDER_WAY, STILL, UNCLEAR = "moved", "under_way", "still", "unclear"


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


def round_trip_hours(ports: list[Port], settings: TransitSettings | None = None) -> dict[str, float]:
    """Per port, the shortest round trip (hours) to a watched port and back with the shortest stay.

    A silence inside a port at least this long could hide a voyage to the watched port, so port
    visits split there (:func:`shipwatch.visits.port_visits`). Straight-line distance between the
    polygons at ``max_speed_kn``: a lower bound, so no voyage stays hidden.
    """
    cfg = settings or TransitSettings()
    watched = [p for p in ports if p.role == WATCH]
    out: dict[str, float] = {}
    for p in ports:
        if not watched:
            continue
        lat0, lon0 = p.origin
        km = min(float(w.distance_km(np.array([lat0]), np.array([lon0]))[0]) for w in watched)
        km = max(km - float(np.sqrt(p.geometry.area) * 111.0), 0.0)  # from the polygon's edge, roughly
        out[p.name] = 2 * km / (cfg.max_speed_kn * KM_PER_NM) + cfg.min_dwell_hours
    return out


def dark_transits(
    gaps: TableLike,
    *,
    visits: TableLike,
    speeds: pl.DataFrame,
    vessels: pl.DataFrame,
    ports: list[Port],
    settings: TransitSettings | None = None,
) -> pl.DataFrame:
    """Candidate dark calls at watched ports, one row per (gap, reachable watched port), with their
    evidence and their AIS-only grade (imagery joins later, through :func:`shipwatch.grades.grade_transits`).

    Parameters
    ----------
    gaps
        From :func:`shipwatch.gaps.find_gaps`.
    visits
        From :func:`shipwatch.visits.port_visits`.
    speeds
        From :func:`plausible_speeds`.
    vessels
        From :func:`shipwatch.vessels.vessel_info` (for ``length_m``).
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
    cand = _link_visits(cand, visits, [p.name for p in ports if p.role == DESTINATION], cfg)
    cand = cand.with_columns(
        motion(cfg),
        kept_course(cfg),
        pl.lit(None, pl.String).alias("sighting_ids"),
        pl.lit(None, pl.String).alias("imagery"),
        pl.col("dark_start").dt.strftime("%Y-%m").alias("month"),
        event_id("DT-", "dark_start", "call_port").alias(TRANSIT_ID),
    ).join(vessels.select(s.MMSI, s.LENGTH_M), on=s.MMSI, how="left")
    cand = _routine(cand, gaps, cfg)
    out = grade_transits(
        cand.with_columns(pl.lit(None, pl.String).alias("evidence")), imagery=None, settings=cfg
    )
    return out.sort(["dark_start", s.MMSI, "call_port"]).select(list(DARK_TRANSITS))


def _for_port(gaps: pl.DataFrame, port: Port, cfg: TransitSettings) -> pl.DataFrame:
    slat, slon = gaps["start_lat"].to_numpy(), gaps["start_lon"].to_numpy()
    elat, elon = gaps["end_lat"].to_numpy(), gaps["end_lon"].to_numpy()
    d1 = port.distance_km(slat, slon) * cfg.route_factor
    d2 = port.distance_km(elat, elon) * cfg.route_factor
    kmh = gaps["speed_kn"].to_numpy() * KM_PER_NM
    hours = gaps["hours"].to_numpy()
    needed = (d1 + d2) / kmh + cfg.min_dwell_hours
    visible = (gaps["start_port"] == port.name).fill_null(False) | (gaps["end_port"] == port.name).fill_null(
        False
    )
    reachable = (needed <= hours) & ~visible.to_numpy()
    # Over water (never shorter than the straight line): the timing the stronger grades need. Only
    # the reachable candidates need it (the routing grid is built on first use).
    sea1, sea2 = d1.copy(), d2.copy()
    if reachable.any():
        sea1[reachable] = np.maximum(sea_km_from_port(port, slat[reachable], slon[reachable]), d1[reachable])
        sea2[reachable] = np.maximum(sea_km_from_port(port, elat[reachable], elon[reachable]), d2[reachable])
    sea_needed = (sea1 + sea2) / kmh + cfg.min_dwell_hours
    slowest = (sea1 + sea2) / (cfg.slow_speed_kn * KM_PER_NM) + cfg.max_dwell_hours
    fits = (sea_needed <= hours) & (hours <= slowest)
    call_lon, call_lat = port.call_point()

    def after(col: str, km: np.ndarray, sign: int) -> pl.Expr:
        shift = pl.duration(microseconds=pl.Series(km / kmh * US_PER_HOUR).cast(pl.Int64))
        return pl.col(col) + shift if sign > 0 else pl.col(col) - shift

    return gaps.select(
        GAP_ID,
        s.MMSI,
        s.VESSEL_NAME,
        pl.col("start_time").alias("dark_start"),
        pl.col("end_time").alias("dark_end"),
        pl.col("hours").alias("dark_hours"),
        "start_lon",
        "start_lat",
        "end_lon",
        "end_lat",
        "start_port",
        "end_port",
        "start_in_port",
        "end_in_port",
        pl.col("distance_km").alias("displacement_km"),
        pl.col("start_sog").alias("sog_before"),
        pl.col("start_cog").alias("cog_before"),
        pl.col("end_sog").alias("sog_after"),
        pl.col("end_cog").alias("cog_after"),
        "implied_speed_kn",
        "speed_kn",
    ).with_columns(
        pl.lit(port.name).alias("call_port"),
        pl.lit(call_lon).alias("call_lon"),
        pl.lit(call_lat).alias("call_lat"),
        pl.Series("km_to_call", d1),
        pl.Series("km_from_call", d2),
        pl.Series("hours_needed", needed),
        pl.Series("sea_km_to_call", sea1),
        pl.Series("sea_km_from_call", sea2),
        pl.Series("sea_hours_needed", sea_needed),
        pl.Series("fits_timing", fits),
        pl.Series("_reachable", reachable),
        # the call window uses the distance over water (the vessel cannot be at the port sooner)
        after("dark_start", sea1, +1).alias("call_window_start"),
        after("dark_end", sea2, -1).alias("call_window_end"),
    )


def motion(cfg: TransitSettings) -> pl.Expr:
    """What the two ends of the silence show: ``moved``, ``under_way``, ``still`` or ``unclear``.

    - ``moved``: the ends are at two different ports, or ``moved_km`` or more apart;
    - otherwise (the vessel reappeared near where it went dark):
      ``still`` when it was stopped (below ``still_kn``, or no speed reported) at both ends: nothing moved
      (a wait at anchor, a lay-up);
      ``under_way`` when it was under way at both ends: it went dark and came back under way, as after a
      round trip;
      ``unclear`` when it was stopped at one end only (a ship that waited, then weighed anchor).
    """
    d = pl.col("displacement_km")
    two_ports = (
        pl.col("start_port").is_not_null()
        & pl.col("end_port").is_not_null()
        & (pl.col("start_port") != pl.col("end_port"))
    )
    before, after = pl.col("sog_before"), pl.col("sog_after")
    stopped = (before.fill_null(0) < cfg.still_kn) & (after.fill_null(0) < cfg.still_kn)
    moving = (before >= UNDER_WAY_KN).fill_null(False) & (after >= UNDER_WAY_KN).fill_null(False)
    return (
        pl.when(two_ports | (d >= cfg.moved_km))
        .then(pl.lit(MOVED))
        .when(stopped)
        .then(pl.lit(STILL))
        .when(moving)
        .then(pl.lit(UNDER_WAY))
        .otherwise(pl.lit(UNCLEAR))
        .alias("motion")
    )


def kept_course(cfg: TransitSettings) -> pl.Expr:
    """True when the vessel went on across the silence as it was going: under way before, its next
    fix lies ahead on its course (bearing within ``course_keep_deg`` of its COG) and its average speed
    over the silence is at least ``course_keep_speed_frac`` of its speed before. A detour to a port,
    a stay and a return cannot look like that; a reception hole on a crossing does."""
    lat1, lon1 = pl.col("start_lat").radians(), pl.col("start_lon").radians()
    lat2, lon2 = pl.col("end_lat").radians(), pl.col("end_lon").radians()
    y = (lon2 - lon1).sin() * lat2.cos()
    x = lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * (lon2 - lon1).cos()
    bearing = pl.arctan2(y, x).degrees() % 360
    off = ((bearing - pl.col("cog_before")).abs() % 360).pipe(lambda e: pl.min_horizontal(e, 360 - e))
    under_way = pl.col("sog_before") >= UNDER_WAY_KN
    return (
        (
            under_way
            & (off <= cfg.course_keep_deg)
            & (pl.col("implied_speed_kn") >= cfg.course_keep_speed_frac * pl.col("sog_before"))
        )
        .fill_null(False)
        .alias("kept_course")
    )


def _link_visits(
    cand: pl.DataFrame, visits: pl.DataFrame, destinations: list[str], cfg: TransitSettings
) -> pl.DataFrame:
    """Attach the port left just before and the port reached just after each gap.

    A visit whose departure is the gap's start (the vessel went dark inside the port) counts as left;
    one whose arrival is the gap's end (it reappeared inside) as reached. ``departed_destination`` /
    ``arrived_destination`` say whether those ports are destination-role ports.
    """
    link = pl.duration(microseconds=int(cfg.link_hours * US_PER_HOUR))
    v = visits.select(s.MMSI, PORT, "arrival", "departure")
    keys = cand.select(GAP_ID, s.MMSI, "dark_start", "dark_end").unique(GAP_ID)
    before = (
        keys.join(v, on=s.MMSI, how="inner")
        .filter(
            (pl.col("departure") <= pl.col("dark_start"))
            & (pl.col("departure") >= pl.col("dark_start") - link)
        )
        .sort("departure")
        .group_by(GAP_ID, maintain_order=True)
        .agg(pl.col(PORT).last().alias("departure_port"))
    )
    after = (
        keys.join(v, on=s.MMSI, how="inner")
        .filter((pl.col("arrival") >= pl.col("dark_end")) & (pl.col("arrival") <= pl.col("dark_end") + link))
        .sort("arrival")
        .group_by(GAP_ID, maintain_order=True)
        .agg(pl.col(PORT).first().alias("arrival_port"))
    )
    dest = pl.Series(destinations, dtype=pl.String)
    return (
        cand.join(before, on=GAP_ID, how="left")
        .join(after, on=GAP_ID, how="left")
        .with_columns(
            pl.col("departure_port").is_in(dest.implode()).fill_null(False).alias("departed_destination"),
            pl.col("arrival_port").is_in(dest.implode()).fill_null(False).alias("arrived_destination"),
        )
    )


def _routine(cand: pl.DataFrame, gaps: pl.DataFrame, cfg: TransitSettings) -> pl.DataFrame:
    """Per vessel: how many candidate calls it has in the run and how many gaps per 30 days it
    was observed; ``routine`` marks vessels whose silences are everyday (fishing boats: dozens)."""
    span = gaps.group_by(s.MMSI).agg(
        pl.len().alias("_gaps"),
        ((pl.col("end_time").max() - pl.col("start_time").min()).dt.total_hours() / 24.0).alias("_days"),
    )
    calls = cand.group_by(s.MMSI).agg(pl.len().cast(pl.UInt32).alias("vessel_candidate_calls"))
    return (
        cand.join(calls, on=s.MMSI, how="left")
        .join(span, on=s.MMSI, how="left")
        .with_columns(
            (pl.col("_gaps") * 30.0 / pl.max_horizontal(pl.col("_days"), pl.lit(30.0))).alias(
                "vessel_gaps_per_30d"
            )
        )
        .with_columns(
            (
                (pl.col("vessel_candidate_calls") >= cfg.routine_calls)
                | (pl.col("vessel_gaps_per_30d") >= cfg.routine_gaps_per_30d)
            ).alias("routine")
        )
        .drop("_gaps", "_days")
    )


__all__ = [
    "CONFIRMED",
    "EVIDENCE",
    "MOVED",
    "POSSIBLE",
    "PROBABLE",
    "STILL",
    "UNCLEAR",
    "UNDER_WAY",
    "dark_transits",
    "kept_course",
    "motion",
    "plausible_speeds",
    "round_trip_hours",
]
