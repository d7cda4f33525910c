"""What the hub built for each display from Odoo: where it goes and what it shows."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .room_state import RoomStatus, next_change, room_status
from .schedule import Booking, Display
from .wire import WirePayload, data_topic


@dataclass(frozen=True, kw_only=True)
class DisplayData:
    """One display as the hub last built it: where it goes and what it shows.

    What it holds is what the entities need (the display, its bookings) and the payload
    in its wire form only (``wire``: the bytes the broker gets, built once), not Odoo's
    answer nor the payload as Python objects: the hub's memory per display stays the
    bookings plus one compact JSON text.
    """

    display: Display
    topic_prefix: str
    bookings: tuple[Booking, ...]
    wire: WirePayload
    # (tz, computed at, next change, status): see room_status_at.
    _status_memo: list[tuple[dt.tzinfo, dt.datetime, dt.datetime, RoomStatus]] = field(
        default_factory=list, compare=False, repr=False
    )

    def room_status_at(self, now: dt.datetime, tz: dt.tzinfo) -> tuple[RoomStatus, dt.datetime]:
        """Return the room's status at ``now`` (aware) in ``tz`` and the first instant
        after which it may change (room_state.next_change), computed once per display
        until then: every entity of the display reads the same result instead of
        scanning the bookings itself."""
        for memo_tz, since, until, status in self._status_memo:
            if memo_tz == tz and since <= now < until:
                return status, until
        status = room_status(self.bookings, now, tz)
        until = next_change(self.bookings, now, tz)
        self._status_memo[:] = [(tz, now, until, status)]
        return status, until

    @property
    def content_hash(self) -> str:
        """The contract's content_hash of the payload (what the door reports it shows)."""
        return self.wire.content_hash

    @property
    def payload(self) -> dict[str, Any]:
        """The ``/data`` payload, decoded from its wire bytes (diagnostics, tests)."""
        payload: dict[str, Any] = json.loads(self.wire.data)
        return payload

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
