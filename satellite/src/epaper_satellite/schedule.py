"""Room state as a pure function of events, the clock and the timezone."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SOON = dt.timedelta(minutes=15)
# Free at least this long: the sign tells walk-ins they may use the room (its own rule,
# not the contract's state: a room free for 20 minutes is "free" and gets no hint).
WALK_IN = dt.timedelta(minutes=30)
State = Literal["free", "busy", "starting_soon"]


@dataclass(frozen=True, kw_only=True)
class Event:
    """One booking of the room (times in UTC)."""

    title: str
    start: dt.datetime
    end: dt.datetime
    organizer: str | None = None
    private: bool = False
    all_day: bool = False
    check_in_until: dt.datetime | None = None  # released then unless checked in at the door

    @property
    def shows_title(self) -> bool:
        """Whether the sign may show the title: not private, and not blank."""
        return not self.private and bool(self.title.strip())

    @property
    def shown_title(self) -> str:
        """The title to show, in English: private and untitled events say "Booked" (the
        sign draws that word from its catalog)."""
        return self.title.strip() if self.shows_title else "Booked"


@dataclass(frozen=True, kw_only=True)
class RoomState:
    """What the sign says now: the state, until when, and the meetings that matter."""

    state: State
    until: dt.datetime | None
    current: Event | None = None
    next: Event | None = None


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo | None:
    """Return the IANA zone called ``name``, or None when unknown."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def system_zone() -> dt.tzinfo:
    """Return the machine's timezone (``TZ``, then /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = Path("/etc/localtime").resolve()
        if "zoneinfo" in link.parts:
            candidates.append("/".join(link.parts[link.parts.index("zoneinfo") + 1 :]))
    except OSError:
        pass
    for name in candidates:
        found = zone(name) if name else None
        if found is not None:
            return found
    return dt.UTC


def _busy_until(ordered: list[Event], now: dt.datetime) -> dt.datetime | None:
    """Return the end of the run of back-to-back or overlapping events covering now.

    ``ordered`` is sorted by start: one pass extends the run by every event that starts
    at or before its current end.
    """
    covering = [event for event in ordered if event.start <= now < event.end]
    if not covering:
        return None
    until = max(event.end for event in covering)
    for event in ordered:
        if event.start <= until < event.end:
            until = event.end
    return until


def end_of_local_day(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Return the next local midnight after ``now`` as a UTC instant."""
    local = now.astimezone(tz)
    tomorrow = local.date() + dt.timedelta(days=1)
    midnight = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=tz)
    return midnight.astimezone(dt.UTC)


def room_state(
    events: tuple[Event, ...] | list[Event], now: dt.datetime, tz: dt.tzinfo
) -> RoomState:
    """Compute the room's state at ``now`` by the contract's rule (docs/protocol.md).

    current: the event covering now (start <= now < end) with the latest start, ties:
    the one that ends last; next: the first event with start > now (ties: ends first);
    busy until the end of the run of overlapping or back-to-back events covering now;
    starting soon: not busy and next starts within SOON; free until next's start when
    that falls on today's local date in ``tz``, else until None. Events that do not
    end after they start are no bookings.
    """
    ordered = sorted(
        (event for event in events if event.end > event.start),
        key=lambda event: (event.start, event.end),
    )
    covering = [event for event in ordered if event.start <= now < event.end]
    upcoming = next((event for event in ordered if event.start > now), None)
    if covering:
        until = _busy_until(ordered, now)
        return RoomState(state="busy", until=until, current=covering[-1], next=upcoming)
    if upcoming is None:
        return RoomState(state="free", until=None)
    if upcoming.start - now <= SOON:
        return RoomState(state="starting_soon", until=upcoming.start, next=upcoming)
    same_day = upcoming.start.astimezone(tz).date() == now.astimezone(tz).date()
    return RoomState(state="free", until=upcoming.start if same_day else None, next=upcoming)


def todays_agenda(
    events: tuple[Event, ...] | list[Event], now: dt.datetime, tz: dt.tzinfo
) -> list[Event]:
    """Return the events not yet over that start before the end of the local day."""
    midnight = end_of_local_day(now, tz)
    return [event for event in events if event.end > now and event.start < midnight]


def next_boundary(
    events: tuple[Event, ...] | list[Event],
    now: dt.datetime,
    tz: dt.tzinfo,
    extra: tuple[dt.datetime | None, ...] = (),
) -> dt.datetime:
    """Return the next instant at which what the sign shows may change."""
    moments = [end_of_local_day(now, tz)]
    for event in events:
        moments += [event.start - WALK_IN, event.start - SOON, event.start, event.end]
    moments += [moment for moment in extra if moment is not None]
    return min(moment for moment in moments if moment > now)
