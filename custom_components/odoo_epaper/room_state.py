"""Free, busy or starting soon: a room's state from its bookings and the clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from .schedule import Booking

SOON: Final = timedelta(minutes=15)
PRIVATE_TITLE: Final = "Booked"


class RoomState(StrEnum):
    """The states of the room state sensor."""

    FREE = "free"
    BUSY = "busy"
    STARTING_SOON = "starting_soon"
    UNKNOWN = "unknown"


def shown_title(booking: Booking) -> str:
    """Return what the door shows for a booking: never the title of a private one."""
    if booking.private or not booking.title.strip():
        return PRIVATE_TITLE
    return booking.title


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomStatus:
    """The state of a room at one instant, with the bookings that decide it."""

    state: RoomState
    until: datetime | None
    current: Booking | None
    next: Booking | None


def room_status(bookings: Sequence[Booking], now: datetime, tz: tzinfo) -> RoomStatus:
    """Return the room's state at ``now`` by the contract's rule (docs/protocol.md).

    current: the booking covering now with the latest start (ties: ends last); next:
    the first booking with start > now (ties: ends first); busy until the end of the
    run of overlapping or back-to-back bookings covering now; starting soon: not busy
    and next within SOON; ``tz`` decides what "today" means for a free room's until.
    Bookings that do not end after they start are ignored.
    """
    ordered = sorted(
        (booking for booking in bookings if booking.end > booking.start),
        key=lambda booking: (booking.start, booking.end),
    )
    current = [booking for booking in ordered if booking.start <= now < booking.end]
    upcoming = next((booking for booking in ordered if booking.start > now), None)
    if current:
        busy_until = max(booking.end for booking in current)
        for booking in ordered:
            if booking.start <= busy_until < booking.end:
                busy_until = booking.end
        return RoomStatus(
            state=RoomState.BUSY, until=busy_until, current=current[-1], next=upcoming
        )
    if upcoming is None:
        return RoomStatus(state=RoomState.FREE, until=None, current=None, next=None)
    if upcoming.start - now <= SOON:
        return RoomStatus(
            state=RoomState.STARTING_SOON, until=upcoming.start, current=None, next=upcoming
        )
    same_day = upcoming.start.astimezone(tz).date() == now.astimezone(tz).date()
    return RoomStatus(
        state=RoomState.FREE,
        until=upcoming.start if same_day else None,
        current=None,
        next=upcoming,
    )


def next_change(bookings: Sequence[Booking], now: datetime, tz: tzinfo) -> datetime:
    """Return the first instant after ``now`` at which the room's status may change."""
    local_now = now.astimezone(tz)
    next_midnight = datetime.combine(
        local_now.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz
    )
    candidates = [next_midnight]
    for booking in bookings:
        candidates.extend((booking.start - SOON, booking.start, booking.end))
    return min(moment for moment in candidates if moment > now)
