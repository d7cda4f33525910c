"""Plain-Python schedule rules of the addon: no ``odoo`` import anywhere in this package.

``room.rasp.connection.epaper_schedule`` (the addon) and the JSON-RPC test server
(``testbed/odoo_server.py``) both answer the schedule with this code: the room-matching
rule, Odoo's privacy rules, all-day spans in the display's zone, the timezone chain,
the locale, and the answer itself.
"""

from __future__ import annotations

from .answer import API_VERSION, Reader, answer_schedule, build_answer, event_entry
from .bookings import (
    DISPLAY_SPECIFICATION,
    ROOM_SPECIFICATION,
    Booking,
    Display,
    RoomIndex,
    display_from_record,
    record_id,
)
from .pages import page_of
from .privacy import (
    HIDDEN_NAME,
    PUBLIC_FIELDS,
    effective_privacy,
    hidden_from_reader,
    shown_private,
)
from .rooms import (
    LOCATION_KEY_FIELD,
    collisions,
    location_domain,
    normalize_location,
    room_labels,
    same_company,
    split_aliases,
    with_alias,
)
from .sources import (
    AUTO,
    BAD_TIMES,
    Placed,
    ScheduleSource,
    choose_sources,
    many2one_name,
    skip_record,
    source_list,
    title_text,
)
from .times import Window, all_day_span, format_utc, parse_date, parse_utc, utc_parser
from .zones import load_zone, resolve_zone, to_bcp47, valid_zone

__all__ = [
    "API_VERSION",
    "AUTO",
    "BAD_TIMES",
    "DISPLAY_SPECIFICATION",
    "HIDDEN_NAME",
    "LOCATION_KEY_FIELD",
    "PUBLIC_FIELDS",
    "ROOM_SPECIFICATION",
    "Booking",
    "Display",
    "Placed",
    "Reader",
    "RoomIndex",
    "ScheduleSource",
    "Window",
    "all_day_span",
    "answer_schedule",
    "build_answer",
    "choose_sources",
    "collisions",
    "display_from_record",
    "effective_privacy",
    "event_entry",
    "format_utc",
    "hidden_from_reader",
    "load_zone",
    "location_domain",
    "many2one_name",
    "normalize_location",
    "page_of",
    "parse_date",
    "parse_utc",
    "record_id",
    "resolve_zone",
    "room_labels",
    "same_company",
    "shown_private",
    "skip_record",
    "source_list",
    "split_aliases",
    "title_text",
    "to_bcp47",
    "utc_parser",
    "valid_zone",
    "with_alias",
]
