"""Small helpers of the addon tests: polling and a plain paho peer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from testbed.broker import Broker


def wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` every 20 ms until it is truthy or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


class Peer:
    """A real paho client standing in for a satellite or the hub."""

    def __init__(self, broker: Broker, client_id: str = "peer", **connect: Any) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.messages: list[mqtt.MQTTMessage] = []
        self.handlers: dict[str, Callable[[mqtt.MQTTMessage], None]] = {}
        self._subscribed = threading.Event()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: self._subscribed.set()
        if "username" in connect:
            self.client.username_pw_set(connect["username"], connect.get("password"))
        self.client.connect(broker.host, broker.port, 30)
        self.client.loop_start()

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        self.messages.append(message)
        for pattern, handler in self.handlers.items():
            if mqtt.topic_matches_sub(pattern, message.topic):
                handler(message)

    def subscribe(self, pattern: str, timeout: float = 5.0) -> None:
        """Subscribe and wait for the SUBACK."""
        self._subscribed.clear()
        self.client.subscribe(pattern, 1)
        assert self._subscribed.wait(timeout), f"no SUBACK for {pattern}"

    def publish(self, topic: str, payload: bytes | str, retain: bool = False) -> None:
        """Publish at QoS 1 and wait until the broker has it."""
        self.client.publish(topic, payload, 1, retain=retain).wait_for_publish(5)

    def on(self, pattern: str, handler: Callable[[mqtt.MQTTMessage], None]) -> None:
        """Call ``handler`` for every message matching ``pattern`` (subscribe first)."""
        self.handlers[pattern] = handler

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()
