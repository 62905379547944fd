"""Explicit column mappings for CSV files whose layout shipwatch does not recognise.

A mapping says which source column holds each canonical column, plus how to read the time:

``time=Time,mmsi=MMSI,lat=Latitude,lon=Longitude,time_format=%d/%m/%Y %H:%M,tz=Europe/Copenhagen``

or the same keys in a TOML file (``time = "Time"`` …). ``time``, ``lat``, ``lon`` and one of ``mmsi``
or ``id`` are required.

``id=COLUMN`` keys vessels by an identifier that is *not* an MMSI (a tracker number, a dataset's own
vessel id, e.g. the ``ID`` of the MovingPandas Suez example). No MMSI rule applies to such vessels
("MMSI not 9 digits", base stations, ...) and no MID/flag is derived from them. Each id becomes a
stable ``mmsi`` key from :data:`shipwatch.schema.VESSEL_KEY_BASE` (1,000,000,000) up: an integer id
``n`` below 73,741,824 is ``1_000_000_000 + n`` (so ``mmsi - 1_000_000_000`` gives the id back); any
other id is hashed (XXH64 of its text, modulo 73,741,824; different ids may then share a key, rarely),
and its text is kept in ``vessel_name`` unless the mapping names a vessel-name column. ``time_format`` is a ``strftime`` pattern, or ``epoch`` / ``epoch_ms`` for Unix seconds or
milliseconds; without it the format is inferred from the data. ``tz`` is the IANA zone of times that
carry no offset (default UTC).
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from shipwatch import schema
from shipwatch.errors import MappingError

#: Accepted keys (and their aliases) → canonical column.
KEYS: dict[str, str] = {
    "time": schema.TIMESTAMP,
    "timestamp": schema.TIMESTAMP,
    "mmsi": schema.MMSI,
    "lat": schema.LAT,
    "latitude": schema.LAT,
    "lon": schema.LON,
    "longitude": schema.LON,
    "sog": schema.SOG,
    "speed": schema.SOG,
    "cog": schema.COG,
    "course": schema.COG,
    "heading": schema.HEADING,
    "nav_status": schema.NAV_STATUS,
    "status": schema.NAV_STATUS,
    "vessel_name": schema.VESSEL_NAME,
    "name": schema.VESSEL_NAME,
    "imo": schema.IMO,
    "callsign": schema.CALLSIGN,
    "ship_type": schema.SHIP_TYPE,
    "length": schema.LENGTH_M,
    "length_m": schema.LENGTH_M,
    "width": schema.WIDTH_M,
    "width_m": schema.WIDTH_M,
    "draught": schema.DRAUGHT_M,
    "draft": schema.DRAUGHT_M,
    "draught_m": schema.DRAUGHT_M,
    "transceiver": schema.TRANSCEIVER,
}
OPTIONS = ("time_format", "tz", "id")
REQUIRED = (schema.TIMESTAMP, schema.LAT, schema.LON)
_HELP = "e.g. --map time=Time,mmsi=MMSI,lat=Latitude,lon=Longitude[,time_format=%d/%m/%Y %H:%M][,tz=UTC]"


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column holds each canonical column, and how to read times.

    Attributes
    ----------
    columns : dict[str, str]
        Canonical column name → source column name.
    time_format : str or None
        ``strftime`` pattern, ``"epoch"`` (seconds) or ``"epoch_ms"``; None infers it.
    tz : str
        IANA time zone of times without an explicit offset.
    id_column : str or None
        Source column of a vessel id that is not an MMSI (``id=...``; see the module docstring).
    """

    columns: dict[str, str] = field(default_factory=dict)
    time_format: str | None = None
    tz: str = schema.UTC
    id_column: str | None = None

    def check_header(self, header: list[str], source: str) -> None:
        """Raise :class:`MappingError` if ``header`` lacks a mapped column."""
        wanted = [*self.columns.values(), *([self.id_column] if self.id_column else [])]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise MappingError(
                f"{source}: --map names column(s) {', '.join(map(repr, missing))} that the file lacks; "
                f"its columns are {', '.join(header)}"
            )


def parse_mapping(spec: str | Path | dict[str, str] | ColumnMapping) -> ColumnMapping:
    """Build a :class:`ColumnMapping` from a ``--map`` string, a TOML file path or a dict.

    Parameters
    ----------
    spec : str, Path, dict or ColumnMapping
        ``key=value`` pairs separated by commas, or the path of a TOML file with the same keys.

    Raises
    ------
    MappingError
        On unknown keys, missing required keys, an unknown time zone or an unreadable TOML file.
    """
    if isinstance(spec, ColumnMapping):
        return spec
    if isinstance(spec, Path) or (isinstance(spec, str) and "=" not in spec):
        pairs = _read_toml(Path(spec))
    elif isinstance(spec, dict):
        pairs = {str(k): str(v) for k, v in spec.items()}
    else:
        pairs = {}
        # Split on commas that start a new "key=" so formats may contain commas.
        for part in re.split(r",(?=\s*[A-Za-z_]+\s*=)", spec):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep or not value.strip():
                raise MappingError(f"--map: {part.strip()!r} is not key=value; {_HELP}")
            pairs[key.strip().lower()] = value.strip()
    return _build(pairs)


def _read_toml(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise MappingError(f"--map: {path} is neither key=value pairs nor an existing TOML file; {_HELP}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise MappingError(f"--map: {path} is not valid TOML ({err})") from err
    if bad := [k for k, v in data.items() if not isinstance(v, str)]:
        raise MappingError(f"--map: {path}: keys {', '.join(bad)} must be strings")
    return {k.lower(): v for k, v in data.items()}


def _build(pairs: dict[str, str]) -> ColumnMapping:
    unknown = [k for k in pairs if k not in KEYS and k not in OPTIONS]
    if unknown:
        raise MappingError(
            f"--map: unknown key(s) {', '.join(unknown)}; known keys: {', '.join([*KEYS, *OPTIONS])}"
        )
    columns: dict[str, str] = {}
    for key, value in pairs.items():
        if key in KEYS:
            canon = KEYS[key]
            if canon in columns:
                raise MappingError(f"--map: {key} given twice (or with an alias)")
            columns[canon] = value
    id_column = pairs.get("id")
    if id_column is not None and schema.MMSI in columns:
        raise MappingError("--map: give mmsi or id, not both (id is for vessel ids that are not MMSIs)")
    missing = [k for k in (*REQUIRED, *(() if id_column else (schema.MMSI,))) if k not in columns]
    if missing:
        names = {schema.TIMESTAMP: "time"}
        raise MappingError(f"--map: missing {', '.join(names.get(m, m) for m in missing)}; {_HELP}")
    tz = pairs.get("tz", schema.UTC)
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise MappingError(
            f"--map: unknown time zone tz={tz!r}; use an IANA name such as Europe/Copenhagen"
        ) from err
    return ColumnMapping(columns=columns, time_format=pairs.get("time_format"), tz=tz, id_column=id_column)
