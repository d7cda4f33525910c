"""A room renamed (or its booking link changed) changes what its door signs show."""

from __future__ import annotations

from typing import Any

from odoo import models

# room.room fields the schedule answer shows (``ROOM_SPECIFICATION``).
ANSWER_FIELDS = frozenset({"name", "room_booking_url"})


class RoomRoom(models.Model):
    """A Meeting Rooms room that announces changes of what its displays show."""

    _inherit = "room.room"

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; a new name or link queues a change for the room's displays.

        Linked displays show the room's name; unlinked ones whose label is the old
        or the new name match its bookings differently. A new name keeps the old one as
        a location alias of the linked displays, so calendar events typed with it still
        reach their doors.
        """
        if not ANSWER_FIELDS.intersection(vals):
            return super().write(vals)
        names_before = self.mapped("name")
        old_names = {room.id: room.name for room in self}
        result = super().write(vals)
        Display = self.env["room.rasp.connection"]
        if "name" in vals:
            for display in Display._epaper_displays_for_rooms(self):
                display._epaper_keep_label(old_names.get(display.room_id.id) or "")
        displays = Display._epaper_displays_for_rooms(self) | (
            Display._epaper_displays_for_locations(names_before + self.mapped("name"))
        )
        displays._epaper_queue_changed()
        return result
