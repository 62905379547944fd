"""Detection beside its peers (``make bench``): gap detection by shipwatch, DuckDB, polars, pandas, MovingPandas and
GFW pipe-gaps on the real NOAA day; shipwatch's scaling to 2x, 4x, 8x the day.

Writes ``bench/out/peers.md`` (markdown for docs/benchmarks.md) and prints it. Every job runs in a fresh
subprocess, started from an intermediate process that reports the job's wall time, CPU time (user + system,
``RUSAGE_CHILDREN``) and peak RSS (``ru_maxrss``) alone; jobs are interleaved (A B C A B C ...) so that the host's
load hits them alike, and the tables give medians.

Peers run in a separate venv ``.peers`` (gitignored) when it exists, else in this interpreter; a row whose package
is missing is skipped with a note. Set it up with::

    python3 -m venv .peers
    .peers/bin/pip install duckdb pandas pyarrow polars movingpandas rich geopy gfw-common py-spy
    # GFW pipe-gaps is not on PyPI: install its source without its pipeline dependencies (beam, BigQuery);
    # only pipe_gaps.core.GapDetector is used (needs rich, geopy, gfw-common).
    git clone --depth 1 https://github.com/GlobalFishingWatch/pipe-gaps /tmp/pipe-gaps
    .peers/bin/pip install --no-deps /tmp/pipe-gaps

Run: ``PYTHONPATH=src:tools .venv/bin/python bench/peers.py [--repeat N] [--quick]``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
WORK = OUT / "peers"
REAL = ROOT.parent / "shared" / "real_ais" / "noaa"
PARQUET = REAL / "AIS_2020_01_01_named_vessels.parquet"
CSV = OUT / "AIS_2020_01_01_named_vessels.csv"  # written by bench/run.py (make_csv), or here
PEERS_PY = ROOT / ".peers" / "bin" / "python"
SUBSET_EVERY = 6  # every 6th MMSI of the day: ~1 M rows (as bench/detect.py)
GAP_H = 6
SCALES = (1, 2, 3, 4, 8)  # 3x: the 'a store of three such days'
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tools")])}


# --------------------------------------------------------------------------------------------- jobs (children)
# Each job prints one JSON line last: {"gaps": n, ...}. Peer jobs import their package lazily and print
# {"skip": "..."} when it is absent.


def _need(mod: str):
    import importlib

    try:
        return importlib.import_module(mod)
    except ImportError as e:
        print(json.dumps({"skip": f"{mod} not installed ({e})"}))
        sys.exit(0)


GAPS_SQL = f"""
SELECT count(*) FROM (
  SELECT mmsi, t, t - lag(t) OVER (PARTITION BY mmsi ORDER BY t) AS dt FROM src
) WHERE dt > INTERVAL {GAP_H} HOUR
"""


def job_duckdb_csv(path: str) -> dict:
    duckdb = _need("duckdb")
    con = duckdb.connect()
    con.execute(
        "CREATE VIEW src AS SELECT MMSI AS mmsi, CAST(BaseDateTime AS TIMESTAMP) AS t "
        f"FROM read_csv('{path}', header = true)"
    )
    return {"gaps": con.execute(GAPS_SQL).fetchone()[0], "version": duckdb.__version__}


def job_duckdb_store(store: str) -> dict:
    duckdb = _need("duckdb")
    con = duckdb.connect()
    con.execute(
        "CREATE VIEW src AS SELECT mmsi, timestamp AS t "
        f"FROM read_parquet('{store}/positions/*/*.parquet', hive_partitioning = false)"
    )
    return {"gaps": con.execute(GAPS_SQL).fetchone()[0], "version": duckdb.__version__}


def job_polars_csv(path: str) -> dict:
    pl = _need("polars")
    df = pl.read_csv(
        path, columns=["MMSI", "BaseDateTime"], schema_overrides={"BaseDateTime": pl.Datetime("us")}
    )
    df = df.sort("MMSI", "BaseDateTime")
    gaps = df.filter(
        (pl.col("MMSI") == pl.col("MMSI").shift())
        & (pl.col("BaseDateTime").diff() > pl.duration(hours=GAP_H))
    )
    return {"gaps": gaps.height, "version": pl.__version__}


def job_pandas_csv(path: str) -> dict:
    pd = _need("pandas")
    _need("pyarrow")
    df = pd.read_csv(path, engine="pyarrow", usecols=["MMSI", "BaseDateTime"])
    df["BaseDateTime"] = pd.to_datetime(df["BaseDateTime"])
    df = df.sort_values(["MMSI", "BaseDateTime"], kind="stable")
    dt = df.groupby("MMSI")["BaseDateTime"].diff()
    return {"gaps": int((dt > pd.Timedelta(hours=GAP_H)).sum()), "version": pd.__version__}


def job_movingpandas(path: str) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    mpd = _need("movingpandas")
    from datetime import timedelta

    import pandas as pd

    df = pd.read_parquet(path, columns=["MMSI", "BaseDateTime", "LAT", "LON"])
    df["t"] = pd.to_datetime(df["BaseDateTime"])
    tc = mpd.TrajectoryCollection(df, traj_id_col="MMSI", t="t", x="LON", y="LAT")
    split = mpd.ObservationGapSplitter(tc).split(gap=timedelta(hours=GAP_H))
    segments = len(split.trajectories)
    vessels_in = len(tc.trajectories)
    # segment ids are "<vessel id>_<i>"
    vessels_out = len({str(t.id).rsplit("_", 1)[0] for t in split.trajectories})
    return {
        # a vessel split into n segments had n - 1 gaps, counting only segments of >= 2 points
        "gaps": segments - vessels_out,
        "segments": segments,
        "trajectories_in": vessels_in,
        "version": mpd.__version__,
    }


def job_gfw(path: str) -> dict:
    core = _need("pipe_gaps.core")
    from collections import defaultdict
    from datetime import timedelta

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    t = pq.read_table(path, columns=["MMSI", "BaseDateTime", "LAT", "LON"])
    ts = pc.divide(
        pc.cast(pc.cast(pc.strptime(t["BaseDateTime"], "%Y-%m-%dT%H:%M:%S", "s"), "int64"), "float64"), 1.0
    )
    by: dict = defaultdict(list)
    for m, s, la, lo in zip(
        t["MMSI"].to_pylist(), ts.to_pylist(), t["LAT"].to_pylist(), t["LON"].to_pylist(), strict=True
    ):
        by[m].append({"ssvid": str(m), "timestamp": s, "lat": la, "lon": lo, "receiver_type": "terrestrial"})
    det = core.GapDetector(threshold=timedelta(hours=GAP_H))
    n = sum(len(det.detect(msgs)) for msgs in by.values())
    import importlib.metadata as md

    return {"gaps": n, "version": md.version("pipe-gaps")}


JOBS = {
    "duckdb_csv": job_duckdb_csv,
    "duckdb_store": job_duckdb_store,
    "polars_csv": job_polars_csv,
    "pandas_csv": job_pandas_csv,
    "movingpandas": job_movingpandas,
    "gfw": job_gfw,
}


# ------------------------------------------------------------------------------------- measuring (intermediate)


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(cap_mb: float, argv: list[str]) -> None:
    """Intermediate process: run ``argv``, kill it if its RSS passes ``cap_mb``; print wall, CPU, peak RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    killed = []

    def watch() -> None:
        while proc.poll() is None:
            rss = _rss_mb(proc.pid)
            if rss > cap_mb:
                killed.append(rss)
                proc.kill()
                return
            time.sleep(0.1)

    threading.Thread(target=watch, daemon=True).start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = {
        "wall_s": wall,
        "cpu_s": u.ru_utime + u.ru_stime,
        "user_s": u.ru_utime,
        "sys_s": u.ru_stime,
        "peak_mb": u.ru_maxrss / 1024,
        "rc": proc.returncode,
    }
    if killed:
        res["killed_mb"] = killed[0]
    elif proc.returncode != 0:
        res["error"] = err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"
    else:
        lines = [ln for ln in out.strip().splitlines() if ln.startswith("{")]
        res["out"] = json.loads(lines[-1]) if lines else {}
    print(json.dumps(res))


def mem_available_mb() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return 8192.0


def run_measured(argv: list[str], cap_mb: float | None = None) -> dict:
    cap = cap_mb if cap_mb is not None else 0.7 * mem_available_mb()
    proc = subprocess.run(
        [sys.executable, __file__, "--measure", str(cap), "--", *argv], capture_output=True, text=True
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-300:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------------------ inputs


def peers_python() -> str:
    return str(PEERS_PY) if PEERS_PY.exists() else sys.executable


def prepare() -> dict:
    """CSV of the day, its store, the 1 M-row subset (CSV + Parquet), the shifted copies and their stores."""
    import polars as pl

    WORK.mkdir(parents=True, exist_ok=True)
    inputs: dict = {}
    if not CSV.exists():
        tmp = CSV.with_suffix(".tmp")
        pl.read_parquet(PARQUET).write_csv(tmp)
        tmp.replace(CSV)
    inputs["csv"] = CSV
    day = None
    sub_pq, sub_csv = WORK / "subset.parquet", WORK / "subset.csv"
    if not sub_csv.exists():
        day = pl.read_parquet(PARQUET)
        ids = day["MMSI"].unique().sort()
        keep = ids.gather(range(0, ids.len(), SUBSET_EVERY))
        sub = day.filter(pl.col("MMSI").is_in(keep.implode()))
        sub.write_parquet(sub_pq)
        sub.write_csv(sub_csv.with_suffix(".tmp"))
        sub_csv.with_suffix(".tmp").replace(sub_csv)
    inputs["subset_parquet"], inputs["subset_csv"] = sub_pq, sub_csv
    for k in range(max(SCALES)):
        shifted = WORK / f"day+{k}.parquet"
        if not shifted.exists():
            if day is None:
                day = pl.read_parquet(PARQUET)
            t = pl.col("BaseDateTime").str.to_datetime("%Y-%m-%dT%H:%M:%S") + pl.duration(days=k)
            day.with_columns(t.dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime")).write_parquet(shifted)
    for n in SCALES:
        store = WORK / f"store-{n}x"
        done = store / ".bench-complete"
        if not done.exists():
            shutil.rmtree(store, ignore_errors=True)
            src = [str(CSV)] if n == 1 else [str(WORK / f"day+{k}.parquet") for k in range(n)]
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "shipwatch.cli", "ingest", *src, "--store", str(store)],
                check=True,
                capture_output=True,
                env=ENV,
            )
            print(f"  made {store.name} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            done.write_text("")
        inputs[f"store_{n}x"] = store
    return inputs


# ---------------------------------------------------------------------------------------------------- the bench


def shipwatch_job(path: Path, name: str, *extra: str) -> list[str]:
    out = WORK / f"run-{name}"
    shutil.rmtree(out, ignore_errors=True)
    return [sys.executable, "-m", "shipwatch.cli", "detect", str(path), "--out", str(out), *extra]


def after_shipwatch(res: dict, name: str) -> dict:
    """Read the run folder's run.json: stage timings and gap counts."""
    run_json = WORK / f"run-{name}" / "run.json"
    # exit 1 is a finished run with a warning (the US day is far from the bundled watched ports)
    if res.get("rc") in (0, 1) and run_json.exists():
        if res.get("rc") == 1:
            res["warning"] = res.pop("error", "")
        m = json.loads(run_json.read_text())
        r = m["results"]
        res["out"] = {
            "gaps": r["gaps"] - r["gaps_open"],
            "gaps_all": r["gaps"],
            "gaps_open": r["gaps_open"],
            "positions": r["positions"],
            "timings": m["timings_s"],
        }
    shutil.rmtree(WORK / f"run-{name}", ignore_errors=True)
    return res


def peer_job(name: str, arg: Path) -> list[str]:
    return [peers_python(), __file__, "--job", name, str(arg)]


def interleave(jobs: list[tuple[str, list[str], str | None]], repeat: int, log) -> dict[str, list[dict]]:
    """Run ``jobs`` (label, argv, shipwatch run name or None) as A B C A B C ...; a job that skipped or
    failed is not repeated."""
    results: dict[str, list[dict]] = {label: [] for label, _, _ in jobs}
    for i in range(repeat):
        for label, argv, run_name in jobs:
            prev = results[label]
            if prev and ("out" not in prev[-1] or "skip" in prev[-1].get("out", {})):
                continue
            res = run_measured(argv)
            if run_name:
                res = after_shipwatch(res, run_name)
            prev.append(res)
            log(f"  [{i + 1}/{repeat}] {label}: {_brief(res)}")
    return results


def _brief(r: dict) -> str:
    if "out" in r and "skip" in r["out"]:
        return "skipped: " + r["out"]["skip"]
    if "killed_mb" in r:
        return f"killed at {r['killed_mb']:.0f} MB RSS after {r['wall_s']:.0f} s"
    if "error" in r:
        return "error: " + r["error"]
    return f"wall {r['wall_s']:.2f} s cpu {r['cpu_s']:.1f} s peak {r['peak_mb']:.0f} MB gaps {r['out'].get('gaps')}"


def summarize(runs: list[dict]) -> dict:
    ok = [r for r in runs if "out" in r and "skip" not in r["out"]]
    if not ok:
        r = runs[0] if runs else {}
        if "out" in r and "skip" in r["out"]:
            return {"note": "skipped: " + r["out"]["skip"]}
        if "killed_mb" in r:
            return {
                "note": f"stopped at {r['killed_mb'] / 1024:.1f} GB RSS (memory cap) after {r['wall_s']:.0f} s"
            }
        err = r.get("error", "?")
        return {"note": err if err.startswith("not run") else "failed: " + err}
    med = {k: statistics.median(r[k] for r in ok) for k in ("wall_s", "cpu_s", "user_s", "sys_s")}
    med["peak_mb"] = max(r["peak_mb"] for r in ok)
    med["n"] = len(ok)
    med["out"] = ok[0]["out"]
    if "timings" in ok[0]["out"]:
        keys = ok[0]["out"]["timings"].keys()
        med["timings"] = {k: statistics.median(r["out"]["timings"][k] for r in ok) for k in keys}
    med["gaps_set"] = sorted({r["out"].get("gaps") for r in ok})
    return med


STAGES = ("load", "clean", "label_ports", "port_visits", "gaps", "dark_transits", "total")


def _stages(t: dict | None) -> str:
    if not t:
        return ""
    return " · ".join(f"{k} {t[k]:.1f}" for k in STAGES if k in t)


def table(rows: list[tuple[str, dict, int]], with_rate: bool = True) -> list[str]:
    md = [
        "| job | rows | wall (median) | rows/s | CPU user + sys | peak RSS | gaps > 6 h | detect stages (s, from run.json) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, s, rows_in in rows:
        if "note" in s:
            md.append(f"| {label} | {rows_in:,} | — | — | — | — | — | {s['note']} |")
            continue
        gaps = s["out"].get("gaps")
        gaps = "?" if gaps is None else f"{gaps:,}"
        extra = ""
        if "gaps_open" in s["out"]:
            extra = f" (+{s['out']['gaps_open']:,} open)"
        rate = f"{rows_in / s['wall_s'] / 1e6:.2f} M" if with_rate else ""
        md.append(
            f"| {label} | {rows_in:,} | {s['wall_s']:.2f} s | {rate} | {s['user_s']:.1f} + {s['sys_s']:.1f} s "
            f"| {s['peak_mb']:,.0f} MB | {gaps}{extra} | {_stages(s.get('timings'))} |"
        )
    return md


def machine() -> list[str]:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("free -g | awk '/Mem:/ {print $2}'")
    vers = {}
    for py, mods in (
        (sys.executable, ["polars", "pyarrow"]),
        (peers_python(), ["duckdb", "pandas", "movingpandas", "geopandas", "pipe_gaps", "polars"]),
    ):
        code = (
            "import importlib, json, sys\nout = {}\n"
            f"for m in {mods!r}:\n"
            "    try:\n"
            "        import importlib.metadata as md\n"
            "        out[m] = md.version(m.replace('_', '-'))\n"
            "    except Exception:\n"
            "        out[m] = 'absent'\n"
            "print(json.dumps(out))"
        )
        got = subprocess.run([py, "-c", code], capture_output=True, text=True).stdout.strip()
        vers[py] = json.loads(got or "{}")
    sw, peer = vers[sys.executable], vers[peers_python()]
    return [
        f"- `nproc`: {os.cpu_count()}; `free -g`: {mem} GB total; CPU: {cpu}; Python {platform.python_version()}",
        f"- shipwatch's venv: polars {sw.get('polars')}, pyarrow {sw.get('pyarrow')}",
        "- peers' venv (`.peers`): "
        + ", ".join(f"{k} {v}" for k, v in peer.items() if k != "polars")
        + f" (polars there {peer.get('polars')}; the polars row uses shipwatch's polars)",
    ]


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--measure"]:
        measure(float(args[1]), args[3:])
        return 0
    if args[:1] == ["--job"]:
        print(json.dumps(JOBS[args[1]](args[2])))
        return 0
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 3
    quick = "--quick" in args  # skip the 4x and 8x rows
    if not PARQUET.exists():
        print(f"peers: {PARQUET} not found; the benchmark needs ../shared/real_ais", file=sys.stderr)
        return 1
    t_start = time.perf_counter()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    loads: list[float] = []

    def load_sampler() -> None:
        while True:
            loads.append(os.getloadavg()[0])
            time.sleep(5)

    threading.Thread(target=load_sampler, daemon=True).start()
    log("preparing inputs (cached in bench/out/peers)")
    inp = prepare()
    import polars as pl

    day_rows = pl.scan_parquet(PARQUET).select(pl.len()).collect().item()
    sub_rows = pl.scan_parquet(inp["subset_parquet"]).select(pl.len()).collect().item()

    log(f"1. the day ({day_rows:,} rows), {repeat} interleaved rounds")
    day_jobs = [
        ("DuckDB: CSV → window lag", peer_job("duckdb_csv", inp["csv"]), None),
        (
            "polars: read CSV, sort, diff",
            [sys.executable, __file__, "--job", "polars_csv", str(inp["csv"])],
            None,
        ),
        ("pandas (pyarrow): read CSV, sort, groupby-diff", peer_job("pandas_csv", inp["csv"]), None),
        ("**shipwatch detect CSV**", shipwatch_job(inp["csv"], "day_csv"), "day_csv"),
        ("DuckDB: store (Parquet) → window lag", peer_job("duckdb_store", inp["store_1x"]), None),
        ("**shipwatch detect STORE**", shipwatch_job(inp["store_1x"], "day_store"), "day_store"),
        (
            "shipwatch detect STORE --engine dask --workers 2",
            shipwatch_job(inp["store_1x"], "day_dask", "--engine", "dask", "--workers", "2"),
            "day_dask",
        ),
    ]
    day = interleave(day_jobs, repeat, log)
    day_rows_md = [(label, summarize(day[label]), day_rows) for label, _, _ in day_jobs]

    log(f"2. the {sub_rows:,}-row subset (every {SUBSET_EVERY}th MMSI), {repeat} interleaved rounds")
    sub_jobs = [
        (
            "MovingPandas ObservationGapSplitter (Parquet)",
            peer_job("movingpandas", inp["subset_parquet"]),
            None,
        ),
        ("GFW pipe-gaps GapDetector (Parquet → dicts)", peer_job("gfw", inp["subset_parquet"]), None),
        ("**shipwatch detect CSV** (subset)", shipwatch_job(inp["subset_csv"], "sub_csv"), "sub_csv"),
    ]
    sub = interleave(sub_jobs, repeat, log)
    sub_rows_md = [(label, summarize(sub[label]), sub_rows) for label, _, _ in sub_jobs]

    scales = [n for n in SCALES if not (quick and n > 3)]
    log(f"3. scaling {scales}: 1x/2x/3x {repeat} rounds interleaved, 4x/8x once (memory-capped)")
    big_jobs = [
        (f"store_{n}x", shipwatch_job(inp[f"store_{n}x"], f"scale_{n}x"), f"scale_{n}x")
        for n in scales
        if n <= 3
    ]
    scale = interleave(big_jobs, repeat, log)
    for n in scales:
        if n > 3:
            half = scale.get(f"store_{n // 2}x", [{}])
            if "killed_mb" in half[-1] or "error" in half[-1]:
                why = "passed the memory cap" if "killed_mb" in half[-1] else "was not run or failed"
                log(f"  store_{n}x: not run, {n // 2}x {why}")
                scale[f"store_{n}x"] = [{"error": f"not run: {n // 2}× {why}"}]
                continue
            # Peak RSS grows linearly with the rows (4.6 GB per day on the first run): skip a size whose
            # projection passes the cap instead of waiting minutes for the watchdog to stop it.
            projected = 2 * max((r.get("peak_mb", 0) for r in half), default=0)
            cap = 0.7 * mem_available_mb()
            if projected > cap:
                note = f"not run: projected peak {projected / 1024:.1f} GB (2 × the {n // 2}× peak) > cap {cap / 1024:.1f} GB"
                log(f"  store_{n}x: {note}")
                scale[f"store_{n}x"] = [{"error": note}]
                continue
            r = after_shipwatch(run_measured(shipwatch_job(inp[f"store_{n}x"], f"scale_{n}x")), f"scale_{n}x")
            log(f"  [1/1] store_{n}x: {_brief(r)}")
            scale[f"store_{n}x"] = [r]
    scale_md = [
        (f"shipwatch detect STORE, {n}× the day", summarize(scale[f"store_{n}x"]), n * day_rows)
        for n in scales
    ]

    total = time.perf_counter() - t_start
    md = [
        "## Detection beside its peers: the latest `make bench`",
        "",
        "Command: `make bench` (this table: `PYTHONPATH=src:tools .venv/bin/python bench/peers.py`), "
        f"{repeat} interleaved rounds (A B C … A B C …), medians; each job a fresh subprocess (wall time includes "
        "interpreter start and imports), CPU = user + system of that subprocess and its children, peak RSS its own "
        "(`ru_maxrss` of `RUSAGE_CHILDREN` from an intermediate process: the largest single process, so for Dask "
        "the client or one worker). Gaps: consecutive positions of one MMSI "
        f"more than {GAP_H} h apart; for shipwatch the closed gaps (open ones — silent until the data end — in "
        "brackets), from `run.json`.",
        "",
        *machine(),
        f"- load average (1 min) during the run: median {statistics.median(loads):.1f}, max {max(loads):.1f}; "
        f"bench/peers.py took {total / 60:.1f} min",
        "",
        f"### The NOAA day: {day_rows:,} rows, MarineCadastre CSV 597 MB, and the shipwatch store made from it",
        "",
        *table(day_rows_md),
        "",
        f"### {sub_rows:,} rows (every {SUBSET_EVERY}th MMSI of the day)",
        "",
        *table(sub_rows_md),
        "",
        "### Scaling: k copies of the day shifted by 0 … k−1 days (same MMSIs) in one store",
        "",
        *table(scale_md),
        "",
    ]
    md += targets(dict(day_rows_md_by_label(day_rows_md)), {n: summarize(scale[f"store_{n}x"]) for n in scales})
    text = "\n".join(md)
    (OUT / "peers.md").write_text(text)
    write_into_docs(text)
    (OUT / "peers.json").write_text(
        json.dumps({"day": day, "subset": sub, "scale": scale}, indent=1, default=str)
    )
    print(text)
    return 0


DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench/peers.py: begin -->", "<!-- bench/peers.py: end -->"


def write_into_docs(text: str) -> None:
    """Put this run's tables into docs/benchmarks.md, between its markers (first in the file if absent)."""
    doc = DOCS.read_text() if DOCS.exists() else ""
    block = f"{BEGIN}\n{text.rstrip()}\n{END}"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + block + rest.split(END, 1)[1]
    else:
        doc = block + "\n\n" + doc
    DOCS.write_text(doc)


def day_rows_md_by_label(rows: list[tuple[str, dict, int]]) -> list[tuple[str, dict]]:
    return [(label, med) for label, med, _ in rows]


def targets(day: dict[str, dict], scale: dict[int, dict]) -> list[str]:
    """Issue 12's targets against this run's medians (wall and CPU ratios, peaks)."""

    def ratio(a: str, b: str, key: str) -> str:
        x, y = day.get(a, {}).get(key), day.get(b, {}).get(key)
        return f"{x / y:.1f}×" if x and y else "—"

    def verdict(a: str, b: str) -> str:
        x, y = day.get(a, {}).get("wall_s"), day.get(b, {}).get("wall_s")
        return "—" if not (x and y) else "met" if x <= 3 * y else "**not met**"

    store, csv = "**shipwatch detect STORE**", "**shipwatch detect CSV**"
    duck_store, duck_csv = "DuckDB: store (Parquet) → window lag", "DuckDB: CSV → window lag"
    peak = {k: day.get(k, {}).get("peak_mb") for k in (store, csv)}
    one, three = scale.get(1, {}).get("peak_mb"), scale.get(3, {}).get("peak_mb")
    rows = [
        "### Against the issue's targets (this run, interleaved medians)",
        "",
        "| target | measured (wall; CPU) | |",
        "|---|---|---|",
        f"| `detect STORE` ≤ 3× DuckDB's gap query over the same Parquet | {ratio(store, duck_store, 'wall_s')}; "
        f"{ratio(store, duck_store, 'cpu_s')} | {verdict(store, duck_store)} |",
        f"| `detect CSV` ≤ 3× DuckDB's CSV gap query | {ratio(csv, duck_csv, 'wall_s')}; "
        f"{ratio(csv, duck_csv, 'cpu_s')} | {verdict(csv, duck_csv)} |",
    ]
    for k, name in ((store, "STORE"), (csv, "CSV")):
        v = peak[k]
        rows.append(
            f"| peak RSS ≤ 1.5 GB on the day, `detect {name}` | {v:,.0f} MB | {'met' if v <= 1536 else '**not met**'} |"
            if v
            else f"| peak RSS ≤ 1.5 GB on the day, `detect {name}` | — | — |"
        )
    if one and three:
        growth = three / one - 1
        rows.append(
            f"| a store of 3 days ≤ 10 % above one day | {three:,.0f} vs {one:,.0f} MB ({growth:+.0%}) | "
            f"{'met' if growth <= 0.10 else '**not met**'} |"
        )
    return [*rows, ""]


if __name__ == "__main__":
    sys.exit(main())
