"""What a booking request or a door action does to a room's bookings.

Pure functions of the room's bookings and the time: no records, no I/O. Times are
timezone-aware UTC ``datetime``s; a booking holds the room over ``[start, end)``.
The room-state words follow DESIGN 3a: **current** is the booking covering now with
the latest start (ties: the one that ends last); **next** is the first one starting
after now. A refusal raises :class:`BookingRefused` whose ``code`` is part of the
wire contract (the ``error`` of an ``/ack``, the hub's translation keys).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ACTIONS = ("book_now", "extend", "end_now", "check_in")
EXTEND_MINUTES = 15
MIN_BOOKING = dt.timedelta(minutes=5)
MAX_MINUTES = 24 * 60
CHECK_IN_EARLY = dt.timedelta(minutes=15)

# Refusal codes (``BookingRefused.code``).
BAD_ACTION = "bad_action"
BAD_MINUTES = "bad_minutes"
BAD_WINDOW = "bad_window"
OVERLAP = "overlap"
ROOM_BUSY = "room_busy"
ROOM_FREE = "room_free"
TOO_SHORT = "too_short"
NOT_FREE_AFTER = "not_free_after"
TOO_LONG = "too_long"
NOTHING_TO_CHECK_IN = "nothing_to_check_in"
UNKNOWN_BOOKING = "unknown_booking"
FORBIDDEN = "forbidden"
UNKNOWN_DEVICE = "unknown_device"
NO_SOURCE = "no_source"
REFUSED = "refused"

MESSAGES = {
    BAD_ACTION: "Unknown door action.",
    BAD_MINUTES: "The duration must be between 1 minute and 24 hours.",
    BAD_WINDOW: "A booking must end after it starts.",
    OVERLAP: "The room is already booked at that time.",
    ROOM_BUSY: "The room is in use right now.",
    ROOM_FREE: "No meeting is running in this room.",
    TOO_SHORT: "The room is booked again in less than 5 minutes.",
    NOT_FREE_AFTER: "The room is booked right after this meeting.",
    TOO_LONG: "The booking would be longer than a door may make it.",
    NOTHING_TO_CHECK_IN: "No meeting to check in to.",
    UNKNOWN_BOOKING: "This booking does not exist or is not in this room.",
    FORBIDDEN: "The hub's Odoo user may not book this room.",
    UNKNOWN_DEVICE: "No active display has this name.",
    NO_SOURCE: "This display has no room to book (no room, no room name).",
    REFUSED: "Odoo refused the booking.",
}


class BookingRefused(ValueError):
    """A request the room's bookings (or Odoo's rules) refuse; ``code`` says why."""

    def __init__(self, code: str, message: str | None = None) -> None:
        """``code`` is one of the refusal codes above; ``message`` defaults to its text."""
        super().__init__(message or MESSAGES.get(code, code))
        self.code = code


@dataclass(frozen=True)
class Booking:
    """One booking of a room: ``ref`` is ``"model,id"``; times aware UTC."""

    ref: str
    start: dt.datetime
    end: dt.datetime
    checked_in: bool = False


@dataclass(frozen=True)
class Plan:
    """What to write: ``create`` a booking over [start, end), ``set_end`` of ``ref``
    to ``end``, or ``check_in`` ``ref``."""

    kind: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    ref: str | None = None


def _whole_seconds(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def current(bookings: Iterable[Booking], now: dt.datetime) -> Booking | None:
    """Return the booking covering ``now`` with the latest start (ties: ends last)."""
    covering = [b for b in bookings if b.start <= now < b.end]
    return max(covering, key=lambda b: (b.start, b.end), default=None)


def upcoming(bookings: Iterable[Booking], now: dt.datetime) -> Booking | None:
    """Return the first booking that starts after ``now``."""
    return min((b for b in bookings if b.start > now), key=lambda b: b.start, default=None)


def _overlapping(
    bookings: Iterable[Booking], start: dt.datetime, end: dt.datetime, skip: str | None = None
) -> list[Booking]:
    return [b for b in bookings if b.ref != skip and b.start < end and start < b.end]


def plan_booking(start: dt.datetime, end: dt.datetime, bookings: Sequence[Booking]) -> Plan:
    """Plan a new booking over ``[start, end)``; refuse ``bad_window`` or ``overlap``."""
    start, end = _whole_seconds(start), _whole_seconds(end)
    if end <= start:
        raise BookingRefused(BAD_WINDOW)
    if _overlapping(bookings, start, end):
        raise BookingRefused(OVERLAP)
    return Plan("create", start=start, end=end)


def _minutes(minutes: int | None, default: int | None) -> dt.timedelta:
    value = default if minutes is None else minutes
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
        raise BookingRefused(BAD_MINUTES)
    return dt.timedelta(minutes=value)


def plan_door_action(
    action: str,
    now: dt.datetime,
    bookings: Sequence[Booking],
    minutes: int | None = None,
    max_minutes: int | None = None,
) -> Plan:
    """Plan a door action (DESIGN 3a ``/action``) at ``now`` against the room's bookings.

    ``max_minutes`` is the longest booking a door may make or extend to, in total (the
    hub's option; None: 24 h): pressing ``extend`` again and again never
    holds the room longer than that from the booking's start.

    - ``book_now`` (``minutes`` required): only while no booking covers now; from now
      (whole minute) for ``minutes``, cut at the next booking; ``too_short`` when that
      leaves less than 5 minutes, ``too_long`` when ``minutes`` > ``max_minutes``.
    - ``extend`` (``minutes``, default 15): the current booking's end moves later, only
      if no other booking starts before the new end (``not_free_after``), and no later
      than ``max_minutes`` after its start (cut there; ``too_long`` when it already
      lasts that long).
    - ``end_now``: the current booking ends now.
    - ``check_in``: the current booking not yet checked in, else one starting within
      15 minutes.
    Raises :class:`BookingRefused`.
    """
    now = _whole_seconds(now)
    running = current(bookings, now)
    longest = _minutes(max_minutes, MAX_MINUTES)
    if action == "book_now":
        return _book_now(now, running, bookings, _minutes(minutes, None), longest)
    if action == "extend":
        return _extend(running, bookings, _minutes(minutes, EXTEND_MINUTES), longest)
    if action == "end_now":
        if running is None:
            raise BookingRefused(ROOM_FREE)
        return Plan("set_end", end=max(now, running.start), ref=running.ref)
    if action == "check_in":
        if running is not None and not running.checked_in:
            return Plan("check_in", ref=running.ref)
        soon = [b for b in bookings if now < b.start <= now + CHECK_IN_EARLY and not b.checked_in]
        if not soon:
            raise BookingRefused(NOTHING_TO_CHECK_IN)
        return Plan("check_in", ref=min(soon, key=lambda b: b.start).ref)
    raise BookingRefused(BAD_ACTION)


def _book_now(
    now: dt.datetime,
    running: Booking | None,
    bookings: Sequence[Booking],
    length: dt.timedelta,
    longest: dt.timedelta,
) -> Plan:
    if length > longest:
        raise BookingRefused(TOO_LONG)
    if running is not None:
        raise BookingRefused(ROOM_BUSY)
    start = now.replace(second=0)
    end = start + length
    following = upcoming(bookings, now)
    if following is not None and following.start < end:
        end = following.start
    if end - now < MIN_BOOKING:
        raise BookingRefused(TOO_SHORT)
    return Plan("create", start=start, end=end)


def _extend(
    running: Booking | None,
    bookings: Sequence[Booking],
    length: dt.timedelta,
    longest: dt.timedelta,
) -> Plan:
    if running is None:
        raise BookingRefused(ROOM_FREE)
    end = min(running.end + length, running.start + longest)
    if end <= running.end:
        raise BookingRefused(TOO_LONG)
    if _overlapping(bookings, running.end, end, skip=running.ref):
        raise BookingRefused(NOT_FREE_AFTER)
    return Plan("set_end", end=end, ref=running.ref)


def check_in_until(booking: Booking, grace_minutes: int) -> dt.datetime | None:
    """Return when ``booking`` is released unless checked in (None: no check-in asked)."""
    if grace_minutes <= 0 or booking.checked_in:
        return None
    return booking.start + dt.timedelta(minutes=grace_minutes)


def no_shows(bookings: Iterable[Booking], now: dt.datetime, grace_minutes: int) -> list[Booking]:
    """Return the bookings to release at ``now``: running, not checked in, and their
    check-in deadline (``start + grace_minutes``) passed. None when ``grace_minutes`` <= 0."""
    due = []
    for booking in bookings:
        deadline = check_in_until(booking, grace_minutes)
        if deadline is not None and deadline <= now < booking.end:
            due.append(booking)
    return sorted(due, key=lambda b: b.start)
