"""Publishes ``{prefix}_odoo/changed`` from background threads, never in the user's request.

Each broker (manager key) has its own lane: a bounded queue, a daemon thread and a
backoff. A dead or slow broker costs at most one connect wait per backoff period,
in its own lane only; the notices that reach it while it backs off are dropped at
once (the hub catches up at its next poll), so other brokers' notices never wait.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .backoff import Backoff
from .client import BridgeClient
from .lanes import wait_until_joined
from .settings import BrokerSettings
from .wire import changed_payload

_logger = logging.getLogger(__name__)

ClientFactory = Callable[[str, BrokerSettings], BridgeClient]
# (key, devices) -> the devices among them that still exist; None: do not check.
ExistingDevices = Callable[[str, tuple[str, ...]], Iterable[str]]


@dataclass(frozen=True)
class ChangeNotice:
    """Devices whose schedule changed in one committed transaction, for one broker."""

    key: str
    settings: BrokerSettings
    devices: tuple[str, ...]


class _Lane:
    """One broker's queue, thread and backoff."""

    def __init__(self, notifier: ChangeNotifier, key: str, maxsize: int) -> None:
        self.notifier = notifier
        self.key = key
        self.queue: queue.Queue[ChangeNotice | None] = queue.Queue(maxsize)
        self.backoff = Backoff(notifier.backoff_first, notifier.backoff_max)
        self.retry_at = 0.0
        self.down = False
        self.thread = threading.Thread(
            target=self.run, name=f"connection_conf-changed-{len(notifier._lanes)}", daemon=True
        )

    def run(self) -> None:
        """Handle this broker's notices one by one until a None arrives."""
        while True:
            notice = self.queue.get()
            try:
                if notice is None:
                    return
                self.handle(notice)
            except Exception:
                self.notifier._count(dropped=1)
                _logger.exception("change notice could not be sent")
            finally:
                self.queue.task_done()

    def handle(self, notice: ChangeNotice) -> None:
        """Send one notice, or drop it (displays gone, broker backing off or down)."""
        notifier = self.notifier
        devices = notifier._existing(notice)
        if not devices:
            notifier._count(dropped=1)
            _logger.info(
                "change notice for %s dropped: no such display any more", ", ".join(notice.devices)
            )
            return
        if time.monotonic() < self.retry_at:
            notifier._count(dropped=1)
            _logger.debug("change notice for %s dropped: broker backing off", ", ".join(devices))
            return
        client = notifier._client_for(notice.key, notice.settings)
        if client.wait_connected(notifier.connect_wait) and client.publish_changed(
            list(devices), notifier.connect_wait
        ):
            notifier._count(sent=1)
            if self.down:
                _logger.info("change notices reach %s again", notice.settings.host)
            self.down = False
            self.backoff.reset()
            self.retry_at = 0.0
            _logger.debug("change notice sent for %s", ", ".join(devices))
            return
        notifier._count(dropped=1)
        delay = self.backoff.next_delay()
        self.retry_at = time.monotonic() + delay
        if not self.down:
            _logger.warning(
                "change notice for %s dropped: broker down (%s); the hub catches up at its next "
                "poll. Notices for this broker are dropped for %.0f s (backoff)",
                ", ".join(devices),
                client.last_message,
                delay,
            )
        self.down = True


class ChangeNotifier:
    """One lane per broker; a notice its broker cannot take is dropped and logged once."""

    def __init__(
        self,
        client_for: ClientFactory,
        connect_wait: float = 5.0,
        maxsize: int = 100,
        *,
        existing: ExistingDevices | None = None,
        backoff_first: float = 5.0,
        backoff_max: float = 300.0,
    ) -> None:
        """``connect_wait``: seconds a lane waits for its broker; ``maxsize``: per lane."""
        self._client_for = client_for
        self._existing_for = existing
        self.connect_wait = connect_wait
        self.maxsize = maxsize
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()
        self.sent = 0
        self.dropped = 0

    def _count(self, sent: int = 0, dropped: int = 0) -> None:
        with self._lock:
            self.sent += sent
            self.dropped += dropped

    def _existing(self, notice: ChangeNotice) -> tuple[str, ...]:
        if self._existing_for is None:
            return notice.devices
        known = set(self._existing_for(notice.key, notice.devices))
        return tuple(device for device in notice.devices if device in known)

    def notify(self, key: str, settings: BrokerSettings, devices: list[str] | set[str]) -> bool:
        """Queue a notice in its broker's lane; returns at once, False when it was refused."""
        try:
            changed_payload(list(devices))
        except ValueError as exc:
            _logger.warning("change notice not queued: %s", exc)
            return False
        if not devices:
            return False
        notice = ChangeNotice(key, settings, tuple(sorted(set(devices))))
        lane = self._lane(key)
        try:
            lane.queue.put_nowait(notice)
        except queue.Full:
            self._count(dropped=1)
            _logger.warning("change notice for %s dropped: queue full", ", ".join(notice.devices))
            return False
        return True

    def _lane(self, key: str) -> _Lane:
        with self._lock:
            lane = self._lanes.get(key)
            if lane is None or not lane.thread.is_alive():
                lane = _Lane(self, key, self.maxsize)
                self._lanes[key] = lane
                lane.thread.start()
            return lane

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued notice of every lane is handled (tests, shutdown)."""
        with self._lock:
            lanes = list(self._lanes.values())
        return wait_until_joined((lane.queue for lane in lanes), timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every lane's thread after its queued notices."""
        with self._lock:
            lanes = list(self._lanes.values())
            self._lanes = {}
        deadline = time.monotonic() + timeout
        for lane in lanes:
            if lane.thread.is_alive():
                try:
                    lane.queue.put(None, timeout=max(0.0, deadline - time.monotonic()))
                except queue.Full:
                    continue
        for lane in lanes:
            lane.thread.join(max(0.0, deadline - time.monotonic()))
