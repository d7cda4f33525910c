"""What the MQTT thread hands to the ORM: status and connection events (plain data only)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from dataclasses import dataclass, field

from .wire import DeviceStatus

_logger = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)  # noqa: UP017 (Odoo 18 runs on 3.10)


@dataclass(frozen=True)
class StatusEvent:
    """A display's valid status as received from the broker."""

    connection_key: str
    device: str
    status: DeviceStatus
    received_at: dt.datetime = field(default_factory=utcnow)
    retained: bool = False
    attempts: int = 0

    @property
    def state(self) -> str:
        """The state to mirror: online, offline or error."""
        return self.status.mirror_state

    @property
    def error(self) -> str | None:
        """The satellite's last error text, if any."""
        return self.status.error


@dataclass(frozen=True)
class ConnectionEvent:
    """The Odoo-side MQTT session went up (``connected``) or down (``disconnected``, ``failed``)."""

    connection_key: str
    kind: str
    message: str
    rc: int | None = None
    at: dt.datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class ActionEvent:
    """A door's ``/action`` request (raw bytes) when Odoo answers the doors itself."""

    connection_key: str
    prefix: str
    device: str
    payload: bytes
    attempts: int = 0


Event = StatusEvent | ConnectionEvent | ActionEvent


class EventQueue:
    """A bounded, thread-safe FIFO; when full the oldest event is dropped with a log line."""

    def __init__(self, maxlen: int = 10000) -> None:
        self._items: deque[Event] = deque()
        self._maxlen = maxlen
        self._cond = threading.Condition()
        self.dropped = 0

    def put(self, event: Event) -> None:
        """Add an event; never blocks the MQTT thread."""
        with self._cond:
            if len(self._items) >= self._maxlen:
                self._items.popleft()
                self.dropped += 1
                _logger.warning("event queue full (%d): dropped the oldest event", self._maxlen)
            self._items.append(event)
            self._cond.notify_all()

    def get_batch(self, timeout: float, max_items: int = 500, settle: float = 0.0) -> list[Event]:
        """Wait up to ``timeout`` for events, then up to ``settle`` more for a burst; take them."""
        with self._cond:
            if not self._items:
                self._cond.wait(timeout)
            if self._items and settle > 0:
                self._cond.wait_for(lambda: len(self._items) >= max_items, settle)
            batch = []
            while self._items and len(batch) < max_items:
                batch.append(self._items.popleft())
            return batch

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
