"""What the hub built for each display from Odoo: where it goes and what it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .schedule import Booking, Display
from .wire import data_topic


@dataclass(frozen=True, kw_only=True)
class DisplayData:
    """One display as the hub last built it: where it goes and what it shows."""

    display: Display
    topic_prefix: str
    bookings: tuple[Booking, ...]
    payload: dict[str, Any]
    content_hash: str

    @property
    def device(self) -> str:
        """The device name on the wire."""
        return self.display.device

    @property
    def room(self) -> str:
        """The room name shown on the sign."""
        return self.display.room

    @property
    def data_topic(self) -> str:
        """The retained topic the payload goes to."""
        return data_topic(self.topic_prefix, self.device)

    def zone(self, fallback: dt.tzinfo) -> dt.tzinfo:
        """Return the display's IANA zone from Odoo's answer, else ``fallback`` (Home
        Assistant's configured zone; DESIGN.md 3a: never a made-up UTC) when it names
        none or one that does not exist."""
        try:
            return ZoneInfo(self.display.tz) if self.display.tz else fallback
        except (ZoneInfoNotFoundError, ValueError):
            return fallback


@dataclass(frozen=True, kw_only=True)
class OdooEpaperData:
    """The coordinator's data: every display by device name."""

    displays: dict[str, DisplayData]
    refreshed_at: dt.datetime
