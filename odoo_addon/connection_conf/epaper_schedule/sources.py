"""Schedule sources: the seam through which a model's records become bookings at displays.

A source names its id (what the hub asks for: the addon owns it, the hub knows no
model), its model, the domain and the ``web_search_read`` specification that read
every display's bookings in one query, and places the records it gets back. Each
source lives in the module that brings its model, as one plain file next to its
models (``connection_conf_calendar/schedule_source.py``: ``calendar.event``;
``connection_conf_room/schedule_source.py``: ``room.booking``) and is registered by
that module's ``_epaper_schedule_sources``; a third one (rooms as resources, OCA
``resource_booking``) is one more such file in its own module.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from .bookings import Booking, Display, RoomIndex
from .times import Window

_logger = logging.getLogger(__name__)
BAD_TIMES = (KeyError, TypeError, ValueError, OverflowError)
Placed = tuple[Booking, list[Display]]


class ScheduleSource(Protocol):
    """The interface of a schedule source.

    ``key`` is its id on the wire (``[a-z0-9_]+``, stable: hubs store it in their
    options), ``label`` its English name for people, ``rank`` its place in ``auto``'s
    preference (lowest first), ``model`` the Odoo model it reads.
    """

    key: str
    label: str
    rank: int
    model: str
    specification: dict[str, Any]

    def domain(self, index: RoomIndex, window: Window) -> list[Any] | None:
        """Return the domain of the displays' bookings in the window (None: nothing to read)."""

    def place(self, records: Iterable[dict[str, Any]], index: RoomIndex) -> Iterator[Placed]:
        """Yield each readable record as a booking with the displays it belongs to."""


def many2one_name(value: Any) -> str | None:
    """Return ``display_name`` of a nested many2one, or None for Odoo's False."""
    if isinstance(value, dict) and value.get("display_name"):
        return str(value["display_name"])
    return None


def title_text(value: Any) -> str:
    """A record's title as text (Odoo's False and None give "")."""
    if value is None or value is False:
        return ""
    return str(value)


def skip_record(model: str, record: dict[str, Any], err: Exception) -> None:
    """Log a record left out of the answer because its times cannot be read."""
    _logger.warning("Skipped %s %s: unreadable times (%s)", model, record.get("id"), err)


AUTO = "auto"


def source_list(installed: Iterable[ScheduleSource]) -> list[dict[str, str]]:
    """The installed sources as the addon lists them: ``[{"id", "name", "model"}]`` in
    ``auto``'s preference order (``model`` for people and older hubs, not for choosing)."""
    ordered = sorted(installed, key=lambda source: (source.rank, source.key))
    return [{"id": s.key, "name": s.label, "model": s.model} for s in ordered]


def choose_sources(installed: Iterable[ScheduleSource], names: Any) -> list[ScheduleSource]:
    """The sources a caller asks for: ``names`` None gives every installed source,
    ``["auto"]`` the preferred one (lowest rank), else each name is a source id (or,
    as older hubs sent, its model). Raises ValueError for anything else, a source not
    installed included."""
    ordered = sorted(installed, key=lambda source: (source.rank, source.key))
    if names is None:
        return ordered
    known: dict[str, ScheduleSource] = {}
    for source in ordered:
        known.setdefault(source.key, source)
        known.setdefault(source.model, source)
    if isinstance(names, list) and names == [AUTO]:
        return ordered[:1]
    if not isinstance(names, list) or not all(isinstance(n, str) and n in known for n in names):
        ids = ", ".join(source.key for source in ordered) or "-"
        raise ValueError(f"sources must be a list of installed schedule sources ({ids}) or auto.")
    chosen: list[ScheduleSource] = []
    for name in names:
        if known[name] not in chosen:
            chosen.append(known[name])
    return chosen
