"""Read an ``epaper_schedule`` answer page by page (DESIGN.md section 4, docs/protocol.md).

The hub asks for pages of :data:`PAGE_SIZE` displays; each page is one RPC with its
own total deadline, parsed as it arrives (the hub never holds the JSON of the
whole fleet), and the pages are merged into one :class:`ScheduleUpdate`. No Home
Assistant imports here (see odoo_client.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .schedule import Booking, Display, Schedule
from .schedule_answer import ScheduleUpdate, UnsupportedAnswerError, Warn, parse_schedule_update

# Displays per page: at 7 days x 8 bookings a page is ~0.5 MB and well under a second of
# Odoo's time, whatever the fleet.
PAGE_SIZE = 100
# call_page(page): one epaper_schedule RPC with page_size=PAGE_SIZE and ``page`` (None first).
PageCall = Callable[[str | None], Any]


def read_pages(call_page: PageCall, warn: Warn) -> ScheduleUpdate:
    """Call ``call_page`` for the first page, then with each ``next_page`` until there is
    none, and return the merged update: the cursor, ``full`` and ``removed`` of the
    first page, the displays and bookings of all (a device on two pages: the first).

    Raises UnsupportedAnswerError when a page is not API 1 or a server hands out the
    same ``next_page`` twice (it would never end); the errors of ``call_page`` pass.
    """
    first = parse_schedule_update(answer := call_page(None), warn)
    displays: list[Display] = list(first.schedule.displays)
    bookings: dict[str, tuple[Booking, ...]] = dict(first.schedule.bookings)
    seen: set[str] = set()
    token = _next_page(answer)
    while token is not None:
        if token in seen:
            raise UnsupportedAnswerError("epaper_schedule handed out the same next_page twice")
        seen.add(token)
        answer = call_page(token)
        page = parse_schedule_update(answer, warn).schedule
        for display in page.displays:
            if display.device not in bookings:
                displays.append(display)
                bookings[display.device] = page.bookings[display.device]
        token = _next_page(answer)
    if not seen:
        return first
    return ScheduleUpdate(
        schedule=Schedule(displays=tuple(displays), bookings=bookings),
        cursor=first.cursor,
        removed=first.removed,
        full=first.full,
    )


def _next_page(answer: Any) -> str | None:
    """The answer's ``next_page`` token, or None (the last page, or an addon without pages)."""
    token = answer.get("next_page") if isinstance(answer, dict) else None
    return token if isinstance(token, str) and token else None
