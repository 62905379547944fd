"""Ordinary background traffic: behaviours that drive a track builder until a given time.

Each behaviour starts from the builder's current time and position, loops through its routine
until epoch second ``until`` and returns the notable events it produced (reception holes, dark
periods in port, silent berths) as dictionaries with epoch-second times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.places import (
    FISHING_GROUNDS,
    NODES,
    LonLat,
    Port,
    sea_route,
)
from sim.tracks import AT_ANCHOR, DAY, HOUR, MOORED, TrackBuilder

Event = dict[str, object]


def go(
    tb: TrackBuilder,
    origin: str,
    destination: str,
    spot: LonLat,
    speed_kn: float,
    *,
    lateral_m: float = 200.0,
):
    """Sail along the sea lanes from port ``origin`` to berth ``spot`` in port ``destination``."""
    return tb.sail([*sea_route(origin, destination), spot], speed_kn, lateral_m=lateral_m)


def pick(rng: np.random.Generator, items: list) -> object:
    """One item of ``items`` chosen with ``rng``."""
    return items[int(rng.integers(0, len(items)))]


def random_holes(
    tb: TrackBuilder,
    start: float,
    end: float,
    *,
    per_day: float = 0.08,
    hours: tuple[float, float] = (0.7, 3.0),
) -> None:
    """Short reception holes (Poisson, ``per_day`` a day, ``hours`` long) anywhere in [start, end)."""
    n = int(tb.rng.poisson(per_day * (end - start) / DAY))
    for t0 in np.sort(tb.rng.uniform(start, end, n)):
        tb.silence(float(t0), float(t0 + tb.rng.uniform(*hours) * HOUR), "reception")


def liner(
    tb: TrackBuilder,
    *,
    home: str,
    home_spots: list[LonLat],
    away: str,
    away_spots: list[LonLat],
    until: float,
    speed_kn: float,
    stay_h: tuple[float, float] = (18, 40),
    hole_h: tuple[float, float] = (6, 20),
) -> list[Event]:
    """Shuttle service ``home`` ↔ ``away``; each crossing loses reception for ``hole_h`` hours mid-sea."""
    rng = tb.rng
    events: list[Event] = []
    spot = pick(rng, home_spots)
    tb.dwell(rng.uniform(0, stay_h[1]) * HOUR, spot=spot)
    here, there = (home, home_spots), (away, away_spots)
    while tb.t < until:
        leg = go(
            tb, here[0], there[0], pick(rng, there[1]), speed_kn * rng.uniform(0.95, 1.05), lateral_m=1500
        )
        dur = leg.t[-1] - leg.t[0]
        hole = min(rng.uniform(*hole_h) * HOUR, 0.6 * dur)
        t0 = leg.t[0] + rng.uniform(0.2, 0.8 - hole / dur) * dur
        tb.silence(t0, t0 + hole, "reception")
        events.append({"kind": "reception_hole", "start": t0, "end": t0 + hole})
        tb.dwell(rng.uniform(*stay_h) * HOUR, status=MOORED)
        here, there = there, here
    return events


def harbour_craft(
    tb: TrackBuilder,
    *,
    base: LonLat,
    trips: list[list[LonLat]],
    until: float,
    speed_kn: float = 8.0,
    idle_h: tuple[float, float] = (3, 14),
    work_h: tuple[float, float] = (0.5, 3),
) -> list[Event]:
    """A tug or harbour craft: lies at ``base``, runs out along one of ``trips`` and back."""
    rng = tb.rng
    tb.dwell(rng.uniform(0, idle_h[1]) * HOUR, spot=base)
    while tb.t < until:
        path = pick(rng, trips)
        tb.sail(list(path), speed_kn * rng.uniform(0.8, 1.15))
        tb.dwell(rng.uniform(*work_h) * HOUR, radius_m=60.0, status=0)
        tb.sail([*reversed(path[:-1]), base], speed_kn * rng.uniform(0.8, 1.15))
        tb.dwell(rng.uniform(*idle_h) * HOUR, status=MOORED)
    return []


@dataclass
class DarkInPort:
    """A fishing boat's planned dark period: not before ``after`` (epoch s), near ``port``, ``days`` long."""

    after: float
    port: str
    spot: LonLat
    days: float
    done: bool = field(default=False)


def fishing_boat(
    tb: TrackBuilder,
    ports: dict[str, Port],
    *,
    home: str,
    home_spots: list[LonLat],
    grounds: list[str],
    until: float,
    dark: list[DarkInPort] | None = None,
) -> list[Event]:
    """Fishing trips from ``home``; on each planned :class:`DarkInPort` the boat lies dark in a port.

    The AIS goes off 0.5-2 h before the boat enters that port's outline and comes back on 0.5-2 h
    after it leaves, so the dark period lasts about ``days`` and starts close to the port.
    """
    rng = tb.rng
    events: list[Event] = []
    dark = list(dark or [])
    tb.dwell(rng.uniform(0, 2) * DAY, spot=pick(rng, home_spots))
    at = home
    while tb.t < until:
        ground = str(pick(rng, grounds))
        centre, radius, node = FISHING_GROUNDS[ground]
        tb.sail([*sea_route(at, node), centre], rng.uniform(7, 9.5), lateral_m=300)
        tb.fish(rng.uniform(1, 3) * DAY, centre=centre, radius_km=radius, speed_kn=rng.uniform(2, 4))
        due = next((d for d in dark if not d.done and tb.t >= d.after), None)
        tb.sail([NODES[node]], rng.uniform(7, 9.5))
        if due is not None:
            due.done = True
            leg = tb.sail([*sea_route(node, due.port), due.spot], rng.uniform(7, 9.5), lateral_m=300)
            entry = leg.first_time_inside(ports[due.port].geometry)
            off = entry - rng.uniform(0.5, 2) * HOUR
            tb.dwell_until(off + due.days * DAY - 3 * HOUR)
            back = go(tb, due.port, home, pick(rng, home_spots), rng.uniform(7, 9.5))
            on = back.first_time_outside(ports[due.port].geometry) + rng.uniform(0.5, 2) * HOUR
            tb.silence(off, on, "ais_off")
            events.append({"kind": "fishing_dark", "port": due.port, "start": off, "end": on})
        else:
            go(tb, node, home, pick(rng, home_spots), rng.uniform(7, 9.5))
        at = home
        tb.dwell(rng.uniform(0.5, 3) * DAY, status=MOORED)
    return events


@dataclass
class SilentBerth:
    """A planned silence at berth: not before ``after`` (epoch s), in ``port``, ``hours`` long."""

    after: float
    port: str
    hours: float
    done: bool = field(default=False)


def port_rotation(
    tb: TrackBuilder,
    *,
    start_port: str,
    calls: dict[str, list[LonLat]],
    until: float,
    speed_kn: float,
    stay_days: tuple[float, float] = (1, 3),
    anchor_days: tuple[float, float] = (3, 10),
    silent: SilentBerth | None = None,
) -> list[Event]:
    """Trade between the ports of ``calls`` (name → berth spots), waiting at the anchorage off Vladivostok.

    ``"Vladivostok anchorage"`` in ``calls`` means lying at anchor (status 1) there for
    ``anchor_days``; other ports mean a berth stay of ``stay_days``. An optional ``silent`` period
    is spent at berth without transmitting.
    """
    rng = tb.rng
    events: list[Event] = []
    here = start_port
    names = list(calls)
    while True:
        anchored = here == "Vladivostok anchorage"
        days = rng.uniform(*(anchor_days if anchored else stay_days))
        stay = days * DAY
        if silent is not None and not silent.done and here == silent.port and tb.t >= silent.after:
            silent.done = True
            stay = max(stay, (silent.hours + 6) * HOUR)
            t0 = tb.t + rng.uniform(1, stay / HOUR - silent.hours - 1) * HOUR
            tb.silence(t0, t0 + silent.hours * HOUR, "silent_berth")
            events.append(
                {"kind": "silent_berth", "port": here, "start": t0, "end": t0 + silent.hours * HOUR}
            )
        tb.dwell(stay, status=AT_ANCHOR if anchored else MOORED, radius_m=50.0 if anchored else 25.0)
        if tb.t >= until:
            return events
        nxt = str(pick(rng, [n for n in names if n != here]))
        go(tb, here, nxt, pick(rng, calls[nxt]), speed_kn * rng.uniform(0.9, 1.08))
        here = nxt
