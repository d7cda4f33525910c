"""Schedule sources: how each Odoo model's records become bookings of displays.

A source names its model, the domain and the ``web_search_read`` specification
that read every display's bookings in one RPC, and turns the records it gets
back into :class:`Booking` objects per device. A third adapter (Odoo master's
``calendar.event`` on ``resource.asset``) fits the same shape.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from .schedule import Booking, Display, from_odoo, to_odoo
from .wire_values import clean_text

_LOGGER = logging.getLogger(__name__)
PRIVATE_LEVELS = frozenset({"private", "confidential"})
BAD_TIMES = (KeyError, TypeError, ValueError, OverflowError)
_skipped: set[tuple[str, Any]] = set()


def _skip(model: str, record: dict[str, Any], err: Exception) -> None:
    """Log a record left out for unreadable times, once per record."""
    key = (model, record.get("id"))
    if key in _skipped:
        return
    if len(_skipped) > 10000:
        _skipped.clear()
    _skipped.add(key)
    _LOGGER.warning("Skipped %s %s: unreadable times (%s)", model, record.get("id"), err)


def _title(value: Any) -> str:
    """Return a record's title as clean text (Odoo's False and None give "")."""
    if value is None or value is False:
        return ""
    return clean_text(str(value))


class ScheduleSource(Protocol):
    """The interface of a schedule source."""

    model: str

    def domain(
        self, displays: Sequence[Display], start: dt.datetime, end: dt.datetime
    ) -> list[Any]:
        """Return the domain selecting every display's bookings in the window."""

    def specification(self) -> dict[str, Any]:
        """Return the ``web_search_read`` specification."""

    def assign(
        self, records: Sequence[dict[str, Any]], displays: Sequence[Display], tz: dict[str, str]
    ) -> dict[str, list[Booking]]:
        """Return the bookings of each device (``tz`` maps device to timezone)."""


def _name(value: Any) -> str | None:
    """Return ``display_name`` of a nested many2one, or None for Odoo's False."""
    if isinstance(value, dict) and value.get("display_name"):
        return clean_text(str(value["display_name"]))
    return None


class RoomBookingSource:
    """``room.booking`` of the Meeting Rooms app, matched by room (id, else name)."""

    model = "room.booking"

    def domain(
        self, displays: Sequence[Display], start: dt.datetime, end: dt.datetime
    ) -> list[Any]:
        """Bookings overlapping the window in the displays' rooms."""
        ids = sorted({d.room_id for d in displays if d.room_id is not None})
        names = sorted({d.room for d in displays if d.room_id is None})
        rooms: list[Any] = []
        if ids and names:
            rooms = ["|", ("room_id", "in", ids), ("room_id.name", "in", names)]
        elif ids:
            rooms = [("room_id", "in", ids)]
        else:
            rooms = [("room_id.name", "in", names)]
        return [
            *rooms,
            ("stop_datetime", ">", to_odoo(start)),
            ("start_datetime", "<", to_odoo(end)),
        ]

    def specification(self) -> dict[str, Any]:
        """Title, times, room and organizer in one read."""
        return {
            "name": {},
            "start_datetime": {},
            "stop_datetime": {},
            "room_id": {"fields": {"name": {}}},
            "organizer_id": {"fields": {"display_name": {}}},
        }

    def assign(
        self, records: Sequence[dict[str, Any]], displays: Sequence[Display], tz: dict[str, str]
    ) -> dict[str, list[Booking]]:
        """Give each booking to every display of its room."""
        result: dict[str, list[Booking]] = {d.device: [] for d in displays}
        for record in records:
            room = record.get("room_id") or {}
            try:
                start = from_odoo(record["start_datetime"])
                end = from_odoo(record["stop_datetime"])
            except BAD_TIMES as err:
                _skip(self.model, record, err)
                continue
            booking = Booking(
                title=_title(record.get("name")),
                start=start,
                end=end,
                organizer=_name(record.get("organizer_id")),
            )
            for display in displays:
                if (display.room_id is not None and display.room_id == room.get("id")) or (
                    display.room_id is None and display.room == room.get("name")
                ):
                    result[display.device].append(booking)
        return result


class CalendarEventSource:
    """``calendar.event`` whose location is the display's room name."""

    model = "calendar.event"

    def domain(
        self, displays: Sequence[Display], start: dt.datetime, end: dt.datetime
    ) -> list[Any]:
        """Events overlapping the window at the displays' rooms."""
        names = sorted({d.room for d in displays})
        return [
            ("location", "in", names),
            ("stop", ">", to_odoo(start)),
            ("start", "<", to_odoo(end)),
        ]

    def specification(self) -> dict[str, Any]:
        """Title, times, all-day dates, privacy and the organizer's default privacy."""
        return {
            "name": {},
            "start": {},
            "stop": {},
            "allday": {},
            "start_date": {},
            "stop_date": {},
            "location": {},
            "privacy": {},
            "user_id": {"fields": {"display_name": {}, "calendar_default_privacy": {}}},
        }

    def assign(
        self, records: Sequence[dict[str, Any]], displays: Sequence[Display], tz: dict[str, str]
    ) -> dict[str, list[Booking]]:
        """Give each event to every display whose room is its location."""
        result: dict[str, list[Booking]] = {d.device: [] for d in displays}
        for record in records:
            user = record.get("user_id") or {}
            privacy = record.get("privacy") or user.get("calendar_default_privacy")
            for display in displays:
                if display.room != record.get("location"):
                    continue
                try:
                    start, end = _event_times(record, tz[display.device])
                except BAD_TIMES as err:
                    _skip(self.model, record, err)
                    continue
                result[display.device].append(
                    Booking(
                        title=_title(record.get("name")),
                        start=start,
                        end=end,
                        organizer=_name(user),
                        private=privacy in PRIVATE_LEVELS,
                    )
                )
        return result


def _event_times(record: dict[str, Any], tz: str) -> tuple[dt.datetime, dt.datetime]:
    """Return an event's UTC times; all-day events span whole local days."""
    if record.get("allday") and record.get("start_date") and record.get("stop_date"):
        zone = ZoneInfo(tz)
        first = dt.date.fromisoformat(record["start_date"])
        last = dt.date.fromisoformat(record["stop_date"])
        start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    return from_odoo(record["start"]), from_odoo(record["stop"])


SOURCES: dict[str, ScheduleSource] = {
    "room_booking": RoomBookingSource(),
    "calendar": CalendarEventSource(),
}
