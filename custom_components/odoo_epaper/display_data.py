"""What the hub built for each display from Odoo: where it goes and what it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, kw_only=True)
class OdooEpaperData:
    """The coordinator's data: every display by device name."""

    displays: dict[str, DisplayData]
    refreshed_at: dt.datetime
