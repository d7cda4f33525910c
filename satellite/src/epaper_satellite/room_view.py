"""What the room screen shows at a moment, decided from the room data before drawing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .i18n import SignLocale, resolve_locale, zone_name
from .keys import KeyBinding
from .schedule import Event, RoomState, room_state, todays_agenda
from .wire import RoomData


@dataclass(frozen=True, kw_only=True)
class RoomView:
    """Everything the room screen shows, decided before drawing."""

    room: str
    now: dt.datetime
    tz: dt.tzinfo
    state: RoomState
    agenda: tuple[Event, ...]
    locale: SignLocale
    message: str | None = None
    qr: str | None = None
    updated: dt.datetime | None = None
    online: bool = True
    stale_since: dt.datetime | None = None
    clock_behind: dt.timedelta | None = None
    keys: tuple[KeyBinding, ...] = ()


def room_view(
    data: RoomData,
    now: dt.datetime,
    tz: dt.tzinfo,
    *,
    online: bool = True,
    received: dt.datetime | None = None,
    locale: str | None = None,
    clock_behind: dt.timedelta | None = None,
    keys: tuple[KeyBinding, ...] = (),
) -> RoomView:
    """Decide what the room screen shows at ``now`` (``locale``: the configured default).

    ``clock_behind``: how far the local clock is behind the hub's (clock_trust); the
    screen then says so instead of Free or Busy. ``keys``: the door's keys, left to right
    (a legend names their actions at the bottom of the screen).
    """
    message = data.message
    text = message.text.strip() if message and (not message.until or now < message.until) else None
    stale = data.valid_until is not None and now >= data.valid_until
    updated = data.generated_at or received
    return RoomView(
        room=data.room.strip() or data.device,
        now=now,
        tz=tz,
        state=room_state(data.events, now, tz),
        agenda=tuple(todays_agenda(data.events, now, tz)),
        locale=resolve_locale(data.locale, locale, zone_name(tz)),
        message=text or None,
        qr=data.qr,
        updated=updated,
        online=online,
        stale_since=(updated or data.valid_until) if stale else None,
        clock_behind=clock_behind,
        keys=keys,
    )
