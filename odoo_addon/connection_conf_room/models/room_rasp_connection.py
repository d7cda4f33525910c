"""Adds the Meeting Rooms room (``room.room``) to the e-paper displays."""

from __future__ import annotations

import datetime as dt
from typing import Any

from odoo import api, fields, models
from odoo.addons.connection_conf.epaper_schedule import ROOM_SPECIFICATION, ScheduleSource

from ..schedule_source import RoomBookingSource


class RoomRaspConnection(models.Model):
    """An e-paper display, linked to the room whose door it hangs on."""

    _inherit = "room.rasp.connection"

    room_id = fields.Many2one(
        "room.room",
        ondelete="set null",
        index=True,
        tracking=True,
        check_company=True,
        help="Meeting room shown on this sign; its name wins over the room name text.",
    )

    @api.onchange("room_id")
    def _onchange_room_id(self) -> None:
        for display in self:
            if display.room_id and not display.room_name:
                display.room_name = display.room_id.name

    @api.model
    def _epaper_room_domain(self) -> list[Any]:
        return ["|", ("room_id", "!=", False), *super()._epaper_room_domain()]

    def _epaper_room_label(self) -> str:
        self.ensure_one()
        if self.room_id:
            return self.room_id.name or ""
        return super()._epaper_room_label()

    @api.model
    def _epaper_displays_for_rooms(self, rooms: Any) -> Any:
        """Return the displays of these ``room.room`` records."""
        if not rooms:
            return self.browse()
        return self.sudo().search([("room_id", "in", rooms.ids)])

    @api.model
    def _epaper_display_specification(self) -> dict[str, Any]:
        return {**super()._epaper_display_specification(), **ROOM_SPECIFICATION}

    @api.model
    def _epaper_schedule_sources(self) -> list[ScheduleSource]:
        return [*super()._epaper_schedule_sources(), RoomBookingSource()]

    # -- bookings: a display with a room books room.booking -------------------------

    def _epaper_booking_model(self) -> str:
        if self.room_id:
            return "room.booking"
        return super()._epaper_booking_model()

    def _epaper_booking_fields(self) -> tuple[str, str]:
        if self._epaper_booking_model() != "room.booking":
            return super()._epaper_booking_fields()
        return ("start_datetime", "stop_datetime")

    def _epaper_booking_domain(self) -> list[Any]:
        if self._epaper_booking_model() != "room.booking":
            return super()._epaper_booking_domain()
        return [("room_id", "=", self.room_id.id)]

    def _epaper_booking_values(
        self, start: dt.datetime, end: dt.datetime, name: str
    ) -> dict[str, Any]:
        if self._epaper_booking_model() != "room.booking":
            return super()._epaper_booking_values(start, end, name)
        return {
            "name": name,
            "room_id": self.room_id.id,
            "start_datetime": start.replace(tzinfo=None),
            "stop_datetime": end.replace(tzinfo=None),
            "organizer_id": self.env.uid,
        }
