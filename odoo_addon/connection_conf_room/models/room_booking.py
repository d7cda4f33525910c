"""Tells the hub when a room booking changes, so the door sign updates at once."""

from __future__ import annotations

from typing import Any

from odoo import api, fields, models

SCHEDULE_FIELDS = frozenset(
    {
        "name",
        "room_id",
        "start_datetime",
        "stop_datetime",
        "organizer_id",
        "active",
        "epaper_checked_in",
    }
)


class RoomBooking(models.Model):
    """A Meeting Rooms booking that announces its changes to the door signs."""

    _inherit = "room.booking"

    epaper_checked_in = fields.Boolean(
        string="Checked In at the Door",
        copy=False,
        help="Someone checked in at the room's e-paper door sign; a display that asks for "
        "check-in releases the room when nobody does in time.",
    )

    def _epaper_notify(self, rooms: Any) -> None:
        displays = self.env["room.rasp.connection"]._epaper_displays_for_rooms(rooms)
        displays._epaper_queue_changed()

    @api.model_create_multi
    def create(self, vals_list: list[dict[str, Any]]) -> Any:
        """Create, then queue a change notice for the displays of their rooms."""
        bookings = super().create(vals_list)
        bookings._epaper_notify(bookings.room_id)
        return bookings

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; a schedule change queues a notice for the displays before and after."""
        if not SCHEDULE_FIELDS.intersection(vals):
            return super().write(vals)
        rooms_before = self.room_id
        result = super().write(vals)
        self._epaper_notify(rooms_before | self.room_id)
        return result

    def unlink(self) -> bool:
        """Delete, then queue a change notice for the displays that showed them."""
        rooms = self.room_id
        result = super().unlink()
        self._epaper_notify(rooms)
        return result
