# %% [markdown]
# # The bundled sample, end to end
#
# Positions in `data/sample_ais/` are **simulated** (see its README). This walks through one dark transit:
# the gap, the port visits on either side, and the imagery that confirmed it.

# %%
import sys
from pathlib import Path

import polars as pl

from shipwatch.pipeline import run
from shipwatch.resources import SAMPLE_DIR, SAMPLE_SIGHTINGS

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("shipwatch-notebook")
days = sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
result, manifest = run(days, out, sightings=SAMPLE_SIGHTINGS)
print(manifest["results"])

# %% [markdown]
# ## Dark calls at Najin, month by month

# %%
najin = result.monthly_summary.filter(pl.col("port") == "Najin")
print(najin.select("month", "dark_calls", "dark_calls_confirmed", "dark_calls_possible"))

# %% [markdown]
# ## One confirmed transit and its evidence

# %%
confirmed = result.dark_transits.filter(pl.col("evidence") == "confirmed").sort("dark_start")
t = confirmed.row(0, named=True)
print({k: t[k] for k in ("transit_id", "vessel_name", "dark_start", "dark_end", "departure_port", "arrival_port")})
print(result.gaps.filter(pl.col("gap_id") == t["gap_id"]).select("hours", "distance_nm", "coverage_vessels"))
visits = result.port_visits.filter(pl.col("mmsi") == t["mmsi"])
print(visits.filter(pl.col("departure") <= t["dark_end"]).tail(2).select("port", "arrival", "departure", "confidence"))
print(result.sightings.filter(pl.col("transit_id") == t["transit_id"]).select("sighting_id", "observed_at", "length_m"))
