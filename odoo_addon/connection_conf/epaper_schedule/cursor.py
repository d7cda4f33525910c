"""The cursor of incremental ``epaper_schedule`` answers (DESIGN.md section 4).

Every change that can alter a display's answer (a booking or event created, edited,
moved to another room, archived or deleted; a display created, edited, archived or
deleted) appends one row ``(id, device)`` to a change log, in the same transaction
as the change. A cursor remembers the last log id its answer had seen, so the next
call reads only the log rows after it and answers only those displays.

Ids are handed out when a row is inserted, not when its transaction commits, so a
row may become visible after a row with a higher id: ids below the highest one seen
that were not visible yet ("gaps") travel in the cursor and are looked for again,
until they are older than :data:`GAP_TTL` (their transaction rolled back). A cursor
is also bound to the question it answered (window, devices, default zone, sources)
and expires with the log's retention: then the answer is a full one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .pages import Page, page_size_of, with_next_page

CURSOR_VERSION = 1
# Seconds a missing log id is looked for again (a transaction running longer is rare).
GAP_TTL = 600
# Seconds the change log keeps its rows; an older cursor gets a full answer.
RETENTION = 7 * 86400
# More missing ids than this (a burst of rolled-back transactions): the next answer is full.
MAX_GAPS = 1000


def query_key(start: str, end: str, devices: Any, default_tz: Any, sources: Any) -> str:
    """A short fingerprint of the question an answer was for (arguments as JSON values)."""
    text = json.dumps([start, end, devices, default_tz, sources], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Cursor:
    """Where an answer stood in the change log: ``last`` id seen, ``gaps`` not yet seen.

    ``gaps`` are ``(id, first_missed)`` pairs; ``issued`` and ``first_missed`` are
    seconds since the epoch (UTC); ``query`` is :func:`query_key` of the question.
    """

    query: str
    last: int
    issued: float
    gaps: tuple[tuple[int, float], ...] = field(default=())

    def encode(self) -> str:
        """The opaque text handed to the caller."""
        body = {
            "v": CURSOR_VERSION,
            "q": self.query,
            "l": self.last,
            # Down to the millisecond: a cursor is never issued after the moment it was.
            "t": math.floor(self.issued * 1000) / 1000,
            "g": [[gap, round(at, 3)] for gap, at in self.gaps],
        }
        raw = json.dumps(body, separators=(",", ":")).encode("ascii")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: Any) -> Cursor | None:
        """Read a cursor from :meth:`encode`; None for anything else (a full answer follows)."""
        if not isinstance(text, str) or not text or len(text) > 100_000:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            body = json.loads(raw)
            if body["v"] != CURSOR_VERSION:
                return None
            gaps = tuple((int(gap), float(at)) for gap, at in body["g"])
            return cls(str(body["q"]), int(body["l"]), float(body["t"]), gaps)
        except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
            return None

    def usable(self, query: str, now: float) -> bool:
        """Whether this cursor can answer ``query`` incrementally at ``now``."""
        return self.query == query and 0 <= now - self.issued < RETENTION

    def wanted_ids(self) -> list[int]:
        """The gap ids to look for again (besides every id above :attr:`last`)."""
        return [gap for gap, _ in self.gaps]

    def advance(self, rows: Iterable[tuple[int, str]], now: float) -> tuple[set[str], Cursor]:
        """Return the devices named by the log ``rows`` read for this cursor, and the next cursor.

        ``rows`` are ``(id, device)`` with an id above :attr:`last` or in :attr:`gaps`.
        """
        seen: set[int] = set()
        devices: set[str] = set()
        for row_id, device in rows:
            seen.add(row_id)
            devices.add(device)
        head = max([self.last, *seen])
        missed = dict(self.gaps)
        gaps = [(gap, at) for gap, at in missed.items() if gap not in seen and now - at < GAP_TTL]
        gaps += [(gap, now) for gap in range(self.last + 1, head) if gap not in seen]
        if len(gaps) > MAX_GAPS:
            return devices, Cursor("", head, now)  # matches no query: a full answer next
        return devices, Cursor(self.query, head, now, tuple(sorted(gaps)))


# How many of the newest log ids a full answer looks at to find ids not committed yet.
RECENT_IDS = 1000


def start_cursor(query: str, recent: Iterable[int], now: float) -> Cursor:
    """The cursor of a full answer, from the newest visible log ids (up to RECENT_IDS).

    Ids missing between them belong to transactions not committed yet (or rolled
    back): they become gaps, so a change committed after this answer is not lost.
    """
    ids = set(recent)
    if not ids:
        return Cursor(query, 0, now)
    head = max(ids)
    gaps = tuple((gap, now) for gap in range(min(ids), head) if gap not in ids)
    return Cursor(query, head, now, gaps[-MAX_GAPS:])


def incremental_answer(
    answer: dict[str, Any], changed: Sequence[str], cursor: Cursor
) -> dict[str, Any]:
    """Complete the answer for the ``changed`` devices: ``removed`` are those it lacks."""
    present = {display["device"] for display in answer["displays"]}
    return {
        **answer,
        "cursor": cursor.encode(),
        "removed": sorted(set(changed) - present),
        "full": False,
    }


def full_answer(answer: dict[str, Any], cursor: Cursor) -> dict[str, Any]:
    """Complete a full answer (every display asked for): nothing is removed relative to it."""
    return {**answer, "cursor": cursor.encode(), "removed": [], "full": True}


# answer_for(names, after, limit): the answer for those device names (None: every
# display asked for), only names above ``after`` (None: from the first), at most ``limit``
# displays (None: all), in name order.
AnswerFor = Callable[[list[str] | None, str | None, int | None], dict[str, Any]]


def answer_with_cursor(
    cursor: Any,
    query: str,
    now: float,
    *,
    recent_ids: Callable[[], Iterable[int]],
    read_log: Callable[[int, list[int]], Iterable[tuple[int, str]]],
    answer_for: AnswerFor,
    devices: Any = None,
    page_size: Any = None,
    page: Any = None,
) -> dict[str, Any]:
    """The whole incremental and paged flow, for the addon's model and the test server alike.

    ``cursor`` is what the caller sent (None or text); ``query`` the
    :func:`query_key` of its other arguments; ``now`` seconds since the epoch.
    ``recent_ids()`` are the newest visible change-log ids (up to
    :data:`RECENT_IDS`); ``read_log(after, ids)``
    yields the ``(id, device)`` rows with an id above ``after`` or in ``ids``;
    ``answer_for`` answers device names (see :data:`AnswerFor`). ``devices`` is the
    caller's filter (None: every display), passed to ``answer_for`` as given (it
    checks it). ``page_size`` (None: no paging) bounds the
    displays of one answer; ``page`` is an earlier answer's ``next_page`` (then
    ``cursor`` is ignored). An incremental answer with more changed displays than
    ``page_size`` becomes a paged full one. Every answer has ``next_page`` (None on the
    last page). Raises PageError for unusable ``page_size`` or ``page``.
    """
    limit = page_size_of(page_size)
    if page is not None:
        following = Page.decode(page, query)
        answer = answer_for(devices, following.after, limit)
        return with_next_page(
            {**answer, "cursor": following.cursor, "removed": [], "full": True},
            query,
            limit,
            following.cursor,
        )
    previous = Cursor.decode(cursor) if cursor is not None else None
    if previous is not None and previous.usable(query, now):
        changed, advanced = previous.advance(read_log(previous.last, previous.wanted_ids()), now)
        if devices is not None:
            changed &= set(devices)
        names = sorted(changed)
        if limit is None or len(names) <= limit:
            answer = answer_for(names, None, None) if names else {"api": 1, "displays": []}
            return {**incremental_answer(answer, names, advanced), "next_page": None}
    started = start_cursor(query, recent_ids(), now)
    answer = full_answer(answer_for(devices, None, limit), started)
    return with_next_page(answer, query, limit, answer["cursor"])
