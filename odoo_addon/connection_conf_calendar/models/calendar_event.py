"""Tells the hub when a calendar event at a display's room changes."""

from __future__ import annotations

from typing import Any

from odoo import api, models


class CalendarEvent(models.Model):
    """A calendar event that announces its changes to the door sign of its location."""

    _name = "calendar.event"
    # The notice hooks first, so they wrap the event's own create/write/unlink.
    _inherit = ["room.rasp.booking.notice", "calendar.event"]

    @api.model
    def _epaper_schedule_fields(self) -> frozenset[str]:
        return super()._epaper_schedule_fields() | {
            "name",
            "start",
            "stop",
            "start_date",
            "stop_date",
            "allday",
            "location",
            "privacy",
            "show_as",
            "user_id",
        }

    def _epaper_places(self) -> list[Any]:
        return self.mapped("location")

    def _epaper_displays_at(self, places: list[Any]) -> Any:
        return self.env["room.rasp.connection"]._epaper_displays_for_locations(places)
