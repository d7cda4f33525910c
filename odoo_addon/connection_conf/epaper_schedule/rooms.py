"""Which door a booking belongs to: the one room-matching rule of the addon.

A ``calendar.event`` belongs to a display when its ``location``, normalized, equals the
display's room label or one of its location aliases, normalized the same way:
case-insensitive (Unicode case folding) and whitespace-insensitive (runs of spaces,
tabs and line breaks count as one space; leading and trailing ones are ignored).
The change notices of ``connection_conf_calendar`` and the schedule use this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

LIKE_ESCAPES = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})
# Above this many patterns the database preselects every row with a location instead:
# a long OR of ILIKEs costs more than comparing the window's rows in Python.
MAX_LIKE_PATTERNS = 64


def normalize_location(text: Any) -> str:
    """Return the matching key of a location or room name ("" for Odoo's False / None).

    ``"  Boardroom,\\t2nd  FLOOR "`` -> ``"boardroom, 2nd floor"``.
    """
    if not isinstance(text, str):
        return ""
    return " ".join(text.split()).casefold()


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


def like_patterns(label: str) -> list[str]:
    """Return ``=ilike`` patterns that select at least every text matching ``label``.

    Words are joined by ``%`` (any whitespace, or more), so the database preselects and
    :func:`normalize_location` decides. Two variants when case folding changes a word
    (``ß`` folds to ``ss``, which ILIKE does not do).
    """
    variants = {label, label.lower()}
    return sorted(
        "%" + "%".join(word.translate(LIKE_ESCAPES) for word in variant.split()) + "%"
        for variant in variants
        if variant.split()
    )


def any_of(leaves: Iterable[tuple[str, str, Any]]) -> list[Any]:
    """Return an Odoo domain that ORs ``leaves`` (prefix notation); [] when there is none."""
    items = list(leaves)
    if not items:
        return []
    return ["|"] * (len(items) - 1) + items


def location_domain(field: str, labels: Iterable[str]) -> list[Any]:
    """Return the domain preselecting records whose ``field`` may match one of ``labels``
    ([] when there is no label; ``field != False`` beyond :data:`MAX_LIKE_PATTERNS`)."""
    patterns = sorted({p for label in labels for p in like_patterns(label)})
    if len(patterns) > MAX_LIKE_PATTERNS:
        return [(field, "!=", False)]
    return any_of((field, "=ilike", pattern) for pattern in patterns)
