"""The schedule source of this module: ``room.booking`` by room (plain Python).

No ``odoo`` import: the JSON-RPC test server places bookings with this very file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..connection_conf.epaper_schedule import (
    BAD_TIMES,
    Booking,
    Placed,
    RoomIndex,
    Window,
    location_domain,
    many2one_name,
    record_id,
    same_company,
    skip_record,
    title_text,
    utc_parser,
)


class RoomBookingSource:
    """``room.booking`` of the Meeting Rooms app (18.0 Enterprise), matched by room.

    Displays linked to a room (``room_id``) get its bookings; an unlinked display gets
    the bookings of the room whose name is its room label or alias. A booking reaches
    only the displays of its room's company (``room.room.company_id``, the office's);
    linking a display to another company's room is refused (``check_company``).
    """

    key = "room_booking"
    label = "Meeting Rooms bookings"
    rank = 10
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
        utc = utc_parser()
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
                start = utc(record["start_datetime"])
                end = utc(record["stop_datetime"])
            except BAD_TIMES as err:
                skip_record(self.model, record, err)
                continue
            booking = Booking(
                title=title_text(record.get("name")),
                organizer=many2one_name(record.get("organizer_id")),
                private=False,
                start=start,
                end=end,
                ref=f"{self.model},{record['id']}",
                checked_in=bool(record.get("epaper_checked_in")),
            )
            yield booking, displays
