"""Randomized test theatres: small simulated worlds with known truth, for the detection tests.

:func:`make_theatre` builds one theatre of a given kind from a seed. Positions look like real AIS
(irregular intervals, GPS jitter, drift at berth, reception holes); nothing is tuned to a detector.
Every theatre carries its truth: the Najin calls that really happened (dark or not), what each
sighting really shows, and every interval a vessel did not transmit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import shapely

from shipwatch import schema
from shipwatch.ports import Port
from sim import places as pl_
from sim.imagery import (
    OPTICAL,
    number_sightings,
    observe,
    pass_time,
    passes_between,
    sighting_truth_frame,
    sightings_frame,
)
from sim.tracks import AT_ANCHOR, DAY, HOUR, MOORED, Vessel, epoch, offset_m
from sim.traffic import (
    DarkInPort,
    SilentBerth,
    fishing_boat,
    go,
    harbour_craft,
    liner,
    pick,
    port_rotation,
    random_holes,
)
from sim.voyages import NajinVoyage, najin_round_trip
from sim.world import World

# New kinds go at the end: a kind's index seeds its random streams.
THEATRE_KINDS: tuple[str, ...] = (
    "shuttles",
    "liners",
    "fishing",
    "silent_berth",
    "shared_mmsi",
    "mixed",
    "anchorage_wait",
    "layup",
    "shuttle_berth_switch",
    "shuttle_berth_to_sea",
    "twin_image",
    "confounders",
)
DEFAULT_START = datetime(2023, 9, 1, tzinfo=UTC)

TRUTH_SCHEMA = pl.Schema(
    {
        "mmsi": pl.Int64(),
        "vessel": pl.String(),
        "call_port": pl.String(),
        "call_start": pl.Datetime("us", "UTC"),
        "call_end": pl.Datetime("us", "UTC"),
        "dark": pl.Boolean(),
        "pattern": pl.String(),
        "from_port": pl.String(),
        "to_port": pl.String(),
        "ais_off": pl.Datetime("us", "UTC"),
        "ais_on": pl.Datetime("us", "UTC"),
        "off_where": pl.String(),
        "on_where": pl.String(),
    }
)
EVENT_SCHEMA = pl.Schema(
    {
        "mmsi": pl.Int64(),
        "vessel": pl.String(),
        "kind": pl.String(),
        "start": pl.Datetime("us", "UTC"),
        "end": pl.Datetime("us", "UTC"),
        "port": pl.String(),
    }
)


@dataclass(frozen=True)
class Theatre:
    """A simulated theatre and its truth.

    Attributes
    ----------
    kind, seed, start, end
        What was asked for; ``end`` = ``start`` + ``days``.
    positions
        Canonical AIS table (transmitted reports only), sorted by time then MMSI.
    sightings
        Imagery table like ``sightings.csv`` (``observed_at`` UTC).
    truth
        True calls at Najin: ``mmsi, vessel, call_port, call_start, call_end, dark, pattern,
        from_port, to_port, ais_off, ais_on, off_where, on_where`` (call times are entry into and
        exit from the Najin outline; see :func:`make_theatre`).
    sighting_truth
        For each sighting: ``sighting_id, kind, ref, mmsi`` (null when the vessel has no AIS) and
        ``true_length_m``.
    events
        Every interval without transmission: ``mmsi, vessel, kind`` (``ais_off``, ``reception``,
        ``silent_berth``, ``anchorage_wait``, ``layup``, ``shared_mmsi`` for the second ship's
        broadcast period), ``start, end, port``.
    """

    kind: str
    seed: int
    start: datetime
    end: datetime
    positions: pl.DataFrame
    sightings: pl.DataFrame
    truth: pl.DataFrame
    sighting_truth: pl.DataFrame
    events: pl.DataFrame


def _call(
    voyage: NajinVoyage, pattern: str, off_where: str | None, on_where: str | None
) -> dict[str, object]:
    """A row of the truth table: one call at Najin (times epoch s)."""
    return {
        "mmsi": voyage.mmsi,
        "vessel": voyage.vessel,
        "call_port": "Najin",
        "call_start": voyage.najin_arrival,
        "call_end": voyage.najin_departure,
        "dark": voyage.dark,
        "pattern": pattern,
        "from_port": voyage.departure_port,
        "to_port": voyage.arrival_port,
        "ais_off": voyage.ais_off,
        "ais_on": voyage.ais_on,
        "off_where": off_where,
        "on_where": on_where,
    }


_NAMES = [
    "ALTAIR",
    "BEREZINA",
    "VEGA",
    "DNESTR",
    "IRTYSH",
    "KAMCHATKA",
    "LENA",
    "MSTA",
    "NEVA",
    "ONEGA",
    "PECHORA",
    "SELENGA",
    "TURA",
    "URAL",
    "KHOPER",
    "SHILKA",
    "VYCHEGDA",
    "YANA",
    "ZEYA",
    "OKA",
]


def _name(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        base = _NAMES[int(rng.integers(0, len(_NAMES)))]
        name = base if rng.random() < 0.5 else f"{base}-{rng.integers(1, 9)}"
        if name not in used:
            used.add(name)
            return name


def _shuttles(st: World, names: set[str]) -> None:
    rng = st.rng()
    spots = {"Dunai": pl_.DUNAI_SPOTS, "Vostochny": pl_.VOSTOCHNY_WEST_SPOTS[:4]}
    for k in range(int(rng.integers(2, 5))):
        v = st.vessel(_name(rng, names), "RU", 70, float(np.round(rng.uniform(100, 140))))
        here = str(pick(rng, ["Dunai", "Vostochny"]))
        home_spot = {p: s[k % len(s)] for p, s in spots.items()}
        tb = st.actor(v, home_spot[here], port=here)
        pier = st.take_pier()
        tb.dwell(rng.uniform(0.3, 6) * DAY)
        while tb.t + 5 * DAY < st.end:
            dest = str(pick(rng, ["Dunai", "Vostochny"]))
            voyage = najin_round_trip(
                tb,
                st.ports,
                from_port=here,
                to_port=dest,
                to_spot=home_spot[dest],
                najin_spot=pier,
                stay_s=rng.uniform(1, 3) * DAY,
                speed_kn=rng.uniform(9, 12),
                off_after_s=rng.uniform(1, 4) * HOUR,
                on_before_s=rng.uniform(1, 4) * HOUR,
                wait_s=rng.uniform(0, 8) * HOUR,
                wait_spot=pl_.NAJIN_WAIT_SPOTS[k % 2],
            )
            arrived = datetime.fromtimestamp(round(voyage.najin_arrival), tz=UTC)
            ref = f"call:{v.mmsi}@{arrived:%Y-%m-%dT%H:%M:%SZ}"
            st.truth.append(_call(voyage, "shuttle", "sea", "sea"))
            if rng.random() < 0.5:
                for t, src in passes_between(voyage.berth_arrival + HOUR, voyage.berth_departure - HOUR, rng)[
                    :2
                ]:
                    st.sightings.append(
                        observe(t, pier, v.length_m, src, "najin_shuttle", rng, ref=ref, mmsi=v.mmsi)
                    )
            here = dest
            tb.dwell(rng.uniform(0.5, 6) * DAY, status=MOORED)
            if rng.random() < 0.4:  # imaged at home with AIS on
                t, src = pass_time(np.floor((tb.t - 0.5 * DAY) / DAY) * DAY, rng)
                if tb.t - 0.5 * DAY < t < tb.t - HOUR:
                    st.sightings.append(
                        observe(
                            t, tb.pos, v.length_m, src, "ais_vessel", rng, ref=f"ais:{v.mmsi}", mmsi=v.mmsi
                        )
                    )
        tb.dwell_until(st.end)
    if rng.random() < 0.6:  # a visible (AIS-on) call by a coaster
        home, spot = pick(
            rng,
            [
                ("Busan", pl_.BUSAN_SPOTS[0]),
                ("Chongjin", pl_.CHONGJIN_SPOTS[0]),
                ("Zarubino", pl_.ZARUBINO_SPOTS[0]),
            ],
        )
        flag = {"Busan": "CN", "Chongjin": "KP", "Zarubino": "RU"}[home]
        v = st.vessel(_name(rng, names), flag, 70, float(np.round(rng.uniform(60, 98))))
        tb = st.actor(v, spot, port=home)
        tb.dwell(rng.uniform(0.5, 0.5 * (st.end - st.start) / DAY) * DAY)
        voyage = najin_round_trip(
            tb,
            st.ports,
            from_port=home,
            to_port=home,
            to_spot=spot,
            najin_spot=pl_.NAJIN_PIER_SPOTS["pier3"],
            stay_s=rng.uniform(0.5, 2) * DAY,
            speed_kn=rng.uniform(9, 11),
            dark=False,
        )
        st.truth.append(_call(voyage, "visible", None, None))
        tb.dwell_until(st.end)


def _liners(st: World, names: set[str]) -> None:
    rng = st.rng()
    homes = [
        ("Vostochny", pl_.VOSTOCHNY_WEST_SPOTS[4:6]),
        ("Nakhodka", pl_.NAKHODKA_SPOTS[2:4]),
        ("Kozmino", pl_.KOZMINO_SPOTS),
    ]
    for _ in range(int(rng.integers(2, 5))):
        home, spots = pick(rng, homes)
        v = st.vessel(
            _name(rng, names),
            str(pick(rng, ["RU", "KR", "PA"])),
            71 if home != "Kozmino" else 80,
            float(np.round(rng.uniform(120, 240))),
            underway_s=1200.0,
        )
        tb = st.actor(v, spots[0], port=home)
        liner(
            tb,
            home=home,
            home_spots=spots,
            away="Busan",
            away_spots=pl_.BUSAN_SPOTS,
            until=st.end,
            speed_kn=rng.uniform(12, 17),
        )
        random_holes(tb, st.start, st.end, per_day=0.04)


def _fishing(st: World, names: set[str]) -> None:
    rng = st.rng()
    homes = {
        "Posyet": (pl_.POSYET_SPOTS, ["posyet_offing", "gamov_south"], "RU"),
        "Zarubino": (pl_.ZARUBINO_SPOTS, ["gamov_south", "posyet_offing"], "RU"),
        "Chongjin": (pl_.CHONGJIN_SPOTS, ["chongjin_offing"], "KP"),
    }
    for _ in range(int(rng.integers(2, 5))):
        home = str(pick(rng, list(homes)))
        spots, grounds, flag = homes[home]
        dark_port = home if home == "Chongjin" else str(pick(rng, ["Posyet", "Zarubino"]))
        dark_spot = {
            "Posyet": pl_.POSYET_SPOTS[1],
            "Zarubino": pl_.ZARUBINO_SPOTS[1],
            "Chongjin": pl_.CHONGJIN_SPOTS[1],
        }[dark_port]
        v = st.vessel(_name(rng, names), flag, 30, float(np.round(rng.uniform(22, 50))), imo=False)
        tb = st.actor(v, spots[0], port=home)
        after = st.start + rng.uniform(0, 0.4) * (st.end - st.start)
        fishing_boat(
            tb,
            st.ports,
            home=home,
            home_spots=spots,
            grounds=grounds,
            until=st.end,
            dark=[DarkInPort(after, dark_port, dark_spot, rng.uniform(1, 4))],
        )
        random_holes(tb, st.start, st.end, per_day=0.05)


def _silent_berth(st: World, names: set[str]) -> None:
    rng = st.rng()
    anch = pl_.VLADIVOSTOK_ANCHORAGE
    for port, spots in [("Nakhodka", pl_.NAKHODKA_SPOTS[2:4]), ("Vostochny", pl_.VOSTOCHNY_WEST_SPOTS[4:6])]:
        v = st.vessel(_name(rng, names), "RU", 70, float(np.round(rng.uniform(80, 150))), berth_s=3600.0)
        tb = st.actor(v, spots[0], port=port)
        calls = {
            port: spots,
            "Vladivostok anchorage": anch,
            "Slavyanka" if port == "Nakhodka" else "Nakhodka": pl_.SLAVYANKA_SPOTS
            if port == "Nakhodka"
            else pl_.NAKHODKA_SPOTS[2:4],
        }
        silent = SilentBerth(st.start + rng.uniform(0, 0.3) * DAY, port, rng.uniform(8, 20))
        port_rotation(
            tb, start_port=port, calls=calls, until=st.end, speed_kn=11.0, stay_days=(1, 4), silent=silent
        )


def _shared_mmsi(st: World, names: set[str]) -> None:
    rng = st.rng()
    nk = pl_.NODES
    v = st.vessel(
        _name(rng, names), "RU", 52, float(np.round(rng.uniform(25, 35))), imo=False, underway_s=600.0
    )
    tb = st.actor(v, pl_.NAKHODKA_SPOTS[0], port="Nakhodka")
    harbour_craft(
        tb,
        base=pl_.NAKHODKA_SPOTS[0],
        until=st.end,
        trips=[
            [nk["nakhodka_gate"], nk["nakhodka_app"], (132.95, 42.72)],
            [(132.892, 42.795), (132.897, 42.786)],
        ],
    )
    where, (centre, radius, _) = pick(
        rng,
        [
            ("Busan", ((129.72, 35.25), 6.0, "")),
            ("Posyet", pl_.FISHING_GROUNDS["posyet_offing"]),
            ("Chongjin", pl_.FISHING_GROUNDS["chongjin_offing"]),
        ],
    )
    span = st.end - st.start
    t0 = st.start + rng.uniform(0.1, 0.6) * span
    t1 = min(t0 + rng.uniform(2, 5) * DAY, st.end)
    twin = Vessel(v.mmsi, _name(rng, names), None, "", 30, float(np.round(rng.uniform(20, 40))), 7.0, 3.0)
    tw = st.actor(twin, centre, port=where, start=t0, end=t1)
    tw.fish(t1 - t0, centre=centre, radius_km=radius)
    st.events.append(
        {"mmsi": v.mmsi, "vessel": twin.name, "kind": "shared_mmsi", "start": t0, "end": t1, "port": where}
    )


# --- confounders: everyday traffic that looks like a dark call (domain.md §5) -----------------------
_DEST_SPOTS: dict[str, list[pl_.LonLat]] = {
    "Dunai": pl_.DUNAI_SPOTS,
    "Vostochny": pl_.VOSTOCHNY_WEST_SPOTS[:4],
}
# The lane node nearest each destination's outer anchorage.
_ANCHORAGE_NODE = {"Dunai": "strelok_strait", "Vostochny": "nakh_gulf"}


def _near(
    st: World, port: str, spot: pl_.LonLat, rng: np.random.Generator, metres: float = 80.0
) -> pl_.LonLat:
    """A berth spot ``metres`` from ``spot`` in a random direction, kept inside ``port``'s outline."""
    ang = rng.uniform(0, 2 * np.pi)
    lon, lat = offset_m(
        np.array([spot[0]]),
        np.array([spot[1]]),
        np.array([metres * np.sin(ang)]),
        np.array([metres * np.cos(ang)]),
    )
    moved = (round(float(lon[0]), 5), round(float(lat[0]), 5))
    return moved if shapely.contains_xy(st.ports[port].geometry, *moved) else spot


def _anchorage_wait(st: World, names: set[str]) -> None:
    """Ships that leave Dunai or Vostochny, anchor a few nm out and wait there dark for 2-5 days."""
    rng = st.rng()
    for k in range(int(rng.integers(2, 4))):
        port = ("Dunai", "Vostochny")[k % 2] if k < 2 else str(pick(rng, ["Dunai", "Vostochny"]))
        v = st.vessel(
            _name(rng, names), str(pick(rng, ["RU", "PA", "KR"])), 70, float(np.round(rng.uniform(80, 160)))
        )
        spots = _DEST_SPOTS[port]
        berth = _near(st, port, spots[(k + 1) % len(spots)], rng)
        tb = st.actor(v, berth, port=port)
        tb.dwell(rng.uniform(0.3, 4) * DAY, status=MOORED)
        node = _ANCHORAGE_NODE[port]
        while tb.t + 7 * DAY < st.end:
            anchor = pick(rng, pl_.OUTER_ANCHORAGES[port])
            tb.sail([*pl_.sea_route(port, node), anchor], rng.uniform(8, 11), lateral_m=200)
            before, wait, after = (
                rng.uniform(2, 12) * HOUR,
                rng.uniform(2, 5) * DAY,
                rng.uniform(2, 12) * HOUR,
            )
            t_off = tb.t + before
            tb.dwell(before + wait + after, status=AT_ANCHOR, radius_m=60.0)
            tb.silence(t_off, t_off + wait, "anchorage_wait")
            go(tb, node, port, berth, rng.uniform(8, 11))
            tb.dwell(rng.uniform(0.5, 4) * DAY, status=MOORED)
        tb.dwell_until(st.end, status=MOORED)
        random_holes(tb, st.start, st.end, per_day=0.03)


def _layup(st: World, names: set[str]) -> None:
    """Ships laid up alongside at Dunai or Vostochny, AIS off for days, back on at the same berth."""
    rng = st.rng()
    span = (st.end - st.start) / DAY
    for k in range(int(rng.integers(2, 4))):
        port = ("Vostochny", "Dunai")[k % 2] if k < 2 else str(pick(rng, ["Dunai", "Vostochny"]))
        v = st.vessel(_name(rng, names), "RU", 70, float(np.round(rng.uniform(70, 150))))
        spots = _DEST_SPOTS[port]
        berth = _near(st, port, spots[(k + 2) % len(spots)], rng)
        tb = st.actor(v, berth, port=port)
        t_off = st.start + rng.uniform(0.2, max(0.3, 0.35 * span)) * DAY
        days = float(min(rng.uniform(3, 10), max(0.5, (st.end - t_off) / DAY - 1.0)))
        tb.dwell(t_off - st.start + days * DAY + rng.uniform(0.5, 2) * DAY, status=MOORED, radius_m=15.0)
        tb.silence(t_off, t_off + days * DAY, "layup")
        if tb.t + 2 * DAY < st.end:  # then back to work: a trip to the other destination
            other = "Vostochny" if port == "Dunai" else "Dunai"
            go(tb, port, other, pick(rng, _DEST_SPOTS[other]), rng.uniform(9, 12))
        tb.dwell_until(st.end, status=MOORED)


def _dark_fleet(st: World, names: set[str], pattern: str) -> None:
    """True shuttles whose AIS goes off and on at a berth (``berth_switch``, ``berth_to_sea``)."""
    rng = st.rng()
    for k in range(int(rng.integers(2, 4))):
        # reporting every ~15 min at berth too, so the data show where the AIS went off and on
        v = st.vessel(_name(rng, names), "RU", 70, float(np.round(rng.uniform(100, 140))), berth_s=900.0)
        here = str(pick(rng, ["Dunai", "Vostochny"]))
        home_spot = {p: sp[(k + 1) % len(sp)] for p, sp in _DEST_SPOTS.items()}
        tb = st.actor(v, home_spot[here], port=here)
        pier = st.take_pier(share=False)
        tb.dwell(rng.uniform(0.3, 5) * DAY, status=MOORED)
        while tb.t + 5 * DAY < st.end:
            kw: dict[str, object]
            if pattern == "berth_switch":
                dest = "Vostochny" if here == "Dunai" else "Dunai"
                off_where = on_where = "berth"
                kw = {"off_at": "berth", "on_at": "berth"}
            else:
                dest = str(pick(rng, ["Dunai", "Vostochny"]))
                off_where, on_where = ("berth", "sea") if rng.random() < 0.5 else ("sea", "berth")
                kw = {"off_at": off_where, "on_at": on_where}
                kw["off_sea_nm" if off_where == "sea" else "on_sea_nm"] = rng.uniform(5, 15)
            voyage = najin_round_trip(
                tb,
                st.ports,
                from_port=here,
                to_port=dest,
                to_spot=home_spot[dest],
                najin_spot=pier,
                stay_s=rng.uniform(1, 3) * DAY,
                speed_kn=rng.uniform(9, 12),
                off_after_s=rng.uniform(0.5, 3) * HOUR,
                on_before_s=rng.uniform(0.5, 3) * HOUR,
                **kw,
            )
            st.truth.append(
                _call(
                    voyage,
                    pattern if pattern == "berth_switch" else f"{off_where}_to_{on_where}",
                    off_where,
                    on_where,
                )
            )
            if rng.random() < 0.5:
                ref = _call_ref(voyage)
                for t, src in passes_between(voyage.berth_arrival + HOUR, voyage.berth_departure - HOUR, rng)[
                    :2
                ]:
                    st.sightings.append(
                        observe(t, pier, v.length_m, src, "najin_shuttle", rng, ref=ref, mmsi=v.mmsi)
                    )
            here = dest
            tb.dwell(rng.uniform(0.5, 5) * DAY, status=MOORED)
        tb.dwell_until(st.end, status=MOORED)


def _berth_switch(st: World, names: set[str]) -> None:
    _dark_fleet(st, names, "berth_switch")


def _berth_to_sea(st: World, names: set[str]) -> None:
    _dark_fleet(st, names, "berth_to_sea")


def _twin_image(st: World, names: set[str]) -> None:
    """Two shuttles that lie at Najin together, both caught in one imagery pass on every call."""
    rng = st.rng()
    fleet = []
    for k, (home, lengths) in enumerate((("Dunai", (100, 115)), ("Vostochny", (125, 140)))):
        v = st.vessel(_name(rng, names), "RU", 70, float(np.round(rng.uniform(*lengths))))
        spot = _DEST_SPOTS[home][(k + 2) % len(_DEST_SPOTS[home])]
        fleet.append([v, st.actor(v, spot, port=home), home, st.take_pier(share=False)])
    t = st.start + rng.uniform(0.3, 3) * DAY
    while t + 7 * DAY < st.end:
        voyages = []
        for ship in fleet:
            v, tb, here, pier = ship
            tb.dwell_until(t + rng.uniform(0, 3) * HOUR, status=MOORED)
            dest = str(pick(rng, ["Dunai", "Vostochny"]))
            voyage = najin_round_trip(
                tb,
                st.ports,
                from_port=here,
                to_port=dest,
                to_spot=_DEST_SPOTS[dest][(fleet.index(ship) + 2) % len(_DEST_SPOTS[dest])],
                najin_spot=pier,
                stay_s=rng.uniform(2, 3) * DAY,
                speed_kn=rng.uniform(10, 12),
                off_after_s=rng.uniform(1, 4) * HOUR,
                on_before_s=rng.uniform(1, 4) * HOUR,
            )
            st.truth.append(_call(voyage, "twin", "sea", "sea"))
            voyages.append(voyage)
            ship[2] = dest
        lo = max(vg.berth_arrival for vg in voyages) + HOUR
        hi = min(vg.berth_departure for vg in voyages) - HOUR
        passes = passes_between(lo, hi, rng)
        img_t, src = passes[0] if passes else (float(np.floor((lo + hi) / 120.0) * 60.0), OPTICAL)
        for (v, _, _, pier), vg in zip(fleet, voyages, strict=True):
            st.sightings.append(
                observe(img_t, pier, v.length_m, src, "najin_shuttle", rng, ref=_call_ref(vg), mmsi=v.mmsi)
            )
        t = max(ship[1].t for ship in fleet) + rng.uniform(0.5, 3) * DAY
    for ship in fleet:
        ship[1].dwell_until(st.end, status=MOORED)


def _call_ref(voyage: NajinVoyage) -> str:
    arrived = datetime.fromtimestamp(round(voyage.najin_arrival), tz=UTC)
    return f"call:{voyage.mmsi}@{arrived:%Y-%m-%dT%H:%M:%SZ}"


_BUILDERS = {
    "shuttles": [_shuttles],
    "liners": [_liners],
    "fishing": [_fishing],
    "silent_berth": [_silent_berth],
    "shared_mmsi": [_shared_mmsi],
}
_BUILDERS["mixed"] = [_shuttles, _liners, _fishing, _silent_berth, _shared_mmsi]
_BUILDERS["anchorage_wait"] = [_anchorage_wait]
_BUILDERS["layup"] = [_layup]
_BUILDERS["shuttle_berth_switch"] = [_berth_switch]
_BUILDERS["shuttle_berth_to_sea"] = [_berth_to_sea]
_BUILDERS["twin_image"] = [_twin_image]
_BUILDERS["confounders"] = [
    *_BUILDERS["mixed"],
    _anchorage_wait,
    _layup,
    _berth_switch,
    _berth_to_sea,
    _twin_image,
]


def _frame(rows: list[dict[str, object]], frame_schema: pl.Schema) -> pl.DataFrame:
    """A frame from row dicts; datetime columns hold epoch seconds in the rows."""
    return pl.DataFrame(
        {
            c: _ts([r[c] for r in rows])
            if isinstance(dt, pl.Datetime)
            else pl.Series([r[c] for r in rows], dtype=dt)
            for c, dt in frame_schema.items()
        },
        schema=frame_schema,
    )


def _ts(values: list[float | None]) -> pl.Series:
    return (
        pl.Series([None if v is None else round(v) * 1_000_000 for v in values], dtype=pl.Int64)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )


def make_theatre(
    kind: str,
    *,
    seed: int,
    start: datetime = DEFAULT_START,
    days: float = 30.0,
    ports: dict[str, Port] | list[Port] | None = None,
) -> Theatre:
    """Build a randomized test theatre.

    Parameters
    ----------
    kind
        One of :data:`THEATRE_KINDS`.

        The first theatres:

        - ``"shuttles"``: 2-4 AIS-dark shuttles Dunai/Vostochny ↔ Najin (AIS off 1-4 h after leaving
          the port outline, on 1-4 h before entering the next; truth ``pattern`` ``"shuttle"``),
          random timing, speeds and stays of 1-3 days, imagery of about half the calls, sometimes a
          visible (AIS-on) call by a coaster (``"visible"``, ``dark`` false);
        - ``"liners"``: liners to Busan with 6-20 h reception holes mid-sea, no Najin call;
        - ``"fishing"``: boats dark 1-4 days in Posyet, Zarubino or Chongjin (events ``ais_off``);
        - ``"silent_berth"``: ships silent 8-20 h at berth in Nakhodka and Vostochny;
        - ``"shared_mmsi"``: a Nakhodka tug and a boat far away broadcasting one MMSI for 2-5 days;
        - ``"mixed"``: all five.

        The confounders of ``domain.md`` §5 (no Najin call unless said):

        - ``"anchorage_wait"``: 2-3 ships leave Dunai or Vostochny, anchor at its outer anchorage
          (:data:`sim.places.OUTER_ANCHORAGES`, 1-8 nm outside the outline, in no port) and wait
          there dark for 2-5 days, then reappear at the same spot (events ``anchorage_wait`` with
          the port) and sail back in; repeated while the theatre lasts;
        - ``"layup"``: 2-3 ships go dark alongside a Dunai or Vostochny berth and reappear there
          days later (2-10 days, events ``layup``), never having moved;
        - ``"shuttle_berth_switch"``: 2-3 true shuttles that switch AIS off at one destination's
          berth (inside the outline, 0.5-3 h before casting off) and on at the other's (0.5-3 h
          after coming alongside), having called at Najin in between (``pattern``
          ``"berth_switch"``);
        - ``"shuttle_berth_to_sea"``: 2-3 true shuttles that switch off at a berth and on at sea,
          5-15 nm from the arrival port's outline (``"berth_to_sea"``), or off at sea 5-15 nm out
          and on at a berth (``"sea_to_berth"``); these ships report every ~15 min at berth too;
        - ``"twin_image"``: two shuttles (100-115 m and 125-140 m) that sail together and lie at
          Najin at the same time on their own piers, both caught in one imagery pass on every call
          (two sightings with one ``observed_at`` and source, each with its measured length);
        - ``"confounders"``: all of the above plus everything of ``"mixed"`` (ordinary shuttles,
          liners, fishing, silent berths, a shared MMSI).

        Tables (all times UTC):

        - ``positions``: the canonical AIS table (:data:`shipwatch.schema.CANONICAL_SCHEMA`);
        - ``truth``: one row per true Najin call — ``mmsi, vessel, call_port`` (``"Najin"``),
          ``call_start, call_end`` (entry into / exit from the Najin outline), ``dark``,
          ``pattern`` (as above), ``from_port, to_port`` (the voyage's ports), ``ais_off, ais_on``
          (null for a visible call) and ``off_where, on_where`` (``"berth"`` or ``"sea"``);
        - ``events``: every silence, ``mmsi, vessel, kind, start, end, port`` — ``kind`` one of
          ``ais_off`` (a dark call, start/end = the truth's ``ais_off``/``ais_on``; also a fishing
          boat's dark spell), ``reception``, ``silent_berth``, ``anchorage_wait``, ``layup`` (these
          three with ``port``) and ``shared_mmsi`` (the second ship's broadcasting period);
        - ``sightings``: ``sighting_id, observed_at, lat, lon, length_m, source`` (as
          ``sightings.csv``), and ``sighting_truth``: ``sighting_id, kind`` (``najin_shuttle``,
          ``ais_vessel``), ``ref`` (``call:<mmsi>@<Najin arrival>``), ``mmsi, true_length_m``.

        Write ``positions`` as files with :func:`sim.layouts.write_positions` (MarineCadastre, DMA
        or NMEA).
    seed
        Random seed; the same (kind, seed, start, days) always gives the same theatre.
    start
        Start of the theatre, UTC.
    days
        Length of the theatre in days (at least 10 for ``"shuttles"`` to hold a voyage).
    ports
        Port outlines (the package's :class:`shipwatch.ports.Port`, a list or by name); default
        :func:`shipwatch.ports.load_ports`.
    """
    if kind not in THEATRE_KINDS:
        raise ValueError(f"unknown theatre kind {kind!r}; expected one of {', '.join(THEATRE_KINDS)}")
    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    t0 = epoch(start)
    t1 = t0 + days * DAY
    k = THEATRE_KINDS.index(kind)
    st = World(t0, t1, ports, ids_key=[seed, k, 0], stream_key=[seed, k], first_stream=1)
    names: set[str] = set()
    for build in _BUILDERS[kind]:
        build(st, names)

    positions = st.positions([schema.TIMESTAMP, schema.MMSI, schema.VESSEL_NAME])
    ev_rows = st.silences() + st.events
    ev_rows.sort(key=lambda r: (r["start"], r["mmsi"], r["kind"]))
    events = _frame(ev_rows, EVENT_SCHEMA)

    truth_rows = sorted((r for r in st.truth if r["call_start"] < t1), key=lambda r: r["call_start"])
    truth = _frame(truth_rows, TRUTH_SCHEMA)

    sightings = number_sightings([s for s in st.sightings if t0 <= s.t < t1], prefix="T")
    return Theatre(
        kind,
        seed,
        start,
        start + timedelta(days=days),
        positions,
        sightings_frame(sightings),
        truth,
        sighting_truth_frame(sightings),
        events,
    )
