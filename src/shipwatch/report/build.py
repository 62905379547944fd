"""The report run: config in, ``OUT/<period>/report.html`` (and its figures and exports) out.

One run: read and validate the config; resolve the period (and the one before it, of the same length);
ingest raw inputs into the configured store (content already there adds nothing); fingerprint the inputs;
stop there when the period's existing report was made from the same fingerprints, config and shipwatch
version; else detect over both periods at once, split the results, draw, render, and publish.

Publishing is atomic. Everything is written into ``OUT/.tmp-<period>-<pid>/``, renamed to a version folder
``OUT/.v-<period>-<pid>-<n>/``, and the period's name ``OUT/<period>`` is a relative symlink to it, swapped
with ``os.replace`` (a rename, atomic on POSIX): whenever the run is killed, ``OUT/<period>`` is either the
previous report, whole, or the new one, whole. ``OUT/latest`` is switched the same way. The next run removes
what a killed one left (temporary folders, versions no link points to). One run at a time per output folder
(an OS lock on ``OUT/.lock``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from shipwatch import __version__
from shipwatch import schema as s
from shipwatch.detection import Detection
from shipwatch.errors import InputError, ShipwatchError
from shipwatch.export import write_csv, write_json
from shipwatch.geo import haversine_km
from shipwatch.ingest import ingest, load_positions
from shipwatch.pipeline import detect, file_fingerprint
from shipwatch.ports import DESTINATION, WATCH, load_ports
from shipwatch.report import figures
from shipwatch.report.config import ReportConfig, load_config, safe_name
from shipwatch.report.periods import Period, date_span
from shipwatch.report.render import TEMPLATE_DIR, render_template
from shipwatch.sightings import read_sightings
from shipwatch.store import is_store
from shipwatch.summary import compare_published, monthly_summary, read_reference

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MANIFEST = "manifest.json"
REPORT = "report.html"
INTERACTIVE = "transit_map.html"
Log = Callable[[str], None]


@dataclass
class Outcome:
    """What a report run did: its folder, exit code (0 ok, 1 data-quality warnings), warnings, and
    whether it found the existing report up to date."""

    folder: Path
    exit_code: int
    warnings: list[str] = field(default_factory=list)
    unchanged: bool = False
    seconds: float = 0.0


class ReportLockedError(ShipwatchError):
    """Another report run is writing to the same output folder."""

    exit_code = 2


# --- the run -----------------------------------------------------------------------------------------------
def run_report(config: str | Path | ReportConfig, *, as_of: dt.date | None = None, log: Log | None = None) -> Outcome:
    """Run the report described by ``config`` for the period it names on ``as_of`` (default today UTC)."""
    t0 = time.perf_counter()
    say = log or (lambda msg: None)
    cfg = config if isinstance(config, ReportConfig) else load_config(config)
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    period = cfg.period(as_of)
    label = safe_name(period.label, where="period")
    out = cfg.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"{out}: cannot create the output folder ({err.strerror})") from err
    with _locked(out):
        _clean_leftovers(out, say)
        sources, ingested = _prepare_inputs(cfg, say)
        key, inputs = _fingerprint(cfg, period, sources)
        target = out / label
        old = _read_manifest(target)
        if old is not None and old.get("fingerprint") == key:
            _link(out, cfg.latest, label)
            say(f"{target}: unchanged (inputs, config and shipwatch version match its manifest); nothing re-rendered")
            warnings = list(old.get("warnings", []))
            return Outcome(target, 1 if warnings else 0, warnings, True, time.perf_counter() - t0)
        tmp = out / f".tmp-{label}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        say(f"period {period.title} ({label}); previous period {period.previous().title}")
        warnings, timings = _build(cfg, period, sources, ingested, inputs, tmp, say)
        manifest = {
            "fingerprint": key,
            "period": {"label": label, "start": period.start.isoformat(), "last": period.last.isoformat()},
            "as_of": as_of.isoformat(),
            "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "shipwatch_version": __version__,
            "config": str(cfg.source),
            "warnings": warnings,
            "exit_code": 1 if warnings else 0,
            "ingested_now": ingested,
            "files": {p.relative_to(tmp).as_posix(): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()},
            "timings_s": {**timings, "total": round(time.perf_counter() - t0, 3)},
        }
        write_json(manifest, tmp / MANIFEST)
        _publish(out, label, tmp)
        _link(out, cfg.latest, label)
        say(f"wrote {target / REPORT}")
        return Outcome(target, 1 if warnings else 0, warnings, False, time.perf_counter() - t0)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    with open(out / ".lock", "a+b") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                raise ReportLockedError(
                    f"{out}: another shipwatch report is writing here; wait for it to finish"
                ) from err
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _clean_leftovers(out: Path, say: Log) -> None:
    """Remove what a killed run left: temporary folders and links, versions no link points to."""
    used = {os.readlink(p) for p in out.iterdir() if p.is_symlink()}
    for p in sorted(out.iterdir()):
        name = p.name
        if p.is_symlink() and name.startswith(".link-"):
            p.unlink(missing_ok=True)
        elif name.startswith(".tmp-") or (name.startswith(".v-") and name not in used):
            say(f"removing {p.name} left by an interrupted run")
            shutil.rmtree(p, ignore_errors=True)


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _publish(out: Path, label: str, tmp: Path) -> None:
    """Make ``out/label`` the folder ``tmp`` in one atomic step (see the module docstring)."""
    target = out / label
    version = f".v-{label}-{os.getpid()}-{time.time_ns()}"
    previous = os.readlink(target) if target.is_symlink() else None
    os.rename(tmp, out / version)
    if target.exists() and not target.is_symlink():  # a plain folder (made by hand or another tool)
        os.rename(target, out / f".v-{label}-old-{os.getpid()}")
    link = out / f".link-{label}-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(version, link)
    os.replace(link, target)
    if previous and previous != version and "/" not in previous:
        shutil.rmtree(out / previous, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(out / f".v-{label}-old-{os.getpid()}")


def _link(out: Path, name: str, label: str) -> None:
    """Point ``out/name`` at ``label``, atomically."""
    link = out / f".link-{name}-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(label, link)
    os.replace(link, out / name)


# --- inputs ------------------------------------------------------------------------------------------------
def _prepare_inputs(cfg: ReportConfig, say: Log) -> tuple[list[Path], dict[str, Any] | None]:
    """The paths to detect from, and the accounting of what was ingested into the store now."""
    stores = [p for p in cfg.paths if is_store(p)]
    if stores and len(stores) != len(cfg.paths):
        raise InputError(f"{cfg.source}: inputs.paths mixes shipwatch stores and raw files")
    if stores or cfg.store is None:
        return list(cfg.paths), None
    report = ingest(list(cfg.paths), cfg.store, mapping=cfg.mapping)
    new = [f.path for f in report.files if not f.already_ingested]
    say(f"ingest into {cfg.store}: {len(new)} new file(s), {report.rows_accepted} new row(s); "
        f"{len(report.files) - len(new)} file(s) already in the store")
    acc = report.to_dict()
    acc.pop("files")
    acc["new_files"] = new
    return [cfg.store], acc


def _fingerprint(cfg: ReportConfig, period: Period, sources: list[Path]) -> tuple[str, list[dict[str, Any]]]:
    inputs = [file_fingerprint(p) for p in sources]
    for role, p in (("sightings", cfg.sightings), ("ports", cfg.ports), ("reference", cfg.reference)):
        if p is not None:
            inputs.append({**file_fingerprint(p), "role": role})
    code = hashlib.sha256()
    for p in sorted(TEMPLATE_DIR.iterdir()):
        code.update(p.read_bytes())
    key = {
        "version": __version__,
        "figures": figures.backend(),
        "templates": code.hexdigest(),
        "config": json.loads(json.dumps(cfg.raw, sort_keys=True, default=str)),
        "period": [period.start.isoformat(), period.end.isoformat()],
        "inputs": inputs,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest(), inputs


def _store_accounting(store: Path) -> dict[str, Any]:
    """Row accounting of everything in a store: rows read and rejected per its manifest, reasons from rejects/."""
    manifest = json.loads((store / "manifest.json").read_text(encoding="utf-8"))
    files = manifest.get("files", {}).values()
    read = sum(int(f.get("rows", 0)) for f in files)
    rejected = sum(int(f.get("rejected", 0)) for f in files)
    reasons: dict[str, int] = {}
    rejects = sorted((store / "rejects").glob("*.parquet"))
    if rejects:
        counts = pl.scan_parquet(rejects).group_by(s.REASON).len().collect().sort(["len", s.REASON], descending=[True, False])
        reasons = dict(counts.iter_rows())
    return {"source": "store", "files": len(files), "rows_read": read, "rows_rejected": rejected,
            "rows_accepted": read - rejected, "rejected_by_reason": reasons}


# --- detection and rendering -------------------------------------------------------------------------------
def _restrict(d: Detection, p: Period, ports: list, sightings_all: pl.DataFrame) -> Detection:
    """The part of a detection that starts inside period ``p``, with its own monthly summary."""
    lo = dt.datetime.combine(p.start, dt.time(), dt.UTC)
    hi = dt.datetime.combine(p.end, dt.time(), dt.UTC)

    def within(df: pl.DataFrame, col: str) -> pl.DataFrame:
        return df.filter((pl.col(col) >= lo) & (pl.col(col) < hi))

    transits = within(d.dark_transits, "dark_start")
    sightings = within(d.sightings, "observed_at")
    visits = within(d.port_visits, "arrival")
    months = [m for m, _, _ in p.months()]
    summary = monthly_summary(transits, sightings=sightings, visits=visits, ports=ports, months=months)
    part = replace(
        d, port_visits=visits, gaps=within(d.gaps, "start_time"),
        dark_transits=transits, sightings=sightings, monthly_summary=summary,
    )
    part.tracks = within(d.tracks, s.TIMESTAMP)  # a property (lazy tracks of bucketed runs), not an init field
    return part


def _headline(d: Detection) -> dict[str, int]:
    t = d.dark_transits
    strong = t.filter(pl.col("evidence").is_in(["probable", "confirmed"]))
    watched = [p.name for p in d.ports if p.role == WATCH]
    sg = d.sightings
    return {
        "dark transits (all grades)": t.height,
        "confirmed": int((t["evidence"] == "confirmed").sum()),
        "probable": int((t["evidence"] == "probable").sum()),
        "possible": int((t["evidence"] == "possible").sum()),
        "dark calls at watched ports (probable + confirmed)": strong.filter(pl.col("call_port").is_in(watched)).height,
        "vessels with a probable or confirmed dark call": strong[s.MMSI].n_unique() if strong.height else 0,
        "unidentified imagery calls": sg.filter(pl.col("match") == "unidentified")["call_id"].n_unique(),
        "ambiguous sightings": int((sg["match"] == "ambiguous").sum()),
        "AIS gaps": d.gaps.height,
        "AIS positions": d.tracks.height,
        "vessels heard on AIS": d.tracks[s.MMSI].n_unique() if d.tracks.height else 0,
    }


def contradictions(reference: pl.DataFrame) -> list[dict[str, Any]]:
    """Pairs of published counts that cannot both be true.

    Of two counts of the same metric at the same port, one exact (``exactly n`` over a period) and one
    whose period lies inside it and that states more (``exactly`` or ``at least`` m > n), at most one is
    right: the part cannot hold more than the whole.
    """
    rows = reference.to_dicts()
    out = []
    for a in rows:
        if (a.get("qualifier") or "exactly") != "exactly" or not a.get("metric"):
            continue
        for b in rows:
            if b is a or b.get("metric") != a["metric"] or b.get("port") != a.get("port"):
                continue
            if (b.get("qualifier") or "exactly") not in ("exactly", "at_least"):
                continue
            inside = a["period_start"] <= b["period_start"] and b["period_end"] <= a["period_end"]
            if inside and int(b["count"]) > int(a["count"]):
                out.append({"whole": a, "part": b})
    return out


def _period_of(ref: dict[str, Any]) -> str:
    a, b = ref["period_start"], ref["period_end"]
    return a if a == b else f"{a} … {b}"


def _coverage(d: Detection, p: Period, km: float) -> list[dict[str, Any]]:
    """Per watched/destination port: positions and vessels heard per day within ``km`` of it."""
    days = pl.DataFrame({"day": pl.date_range(p.start, p.last, "1d", eager=True)})
    out = []
    for port in d.ports:
        if port.role not in (WATCH, DESTINATION):
            continue
        lon0, lat0 = port.call_point()
        t = d.tracks
        near = t.filter(pl.Series(haversine_km(t[s.LAT].to_numpy(), t[s.LON].to_numpy(), lat0, lon0) <= km)) \
            if t.height else t
        per = near.group_by(pl.col(s.TIMESTAMP).dt.date().alias("day")).agg(
            pl.len().alias("positions"), pl.col(s.MMSI).n_unique().alias("vessels"))
        per = days.join(per, on="day", how="left").fill_null(0).sort("day")
        out.append({
            "port": port.name, "role": port.role, "positions": int(per["positions"].sum()),
            "days_without": int((per["positions"] == 0).sum()), "days": per.height,
            "median_positions": float(per["positions"].median() or 0),
            "median_vessels": float(per["vessels"].median() or 0),
            "min_vessels": int(per["vessels"].min() or 0),
        })
    return out


def _missing_days(d: Detection, p: Period) -> list[str]:
    heard = set(d.tracks[s.TIMESTAMP].dt.date().unique().to_list()) if d.tracks.height else set()
    days = pl.date_range(p.start, p.last, "1d", eager=True).to_list()
    return [x.isoformat() for x in days if x not in heard]


def _ranges(days: list[str]) -> list[str]:
    """Consecutive days joined: ['2023-10-01', '2023-10-02', '2023-10-05'] → ['1–2 Oct 2023', '5 Oct 2023']."""
    out: list[list[dt.date]] = []
    for x in map(dt.date.fromisoformat, days):
        if out and (x - out[-1][-1]).days == 1:
            out[-1].append(x)
        else:
            out.append([x])
    return [date_span(r[0], r[-1]) for r in out]


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _file_name(text: str) -> str:
    """A file name made from data (a transit id): only [A-Za-z0-9._-], never starting with a dot."""
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text).lstrip(".")
    return (name or "x")[:120]


def _fmt_time(v: Any) -> str:
    return v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else ("" if v is None else str(v))


def _build(cfg: ReportConfig, period: Period, sources: list[Path], ingested: dict[str, Any] | None,
           inputs: list[dict[str, Any]], tmp: Path, say: Log) -> tuple[list[str], dict[str, float]]:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    prev = period.previous()
    settings = cfg.settings
    ports = load_ports(cfg.ports)
    sightings = read_sightings(cfg.sightings) if cfg.sightings else None
    context = dt.timedelta(days=settings.gaps.context_days)
    lo = dt.datetime.combine(prev.start, dt.time(), dt.UTC)
    hi = dt.datetime.combine(period.end, dt.time(), dt.UTC)
    positions, accounting = load_positions(sources, mapping=None if cfg.store else cfg.mapping,
                                           since=lo - context, until=hi + context)
    lap("load")
    both = detect(positions, ports=ports, sightings=sightings, settings=settings, since=lo, until=hi)
    lap("detect")
    cur = _restrict(both, period, ports, both.sightings)
    before = _restrict(both, prev, ports, both.sightings)
    if accounting.get("source") == "store":
        acc = _store_accounting(sources[0]) if len(sources) == 1 else dict(accounting)
        acc["skipped"] = (ingested or {}).get("skipped", [])
    else:
        acc = {k: v for k, v in accounting.items() if k != "store"}
    th = cfg.thresholds

    # headline and change against the previous period
    now, then = _headline(cur), _headline(before)
    prev_has_data = before.tracks.height > 0
    headline = [{"what": k, "now": v, "then": then[k] if prev_has_data else None,
                 "change": (v - then[k]) if prev_has_data else None} for k, v in now.items()]

    # monthly table and published counts
    labels = {m: period.month_label(m) for m, _, _ in period.months()}
    summary = cur.monthly_summary.with_columns(pl.col("month").replace_strict(labels).alias("label"))
    reference = read_reference(cfg.reference)
    whole = period.whole_months()
    compared = compare_published(cur.monthly_summary.filter(pl.col("month").is_in(whole)), reference)
    clashes = contradictions(reference)
    published = []
    for r, ref in zip(compared.to_dicts(), reference.to_dicts(), strict=True):
        if ref["period_end"] < f"{period.start:%Y-%m}" or ref["period_start"] > f"{period.last:%Y-%m}":
            continue  # no month in common with the report
        clash = [c for c in clashes if ref in (c["whole"], c["part"])]
        if r["detected"] is None:
            partial = [m for m in labels if m not in whole]
            why = ("no detected total: the report covers only part of "
                   + ", ".join(labels[m] for m in partial)) if partial and ref["metric"] else (
                "no detected total: the published period is not wholly inside this report" if ref["metric"]
                else "not comparable: no matching metric")
        else:
            why = ""
        published.append({**r, "note": ref.get("note") or "", "why_none": why,
                          "contradicted": bool(clash)})
    contradiction_text = []
    for c in clashes:
        a, b = c["whole"], c["part"]
        months = [m for m in period.months() if b["period_start"] <= m[0] <= b["period_end"]]
        if not months and not (a["period_end"] >= f"{period.start:%Y-%m}" and a["period_start"] <= f"{period.last:%Y-%m}"):
            continue
        det = None
        pm = [m for m in whole if b["period_start"] <= m <= b["period_end"]]
        if len(pm) == len({m for m in _months_between(b["period_start"], b["period_end"])}):
            ports_b = [x.strip() for x in (b.get("port") or "").split("+")]
            det = int(cur.monthly_summary.filter(pl.col("month").is_in(pm) & pl.col("port").is_in(ports_b))[b["metric"]].sum())
        contradiction_text.append({
            "whole_source": a["source"], "whole_count": a["count"], "whole_what": a["what"],
            "whole_period": _period_of(a), "part_source": b["source"],
            "part_count": ("at least " if b.get("qualifier") == "at_least" else "") + str(b["count"]),
            "part_what": b["what"], "part_period": _period_of(b), "port": a.get("port"),
            "detected": det,
        })
    lap("tables")

    # figures
    figs = tmp / "figures"
    figs.mkdir()
    chart = figures.save_monthly_chart(cur, figs / "monthly_chart.png", reference=reference, labels=labels)
    tmap = figures.save_transit_map(cur, figs / "transit_map.png")
    figures.interactive_map(cur, tmp / INTERACTIVE)
    thumbs = {}
    (tmp / "transits").mkdir()
    for tid in cur.dark_transits["transit_id"].to_list():
        path = tmp / "transits" / f"{_file_name(tid)}.png"
        if path.resolve().parent != (tmp / "transits").resolve():  # never outside the report folder
            raise InputError(f"transit id {tid!r} makes an unsafe file name")
        thumbs[tid] = _data_uri(figures.save_transit_map(cur, path, transit_id=tid))
    lap("figures")
    exports = []
    for fmt in ("geojson", "kml"):
        exports += [p.name for p in figures.export(cur, tmp, fmt=fmt)]
    write_csv(cur.dark_transits, tmp / "dark_transits.csv")
    write_csv(cur.sightings, tmp / "sightings.csv")
    write_csv(summary.drop("label"), tmp / "monthly_summary.csv")
    lap("exports")

    # data quality and warnings
    missing = _missing_days(cur, period)
    coverage = _coverage(cur, period, th.coverage_km)
    g = cur.gaps
    gap_cov = {
        "gaps": g.height,
        "median": float(g["coverage_vessels"].median() or 0) if g.height else None,
        "zero": int((g["coverage_vessels"] == 0).sum()) if g.height else 0,
    }
    cov_by_gap = dict(zip(g["gap_id"].to_list(), g["coverage_vessels"].to_list(), strict=True))
    warnings = []
    read = int(acc.get("rows_read", 0) or 0)
    rejected = int(acc.get("rows_rejected", 0) or 0)
    pct = 100.0 * rejected / read if read else 0.0
    if pct > th.max_rejected_pct:
        warnings.append(f"{pct:.1f} % of the rows read were rejected (threshold {th.max_rejected_pct:g} %)")
    if len(missing) > th.max_missing_days:
        warnings.append(f"{len(missing)} day(s) of the period have no AIS data: {', '.join(_ranges(missing))}")
    for c in coverage:
        if c["role"] == WATCH and c["positions"] < th.min_port_positions:
            warnings.append(f"no AIS positions within {th.coverage_km:g} km of {c['port']} in the period "
                            "(nothing heard there: dark calls cannot be told from missing reception)")

    transits = []
    for t in cur.dark_transits.to_dicts():
        transits.append({**t, "start": _fmt_time(t["dark_start"]), "end": _fmt_time(t["dark_end"]),
                         "thumb": thumbs[t["transit_id"]], "coverage_vessels": cov_by_gap.get(t["gap_id"])})
    odd = cur.sightings.filter(pl.col("match").is_in(["unidentified", "ambiguous"])).sort("observed_at")
    odd_rows = [{**r, "when": _fmt_time(r["observed_at"])} for r in odd.to_dicts()]
    params = [{"key": f"{sec}.{k}", "value": v} for sec, vals in settings.to_dict().items() for k, v in vals.items()]
    import jinja2
    import matplotlib

    versions = {"shipwatch": __version__, "python": platform.python_version(), "polars": pl.__version__,
                "matplotlib": matplotlib.__version__, "jinja2": jinja2.__version__, "figures": figures.backend()}
    run = {"period": {"start": period.start.isoformat(), "last": period.last.isoformat()},
           "previous_period": {"start": prev.start.isoformat(), "last": prev.last.isoformat()},
           "inputs": inputs, "row_accounting": acc, "parameters": settings.to_dict(), "versions": versions,
           "thresholds": vars(th) if hasattr(th, "__dict__") else {}, "results": _headline(cur),
           "warnings": warnings}
    write_json(run, tmp / "run.json")
    html = render_template(
        "report.html.j2",
        title=cfg.title, period=period, prev=prev, headline=headline, prev_has_data=prev_has_data,
        summary=summary.to_dicts(), published=published, contradictions=contradiction_text,
        chart=_data_uri(chart), map=_data_uri(tmap), interactive=INTERACTIVE, transits=transits,
        odd=odd_rows, acc=acc, read=read, rejected=rejected, pct=pct, missing=_ranges(missing),
        n_missing=len(missing), coverage=coverage, gap_cov=gap_cov, km=th.coverage_km,
        params=params, versions=versions, inputs=inputs, warnings=warnings, exports=exports,
        thresholds=th, labels=labels,
    )
    (tmp / REPORT).write_text(html, encoding="utf-8")
    lap("render")
    say(f"{cur.dark_transits.height} dark transit(s), {len(odd_rows)} unidentified/ambiguous sighting(s); "
        f"{len(warnings)} data-quality warning(s)")
    return warnings, timings


def _months_between(a: str, b: str) -> list[str]:
    from shipwatch.summary import month_range

    return month_range(a, b)


def main_log(quiet: bool) -> Log:
    """The CLI's log: lines on stderr, none when ``quiet``."""
    return (lambda msg: None) if quiet else (lambda msg: print(f"shipwatch report: {msg}", file=sys.stderr))
