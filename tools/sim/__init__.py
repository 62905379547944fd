"""The simulator: simulated AIS and imagery for the bundled sample and the randomized test theatres.

A development tool, not part of the installed ``shipwatch`` package (run it with ``PYTHONPATH=tools``).
Everything here is simulation. :mod:`sim.tracks` holds the kinematic building blocks,
:mod:`sim.places` the berth spots and sea lanes (port outlines are the package's own,
:func:`shipwatch.ports.load_ports`), :mod:`sim.world` the one world builder, :mod:`sim.sample`
the bundled sample of ``data/sample_ais`` (regenerate with ``make sample``, i.e.
``PYTHONPATH=tools python -m sim data/sample_ais``) and :mod:`sim.theatres` small seeded worlds
with known truth for detection tests.
"""

from __future__ import annotations

from sim.places import port_map, sea_route
from sim.sample import SEED, Sample, build_sample, write_sample
from sim.theatres import THEATRE_KINDS, Theatre, make_theatre
from sim.tracks import Leg, TrackBuilder, Vessel
from sim.voyages import NajinVoyage, najin_round_trip
from sim.world import World

__all__ = [
    "SEED",
    "THEATRE_KINDS",
    "Leg",
    "NajinVoyage",
    "Sample",
    "Theatre",
    "TrackBuilder",
    "Vessel",
    "World",
    "build_sample",
    "make_theatre",
    "najin_round_trip",
    "port_map",
    "sea_route",
    "write_sample",
]
