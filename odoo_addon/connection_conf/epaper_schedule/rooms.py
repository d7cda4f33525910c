"""Which door a booking belongs to: the one room-matching rule of the addon.

A ``calendar.event`` belongs to a display when its ``location``, normalized, equals the
display's room label or one of its location aliases, normalized the same way
(:func:`normalize_location`): Unicode compatibility normalization with case folding
(NFKC, case fold, NFKC: the same key for "Süd" typed on a Mac (decomposed), in capitals,
full width or with a ligature), invisible format characters removed (zero-width spaces,
soft hyphens, direction marks), and whitespace-insensitive (runs of any Unicode space,
tabs and line breaks count as one space; leading and trailing ones are ignored).
The change notices of ``connection_conf_calendar`` and the schedule use this module.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any


def normalize_location(text: Any) -> str:
    """Return the matching key of a location or room name ("" for Odoo's False / None).

    ``"  Boardroom,\\t2nd  FLOOR "`` -> ``"boardroom, 2nd floor"``;
    ``"Su\\u0308d"`` (decomposed) and ``"SÜD"`` -> ``"süd"``; ``"Straße"`` -> ``"strasse"``.
    """
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    return " ".join(visible.split())


def split_aliases(text: Any) -> list[str]:
    """Return the normalized aliases of a display (one per line; blank lines ignored)."""
    if not isinstance(text, str):
        return []
    keys = (normalize_location(line) for line in text.splitlines())
    return [key for key in keys if key]


def room_labels(room: Any, aliases: Any) -> frozenset[str]:
    """Return every key a display answers to: its room label and its aliases."""
    keys = {normalize_location(room), *split_aliases(aliases)}
    keys.discard("")
    return frozenset(keys)


def collisions(displays: Iterable[tuple[str, Any, frozenset[str]]]) -> dict[str, list[str]]:
    """Return, for each display that shares a room key, the devices it shares it with.

    ``displays`` holds ``(device, company, labels)`` of the active displays (``labels``
    from :func:`room_labels`; ``company`` any comparable id, None for none). Displays of
    different companies never collide (each company's bookings go to its own doors).
    A display absent from the result collides with none. Lists are sorted.
    """
    holders: dict[tuple[Any, str], set[str]] = {}
    for device, company, labels in displays:
        for label in labels:
            holders.setdefault((company, label), set()).add(device)
    shared: dict[str, set[str]] = {}
    for devices in holders.values():
        if len(devices) > 1:
            for device in devices:
                shared.setdefault(device, set()).update(devices - {device})
    return {device: sorted(others) for device, others in shared.items()}


def same_company(display_company: Any, booking_company: Any) -> bool:
    """Whether a booking of ``booking_company`` may reach a display of
    ``display_company`` (ids, None for none): a booking without company (a calendar
    event without organizer) reaches every company's doors, a display without company
    (the test server's) takes every company's bookings; otherwise they must be equal."""
    return booking_company is None or display_company is None or display_company == booking_company


def with_alias(aliases: Any, old_label: Any, new_labels: frozenset[str]) -> str | None:
    """Return ``aliases`` with ``old_label`` appended as a line, or None when the old
    label is empty or still matches (its key is among ``new_labels``, e.g. only case or
    spacing changed). Used when a room is renamed, so bookings typed with the old name
    keep reaching its door."""
    old = old_label.strip() if isinstance(old_label, str) else ""
    if not old or normalize_location(old) in new_labels:
        return None
    lines = aliases.rstrip("\n") if isinstance(aliases, str) else ""
    return f"{lines}\n{old}" if lines else old


LOCATION_KEY_FIELD = "epaper_location_key"


def location_domain(field: str, labels: Iterable[str]) -> list[Any]:
    """Return the domain of the records whose ``field`` matches one of ``labels`` (keys of
    :func:`normalize_location`; [] when there is none).

    ``field`` is a stored key (``calendar.event.epaper_location_key``, indexed: the
    location's key computed when it is written), so the database selects exactly, with
    ``in``. A text field that has no key (``room_id.name``) is preselected by
    ``!= False``: no ``ILIKE`` pattern selects every form of a key (a stored "Su\\u0308d"
    or "Straße" is no match of "süd" or "strasse"), so Python decides.
    """
    keys = sorted(set(labels))
    if not keys:
        return []
    if field.endswith(LOCATION_KEY_FIELD):
        return [(field, "in", keys)]
    return [(field, "!=", False)]
