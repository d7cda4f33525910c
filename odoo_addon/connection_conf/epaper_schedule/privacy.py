"""Odoo 18's privacy rules for ``calendar.event``, as plain functions.

``privacy`` False means the organizer's default (``res.users.calendar_default_privacy``).
Odoo blanks every field outside :data:`PUBLIC_FIELDS` of a private event for a reader who
is neither its organizer nor an attendee (``name`` reads "Busy", ``location`` False:
``calendar.event._fetch_query`` and ``_check_private_event_conditions``). A door shows
every private or confidential event as booked, without title or organizer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PUBLIC = "public"
PRIVATE = "private"
DOOR_PRIVATE_LEVELS = frozenset({PRIVATE, "confidential"})
HIDDEN_NAME = "Busy"
# calendar.event._get_public_fields() of Odoo 18 (recurrence, time and base fields).
PUBLIC_FIELDS = frozenset(
    {
        "id", "active", "allday", "duration", "user_id", "interval", "partner_id", "count",
        "rrule", "recurrence_id", "show_as", "privacy",
        "start", "stop", "start_date", "stop_date",
        "byday", "until", "rrule_type", "month_by", "event_tz", "end_type", "mon", "tue",
        "wed", "thu", "fri", "sat", "sun", "day", "weekday",
    }
)  # fmt: skip


def effective_privacy(privacy: Any, organizer_default: Any) -> str:
    """Return the privacy in force: the event's, else the organizer's default, else public."""
    if isinstance(privacy, str) and privacy:
        return privacy
    if isinstance(organizer_default, str) and organizer_default:
        return organizer_default
    return PUBLIC


def shown_private(privacy: Any, organizer_default: Any) -> bool:
    """Return whether a door shows the event as booked only (private or confidential)."""
    return effective_privacy(privacy, organizer_default) in DOOR_PRIVATE_LEVELS


def hidden_from_reader(
    *,
    privacy: Any,
    organizer_id: Any,
    organizer_default: Any,
    attendee_partner_ids: Iterable[int],
    reader_id: int,
    reader_partner_id: Any,
) -> bool:
    """Return whether Odoo 18 blanks the event's private fields for this reader.

    The event is private (its own privacy, or none and an organizer whose default is
    private) and the reader is neither its organizer nor an attendee.
    """
    is_private = privacy == PRIVATE or (
        not privacy and bool(organizer_id) and organizer_default == PRIVATE
    )
    is_outsider = organizer_id != reader_id and reader_partner_id not in set(attendee_partner_ids)
    return is_private and is_outsider
