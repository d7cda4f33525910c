"""The answer of ``room.rasp.connection.epaper_schedule`` (DESIGN.md section 4), built
from plain records so that the addon and the JSON-RPC test server run the same code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .bookings import Booking, Display, RoomIndex
from .rooms import collisions
from .sources import Placed, ScheduleSource
from .times import Window, format_utc

API_VERSION = 1
# read(model, domain, specification) -> records, as ``web_search_read`` gives them.
Reader = Callable[[str, list[Any], dict[str, Any]], Iterable[dict[str, Any]]]


def event_entry(
    booking: Booking,
    zone: str,
    checkin_minutes: int = 0,
    text: Callable[[dt.datetime], str] = format_utc,
) -> dict[str, Any] | None:
    """Return the answer's event for a booking at a door in ``zone`` (None when empty).

    Keys beyond DESIGN.md 4: ``ref`` (``"model,id"``, what ``epaper_cancel`` takes) and,
    when the display asks for check-in (``checkin_minutes`` > 0) and nobody checked in
    yet, ``check_in_until``: when the booking is released unless someone checks in.
    ``text`` formats a time (:func:`format_utc`, or a memo of it).
    """
    start, end = booking.span(zone)
    return _entry(booking, start, end, checkin_minutes, text)


def _entry(
    booking: Booking,
    start: dt.datetime,
    end: dt.datetime,
    checkin_minutes: int,
    text: Callable[[dt.datetime], str],
) -> dict[str, Any] | None:
    if end <= start:
        return None
    entry: dict[str, Any] = {
        "title": booking.title,
        "start": text(start),
        "end": text(end),
        "organizer": booking.organizer,
        "private": booking.private,
        "all_day": booking.all_day,
        "ref": booking.ref,
    }
    if checkin_minutes > 0 and not booking.checked_in and not booking.all_day:
        deadline = start + dt.timedelta(minutes=checkin_minutes)
        if deadline < end:
            entry["check_in_until"] = text(deadline)
    return entry


def _memo(format_time: Callable[[dt.datetime], str]) -> Callable[[dt.datetime], str]:
    """``format_time`` remembering its answers: a fleet's bookings share few distinct times."""
    texts: dict[dt.datetime, str] = {}

    def text(moment: dt.datetime) -> str:
        found = texts.get(moment)
        if found is None:
            found = texts[moment] = format_time(moment)
        return found

    return text


def _order(entry: dict[str, Any]) -> tuple[str, str, str]:
    return entry["start"], entry["end"], entry["title"]


def build_answer(
    displays: Sequence[Display], placed: Iterable[Placed], window: Window
) -> dict[str, Any]:
    """Return ``{"api": 1, "displays": [...]}``: every display with its events in the
    window, sorted by start (then end, then title). Each booking's span is computed once
    per display and each distinct time formatted once per answer."""
    events: dict[str, list[dict[str, Any]]] = {display.device: [] for display in displays}
    text = _memo(format_utc)
    for booking, at in placed:
        for display in at:
            start, end = booking.span(display.tz)
            if not window.overlaps(start, end):
                continue
            entry = _entry(booking, start, end, display.checkin_minutes, text)
            if entry is not None:
                events[display.device].append(entry)
    return {
        "api": API_VERSION,
        "displays": [
            display.as_answer(sorted(events[display.device], key=_order)) for display in displays
        ],
    }


def answer_schedule(
    displays: Sequence[Display],
    window: Window,
    sources: Iterable[ScheduleSource],
    read: Reader,
    everyone: Sequence[Display] | None = None,
) -> dict[str, Any]:
    """Read each source once (one query per source, whatever the number of displays)
    through ``read`` and return the answer.

    The answer's ``collisions`` maps each active display that shares a room key with
    others of its company to their device names (:func:`rooms.collisions`), over
    ``everyone`` (every active display the caller may see; default ``displays``).
    """
    index = RoomIndex(list(displays))
    placed: list[Placed] = []
    for source in sources:
        domain = source.domain(index, window)
        if domain is not None:
            placed.extend(source.place(read(source.model, domain, source.specification), index))
    answer = build_answer(displays, placed, window)
    answer["collisions"] = collisions(
        (display.device, display.company_id, display.labels)
        for display in (displays if everyone is None else everyone)
    )
    return answer
