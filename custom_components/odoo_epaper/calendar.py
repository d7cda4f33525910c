"""The calendar entity: one per display, the room's bookings, booking and cancelling in Odoo.

Events of the published horizon come from the coordinator's data (what the door
shows); other ranges are read from Odoo in one RPC (``epaper_schedule`` for this
display). Private bookings show as "Booked", without title or organizer. Creating
and deleting events book and cancel through the addon (``epaper_book`` /
``epaper_cancel``) with the hub's Odoo user, so Odoo's rights and rules decide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.components.calendar.const import (
    EVENT_END,
    EVENT_START,
    EVENT_SUMMARY,
    CalendarEntityFeature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .data import OdooEpaperConfigEntry
from .entity import OdooEpaperEntity, display_platform_setup
from .odoo_client import OdooError
from .schedule import Booking, booking_window

PARALLEL_UPDATES = 1
PRIVATE_SUMMARY = "Booked"
# Refusal codes of the addon a caller can fix (a bad request), each with its own message.
VALIDATION_CODES = ("overlap", "bad_window", "unknown_booking", "forbidden", "unknown_device")

BOOKINGS = CalendarEntityDescription(key="bookings", translation_key="bookings")


# Add a calendar per display.
async_setup_entry = display_platform_setup(
    lambda hass, entry, device: [RoomCalendar(entry, device)]
)


def calendar_event(booking: Booking) -> CalendarEvent:
    """Return the calendar event of a booking ("Booked" and no organizer when private)."""
    return CalendarEvent(
        start=booking.start,
        end=booking.end,
        summary=PRIVATE_SUMMARY if booking.private else booking.title or PRIVATE_SUMMARY,
        description=None if booking.private else booking.organizer,
        uid=booking.ref,
    )


class RoomCalendar(OdooEpaperEntity, CalendarEntity):
    """The bookings of the room a display hangs at."""

    _attr_supported_features = (
        CalendarEntityFeature.CREATE_EVENT | CalendarEntityFeature.DELETE_EVENT
    )

    def __init__(self, entry: OdooEpaperConfigEntry, device: str) -> None:
        """A calendar of one display."""
        super().__init__(entry, BOOKINGS, device)
        # The booking shown and its event: Home Assistant asks for the event several
        # times per state write, and the hub keeps a booking's object while it is unchanged.
        self._shown: tuple[Booking, CalendarEvent] | None = None

    def _bookings(self) -> tuple[Booking, ...]:
        data = self.display_data
        return () if data is None else data.bookings

    @property
    def event(self) -> CalendarEvent | None:
        """Return the booking running now (the latest started), else the next one.

        The room's status is computed once per display for all its entities
        (DisplayData.room_status_at) until a booking starts or ends.
        """
        data = self.display_data
        if data is None:
            return None
        status, _until = data.room_status_at(
            dt_util.utcnow(), data.zone(dt_util.get_default_time_zone())
        )
        booking = status.current or status.next
        if booking is None:
            return None
        if self._shown is None or self._shown[0] is not booking:
            self._shown = (booking, calendar_event(booking))
        return self._shown[1]

    @callback
    def _async_coordinator_changed(self) -> None:
        """The bookings changed: write the state, push them to subscribed calendar views."""
        super()._async_coordinator_changed()
        self.async_update_event_listeners()

    async def async_get_events(
        self, hass: HomeAssistant, start_date: dt.datetime, end_date: dt.datetime
    ) -> list[CalendarEvent]:
        """Return the bookings overlapping the range: published ones, else one Odoo read."""
        start, end = dt_util.as_utc(start_date), dt_util.as_utc(end_date)
        data = self.coordinator.data
        if data is not None:
            first, last = booking_window(data.refreshed_at, self.coordinator.options.horizon_days)
            if first <= start and end <= last:
                bookings = sorted(self._bookings(), key=lambda b: (b.start, b.end))
                return [calendar_event(b) for b in bookings if b.start < end and start < b.end]
        client, device = self.entry.runtime_data.client, self.device or ""
        try:
            found = await hass.async_add_executor_job(
                client.display_bookings, device, start, end, str(hass.config.time_zone)
            )
        except OdooError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="calendar_read_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        ordered = sorted(found, key=lambda b: (b.start, b.end))
        return [calendar_event(b) for b in ordered if b.start < end and start < b.end]

    async def async_create_event(self, **kwargs: Any) -> None:
        """Book the room in Odoo (``calendar.create_event``); refusals are translated errors."""
        start = self._utc(kwargs[EVENT_START])
        end = self._utc(kwargs[EVENT_END])
        client = self.entry.runtime_data.client
        await self._async_run(client.book, self.device, start, end, kwargs.get(EVENT_SUMMARY))

    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Cancel the booking ``uid`` ("model,id") in Odoo."""
        client = self.entry.runtime_data.client
        await self._async_run(client.cancel, self.device, uid)

    def _utc(self, value: dt.datetime | dt.date) -> dt.datetime:
        """A date means the room's local midnight (the display's zone, else HA's)."""
        if isinstance(value, dt.datetime):
            return dt_util.as_utc(value)
        data = self.display_data
        zone = dt_util.get_default_time_zone()
        local = dt.datetime.combine(value, dt.time(), data.zone(zone) if data else zone)
        return dt_util.as_utc(local)

    async def _async_run(self, call: Any, *args: Any) -> None:
        """Run an addon call; refresh on success, raise its refusal as a translated error."""
        try:
            answer = await self.hass.async_add_executor_job(call, *args)
        except OdooError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="booking_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        if isinstance(answer, dict) and answer.get("ok") is True:
            await self.coordinator.async_refresh()
            # The frontend's calendar view subscribes to the events (calendar/event/subscribe).
            self.async_update_event_listeners()
            return
        code = str(answer.get("error")) if isinstance(answer, dict) else ""
        message = str(answer.get("message")) if isinstance(answer, dict) else str(answer)
        if code in VALIDATION_CODES:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=f"booking_{code}",
                translation_placeholders={
                    "room": self.display_data.room if self.display_data else ""
                },
            )
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="booking_refused",
            translation_placeholders={"error": message},
        )
