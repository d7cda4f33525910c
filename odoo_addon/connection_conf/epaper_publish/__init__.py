"""Plain-Python publishing of the addon (no ``odoo`` import in this package): the
contract's ``/data`` built from ``epaper_schedule``'s answer, byte for byte the hub's."""

from __future__ import annotations

from .due import Due, Published, data_topic, due_messages
from .payload import (
    MAX_PAYLOAD_BYTES,
    PAYLOAD_LIFETIME,
    answer_payloads,
    content_hash,
    display_payload,
    encode,
    format_time,
)

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "PAYLOAD_LIFETIME",
    "Due",
    "Published",
    "answer_payloads",
    "content_hash",
    "data_topic",
    "display_payload",
    "due_messages",
    "encode",
    "format_time",
]
