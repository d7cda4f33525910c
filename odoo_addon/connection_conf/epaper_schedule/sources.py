"""Schedule sources: how each Odoo model's records become bookings at displays.

A source names its model, the domain and the ``web_search_read`` specification that
read every display's bookings in one query, and places the records it gets back.
Each bridge module registers its source (``connection_conf_calendar``:
``calendar.event``; ``connection_conf_room``: ``room.booking``); a third one (Odoo
master's ``calendar.event`` on ``resource.asset``) fits the same shape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from .bookings import Booking, Display, RoomIndex, record_id
from .privacy import shown_private
from .rooms import LOCATION_KEY_FIELD, location_domain, same_company
from .times import Window, parse_date, parse_utc

_logger = logging.getLogger(__name__)
BAD_TIMES = (KeyError, TypeError, ValueError, OverflowError)
Placed = tuple[Booking, list[Display]]


class ScheduleSource(Protocol):
    """The interface of a schedule source."""

    model: str
    specification: dict[str, Any]

    def domain(self, index: RoomIndex, window: Window) -> list[Any] | None:
        """Return the domain of the displays' bookings in the window (None: nothing to read)."""

    def place(self, records: Iterable[dict[str, Any]], index: RoomIndex) -> Iterator[Placed]:
        """Yield each readable record as a booking with the displays it belongs to."""


def _name(value: Any) -> str | None:
    """Return ``display_name`` of a nested many2one, or None for Odoo's False."""
    if isinstance(value, dict) and value.get("display_name"):
        return str(value["display_name"])
    return None


def _title(value: Any) -> str:
    """A record's title as text (Odoo's False and None give "")."""
    if value is None or value is False:
        return ""
    return str(value)


def _skip(model: str, record: dict[str, Any], err: Exception) -> None:
    _logger.warning("Skipped %s %s: unreadable times (%s)", model, record.get("id"), err)


class CalendarEventSource:
    """``calendar.event`` whose location is a display's room label or alias.

    An event held in a room occupies it whatever its ``show_as``: that field is a
    person's free/busy, not the room's (Google-synced all-day events default to free).
    All-day events are read by their dates (``start_date`` / ``stop_date``), whatever
    ``start`` / ``stop`` hold (08:00 / 18:00 from Odoo's UI, 00:00 / 00:00 from
    Google sync). Private and confidential events (privacy unset: the organizer's
    default) are shown without title and organizer.

    Companies: Community's ``calendar.event`` has no company, so an event belongs to
    its organizer's company (``user_id.company_id``, the organizer's main company) and
    reaches only that company's doors (a display without company, as on the test server,
    takes every company's events). An event without organizer belongs to no company:
    it reaches every matching door, shown without title (as a private one).
    """

    model = "calendar.event"
    specification: dict[str, Any] = {
        "name": {},
        "start": {},
        "stop": {},
        "allday": {},
        "start_date": {},
        "stop_date": {},
        "location": {},
        "privacy": {},
        "user_id": {
            "fields": {"display_name": {}, "calendar_default_privacy": {}, "company_id": {}}
        },
        "epaper_checked_in": {},
    }

    def domain(self, index: RoomIndex, window: Window) -> list[Any] | None:
        """Events at the displays' locations (any ``show_as``), timed ones by the window,
        all-day ones by their dates widened a day on each side (filtered per display zone
        later)."""
        rooms = location_domain(LOCATION_KEY_FIELD, index.by_label)
        if not rooms:
            return None
        start, end = window.odoo_bounds()
        first_day, last_day = window.all_day_bounds()
        return [
            *rooms,
            "|",
            "&",
            "&",
            ("allday", "=", False),
            ("stop", ">", start),
            ("start", "<", end),
            "&",
            "&",
            ("allday", "=", True),
            ("stop_date", ">=", first_day),
            ("start_date", "<=", last_day),
        ]

    def place(self, records: Iterable[dict[str, Any]], index: RoomIndex) -> Iterator[Placed]:
        """Give each event to every display whose room label or alias is its location."""
        for record in records:
            organizer = record.get("user_id") or {}
            if not isinstance(organizer, dict):
                organizer = {}
            company = record_id(organizer.get("company_id"))
            displays = [
                display
                for display in index.at_location(record.get("location"))
                if same_company(display.company_id, company)
            ]
            if not displays:
                continue
            private = shown_private(
                record.get("privacy"), organizer.get("calendar_default_privacy")
            ) or (not organizer and any(d.company_id is not None for d in displays))
            try:
                if record.get("allday"):
                    times: dict[str, Any] = {
                        "first_day": parse_date(record["start_date"]),
                        "last_day": parse_date(record["stop_date"]),
                    }
                else:
                    times = {"start": parse_utc(record["start"]), "end": parse_utc(record["stop"])}
            except BAD_TIMES as err:
                _skip(self.model, record, err)
                continue
            booking = Booking(
                title="" if private else _title(record.get("name")),
                organizer=None if private else _name(organizer),
                private=private,
                ref=f"{self.model},{record['id']}",
                checked_in=bool(record.get("epaper_checked_in")),
                **times,
            )
            yield booking, displays


class RoomBookingSource:
    """``room.booking`` of the Meeting Rooms app (18.0 Enterprise), matched by room.

    Displays linked to a room (``room_id``) get its bookings; an unlinked display gets
    the bookings of the room whose name is its room label or alias. A booking reaches
    only the displays of its room's company (``room.room.company_id``, the office's);
    linking a display to another company's room is refused (``check_company``).
    """

    model = "room.booking"
    specification: dict[str, Any] = {
        "name": {},
        "start_datetime": {},
        "stop_datetime": {},
        "room_id": {"fields": {"name": {}, "company_id": {}}},
        "organizer_id": {"fields": {"display_name": {}}},
        "epaper_checked_in": {},
    }

    def domain(self, index: RoomIndex, window: Window) -> list[Any] | None:
        """Bookings overlapping the window in the displays' rooms."""
        linked = [("room_id", "in", sorted(index.by_room_id))] if index.by_room_id else []
        named = location_domain("room_id.name", index.unlinked_by_label)
        if not linked and not named:
            return None
        start, end = window.odoo_bounds()
        return [
            *(["|", *linked, *named] if linked and named else linked or named),
            ("stop_datetime", ">", start),
            ("start_datetime", "<", end),
        ]

    def place(self, records: Iterable[dict[str, Any]], index: RoomIndex) -> Iterator[Placed]:
        """Give each booking to every display of its room."""
        for record in records:
            room = record.get("room_id") or {}
            room_id = room.get("id") if isinstance(room, dict) else None
            company = record_id(room.get("company_id")) if isinstance(room, dict) else None
            displays = [
                display
                for display in index.of_room(
                    room_id, room.get("name") if isinstance(room, dict) else None
                )
                if same_company(display.company_id, company)
            ]
            if not displays:
                continue
            try:
                start = parse_utc(record["start_datetime"])
                end = parse_utc(record["stop_datetime"])
            except BAD_TIMES as err:
                _skip(self.model, record, err)
                continue
            booking = Booking(
                title=_title(record.get("name")),
                organizer=_name(record.get("organizer_id")),
                private=False,
                start=start,
                end=end,
                ref=f"{self.model},{record['id']}",
                checked_in=bool(record.get("epaper_checked_in")),
            )
            yield booking, displays


SOURCES: dict[str, ScheduleSource] = {
    source.model: source for source in (CalendarEventSource(), RoomBookingSource())
}
