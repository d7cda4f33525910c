"""Paged ``epaper_schedule`` answers: a full snapshot in pages of a bounded number of displays.

A caller that sends ``page_size`` gets at most that many displays per answer (by device
name) and, while more may follow, ``next_page``: an opaque token to send back as
``page`` with the same other arguments. Every page of one snapshot carries the
incremental cursor taken at its first page, so a change committed while the pages
are read is answered by the next incremental call. A page costs Odoo what its
displays cost, whatever the size of the fleet: nothing computes the whole fleet for
an answer the caller may abandon.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

PAGE_VERSION = 1
# The most displays one page may hold (a door's bookings are bounded by the window).
MAX_PAGE_SIZE = 1000


class PageError(ValueError):
    """Unusable paging arguments (the caller's mistake: a UserError in Odoo)."""


def page_size_of(value: Any) -> int | None:
    """Check ``page_size``: None (no paging) or an int in 1..MAX_PAGE_SIZE; raises PageError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise PageError(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE} or null.")
    return value


@dataclass(frozen=True)
class Page:
    """Where the next page of a snapshot starts.

    ``query`` is the ``query_key`` of the question, ``cursor`` the incremental cursor
    text of the snapshot (taken at its first page), ``after`` the last device name
    answered so far (pages go by device name, which is unique).
    """

    query: str
    cursor: str
    after: str

    def encode(self) -> str:
        """The opaque text handed to the caller as ``next_page``."""
        body = {"v": PAGE_VERSION, "q": self.query, "c": self.cursor, "a": self.after}
        raw = json.dumps(body, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: Any, query: str) -> Page:
        """Read a token of :meth:`encode` for ``query``; raises PageError for anything else
        (a token of another question, or not a token)."""
        if not isinstance(text, str) or not text or len(text) > 100_000:
            raise PageError("page must be the next_page text of an earlier answer.")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            body = json.loads(raw)
            page = cls(str(body["q"]), str(body["c"]), str(body["a"]))
            if body["v"] != PAGE_VERSION:
                raise PageError("page comes from another version of the addon.")
        except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as err:
            if isinstance(err, PageError):
                raise
            raise PageError("page must be the next_page text of an earlier answer.") from err
        if page.query != query:
            raise PageError("page belongs to a call with other arguments (start, end, devices...).")
        return page


def with_next_page(
    answer: dict[str, Any], query: str, limit: int | None, cursor_text: str
) -> dict[str, Any]:
    """Add ``next_page`` to a page of ``limit`` displays: a token while the page is
    full (more may follow), else None."""
    displays = answer["displays"]
    more = limit is not None and len(displays) >= limit and bool(displays)
    token = Page(query, cursor_text, displays[-1]["device"]).encode() if more else None
    return {**answer, "next_page": token}


def page_of(displays: list[Any], after: str | None, limit: int | None) -> list[Any]:
    """One page of ``displays`` (objects with a ``device`` name): by device name (code
    point order, the same in Odoo and the test server whatever the database collation),
    the names above ``after`` (None: from the first), at most ``limit`` (None: all).
    Without ``after`` and ``limit`` the list comes back as given."""
    if after is None and limit is None:
        return list(displays)
    ordered = sorted(
        (d for d in displays if after is None or d.device > after), key=lambda d: d.device
    )
    return ordered if limit is None else ordered[:limit]
