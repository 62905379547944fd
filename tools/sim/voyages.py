"""Port-to-port voyages through Najin: the dark round trip of a shuttle and a visible call.

Both drive a :class:`~sim.tracks.TrackBuilder` that lies at its departure berth,
and return a record of the voyage's true times (epoch seconds, UTC). Port times are crossings of
the port outline: ``departure`` = leaving the departure port's outline, ``najin_arrival`` /
``najin_departure`` = entering / leaving Najin's, ``arrival`` = entering the arrival port's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shipwatch.geo import KM_PER_NM
from shipwatch.ports import Port
from sim.places import path_length_nm, sea_route
from sim.tracks import AT_ANCHOR, DAY, HOUR, MOORED, Leg, LonLat, TrackBuilder


@dataclass(frozen=True)
class NajinVoyage:
    """True chronology of one voyage that calls at Najin (epoch seconds, UTC).

    For a visible call ``ais_off`` and ``ais_on`` are None.
    """

    mmsi: int
    vessel: str
    length_m: float
    departure_port: str
    departure: float
    ais_off: float | None
    najin_arrival: float
    berth_arrival: float
    najin_spot: LonLat
    berth_departure: float
    najin_departure: float
    ais_on: float | None
    arrival_port: str
    arrival: float
    dark: bool


def najin_round_trip(
    tb: TrackBuilder,
    ports: dict[str, Port],
    *,
    from_port: str,
    to_port: str,
    to_spot: LonLat,
    najin_spot: LonLat,
    stay_s: float,
    speed_kn: float,
    dark: bool = True,
    off_after_s: float = 2 * HOUR,
    on_before_s: float = 2 * HOUR,
    wait_s: float = 0.0,
    wait_spot: LonLat | None = None,
    round_trip_s: float | None = None,
    lateral_m: float = 300.0,
    off_at: str = "sea",
    on_at: str = "sea",
    off_sea_nm: float | None = None,
    on_sea_nm: float | None = None,
) -> NajinVoyage:
    """Sail now from ``from_port`` to a Najin pier, lie there ``stay_s`` seconds, sail to ``to_port``.

    Parameters
    ----------
    tb
        The ship, lying at its berth in ``from_port`` at the departure time.
    ports
        Port outlines by name (for the crossing times).
    from_port, to_port
        Lane port names (e.g. ``"Dunai"``, ``"Vostochny"``, ``"Busan"``).
    to_spot, najin_spot
        Berth positions (lon, lat) at the arrival port and at Najin.
    stay_s
        Time alongside at Najin, seconds.
    speed_kn
        Passage speed, knots.
    dark
        When True, AIS goes off ``off_after_s`` seconds after leaving ``from_port``'s outline and
        comes back on ``on_before_s`` seconds before entering ``to_port``'s; nothing is
        transmitted in between (the whole Najin call included).
    wait_s, wait_spot
        Time at anchor in Najin harbour (at ``wait_spot``) before going alongside, seconds.
    round_trip_s
        When given, the stay alongside is chosen so that berth-to-berth the voyage takes about
        this long (seconds), the stay kept within 1-3 days; ``stay_s`` is then ignored.
    off_at, on_at
        Where a dark voyage switches AIS off and on: ``"sea"`` (the default, timed by ``off_after_s``
        / ``on_before_s``, or at ``off_sea_nm`` / ``on_sea_nm`` nautical miles from the port outline
        when given) or ``"berth"``: off ``off_after_s`` seconds *before* casting off from the
        departure berth, on ``on_before_s`` seconds *after* coming alongside at ``to_spot`` (the
        caller then lies there at least that long).
    """
    start = tb.t
    first = [wait_spot] if wait_s > 0 and wait_spot is not None else [najin_spot]
    out = tb.sail([*sea_route(from_port, "Najin"), *first], speed_kn, lateral_m=lateral_m)
    departure = out.first_time_outside(ports[from_port].geometry) if from_port in ports else float(out.t[0])
    najin_arrival = out.first_time_inside(ports["Najin"].geometry)
    if wait_s > 0 and wait_spot is not None:
        tb.dwell(wait_s, status=AT_ANCHOR, radius_m=50.0)
        tb.sail([najin_spot], 5.0, ramp_km=0.3)
    berth_arrival = tb.t
    if round_trip_s is not None:
        back_s = path_length_nm([najin_spot, *sea_route("Najin", to_port), to_spot]) / speed_kn * HOUR
        stay_s = float(min(max(round_trip_s - (tb.t - start) - back_s, DAY), 3 * DAY))
    tb.dwell(stay_s, status=MOORED, radius_m=20.0)
    berth_departure = tb.t
    back = tb.sail([*sea_route("Najin", to_port), to_spot], speed_kn, lateral_m=lateral_m)
    najin_departure = back.first_time_outside(ports["Najin"].geometry)
    arrival = back.first_time_inside(ports[to_port].geometry) if to_port in ports else float(back.t[-1])
    ais_off = ais_on = None
    if dark:
        if off_at == "berth":
            ais_off = start - off_after_s
        elif off_sea_nm is not None:
            ais_off = _time_beyond(out, ports[from_port], off_sea_nm, first=True)
        else:
            ais_off = departure + off_after_s
        if on_at == "berth":
            ais_on = tb.t + on_before_s
        elif on_sea_nm is not None:
            ais_on = _time_beyond(back, ports[to_port], on_sea_nm, first=False)
        else:
            ais_on = arrival - on_before_s
        tb.silence(ais_off, ais_on, "ais_off")
    v = tb.vessel
    return NajinVoyage(
        v.mmsi,
        v.name,
        v.length_m,
        from_port,
        departure,
        ais_off,
        najin_arrival,
        berth_arrival,
        najin_spot,
        berth_departure,
        najin_departure,
        ais_on,
        to_port,
        arrival,
        dark,
    )


def _time_beyond(leg: Leg, port: Port, nm: float, *, first: bool) -> float:
    """On ``leg``, the first time (``first``) the ship is ``nm`` or more from ``port``'s outline, or the
    time after which it stays within ``nm`` of it (``first=False``)."""
    far = np.flatnonzero(port.distance_km(leg.lat, leg.lon) >= nm * KM_PER_NM)
    if not far.size:
        return float(leg.t[-1] if first else leg.t[0])
    if first:
        return float(leg.t[far[0]])
    return float(leg.t[min(far[-1] + 1, leg.t.size - 1)])
