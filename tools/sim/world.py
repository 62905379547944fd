"""The one world builder: the accumulator behind both the bundled sample and the test theatres.

A :class:`World` hands out vessel identities and independent random streams, keeps every
actor's :class:`~sim.tracks.TrackBuilder` with its time window, role and home port, and collects
what the world knows about itself while it is built: documented events, true Najin calls,
voyages and imagery sightings. :mod:`sim.sample` and :mod:`sim.theatres` differ only in the actors
they put into it and in how they turn its contents into tables.

Random streams are derived from fixed integer keys, so the same calls in the same order always
give the same world: identities come from ``default_rng(ids_key)`` and the n-th call of
:meth:`World.rng` gives ``default_rng([*stream_key, first_stream + n])``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from shipwatch.ports import Port
from sim import places
from sim.identities import IdentityFactory
from sim.imagery import Sighting
from sim.tracks import LonLat, TrackBuilder, Vessel, offset_m

# Silences spent in (or just off) the actor's home port: their events name that port.
PORT_SILENCES = frozenset({"silent_berth", "anchorage_wait", "layup"})


@dataclass
class Actor:
    """One simulated ship in a world: its track builder and where it belongs.

    ``start`` and ``end`` (epoch s) bound the reports it contributes; ``role`` is a free label
    (e.g. ``"shuttle"``); ``port`` is its home port, named in silences at berth.
    """

    tb: TrackBuilder
    start: float
    end: float
    role: str | None = None
    port: str | None = None

    @property
    def vessel(self) -> Vessel:
        return self.tb.vessel


@dataclass
class World:
    """Accumulates the actors, events, truth and sightings of one simulated world.

    Parameters
    ----------
    start, end
        The world's time window (epoch seconds, UTC).
    ports
        Port outlines (the package's :class:`shipwatch.ports.Port`), by name or as a list;
        default the bundled registry.
    ids_key
        Seed key of the identity factory.
    stream_key, first_stream
        Seed key prefix and first counter of the actors' random streams.
    """

    start: float
    end: float
    ports: dict[str, Port] | None
    ids_key: Sequence[int]
    stream_key: Sequence[int]
    first_stream: int = 1
    actors: list[Actor] = field(default_factory=list)
    events: list[dict[str, object]] = field(default_factory=list)
    truth: list[dict[str, object]] = field(default_factory=list)
    voyages: list = field(default_factory=list)
    sightings: list[Sighting] = field(default_factory=list)
    free_piers: list[str] = field(default_factory=lambda: list(places.NAJIN_PIER_SPOTS))
    extra_piers: int = 0

    def __post_init__(self) -> None:
        self.ports = places.port_map(self.ports)
        self.ids = IdentityFactory(np.random.default_rng(list(self.ids_key)))
        self._streams = 0

    # --- randomness and identities -------------------------------------------------------------
    def rng(self) -> np.random.Generator:
        """A new independent stream (a fixed order of calls gives fixed streams)."""
        stream = self.first_stream + self._streams
        self._streams += 1
        return np.random.default_rng([*self.stream_key, stream])

    def vessel(self, name: str, flag: str, ship_type: int, length: float, **kw: object) -> Vessel:
        """A vessel whose beam and draught follow from its length."""
        return self.ids.vessel(
            name, flag, ship_type, length, round(length * 0.155), round(2.0 + length * 0.04, 1), **kw
        )

    # --- actors --------------------------------------------------------------------------------
    def actor(
        self,
        vessel: Vessel,
        spot: LonLat,
        *,
        start: float | None = None,
        end: float | None = None,
        role: str | None = None,
        port: str | None = None,
        heading: float | None = None,
    ) -> TrackBuilder:
        """Put ``vessel`` at ``spot`` at ``start`` (default the world's start); returns its builder."""
        rng = self.rng()
        t0 = self.start if start is None else start
        tb = TrackBuilder(vessel, t0, spot, rng, heading=rng.uniform(0, 360) if heading is None else heading)
        self.actors.append(Actor(tb, t0, self.end if end is None else end, role, port))
        return tb

    def take_pier(self, *, share: bool = True) -> LonLat:
        """A Najin pier spot for a shuttle: one of its own while any is free.

        With ``share`` (the default, as the first theatres had it) every shuttle after the fifth lies
        at Pier 3. Without it, later shuttles get berths of their own further along the piers
        (150 m down the pier face, then 150 m up it), so ships at Najin at the same time never share
        a spot.
        """
        if self.free_piers:
            return places.NAJIN_PIER_SPOTS[self.free_piers.pop(0)]
        if share:
            return places.NAJIN_PIER_SPOTS["pier3"]
        k = self.extra_piers
        self.extra_piers += 1
        names = list(places.NAJIN_PIER_SPOTS)
        base = places.NAJIN_PIER_SPOTS[names[k % len(names)]]
        along = 150.0 * (1 + k // (2 * len(names))) * (1 if (k // len(names)) % 2 == 0 else -1)
        lon, lat = offset_m(
            np.array([base[0]]), np.array([base[1]]), np.array([along * 0.82]), np.array([-along * 0.57])
        )
        return (round(float(lon[0]), 5), round(float(lat[0]), 5))

    # --- what the world holds ------------------------------------------------------------------
    def positions(self, sort_by: Sequence[str]) -> pl.DataFrame:
        """Every actor's transmitted reports inside its window and the world's, sorted by ``sort_by``."""
        frames = [a.tb.frame(start=max(a.start, self.start), end=min(a.end, self.end)) for a in self.actors]
        return pl.concat(frames).sort(list(sort_by))

    def silences(self) -> list[dict[str, object]]:
        """Every interval an actor did not transmit that overlaps the world's window (epoch s).

        Rows: ``mmsi, vessel, kind`` (the silence's reason), ``start, end`` and ``port`` (the
        actor's home port for the silences of :data:`PORT_SILENCES`, else None).
        """
        rows = []
        for a in self.actors:
            for t0, t1, reason in a.tb.silences:
                if t1 > self.start and t0 < self.end:
                    rows.append(
                        {
                            "mmsi": a.vessel.mmsi,
                            "vessel": a.vessel.name,
                            "kind": reason,
                            "start": t0,
                            "end": t1,
                            "port": a.port if reason in PORT_SILENCES else None,
                        }
                    )
        return rows

    def vessels(self) -> pl.DataFrame:
        """One row per actor: ``mmsi, vessel, imo, callsign, ship_type, length_m, role``."""
        return pl.DataFrame(
            [
                {
                    "mmsi": a.vessel.mmsi,
                    "vessel": a.vessel.name,
                    "imo": a.vessel.imo,
                    "callsign": a.vessel.callsign,
                    "ship_type": a.vessel.ship_type,
                    "length_m": a.vessel.length_m,
                    "role": a.role,
                }
                for a in self.actors
            ]
        ).sort("mmsi", "vessel")
