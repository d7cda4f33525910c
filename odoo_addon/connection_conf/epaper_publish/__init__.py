"""Plain-Python publishing of the addon (no ``odoo`` import in this package): the
contract's ``/data`` built from ``epaper_schedule``'s answer, byte for byte the hub's."""

from __future__ import annotations

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
    "answer_payloads",
    "content_hash",
    "display_payload",
    "encode",
    "format_time",
]
