"""Answering the doors' ``/action`` requests when Odoo is the publisher: the hub's flow
(``custom_components/odoo_epaper/door_requests.py``) in plain Python, no ``odoo`` import.

``perform(device, request)`` is the caller's: it applies the refusals of the display
(unknown device, action not allowed, too long) and Odoo's booking rules
(``epaper_booking``), and returns a refusal code or None when done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .actions import ActionError, DoorAction, ack_payload, parse_action
from .memory import BURST, THROTTLED, Door, DoorMemory

_logger = logging.getLogger(__name__)

INVALID_REQUEST = "invalid_request"
ODOO_UNAVAILABLE = "odoo_unavailable"
REPEAT_WAIT = 60.0  # seconds a repeat waits for its first request's answer
Perform = Callable[[str, DoorAction], "str | None"]


class DoorDesk:
    """Validate, perform once, and answer each door's requests (replays, throttle)."""

    def __init__(self, memory: DoorMemory | None = None) -> None:
        self.memory = memory if memory is not None else DoorMemory()
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
        first = self.memory.recall(door, request.id)
        if first is not None:
            return request.id, self._wait(first)
        if not self._admit(door):
            return request.id, THROTTLED
        outcome = self.memory.remember(door, request.id)
        error: str | None = ODOO_UNAVAILABLE
        try:
            error = perform(door[1], request)
        except Exception:
            _logger.exception("door action %s of %s failed", request.action, door[1])
        finally:
            outcome.set(error)
        return request.id, error

    @staticmethod
    def _wait(first: object) -> str | None:
        try:
            return first.wait(REPEAT_WAIT)  # type: ignore[attr-defined, no-any-return]
        except TimeoutError:
            return ODOO_UNAVAILABLE

    def _refuse_invalid(self, door: Door, err: ActionError) -> tuple[str, str | None] | None:
        if err.ack_id is not None and (first := self.memory.recall(door, err.ack_id)):
            return err.ack_id, self._wait(first)
        if not self._admit(door):
            return (err.ack_id, THROTTLED) if err.ack_id is not None else None
        _logger.warning("refused /action of %s (%s): %s", door[1], err.reason, err)
        if err.ack_id is None:
            return None
        self.memory.remember(door, err.ack_id).set(INVALID_REQUEST)
        return err.ack_id, INVALID_REQUEST

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
