"""The plain records of the schedule: displays and bookings, source-agnostic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .rooms import normalize_location, room_labels
from .times import all_day_span
from .zones import resolve_zone, to_bcp47, warn_unknown_zone

# What the schedule reads of a display (``web_search_read`` specification).
DISPLAY_SPECIFICATION: dict[str, Any] = {
    "name": {},
    "room_name": {},
    "topic_prefix": {},
    "tz": {},
    "lang": {},
    "location_aliases": {},
    "panel_model": {},
    "checkin_grace_minutes": {},
    "company_id": {},
    "publisher": {},  # its broker's: "odoo" or "home_assistant" (who publishes /data)
}
# Added when the Meeting Rooms bridge (``connection_conf_room``) links displays to rooms.
ROOM_SPECIFICATION: dict[str, Any] = {"room_id": {"fields": {"name": {}, "room_booking_url": {}}}}


@dataclass(frozen=True)
class Display:
    """One active display as the answer names it, with the keys its bookings match."""

    device: str
    room: str
    labels: frozenset[str]
    tz: str
    locale: str | None = None
    room_id: int | None = None
    topic_prefix: str | None = None
    qr: str | None = None
    panel_model: str | None = None
    checkin_minutes: int = 0
    company_id: int | None = None
    publisher: str = "home_assistant"  # who publishes its /data: or "odoo" (its broker's)

    def as_answer(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Return the display's entry of the answer (DESIGN.md section 4)."""
        return {
            "device": self.device,
            "room": self.room,
            "topic_prefix": self.topic_prefix,
            "tz": self.tz,
            "locale": self.locale,
            "qr": self.qr,
            "panel_model": self.panel_model,
            "publisher": self.publisher,
            "events": events,
        }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def record_id(value: Any) -> int | None:
    """The id of a many2one as ``web_search_read`` gives it (an int, or a dict with
    ``id`` when fields are asked), None for Odoo's False."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def display_from_record(
    record: dict[str, Any],
    *,
    user_tz: Any,
    company_tz: Any,
    company_lang: Any,
    default_tz: str | None,
) -> Display:
    """Build a :class:`Display` from a ``web_search_read`` record of ``room.rasp.connection``.

    The room label is the linked ``room.room``'s name (Meeting Rooms), else ``room_name``;
    it and the location aliases are what bookings match; the sign shows the label, else
    the device name. ``tz`` runs the chain display, caller, company, ``default_tz``;
    ``locale`` is the display's language, else the company's, as BCP 47; ``company_id``
    is the display's company (None: no company, e.g. the test server's displays).
    """
    device = str(record["name"])
    room = record.get("room_id") or {}
    label = _text(room.get("name")) if room else _text(record.get("room_name"))
    warn_unknown_zone(device, record.get("tz"))
    return Display(
        device=device,
        room=label or device,
        labels=room_labels(label, record.get("location_aliases")),
        tz=resolve_zone(record.get("tz"), user_tz, company_tz, default_tz=default_tz),
        locale=to_bcp47(record.get("lang")) or to_bcp47(company_lang),
        room_id=int(room["id"]) if room.get("id") else None,
        topic_prefix=_text(record.get("topic_prefix")),
        qr=_text(room.get("room_booking_url")),
        panel_model=_text(record.get("panel_model")),
        checkin_minutes=int(record.get("checkin_grace_minutes") or 0),
        company_id=record_id(record.get("company_id")),
        publisher=_text(record.get("publisher")) or "home_assistant",
    )


@dataclass(frozen=True)
class Booking:
    """One booking read from a source: timed (``start`` / ``end``, aware UTC) or all-day
    (``first_day`` / ``last_day``, local dates, inclusive). ``ref`` is ``"model,id"``;
    ``checked_in``: someone checked in at the door."""

    title: str
    organizer: str | None
    private: bool
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    ref: str | None = None
    checked_in: bool = False

    @property
    def all_day(self) -> bool:
        """Whether the booking spans whole local days."""
        return self.first_day is not None

    def span(self, zone: str) -> tuple[dt.datetime, dt.datetime]:
        """Return the booking's UTC span at a door in ``zone``."""
        if self.first_day is not None and self.last_day is not None:
            return all_day_span(self.first_day, self.last_day, zone)
        assert self.start is not None and self.end is not None
        return self.start, self.end


class RoomIndex:
    """The displays by room id and by matching key, to place bookings."""

    def __init__(self, displays: list[Display]) -> None:
        self.displays = displays
        self.by_room_id: dict[int, list[Display]] = {}
        self.by_label: dict[str, list[Display]] = {}
        self.unlinked_by_label: dict[str, list[Display]] = {}
        for display in displays:
            if display.room_id is not None:
                self.by_room_id.setdefault(display.room_id, []).append(display)
            for label in display.labels:
                self.by_label.setdefault(label, []).append(display)
                if display.room_id is None:
                    self.unlinked_by_label.setdefault(label, []).append(display)

    def at_location(self, location: Any) -> list[Display]:
        """Displays whose room label or alias is ``location`` (the one matching rule)."""
        return self.by_label.get(normalize_location(location), [])

    def at_key(self, key: Any, location: Any) -> list[Display]:
        """Like :meth:`at_location`, given the location's stored key too
        (``calendar.event.epaper_location_key``: :func:`normalize_location` of the location,
        computed when it was written); a record without one is matched by ``location``."""
        if isinstance(key, str) and key:
            return self.by_label.get(key, [])
        return self.at_location(location)

    def of_room(self, room_id: int | None, room_name: Any) -> list[Display]:
        """Displays linked to the room, and unlinked displays labelled with its name."""
        linked = self.by_room_id.get(room_id, []) if room_id is not None else []
        return linked + self.unlinked_by_label.get(normalize_location(room_name), [])
