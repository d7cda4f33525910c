"""Tells the hub when a calendar event at a display's room changes."""

from __future__ import annotations

from typing import Any

from odoo import api, fields, models
from odoo.addons.connection_conf.epaper_schedule.rooms import normalize_location


class CalendarEvent(models.Model):
    """A calendar event that announces its changes to the door sign of its location."""

    _name = "calendar.event"
    # The notice hooks first, so they wrap the event's own create/write/unlink.
    _inherit = ["room.rasp.booking.notice", "calendar.event"]

    epaper_location_key = fields.Char(
        string="Door Sign Room Key",
        compute="_compute_epaper_location_key",
        store=True,
        index=True,
        help="The location as door signs match it to their rooms: Unicode-normalized, "
        "case and spacing ignored.",
    )

    @api.depends("location")
    def _compute_epaper_location_key(self) -> None:
        for event in self:
            event.epaper_location_key = normalize_location(event.location) or False

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
