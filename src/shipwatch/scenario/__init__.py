"""Simulated AIS and imagery: the bundled sample and randomized test theatres.

Everything here is simulation. :mod:`~shipwatch.scenario.tracks` holds the kinematic building blocks,
:mod:`~shipwatch.scenario.places` the port outlines and sea lanes, :mod:`~shipwatch.scenario.sample`
the bundled sample of ``data/sample_ais`` (regenerate with ``python -m shipwatch.scenario data/sample_ais``)
and :mod:`~shipwatch.scenario.theatres` small seeded worlds with known truth for detection tests.
"""

from __future__ import annotations

from shipwatch.scenario.places import Port, load_ports, sea_route
from shipwatch.scenario.sample import SEED, Sample, build_sample, write_sample
from shipwatch.scenario.theatres import THEATRE_KINDS, Theatre, make_theatre
from shipwatch.scenario.tracks import Leg, TrackBuilder, Vessel
from shipwatch.scenario.voyages import NajinVoyage, najin_round_trip

__all__ = [
    "SEED",
    "THEATRE_KINDS",
    "Leg",
    "NajinVoyage",
    "Port",
    "Sample",
    "Theatre",
    "TrackBuilder",
    "Vessel",
    "build_sample",
    "load_ports",
    "make_theatre",
    "najin_round_trip",
    "sea_route",
    "write_sample",
]
