"""Profile ``shipwatch detect STORE`` on the real NOAA day with py-spy; write ``bench/out/profile.md``.

Needs the store made by ``bench/peers.py`` (``bench/out/peers/store-1x``) and py-spy in the peers venv
(``python3 -m venv .peers && .peers/bin/pip install py-spy``). py-spy samples the Python stacks (100 Hz,
``--format raw``: one collapsed stack per line with its sample count); time spent in polars/numpy native code
is charged to the Python line that called it, so "own" time of a line means "this line, including the native
call it makes". Falls back to cProfile if py-spy is missing or cannot attach.

    PYTHONPATH=src:tools .venv/bin/python bench/profile.py
"""

from __future__ import annotations

import collections
import json
import pstats
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
STORE = OUT / "peers" / "store-1x"
PYSPY = ROOT / ".peers" / "bin" / "py-spy"
# detect()'s stages: the function of pipeline.detect that a sample sits under.
STAGES = {
    "clean_tracks": "clean",
    "label_ports": "label_ports",
    "vessel_info": "port_visits",
    "port_visits": "port_visits",
    "find_gaps": "gaps",
    "dark_transits": "dark_transits",
    "plausible_speeds": "dark_transits",
    "match_sightings": "sightings",
    "monthly_summary": "summary",
    "load_positions": "load",
    "write_outputs": "write",
    "file_fingerprint": "hash inputs",
}
WRAPPERS = {"_run_module_as_main", "_run_code", "<module>", "main", "handle", "run", "detect"}
FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:]+)(?::(?P<line>\d+))?\)$")


def _short(path: str) -> str:
    for marker in ("/src/", "site-packages/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _frames(stack: str) -> list[tuple[str, str, str]]:
    out = []
    for f in stack.split(";"):
        m = FRAME.match(f.strip())
        out.append((m["func"], _short(m["file"]), m["line"] or "") if m else (f.strip(), "", ""))
    return out


def pyspy(out_dir: Path) -> tuple[Path, float] | None:
    if not PYSPY.exists():
        return None
    raw = OUT / "profile-detect-store.txt"
    cmd = [str(PYSPY), "record", "--format", "raw", "--rate", "100", "--idle", "-o", str(raw), "--"]
    cmd += [sys.executable, "-m", "shipwatch.cli", "detect", str(STORE), "--out", str(out_dir)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not raw.exists():
        print(f"py-spy failed ({proc.returncode}): {proc.stderr[-500:]}", file=sys.stderr)
        return None
    return raw, time.perf_counter() - t0


def report_pyspy(raw: Path, wall: float, run_json: dict) -> str:
    own: collections.Counter = collections.Counter()
    cum: collections.Counter = collections.Counter()
    lines: collections.Counter = collections.Counter()
    stage_n: collections.Counter = collections.Counter()
    total = 0
    for row in raw.read_text().splitlines():
        stack, _, n = row.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n = int(n)
        frames = _frames(stack)
        # py-spy's raw stacks start with the thread ("process ...;thread ...") when those options are on;
        # keep only Python frames (those with a file).
        # With --idle every thread is sampled, also waiting ones: keep the main thread only (its stack starts
        # in runpy), where a polars call that released the GIL shows as the line waiting for it.
        if not any(f[0] == "_run_module_as_main" for f in frames):
            continue
        frames = [f for f in frames if f[1]]
        total += n
        stage = "other (imports, CLI, outputs)"
        for func, _, _ in frames:
            if func in STAGES:
                stage = STAGES[func]
                break
        stage_n[stage] += n
        seen = set()
        for func, file, _ in frames:
            key = (func, file)
            if key not in seen and func not in WRAPPERS:
                cum[(stage, func, file)] += n
                seen.add(key)
        func, file, line = frames[-1]
        own[(stage, func, file)] += n
        # the deepest shipwatch frame: which line of shipwatch the time is spent under
        sw = [f for f in frames if f[1].startswith("shipwatch/")]
        if sw:
            lines[(stage, sw[-1][1], sw[-1][2], sw[-1][0])] += n
    rate = 100.0
    md = [
        "# Profile: `shipwatch detect STORE` on the NOAA day (6.35 M rows)",
        "",
        f"py-spy 100 Hz, `--format raw --idle` (wall-clock samples of the main thread); {total:,} samples over {wall:.1f} s wall "
        "(time in polars/numpy native code, also while the GIL is released, is charged to the Python line calling it).",
        f"run.json `timings_s`: {json.dumps(run_json.get('timings_s', {}))}",
        "",
        "## By stage",
        "",
        "| stage | samples | seconds | share |",
        "|---|---:|---:|---:|",
    ]
    for st, n in stage_n.most_common():
        md.append(f"| {st} | {n:,} | {n / rate:.1f} | {100 * n / total:.0f} % |")
    md += ["", "## Hottest shipwatch lines (deepest shipwatch frame of each sample)", ""]
    md += ["| stage | file:line | function | seconds | share |", "|---|---|---|---:|---:|"]
    for (st, file, line, func), n in lines.most_common(25):
        md.append(f"| {st} | `{file}:{line}` | `{func}` | {n / rate:.2f} | {100 * n / total:.1f} % |")
    md += ["", "## Functions by own time", ""]
    md += ["| stage | function | file | own s | share |", "|---|---|---|---:|---:|"]
    for (st, func, file), n in own.most_common(25):
        md.append(f"| {st} | `{func}` | `{file}` | {n / rate:.2f} | {100 * n / total:.1f} % |")
    md += ["", "## Functions by cumulative time", ""]
    md += ["| stage | function | file | cum s | share |", "|---|---|---|---:|---:|"]
    for (st, func, file), n in cum.most_common(40):
        md.append(f"| {st} | `{func}` | `{file}` | {n / rate:.2f} | {100 * n / total:.1f} % |")
    return "\n".join(md) + "\n"


def cprofile(out_dir: Path) -> str:
    prof = OUT / "profile-detect-store.pstats"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "shipwatch.cli", "detect", str(STORE)]
    subprocess.run([*cmd, "--out", str(out_dir)], check=True, capture_output=True)
    import io

    buf = io.StringIO()
    st = pstats.Stats(str(prof), stream=buf)
    st.sort_stats("tottime").print_stats(30)
    st.sort_stats("cumulative").print_stats(40)
    return "# Profile (cProfile): `shipwatch detect STORE`\n\n```\n" + buf.getvalue() + "```\n"


def main() -> int:
    if not STORE.exists():
        print(f"profile: {STORE} missing; run bench/peers.py first", file=sys.stderr)
        return 1
    out_dir = OUT / "peers" / "profile-run"
    shutil.rmtree(out_dir, ignore_errors=True)
    got = pyspy(out_dir)
    md = report_pyspy(*got, json.loads((out_dir / "run.json").read_text())) if got else cprofile(out_dir)
    (OUT / "profile.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
