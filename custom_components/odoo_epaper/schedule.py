"""What the hub reads from Odoo: displays, their bookings, the time window.

The Odoo addon resolves them (``room.rasp.connection.epaper_schedule``):
``schedule_answer`` turns its answer into these records.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"
MIN_YEAR = 1970
MAX_YEAR = 9998
MAX_TITLE_CHARS = 200  # the contract's longest event title (docs/protocol.md)


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

    def wire_event(self) -> dict[str, Any]:
        """This booking as an event of ``/data`` (docs/protocol.md): the title cut to
        MAX_TITLE_CHARS, times in UTC with ``Z``, ``all_day`` only when true (absent
        means false, DESIGN 3a), ``check_in_until`` only while the door asks for
        check-in. A new object each call (what the hub keeps is :attr:`wire_texts`)."""
        event: dict[str, Any] = {
            "title": self.title[:MAX_TITLE_CHARS],
            "start": format_time(self.start),
            "end": format_time(self.end),
            "organizer": self.organizer,
            "private": self.private,
        }
        if self.all_day:
            event["all_day"] = True
        if self.check_in_until is not None:
            event["check_in_until"] = format_time(self.check_in_until)
        return event

    @cached_property
    def wire_texts(self) -> tuple[bytes, bytes]:
        """:meth:`wire_event` as compact UTF-8 JSON, encoded once per booking however
        often it is published: in its members' order (the wire's bytes) and with its
        keys sorted (the content hash's canonical form)."""
        event = self.wire_event()
        return (
            json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
                "utf-8"
            ),
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
