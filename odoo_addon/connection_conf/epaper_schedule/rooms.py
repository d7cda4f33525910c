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


def location_domain(field: str, labels: Iterable[str]) -> list[Any]:
    """Return the domain preselecting the records whose ``field`` may match one of
    ``labels``: every record with a value ([] when there is no label).

    The database cannot apply :func:`normalize_location` (a stored "Su\\u0308d" or
    "Straße" is no ``ILIKE`` match of the key "süd" or "strasse"), so it preselects by the
    time window only and Python decides; a narrower text pattern would lose bookings.
    """
    return [(field, "!=", False)] if any(True for _ in labels) else []
