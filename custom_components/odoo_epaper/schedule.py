"""What the hub reads from Odoo: displays, their bookings, the time window.

The Odoo addon resolves them (``room.rasp.connection.epaper_schedule``):
``schedule_answer`` turns its answer into these records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"
MIN_YEAR = 1970
MAX_YEAR = 9998


@dataclass(frozen=True, kw_only=True)
class Display:
    """One door sign as the addon answers it: ``tz`` its IANA zone, ``locale`` BCP 47."""

    device: str
    room: str
    tz: str | None = None
    locale: str | None = None
    topic_prefix: str | None = None
    qr: str | None = None
    panel_model: str | None = None
    publisher: str = "home_assistant"  # "odoo": the addon publishes /data, the hub listens

    @property
    def published_by_odoo(self) -> bool:
        """Whether the addon publishes this display's ``/data`` and answers its ``/action``
        (its broker's ``publisher`` is ``odoo``, DESIGN 3a): the hub only listens."""
        return self.publisher == "odoo"


@dataclass(frozen=True, kw_only=True)
class Booking:
    """One event in a room, with aware UTC times (all-day: local midnight to midnight)."""

    title: str
    start: dt.datetime
    end: dt.datetime
    organizer: str | None = None
    private: bool = False
    all_day: bool = False
    ref: str | None = None  # "model,id" in Odoo (what the addon's epaper_cancel takes)
    check_in_until: dt.datetime | None = None  # released then unless checked in at the door

    @cached_property
    def wire_times(self) -> tuple[str, str, str | None]:
        """``start``, ``end`` and ``check_in_until`` as the wire writes them
        (:func:`format_time`), formatted once per booking however often it is published."""
        check_in = self.check_in_until
        return (
            format_time(self.start),
            format_time(self.end),
            None if check_in is None else format_time(check_in),
        )


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """Every display and its bookings, as read in one refresh cycle."""

    displays: tuple[Display, ...]
    bookings: dict[str, tuple[Booking, ...]] = field(default_factory=dict)


def booking_window(now: dt.datetime, horizon_days: int) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC window to read: yesterday's midnight to the horizon's next midnight.

    Whole UTC days keep the query and its result the same for a whole day, so
    only a real change in Odoo changes what the hub publishes.
    """
    midnight = dt.datetime.combine(now.astimezone(dt.UTC).date(), dt.time(), tzinfo=dt.UTC)
    return midnight - dt.timedelta(days=1), midnight + dt.timedelta(days=horizon_days + 1)


def format_time(moment: dt.datetime) -> str:
    """Format an aware time as ISO 8601 UTC with a ``Z`` (the wire's and the RPCs' form)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_odoo(moment: dt.datetime) -> str:
    """Format an aware time the way Odoo stores it (naive UTC)."""
    return moment.astimezone(dt.UTC).strftime(ODOO_DATETIME)


def from_odoo(value: object) -> dt.datetime:
    """Parse Odoo's naive UTC text (or an ISO time with an offset) into an aware UTC time.

    Raises ValueError for anything else, and for years before 1970 or after 9998,
    which no real booking has and which could not be shifted into UTC.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not an Odoo time: {value!r}")
    parsed = dt.datetime.fromisoformat(value.strip())
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"time out of range: {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)
