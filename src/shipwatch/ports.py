"""The port registry: polygons with roles, loaded from GeoJSON and validated.

Distances to ports are measured to the polygon, never to a point.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import mapping, shape

from shipwatch.errors import PortsError
from shipwatch.geo import local_xy_km
from shipwatch.resources import PORTS_FILE

ROLES = ("watch", "destination", "reference")
WATCH, DESTINATION, REFERENCE = ROLES


@dataclass(frozen=True)
class Port:
    """One port: a polygon in lon/lat and what it means to an analyst."""

    name: str
    role: str
    geometry: shapely.Geometry
    aliases: tuple[str, ...] = ()
    country: str | None = None
    locode: str | None = None
    wpi: int | None = None
    berth: tuple[float, float] | None = None
    source: str | None = None
    _projected: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def origin(self) -> tuple[float, float]:
        """(lat, lon) of the polygon's centroid, the origin of its local projection."""
        c = self.geometry.centroid
        return c.y, c.x

    def projected(self) -> shapely.Geometry:
        """The polygon in local km around :attr:`origin`."""
        if "geom" not in self._projected:
            lat0, lon0 = self.origin
            self._projected["geom"] = shapely.transform(
                self.geometry, lambda xy: np.column_stack(local_xy_km(xy[:, 1], xy[:, 0], lat0, lon0))
            )
        return self._projected["geom"]

    def box(self, margin_km: float = 0.0) -> tuple[float, float, float, float]:
        """The polygon's bounding box (west, south, east, north) widened by ``margin_km`` on every side."""
        minx, miny, maxx, maxy = self.geometry.bounds
        dlat = margin_km / 111.0
        dlon = margin_km / (111.0 * max(np.cos(np.radians((miny + maxy) / 2)), 0.1))
        return minx - dlon, miny - dlat, maxx + dlon, maxy + dlat

    def call_point(self) -> tuple[float, float]:
        """Where a call at this port is drawn and routed to: its berth, else a point inside its
        polygon (lon, lat)."""
        if self.berth is not None:
            return self.berth
        p = self.geometry.representative_point()
        return p.x, p.y

    def distance_km(self, lat: NDArray, lon: NDArray) -> NDArray[np.float64]:
        """Distance in km from each point to the polygon (0 inside)."""
        lat0, lon0 = self.origin
        x, y = local_xy_km(lat, lon, lat0, lon0)
        return shapely.distance(shapely.points(x, y), self.projected())


def _feature_name(i: int, props: dict) -> str:
    name = props.get("name")
    return f"feature {i} ({name!r})" if name else f"feature {i}"


def parse_ports(collection: dict, *, source: str = "<ports>") -> list[Port]:
    """Build and validate ports from a GeoJSON FeatureCollection (already parsed)."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise PortsError(f"{source}: expected a GeoJSON FeatureCollection of port polygons")
    ports: list[Port] = []
    seen: set[str] = set()
    features = collection.get("features")
    if not isinstance(features, list):
        raise PortsError(f"{source}: 'features' must be a list of GeoJSON Features")
    for i, feat in enumerate(features):
        if not isinstance(feat, dict) or not isinstance(feat.get("properties") or {}, dict):
            raise PortsError(f"{source}: feature {i}: not a GeoJSON Feature with a properties object")
        props = feat.get("properties") or {}
        label = f"{source}: {_feature_name(i, props)}"
        name = props.get("name")
        if not isinstance(name, str) or not name.strip():
            raise PortsError(f"{label}: missing name (every port needs a 'name' property)")
        if name in seen:
            raise PortsError(f"{label}: duplicate name {name!r} (port names must be unique)")
        seen.add(name)
        role = props.get("role") or REFERENCE
        if role not in ROLES:
            raise PortsError(f"{label}: unknown role {role!r} (use one of {', '.join(ROLES)})")
        try:
            geom = shape(feat.get("geometry"))
        except Exception as err:  # shapely raises several types for malformed geometry
            raise PortsError(f"{label}: unreadable geometry ({err})") from err
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise PortsError(f"{label}: geometry is {geom.geom_type}, expected Polygon or MultiPolygon")
        if geom.is_empty or not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            raise PortsError(f"{label}: invalid ring ({reason}); fix the polygon outline")
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise PortsError(f"{label}: coordinates out of range; rings must be (lon, lat) in degrees")
        berth = props.get("berth")
        if berth is not None and not (
            isinstance(berth, list | tuple)
            and len(berth) == 2
            and all(isinstance(x, int | float) for x in berth)
        ):
            raise PortsError(f"{label}: berth must be [lon, lat] in degrees, got {berth!r}")
        aliases = props.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise PortsError(f"{label}: aliases must be a list of names, got {aliases!r}")
        ports.append(
            Port(
                name=name,
                role=role,
                geometry=geom,
                aliases=tuple(aliases),
                country=props.get("country"),
                locode=props.get("locode"),
                wpi=props.get("wpi"),
                berth=(float(berth[0]), float(berth[1])) if berth else None,
                source=props.get("source"),
            )
        )
    if not ports:
        raise PortsError(f"{source}: no port features found")
    return ports


def load_ports(path: str | Path | None = None) -> list[Port]:
    """Load the port registry from ``path`` (default: the bundled ``data/ports/ports.geojson``)."""
    path = Path(path) if path is not None else PORTS_FILE
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise PortsError(f"{path}: ports file not found; pass an existing GeoJSON with --ports") from err
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PortsError(f"{path}: not readable as GeoJSON ({err})") from err
    return parse_ports(collection, source=str(path))


def distance_matrix_km(
    ports: list[Port], lat: NDArray, lon: NDArray, *, max_km: float
) -> NDArray[np.float64]:
    """Distance in km from every point to every port, shape (n_points, n_ports).

    Points farther than ``max_km`` from a port's bounding box get ``inf`` for that port without
    an exact computation, which keeps this fast on millions of positions.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    out = np.full((lat.size, len(ports)), np.inf)
    for j, port in enumerate(ports):  # a loop over ports, not positions
        w, s, e, n = port.box(max_km)
        near = (lat >= s) & (lat <= n) & (lon >= w) & (lon <= e)
        if near.any():
            out[near, j] = port.distance_km(lat[near], lon[near])
    return out


def to_geojson(ports: list[Port]) -> dict:
    """The registry as a GeoJSON FeatureCollection that :func:`parse_ports` reads back unchanged."""
    features = []
    for p in ports:
        props = {"name": p.name, "role": p.role}
        for key in ("country", "locode", "wpi", "source"):
            if getattr(p, key) is not None:
                props[key] = getattr(p, key)
        if p.aliases:
            props["aliases"] = list(p.aliases)
        if p.berth is not None:
            props["berth"] = list(p.berth)
        features.append(
            {"type": "Feature", "properties": props, "geometry": mapping(p.geometry)}
        )
    return {"type": "FeatureCollection", "features": features}
