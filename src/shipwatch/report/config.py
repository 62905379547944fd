"""The report config: one TOML file, validated before anything runs.

Every path is relative to the config file. Unknown keys and values of the wrong type are one-line
:class:`~shipwatch.errors.ConfigError` messages naming the key (exit code 2). Example::

    [inputs]
    sample = true                  # the bundled sample and its sightings (data/sample_ais)
    # paths = ["ais/*.csv.gz"]     # files, folders or globs, or a store made by 'shipwatch ingest'
    # store = "store"              # raw files are ingested into this store first, then read from it
    # sightings = "sightings.csv"
    # ports = "ports.geojson"
    # reference = "published_counts.csv"
    # map = "time=Time,mmsi=MMSI,lat=Lat,lon=Lon"

    [period]
    start = 2023-08-01             # both days included; or:
    # relative = "previous calendar month"   # "last 7 days", "previous ISO week"

    [output]
    dir = "reports"                # one subfolder per period, and a 'latest' link
    latest = "latest"

    [thresholds]                   # data-quality warnings (exit code 1)
    max_rejected_pct = 5.0
    max_missing_days = 0
    min_port_positions = 1
    coverage_km = 50.0

    [parameters.gaps]              # the detection parameters (the tables of 'detect --config')
    min_hours = 12
"""

from __future__ import annotations

import datetime as dt
import glob
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipwatch.errors import ConfigError
from shipwatch.report.periods import Period, absolute_period, relative_period
from shipwatch.resources import REFERENCE_FILE, SAMPLE_DIR, SAMPLE_SIGHTINGS
from shipwatch.settings import Settings

# key -> (types, description) per section; a description is what the error message says was expected.
_SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], str]]] = {
    "inputs": {
        "sample": ((bool,), "true or false"),
        "paths": ((list, str), "a path or a list of paths"),
        "store": ((str,), "a path"),
        "sightings": ((str,), "a path"),
        "ports": ((str,), "a path"),
        "reference": ((str,), "a path"),
        "map": ((str, dict), "a --map spec or a table"),
    },
    "period": {
        "start": ((dt.date, str), "a date like 2023-10-01"),
        "end": ((dt.date, str), "a date like 2023-10-31"),
        "relative": ((str,), "'last N days', 'previous ISO week' or 'previous calendar month'"),
    },
    "output": {
        "dir": ((str,), "a path"),
        "latest": ((str,), "a folder name"),
        "title": ((str,), "text"),
    },
    "thresholds": {
        "max_rejected_pct": ((int, float), "a number"),
        "max_missing_days": ((int,), "a whole number"),
        "min_port_positions": ((int,), "a whole number"),
        "coverage_km": ((int, float), "a number"),
    },
    "parameters": {},  # checked by Settings.from_dict
}


@dataclass(frozen=True)
class Thresholds:
    """Data-quality limits beyond which the run warns and exits with code 1."""

    max_rejected_pct: float = 5.0
    max_missing_days: int = 0
    min_port_positions: int = 1
    coverage_km: float = 50.0


@dataclass(frozen=True)
class ReportConfig:
    """A validated report config; paths resolved against the config file's folder."""

    source: Path
    paths: tuple[Path, ...]
    sightings: Path | None
    ports: Path | None
    reference: Path
    store: Path | None
    mapping: Any
    out_dir: Path
    latest: str
    title: str
    start: dt.date | None
    end: dt.date | None
    relative: str | None
    thresholds: Thresholds
    settings: Settings
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def period(self, as_of: dt.date) -> Period:
        """The period of a run on ``as_of``."""
        if self.relative is not None:
            return relative_period(self.relative, as_of, where=f"{self.source}: period.relative")
        assert self.start is not None and self.end is not None
        return absolute_period(self.start, self.end, where=f"{self.source}: period")


def safe_name(name: str, *, where: str) -> str:
    """``name`` if it is a plain file or folder name (no separator, not ``.``/``..``), else a ConfigError."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name or name.startswith("."):
        raise ConfigError(f"{where}: {name!r} must be a plain folder name (no '/', '..' or leading '.')")
    return name


def _check_types(data: dict[str, Any], src: str) -> None:
    for section, values in data.items():
        if section not in _SCHEMA:
            raise ConfigError(f"{src}: unknown section [{section}] (known: {', '.join(_SCHEMA)})")
        if not isinstance(values, dict):
            raise ConfigError(f"{src}: [{section}] must be a table")
        if section == "parameters":
            continue
        known = _SCHEMA[section]
        for key, value in values.items():
            if key not in known:
                raise ConfigError(f"{src}: unknown key {section}.{key} (known: {', '.join(known)})")
            types, what = known[key]
            if isinstance(value, bool) and bool not in types:
                raise ConfigError(f"{src}: {section}.{key} must be {what}, got {value!r}")
            if not isinstance(value, types):
                raise ConfigError(f"{src}: {section}.{key} must be {what}, got {value!r}")
            if isinstance(value, list) and not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{src}: {section}.{key} must be {what}, got {value!r}")
            if isinstance(value, dt.datetime):
                raise ConfigError(f"{src}: {section}.{key} must be {what} (a day, no time), got {value!r}")


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise ConfigError(f"{where} must be a date like 2023-10-01, got {value!r}") from err


def _expand(pattern: str, base: Path, where: str) -> list[Path]:
    path = Path(pattern).expanduser()
    path = path if path.is_absolute() else base / path
    if glob.has_magic(str(path)):
        found = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        if not found:
            raise ConfigError(f"{where}: {pattern!r} matches no file")
        return found
    if not path.exists():
        raise ConfigError(f"{where}: {pattern!r}: no such file or directory ({path})")
    return [path]


def parse_config(data: dict[str, Any], *, source: str | Path, base: Path) -> ReportConfig:
    """Validate a parsed TOML document (see the module docstring); ``base`` resolves relative paths."""
    src = str(source)
    _check_types(data, src)
    inputs = data.get("inputs", {})
    period = data.get("period", {})
    output = data.get("output", {})

    def path(value: str | None) -> Path | None:
        if value is None:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() else base / p

    given = inputs.get("paths", [])
    given = [given] if isinstance(given, str) else list(given)
    paths: list[Path] = []
    for pattern in given:
        paths += _expand(pattern, base, f"{src}: inputs.paths")
    sample = inputs.get("sample", False)
    sightings = path(inputs.get("sightings"))
    if sample:
        paths += sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
        if sightings is None and SAMPLE_SIGHTINGS.exists():
            sightings = SAMPLE_SIGHTINGS
    if not paths:
        raise ConfigError(f"{src}: [inputs] needs paths (files, folders, globs or a store) or sample = true")
    for key, p in (("sightings", sightings), ("ports", path(inputs.get("ports"))),
                   ("reference", path(inputs.get("reference")))):
        if p is not None and not p.is_file():
            raise ConfigError(f"{src}: inputs.{key}: {p} is not a file")

    relative = period.get("relative")
    start = _date(period["start"], f"{src}: period.start") if "start" in period else None
    end = _date(period["end"], f"{src}: period.end") if "end" in period else None
    if relative is not None:
        if start is not None or end is not None:
            raise ConfigError(f"{src}: period.relative cannot be given with period.start/period.end")
        relative_period(relative, dt.date(2000, 1, 1), where=f"{src}: period.relative")  # validates
    elif start is None or end is None:
        raise ConfigError(f"{src}: [period] needs start and end (dates), or relative")
    elif end < start:
        raise ConfigError(f"{src}: period.end ({end}) is before period.start ({start})")

    th = data.get("thresholds", {})
    thresholds = Thresholds(**{k: type(getattr(Thresholds, k))(v) for k, v in th.items()})
    for key in ("max_rejected_pct", "max_missing_days", "min_port_positions"):
        if getattr(thresholds, key) < 0:
            raise ConfigError(f"{src}: thresholds.{key} must not be negative")
    if thresholds.coverage_km <= 0:
        raise ConfigError(f"{src}: thresholds.coverage_km must be positive")

    settings = Settings.from_dict(data.get("parameters", {}), source=f"{src}: parameters")
    latest = safe_name(output.get("latest", "latest"), where=f"{src}: output.latest")
    return ReportConfig(
        source=Path(source),
        paths=tuple(paths),
        sightings=sightings,
        ports=path(inputs.get("ports")),
        reference=path(inputs.get("reference")) or REFERENCE_FILE,
        store=path(inputs.get("store")),
        mapping=inputs.get("map"),
        out_dir=path(output.get("dir", "reports")),  # type: ignore[arg-type]
        latest=latest,
        title=output.get("title", "shipwatch report"),
        start=start,
        end=end,
        relative=relative,
        thresholds=thresholds,
        settings=settings,
        raw=data,
    )


def load_config(path: str | Path) -> ReportConfig:
    """Read and validate a report config file (TOML)."""
    path = Path(path)
    if path.suffix.lower() != ".toml":
        raise ConfigError(f"{path}: the report config must be a TOML file (.toml)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"{path}: config file not found") from err
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: not a valid TOML file ({err})") from err
    return parse_config(data, source=path, base=path.resolve().parent)
