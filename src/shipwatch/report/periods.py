"""Report periods: absolute dates or relative to the run date, their folder names and the period before.

A :class:`Period` is a half-open range of UTC days ``[start, end)``. Relative periods are resolved against
the run date (``--as-of``, default today UTC):

- ``"last N days"`` (``"last 7 days"``): the N whole days before the run date;
- ``"previous ISO week"``: Monday to Sunday of the week before the run date's week;
- ``"previous calendar month"``: the month before the run date's month.

The folder name says what the period is: ``2023-10`` for a whole calendar month, ``2023-W42`` for an ISO
week, ``2023-10-01_2023-10-07`` otherwise (both dates included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shipwatch.errors import ConfigError

RELATIVE = ("last N days", "previous ISO week", "previous calendar month")
_LAST_DAYS = re.compile(r"^last\s+(\d{1,4})\s+days?$")


@dataclass(frozen=True)
class Period:
    """UTC days ``start`` (included) to ``end`` (excluded)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last(self) -> date:
        """The last day included."""
        return self.end - timedelta(days=1)

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self.end == _next_month(self.start)

    @property
    def is_iso_week(self) -> bool:
        return self.start.isoweekday() == 1 and self.days == 7

    @property
    def label(self) -> str:
        """The folder name (see the module docstring)."""
        if self.is_month:
            return f"{self.start:%Y-%m}"
        if self.is_iso_week:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.isoformat()}_{self.last.isoformat()}"

    @property
    def title(self) -> str:
        """Words for the heading: ``1–7 Oct 2023``, ``October 2023``, ``ISO week 2023-W42 (16–22 Oct 2023)``."""
        if self.is_month:
            return f"{self.start:%B %Y}"
        span = date_span(self.start, self.last)
        if self.is_iso_week:
            return f"ISO week {self.label} ({span})"
        return span

    def previous(self) -> Period:
        """The period of the same kind just before: the month, the ISO week, or the same number of days."""
        if self.is_month:
            return Period(_prev_month(self.start), self.start)
        return Period(self.start - timedelta(days=self.days), self.start)

    def months(self) -> list[tuple[str, date, date]]:
        """Each calendar month the period touches: (YYYY-MM, first day included, last day included)."""
        out = []
        first = self.start
        while first < self.end:
            nxt = _next_month(first.replace(day=1))
            last = min(nxt, self.end) - timedelta(days=1)
            out.append((f"{first:%Y-%m}", first, last))
            first = nxt
        return out

    def month_label(self, month: str) -> str:
        """``2023-10`` for a month the period covers whole, else ``2023-10 (1–7 only)``."""
        for m, first, last in self.months():
            if m == month:
                whole = first.day == 1 and _next_month(first) == last + timedelta(days=1)
                return m if whole else f"{m} ({first.day}–{last.day} only)"
        return month

    def whole_months(self) -> list[str]:
        return [m for m, first, last in self.months() if self.month_label(m) == m]


def date_span(first: date, last: date) -> str:
    """``1–7 Oct 2023``, ``29 Oct – 4 Nov 2023``, ``1 Aug 2023 – 29 Feb 2024``."""
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def _next_month(d: date) -> date:
    return date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)


def _prev_month(d: date) -> date:
    return date(d.year - 1, 12, 1) if d.month == 1 else date(d.year, d.month - 1, 1)


def relative_period(spec: str, as_of: date, *, where: str = "period.relative") -> Period:
    """Resolve a relative period (see the module docstring) against the run date ``as_of``."""
    text = " ".join(spec.lower().split())
    if m := _LAST_DAYS.match(text):
        n = int(m.group(1))
        if n < 1:
            raise ConfigError(f"{where}: 'last N days' needs N >= 1, got {spec!r}")
        return Period(as_of - timedelta(days=n), as_of)
    if text == "previous iso week":
        monday = as_of - timedelta(days=as_of.isoweekday() - 1)
        return Period(monday - timedelta(days=7), monday)
    if text == "previous calendar month":
        first = as_of.replace(day=1)
        return Period(_prev_month(first), first)
    raise ConfigError(f"{where}: unknown relative period {spec!r} (known: {', '.join(RELATIVE)})")


def absolute_period(start: date, end: date, *, where: str = "period") -> Period:
    """``start`` to ``end``, both days included."""
    if end < start:
        raise ConfigError(f"{where}.end ({end}) is before {where}.start ({start})")
    return Period(start, end + timedelta(days=1))
