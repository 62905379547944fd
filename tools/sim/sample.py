"""The bundled sample: simulated AIS and imagery for Peter the Great Gulf and Rason, Aug 2023 - Feb 2024.

One in-memory plan (:func:`build_sample`) produces the AIS positions, the imagery sightings and
the events table together, so the documented events are exactly what the positions show. It
follows the pattern of ``domain.md`` §2: 25 dark calls at Najin (late Aug - early Dec 2023) by
four AIS-dark shuttles to Dunai and Vostochny, 19 AIS-less vessels imaged at Vostochny, no Najin
activity from mid-December to February, and ordinary traffic with ordinary reception holes.
:func:`write_sample` writes it as NOAA MarineCadastre daily files plus ``sightings.csv``,
``events.csv`` and ``README.md``, byte-for-byte the same for the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from shipwatch import schema
from shipwatch.ports import Port
from sim import places as pl_
from sim.imagery import (
    nearest_ais_km,
    number_sightings,
    observe,
    pass_time,
    passes_between,
    sighting_truth_frame,
    sightings_frame,
    write_sightings_csv,
)
from sim.marinecadastre import write_daily_files
from sim.tracks import AT_ANCHOR, DAY, HOUR, MOORED, LonLat, Vessel, epoch
from sim.traffic import (
    DarkInPort,
    SilentBerth,
    fishing_boat,
    go,
    harbour_craft,
    liner,
    port_rotation,
    random_holes,
)
from sim.voyages import NajinVoyage, najin_round_trip
from sim.world import World

SEED = 20230801
START = datetime(2023, 8, 1, tzinfo=UTC)
END = datetime(2024, 3, 1, tzinfo=UTC)
WINTER_PAUSE = datetime(2023, 12, 15, tzinfo=UTC)
EVENT_COLUMNS = [
    "event_id",
    "kind",
    "vessel",
    "mmsi",
    "stands_in_for",
    "length_m",
    "departure_port",
    "departure_time",
    "ais_off",
    "najin_arrival",
    "najin_departure",
    "ais_on",
    "arrival_port",
    "arrival_time",
    "sighting_ids",
    "source",
]

SRC_VOA = (
    "scenario choice: a call every few days in Oct-Nov 2023 (domain.md §2: VOA, a call about every 4 days)"
)
SRC_CHOICE = "scenario choice"


def _t(text: str) -> float:
    """Epoch seconds of ``YYYY-MM-DDTHH`` (UTC)."""
    return epoch(datetime.strptime(text, "%Y-%m-%dT%H").replace(tzinfo=UTC))


@dataclass(frozen=True)
class ShuttleSpec:
    """One AIS-dark shuttle: identity, stand-in, berths, AIS-on moves and dark Najin voyages.

    ``moves`` are AIS-on repositionings ``(YYYY-MM-DDTHH, port)``; ``voyages`` are
    ``(YYYY-MM-DDTHH departure, from port, to port, source)``.
    """

    name: str
    stands_in_for: str
    length_m: float
    width_m: float
    draught_m: float
    najin_spot: str
    spots: dict[str, LonLat]
    start_port: str
    moves: list[tuple[str, str]]
    voyages: list[tuple[str, str, str, str]]


def _spots(dunai: int, vostochny: int, anchorage: int, nakhodka: int) -> dict[str, LonLat]:
    return {
        "Dunai": pl_.DUNAI_SPOTS[dunai],
        "Vostochny": pl_.VOSTOCHNY_WEST_SPOTS[vostochny],
        "Vladivostok anchorage": pl_.VLADIVOSTOK_ANCHORAGE[anchorage],
        "Nakhodka": pl_.NAKHODKA_SPOTS[nakhodka],
    }


SHUTTLES: list[ShuttleSpec] = [
    ShuttleSpec(
        "KAMA",
        "Angara",
        122,
        19,
        7.4,
        "pier1_n",
        _spots(0, 0, 0, 2),
        "Vladivostok anchorage",
        moves=[
            ("2023-08-12T03", "Dunai"),
            ("2023-12-27T02", "Vladivostok anchorage"),
            ("2024-01-22T05", "Dunai"),
        ],
        voyages=[
            (
                "2023-08-23T09",
                "Dunai",
                "Dunai",
                "domain.md §2: Angara's first Dunai -> Rajin run, late Aug 2023 (CSIS Beyond Parallel)",
            ),
            (
                "2023-09-04T20",
                "Dunai",
                "Dunai",
                "scenario choice (CSIS: at least 6 trips late Aug - 16 Oct 2023)",
            ),
            (
                "2023-09-18T04",
                "Dunai",
                "Vostochny",
                "scenario choice (CSIS: at least 6 trips late Aug - 16 Oct 2023)",
            ),
            ("2023-10-01T07", "Vostochny", "Dunai", SRC_VOA),
            ("2023-10-12T15", "Dunai", "Dunai", SRC_VOA),
            ("2023-10-24T02", "Dunai", "Dunai", SRC_VOA),
            ("2023-11-05T11", "Dunai", "Dunai", SRC_VOA),
            ("2023-11-19T06", "Dunai", "Dunai", SRC_VOA),
            (
                "2023-12-04T05",
                "Dunai",
                "Dunai",
                "scenario choice: last call ends before 10 Dec (user's claim: none from December; "
                "domain.md §2: Bloomberg has Angara at Najin on 9 Dec 2023)",
            ),
        ],
    ),
    ShuttleSpec(
        "SOFIA",
        "Maria",
        113,
        17,
        6.9,
        "pier1_s",
        _spots(1, 1, 1, 3),
        "Vostochny",
        moves=[
            ("2023-08-14T08", "Nakhodka"),
            ("2023-08-20T10", "Vladivostok anchorage"),
            ("2023-09-08T01", "Dunai"),
            ("2023-12-18T09", "Vladivostok anchorage"),
            ("2024-02-05T04", "Vostochny"),
        ],
        voyages=[
            ("2023-09-12T05", "Dunai", "Dunai", "domain.md §2: Maria joined on 12 Sep 2023"),
            (
                "2023-09-25T13",
                "Dunai",
                "Vostochny",
                "scenario choice (CSIS: at least 6 trips late Aug - 16 Oct 2023)",
            ),
            ("2023-10-07T03", "Vostochny", "Vostochny", SRC_VOA),
            ("2023-10-20T09", "Vostochny", "Dunai", SRC_VOA),
            ("2023-11-01T04", "Dunai", "Dunai", SRC_VOA),
            ("2023-11-14T17", "Dunai", "Vostochny", SRC_VOA),
            ("2023-11-27T01", "Vostochny", "Vostochny", SRC_VOA),
        ],
    ),
    ShuttleSpec(
        "LADY MILA",
        "Lady R",
        108,
        17,
        6.5,
        "pier2_n",
        _spots(2, 2, 2, 2),
        "Nakhodka",
        moves=[
            ("2023-08-25T06", "Vostochny"),
            ("2023-09-15T12", "Vladivostok anchorage"),
            ("2023-10-02T03", "Dunai"),
            ("2024-01-12T07", "Dunai"),
        ],
        voyages=[
            ("2023-10-05T17", "Dunai", "Dunai", "domain.md §2: Lady R joined on 6 Oct 2023"),
            ("2023-10-16T08", "Dunai", "Vostochny", SRC_VOA),
            ("2023-10-28T12", "Vostochny", "Dunai", SRC_VOA),
            ("2023-11-09T02", "Dunai", "Dunai", SRC_VOA),
            ("2023-11-22T14", "Dunai", "Dunai", SRC_VOA),
            ("2023-12-01T06", "Dunai", "Vostochny", SRC_VOA),
        ],
    ),
    ShuttleSpec(
        "MIRA-1",
        "Maia-1",
        131,
        19,
        7.8,
        "pier2_s",
        _spots(0, 3, 3, 3),
        "Vladivostok anchorage",
        moves=[
            ("2023-09-01T04", "Vostochny"),
            ("2023-09-20T09", "Nakhodka"),
            ("2023-10-10T02", "Vostochny"),
            ("2023-12-20T05", "Vladivostok anchorage"),
        ],
        voyages=[
            (
                "2023-10-18T10",
                "Vostochny",
                "Vostochny",
                "domain.md §2: Maia-1 joined in Oct 2023, to Vostochny",
            ),
            ("2023-11-04T07", "Vostochny", "Vostochny", SRC_VOA),
            ("2023-11-18T19", "Vostochny", "Vostochny", SRC_VOA),
        ],
    ),
]


@dataclass
class Sample:
    """The simulated sample in memory.

    Attributes
    ----------
    positions
        Canonical AIS table (transmitted reports only), sorted by MMSI and time.
    sightings
        Public imagery table as in ``sightings.csv``.
    sighting_truth
        What each sighting really is (kind, event id, MMSI, true length).
    events
        The documented events table (``events.csv``), all times as ISO 8601 UTC strings.
    vessels
        Every simulated identity with its role.
    """

    positions: pl.DataFrame
    sightings: pl.DataFrame
    sighting_truth: pl.DataFrame
    events: pl.DataFrame
    vessels: pl.DataFrame
    voyages: list[NajinVoyage] = field(default_factory=list)


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(round(t), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sample_world(seed: int, ports: dict[str, Port] | list[Port] | None) -> World:
    """The world the sample is built in (its seed keys fixed since the first sample)."""
    return World(epoch(START), epoch(END), ports, ids_key=[seed, 1], stream_key=[seed], first_stream=101)


def _event(plan: World, kind: str, ship: Vessel | None, source: str, **fields: object) -> None:
    """Record a documented event (a row of ``events.csv``)."""
    row: dict[str, object] = {c: None for c in EVENT_COLUMNS}
    row.update(kind=kind, source=source)
    if ship is not None:
        row.update(vessel=ship.name, mmsi=ship.mmsi, length_m=ship.length_m)
    row.update(fields)
    plan.events.append(row)


# --- the actors -------------------------------------------------------------------------------------
def _shuttles(plan: World) -> None:
    for spec in SHUTTLES:
        v = plan.ids.vessel(spec.name, "RU", 70, spec.length_m, spec.width_m, spec.draught_m)
        start = epoch(START)
        tb = plan.actor(v, spec.spots[spec.start_port], start=start, role="shuttle")
        rng = tb.rng
        here = spec.start_port
        steps: list[tuple[float, str, tuple]] = [(_t(d), "move", (p,)) for d, p in spec.moves]
        steps += [(_t(d), "voyage", (a, b, src)) for d, a, b, src in spec.voyages]
        for when, what, args in sorted(steps, key=lambda s: s[0]):
            status = AT_ANCHOR if here == "Vladivostok anchorage" else MOORED
            tb.dwell_until(
                when + rng.uniform(-1, 1) * HOUR,
                status=status,
                radius_m=50.0 if status == AT_ANCHOR else 25.0,
            )
            if what == "move":
                go(tb, here, args[0], spec.spots[args[0]], rng.uniform(10, 12))
                here = args[0]
                continue
            origin, dest, src = args
            assert origin == here, f"{spec.name}: voyage from {origin} but lying at {here}"
            voyage = najin_round_trip(
                tb,
                plan.ports,
                from_port=origin,
                to_port=dest,
                to_spot=spec.spots[dest],
                najin_spot=pl_.NAJIN_PIER_SPOTS[spec.najin_spot],
                stay_s=DAY,
                speed_kn=rng.uniform(9, 12),
                off_after_s=rng.uniform(1, 4) * HOUR,
                on_before_s=rng.uniform(1, 4) * HOUR,
                wait_s=rng.uniform(2, 10) * HOUR,
                wait_spot=pl_.NAJIN_WAIT_SPOTS[int(rng.integers(0, 2))],
                round_trip_s=rng.uniform(3.1, 4.8) * DAY,
            )
            plan.voyages.append((voyage, spec.stands_in_for, src))
            here = dest
        status = AT_ANCHOR if here == "Vladivostok anchorage" else MOORED
        tb.dwell_until(epoch(END), status=status, radius_m=50.0 if status == AT_ANCHOR else 25.0)


def _liners(plan: World) -> None:
    specs = [
        ("OKEAN EXPRESS", "RU", 71, 172, 27, 9.8, "Vostochny", [pl_.VOSTOCHNY_WEST_SPOTS[4]], 15.5),
        ("EASTERN BRIDGE", "KR", 71, 147, 23, 8.6, "Vostochny", [pl_.VOSTOCHNY_WEST_SPOTS[5]], 14.5),
        ("PRIMORYE LINK", "RU", 71, 199, 30, 10.5, "Vostochny", pl_.VOSTOCHNY_WEST_SPOTS[4:6], 16.0),
        ("SEA OF HOPE", "PA", 70, 118, 18, 7.1, "Nakhodka", pl_.NAKHODKA_SPOTS[2:4], 12.5),
        ("NAKHODKA TRADER", "RU", 70, 104, 16, 6.4, "Nakhodka", pl_.NAKHODKA_SPOTS[2:4], 12.0),
        ("VOLNA", "RU", 80, 228, 42, 13.9, "Kozmino", pl_.KOZMINO_SPOTS[:1], 13.0),
        ("KOZMINO SPIRIT", "PA", 80, 244, 42, 14.6, "Kozmino", pl_.KOZMINO_SPOTS[1:], 13.5),
    ]
    for name, flag, stype, length, width, draught, home, spots, speed in specs:
        v = plan.ids.vessel(name, flag, stype, length, width, draught, underway_s=1200.0, berth_s=3600.0)
        tb = plan.actor(v, spots[0], role="liner")
        liner(
            tb,
            home=home,
            home_spots=spots,
            away="Busan",
            away_spots=pl_.BUSAN_SPOTS,
            until=epoch(END),
            speed_kn=speed,
        )
        random_holes(tb, epoch(START), epoch(END), per_day=0.04)


def _harbour(plan: World) -> Vessel:
    nk = pl_.NODES
    gulf_trips = [
        [nk["nakhodka_gate"], nk["nakhodka_app"], (132.9500, 42.7200)],
        [
            nk["nakhodka_gate"],
            nk["nakhodka_app"],
            nk["vost_out"],
            nk["vost_w"],
            nk["vostochny_gate"],
            pl_.VOSTOCHNY_WEST_SPOTS[3],
        ],
        [(132.8920, 42.7950), (132.8970, 42.7860)],
        [
            nk["nakhodka_gate"],
            nk["nakhodka_app"],
            nk["nakh_gulf"],
            nk["kozmino_app"],
            nk["kozmino_gate"],
            pl_.KOZMINO_SPOTS[1],
        ],
    ]
    pilot_trips = [
        [nk["nakhodka_gate"], nk["nakhodka_app"], (132.9550, 42.7000)],
        [nk["nakhodka_gate"], nk["nakhodka_app"], nk["nakh_gulf"], (132.9600, 42.6600)],
    ]
    vl = pl_.VLADIVOSTOK_HARBOUR_SPOTS
    first_tug = None
    for name, stype, length, base, trips, speed in [
        ("BARS", 52, 31, pl_.NAKHODKA_SPOTS[0], gulf_trips, 9.0),
        ("SIVUCH", 52, 29, pl_.NAKHODKA_SPOTS[0], gulf_trips, 9.0),
        ("LOTSMAN-3", 50, 18, pl_.NAKHODKA_SPOTS[1], pilot_trips, 14.0),
        ("ZOLOTOY ROG", 52, 27, vl[0], [[vl[1]], [vl[2]], [vl[3]]], 7.0),
        ("PORTOVIK", 53, 22, vl[1], [[vl[0]], [vl[2]]], 6.0),
    ]:
        v = plan.ids.vessel(name, "RU", stype, length, 9, 3.2, imo=False, underway_s=600.0, berth_s=3600.0)
        tb = plan.actor(v, base, role="harbour craft")
        harbour_craft(tb, base=base, trips=trips, until=epoch(END), speed_kn=speed)
        random_holes(tb, epoch(START), epoch(END), per_day=0.03)
        first_tug = first_tug or v
    assert first_tug is not None
    return first_tug


def _fishing(plan: World) -> None:
    boats = [
        (
            "POSYET-11",
            "Posyet",
            pl_.POSYET_SPOTS,
            ["posyet_offing", "gamov_south"],
            [("2023-09-20", "Zarubino", 2.5)],
        ),
        ("KREVETKA", "Posyet", pl_.POSYET_SPOTS, ["posyet_offing"], [("2023-11-02", "Posyet", 1.5)]),
        ("MORSKOY ERSH", "Posyet", pl_.POSYET_SPOTS, ["posyet_offing", "gamov_south"], []),
        (
            "ZARUBINO-7",
            "Zarubino",
            pl_.ZARUBINO_SPOTS,
            ["gamov_south", "askold_west"],
            [("2023-10-10", "Posyet", 3.5), ("2024-01-15", "Zarubino", 1.2)],
        ),
        ("TROITSA", "Zarubino", pl_.ZARUBINO_SPOTS, ["gamov_south"], [("2023-08-25", "Zarubino", 2.0)]),
        ("GAMOV", "Zarubino", pl_.ZARUBINO_SPOTS, ["gamov_south", "posyet_offing"], []),
    ]
    spot_of = {"Posyet": pl_.POSYET_SPOTS[1], "Zarubino": pl_.ZARUBINO_SPOTS[1]}
    for name, home, spots, grounds, darks in boats:
        rng_len = plan.rng()
        v = plan.ids.vessel(
            name,
            "RU",
            30,
            float(np.round(rng_len.uniform(24, 48))),
            8,
            3.5,
            imo=False,
            underway_s=900.0,
            berth_s=3600.0,
        )
        tb = plan.actor(v, spots[0], role="fishing")
        dark = [
            DarkInPort(epoch(datetime.fromisoformat(d).replace(tzinfo=UTC)), port, spot_of[port], days)
            for d, port, days in darks
        ]
        for e in fishing_boat(
            tb, plan.ports, home=home, home_spots=spots, grounds=grounds, until=epoch(END), dark=dark
        ):
            _event(
                plan,
                "fishing_dark",
                v,
                "scenario choice: a fishing boat dark for days in an unwatched port",
                arrival_port=e["port"],
                ais_off=_iso(e["start"]),
                ais_on=_iso(e["end"]),
            )
        random_holes(tb, epoch(START), epoch(END), per_day=0.05)


def _rotations(plan: World) -> None:
    anch = pl_.VLADIVOSTOK_ANCHORAGE
    calls_a = {
        "Vladivostok anchorage": anch,
        "Nakhodka": pl_.NAKHODKA_SPOTS[2:4],
        "Vostochny": pl_.VOSTOCHNY_WEST_SPOTS[4:6],
    }
    calls_b = {
        "Vladivostok anchorage": anch,
        "Nakhodka": pl_.NAKHODKA_SPOTS[2:4],
        "Slavyanka": pl_.SLAVYANKA_SPOTS,
    }
    specs = [
        ("AMURSKIY ZALIV", "RU", 70, 96, 15, 5.9, calls_a, "Vladivostok anchorage", None),
        (
            "KAPITAN BELOV",
            "RU",
            70,
            89,
            14,
            5.5,
            calls_b,
            "Nakhodka",
            SilentBerth(epoch(datetime(2023, 11, 10, tzinfo=UTC)), "Nakhodka", 14.0),
        ),
        ("GRAND PACIFIC", "PA", 70, 139, 21, 8.2, calls_a, "Vladivostok anchorage", None),
        ("SEVERNY BEREG", "RU", 79, 77, 13, 4.8, calls_b, "Slavyanka", None),
        ("HANBIT", "KR", 70, 121, 19, 7.5, calls_a, "Nakhodka", None),
        ("ORLAN", "RU", 70, 84, 13, 5.2, calls_b, "Vladivostok anchorage", None),
    ]
    for name, flag, stype, length, width, draught, calls, start_port, silent in specs:
        v = plan.ids.vessel(name, flag, stype, length, width, draught, underway_s=1200.0, berth_s=5400.0)
        rng0 = plan.rng()
        tb = plan.actor(
            v, calls[start_port][int(rng0.integers(0, len(calls[start_port])))], role="coastal trader"
        )
        for e in port_rotation(
            tb, start_port=start_port, calls=calls, until=epoch(END), speed_kn=11.0, silent=silent
        ):
            _event(
                plan,
                "silent_berth",
                v,
                "scenario choice: a ship silent for hours at its berth in Nakhodka",
                arrival_port=e["port"],
                ais_off=_iso(e["start"]),
                ais_on=_iso(e["end"]),
            )
        random_holes(tb, epoch(START), epoch(END), per_day=0.04)


def _visible_najin_calls(plan: World) -> None:
    specs = [
        (
            "ZARYA",
            "RU",
            52,
            38,
            10,
            4.0,
            "Zarubino",
            pl_.ZARUBINO_SPOTS[0],
            "2023-08-02T00",
            "2023-08-09T06",
            "2023-08-20T00",
            "scenario choice: a Russian tug calls at Najin with AIS on",
        ),
        (
            "HAI XING 58",
            "CN",
            70,
            97,
            16,
            6.0,
            "Busan",
            pl_.BUSAN_SPOTS[1],
            "2023-09-02T00",
            "2023-09-05T03",
            "2023-09-22T00",
            "scenario choice: a Chinese-flagged coaster calls at Najin with AIS on in September",
        ),
        (
            "RYONGAK SAN",
            "KP",
            70,
            86,
            14,
            5.6,
            "Chongjin",
            pl_.CHONGJIN_SPOTS[0],
            "2023-11-08T00",
            "2023-11-11T08",
            "2023-11-20T00",
            "scenario choice: a DPRK coaster calls at Najin with AIS on",
        ),
    ]
    for name, flag, stype, length, width, draught, home, spot, t0, t_dep, t1, src in specs:
        v = plan.ids.vessel(name, flag, stype, length, width, draught, underway_s=900.0, berth_s=3600.0)
        tb = plan.actor(v, spot, start=_t(t0), end=_t(t1), role="visible Najin caller")
        tb.dwell_until(_t(t_dep))
        voyage = najin_round_trip(
            tb,
            plan.ports,
            from_port=home,
            to_port=home,
            to_spot=spot,
            najin_spot=pl_.NAJIN_PIER_SPOTS["pier3"],
            stay_s=tb.rng.uniform(20, 50) * HOUR,
            speed_kn=tb.rng.uniform(9, 11),
            dark=False,
        )
        tb.dwell_until(_t(t1))
        _event(
            plan,
            "visible_najin_call",
            v,
            src,
            departure_port=home,
            departure_time=_iso(voyage.departure),
            najin_arrival=_iso(voyage.najin_arrival),
            najin_departure=_iso(voyage.najin_departure),
            arrival_port=home,
            arrival_time=_iso(voyage.arrival),
        )


def _shared_mmsi(plan: World, tug: Vessel) -> None:
    v = Vessel(tug.mmsi, "DAE SUNG 3", None, "", 30, 35, 8, 3.0, "A", 900.0, 3600.0)
    start, end = _t("2024-01-08T05"), _t("2024-01-12T17")
    tb = plan.actor(v, (129.7000, 35.2600), start=start, end=end, role="shared MMSI")
    tb.fish(end - start, centre=(129.7200, 35.2500), radius_km=6.0)
    _event(
        plan,
        "shared_mmsi",
        v,
        "scenario choice: a Korean boat broadcasts the Nakhodka tug's MMSI",
        departure_time=_iso(start),
        arrival_time=_iso(end),
        arrival_port="Busan (sea off)",
    )


# --- imagery --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ais:
    """Transmitted reports sorted by time, as arrays (epoch s, degrees, MMSI)."""

    t: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    mmsi: np.ndarray

    @classmethod
    def of(cls, positions: pl.DataFrame) -> _Ais:
        df = positions.sort([schema.TIMESTAMP, schema.MMSI])
        return cls(
            df[schema.TIMESTAMP].dt.epoch("s").to_numpy().astype(np.float64),
            df[schema.LON].to_numpy(),
            df[schema.LAT].to_numpy(),
            df[schema.MMSI].to_numpy(),
        )


def _najin_imagery(plan: World, rng: np.random.Generator, voyage_ids: list[str]) -> None:
    """Shuttles imaged at the Najin piers on 12 of their 25 calls; two unrelated vessels at Pier 3."""
    imaged = 0
    for i in rng.permutation(len(plan.voyages)):
        if imaged >= 12:
            break
        voyage = plan.voyages[int(i)][0]
        passes = passes_between(voyage.berth_arrival + HOUR, voyage.berth_departure - HOUR, rng)
        if not passes:
            continue
        imaged += 1
        take = 2 if len(passes) > 1 and rng.random() < 0.3 else 1
        for j in sorted(rng.choice(len(passes), size=take, replace=False)):
            t, src = passes[int(j)]
            plan.sightings.append(
                observe(
                    t,
                    voyage.najin_spot,
                    voyage.length_m,
                    src,
                    "najin_shuttle",
                    rng,
                    ref=voyage_ids[int(i)],
                    mmsi=voyage.mmsi,
                )
            )
    for k, (length, first_day, n) in enumerate([(78.0, "2023-09-19T00", 1), (164.0, "2023-11-02T00", 2)]):
        ref = f"N{k + 1:02d}"
        passes = [pass_time(_t(first_day) + d * DAY, rng) for d in range(n)]
        for t, src in passes:
            plan.sightings.append(
                observe(t, pl_.NAJIN_PIER_SPOTS["pier3"], length, src, "najin_other", rng, ref=ref)
            )
        start = passes[0][0] - rng.uniform(6, 20) * HOUR
        end = passes[-1][0] + rng.uniform(6, 20) * HOUR
        _event(
            plan,
            "najin_unrelated",
            None,
            "scenario choice: an unrelated AIS-less vessel imaged at Najin",
            event_id=ref,
            vessel=f"unidentified Najin vessel {k + 1}",
            length_m=length,
            najin_arrival=_iso(start),
            najin_departure=_iso(end),
        )


def _aisless_vostochny(plan: World, rng: np.random.Generator, ais: _Ais) -> None:
    """Nineteen AIS-less calls at Vostochny's east basin, each imaged 1-3 days running, >= 2 km from AIS."""
    for k, centre in enumerate(np.linspace(_t("2023-08-06T00"), _t("2023-12-16T00"), 19)):
        length = float(np.round(rng.uniform(58, 150)))
        n = int(rng.choice([1, 2, 3], p=[0.35, 0.4, 0.25]))
        for attempt in range(12):
            day = np.floor((centre + (rng.uniform(-2, 2) + attempt) * DAY) / DAY) * DAY
            spot = pl_.VOSTOCHNY_EAST_SPOTS[int(rng.integers(0, len(pl_.VOSTOCHNY_EAST_SPOTS)))]
            passes = [pass_time(day + d * DAY, rng) for d in range(n)]
            if all(nearest_ais_km(t, spot, ais.t, ais.lon, ais.lat) >= 2.0 for t, _ in passes):
                break
        else:  # pragma: no cover - the east basin is far from every AIS berth
            raise RuntimeError(f"no AIS-free slot for AIS-less call {k + 1}")
        ref = f"A{k + 1:02d}"
        for t, src in passes:
            plan.sightings.append(observe(t, spot, length, src, "aisless_call", rng, ref=ref))
        start = passes[0][0] - rng.uniform(6, 30) * HOUR
        end = passes[-1][0] + rng.uniform(6, 30) * HOUR
        _event(
            plan,
            "aisless_call",
            None,
            "domain.md §2: nineteen vessels without AIS transited to Vostochny (user's claim); "
            "North Korean tankers call at Vostochny's oil facilities with AIS off",
            event_id=ref,
            vessel=f"AIS-less vessel {k + 1:02d}",
            length_m=length,
            arrival_port="Vostochny",
            arrival_time=_iso(start),
            departure_port="Vostochny",
            departure_time=_iso(end),
        )


def _ais_vessel_imagery(plan: World, rng: np.random.Generator, positions: pl.DataFrame, ais: _Ais) -> None:
    """Twelve sightings of vessels moored at Vostochny or Dunai with AIS on, alone within 400 m."""
    import shapely

    from shipwatch.geo import haversine_km

    moored = positions.filter(pl.col(schema.NAV_STATUS) == MOORED)
    lon, lat = moored[schema.LON].to_numpy(), moored[schema.LAT].to_numpy()
    port_of = np.full(moored.height, "", dtype=object)
    for name in ("Vostochny", "Dunai"):
        port_of[shapely.contains_xy(plan.ports[name].geometry, lon, lat)] = name
    cand = moored.with_columns(pl.Series("_port", port_of.astype(str))).filter(pl.col("_port") != "")
    cand = cand.sort([schema.TIMESTAMP, schema.MMSI])
    ctimes = cand[schema.TIMESTAMP].dt.epoch("s").to_numpy().astype(np.float64)
    first, last = int(epoch(START) // DAY), int(epoch(END) // DAY)
    count = 0
    for day in np.sort(rng.choice(np.arange(first, last), size=60, replace=False)):
        if count >= 12:
            break
        t, src = pass_time(float(day) * DAY, rng)
        a, b = np.searchsorted(ctimes, [t - 1200, t + 1200])
        if b <= a:
            continue
        row = cand.row(int(a + rng.integers(0, b - a)), named=True)
        spot = (row[schema.LON], row[schema.LAT])
        lo, hi = np.searchsorted(ais.t, [t - HOUR, t + HOUR])
        near = haversine_km(spot[1], spot[0], ais.lat[lo:hi], ais.lon[lo:hi]) < 0.4
        if set(ais.mmsi[lo:hi][near].tolist()) - {row[schema.MMSI]}:
            continue
        count += 1
        ref = f"M{count:02d}"
        mmsi = int(row[schema.MMSI])
        plan.sightings.append(
            observe(
                t,
                spot,
                row[schema.LENGTH_M],
                src,
                "ais_vessel",
                rng,
                ref=ref,
                mmsi=mmsi,
                position_sigma_m=15.0,
            )
        )
        _event(
            plan,
            "ais_sighting",
            None,
            "scenario choice: imagery of a vessel present on AIS (the 'ais' match)",
            event_id=ref,
            vessel=row[schema.VESSEL_NAME],
            mmsi=mmsi,
            length_m=row[schema.LENGTH_M],
            arrival_port=row["_port"],
        )


# --- assembly ---------------------------------------------------------------------------------------
def build_sample(seed: int = SEED, *, ports: dict[str, Port] | None = None) -> Sample:
    """Simulate the whole sample in memory (about 10 s).

    Parameters
    ----------
    seed
        Seed of every random draw; the same seed gives the same sample.
    ports
        Port outlines; default :func:`shipwatch.ports.load_ports`.
    """
    plan = _sample_world(seed, ports)
    _shuttles(plan)
    _liners(plan)
    tug = _harbour(plan)
    _fishing(plan)
    _rotations(plan)
    _visible_najin_calls(plan)
    _shared_mmsi(plan, tug)

    positions = plan.positions([schema.MMSI, schema.TIMESTAMP, schema.VESSEL_NAME])
    ais = _Ais.of(positions)

    plan.voyages.sort(key=lambda item: item[0].najin_arrival)
    voyage_ids = [f"V{i + 1:02d}" for i in range(len(plan.voyages))]
    rng = np.random.default_rng([seed, 2])
    _najin_imagery(plan, rng, voyage_ids)
    _aisless_vostochny(plan, rng, ais)
    _ais_vessel_imagery(plan, rng, positions, ais)
    sightings = number_sightings(plan.sightings)
    ids_by_ref: dict[str, list[str]] = {}
    for s in sightings:
        ids_by_ref.setdefault(s.ref, []).append(s.sighting_id)

    rows: list[dict[str, object]] = []
    for vid, (v, stands_in_for, src) in zip(voyage_ids, plan.voyages, strict=True):
        rows.append(
            {
                "event_id": vid,
                "kind": "shuttle_voyage",
                "vessel": v.vessel,
                "mmsi": v.mmsi,
                "stands_in_for": stands_in_for,
                "length_m": v.length_m,
                "departure_port": v.departure_port,
                "departure_time": _iso(v.departure),
                "ais_off": _iso(v.ais_off),
                "najin_arrival": _iso(v.najin_arrival),
                "najin_departure": _iso(v.najin_departure),
                "ais_on": _iso(v.ais_on),
                "arrival_port": v.arrival_port,
                "arrival_time": _iso(v.arrival),
                "sighting_ids": None,
                "source": src,
            }
        )
    order = [
        "aisless_call",
        "najin_unrelated",
        "visible_najin_call",
        "ais_sighting",
        "fishing_dark",
        "silent_berth",
        "shared_mmsi",
    ]
    other = sorted(
        plan.events,
        key=lambda r: (
            order.index(str(r["kind"])),
            str(r["event_id"] or ""),
            str(r["ais_off"] or ""),
            str(r["departure_time"] or ""),
        ),
    )
    counters: dict[str, int] = {}
    prefix = {"fishing_dark": "F", "silent_berth": "B", "visible_najin_call": "C", "shared_mmsi": "D"}
    for r in other:
        if r["event_id"] is None:
            counters[r["kind"]] = counters.get(r["kind"], 0) + 1
            r["event_id"] = f"{prefix[str(r['kind'])]}{counters[r['kind']]:02d}"
        rows.append(r)
    for r in rows:
        ids = ids_by_ref.get(str(r["event_id"]))
        r["sighting_ids"] = ";".join(ids) if ids else None
    events = pl.DataFrame(
        rows,
        schema={
            c: (pl.Int64 if c == "mmsi" else pl.Float64 if c == "length_m" else pl.String)
            for c in EVENT_COLUMNS
        },
        orient="row",
    )
    events = events.select(EVENT_COLUMNS)
    return Sample(
        positions,
        sightings_frame(sightings),
        sighting_truth_frame(sightings),
        events,
        plan.vessels(),
        [v for v, _, _ in plan.voyages],
    )


# --- writing --------------------------------------------------------------------------------------
def _events_csv(events: pl.DataFrame) -> str:
    return events.with_columns(pl.col("length_m").round(0).cast(pl.Int64)).write_csv(line_terminator="\n")


def write_sample(out_dir: Path, *, seed: int = SEED, sample: Sample | None = None) -> list[Path]:
    """Simulate (unless ``sample`` is given) and write the sample into ``out_dir``; return the paths written.

    Writes ``AIS_YYYY_MM_DD.csv.gz`` (one per UTC day, MarineCadastre layout), ``sightings.csv``,
    ``events.csv`` and ``README.md``. Files are byte-for-byte reproducible for a given seed.
    """
    from sim.sample_readme import render_readme

    sample = build_sample(seed) if sample is None else sample
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("AIS_*.csv.gz"):
        old.unlink()
    paths = write_daily_files(sample.positions, out_dir, seed=seed)
    for name, text in [
        ("sightings.csv", write_sightings_csv(sample.sightings)),
        ("events.csv", _events_csv(sample.events)),
    ]:
        (out_dir / name).write_text(text, encoding="utf-8", newline="\n")
        paths.append(out_dir / name)
    size = sum(p.stat().st_size for p in paths)
    (out_dir / "README.md").write_text(
        render_readme(sample, n_files=len(paths) - 2, size_bytes=size, seed=seed),
        encoding="utf-8",
        newline="\n",
    )
    paths.append(out_dir / "README.md")
    return paths
