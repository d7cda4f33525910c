"""One MQTT session of the Odoo addon: status mirror, change notices and test messages."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from .backoff import Backoff
from .events import ActionEvent, ConnectionEvent, Event, StatusEvent
from .return_codes import describe_connect_error, describe_return_code, return_code
from .settings import BrokerSettings, new_client_id
from .test_message import AckWaiter, TestMessageResult
from .wire import (
    HUB_PEER,
    ODOO_PEER,
    STATUS_OFFLINE,
    WireError,
    build_test_message,
    changed_payload,
    device_from_topic,
    is_valid_device_name,
    parse_ack,
    parse_status,
    topic,
)

_logger = logging.getLogger(__name__)

EventSink = Callable[[Event], None]


class BridgeClient:
    """A paho client in its own supervisor thread that keeps the session up."""

    def __init__(
        self,
        settings: BrokerSettings,
        on_event: EventSink | None = None,
        *,
        key: str | None = None,
        client_id: str | None = None,
        backoff: Backoff | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        problems = settings.problems()
        if problems:
            raise ValueError("; ".join(problems))
        self.settings = settings
        self.key = key or settings.connection_key()
        self.client_id = client_id or new_client_id()
        self.on_event = on_event
        self.backoff = backoff or Backoff()
        self.last_message = "not started"
        self.last_rc: int | None = None
        self._prefix = settings.topic_prefix
        self._statuses: dict[str, StatusEvent] = {}
        self._acks: dict[str, AckWaiter] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._ready_since = 0.0
        self._stop = threading.Event()
        self._pending_subs: set[int] = set()
        self._last_kind: str | None = None
        self._got_connack = False
        self._thread: threading.Thread | None = None
        self._client = self._make_client(connect_timeout)

    def _make_client(self, connect_timeout: float) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv311,
            reconnect_on_failure=False,
        )
        client.connect_timeout = connect_timeout
        if self.settings.username:
            client.username_pw_set(self.settings.username, self.settings.password or None)
        if self.settings.use_tls:
            client.tls_set_context(self.settings.tls_context())
        client.will_set(topic(self._prefix, ODOO_PEER, "status"), STATUS_OFFLINE, 1, retain=True)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> BridgeClient:
        """Start the supervisor thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._supervise, name=f"connection_conf-mqtt-{self.client_id}", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Announce offline, disconnect and join the thread."""
        self._stop.set()
        if self._ready.is_set():
            info = self._client.publish(
                topic(self._prefix, ODOO_PEER, "status"), STATUS_OFFLINE, 1, retain=True
            )
            try:
                info.wait_for_publish(min(timeout, 2.0))
            except (RuntimeError, ValueError):
                _logger.debug("offline status not published before stop")
        self._client.disconnect()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._ready.clear()

    @property
    def running(self) -> bool:
        """True while the supervisor thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def is_connected(self) -> bool:
        """True when the session is up and its subscriptions are acknowledged."""
        return self._ready.is_set() and self._client.is_connected()

    def connected_for(self) -> float:
        """Seconds since the session became ready (0 when it is not)."""
        return time.monotonic() - self._ready_since if self.is_connected() else 0.0

    def wait_connected(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for :meth:`is_connected`."""
        return self._ready.wait(timeout) and self._client.is_connected()

    def _supervise(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self._client.connect(
                    self.settings.host, self.settings.port, self.settings.keepalive
                )
            except (OSError, ValueError) as exc:
                message = describe_connect_error(self.settings.host, self.settings.port, exc)
                self._emit_connection("failed", message, None)
            else:
                if self._stop.is_set():  # stop() came while connect() was blocking
                    self._client.disconnect()
                    break
                self._disable_nagle()
                self._got_connack = False
                try:
                    self._client.loop_forever(retry_first_connection=False)
                except Exception:
                    _logger.exception("MQTT loop of %s stopped with an error", self.key)
                self._ready.clear()
                if not self._got_connack and not self._stop.is_set():
                    self._emit_connection(
                        "failed", "broker closed the connection before CONNACK", None
                    )
                if time.monotonic() - started > 30:
                    self.backoff.reset()
            if self._stop.wait(self.backoff.next_delay()):
                break

    def _disable_nagle(self) -> None:
        """Send small packets at once: halves the test-message round trip on loopback."""
        sock = self._client.socket()
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _emit_connection(self, kind: str, message: str, rc: int | None) -> None:
        changed = (kind, message) != (self._last_kind, self.last_message)
        self._last_kind = kind
        self.last_message = message
        self.last_rc = rc
        if not changed:
            return
        # A session Odoo stops itself (settings changed, shutdown) is no warning.
        log = _logger.info if kind == "connected" or self._stop.is_set() else _logger.warning
        log("MQTT %s (%s): %s", kind, self.key, message)
        self._emit(ConnectionEvent(connection_key=self.key, kind=kind, message=message, rc=rc))

    def _emit(self, event: Event) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            _logger.exception("event sink failed for %s", self.key)

    # -- paho callbacks (paho's thread) --------------------------------------

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._got_connack = True
        if self._stop.is_set():
            client.disconnect()
            return
        rc = return_code(reason)
        if getattr(reason, "is_failure", False) or rc not in (0, None):
            self._emit_connection("failed", describe_return_code(reason), rc)
            return
        self.backoff.reset()
        prefix = self._prefix
        wanted = [(topic(prefix, "+", "status"), 1), (topic(prefix, "+", "ack"), 1)]
        if self.settings.answer_actions:  # one Odoo process gets each door request
            wanted.append((f"$share/connection_conf/{topic(prefix, '+', 'action')}", 1))
        result, mid = client.subscribe(wanted)
        if result != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            self._emit_connection("failed", f"subscribe failed: {mqtt.error_string(result)}", rc)
            return
        with self._lock:
            self._pending_subs = {mid}
        client.publish(topic(prefix, ODOO_PEER, "status"), self._online_payload(), 1, retain=True)
        self._emit_connection("connected", describe_return_code(reason), rc)

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, mid: int, reasons: Any, _props: Any
    ) -> None:
        refused = [code for code in reasons if getattr(code, "is_failure", False)]
        if refused:
            _logger.warning(
                "broker refused subscriptions under %s (ACL?): %s", self._prefix, refused
            )
        with self._lock:
            self._pending_subs.discard(mid)
            if not self._pending_subs:
                self._ready_since = time.monotonic()
                self._ready.set()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._ready.clear()
        if self._stop.is_set():
            self._emit_connection("disconnected", "stopped", None)
            return
        if self._last_kind == "failed":
            return
        self._emit_connection("disconnected", f"connection lost: {reason}", None)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self._dispatch(message.topic, message.payload, bool(message.retain))
        except Exception:
            _logger.exception("message on %s could not be handled", message.topic)

    def _dispatch(self, topic_name: str, payload: bytes, retained: bool) -> None:
        device = device_from_topic(self._prefix, topic_name, "status")
        if device is not None:
            self._handle_status(device, payload, retained)
            return
        device = device_from_topic(self._prefix, topic_name, "ack")
        if device is not None:
            self._handle_ack(device, payload)
            return
        device = device_from_topic(self._prefix, topic_name, "action")
        if device is not None and self.settings.answer_actions:
            self._emit(ActionEvent(self.key, self._prefix, device, bytes(payload)))

    def _handle_status(self, device: str, payload: bytes, retained: bool) -> None:
        try:
            status = parse_status(payload)
        except WireError as exc:
            if payload:
                _logger.warning(
                    "ignored status of %r (%s): %s; the last good status stays",
                    device,
                    exc.reason,
                    exc,
                )
            return
        if device in (HUB_PEER, ODOO_PEER):
            return  # the hub's and Odoo's own statuses are not displays
        if not is_valid_device_name(device):
            _logger.warning(
                "ignored status on %s: %r is not a valid device name",
                topic(self._prefix, device, "status"),
                device,
            )
            return
        event = StatusEvent(
            connection_key=self.key, device=device, status=status, retained=retained
        )
        with self._lock:
            self._statuses[device] = event
        self._emit(event)

    def _handle_ack(self, device: str, payload: bytes) -> None:
        try:
            ack = parse_ack(payload)
        except WireError as exc:
            _logger.warning("ignored ack from %r (%s): %s", device, exc.reason, exc)
            return
        with self._lock:
            waiter = self._acks.get(ack.id)
        if waiter is None:
            _logger.debug("ack %s from %r answers no pending test message", ack.id, device)
            return
        waiter.ok = ack.ok
        waiter.error = ack.error
        waiter.received = time.monotonic()
        waiter.done.set()

    def _online_payload(self) -> str:
        publisher = "odoo" if self.settings.answer_actions else "home_assistant"
        return json.dumps(
            {"state": "online", "client_id": self.client_id, "error": None, "publisher": publisher}
        )

    # -- what the addon asks for --------------------------------------------

    def statuses(self) -> dict[str, StatusEvent]:
        """Return the last valid status of each device seen in this session."""
        with self._lock:
            return dict(self._statuses)

    def publish_changed(self, devices: list[str] | set[str], timeout: float = 5.0) -> bool:
        """Publish ``{prefix}_odoo/changed``; return True once the broker has it."""
        payload = changed_payload(devices)
        if not self.is_connected():
            return False
        info = self._client.publish(topic(self._prefix, ODOO_PEER, "changed"), payload, 1)
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as exc:
            _logger.warning("change notice not published: %s", exc)
            return False
        return info.is_published()

    @property
    def paho(self) -> mqtt.Client:
        """The paho client, for this package's publishing helpers (``publishing.py``)."""
        return self._client

    def publish_online(self) -> None:
        """Publish ``{prefix}_odoo/status`` online again (retained)."""
        if self.is_connected():
            self._client.publish(
                topic(self._prefix, ODOO_PEER, "status"), self._online_payload(), 1, retain=True
            )

    def send_test_message(
        self, device: str, text: str = "Test from Odoo", timeout: float = 10.0
    ) -> TestMessageResult:
        """Publish ``/test`` to a device and wait up to ``timeout`` s for its ``/ack``."""
        message_id = uuid.uuid4().hex[:12]

        def failed(error: str) -> TestMessageResult:
            return TestMessageResult(device, message_id, False, False, None, error)

        if not is_valid_device_name(device):
            return failed(f"{device!r} is not a valid device name")
        if not self.wait_connected(min(timeout, 5.0)):
            return failed(f"not connected to the broker ({self.last_message})")
        waiter = AckWaiter()
        with self._lock:
            self._acks[message_id] = waiter
        try:
            sent = time.monotonic()
            info = self._client.publish(
                topic(self._prefix, device, "test"),
                build_test_message(message_id, text),
                1,
            )
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return failed(f"publish failed: {mqtt.error_string(info.rc)}")
            if not waiter.done.wait(timeout):
                return failed(f"no acknowledgement within {timeout:g} s (is the display online?)")
            rtt_ms = (waiter.received - sent) * 1000.0
            return TestMessageResult(device, message_id, True, waiter.ok, rtt_ms, waiter.error)
        finally:
            with self._lock:
                self._acks.pop(message_id, None)
