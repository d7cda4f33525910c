"""A single connect attempt that says what the broker answered (the "Test connection" button)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .return_codes import describe_connect_error, describe_return_code, return_code
from .settings import BrokerSettings, new_client_id


@dataclass(frozen=True)
class ConnectResult:
    """What one connect attempt gave: ``rc`` 0-5 when the broker answered, None otherwise."""

    ok: bool
    rc: int | None
    message: str
    elapsed_ms: float


def probe_connection(settings: BrokerSettings, timeout: float = 5.0) -> ConnectResult:
    """Connect once, wait for CONNACK, disconnect; never raises for broker trouble."""
    started = time.monotonic()

    def result(ok: bool, rc: int | None, message: str) -> ConnectResult:
        return ConnectResult(ok, rc, message, (time.monotonic() - started) * 1000.0)

    problems = settings.problems()
    if problems:
        return result(False, None, "Invalid settings: " + "; ".join(problems))
    answered = threading.Event()
    answer: dict[str, Any] = {}

    def on_connect(_c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        answer["reason"] = reason
        answered.set()

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=new_client_id("probe"),
        protocol=mqtt.MQTTv311,
        reconnect_on_failure=False,
    )
    client.connect_timeout = timeout
    client.on_connect = on_connect
    if settings.username:
        client.username_pw_set(settings.username, settings.password or None)
    if settings.use_tls:
        try:
            client.tls_set_context(settings.tls_context())
        except ValueError as exc:
            return result(False, None, str(exc))
    try:
        client.connect(settings.host, settings.port, settings.keepalive)
    except (OSError, ValueError) as exc:
        return result(False, None, describe_connect_error(settings.host, settings.port, exc))
    try:
        deadline = started + timeout
        while not answered.is_set() and time.monotonic() < deadline:
            if client.loop(timeout=0.1) != mqtt.MQTT_ERR_SUCCESS and not answered.is_set():
                return result(False, None, "The broker closed the connection without answering")
        if not answered.is_set():
            return result(False, None, f"No answer from the broker within {timeout:g} s")
        reason = answer["reason"]
        rc = return_code(reason)
        return result(rc == 0, rc, describe_return_code(reason))
    finally:
        client.disconnect()
