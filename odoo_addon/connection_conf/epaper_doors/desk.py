"""Answering the doors' ``/action`` requests when Odoo is the publisher: the hub's flow
(``custom_components/odoo_epaper/door_requests.py``) in plain Python, no ``odoo`` import.

``perform(device, request)`` is the caller's: it applies the refusals of the display
(unknown device, action not allowed, too long) and Odoo's booking rules
(``epaper_booking``), and returns a refusal code or None when done. The first answers
live in a :class:`~.ledger.Ledger` (this process's memory unless the caller gives
another, e.g. the database's); the throttle's buckets in this process's memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .actions import ActionError, DoorAction, ack_payload, parse_action
from .ledger import ODOO_UNAVAILABLE, Answer, Ledger, MemoryLedger
from .memory import BURST, THROTTLED, Door, DoorMemory

_logger = logging.getLogger(__name__)

INVALID_REQUEST = "invalid_request"
Perform = Callable[[str, DoorAction], "str | None"]


class DoorDesk:
    """Validate, perform once, and answer each door's requests (replays, throttle)."""

    def __init__(self, memory: DoorMemory | None = None, ledger: Ledger | None = None) -> None:
        """``memory``: the throttle's buckets (and the first answers when no ``ledger``
        is given); ``ledger``: where the first answers live."""
        self.memory = memory if memory is not None else DoorMemory()
        self.ledger: Ledger = ledger if ledger is not None else MemoryLedger(self.memory)
        self._throttled: set[Door] = set()

    def handle(self, door: Door, raw: bytes, perform: Perform) -> tuple[str, str | None] | None:
        """Handle one ``/action`` of ``door`` (prefix, device); return ``(id, error)`` to
        answer on ``/ack`` (error None: done), or None when there is nobody to answer.

        A repeated id gets the first answer and is not performed again; past the door's
        bucket the answer is ``throttled`` and nothing is remembered.
        """
        try:
            request = parse_action(raw)
        except ActionError as err:
            return self._refuse_invalid(door, err)
        first = self._recall(door, request.id)
        if first is not None:
            return request.id, first.code
        if not self._admit(door):
            return request.id, THROTTLED
        try:
            return request.id, self.ledger.once(door, request.id, lambda: perform(door[1], request))
        except TimeoutError:
            return request.id, ODOO_UNAVAILABLE

    def _recall(self, door: Door, request_id: str) -> Answer | None:
        try:
            return self.ledger.recall(door, request_id)
        except TimeoutError:
            return Answer(ODOO_UNAVAILABLE)

    def _refuse_invalid(self, door: Door, err: ActionError) -> tuple[str, str | None] | None:
        if err.ack_id is not None and (first := self._recall(door, err.ack_id)):
            return err.ack_id, first.code
        if not self._admit(door):
            return (err.ack_id, THROTTLED) if err.ack_id is not None else None
        _logger.warning("refused /action of %s (%s): %s", door[1], err.reason, err)
        if err.ack_id is None:
            return None
        try:
            return err.ack_id, self.ledger.once(door, err.ack_id, lambda: INVALID_REQUEST)
        except TimeoutError:
            return err.ack_id, ODOO_UNAVAILABLE

    def _admit(self, door: Door) -> bool:
        if self.memory.admit(door):
            self._throttled.discard(door)
            return True
        if door not in self._throttled:
            self._throttled.add(door)
            _logger.warning(
                "door %s%s sends more than %s requests at once: refused (%s) until it slows",
                *door,
                BURST,
                THROTTLED,
            )
        return False


def ack_bytes(answer: tuple[str, str | None]) -> bytes:
    """The ``/ack`` payload of a :meth:`DoorDesk.handle` answer."""
    request_id, error = answer
    return ack_payload(request_id, ok=error is None, error=error)
