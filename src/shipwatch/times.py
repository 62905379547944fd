"""Time conventions shared by every module: UTC everywhere, microseconds inside.

Positions carry ``datetime[us, UTC]`` (:data:`shipwatch.schema.TIME_DTYPE`); durations are compared as
integer microseconds, so the conversion factors live here once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from shipwatch.errors import InputError

#: Microseconds in one second, one minute, one hour and one day.
US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 3600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR


def to_utc(value: date | datetime | str | None) -> datetime | None:
    """A timezone-aware UTC datetime from a date, a datetime or ISO 8601 text (None stays None).

    Naive values are taken as UTC; a date means its midnight UTC; aware values are converted.

    Raises
    ------
    InputError
        If ``value`` is text that is not an ISO 8601 date or time.

    Examples
    --------
    >>> to_utc("2023-10-01")
    datetime.datetime(2023, 10, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> to_utc("2023-10-01T02:00:00+02:00")
    datetime.datetime(2023, 10, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as err:
            raise InputError(f"not a date: {value!r} (use YYYY-MM-DD or an ISO 8601 time)") from err
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ISO_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z")


def parse_iso_utc(text: pl.Expr) -> pl.Expr:
    """ISO 8601 text to UTC datetimes; ``Z`` or an offset is honoured, no offset means UTC."""
    with_zone = (
        pl.when(text.str.ends_with("Z"))
        .then(text.str.replace(r"Z$", "+00:00"))
        .when(text.str.contains(r"[+-]\d\d:?\d\d$"))
        .then(text)
        .otherwise(text + "+00:00")
        .str.replace(" ", "T")
    )
    return pl.coalesce(
        [
            with_zone.str.to_datetime(f, strict=False, time_unit="us").dt.convert_time_zone("UTC")
            for f in ISO_FORMATS
        ]
    )
