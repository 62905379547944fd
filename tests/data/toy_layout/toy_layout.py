"""A toy AIS layout, as a newcomer would add one: this module is all it takes.

Header ``ship_id,when_local,y_deg,x_deg,knots``; times ``dd.mm.YYYY HH:MM`` in Oslo local time.
Importing the module registers the layout (a module inside ``shipwatch/readers/layouts/`` is
imported by the registry itself).
"""

from __future__ import annotations

import polars as pl

from shipwatch.readers.layouts import CsvFile, CsvLayout, register
from shipwatch.readers.plan import Plan, f64, naive_to_utc, text
from shipwatch.schema import LAT, LON, MMSI, SOG, TIMESTAMP


def _plan(f: CsvFile) -> Plan:
    p = Plan()
    p.raw = {MMSI: text("ship_id"), TIMESTAMP: text("when_local"), LAT: text("y_deg"), LON: text("x_deg")}
    p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
    p.exprs[TIMESTAMP] = naive_to_utc(p.raw[TIMESTAMP], "%d.%m.%Y %H:%M", tz="Europe/Oslo")
    p.exprs[LAT] = f64(p.raw[LAT])
    p.exprs[LON] = f64(p.raw[LON])
    if "knots" in f.header:
        p.exprs[SOG] = f64(text("knots"))
    return p


LAYOUT = register(
    CsvLayout(
        name="toy",
        matches=lambda header: {"ship_id", "when_local", "y_deg", "x_deg"} <= set(header),
        plan=_plan,
    )
)
