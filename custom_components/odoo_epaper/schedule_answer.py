"""Read the Odoo addon's schedule answer (``epaper_schedule``, API 1) into a Schedule.

The addon applies Odoo's rules (privacy, all-day days, show_as, room matching, the
timezone chain); the hub only checks the answer's shape against the wire contract,
keeps what a door can show and drops the rest with a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .schedule import Booking, Display, Schedule, from_odoo
from .wire import is_valid_device_name, is_valid_topic_prefix
from .wire_values import clean_text

_LOGGER = logging.getLogger(__name__)
SCHEDULE_API = 1
BAD_TIMES = (KeyError, TypeError, ValueError, OverflowError)
Warn = Callable[[str, str], None]


class UnsupportedAnswerError(ValueError):
    """The answer is not API 1 of ``epaper_schedule`` (an addon too old or too new)."""


def valid_timezone(name: Any) -> str | None:
    """Return ``name`` when it is a known IANA timezone, else None."""
    if not isinstance(name, str) or not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        return None
    return name


def _text(value: Any) -> str | None:
    """Clean text, or None for Odoo's False, None and empty text."""
    if not isinstance(value, str) or not value:
        return None
    return clean_text(value)


def _event(item: Any) -> Booking:
    """One event of the answer; raises ValueError / KeyError / TypeError when malformed."""
    if not isinstance(item, dict):
        raise TypeError(f"not an object: {item!r:.60}")
    return Booking(
        title=_text(item.get("title")) or "",
        start=from_odoo(item["start"]),
        end=from_odoo(item["end"]),
        organizer=_text(item.get("organizer")),
        private=item.get("private") is True,
        all_day=item.get("all_day") is True,
        ref=_text(item.get("ref")),
        check_in_until=from_odoo(item["check_in_until"]) if item.get("check_in_until") else None,
    )


def _display(item: dict[str, Any], warn: Warn) -> tuple[Display, tuple[Booking, ...]] | None:
    """One display of the answer and its events, or None when it breaks the contract."""
    device = item.get("device")
    if not isinstance(device, str) or not is_valid_device_name(device):
        warn(
            f"name:{device}",
            f"Skipping display {device!r}: not a valid device name ([a-z0-9][a-z0-9_-]{{0,63}})",
        )
        return None
    tz = valid_timezone(item.get("tz"))
    if tz is None:
        warn(f"tz:{device}", f"Display {device} has no valid timezone ({item.get('tz')!r})")
    prefix = item.get("topic_prefix")
    if prefix is not None and not (isinstance(prefix, str) and is_valid_topic_prefix(prefix)):
        warn(f"prefix:{device}", f"Display {device}: ignoring the topic prefix {prefix!r}")
        prefix = None
    bookings = []
    events = item.get("events") or []
    if not isinstance(events, list):
        warn(f"events:{device}", f"Display {device}: events is not a list ({events!r:.40})")
        events = []
    for event in events:
        try:
            bookings.append(_event(event))
        except BAD_TIMES as err:
            warn(f"event:{device}:{event!r:.80}", f"Display {device}: skipped an event ({err})")
    display = Display(
        device=device,
        room=_text(item.get("room")) or device,
        tz=tz,
        locale=_text(item.get("locale")),
        topic_prefix=prefix,
        qr=_text(item.get("qr")),
        panel_model=_text(item.get("panel_model")),
        publisher="odoo" if item.get("publisher") == "odoo" else "home_assistant",
    )
    return display, tuple(bookings)


def parse_schedule_answer(answer: Any, warn: Warn) -> Schedule:
    """Return the Schedule of an ``epaper_schedule`` answer (DESIGN.md section 4).

    ``warn(key, message)`` reports a display or event left out (once per key is the
    caller's business). Raises UnsupportedAnswerError when the answer is not API 1.
    Duplicate device names: the first one wins.
    """
    if not isinstance(answer, dict) or answer.get("api") != SCHEDULE_API:
        api = answer.get("api") if isinstance(answer, dict) else type(answer).__name__
        raise UnsupportedAnswerError(f"epaper_schedule answered API {api!r}, not {SCHEDULE_API}")
    displays: list[Display] = []
    bookings: dict[str, tuple[Booking, ...]] = {}
    items = answer.get("displays") or []
    if not isinstance(items, list):
        raise UnsupportedAnswerError(f"epaper_schedule answered displays {items!r:.40}")
    for item in items:
        parsed = _display(item, warn) if isinstance(item, dict) else None
        if parsed is None or parsed[0].device in bookings:
            continue
        displays.append(parsed[0])
        bookings[parsed[0].device] = parsed[1]
    return Schedule(displays=tuple(displays), bookings=bookings)


@dataclass(frozen=True, kw_only=True)
class ScheduleUpdate:
    """An ``epaper_schedule`` answer: its displays, and what incremental sync adds.

    ``cursor`` is None when the addon does not answer incrementally; ``full`` says
    the answer holds every display asked for; ``removed`` lists device names deleted
    or archived since the cursor sent (DESIGN.md section 4). ``collisions`` maps each
    display sharing a room name with others of its company to their device names, or
    is None when the answer does not say (an older addon, an unchanged schedule).
    """

    schedule: Schedule
    cursor: str | None = None
    removed: tuple[str, ...] = ()
    full: bool = True
    collisions: dict[str, tuple[str, ...]] | None = None


def parse_collisions(value: Any) -> dict[str, tuple[str, ...]] | None:
    """Return the answer's ``collisions`` ({device: (device, ...)}, sorted), or None when
    it is absent or not an object; entries that are not device names are left out."""
    if not isinstance(value, dict):
        return None
    collisions: dict[str, tuple[str, ...]] = {}
    for device, others in value.items():
        if not is_valid_device_name(device) or not isinstance(others, list):
            continue
        names = sorted({o for o in others if isinstance(o, str) and is_valid_device_name(o)})
        if names:
            collisions[device] = tuple(names)
    return collisions


def parse_schedule_update(answer: Any, warn: Warn) -> ScheduleUpdate:
    """Return the ScheduleUpdate of an answer; raises UnsupportedAnswerError like
    :func:`parse_schedule_answer`. An answer without ``cursor`` is a full one."""
    schedule = parse_schedule_answer(answer, warn)
    collisions = parse_collisions(answer.get("collisions"))
    cursor = answer.get("cursor")
    if not isinstance(cursor, str) or not cursor:
        return ScheduleUpdate(schedule=schedule, collisions=collisions)
    removed = answer.get("removed")
    names = (
        tuple(name for name in removed if isinstance(name, str))
        if isinstance(removed, list)
        else ()
    )
    return ScheduleUpdate(
        schedule=schedule,
        cursor=cursor,
        removed=names,
        full=answer.get("full") is not False,
        collisions=collisions,
    )
