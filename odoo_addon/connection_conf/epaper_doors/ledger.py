"""Where the first answers of the doors' requests live (the replay memory, DESIGN 3a).

A :class:`Ledger` gives the desk two things: the first answer of an id a door already
used (:meth:`Ledger.recall`), and "perform this id at most once" (:meth:`Ledger.once`).
:class:`MemoryLedger` keeps them in one process (:class:`~.memory.DoorMemory`, as the
hub does); the addon's Odoo glue keeps them in the database (model
``room.rasp.door.answer``), so that they hold across Odoo's workers and restarts.
Plain Python, no ``odoo`` import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .memory import Door, DoorMemory

_logger = logging.getLogger(__name__)

ODOO_UNAVAILABLE = "odoo_unavailable"
REPEAT_WAIT = 60.0  # seconds a repeat waits for its first request's answer


@dataclass(frozen=True)
class Answer:
    """The first answer of a request: ``code`` its refusal code, None when performed."""

    code: str | None


class Ledger(Protocol):
    """The first answers of the doors' requests (see the module text)."""

    def recall(self, door: Door, request_id: str) -> Answer | None:
        """Return the first answer of ``door``'s request ``request_id`` within the replay
        window, or None when the id is new. TimeoutError: the first request is still
        running after :data:`REPEAT_WAIT` seconds."""

    def once(self, door: Door, request_id: str, perform: Callable[[], str | None]) -> str | None:
        """Run ``perform`` (returns a refusal code, None when done) unless this id already
        has an answer, remember what it returned and return it; a request that another
        worker is performing gets that one's answer. An exception in ``perform`` is
        answered and remembered as :data:`ODOO_UNAVAILABLE`; TimeoutError as in
        :meth:`recall`."""


class MemoryLedger:
    """A :class:`Ledger` in this process's :class:`DoorMemory` (thread-safe)."""

    def __init__(self, memory: DoorMemory) -> None:
        self.memory = memory

    def recall(self, door: Door, request_id: str) -> Answer | None:
        """See :meth:`Ledger.recall`."""
        first = self.memory.recall(door, request_id)
        return None if first is None else Answer(first.wait(REPEAT_WAIT))

    def once(self, door: Door, request_id: str, perform: Callable[[], str | None]) -> str | None:
        """See :meth:`Ledger.once`."""
        first = self.memory.recall(door, request_id)
        if first is not None:
            return first.wait(REPEAT_WAIT)
        outcome = self.memory.remember(door, request_id)
        code: str | None = ODOO_UNAVAILABLE
        try:
            code = perform()
        except Exception:
            _logger.exception("door request %s of %s failed", request_id, door[1])
        finally:
            outcome.set(code)
        return code
