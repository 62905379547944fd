"""Places of the simulated theatre: port outlines, berth spots and hand-made sea lanes.

Port outlines are the package's own (:func:`shipwatch.ports.load_ports`, indexed by name with
:func:`port_map`). Sea lanes are a small graph of hand-placed
waypoints, all at sea, joined by straight legs; :func:`sea_route` finds the shortest lane path
between two nodes. Coordinates are (lon, lat) in degrees WGS84 throughout.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import NDArray

from shipwatch.geo import haversine_km
from shipwatch.ports import Port, load_ports

LonLat = tuple[float, float]


def port_map(ports: Iterable[Port] | Mapping[str, Port] | None = None) -> dict[str, Port]:
    """The package's ports (:func:`shipwatch.ports.load_ports`) by name.

    Parameters
    ----------
    ports
        Ports to index (a list, or a mapping already by name); default the bundled registry.
    """
    if ports is None:
        return dict(_bundled_ports())
    if isinstance(ports, Mapping):
        return dict(ports)
    return {p.name: p for p in ports}


@lru_cache(maxsize=1)
def _bundled_ports() -> dict[str, Port]:
    return {p.name: p for p in load_ports()}


def spot_of(port: Port) -> LonLat:
    """Where the simulator puts a ship in ``port`` when it has no spot table: the berth, else the centroid."""
    if port.berth is not None:
        return port.berth
    c = port.geometry.centroid
    return (c.x, c.y)


def ports_containing(
    lon: NDArray[np.float64], lat: NDArray[np.float64], ports: dict[str, Port] | None = None
) -> dict[str, NDArray[np.bool_]]:
    """For each port, a boolean mask of the points (degrees) inside its outline."""
    return {name: shapely.contains_xy(p.geometry, lon, lat) for name, p in port_map(ports).items()}


# --- berth and anchorage spots (lon, lat) ---------------------------------------------------------
# Najin piers 1-3 (domain.md §1): spots alongside the piers, in the berth water.
NAJIN_PIER_SPOTS: dict[str, LonLat] = {
    "pier1_n": (130.2868, 42.2298),
    "pier1_s": (130.2857, 42.2289),
    "pier2_n": (130.2850, 42.2279),
    "pier2_s": (130.2836, 42.2269),
    "pier3": (130.2838, 42.2241),
}
# Anchorage in inner Rajin Bay (inside the Najin outline), where ships wait for a pier.
NAJIN_WAIT_SPOTS: list[LonLat] = [(130.2990, 42.2150), (130.3020, 42.2230)]
# Vostochny west basin quays: where AIS-transmitting ships berth in the scenario.
VOSTOCHNY_WEST_SPOTS: list[LonLat] = [
    (133.0520, 42.7560),
    (133.0555, 42.7598),
    (133.0590, 42.7632),
    (133.0500, 42.7530),
    (133.0585, 42.7590),
    (133.0545, 42.7630),
]
# Vostochny east basin / oil berth area: where the AIS-less callers are imaged.
VOSTOCHNY_EAST_SPOTS: list[LonLat] = [
    (133.0830, 42.7465),
    (133.0850, 42.7485),
    (133.0875, 42.7502),
    (133.0895, 42.7462),
]
DUNAI_SPOTS: list[LonLat] = [(132.3570, 42.8975), (132.3545, 42.8990), (132.3640, 42.8925)]
NAKHODKA_SPOTS: list[LonLat] = [
    (132.8850, 42.8040),
    (132.8920, 42.7950),
    (132.8800, 42.7880),
    (132.8970, 42.7860),
]
KOZMINO_SPOTS: list[LonLat] = [(133.0230, 42.7170), (133.0265, 42.7195)]
VLADIVOSTOK_HARBOUR_SPOTS: list[LonLat] = [
    (131.8850, 43.1105),
    (131.9050, 43.1120),
    (131.9240, 43.1060),
    (131.8950, 43.1075),
]
VLADIVOSTOK_ANCHORAGE: list[LonLat] = [
    (131.8520, 43.0600),
    (131.8560, 43.0700),
    (131.8600, 43.0800),
    (131.8540, 43.0880),
    (131.8640, 43.0650),
]
POSYET_SPOTS: list[LonLat] = [(130.8000, 42.6480), (130.8060, 42.6440)]
ZARUBINO_SPOTS: list[LonLat] = [(131.0800, 42.6330), (131.0850, 42.6300)]
SLAVYANKA_SPOTS: list[LonLat] = [(131.3830, 42.8620), (131.3780, 42.8660)]
CHONGJIN_SPOTS: list[LonLat] = [(129.8200, 41.7680), (129.8300, 41.7650)]
BUSAN_SPOTS: list[LonLat] = [(129.0450, 35.0980), (129.0600, 35.0940)]
# Outer anchorages of the destination ports: at sea, a few nm outside the port outline, on the
# approach lanes (Strelok Strait for Dunai, Nakhodka Gulf for Vostochny), where ships wait for orders.
OUTER_ANCHORAGES: dict[str, list[LonLat]] = {
    "Dunai": [(132.3800, 42.8300), (132.3860, 42.8180)],
    "Vostochny": [(132.9680, 42.6750), (132.9600, 42.6500)],
}
# Offshore fishing grounds (centre, radius km), clear of land and of every port outline.
# name: (centre, radius km, lane node to leave by)
FISHING_GROUNDS: dict[str, tuple[LonLat, float, str]] = {
    "gamov_south": ((131.25, 42.36), 6.0, "gamov_off"),
    "posyet_offing": ((131.02, 42.36), 5.0, "posyet_s"),
    "askold_west": ((132.00, 42.58), 7.0, "pg_mid"),
    "chongjin_offing": ((130.05, 41.60), 6.0, "chongjin_app"),
}

# --- the sea-lane graph ---------------------------------------------------------------------------
NODES: dict[str, LonLat] = {
    # Najin: harbour gate (inside the port outline), mouth, outer approach.
    "najin_gate": (130.2895, 42.2140),
    "najin_mouth": (130.2880, 42.1920),
    "najin_off": (130.3050, 42.1750),
    "tumen_off": (130.7000, 42.2500),
    "gamov_off": (131.2000, 42.4100),
    "pg_mid": (131.7500, 42.5500),
    "askold_s": (132.2700, 42.6950),
    "askold_se": (132.3950, 42.7200),
    # Strelok Strait to the Dunai piers.
    "strelok_s": (132.3850, 42.8000),
    "strelok_strait": (132.3720, 42.8500),
    "dunai_app": (132.3750, 42.8780),
    "dunai_gate": (132.3665, 42.8925),
    # Nakhodka Gulf, Vostochny (Wrangel Bay), Kozmino, Nakhodka.
    "nakhodka_mouth": (132.9500, 42.6200),
    "nakh_gulf": (132.9750, 42.7000),
    "vost_out": (132.9950, 42.7370),
    "vost_w": (133.0280, 42.7470),
    "vostochny_gate": (133.0480, 42.7515),
    "kozmino_app": (132.9900, 42.7150),
    "kozmino_gate": (133.0200, 42.7160),
    "nakhodka_app": (132.9150, 42.7500),
    "nakhodka_gate": (132.8950, 42.7850),
    # Amur Bay to the anchorage off Vladivostok.
    "amur_s": (131.6000, 42.8000),
    "amur_mid": (131.6200, 42.9700),
    "amur_n": (131.7600, 43.0450),
    "vlad_anchorage": (131.8560, 43.0700),
    # Posyet, Zarubino, Slavyanka.
    "posyet_s": (131.0000, 42.4200),
    "posyet_app": (130.8600, 42.5500),
    "posyet_mid": (130.8000, 42.6000),
    "posyet_gate": (130.8000, 42.6420),
    "zarubino_s": (131.1000, 42.4500),
    "zarubino_app": (131.0850, 42.5500),
    "zarubino_gate": (131.0800, 42.6250),
    "slav_app": (131.5000, 42.7500),
    "slav_gate": (131.3850, 42.8550),
    # Sea of Japan to Busan; DPRK coast to Chongjin.
    "sea_a": (131.9000, 40.8000),
    "sea_b": (130.6000, 38.2000),
    "sea_c": (129.9000, 36.0000),
    "busan_app": (129.4500, 35.2000),
    "busan_out": (129.1200, 35.0750),
    "busan_gate": (129.0700, 35.0930),
    "nk_coast_off": (130.6000, 41.6000),
    "chongjin_app": (129.9500, 41.7000),
    "chongjin_gate": (129.8300, 41.7620),
}
EDGES: list[tuple[str, str]] = [
    ("najin_gate", "najin_mouth"),
    ("najin_mouth", "najin_off"),
    ("najin_off", "tumen_off"),
    ("tumen_off", "gamov_off"),
    ("gamov_off", "pg_mid"),
    ("pg_mid", "askold_s"),
    ("askold_s", "askold_se"),
    ("askold_se", "strelok_s"),
    ("strelok_s", "strelok_strait"),
    ("strelok_strait", "dunai_app"),
    ("dunai_app", "dunai_gate"),
    ("askold_s", "nakhodka_mouth"),
    ("pg_mid", "nakhodka_mouth"),
    ("askold_se", "nakhodka_mouth"),
    ("nakhodka_mouth", "nakh_gulf"),
    ("nakh_gulf", "vost_out"),
    ("vost_out", "vost_w"),
    ("vost_w", "vostochny_gate"),
    ("nakh_gulf", "kozmino_app"),
    ("kozmino_app", "kozmino_gate"),
    ("vost_out", "kozmino_app"),
    ("nakh_gulf", "nakhodka_app"),
    ("nakhodka_app", "nakhodka_gate"),
    ("vost_out", "nakhodka_app"),
    ("pg_mid", "amur_s"),
    ("amur_s", "amur_mid"),
    ("amur_mid", "amur_n"),
    ("amur_n", "vlad_anchorage"),
    ("gamov_off", "posyet_s"),
    ("posyet_s", "posyet_app"),
    ("posyet_app", "posyet_mid"),
    ("posyet_mid", "posyet_gate"),
    ("gamov_off", "zarubino_s"),
    ("zarubino_s", "zarubino_app"),
    ("zarubino_app", "zarubino_gate"),
    ("posyet_s", "zarubino_s"),
    ("pg_mid", "slav_app"),
    ("slav_app", "slav_gate"),
    ("nakhodka_mouth", "sea_a"),
    ("sea_a", "sea_b"),
    ("sea_b", "sea_c"),
    ("sea_c", "busan_app"),
    ("busan_app", "busan_out"),
    ("busan_out", "busan_gate"),
    ("najin_off", "nk_coast_off"),
    ("nk_coast_off", "sea_b"),
    ("nk_coast_off", "chongjin_app"),
    ("chongjin_app", "chongjin_gate"),
]
# The lane node a port's traffic enters by (inside or at the edge of the port outline).
PORT_GATES: dict[str, str] = {
    "Najin": "najin_gate",
    "Dunai": "dunai_gate",
    "Vostochny": "vostochny_gate",
    "Kozmino": "kozmino_gate",
    "Nakhodka": "nakhodka_gate",
    "Posyet": "posyet_gate",
    "Zarubino": "zarubino_gate",
    "Slavyanka": "slav_gate",
    "Busan": "busan_gate",
    "Chongjin": "chongjin_gate",
    "Vladivostok anchorage": "vlad_anchorage",
}


@lru_cache(maxsize=1)
def _adjacency() -> dict[str, list[tuple[str, float]]]:
    adj: dict[str, list[tuple[str, float]]] = {n: [] for n in NODES}
    for a, b in EDGES:
        (x1, y1), (x2, y2) = NODES[a], NODES[b]
        d = float(haversine_km(y1, x1, y2, x2))
        adj[a].append((b, d))
        adj[b].append((a, d))
    return adj


@lru_cache(maxsize=256)
def _shortest(a: str, b: str) -> tuple[str, ...]:
    adj = _adjacency()
    best = {a: 0.0}
    prev: dict[str, str] = {}
    heap = [(0.0, a)]
    while heap:
        d, node = heapq.heappop(heap)
        if node == b:
            break
        if d > best.get(node, np.inf):
            continue
        for nxt, w in adj[node]:
            nd = d + w
            if nd < best.get(nxt, np.inf):
                best[nxt], prev[nxt] = nd, node
                heapq.heappush(heap, (nd, nxt))
    if b not in best:
        raise ValueError(f"no sea lane joins {a!r} and {b!r}")
    path = [b]
    while path[-1] != a:
        path.append(prev[path[-1]])
    return tuple(reversed(path))


def sea_route(origin: str, destination: str) -> list[LonLat]:
    """Waypoints (lon, lat) along the sea lanes from one port's gate to another's.

    Parameters
    ----------
    origin, destination
        Port names of :data:`PORT_GATES` (e.g. ``"Najin"``, ``"Dunai"``) or lane node names.

    Examples
    --------
    >>> sea_route("Najin", "Dunai")[0]
    (130.2895, 42.214)
    """
    a = PORT_GATES.get(origin, origin)
    b = PORT_GATES.get(destination, destination)
    return [NODES[n] for n in _shortest(a, b)]


def path_length_nm(points: list[LonLat]) -> float:
    """Length in nautical miles of a polyline of (lon, lat) points."""
    arr = np.asarray(points, dtype=np.float64)
    return float(haversine_km(arr[:-1, 1], arr[:-1, 0], arr[1:, 1], arr[1:, 0]).sum() / 1.852)
