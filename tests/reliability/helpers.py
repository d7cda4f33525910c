"""Helpers for the reliability tests: an MQTT watcher and real satellite processes."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.fixtures.broker import Broker
from tests.satellite.conftest import SatelliteProcess, wait_until, write_config

PREFIX = "odoo_epaper/"


def room(device: str, room_name: str = "Room", **changes: Any) -> dict[str, Any]:
    """Return a valid /data payload for ``device``."""
    payload: dict[str, Any] = {
        "v": 1,
        "device": device,
        "room": room_name,
        "tz": "UTC",
        "generated_at": "2026-11-27T09:00:00Z",
        "valid_until": "2099-11-27T21:00:00Z",
        "events": [
            {
                "title": "Board meeting",
                "start": "2026-11-27T10:00:00Z",
                "end": "2026-11-27T11:00:00Z",
                "organizer": "A. Smith",
                "private": False,
            }
        ],
    }
    payload.update(changes)
    return payload


def encode(payload: Any) -> bytes:
    """The bytes a hub would publish for ``payload``."""
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


@dataclass
class Seen:
    """One message a watcher received."""

    topic: str
    payload: bytes
    retain: bool
    at: float

    def json(self) -> Any:
        """The payload as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.payload)
        except ValueError:
            return None


@dataclass
class Watcher:
    """A real paho client (any user, TLS or not) that records what it receives."""

    broker: Broker
    username: str | None = None
    password: str | None = None
    ca_cert: Path | None = None
    client_id: str = ""
    messages: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    client: mqtt.Client | None = None

    def start(self, *topics: str) -> Watcher:
        """Connect and subscribe to ``topics`` (default: everything under the prefix)."""
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id or f"watcher-{time.monotonic_ns()}",
        )
        if self.username:
            client.username_pw_set(self.username, self.password)
        if self.ca_cert is not None:
            client.tls_set(ca_certs=str(self.ca_cert))
        connected = threading.Event()
        subscribed = threading.Event()
        client.on_connect = lambda *_a: connected.set()
        client.on_message = lambda _c, _u, msg: self._add(msg)
        client.on_subscribe = lambda *_a: subscribed.set()
        client.connect(self.broker.host, self.broker.port, 30)
        client.loop_start()
        self.client = client
        assert connected.wait(5), "watcher could not connect"
        client.subscribe([(topic, 1) for topic in topics or (f"{PREFIX}#",)])
        assert subscribed.wait(5), "watcher subscription not acknowledged"
        return self

    def _add(self, message: mqtt.MQTTMessage) -> None:
        seen = Seen(message.topic, bytes(message.payload), bool(message.retain), time.monotonic())
        with self.lock:
            self.messages.append(seen)

    def stop(self) -> None:
        """Disconnect."""
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()

    def publish(self, topic: str, payload: Any, *, retain: bool = False, qos: int = 1) -> None:
        """Publish and wait until the broker has it."""
        assert self.client is not None
        info = self.client.publish(topic, encode(payload), qos=qos, retain=retain)
        info.wait_for_publish(5)

    def mark(self) -> int:
        """A position in the record; ``after=`` looks only at later messages."""
        with self.lock:
            return len(self.messages)

    def on(self, topic: str, after: int = 0) -> list[Seen]:
        """Messages seen on ``topic`` after position ``after``."""
        with self.lock:
            return [m for m in self.messages[after:] if m.topic == topic]

    def wait(
        self,
        topic: str,
        predicate: Callable[[Seen], bool] = lambda _m: True,
        *,
        after: int = 0,
        timeout: float = 10.0,
    ) -> Seen:
        """Wait for a message on ``topic`` after ``after`` that matches ``predicate``."""

        def find() -> Seen | None:
            return next((m for m in self.on(topic, after) if predicate(m)), None)

        found: Seen = wait_until(find, timeout, f"a matching message on {topic}")
        return found


def status(state: str, **fields: Any) -> Callable[[Seen], bool]:
    """Match a status payload with ``state`` and ``fields``."""

    def match(message: Seen) -> bool:
        body = message.json()
        return (
            isinstance(body, dict)
            and body.get("state") == state
            and all(body.get(key) == value for key, value in fields.items())
        )

    return match


def satellite_config(
    port: int,
    directory: Path,
    device: str,
    *,
    mqtt_settings: dict[str, Any] | None = None,
    display: dict[str, Any] | None = None,
) -> Path:
    """Write a png satellite's configuration for ``device`` on 127.0.0.1:``port``."""
    placeholder = Broker(directory=directory, port=port)
    return write_config(
        placeholder,
        directory,
        mqtt={"keepalive": 5, "reconnect_max": 2, **(mqtt_settings or {})},
        device={"name": device, "state_dir": str(directory / "state")},
        display={"offline_after": 120, **(display or {})},
    )


def password_env(password: str) -> dict[str, str]:
    """The environment that hands a satellite its MQTT password."""
    return dict(os.environ, EPAPER_MQTT_PASSWORD=password)


def draws(process: SatelliteProcess) -> int:
    """How many times the satellite refreshed its panel so far."""
    return process.log().count("Panel drawn")
