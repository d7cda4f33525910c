"""Plain-Python door requests of the addon (no ``odoo`` import in this package): the
``/action`` contract and the replay memory and throttle, with the hub's rules and bounds."""

from __future__ import annotations

from .actions import ActionError, DoorAction, ack_payload, parse_action
from .desk import INVALID_REQUEST, ODOO_UNAVAILABLE, DoorDesk, ack_bytes
from .memory import (
    BURST,
    IDS_PER_DOOR,
    REFILL_SECONDS,
    REMEMBER_SECONDS,
    THROTTLED,
    Door,
    DoorMemory,
    Outcome,
)

__all__ = [
    "BURST",
    "IDS_PER_DOOR",
    "INVALID_REQUEST",
    "ODOO_UNAVAILABLE",
    "REFILL_SECONDS",
    "REMEMBER_SECONDS",
    "THROTTLED",
    "ActionError",
    "Door",
    "DoorAction",
    "DoorDesk",
    "DoorMemory",
    "Outcome",
    "ack_bytes",
    "ack_payload",
    "parse_action",
]
