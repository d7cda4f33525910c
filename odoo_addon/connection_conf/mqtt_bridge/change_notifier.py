"""Publishes ``{prefix}_odoo/changed`` from a background thread, never in the user's request."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .client import BridgeClient
from .settings import BrokerSettings
from .wire import changed_payload

_logger = logging.getLogger(__name__)

ClientFactory = Callable[[str, BrokerSettings], BridgeClient]


@dataclass(frozen=True)
class ChangeNotice:
    """Devices whose schedule changed in one committed transaction, for one broker."""

    key: str
    settings: BrokerSettings
    devices: tuple[str, ...]


class ChangeNotifier:
    """A queue and one daemon thread; a notice the broker cannot take is dropped and logged."""

    def __init__(
        self, client_for: ClientFactory, connect_wait: float = 5.0, maxsize: int = 1000
    ) -> None:
        self._client_for = client_for
        self._connect_wait = connect_wait
        self._queue: queue.Queue[ChangeNotice | None] = queue.Queue(maxsize)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.dropped = 0

    def notify(self, key: str, settings: BrokerSettings, devices: list[str] | set[str]) -> bool:
        """Queue a notice; returns at once, False when it was refused (bad names, full queue)."""
        try:
            changed_payload(list(devices))
        except ValueError as exc:
            _logger.warning("change notice not queued: %s", exc)
            return False
        if not devices:
            return False
        notice = ChangeNotice(key, settings, tuple(sorted(set(devices))))
        self._ensure_thread()
        try:
            self._queue.put_nowait(notice)
        except queue.Full:
            self.dropped += 1
            _logger.warning("change notice for %s dropped: queue full", ", ".join(notice.devices))
            return False
        return True

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="connection_conf-changed", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            notice = self._queue.get()
            try:
                if notice is None:
                    return
                self._send(notice)
            except Exception:
                self.dropped += 1
                _logger.exception("change notice could not be sent")
            finally:
                self._queue.task_done()

    def _send(self, notice: ChangeNotice) -> None:
        client = self._client_for(notice.key, notice.settings)
        if client.wait_connected(self._connect_wait) and client.publish_changed(
            list(notice.devices), self._connect_wait
        ):
            self.sent += 1
            _logger.debug("change notice sent for %s", ", ".join(notice.devices))
            return
        self.dropped += 1
        _logger.warning(
            "change notice for %s dropped: broker down (%s); the hub catches up at its next poll",
            ", ".join(notice.devices),
            client.last_message,
        )

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued notice is handled (tests, shutdown)."""
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread after the queued notices."""
        with self._lock:
            thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)
