"""What the hub reads from Odoo: displays, their bookings, the time window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, kw_only=True)
class Display:
    """One door sign: an addon record, or a room when the addon is missing."""

    device: str
    room: str
    odoo_id: int | None = None
    room_id: int | None = None
    tz: str | None = None
    topic_prefix: str | None = None
    qr: str | None = None
    panel_model: str | None = None


@dataclass(frozen=True, kw_only=True)
class Booking:
    """One event in a room, with aware UTC times."""

    title: str
    start: dt.datetime
    end: dt.datetime
    organizer: str | None = None
    private: bool = False


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


def to_odoo(moment: dt.datetime) -> str:
    """Format an aware time the way Odoo stores it (naive UTC)."""
    return moment.astimezone(dt.UTC).strftime(ODOO_DATETIME)


def from_odoo(value: str) -> dt.datetime:
    """Parse Odoo's naive UTC text into an aware UTC time."""
    return dt.datetime.strptime(value, ODOO_DATETIME).replace(tzinfo=dt.UTC)
