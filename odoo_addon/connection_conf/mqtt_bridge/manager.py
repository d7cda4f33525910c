"""MqttConnectionManager: the process-wide registry of running MQTT sessions."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from typing import ClassVar

from .client import BridgeClient, EventSink
from .settings import BrokerSettings

_logger = logging.getLogger(__name__)


class MqttConnectionManager:
    """Singleton per process: one :class:`BridgeClient` per key (database + broker + prefix).

    Forked children (Odoo's prefork workers) start with an empty registry: a client
    inherited from the parent has no network thread there.
    """

    _instance: ClassVar[MqttConnectionManager | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()

    def __new__(cls) -> MqttConnectionManager:
        with cls._instance_lock:
            if cls._instance is None:
                instance = super().__new__(cls)
                instance._clients = {}
                instance._lock = threading.RLock()
                instance._pid = os.getpid()
                cls._instance = instance
            return cls._instance

    _clients: dict[str, BridgeClient]
    _lock: threading.RLock
    _pid: int

    def _forget_if_forked(self) -> None:
        if self._pid != os.getpid():
            _logger.info("forked process: dropping %d inherited MQTT clients", len(self._clients))
            self._clients = {}
            self._pid = os.getpid()

    def register(
        self, key: str, settings: BrokerSettings, on_event: EventSink | None = None
    ) -> BridgeClient:
        """Return the running client for ``key``, starting (or restarting) it as needed.

        A client whose settings changed is stopped and replaced.
        """
        with self._lock:
            self._forget_if_forked()
            client = self._clients.get(key)
            if client is not None and client.settings != settings:
                _logger.info("MQTT settings of %s changed: reconnecting", key)
                self._clients.pop(key)
                client.stop()
                client = None
            if client is None:
                client = BridgeClient(settings, on_event, key=key)
                self._clients[key] = client
            elif on_event is not None:
                client.on_event = on_event
            return client.start()

    def unregister(self, key: str) -> bool:
        """Stop and forget the client of ``key``; return False when there was none."""
        with self._lock:
            self._forget_if_forked()
            client = self._clients.pop(key, None)
        if client is None:
            return False
        client.stop()
        return True

    def get_client(self, key: str) -> BridgeClient | None:
        """Return the client of ``key`` or None."""
        with self._lock:
            self._forget_if_forked()
            return self._clients.get(key)

    def is_connected(self, key: str) -> bool:
        """True when the client of ``key`` exists and its session is up."""
        client = self.get_client(key)
        return client is not None and client.is_connected()

    def wait_connected(self, keys: Iterable[str], timeout: float) -> set[str]:
        """Wait for the sessions of ``keys`` together; return the keys that are connected.

        The sessions connect in their own threads at the same time, so one deadline
        (``timeout`` seconds) bounds the whole wait, however many brokers are unreachable.
        Keys without a session are left out.
        """
        deadline = time.monotonic() + timeout
        connected = set()
        for key in keys:
            client = self.get_client(key)
            if client is not None and client.wait_connected(max(0.0, deadline - time.monotonic())):
                connected.add(key)
        return connected

    def registered_keys(self) -> list[str]:
        """Return the keys of all registered clients."""
        with self._lock:
            self._forget_if_forked()
            return list(self._clients)

    def shutdown(self) -> None:
        """Stop every client (process exit, tests)."""
        for key in self.registered_keys():
            self.unregister(key)
