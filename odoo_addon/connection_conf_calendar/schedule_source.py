"""The schedule source of this module: ``calendar.event`` by location (plain Python).

No ``odoo`` import: the JSON-RPC test server places events with this very file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..connection_conf.epaper_schedule import (
    BAD_TIMES,
    LOCATION_KEY_FIELD,
    Booking,
    Placed,
    RoomIndex,
    Window,
    location_domain,
    many2one_name,
    parse_date,
    record_id,
    same_company,
    shown_private,
    skip_record,
    title_text,
    utc_parser,
)


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

    key = "calendar"
    label = "Calendar events at the room's location"
    rank = 20
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
        LOCATION_KEY_FIELD: {},  # the location's key, so no event is normalized again
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
        utc = utc_parser()
        for record in records:
            organizer = record.get("user_id") or {}
            if not isinstance(organizer, dict):
                organizer = {}
            company = record_id(organizer.get("company_id"))
            displays = [
                display
                for display in index.at_key(record.get(LOCATION_KEY_FIELD), record.get("location"))
                if same_company(display.company_id, company)
            ]
            if not displays:
                continue
            private = shown_private(
                record.get("privacy"), organizer.get("calendar_default_privacy")
            ) or (not organizer and any(d.company_id is not None for d in displays))
            start = end = first_day = last_day = None
            try:
                if record.get("allday"):
                    first_day = parse_date(record["start_date"])
                    last_day = parse_date(record["stop_date"])
                else:
                    start, end = utc(record["start"]), utc(record["stop"])
            except BAD_TIMES as err:
                skip_record(self.model, record, err)
                continue
            booking = Booking(
                "" if private else title_text(record.get("name")),
                None if private else many2one_name(organizer),
                private,
                start,
                end,
                first_day,
                last_day,
                f"{self.model},{record['id']}",
                bool(record.get("epaper_checked_in")),
            )
            yield booking, displays
