"""Kinematic building blocks: one vessel's simulated AIS track, built leg by leg.

A :class:`TrackBuilder` keeps a vessel's clock and position and appends legs — sailing along
waypoints (:meth:`~TrackBuilder.sail`), lying at a berth or anchor (:meth:`~TrackBuilder.dwell`),
fishing (:meth:`~TrackBuilder.fish`) — each producing position reports at the vessel's reporting
interval with realistic jitter. Intervals without transmission (AIS switched off, reception
holes) are recorded with :meth:`~TrackBuilder.silence` and cut out by :meth:`~TrackBuilder.frame`.
Times are seconds since the Unix epoch (UTC); distances km unless named ``_nm``; speeds knots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl
import shapely
from numpy.typing import NDArray

from shipwatch import schema
from shipwatch.geo import EARTH_RADIUS_KM, KM_PER_NM, haversine_km

HOUR = 3600.0
DAY = 86400.0

# ITU-R M.1371 navigational status codes used here.
UNDER_WAY = 0
AT_ANCHOR = 1
MOORED = 5
FISHING = 7

LonLat = tuple[float, float]


def epoch(t: datetime) -> float:
    """Seconds since the Unix epoch of an aware (UTC) or naive-as-UTC datetime."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.timestamp()


def to_datetime(t: float) -> datetime:
    """The UTC datetime of epoch seconds, rounded to the whole second."""
    return datetime.fromtimestamp(round(t), tz=UTC)


@dataclass(frozen=True)
class Vessel:
    """A simulated vessel's static AIS data and reporting habits.

    ``underway_interval_s`` and ``berth_interval_s`` are the mean times between position reports
    (seconds) under way and at berth/anchor, as in downsampled public data.
    """

    mmsi: int
    name: str
    imo: int | None
    callsign: str
    ship_type: int
    length_m: float
    width_m: float
    draught_m: float
    transceiver: str = "A"
    underway_interval_s: float = 900.0
    berth_interval_s: float = 3600.0


@dataclass(frozen=True)
class Leg:
    """A sailed leg's true path on a fine grid (about every 200 m): times (s) and positions."""

    t: NDArray[np.float64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]

    def first_time_outside(self, polygon: shapely.Polygon) -> float:
        """Time the leg first leaves ``polygon`` (its start when it starts outside)."""
        inside = shapely.contains_xy(polygon, self.lon, self.lat)
        idx = np.flatnonzero(~inside)
        return float(self.t[idx[0]]) if idx.size else float(self.t[-1])

    def first_time_inside(self, polygon: shapely.Polygon) -> float:
        """Time the leg first enters ``polygon`` (its end when it never does)."""
        idx = np.flatnonzero(shapely.contains_xy(polygon, self.lon, self.lat))
        return float(self.t[idx[0]]) if idx.size else float(self.t[-1])


def bearing_deg(lon1: NDArray, lat1: NDArray, lon2: NDArray, lat2: NDArray) -> NDArray[np.float64]:
    """Initial great-circle bearing in degrees true (0..360) from point 1 to point 2."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


def offset_m(lon: NDArray, lat: NDArray, east_m: NDArray, north_m: NDArray) -> tuple[NDArray, NDArray]:
    """Positions moved by ``east_m``/``north_m`` metres (small offsets, local tangent plane)."""
    lat = np.asarray(lat, dtype=np.float64)
    dlat = np.degrees(np.asarray(north_m) / 1000.0 / EARTH_RADIUS_KM)
    dlon = np.degrees(np.asarray(east_m) / 1000.0 / (EARTH_RADIUS_KM * np.cos(np.radians(lat))))
    return np.asarray(lon) + dlon, lat + dlat


class TrackBuilder:
    """Builds one vessel's AIS reports leg by leg, keeping its clock and position.

    Parameters
    ----------
    vessel
        Identity, static data and reporting intervals.
    start
        Start time, epoch seconds (UTC).
    position
        Start position (lon, lat), degrees.
    rng
        The generator every random draw of this vessel comes from.
    heading
        Initial heading, degrees true.
    """

    def __init__(
        self,
        vessel: Vessel,
        start: float,
        position: LonLat,
        rng: np.random.Generator,
        *,
        heading: float = 0.0,
    ) -> None:
        self.vessel = vessel
        self.rng = rng
        self.t = float(start)
        self.pos: LonLat = (float(position[0]), float(position[1]))
        self.heading = float(heading)
        self._next_report = self.t + float(rng.uniform(0, vessel.berth_interval_s))
        self._parts: list[dict[str, NDArray]] = []
        self.silences: list[tuple[float, float, str]] = []

    # --- report times -----------------------------------------------------------------------
    def _report_times(self, t_end: float, interval_s: float) -> NDArray[np.float64]:
        """Report times in [self._next_report, t_end), intervals ``interval_s`` x U(0.6, 1.4)."""
        if self._next_report >= t_end:
            return np.empty(0)
        n = int((t_end - self._next_report) / (0.6 * interval_s)) + 2
        steps = interval_s * self.rng.uniform(0.6, 1.4, size=n)
        times = self._next_report + np.concatenate([[0.0], np.cumsum(steps)])
        keep = times < t_end
        self._next_report = float(times[~keep][0])
        return times[keep]

    def _append(
        self,
        t: NDArray,
        lon: NDArray,
        lat: NDArray,
        sog: NDArray,
        cog: NDArray,
        heading: NDArray,
        status: int,
    ) -> None:
        if t.size:
            self._parts.append(
                {
                    "t": t,
                    "lon": lon,
                    "lat": lat,
                    "sog": sog,
                    "cog": cog,
                    "heading": heading,
                    "status": np.full(t.size, status, dtype=np.int8),
                }
            )

    def _gps_noise(self, lon: NDArray, lat: NDArray, sigma_m: float = 6.0) -> tuple[NDArray, NDArray]:
        n = lon.size
        return offset_m(lon, lat, self.rng.normal(0, sigma_m, n), self.rng.normal(0, sigma_m, n))

    # --- legs ---------------------------------------------------------------------------------
    def dwell(
        self, duration_s: float, *, spot: LonLat | None = None, status: int = MOORED, radius_m: float = 25.0
    ) -> None:
        """Lie still for ``duration_s`` seconds at ``spot`` (default: here), drifting within ``radius_m``.

        SOG is 0-0.3 kn, COG arbitrary (as moored ships report it), heading near-constant.
        """
        if spot is not None:
            self.pos = (float(spot[0]), float(spot[1]))
        t_end = self.t + max(0.0, float(duration_s))
        times = self._report_times(t_end, self.vessel.berth_interval_s)
        n = times.size
        if n:
            walk = np.cumsum(self.rng.normal(0, radius_m / 4, size=(n, 2)), axis=0)
            r = np.hypot(walk[:, 0], walk[:, 1])
            walk *= (np.minimum(1.0, radius_m / np.maximum(r, 1e-9)))[:, None]
            lon, lat = offset_m(np.full(n, self.pos[0]), np.full(n, self.pos[1]), walk[:, 0], walk[:, 1])
            sog = np.minimum(np.abs(self.rng.normal(0, 0.1, n)), 0.3)
            cog = self.rng.uniform(0, 360, n)
            swing = 25.0 if status == AT_ANCHOR else 1.5
            heading = (self.heading + np.cumsum(self.rng.normal(0, swing / 3, n)).clip(-swing, swing)) % 360
            self._append(times, lon, lat, sog, cog, heading, status)
        self.t = t_end

    def dwell_until(self, t_end: float, **kwargs: object) -> None:
        """:meth:`dwell` until epoch second ``t_end`` (no-op when already past it)."""
        self.dwell(max(0.0, t_end - self.t), **kwargs)  # type: ignore[arg-type]

    def sail(
        self,
        waypoints: list[LonLat],
        speed_kn: float,
        *,
        status: int = UNDER_WAY,
        ramp_km: float = 1.5,
        lateral_m: float = 0.0,
    ) -> Leg:
        """Sail from here through ``waypoints`` at about ``speed_kn`` knots; return the true path.

        Speed ramps up/down over ``ramp_km`` at each end and wanders by about 3 %; interior
        waypoints are shifted at random by up to ``lateral_m`` metres so voyages do not overlap.
        """
        pts = np.asarray([self.pos, *waypoints], dtype=np.float64)
        if lateral_m > 0 and len(pts) > 2:
            # shift interior waypoints, less so near the ends (port approaches stay on their lanes)
            mid = pts[1:-1]
            d_end = np.minimum(
                haversine_km(mid[:, 1], mid[:, 0], pts[0, 1], pts[0, 0]),
                haversine_km(mid[:, 1], mid[:, 0], pts[-1, 1], pts[-1, 0]),
            )
            scale = lateral_m * np.clip(d_end / 20.0, 0.0, 1.0)
            k = len(mid)
            pts[1:-1, 0], pts[1:-1, 1] = offset_m(
                mid[:, 0], mid[:, 1], self.rng.uniform(-1, 1, k) * scale, self.rng.uniform(-1, 1, k) * scale
            )
        seg = haversine_km(pts[:-1, 1], pts[:-1, 0], pts[1:, 1], pts[1:, 0])
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        total = float(cum[-1])
        bearings = bearing_deg(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        if total < 1e-3:
            return Leg(np.array([self.t]), pts[-1:, 0].copy(), pts[-1:, 1].copy())
        # fine grid in distance, every ~200 m, and the time to reach each grid point
        m = max(20, int(total / 0.2))
        s = np.linspace(0.0, total, m + 1)
        knots = np.linspace(0.0, total, max(3, int(total / 10.0) + 2))
        wander = 1.0 + 0.03 * np.interp(s, knots, self.rng.normal(0, 1, knots.size))
        ramp = np.clip(0.3 + 0.7 * np.minimum(s, total - s) / ramp_km, 0.3, 1.0)
        v_kmh = np.maximum(speed_kn * KM_PER_NM * wander * ramp, 0.5)
        dt = np.diff(s) / (0.5 * (v_kmh[1:] + v_kmh[:-1])) * HOUR
        tg = self.t + np.concatenate([[0.0], np.cumsum(dt)])
        lon_g = np.interp(s, cum, pts[:, 0])
        lat_g = np.interp(s, cum, pts[:, 1])
        t_end = float(tg[-1])
        times = self._report_times(t_end, self.vessel.underway_interval_s)
        if times.size:
            sk = np.interp(times, tg, s)
            lon, lat = self._gps_noise(np.interp(sk, cum, pts[:, 0]), np.interp(sk, cum, pts[:, 1]))
            idx = np.clip(np.searchsorted(cum, sk, side="right") - 1, 0, len(bearings) - 1)
            sog = np.maximum(np.interp(sk, s, v_kmh) / KM_PER_NM + self.rng.normal(0, 0.12, sk.size), 0.0)
            cog = (bearings[idx] + self.rng.normal(0, 1.5, sk.size)) % 360
            heading = (cog + self.rng.normal(0, 2.0, sk.size)) % 360
            self._append(times, lon, lat, sog, cog, heading, status)
        self.t = t_end
        self.pos = (float(pts[-1, 0]), float(pts[-1, 1]))
        self.heading = float(bearings[-1])
        return Leg(tg, lon_g, lat_g)

    def fish(self, duration_s: float, *, centre: LonLat, radius_km: float, speed_kn: float = 3.0) -> None:
        """Fish for ``duration_s`` seconds: a slow meander of about ``speed_kn`` within ~``radius_km``.

        The path is a sum of slow sinusoids (bounded, smooth) starting from the current position;
        SOG and COG are its true velocity plus noise.
        """
        t_end = self.t + max(0.0, float(duration_s))
        times = self._report_times(t_end, self.vessel.underway_interval_s)
        if times.size:
            tau = (times - self.t) / HOUR
            amp = radius_km * np.array([0.45, 0.3, 0.15])
            # angular frequencies (rad/h) so that the mean speed is about speed_kn
            w = speed_kn * KM_PER_NM / radius_km * self.rng.uniform(0.5, 1.3, size=(2, 3)) / 0.9
            ph = self.rng.uniform(0, 2 * np.pi, size=(2, 3))
            arg = w[:, :, None] * tau[None, None, :] + ph[:, :, None]
            xy = (amp[None, :, None] * (np.sin(arg) - np.sin(ph)[:, :, None])).sum(axis=1)
            vxy = (amp[None, :, None] * w[:, :, None] * np.cos(arg)).sum(axis=1)  # km/h
            # drift from the current position towards the ground's centre over the first hours
            cx, cy = _local_km(centre, self.pos)
            pull = np.clip(tau / 3.0, 0, 1)
            x, y = xy[0] + cx * pull, xy[1] + cy * pull
            lon, lat = offset_m(
                np.full(tau.size, self.pos[0]), np.full(tau.size, self.pos[1]), x * 1000, y * 1000
            )
            lon, lat = self._gps_noise(lon, lat)
            sog = np.maximum(np.hypot(vxy[0], vxy[1]) / KM_PER_NM + self.rng.normal(0, 0.2, tau.size), 0.0)
            cog = (np.degrees(np.arctan2(vxy[0], vxy[1])) + self.rng.normal(0, 4, tau.size)) % 360
            heading = (cog + self.rng.normal(0, 5, tau.size)) % 360
            self._append(times, lon, lat, sog, cog, heading, FISHING)
            self.pos = (float(lon[-1]), float(lat[-1]))
            self.heading = float(heading[-1])
        self.t = t_end

    # --- silences and output --------------------------------------------------------------------
    def silence(self, start: float, end: float, reason: str = "ais_off") -> None:
        """Transmit nothing in [start, end) epoch seconds (AIS off, reception hole, ...)."""
        if end > start:
            self.silences.append((float(start), float(end), reason))

    def reports(self) -> dict[str, NDArray]:
        """All true reports as arrays (including those later cut by silences), time-ordered."""
        keys = ("t", "lon", "lat", "sog", "cog", "heading", "status")
        if not self._parts:
            return {k: np.empty(0) for k in keys}
        return {k: np.concatenate([p[k] for p in self._parts]) for k in keys}

    def transmitted_mask(self, t: NDArray[np.float64]) -> NDArray[np.bool_]:
        """True for times not inside any silence."""
        keep = np.ones(t.size, dtype=bool)
        for a, b, _ in self.silences:
            keep &= ~((t >= a) & (t < b))
        return keep

    def frame(self, *, start: float | None = None, end: float | None = None) -> pl.DataFrame:
        """The transmitted reports in [start, end) as a canonical AIS table.

        Values are rounded as AIS carries them: position 1e-5 degree, SOG/COG 0.1, heading 1 degree,
        time 1 s.
        """
        r = self.reports()
        keep = self.transmitted_mask(r["t"])
        if start is not None:
            keep &= r["t"] >= start
        if end is not None:
            keep &= r["t"] < end
        v = self.vessel
        n = int(keep.sum())
        ts = np.round(r["t"][keep]).astype(np.int64) * 1_000_000
        df = pl.DataFrame(
            {
                schema.MMSI: np.full(n, v.mmsi, dtype=np.int64),
                schema.TIMESTAMP: pl.Series(ts, dtype=pl.Int64)
                .cast(pl.Datetime("us"))
                .dt.replace_time_zone("UTC"),
                schema.LAT: np.round(r["lat"][keep], 5),
                schema.LON: np.round(r["lon"][keep], 5),
                schema.SOG: np.round(r["sog"][keep], 1),
                schema.COG: np.round(r["cog"][keep], 1) % 360.0,
                schema.HEADING: np.round(r["heading"][keep]) % 360.0,
                schema.NAV_STATUS: r["status"][keep].astype(np.int8),
            }
        ).with_columns(
            pl.lit(v.name).alias(schema.VESSEL_NAME),
            pl.lit(v.imo, dtype=pl.Int64).alias(schema.IMO),
            pl.lit(v.callsign).alias(schema.CALLSIGN),
            pl.lit(v.ship_type, dtype=pl.Int16).alias(schema.SHIP_TYPE),
            pl.lit(float(v.length_m)).alias(schema.LENGTH_M),
            pl.lit(float(v.width_m)).alias(schema.WIDTH_M),
            pl.lit(float(v.draught_m)).alias(schema.DRAUGHT_M),
            pl.lit(v.transceiver).alias(schema.TRANSCEIVER),
        )
        return schema.conform(df)


def _local_km(target: LonLat, origin: LonLat) -> tuple[float, float]:
    """East/north offset in km of ``target`` from ``origin``."""
    x = np.radians(target[0] - origin[0]) * EARTH_RADIUS_KM * np.cos(np.radians(origin[1]))
    y = np.radians(target[1] - origin[1]) * EARTH_RADIUS_KM
    return float(x), float(y)
