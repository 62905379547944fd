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

from shipwatch import schema
from shipwatch.ports import Port
from sim import places as pl_
from sim.imagery import (
    number_sightings,
    observe,
    pass_time,
    passes_between,
    sighting_truth_frame,
    sightings_frame,
)
from sim.tracks import DAY, HOUR, MOORED, Vessel, epoch
from sim.traffic import (
    DarkInPort,
    SilentBerth,
    fishing_boat,
    harbour_craft,
    liner,
    pick,
    port_rotation,
    random_holes,
)
from sim.voyages import najin_round_trip
from sim.world import World

THEATRE_KINDS: tuple[str, ...] = ("shuttles", "liners", "fishing", "silent_berth", "shared_mmsi", "mixed")
DEFAULT_START = datetime(2023, 9, 1, tzinfo=UTC)

TRUTH_SCHEMA = pl.Schema(
    {
        "mmsi": pl.Int64(),
        "vessel": pl.String(),
        "call_port": pl.String(),
        "call_start": pl.Datetime("us", "UTC"),
        "call_end": pl.Datetime("us", "UTC"),
        "dark": pl.Boolean(),
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
        True calls at Najin: ``mmsi, vessel, call_port, call_start, call_end, dark`` (call times are
        entry into and exit from the Najin outline).
    sighting_truth
        For each sighting: ``sighting_id, kind, ref, mmsi`` (null when the vessel has no AIS) and
        ``true_length_m``.
    events
        Every interval without transmission: ``mmsi, vessel, kind`` (``ais_off``, ``reception``,
        ``silent_berth``, ``shared_mmsi`` for the second ship's broadcast period), ``start, end, port``.
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
            st.truth.append(
                {
                    "mmsi": v.mmsi,
                    "vessel": v.name,
                    "call_port": "Najin",
                    "call_start": voyage.najin_arrival,
                    "call_end": voyage.najin_departure,
                    "dark": True,
                }
            )
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
        st.truth.append(
            {
                "mmsi": v.mmsi,
                "vessel": v.name,
                "call_port": "Najin",
                "call_start": voyage.najin_arrival,
                "call_end": voyage.najin_departure,
                "dark": False,
            }
        )
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


_BUILDERS = {
    "shuttles": [_shuttles],
    "liners": [_liners],
    "fishing": [_fishing],
    "silent_berth": [_silent_berth],
    "shared_mmsi": [_shared_mmsi],
}
_BUILDERS["mixed"] = [_shuttles, _liners, _fishing, _silent_berth, _shared_mmsi]


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


def _ts(values: list[float]) -> pl.Series:
    return (
        pl.Series([round(v) * 1_000_000 for v in values], dtype=pl.Int64)
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
        One of :data:`THEATRE_KINDS`: ``"shuttles"`` (2-4 AIS-dark shuttles Dunai/Vostochny ↔ Najin,
        random timing, speeds and stays, imagery of about half the calls, sometimes a visible
        call), ``"liners"`` (liners to Busan with 6-20 h reception holes, no Najin call),
        ``"fishing"`` (boats dark 1-4 days in Posyet, Zarubino or Chongjin), ``"silent_berth"``
        (ships silent 8-20 h at berth in Nakhodka and Vostochny), ``"shared_mmsi"`` (a Nakhodka
        tug and a boat far away broadcasting one MMSI for 2-5 days) or ``"mixed"`` (all of them).
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
