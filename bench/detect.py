"""Detection benchmark: every detection stage on ~1 M real NOAA positions, and on the whole 6.35 M-row day.

Run by ``make bench`` after the ingestion benchmark. The positions are the real MarineCadastre day
``../shared/real_ais/noaa/AIS_2020_01_01_named_vessels.parquet``, read with shipwatch's Parquet reader and
validated; the ~1 M subset is every 6th MMSI. Each detection runs in a fresh subprocess so peak memory is its
own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "real_ais" / "noaa" / "AIS_2020_01_01_named_vessels.parquet"

CHILD = r"""
import json, sys, time
import polars as pl
from shipwatch.readers.spatial import read_parquet
from shipwatch.store_order import dedup
from shipwatch.validate import validate
from shipwatch.pipeline import detect

every = int(sys.argv[1])
frames = [validate(b).accepted for b in read_parquet(sys.argv[2], sys.argv[2])]
positions = dedup(pl.concat(frames))
if every > 1:
    ids = positions["mmsi"].unique().sort()
    positions = positions.filter(pl.col("mmsi").is_in(ids.gather(range(0, ids.len(), every)).implode()))
t = time.perf_counter()
res = detect(positions)
print(json.dumps({"positions": positions.height, "vessels": res.stats["vessels"], "seconds": time.perf_counter() - t,
                  "stages": res.timings, "gaps": res.gaps.height, "visits": res.port_visits.height}))
"""


def run(every: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(every), str(SOURCE)], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["peak_mb_of_process"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) // 1024
    return result


def main() -> int:
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} not found")
        return 0
    for every in (6, 1):
        r = run(every)
        print(
            f"detect on {r['positions']:,} positions ({r['vessels']:,} vessels): {r['seconds']:.2f} s "
            f"= {r['positions'] / r['seconds'] / 1e6:.2f} M positions/s; stages {r['stages']}; "
            f"peak RSS of the whole process (incl. loading) {r['peak_mb_of_process']} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
