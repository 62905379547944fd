"""Monthly summary of dark activity per watched and destination port, and published counts beside it."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from shipwatch import schema as s
from shipwatch.errors import InputError
from shipwatch.ports import DESTINATION, WATCH, Port
from shipwatch.resources import REFERENCE_FILE
from shipwatch.tables import MONTHLY_SUMMARY
from shipwatch.transits import CONFIRMED, POSSIBLE, PROBABLE

SUMMARY_COLUMNS = list(MONTHLY_SUMMARY)


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from ``first`` to ``last`` inclusive.

    Examples
    --------
    >>> month_range("2023-11", "2024-02")
    ['2023-11', '2023-12', '2024-01', '2024-02']
    """
    y, m = map(int, first.split("-"))
    y2, m2 = map(int, last.split("-"))
    out = []
    while (y, m) <= (y2, m2):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_summary(
    transits: pl.DataFrame,
    *,
    sightings: pl.DataFrame | None,
    visits: pl.DataFrame,
    ports: list[Port],
    months: list[str],
) -> pl.DataFrame:
    """One row per (month, watched or destination port) for every month given, zeros included.

    ``dark_calls`` counts probable + confirmed transits calling at the port; ``dark_arrivals`` and
    ``dark_departures`` the probable + confirmed transits arriving at / leaving it; ``vessels`` the
    distinct MMSIs among those; ``unidentified_calls`` the unidentified imagery calls begun that
    month; ``ais_visits`` the visible AIS port visits that began that month.
    """
    chosen = [p for p in ports if p.role in (WATCH, DESTINATION)]
    grid = pl.DataFrame({"month": months}, schema={"month": pl.String}).join(
        pl.DataFrame(
            {"port": [p.name for p in chosen], "role": [p.role for p in chosen]},
            schema={"port": pl.String, "role": pl.String},  # typed even with no watched/destination port
        ),
        how="cross",
    )
    strong = pl.col("evidence").is_in([PROBABLE, CONFIRMED])
    keys = ["month", "port"]

    def count(frame: pl.DataFrame, port_col: str, name: str, cond: pl.Expr) -> pl.DataFrame:
        return (
            frame.filter(cond)
            .group_by("month", pl.col(port_col).alias("port"))
            .agg(pl.len().cast(pl.Int64).alias(name))
        )

    parts = [
        count(transits, "call_port", "dark_calls", strong),
        count(transits, "call_port", "dark_calls_confirmed", pl.col("evidence") == CONFIRMED),
        count(transits, "call_port", "dark_calls_probable", pl.col("evidence") == PROBABLE),
        count(transits, "call_port", "dark_calls_possible", pl.col("evidence") == POSSIBLE),
        count(
            transits,
            "call_port",
            "dark_calls_possible_routine",
            (pl.col("evidence") == POSSIBLE) & pl.col("routine").fill_null(False),
        ),
        count(transits, "arrival_port", "dark_arrivals", strong),
        count(transits, "departure_port", "dark_departures", strong),
    ]
    involved = pl.concat(
        [
            transits.filter(strong).select("month", s.MMSI, pl.col(c).alias("port"))
            for c in ("call_port", "arrival_port", "departure_port")
        ]
    )
    parts.append(
        involved.drop_nulls("port")
        .group_by(keys)
        .agg(pl.col(s.MMSI).n_unique().cast(pl.Int64).alias("vessels"))
    )
    parts.append(
        visits.with_columns(pl.col("arrival").dt.strftime("%Y-%m").alias("month"))
        .group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("ais_visits"))
    )
    if sightings is not None and sightings.height and "call_id" in sightings.columns:
        calls = (
            sightings.filter(pl.col("call_id").is_not_null())
            .group_by("call_id")
            .agg(pl.col("port").first(), pl.col("observed_at").min().dt.strftime("%Y-%m").alias("month"))
        )
        parts.append(calls.group_by(keys).agg(pl.len().cast(pl.Int64).alias("unidentified_calls")))
    out = grid
    for part in parts:
        out = out.join(part, on=keys, how="left")
    for c in SUMMARY_COLUMNS[3:]:
        out = (
            out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64))
            if c in out.columns
            else out.with_columns(pl.lit(0, pl.Int64).alias(c))
        )
    order = {p.name: i for i, p in enumerate(chosen)}
    return out.sort("month", pl.col("port").replace_strict(order, return_dtype=pl.Int32)).select(
        SUMMARY_COLUMNS
    )


def read_reference(path: str | Path | None = None) -> pl.DataFrame:
    """Published counts (``data/reference/published_counts.csv`` by default)."""
    path = Path(path) if path is not None else REFERENCE_FILE
    try:
        ref = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError as err:
        raise InputError(f"{path}: reference file not found") from err
    except (pl.exceptions.PolarsError, OSError) as err:
        raise InputError(f"{path}: not a readable CSV ({err})") from err
    need = {"source", "count", "period_start", "period_end"}
    if missing := need - set(ref.columns):
        raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    bad = ref.with_row_index("line", offset=2).filter(
        ~pl.col("period_start").fill_null("").str.contains(r"^\d{4}-\d{2}$")
        | ~pl.col("period_end").fill_null("").str.contains(r"^\d{4}-\d{2}$")
    )
    if bad.height:
        r = bad.row(0, named=True)
        raise InputError(
            f"{path}: line {r['line']}: period_start/period_end must be YEAR-MONTH like 2023-08, "
            f"got {r['period_start']!r}/{r['period_end']!r}"
        )
    return ref


def compare_published(summary: pl.DataFrame, reference: pl.DataFrame) -> pl.DataFrame:
    """Detected totals beside each published count whose metric and period the summary covers.

    A reference row is compared when it names a summary column in ``metric`` and a port (or
    ``+``-joined ports) in ``port``; the detected total sums that column over the ports and the
    months ``period_start`` … ``period_end``. Other rows are listed with ``detected`` null.
    """
    months = set(summary["month"].to_list())
    rows = []
    for ref in reference.iter_rows(named=True):  # a loop over published counts (a dozen)
        metric = (ref.get("metric") or "").strip()
        port_field = (ref.get("port") or "").strip()
        detected = None
        covered = False
        if metric in summary.columns and port_field:
            period = month_range(ref["period_start"], ref["period_end"])
            covered = all(m in months for m in period)
            if covered:
                ports = [p.strip() for p in port_field.split("+")]
                detected = int(
                    summary.filter(pl.col("month").is_in(period) & pl.col("port").is_in(ports))[metric].sum()
                )
        rows.append(
            {
                "source": ref["source"],
                "published": f"{ref.get('qualifier') or ''} {ref['count']}".strip()
                .replace("at_least", "≥")
                .replace("about", "~")
                .replace("exactly ", ""),
                "what": ref.get("what"),
                "port": port_field or None,
                "period": f"{ref['period_start']} … {ref['period_end']}",
                "metric": metric or None,
                "detected": detected,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "source": pl.String,
            "published": pl.String,
            "what": pl.String,
            "port": pl.String,
            "period": pl.String,
            "metric": pl.String,
            "detected": pl.Int64,
        },
    )
