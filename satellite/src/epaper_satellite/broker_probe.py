"""One test connection to the broker with a satellite's settings: reachable, logged in, allowed.

Used by ``epaper-satellite init`` and ``epaper-satellite check``. The probe connects with
its own client id (``epaper-{device}-check``), so a satellite already running with the
same settings is not pushed off the broker, sets no last will and publishes no status.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .config import MqttConfig
from .mqtt_codes import ACL, TLS, UNREACHABLE, code_text, connect_refusal, rc_meaning
from .wire import topic

PROBE_ID = "epaper-satellite-check"


@dataclass(frozen=True)
class ProbeResult:
    """What one test connection found.

    ``rc`` is the seed's connect return code (0-5, others as the broker sent them) or
    None when no CONNACK came (network or TLS failure); ``code`` names it for people
    (``rc 5``, ``reason 0x95``); ``meaning`` says it in words; ``fix`` says what to change
    (None when all is well); ``kind`` is the kind of trouble (:mod:`.mqtt_codes`: LOGIN,
    REFUSED, UNREACHABLE, TLS, ACL; None when all is well); ``publish_allowed`` is whether
    the broker accepted a QoS 1 publish on the device's own ``/ack`` topic (None when not
    tried).
    """

    rc: int | None
    meaning: str
    fix: str | None = None
    publish_allowed: bool | None = None
    kind: str | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        """True when the broker accepted the login and the device's own topics."""
        return self.rc == 0 and self.publish_allowed is not False


def new_client(settings: MqttConfig, client_id: str) -> mqtt.Client:
    """Return a paho MQTT 5 client with the credentials and TLS of ``settings`` (not connected)."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
    )
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set(
            ca_certs=str(settings.ca_certs) if settings.ca_certs else None,
            certfile=str(settings.certfile) if settings.certfile else None,
            keyfile=str(settings.keyfile) if settings.keyfile else None,
            cert_reqs=ssl.CERT_NONE if settings.tls_insecure else ssl.CERT_REQUIRED,
        )
        client.tls_insecure_set(settings.tls_insecure)
    return client


def network_failure(settings: MqttConfig, err: Exception) -> ProbeResult:
    """What a failed TCP or TLS connect to the broker means (kind UNREACHABLE or TLS)."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(err, ssl.SSLCertVerificationError):
        return ProbeResult(
            None,
            f"TLS: certificate verify failed ({err.verify_message})",
            "give [mqtt] ca_certs the CA file that signed the broker's certificate, and a "
            "host name the certificate names",
            kind=TLS,
        )
    if isinstance(err, ssl.SSLError):
        return ProbeResult(
            None,
            f"TLS handshake with {where} failed ({err.reason or err})",
            "the port may not speak TLS (set tls = false for a plain port such as 1883), "
            "or speaks only TLS (port 8883 with tls = true)",
            kind=TLS,
        )
    if isinstance(err, socket.gaierror):
        return ProbeResult(
            None,
            f"host name {settings.host!r} not found",
            "check [mqtt] host (name or address)",
            kind=UNREACHABLE,
        )
    if isinstance(err, ConnectionRefusedError):
        return ProbeResult(
            None,
            f"nothing accepts connections on {where}",
            "check [mqtt] host and port, and that the broker runs",
            kind=UNREACHABLE,
        )
    if isinstance(err, TimeoutError | socket.timeout):
        return ProbeResult(
            None,
            f"no answer from {where}",
            "check the network path and the broker's firewall",
            kind=UNREACHABLE,
        )
    return ProbeResult(
        None, f"cannot reach {where}: {err}", "check [mqtt] host and port", kind=UNREACHABLE
    )


def probe_broker(
    settings: MqttConfig, device: str, topic_prefix: str | None = None, timeout: float = 10.0
) -> ProbeResult:
    """Connect once with ``settings`` as ``device``, publish on its ``/ack``, disconnect.

    ``timeout`` bounds each step in seconds. Never raises for network, TLS or broker
    errors: they come back as a :class:`ProbeResult` with words and a fix.
    """
    client = new_client(settings, f"epaper-{device}-check")
    connected = threading.Event()
    published = threading.Event()
    outcome: dict[str, Any] = {}

    def on_connect(_c: mqtt.Client, _u: object, _f: object, reason: Any, _p: object) -> None:
        outcome["rc"] = reason
        connected.set()

    def on_publish(_c: mqtt.Client, _u: object, _mid: int, reason: Any, _p: object) -> None:
        outcome["publish"] = reason
        published.set()

    client.on_connect = on_connect
    client.on_publish = on_publish
    try:
        client.connect(settings.host, settings.port, keepalive=max(5, int(timeout)))
    except (OSError, ValueError) as err:
        return network_failure(settings, err)
    client.loop_start()
    try:
        if not connected.wait(timeout):
            return ProbeResult(
                None,
                f"no CONNACK from {settings.host}:{settings.port} within {timeout:g} s",
                "is this an MQTT port? (8883 for TLS, 1883 plain)",
                kind=UNREACHABLE,
            )
        refusal = connect_refusal(outcome["rc"])
        if refusal is not None:
            return ProbeResult(
                refusal.rc,
                refusal.meaning,
                refusal.fix,
                kind=refusal.kind,
                code=code_text(outcome["rc"]),
            )
        ack_topic = topic(topic_prefix or settings.topic_prefix, device, "ack")
        ack = json.dumps({"id": PROBE_ID, "ok": True, "error": None})
        client.publish(ack_topic, ack, qos=1)
        if not published.wait(timeout):
            return ProbeResult(0, rc_meaning(0), f"no PUBACK on {ack_topic}", kind=ACL, code="rc 0")
        refused = getattr(outcome["publish"], "is_failure", False)
        if refused:
            return ProbeResult(
                0,
                rc_meaning(0),
                f"the broker refuses this user publishing on {ack_topic} ({outcome['publish']}): "
                "its ACL lets each user write only under its own name, so the broker user "
                f"must be named {device!r} like the device",
                publish_allowed=False,
                kind=ACL,
                code="rc 0",
            )
        return ProbeResult(0, rc_meaning(0), None, publish_allowed=True, code="rc 0")
    finally:
        client.disconnect()
        client.loop_stop()
