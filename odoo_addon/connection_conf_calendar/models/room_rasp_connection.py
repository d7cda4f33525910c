"""Adds Calendar (``calendar.event`` by location) to the displays' schedule sources."""

from __future__ import annotations

from odoo import api, models
from odoo.addons.connection_conf.epaper_schedule import CalendarEventSource, ScheduleSource


class RoomRaspConnection(models.Model):
    """An e-paper display that shows the calendar events at its room."""

    _inherit = "room.rasp.connection"

    @api.model
    def _epaper_schedule_sources(self) -> list[ScheduleSource]:
        return [*super()._epaper_schedule_sources(), CalendarEventSource()]
