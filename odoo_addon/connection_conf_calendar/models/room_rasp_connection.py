"""Adds Calendar (``calendar.event`` by location) to the displays' schedule sources, and
lets displays book ``calendar.event`` at their room's location (Odoo Community)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from odoo import api, models
from odoo.addons.connection_conf.epaper_schedule import ScheduleSource, load_zone
from odoo.addons.connection_conf.epaper_schedule.rooms import (
    location_domain,
    normalize_location,
    same_company,
)

from ..schedule_source import CalendarEventSource


def _zone(*names: Any) -> dt.tzinfo:
    """The first of ``names`` that is a known zone (legacy names too: ``load_zone``), else UTC."""
    return next((zone for name in names if (zone := load_zone(name)) is not None), dt.UTC)


class RoomRaspConnection(models.Model):
    """An e-paper display that shows, and books, the calendar events at its room."""

    _inherit = "room.rasp.connection"

    @api.model
    def _epaper_schedule_sources(self) -> list[ScheduleSource]:
        return [*super()._epaper_schedule_sources(), CalendarEventSource()]

    # -- bookings: a display without a Meeting Rooms room books calendar.event -------

    def _epaper_booking_model(self) -> str:
        model = super()._epaper_booking_model()
        if not model and self._epaper_room_label().strip():
            return "calendar.event"
        return model

    def _epaper_booking_fields(self) -> tuple[str, str]:
        if self._epaper_booking_model() != "calendar.event":
            return super()._epaper_booking_fields()
        return ("start", "stop")

    def _epaper_booking_domain(self) -> list[Any]:
        if self._epaper_booking_model() != "calendar.event":
            return super()._epaper_booking_domain()
        return location_domain("epaper_location_key", self._epaper_room_labels())

    def _epaper_booking_matches(self, record: Any) -> bool:
        if record._name != "calendar.event":
            return super()._epaper_booking_matches(record)
        return normalize_location(record.location) in self._epaper_room_labels() and (
            same_company(self.company_id.id, record.user_id.company_id.id or None)
        )

    def _epaper_booking_span(self, record: Any) -> tuple[dt.datetime, dt.datetime]:
        if record._name != "calendar.event" or not record.allday:
            return super()._epaper_booking_span(record)
        zone = _zone(self.tz, self.env.user.tz)
        first = record.start_date or record.start.date()
        last = record.stop_date or record.stop.date()
        start = dt.datetime.combine(first, dt.time(), zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def _epaper_booking_values(
        self, start: dt.datetime, end: dt.datetime, name: str
    ) -> dict[str, Any]:
        if self._epaper_booking_model() != "calendar.event":
            return super()._epaper_booking_values(start, end, name)
        return {
            "name": name,
            "start": start.replace(tzinfo=None),
            "stop": end.replace(tzinfo=None),
            "location": self._epaper_room_label().strip(),
            "user_id": self.env.uid,
            "show_as": "busy",
        }
