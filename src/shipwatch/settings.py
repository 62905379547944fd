"""Every detection threshold, with its default and unit, in one typed settings object.

Load overrides from TOML (``--config FILE``), one table per stage::

    [gaps]
    min_hours = 12

    [transits]
    min_dwell_hours = 24

The settings actually used are recorded in every run manifest.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from shipwatch.errors import ConfigError


@dataclass(frozen=True)
class TrackSettings:
    """Cleaning of per-vessel tracks before detection."""

    max_speed_kn: float = 40.0
    """Implied speed (knots) above which a jump between two fixes is physically impossible."""
    min_jump_km: float = 2.0
    """Jumps shorter than this (km) are never called impossible (GPS jitter at short intervals)."""
    shared_mmsi_min_jumps: int = 3
    """Impossible jumps, left after removing single-fix teleports, that mark an MMSI as shared."""
    shared_mmsi_pad_hours: float = 24.0
    """Hours around the first and last impossible jump treated as the shared-identity window."""
    max_positions_per_vessel: int = 0
    """Cap on the positions held per vessel (thinned evenly in time, first and last fix kept); 0 = no cap."""


@dataclass(frozen=True)
class VisitSettings:
    """Port visits (GFW-style entry/exit hysteresis measured to the port polygon)."""

    entry_km: float = 0.5
    """A vessel enters a port when it comes within this distance (km) of the polygon."""
    exit_km: float = 1.5
    """It leaves only when it is farther than this (km): hysteresis against jitter."""
    stop_kn: float = 0.2
    """A stop begins below this speed (knots)."""
    in_port_gap_hours: float = 4.0
    """A silence of at least this many hours inside a port counts as an in-port gap."""
    state_reset_hours: float = 6.0
    """After a silence this long (hours) a vessel must come within ``entry_km`` again to be in port:
    a fix in the entry/exit band no longer inherits "in port" from before the silence."""


@dataclass(frozen=True)
class GapSettings:
    """AIS gap events."""

    min_hours: float = 6.0
    """Consecutive positions more than this many hours apart make a gap (GFW: longer than 6 h)."""
    coverage_radius_km: float = 30.0
    """Other vessels heard within this distance (km) of a gap's ends measure reception there."""
    before_hours: tuple[float, ...] = (6.0, 12.0, 24.0)
    """Windows (hours) before a gap in which the vessel's own positions are counted."""
    context_days: float = 10.0
    """Days of data before ``--since`` and after ``--until`` also read, so that gaps and dark
    transits crossing those boundaries are whole (they are kept by their start)."""


@dataclass(frozen=True)
class TransitSettings:
    """Dark transits: reachability of watched ports during gaps, and evidence grades."""

    min_dwell_hours: float = 12.0
    """Shortest stay (hours) at a watched port that counts as a call."""
    max_dwell_hours: float = 96.0
    """Longest stay (hours) that still fits a delivery round trip (for ``probable``)."""
    speed_quantile: float = 0.95
    """Quantile of the vessel's own under-way speeds taken as its plausible transit speed."""
    speed_margin: float = 1.15
    """Factor on that speed, to stay conservative (could the vessel make it?)."""
    min_speed_kn: float = 10.0
    """Plausible speed (knots) assumed when the vessel has too few under-way reports."""
    max_speed_kn: float = 18.0
    """Cap (knots) on the plausible transit speed of a cargo ship."""
    slow_speed_kn: float = 6.0
    """Slowest credible transit speed (knots), for the longest round trip that fits."""
    route_factor: float = 1.0
    """Sea distance / straight-line distance; 1.0 is the conservative lower bound."""
    max_gap_days: float = 30.0
    """Gaps longer than this (days) are not examined for dark calls: the vessel could have been anywhere."""
    link_hours: float = 12.0
    """A departure from / arrival at a destination port within this many hours of the gap links them."""
    moved_km: float = 5.0
    """Ends of a silence this far apart (km), or at two different ports, show the vessel moved; closer
    ends show nothing moved when the vessel was stopped at both (see ``still_kn``)."""
    still_kn: float = 1.0
    """Below this speed (knots) at a fix, the vessel is stopped."""
    course_keep_deg: float = 30.0
    """A next fix within this angle (degrees) of the course before the silence lies ahead on it."""
    course_keep_speed_frac: float = 0.6
    """... and an average speed over the silence of at least this fraction of the speed before it means
    the vessel kept its course (a reception hole), not a detour to a port."""
    routine_calls: int = 5
    """A vessel with this many candidate calls in a run has routine silences (fishing, harbour craft)."""
    routine_gaps_per_30d: float = 10.0
    """... or with this many gaps per 30 days observed."""


@dataclass(frozen=True)
class SightingSettings:
    """Matching imagery sightings to AIS and to dark transits."""

    ais_distance_m: float = 1500.0
    """An AIS vessel within this distance (m) of a sighting explains it (Skylight: 1,500 m)."""
    ais_time_minutes: float = 120.0
    """Fixes up to this many minutes before/after a sighting are used to interpolate a position."""
    port_buffer_m: float = 500.0
    """A sighting within this distance (m) of a port polygon is at that port."""
    length_tolerance_m: float = 15.0
    """Lengths that differ by at most this (m) agree."""
    length_tolerance_frac: float = 0.12
    """... or by at most this fraction of the longer length."""
    call_link_days: int = 1
    """Unidentified sightings at one port on the same or following UTC day(s) form one call."""


@dataclass(frozen=True)
class Settings:
    """All parameters of a detection run."""

    tracks: TrackSettings = field(default_factory=TrackSettings)
    visits: VisitSettings = field(default_factory=VisitSettings)
    gaps: GapSettings = field(default_factory=GapSettings)
    transits: TransitSettings = field(default_factory=TransitSettings)
    sightings: SightingSettings = field(default_factory=SightingSettings)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, for the run manifest."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<config>") -> Settings:
        """Defaults overridden by ``data`` (one table per stage); unknown keys are errors."""
        sections = {f.name: f for f in fields(cls)}
        updates: dict[str, Any] = {}
        for section, values in data.items():
            if section not in sections:
                raise ConfigError(f"{source}: unknown section [{section}] (known: {', '.join(sections)})")
            if not isinstance(values, dict):
                raise ConfigError(f"{source}: [{section}] must be a table of settings")
            current = getattr(cls(), section)
            known = {f.name: f for f in fields(current)}
            kwargs = {}
            for key, value in values.items():
                if key not in known:
                    raise ConfigError(
                        f"{source}: unknown setting {section}.{key} (known: {', '.join(known)})"
                    )
                default = getattr(current, key)
                kwargs[key] = _coerce(value, default, f"{source}: {section}.{key}")
            updates[section] = replace(current, **kwargs)
        settings = replace(cls(), **updates)
        settings.check(source=source)
        return settings

    def check(self, *, source: str = "<settings>") -> None:
        """Raise :class:`ConfigError` for values no detection can run with."""
        problems = []
        for section in fields(self):
            values = getattr(self, section.name)
            for f in fields(values):
                v = getattr(values, f.name)
                if (
                    isinstance(v, int | float)
                    and not isinstance(v, bool)
                    and v <= 0
                    and f.name not in _MAY_BE_ZERO
                ):
                    problems.append(f"{section.name}.{f.name} must be positive, got {v!r}")
        g, v, t, tr = self.gaps, self.visits, self.transits, self.tracks
        if len(set(g.before_hours)) != len(g.before_hours) or any(h <= 0 for h in g.before_hours):
            problems.append(f"gaps.before_hours must be distinct positive hours, got {list(g.before_hours)}")
        if v.entry_km > v.exit_km:
            problems.append(f"visits.entry_km ({v.entry_km}) must not exceed visits.exit_km ({v.exit_km})")
        if not 0 < t.speed_quantile <= 1:
            problems.append(f"transits.speed_quantile must be in (0, 1], got {t.speed_quantile}")
        if t.min_speed_kn > t.max_speed_kn:
            problems.append(
                f"transits.min_speed_kn ({t.min_speed_kn}) exceeds transits.max_speed_kn ({t.max_speed_kn})"
            )
        if t.min_dwell_hours > t.max_dwell_hours:
            problems.append("transits.min_dwell_hours exceeds transits.max_dwell_hours")
        if tr.shared_mmsi_min_jumps < 1:
            problems.append("tracks.shared_mmsi_min_jumps must be at least 1")
        if problems:
            raise ConfigError(f"{source}: " + "; ".join(problems))

    @classmethod
    def from_toml(cls, path: str | Path) -> Settings:
        """Load a TOML config file."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise ConfigError(f"{path}: config file not found") from err
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"{path}: not a valid TOML file ({err})") from err
        return cls.from_dict(data, source=str(path))


# Settings for which 0 is meaningful (every other number must be positive).
_MAY_BE_ZERO = {
    "max_positions_per_vessel",
    "entry_km",
    "min_hours",
    "link_hours",
    "min_jump_km",
    "shared_mmsi_pad_hours",
    "call_link_days",
    "length_tolerance_m",
    "length_tolerance_frac",
    "port_buffer_m",
    "stop_kn",
}


def _coerce(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value
        ):
            raise ConfigError(f"{where}: expected a list of finite numbers, got {value!r}")
        return tuple(float(v) for v in value)
    if isinstance(default, bool) or not isinstance(default, int | float):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{where}: must be a finite number, got {value!r}")
    if isinstance(default, int) and value != int(value):
        raise ConfigError(f"{where}: expected a whole number, got {value!r}")
    if value < 0:
        raise ConfigError(f"{where}: must not be negative, got {value!r}")
    return type(default)(value)
