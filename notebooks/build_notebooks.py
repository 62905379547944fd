"""Write the analyst notebooks (``notebooks/*.ipynb``) and the small data files they read.

The notebooks are generated so that they stay reviewable: the cells live here as plain text, and the
``.ipynb`` files are written without outputs (``tests/test_notebooks.py`` checks that, and executes them).
Run it from the repository root after changing a cell::

    python notebooks/build_notebooks.py          # writes notebooks/0*.ipynb
    python notebooks/build_notebooks.py --data   # also rewrites notebooks/data/tracker_export.csv

Only the public API is used in the cells: ``import shipwatch`` and its documented modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNEL = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(text.strip("\n"))


# --------------------------------------------------------------------------------------------------
# 01: quickstart
# --------------------------------------------------------------------------------------------------

QUICKSTART = [
    md("""
# 01 · Quickstart: the bundled sample, end to end

shipwatch finds ships that go *dark* between ports: AIS silences during which a vessel could, and likely
did, call at a watched port (here Najin/Rajin, North Korea) where it was never seen.

This notebook does the whole job on the sample that ships with shipwatch (`data/sample_ais/`: seven months
of daily files, Aug 2023 – Feb 2024, in the NOAA MarineCadastre layout, plus imagery sightings):

1. ingest the daily files into a store,
2. detect port visits, gaps and dark transits,
3. read the monthly table beside the published counts,
4. draw the transits on a map,
5. look at one confirmed transit: its track, its imagery and why it earned its grade,
6. take the results out as GeoDataFrames.

> **The sample's positions are simulated** (see `data/sample_ais/README.md`): they follow the pattern public
> reporting describes, but no row is an observation of a real ship. Do not cite them as evidence.

Everything runs offline, in well under a minute.
"""),
    code("""
import tempfile
from datetime import timedelta
from pathlib import Path

import matplotlib.pyplot as plt
import polars as pl

import shipwatch
from shipwatch.geoexport import export
from shipwatch.ingest import ingest
from shipwatch.maps import describe_source, plot_monthly
from shipwatch.resources import SAMPLE_DIR, SAMPLE_SIGHTINGS
from shipwatch.summary import compare_published, read_reference

pl.Config.set_tbl_rows(30)
pl.Config.set_fmt_str_lengths(200)
pl.Config.set_tbl_width_chars(200)

work = Path(tempfile.mkdtemp(prefix="shipwatch-quickstart-"))  # nothing is written beside the notebook
days = sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
print(f"{len(days)} daily files, {days[0].name} … {days[-1].name}; working in {work}")
"""),
    md("""
## 1. Ingest into a store

`shipwatch.ingest` (the `shipwatch ingest` command) recognises the layout from each file's header, validates
every row and merges the accepted ones into a partitioned Parquet store. Every row read is accounted for:
`rows_read = rows_accepted + rows_rejected + rows_duplicate`.
"""),
    code("""
report = ingest(days, work / "store")
summary = report.to_dict()
print({k: summary[k] for k in ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate")})
print("balanced:", report.balanced, "| layouts:", sorted({f["dialect"] for f in summary["files"]}))
"""),
    md("""
## 2. Detect

`shipwatch.run` (the `shipwatch detect` command) reads the store, runs every stage and writes the output
folder with its `run.json` manifest. The sightings file adds satellite imagery of the watched pier.

`shipwatch.read_results` loads a finished run folder back as a `Detection`: polars tables, the cleaned
tracks included. It is also how you pick up a run made on the command line; the rest of this notebook
works on it.
"""),
    code("""
run, manifest = shipwatch.run([work / "store"], work / "out", sightings=SAMPLE_SIGHTINGS)
print("written:", ", ".join(manifest["outputs"]))
print("dark transits by grade:", dict(manifest["results"]["dark_transits"]))

result = shipwatch.read_results(work / "out")
assert result.dark_transits["transit_id"].to_list() == run.dark_transits["transit_id"].to_list()
result
"""),
    md("""
## 3. The monthly table beside the published counts

`monthly_summary` has one row per month and watched/destination port, zeros included. At Najin,
`dark_calls` counts the `confirmed` and `probable` dark transits (the calls the evidence shows), split
by grade beside it; `dark_calls_possible` counts the silences that only leave room for a call, and
`ais_visits` the calls made with AIS on.
"""),
    code("""
najin = result.monthly_summary.filter(pl.col("port") == "Najin").select(
    "month", "dark_calls", "dark_calls_confirmed", "dark_calls_probable", "dark_calls_possible", "ais_visits"
)
najin
"""),
    md("""
`summary.compare_published` sets the detected totals beside every published count whose period the run
covers (`data/reference/published_counts.csv`; the `shipwatch summary` command prints the same).
"""),
    code("""
compared = compare_published(result.monthly_summary, read_reference())
compared.select("source", "published", "what", "period", "metric", "detected")
"""),
    md("""
How to read it: the sample was built to follow the user's claim (25 dark calls at Najin from August to
December 2023, 19 AIS-less vessels at Vostochny), and detection recovers both from the AIS alone. Where
the sources disagree the detected total cannot match them all: RUSI and NK Pro count trips into 2024
that the sample does not contain, and the row for "none from December to February" detects the two
calls of early December: the sample's calls run to 6 December (see its README), so the claim holds in it
only from then on.
"""),
    md("""
## 4. The transits on a map, and the months in a chart

`Detection.plot()` draws the transit map (offline coastline, port polygons, each dark transit from the last
fix before the silence, through the call port, to the first fix after it, coloured by grade; the routine
vessels' `possible` calls are left out unless `show_routine=True`). `shipwatch.maps.plot_monthly` draws the
monthly chart beside the published counts. Both are matplotlib, so they show inline and save with
`savefig` (`shipwatch.maps.save_map` / `save_monthly` write the PNGs a brief needs; the `shipwatch map`
command does the same).
"""),
    code("""
ax = result.plot(source=describe_source(manifest))
plt.show()
"""),
    code("""
fig = plot_monthly(result)
plt.show()
"""),
    md("""
## 5. One confirmed transit, and why

A transit is `confirmed` when a satellite image shows a vessel of its length at the watched pier inside
the call window and nothing else explains that detection. Take the first one.
"""),
    code("""
confirmed = result.dark_transits.filter(pl.col("evidence") == "confirmed").sort("dark_start")
t = confirmed.row(0, named=True)
{k: t[k] for k in ("transit_id", "vessel_name", "dark_start", "dark_end", "dark_hours",
                   "departure_port", "call_port", "arrival_port", "sighting_ids")}
"""),
    md("""
`why` says in plain words what the grade rests on; `imagery` names the sightings that confirmed it.
"""),
    code("""
print("why:    ", t["why"])
print("imagery:", t["imagery"])
"""),
    md("""
The evidence columns behind those words (see `shipwatch.grades` for the rules): whether it left a
destination port just before going dark or reached one just after, what the ends of the silence show
(`motion`), whether it simply kept its course (a reception hole), and whether the silence fits the
round trip over water at the vessel's own speed.
"""),
    code("""
EVIDENCE = ["departed_destination", "arrived_destination", "start_port", "end_port", "motion",
            "displacement_km", "kept_course", "speed_kn", "sea_km_to_call", "sea_km_from_call",
            "sea_hours_needed", "dark_hours", "fits_timing", "routine", "length_m"]
pl.DataFrame({"evidence": EVIDENCE, "value": [str(round(t[c], 1) if isinstance(t[c], float) else t[c])
                                              for c in EVIDENCE]})
"""),
    md("""
The track before and after the silence, the gap itself, the port visits on either side and the imagery:
"""),
    code("""
track = result.tracks.filter(
    (pl.col("mmsi") == t["mmsi"])
    & pl.col("timestamp").is_between(t["dark_start"] - timedelta(days=2), t["dark_end"] + timedelta(days=2))
)
cols = ["timestamp", "lat", "lon", "sog", "cog", "port"]
print("last fixes before going dark:")
print(track.filter(pl.col("timestamp") <= t["dark_start"]).tail(3).select(cols))
print("first fixes after reappearing:")
print(track.filter(pl.col("timestamp") >= t["dark_end"]).head(3).select(cols))
print(result.gaps.filter(pl.col("gap_id") == t["gap_id"]).select(
    "start_time", "end_time", "hours", "distance_nm", "implied_speed_kn", "coverage_vessels"))
"""),
    code("""
visits = result.port_visits.filter(pl.col("mmsi") == t["mmsi"]).sort("arrival")
around = pl.concat([
    visits.filter(pl.col("departure") <= t["dark_start"]).tail(1),
    visits.filter(pl.col("arrival") >= t["dark_end"]).head(1),
])
print(around.select("port", "arrival", "departure", "hours", "confidence"))
seen = result.sightings.filter(pl.col("transit_id") == t["transit_id"])
seen.select("sighting_id", "observed_at", "port", "length_m", "source", "match")
"""),
    md("""
`Detection.plot_transit` draws the same on a map: the track 48 h before (AIS on), the silence through the
call port, the track after, the port visits and the image.
"""),
    code("""
ax = result.plot_transit(t["transit_id"])
plt.show()
"""),
    md("""
## 6. GeoDataFrames out

`to_geopandas()` gives one GeoDataFrame per table in EPSG:4326: points for positions and sightings, one
line per track piece (split at every gap), lines for gaps and dark transits, polygons for ports and port
visits. `to_pandas()` gives the plain tables.
"""),
    code("""
gdfs = result.to_geopandas()
{name: len(frame) for name, frame in gdfs.items()}
"""),
    code("""
gdfs["dark_transits"][["transit_id", "vessel_name", "evidence", "dark_start", "dark_end", "geometry"]].head()
"""),
    code("""
gdfs["tracks"].head()
"""),
    md("""
For GIS tools and for a reader who wants to click around: `shipwatch.geoexport.export` writes the layers
as GeoJSON, KML, GeoPackage or GeoParquet, and `Detection.explore` writes one offline HTML map
(Leaflet inlined, no network) with switchable layers and a popup per transit.
"""),
    code("""
layers = export(result, work / "geojson", fmt="geojson", tables=["dark_transits", "sightings", "gaps"])
html = result.explore(work / "transit_map.html")
print([p.name for p in layers])
print(html.name, f"{html.stat().st_size / 1e6:.1f} MB")
"""),
    code("""
result.to_pandas()["dark_transits"][["transit_id", "dark_start", "dark_hours", "evidence"]].dtypes
"""),
]


# --------------------------------------------------------------------------------------------------
# 02: bring your own AIS
# --------------------------------------------------------------------------------------------------

BYO = [
    md("""
# 02 · Bring your own AIS

The sample shows the method; your case needs your data. This notebook covers:

1. where public AIS comes from, and how to fetch it yourself (commands to run in a shell: the notebook
   itself downloads nothing),
2. reading a layout shipwatch does not know, through a column mapping (also for tracker ids that are not
   MMSIs),
3. reading the data-quality report of an ingest,
4. tuning the gap and reachability parameters, and seeing the effect on the counts,
5. watching a port of your own (a polygon in GeoJSON).

It runs on files that ship with shipwatch (`tests/data/`, `notebooks/data/`, the sample); where it points
at real downloads it says so and falls back to those files.
"""),
    md("""
## 1. Where public AIS comes from

| source | what | where |
|---|---|---|
| **NOAA MarineCadastre** (US coastal waters, shore stations) | one CSV per UTC day, zipped (≤ 2024) or `.csv.zst` (2025+); ~7–8 M rows a day | <https://marinecadastre.gov/ais/> (daily files under <https://coast.noaa.gov/htdata/CMSP/AISDataHandler/>), or a box and period from the **AccessAIS** portal (<https://marinecadastre.gov/accessais/>) |
| **Danish Maritime Authority** (Danish waters) | one CSV per day (`aisdk-YYYY-MM-DD.zip`), ~11 M rows, 580 MB unzipped | <https://dma.dk> → AIS data, files at <http://web.ais.dk/aisdata/> |
| satellite providers (exactEarth/Spire, ...) | exports with ~139 columns, by contract | your provider |
| your own receiver | raw NMEA `!AIVDM` sentences | `rtl-ais`, AIS-catcher, ... |

None of these covers the Sea of Japan off Rason: shore-station data reach ~40–60 nm from their receivers.
For the shuttle traffic of 2023–24 an analyst needs satellite AIS; the public files are for learning the
method on waters they cover, and for checking a pipeline on real quirks.

Fetching them yourself, in a shell (a day is large; start with one):

```bash
# NOAA MarineCadastre, one day (2023 layout), about 300 MB zipped
mkdir -p ~/ais/noaa && cd ~/ais/noaa
curl -LO https://coast.noaa.gov/htdata/CMSP/AISDataHandler/2023/AIS_2023_01_01.zip

# Danish Maritime Authority, one day
mkdir -p ~/ais/dma && cd ~/ais/dma
curl -LO http://web.ais.dk/aisdata/aisdk-2024-03-01.zip

# then, with no unpacking needed (.zip, .gz and .zst are read directly)
shipwatch ingest ~/ais/noaa ~/ais/dma --store ~/ais/store --report ~/ais/ingest.json
shipwatch detect ~/ais/store --out ~/ais/out --ports my_ports.geojson
```

The cells below use the same API on small files that ship with shipwatch.
"""),
    code("""
import json
import tempfile
from pathlib import Path

import polars as pl

import shipwatch
from shipwatch.ingest import ingest
from shipwatch.ports import parse_ports
from shipwatch.resources import SAMPLE_DIR, SAMPLE_SIGHTINGS

pl.Config.set_tbl_rows(30)
pl.Config.set_fmt_str_lengths(160)
pl.Config.set_tbl_width_chars(200)

work = Path(tempfile.mkdtemp(prefix="shipwatch-byo-"))
FIXTURES = Path("../tests/data")  # small hand-written files, one per layout (see its README)
DATA = Path("data")               # files of these notebooks
"""),
    md("""
## 2. A layout shipwatch does not know: a column mapping

shipwatch recognises NOAA, DMA, satellite exports, NMEA, Parquet and GeoPackage from their headers. Any
other CSV needs a mapping: which column holds the time, the MMSI, the latitude and the longitude (plus,
optionally, `time_format` and `tz`). The same spec is `--map` on the command line, or a TOML file.
"""),
    code("""
print((FIXTURES / "other_layout.csv").read_text())
"""),
    code("""
try:
    shipwatch.load_positions([FIXTURES / "other_layout.csv"])
except shipwatch.ShipwatchError as err:
    print("without a mapping:", err)

MAPPING = "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees,sog=SOG_knots,cog=COG_degrees,time_format=%d/%m/%Y %H:%M"
positions, accounting = shipwatch.load_positions([FIXTURES / "other_layout.csv"], mapping=MAPPING)
print(accounting["rejected_by_reason"])
positions.select("mmsi", "timestamp", "lat", "lon", "sog", "cog", "source_file")
"""),
    md("""
### Tracker ids that are not MMSIs: `id=`

A tracking export, or a dataset with its own vessel ids, has no MMSI. `id=COLUMN` keys the vessels by that
column instead: no MMSI rule applies, and each id becomes a stable key in the `mmsi` column (its text is
kept as `vessel_name`). `data/tracker_export.csv` is such a file: ten days of one ship's fixes from a
made-up tracker, day-first local times in Vladivostok time, columns of its own (derived from the
simulated sample by `build_notebooks.py --data`).
"""),
    code("""
print("\\n".join((DATA / "tracker_export.csv").read_text().splitlines()[:4]))
"""),
    code("""
TRACKER = ("time=fix_time_local,id=tracker,lat=y_deg,lon=x_deg,sog=speed_kt,cog=course_deg,"
           "time_format=%d.%m.%Y %H:%M:%S,tz=Asia/Vladivostok")
tracked, acc = shipwatch.load_positions([DATA / "tracker_export.csv"], mapping=TRACKER)
print(acc["rows_read"], "rows read,", acc["rows_accepted"], "accepted")
tracked.group_by("mmsi", "vessel_name").agg(
    pl.len().alias("fixes"), pl.col("timestamp").min().alias("first"), pl.col("timestamp").max().alias("last"))
"""),
    code("""
found = shipwatch.detect(tracked)
print(found.dark_transits.select("vessel_name", "dark_start", "dark_end", "departure_port", "call_port",
                                 "arrival_port", "evidence"))
print("why:", found.dark_transits["why"][0])
"""),
    md("""
The tracker's ship left Vostochny, went silent for four days and came back: a dark call at Najin fits,
and without a length or imagery it is at most `probable`.

## 3. The data-quality report

Every ingest returns an `IngestReport` (`--report FILE.json` on the command line): rows read, accepted,
rejected (by reason) and duplicate, the layout of each file, and the files in the folders given that are
not AIS (skipped, with why). The rejected rows themselves are kept in the store, under `rejects/`.

Here: the whole fixtures folder, plus one real Danish file when this machine has the team's collection of
real AIS (`../../shared/real_ais`, beside the repository). If you downloaded your own, point `MY_FILES` at them.
"""),
    code("""
REAL = Path("../../shared/real_ais/dma/aisdk_2018-06-01_first138.csv")
MY_FILES = [REAL] if REAL.exists() else []  # e.g. [Path("~/ais/dma").expanduser()]
report = ingest([FIXTURES, *MY_FILES], work / "store")
quality = report.to_dict()
print({k: quality[k] for k in ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate")},
      "balanced:", report.balanced)
"""),
    code("""
pl.DataFrame({"reason": list(quality["rejected_by_reason"]), "rows": list(quality["rejected_by_reason"].values())})
"""),
    code("""
pl.DataFrame(quality["files"]).select("path", "dialect", "rows", "rejected", "already_ingested")
"""),
    code("""
pl.DataFrame(quality["skipped"]) if quality["skipped"] else "no files skipped"
"""),
    md("""
`other_layout.csv` and the toy layout were skipped: found in a folder, they have a layout shipwatch does not
know, and no mapping was given (named explicitly, as above, they are an error instead). Ingesting the same
files again adds nothing: they are recognised by content.
"""),
    code("""
again = ingest([FIXTURES], work / "store")
print("second ingest:", again.rows_duplicate, "duplicates,", sum(f.already_ingested for f in again.files),
      "files already ingested")
"""),
    md("""
## 4. Tuning the parameters, and what they change

Every threshold is a documented parameter (`shipwatch.settings`, or `[section] key = value` in a TOML
`--config`). `Settings.from_dict` overrides the defaults; unknown keys are errors. Run on the sample:
the same positions, detected under several settings; for each, the gaps found and the candidate dark
calls at Najin by grade.
"""),
    code("""
days = sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
sample, _ = shipwatch.load_positions(days)
sightings = shipwatch.read_sightings(SAMPLE_SIGHTINGS)

VARIANTS = {
    "defaults": {},
    "gaps.min_hours = 12": {"gaps": {"min_hours": 12}},
    "gaps.min_hours = 48": {"gaps": {"min_hours": 48}},
    "transits.min_dwell_hours = 36": {"transits": {"min_dwell_hours": 36}},
    "transits.max_speed_kn = 9": {"transits": {"max_speed_kn": 9, "min_speed_kn": 6}},
    "transits.link_hours = 2": {"transits": {"link_hours": 2}},
}
rows = []
for label, overrides in VARIANTS.items():
    d = shipwatch.detect(sample, sightings=sightings, settings=shipwatch.Settings.from_dict(overrides))
    najin = d.dark_transits.filter(pl.col("call_port") == "Najin")
    counts = dict(najin.group_by("evidence").len().iter_rows())
    rows.append({"setting": label, "gaps": d.gaps.height, "candidates": najin.height,
                 **{g: counts.get(g, 0) for g in ("confirmed", "probable", "possible")}})
pl.DataFrame(rows)
"""),
    md("""
What the table shows:

- **`gaps.min_hours`** is the shortest silence examined. At 12 h the short reception holes go (far fewer
  gaps) and no candidate call with them: a round trip to Najin takes days. At 48 h only the long silences
  are left: the shuttles' calls stay, and the shorter silences of fishing boats that left room for a call
  (`possible`) go.
- **`transits.min_dwell_hours`** is the stay a call needs at the port: a longer required stay makes the
  calls that only just fitted unreachable (here `possible` ones).
- **`transits.max_speed_kn`** caps the speed a vessel is assumed to make over the silence; a lower cap
  narrows each call window (getting there and back takes longer), which can change which images fall
  inside it and so which ones can be attributed: compare the `confirmed` column.
- **`transits.link_hours`** is how soon before the silence a destination port must have been left (or how
  soon after it reached): too strict, and shuttles that switched off 10–40 nm out fall back to `possible`.

Keep the settings of a run with its results: `run.json` records every parameter.

## 5. A port of your own

The registry is a GeoJSON FeatureCollection of port *polygons*, each with a `name` and a `role`
(`watch`: look for dark calls there; `destination`: where deliveries go; `reference`: only labelled).
`data/chongjin_watch.geojson` outlines Chongjin, 80 km south-west of Najin, as a second watched port; it
replaces the bundled reference entry of the same name.
"""),
    code("""
custom = json.loads((DATA / "chongjin_watch.geojson").read_text())
print(json.dumps(custom["features"][0]["properties"], indent=1))
mine = parse_ports(custom, source="chongjin_watch.geojson")
ports = [p for p in shipwatch.load_ports() if p.name not in {p.name for p in mine}] + mine
[(p.name, p.role) for p in ports if p.role != "reference"]
"""),
    code("""
watched = shipwatch.detect(sample, sightings=sightings, ports=ports)
watched.dark_transits.group_by("call_port", "evidence").len().sort("call_port", "evidence")
"""),
    md("""
Every gap that could reach both watched ports gives one candidate per port, graded on its own. From the
AIS alone, a shuttle's silence fits a call at Chongjin as well as at Najin: both are `probable`. Only the
imagery of the Najin pier tells them apart (`confirmed` at Najin); a watched port without imagery keeps
its AIS grades. The monthly counts of each port are its own, so never add them across watched ports.
"""),
    code("""
watched.monthly_summary.filter(pl.col("role") == "watch").group_by("port").agg(
    pl.col("dark_calls").sum(), pl.col("dark_calls_confirmed").sum(), pl.col("dark_calls_probable").sum())
"""),
    md("""
The same with a file, on the command line: `shipwatch detect ... --ports my_ports.geojson` (the file must
then hold every port you want, destinations included: start from a copy of `data/ports/ports.geojson`).
"""),
]


# --------------------------------------------------------------------------------------------------
# 03: imagery and evidence
# --------------------------------------------------------------------------------------------------

IMAGERY = [
    md("""
# 03 · Imagery and evidence

AIS alone shows at best that a ship *could* have called at Najin and that its silence fits a delivery
(`probable`). A satellite image of the pier showing a ship of its length, that nothing else explains, makes
it `confirmed`. This notebook shows how shipwatch attributes imagery, what `ambiguous` and `unidentified`
mean, and how the grades move as sightings are added or removed.
"""),
    code("""
from datetime import datetime, timedelta, timezone

import polars as pl

import shipwatch
from shipwatch.resources import SAMPLE_DIR, SAMPLE_SIGHTINGS
from shipwatch.sightings import parse_sightings

pl.Config.set_tbl_rows(30)
pl.Config.set_fmt_str_lengths(220)
pl.Config.set_tbl_width_chars(220)

days = sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
positions, _ = shipwatch.load_positions(days)
sightings = shipwatch.read_sightings(SAMPLE_SIGHTINGS)
print(sightings.height, "sightings")
sightings.head(5)
"""),
    md("""
A sightings table has `observed_at` (UTC), `lat`, `lon` and, optionally, `length_m`, `source` and
`sighting_id`. One satellite pass over a port is one image: all its detections share one `observed_at`.

## How a sighting is matched

1. **AIS first**: a vessel whose AIS position, interpolated to the image time, is within 1,500 m (lengths
   agreeing when both are known) explains the detection: `match = "ais"`.
2. **Then dark transits**, jointly per image: a detection at a watched port, inside a dark transit's *call
   window* (when the vessel could have been at the pier), with agreeing length, is a candidate pair.
   Within one image, detections and candidate transits are grouped; when a group has **k detections and
   exactly k candidates**, every candidate was there and each gets one detection (closest lengths):
   `match = "dark_transit"`. With **more candidates than detections**, any one of them may be the ship
   imaged; with **fewer**, any detection may be another ship: the group is `ambiguous` (its candidates are
   listed), and it confirms nothing.
3. **The rest is `unidentified`**: no AIS vessel and no dark transit explains it, a ship with no AIS at all.
   Unidentified sightings at one port on consecutive days with agreeing lengths form one unidentified call.
"""),
    code("""
full = shipwatch.detect(positions, sightings=sightings)
full.sightings.group_by("port", "match").len().sort("port", "match")
"""),
    code("""
full.sightings.filter(pl.col("match") == "ambiguous").select(
    "sighting_id", "observed_at", "length_m", "candidates")
"""),
    md("""
Each ambiguous detection is one image with two shuttles whose call windows both cover it, and lengths
that both agree: one image, one detection, two candidates. The 19 unidentified calls at Vostochny are the
AIS-less vessels of the claim; the ones at Najin are ships of other lengths at Pier 3.
"""),
    code("""
full.sightings.filter(pl.col("match") == "unidentified").group_by("port").agg(
    pl.len().alias("sightings"), pl.col("call_id").n_unique().alias("calls"),
    pl.col("length_m").min().alias("shortest_m"), pl.col("length_m").max().alias("longest_m"))
"""),
    md("""
## A constructed example: two shuttles, one image

Take two shuttles of the sample, LADY MILA (108 m) and SOFIA (113 m), in early October 2023: both went
dark, and their call windows at Najin overlap on 8 October. Detect on their positions alone, with images
we construct ourselves, all taken in one pass at 02:39 UTC on 8 October.
"""),
    code("""
two = positions.filter(
    pl.col("vessel_name").is_in(["LADY MILA", "SOFIA"])
    & pl.col("timestamp").is_between(datetime(2023, 9, 28, tzinfo=timezone.utc),
                                     datetime(2023, 10, 14, tzinfo=timezone.utc))
)
alone = shipwatch.detect(two)
alone.dark_transits.select("transit_id", "vessel_name", "length_m", "call_window_start", "call_window_end",
                           "evidence")
"""),
    code("""
PASS = "2023-10-08T02:39:00Z"  # one satellite pass: one observed_at for every detection in it
PIER_1, PIER_2, PIER_3 = (42.2280, 130.2846), (42.2297, 130.2866), (42.2241, 130.2836)


def image(*detections):
    \"\"\"A sightings table of one image: (sighting_id, (lat, lon), length_m) per detection.\"\"\"
    return pl.DataFrame(
        {"sighting_id": [d[0] for d in detections], "observed_at": [PASS] * len(detections),
         "lat": [d[1][0] for d in detections], "lon": [d[1][1] for d in detections],
         "length_m": [float(d[2]) for d in detections], "source": ["constructed"] * len(detections)}
    )


def look(images):
    \"\"\"Detect on the two shuttles with these sightings: each sighting's match, and each transit's grade.\"\"\"
    d = shipwatch.detect(two, sightings=parse_sightings(images))
    print(d.sightings.select("sighting_id", "length_m", "port", "match", "transit_id", "candidates"))
    print(d.dark_transits.select("vessel_name", "evidence", "sighting_ids"))
    return d
"""),
    md("""
**One detection, two candidates** (108 m: both ships' lengths agree within the tolerance): which ship it
was cannot be told, so it is `ambiguous` and neither transit is confirmed.
"""),
    code("""
_ = look(image(("A", PIER_1, 108)))
"""),
    md("""
**Two detections, two candidates**: both ships were there. Each gets the detection closest to its length,
and both transits are `confirmed`.
"""),
    code("""
_ = look(image(("A", PIER_1, 108), ("B", PIER_2, 114)))
"""),
    md("""
**A third detection of another length** (78 m, at Pier 3): no candidate's length agrees, no AIS vessel
was there: `unidentified`. It does not disturb the other two.
"""),
    code("""
_ = look(image(("A", PIER_1, 108), ("B", PIER_2, 114), ("C", PIER_3, 78)))
"""),
    md("""
**Length decides who is a candidate**: one detection of 126 m. It agrees with SOFIA (113 m) but not with
LADY MILA (108 m: lengths agree within 15 m or 12 % of the longer), so the image has one detection and
one candidate: SOFIA is `confirmed`, LADY MILA stays `probable`.
"""),
    code("""
_ = look(image(("A", PIER_1, 126)))
"""),
    md("""
## How the grades move with the imagery, on the whole sample

Detect three times on the same positions: without sightings (AIS alone), with all of them, and with one
sighting removed (the only image of a confirmed call).
"""),
    code("""
no_imagery = shipwatch.detect(positions)
single = full.dark_transits.filter((pl.col("evidence") == "confirmed") & ~pl.col("sighting_ids").str.contains(";"))
gone = single["sighting_ids"][0]
less = shipwatch.detect(positions, sightings=sightings.filter(pl.col("sighting_id") != gone))
print("removed sighting", gone, "of", single["transit_id"][0])


def grades(d, label):
    counts = dict(d.dark_transits.filter(pl.col("call_port") == "Najin").group_by("evidence").len().iter_rows())
    return {"run": label, **{g: counts.get(g, 0) for g in ("confirmed", "probable", "possible")}}


pl.DataFrame([grades(no_imagery, "AIS only"), grades(full, "all sightings"),
              grades(less, f"all but {gone}")])
"""),
    md("""
Imagery only ever raises a grade: a reachable call that a matched image shows becomes `confirmed`; without
the image it is what the AIS alone makes it. The `why` of the transit whose image was removed:
"""),
    code("""
tid = single["transit_id"][0]
for label, d in (("with its image", full), ("without it", less)):
    row = d.dark_transits.filter(pl.col("transit_id") == tid).row(0, named=True)
    print(f"{label}: {row['evidence']}\\n  {row['why']}\\n")
"""),
    md("""
And every transit whose grade differs between AIS alone and with all the imagery:
"""),
    code("""
changed = (
    no_imagery.dark_transits.select("transit_id", "vessel_name", pl.col("evidence").alias("ais_only"))
    .join(full.dark_transits.select("transit_id", pl.col("evidence").alias("with_imagery"), "sighting_ids"),
          on="transit_id", how="full", coalesce=True)
    .filter(pl.col("ais_only") != pl.col("with_imagery"))
    .sort("transit_id")
)
changed
"""),
    md("""
What this means for a report: count `confirmed` as imaged calls, `probable` as calls the AIS pattern
shows, and `possible` as silences that leave room for a call; and say which images were used. An
`ambiguous` detection is evidence that *one* of its candidates called, not which: it adds to no
vessel's count.
"""),
]


NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_bring_your_own_ais.ipynb": BYO,
    "03_imagery_and_evidence.ipynb": IMAGERY,
}


def build(out_dir: Path = HERE) -> list[Path]:
    """Write every notebook, without outputs; return their paths."""
    written = []
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells, metadata=KERNEL)
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids: regenerating gives the same bytes
        nbformat.validate(nb)
        path = out_dir / name
        nbformat.write(nb, path)
        written.append(path)
    return written


def make_tracker_csv(path: Path = HERE / "data" / "tracker_export.csv") -> Path:
    """The tracker file of notebook 02: one simulated shuttle's fixes over ten days, every other one,
    in a layout of its own (tracker id, day-first Vladivostok local time, y/x degrees)."""
    import polars as pl

    import shipwatch
    from shipwatch.resources import SAMPLE_DIR

    days = [SAMPLE_DIR / f"AIS_2023_11_{d:02d}.csv.gz" for d in range(1, 11)]
    positions, _ = shipwatch.load_positions(days)
    ship = positions.filter(pl.col("vessel_name") == "MIRA-1").sort("timestamp").gather_every(2)
    out = ship.select(
        pl.lit("TRK-0417").alias("tracker"),
        pl.col("timestamp").dt.convert_time_zone("Asia/Vladivostok").dt.strftime("%d.%m.%Y %H:%M:%S")
        .alias("fix_time_local"),
        pl.col("lat").round(5).alias("y_deg"),
        pl.col("lon").round(5).alias("x_deg"),
        pl.col("sog").round(1).alias("speed_kt"),
        pl.col("cog").round(1).alias("course_deg"),
    )
    path.parent.mkdir(exist_ok=True)
    out.write_csv(path)
    return path


if __name__ == "__main__":
    if "--data" in sys.argv[1:]:
        print(make_tracker_csv())
    for p in build():
        print(p)
