"""MQTTSession: the satellite's MQTT client (TLS, backoff, client-id conflicts, ACL refusals)."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from .broker_probe import network_failure, new_client
from .config import Config
from .mqtt_codes import (
    CONNECTED,
    CONNECTING,
    REFUSED,
    code_text,
    connect_refusal,
    rc_meaning,
    seed_rc,
)
from .wire import MAX_SNAPSHOT, topic

_LOGGER = logging.getLogger(__name__)
MAX_WAIT = 0.5
EXIT_PUBLISH_TIMEOUT = 2.0
SESSION_TAKEN_OVER = 142  # MQTT 5 DISCONNECT reason: another client connected with our id
NOT_AUTHORIZED = 135  # MQTT 5 PUBACK reason: the ACL refused the publish
# Brokers that close a taken-over session without a reason (Mosquitto 2.0.11): this many
# closes of an established session within the window, each time accepted again at once,
# are taken as another client using the same client id.
KICKS = 3
KICK_WINDOW = 60.0
LEAVES = ("data", "test", "cmd", "status", "ack", "snapshot", "action")

MessageHandler = Callable[[mqtt.Client, Any, mqtt.MQTTMessage], None]


def _reason_value(reason: Any) -> int | None:
    """Return the numeric value of a paho reason code, or None for other values."""
    value = getattr(reason, "value", reason)
    return value if isinstance(value, int) else None


def _compact(payload: dict[str, Any]) -> str:
    """Serialize a JSON object without blanks, as every satellite publish is sent."""
    return json.dumps(payload, separators=(",", ":"))


class MQTTSession:
    """One display's MQTT 5 session: connect, reconnect with backoff, subscribe, publish.

    ``on_online`` runs after each successful connect (subscriptions are sent);
    ``on_message`` is paho's message callback. ``stop`` ends waiting and reconnecting.
    Times are ``monotonic`` seconds. It knows nothing of the panel.
    """

    def __init__(
        self,
        config: Config,
        *,
        on_online: Callable[[], None],
        on_message: MessageHandler,
        stop: threading.Event,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep the settings and callbacks; nothing touches the network yet."""
        self.config = config
        self.device = config.device.name
        self.topics = {
            leaf: topic(config.mqtt.topic_prefix, config.device.name, leaf) for leaf in LEAVES
        }
        self.monotonic = monotonic
        self.client: mqtt.Client | None = None
        self.client_id = config.mqtt.client_id or f"epaper-{self.device}"
        self.connected = False
        self.rc: int | None = None
        # Why the last connection attempt failed (mqtt_codes' LOGIN, REFUSED, UNREACHABLE,
        # TLS); None while connected or before the first attempt's outcome.
        self.problem: str | None = None
        self.conflict: str | None = None  # a client-id conflict: reported until the restart
        self.disconnected_since: float | None = monotonic()
        self._on_online = on_online
        self._on_message = on_message
        self._stop = stop
        self._socket_open = False
        self._backoff = 1.0
        self._next_attempt = 0.0
        self._kicks: deque[float] = deque()
        self._publishing: dict[int, str] = {}
        self._refusal_logged = False

    def link(self) -> str:
        """The broker link in one word: CONNECTED, CONNECTING (no outcome yet, or
        reconnecting after a loss) or the kind of the last failure (:mod:`.mqtt_codes`)."""
        if self.connected:
            return CONNECTED
        return self.problem or CONNECTING

    # Connecting ------------------------------------------------------------

    def connect(self) -> mqtt.Client:
        """Create the MQTT client (TLS, credentials, LWT) and make the first connection attempt."""
        settings = self.config.mqtt
        self.client_id = settings.client_id or f"epaper-{self.device}"
        client = self._new_client(self.client_id)
        _LOGGER.info(
            "MQTT client %s for %s:%d (tls %s), topics %s#",
            self.client_id,
            settings.host,
            settings.port,
            ("on, certificate NOT verified" if settings.tls_insecure else "on")
            if settings.tls
            else "off",
            self.config.base_topic,
        )
        self._attempt_connect()
        return client

    def _new_client(self, client_id: str) -> mqtt.Client:
        client = new_client(self.config.mqtt, client_id)
        client.will_set(self.topics["status"], json.dumps({"state": "offline"}), qos=1, retain=True)
        client.on_connect = self.on_connect
        client.on_disconnect = self.on_disconnect
        client.on_message = self._on_message
        client.on_publish = self.on_publish
        self.client = client
        return client

    def _attempt_connect(self) -> None:
        assert self.client is not None
        settings = self.config.mqtt
        if settings.tls and settings.tls_insecure:
            _LOGGER.warning(
                "TLS certificate verification is OFF for %s:%d (tls_insecure = true): "
                "anyone on the network path can pose as the broker; give ca_certs instead",
                settings.host,
                settings.port,
            )
        try:
            if self.client.host:
                self.client.reconnect()
            else:
                self.client.connect(
                    settings.host, settings.port, settings.keepalive, clean_start=True
                )
        except (OSError, ValueError) as err:
            failure = network_failure(settings, err)
            self.problem = failure.kind
            _LOGGER.warning(
                "Cannot reach broker %s:%d: %s; %s",
                settings.host,
                settings.port,
                failure.meaning,
                failure.fix,
            )
            self._kicks.clear()
            self._schedule_reconnect()
            return
        self._socket_open = True

    def _client_id_taken(self, *, suspected: bool = False) -> None:
        """Another client connected with our client id: say so, and step aside to a new id."""
        taken = self.client_id
        self.client_id = f"{taken}-{secrets.token_hex(3)}"
        if suspected:
            why = (
                f"The broker closed this connection {KICKS} times in {KICK_WINDOW:.0f} s and "
                f"accepted it again at once each time: another client probably uses the same "
                f"client id {taken!r}, or the network keeps dropping."
            )
        else:
            why = (
                "The broker closed this connection because another client connected with the "
                f"same client id {taken!r} (session taken over)."
            )
        _LOGGER.error(
            "%s Is a second satellite configured with device name %r? Each display needs its "
            "own [device] name. Reconnecting as %r so that the two stop taking turns",
            why,
            self.device,
            self.client_id,
        )
        self.conflict = (
            f"client id {taken}: the broker keeps closing the session (same device name twice?)"
            if suspected
            else f"client id {taken} taken over by another client"
        )
        self._kicks.clear()
        self._new_client(self.client_id)
        self._backoff = 1.0
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        self._socket_open = False
        self._next_attempt = self.monotonic() + self._backoff
        _LOGGER.info("Next connection attempt in %.0f s", self._backoff)
        self._backoff = min(self._backoff * 2, self.config.mqtt.reconnect_max)

    def _note_kick(self) -> bool:
        """Count a close of an established session; True when they look like an id conflict."""
        now = self.monotonic()
        self._kicks.append(now)
        while self._kicks and self._kicks[0] < now - KICK_WINDOW:
            self._kicks.popleft()
        return len(self._kicks) >= KICKS

    # paho callbacks --------------------------------------------------------

    def on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason_code: Any,
        properties: Any = None,
    ) -> None:
        """Subscribe to data, test, cmd and ack, then hand over to ``on_online``."""
        self.rc = seed_rc(reason_code)
        refusal = connect_refusal(reason_code)
        if refusal is not None:
            self.problem = refusal.kind
            self._kicks.clear()
            _LOGGER.error(
                "MQTT connect failed (%s): %s; %s",
                code_text(reason_code),
                refusal.meaning,
                refusal.fix,
            )
            return
        _LOGGER.info(
            "Connected to %s:%d (rc 0: %s)",
            self.config.mqtt.host,
            self.config.mqtt.port,
            rc_meaning(0),
        )
        self.connected = True
        self.problem = None
        self._backoff = 1.0
        self.disconnected_since = None
        self._refusal_logged = False
        self._publishing.clear()
        qos = self.config.mqtt.qos
        # /ack: the hub's answers to this door's /action (no_local: not our own /test acks).
        client.subscribe(
            [
                (self.topics["data"], mqtt.SubscribeOptions(qos=qos)),
                (self.topics["test"], mqtt.SubscribeOptions(qos=1)),
                (self.topics["cmd"], mqtt.SubscribeOptions(qos=1)),
                (self.topics["ack"], mqtt.SubscribeOptions(qos=1, noLocal=True)),
            ]
        )
        self._on_online()

    def on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason_code: Any,
        properties: Any = None,
    ) -> None:
        """Note the loss, and plan the reconnect with capped exponential backoff."""
        was_connected = self.connected
        self.connected = False
        if self.disconnected_since is None:
            self.disconnected_since = self.monotonic()
        if self._stop.is_set():
            return
        if client is self.client and _reason_value(reason_code) == SESSION_TAKEN_OVER:
            self._client_id_taken()
            return
        if was_connected and self._note_kick():
            self._client_id_taken(suspected=True)
            return
        if was_connected:
            _LOGGER.warning("Disconnected from the broker: %s", reason_code)
        elif self.problem is None:  # closed before any CONNACK
            self.problem = REFUSED
        self._schedule_reconnect()

    def on_publish(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_code: Any,
        properties: Any = None,
    ) -> None:
        """Log once per connection when the broker's ACL refuses what we publish."""
        topic = self._publishing.pop(mid, None)
        if topic is None or _reason_value(reason_code) != NOT_AUTHORIZED:
            return
        if not self._refusal_logged:
            self._refusal_logged = True
            _LOGGER.error(
                "The broker refused our publish on %s (not authorised): user %r may not "
                "write the topics of device %r; check the broker's ACL and this [device] name",
                topic,
                self.config.mqtt.username,
                self.device,
            )

    # Publishing ------------------------------------------------------------

    def publish_status(self, status: dict[str, Any]) -> mqtt.MQTTMessageInfo | None:
        """Publish the retained status document (QoS 1); None when not connected."""
        if self.client is None or not self.connected:
            return None
        info = self.client.publish(self.topics["status"], _compact(status), qos=1, retain=True)
        self._publishing[info.mid] = self.topics["status"]
        return info

    def publish_snapshot(self, png: bytes | None) -> None:
        """Publish the retained PNG of the panel (QoS 0), when connected and there is one.

        A PNG over the contract's bound (``wire.MAX_SNAPSHOT`` bytes) is not sent: a broker
        would drop the connection for it (Mosquitto 2.1's ``max_packet_size``).
        """
        if self.client is None or not self.connected or png is None:
            return
        if len(png) > MAX_SNAPSHOT:
            _LOGGER.warning(
                "Snapshot of %d bytes is over the contract's %d; not published",
                len(png),
                MAX_SNAPSHOT,
            )
            return
        self.client.publish(self.topics["snapshot"], png, qos=0, retain=True)

    def publish_ack(self, test_id: str, *, ok: bool, error: str | None) -> None:
        """Answer a /test with ``{"id", "ok", "error"}`` on /ack (QoS 1, not retained)."""
        if self.client is not None and self.connected:
            payload = _compact({"id": test_id, "ok": ok, "error": error})
            info = self.client.publish(self.topics["ack"], payload, qos=1)
            self._publishing[info.mid] = self.topics["ack"]

    def publish_action(self, payload: bytes) -> bool:
        """Publish a door's ``/action`` (QoS 1, not retained); False when not connected."""
        if self.client is None or not self.connected:
            return False
        info = self.client.publish(self.topics["action"], payload, qos=1)
        self._publishing[info.mid] = self.topics["action"]
        return True

    # Main loop -------------------------------------------------------------

    def step(self) -> None:
        """Serve the socket for up to MAX_WAIT seconds, or wait for the next attempt and make it."""
        assert self.client is not None
        if self._socket_open:
            result = self.client.loop(timeout=MAX_WAIT)
            if (
                result != mqtt.MQTT_ERR_SUCCESS
                and self._socket_open
                and not self.client.is_connected()
            ):
                self.on_disconnect(self.client, None, None, mqtt.error_string(result))
            return
        wait = self._next_attempt - self.monotonic()
        if wait <= 0:
            self._attempt_connect()
        else:
            self._stop.wait(min(wait, MAX_WAIT))

    def close(self, last_status: dict[str, Any]) -> None:
        """Publish ``last_status`` (waiting up to EXIT_PUBLISH_TIMEOUT seconds), then disconnect."""
        client = self.client
        if client is None or not self.connected:
            return
        info = self.publish_status(last_status)
        deadline = self.monotonic() + EXIT_PUBLISH_TIMEOUT
        while info is not None and not info.is_published() and self.monotonic() < deadline:
            client.loop(timeout=0.1)
        client.disconnect()
        client.loop(timeout=0.1)
        _LOGGER.info("Offline status published, disconnected")
