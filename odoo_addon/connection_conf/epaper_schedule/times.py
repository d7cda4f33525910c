"""Times of the schedule answer: the request window, Odoo's stored forms, all-day spans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from .zones import load_zone

UTC = dt.timezone.utc  # noqa: UP017 - Odoo 18 still runs on Python 3.10
ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"
# A local day reaches at most 14 h before and 12 h after its UTC date: a day on each
# side is enough to find every all-day row whose local days touch a UTC window.
ALL_DAY_MARGIN = dt.timedelta(days=1)


def parse_utc(value: Any) -> dt.datetime:
    """Parse ISO 8601 (``Z`` or an offset) or Odoo's naive UTC text into an aware UTC time.

    Raises ValueError for anything else (Odoo's False included).
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        parsed = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    else:
        raise ValueError(f"not a time: {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def utc_parser() -> Callable[[Any], dt.datetime]:
    """:func:`parse_utc` remembering its answers, for one read: a window's bookings share
    few distinct times (meetings start on the hour or half hour). Same errors."""
    parsed: dict[Any, dt.datetime] = {}

    def parse(value: Any) -> dt.datetime:
        found = parsed.get(value)
        if found is None:
            found = parsed[value] = parse_utc(value)
        return found

    return parse


def parse_date(value: Any) -> dt.date:
    """Parse Odoo's ``YYYY-MM-DD`` date text; ValueError for anything else."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    return dt.date.fromisoformat(value.strip()[:10])


def format_utc(moment: dt.datetime) -> str:
    """Format an aware time as ISO 8601 UTC with ``Z`` (whole seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_odoo(moment: dt.datetime) -> str:
    """Format an aware time the way Odoo stores it and domains compare it (naive UTC)."""
    return moment.astimezone(UTC).strftime(ODOO_DATETIME)


def all_day_span(
    first_day: dt.date, last_day: dt.date, zone: str
) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC span of all-day dates in ``zone``: local midnight of ``first_day``
    to local midnight after ``last_day`` (Odoo's ``stop_date`` is the last day, inclusive).
    """
    tzinfo = load_zone(zone)
    if tzinfo is None:  # callers pass zones resolve_zone checked
        raise ZoneInfoNotFoundError(f"unknown timezone {zone!r}")
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=tzinfo)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=tzinfo)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """The requested window ``[start, end)``, aware UTC times."""

    start: dt.datetime
    end: dt.datetime

    @classmethod
    def parse(cls, start: Any, end: Any) -> Window:
        """Parse the RPC's ``start`` / ``end`` (ISO 8601 UTC); ValueError when unusable."""
        window = cls(parse_utc(start), parse_utc(end))
        if window.end <= window.start:
            raise ValueError(f"end {end!r} is not after start {start!r}")
        return window

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Return whether ``[start, end)`` overlaps the window."""
        return start < self.end and end > self.start

    def odoo_bounds(self) -> tuple[str, str]:
        """Return the window as Odoo datetime texts, for domains on timed rows."""
        return to_odoo(self.start), to_odoo(self.end)

    def all_day_bounds(self) -> tuple[str, str]:
        """Return the widened date range for all-day rows (their local days are unknown
        until the display's zone is), as ``YYYY-MM-DD`` texts: a day on each side."""
        first = (self.start - ALL_DAY_MARGIN).date()
        last = (self.end + ALL_DAY_MARGIN).date()
        return first.isoformat(), last.isoformat()
