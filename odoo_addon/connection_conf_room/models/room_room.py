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
        or the new name match its bookings differently.
        """
        if not ANSWER_FIELDS.intersection(vals):
            return super().write(vals)
        names_before = self.mapped("name")
        result = super().write(vals)
        Display = self.env["room.rasp.connection"]
        displays = Display._epaper_displays_for_rooms(self) | (
            Display._epaper_displays_for_locations(names_before + self.mapped("name"))
        )
        displays._epaper_queue_changed()
        return result
