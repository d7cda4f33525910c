"""Hands queued MQTT events to a callback in batches, from one thread that owns the work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .events import Event, EventQueue

_logger = logging.getLogger(__name__)

BatchHandler = Callable[[list[Event]], None]


class EventDrainer:
    """Drains an :class:`EventQueue` into ``handler``; a failing batch is logged, never fatal."""

    def __init__(
        self,
        events: EventQueue,
        handler: BatchHandler,
        *,
        name: str = "connection_conf-drain",
        settle: float = 0.5,
        max_batch: int = 500,
    ) -> None:
        self.events = events
        self._handler = handler
        self._name = name
        self._settle = settle
        self._max_batch = max_batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.failed_batches = 0

    def start(self) -> EventDrainer:
        """Start the thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self.events.get_batch(0.5, self._max_batch, self._settle)
            if batch:
                self.drain_batch(batch)

    def drain_batch(self, batch: list[Event]) -> None:
        """Hand one batch to the handler, containing any error."""
        try:
            self._handler(batch)
            self.batches += 1
        except Exception:
            self.failed_batches += 1
            _logger.exception("%d MQTT events could not be stored", len(batch))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread after the current batch."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
