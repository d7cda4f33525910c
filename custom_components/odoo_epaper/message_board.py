"""Messages shown on displays until they expire (the ``show_message`` action)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time

from .schedule import format_time


@dataclass(frozen=True, slots=True)
class BoardMessage:
    """A text and the instant it disappears."""

    text: str
    until: datetime

    def as_payload(self) -> dict[str, Any]:
        """Return the ``message`` member of a ``/data`` payload."""
        return {"text": self.text, "until": format_time(self.until)}


class MessageBoard:
    """Hold one message per display and republish the displays whose message expired."""

    def __init__(
        self, hass: HomeAssistant, on_expired: Callable[[set[str]], Awaitable[None]]
    ) -> None:
        """Call ``on_expired(devices)`` when messages run out."""
        self.hass = hass
        self._on_expired = on_expired
        self._messages: dict[str, BoardMessage] = {}
        self._timer: CALLBACK_TYPE | None = None
        self._job = HassJob(
            self._async_expire, "odoo_epaper message expiry", cancel_on_shutdown=True
        )

    @callback
    def async_post(self, devices: Iterable[str], text: str, until: datetime) -> None:
        """Show ``text`` on ``devices`` until ``until``."""
        for device in devices:
            self._messages[device] = BoardMessage(text, until)
        self._schedule()

    def active(self, now: datetime) -> dict[str, BoardMessage]:
        """Return every message still shown at ``now``."""
        return {device: msg for device, msg in self._messages.items() if msg.until > now}

    @callback
    def async_stop(self) -> None:
        """Cancel the expiry timer."""
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _schedule(self) -> None:
        """Wake up when the first message expires."""
        self.async_stop()
        if self._messages:
            first = min(message.until for message in self._messages.values())
            self._timer = async_track_point_in_utc_time(self.hass, self._job, first)

    async def _async_expire(self, now: datetime) -> None:
        """Drop expired messages and republish their displays."""
        self._timer = None
        expired = {device for device, msg in self._messages.items() if msg.until <= now}
        for device in expired:
            del self._messages[device]
        self._schedule()
        if expired:
            await self._on_expired(expired)
