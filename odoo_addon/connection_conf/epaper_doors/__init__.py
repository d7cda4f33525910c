"""Plain-Python door requests of the addon (no ``odoo`` import in this package): the
``/action`` contract and the replay memory and throttle, with the hub's rules and bounds."""

from __future__ import annotations

from .actions import ActionError, DoorAction, ack_payload, parse_action
from .desk import INVALID_REQUEST, DoorDesk, ack_bytes
from .ledger import ODOO_UNAVAILABLE, REPEAT_WAIT, Answer, Ledger, MemoryLedger
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
    "REPEAT_WAIT",
    "THROTTLED",
    "ActionError",
    "Answer",
    "Door",
    "DoorAction",
    "DoorDesk",
    "DoorMemory",
    "Ledger",
    "MemoryLedger",
    "Outcome",
    "ack_bytes",
    "ack_payload",
    "parse_action",
]
