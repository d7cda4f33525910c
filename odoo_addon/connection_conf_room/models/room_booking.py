"""Tells the hub when a room booking changes, so the door sign updates at once."""

from __future__ import annotations

from typing import Any

from odoo import api, models


class RoomBooking(models.Model):
    """A Meeting Rooms booking that announces its changes to the door signs."""

    _name = "room.booking"
    # The notice hooks first, so they wrap the booking's own create/write/unlink.
    _inherit = ["room.rasp.booking.notice", "room.booking"]

    @api.model
    def _epaper_schedule_fields(self) -> frozenset[str]:
        return super()._epaper_schedule_fields() | {
            "name",
            "room_id",
            "start_datetime",
            "stop_datetime",
            "organizer_id",
        }

    def _epaper_places(self) -> Any:
        return self.room_id

    def _epaper_displays_at(self, places: Any) -> Any:
        return self.env["room.rasp.connection"]._epaper_displays_for_rooms(places)
