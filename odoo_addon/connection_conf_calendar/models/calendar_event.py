"""Tells the hub when a calendar event at a display's room changes."""

from __future__ import annotations

from typing import Any

from odoo import api, fields, models

SCHEDULE_FIELDS = frozenset(
    {
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
        "active",
        "epaper_checked_in",
    }
)


class CalendarEvent(models.Model):
    """A calendar event that announces its changes to the door sign of its location."""

    _inherit = "calendar.event"

    epaper_checked_in = fields.Boolean(
        string="Checked In at the Door",
        copy=False,
        help="Someone checked in at the room's e-paper door sign; a display that asks for "
        "check-in releases the room when nobody does in time.",
    )

    def _epaper_notify(self, locations: list[Any]) -> None:
        displays = self.env["room.rasp.connection"]._epaper_displays_for_locations(locations)
        displays._epaper_queue_changed()

    @api.model_create_multi
    def create(self, vals_list: list[dict[str, Any]]) -> Any:
        """Create, then queue a change notice for the displays of their locations."""
        events = super().create(vals_list)
        events._epaper_notify(events.mapped("location"))
        return events

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; a schedule change queues a notice for the displays before and after."""
        if not SCHEDULE_FIELDS.intersection(vals):
            return super().write(vals)
        locations_before = self.mapped("location")
        result = super().write(vals)
        self._epaper_notify(locations_before + self.mapped("location"))
        return result

    def unlink(self) -> bool:
        """Delete, then queue a change notice for the displays that showed them."""
        locations = self.mapped("location")
        result = super().unlink()
        self._epaper_notify(locations)
        return result
