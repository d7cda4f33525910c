"""Publishing helpers of Odoo's sessions when Odoo is its broker's publisher: retained
``/data`` in rounds, ``/ack`` answers and ``/cmd`` commands (not retained)."""

from __future__ import annotations

import json
import logging
import time

from .client import BridgeClient
from .wire import topic

_logger = logging.getLogger(__name__)

COMMANDS = ("refresh", "full_refresh", "clear", "identify")


def publish_retained(
    client: BridgeClient, items: list[tuple[str, bytes]], qos: int = 1, timeout: float = 5.0
) -> list[str]:
    """Publish each ``(topic, payload)`` retained (``b""`` clears a topic), all at once,
    then wait up to ``timeout`` s in all; return the topics the broker has taken."""
    if not client.is_connected():
        return []
    paho = client.paho
    sent = [(name, paho.publish(name, payload, qos, retain=True)) for name, payload in items]
    deadline = time.monotonic() + timeout
    taken = []
    for name, info in sent:
        try:
            info.wait_for_publish(max(0.0, deadline - time.monotonic()))
        except (RuntimeError, ValueError) as exc:
            _logger.debug("retained publish to %s failed: %s", name, exc)
            continue
        if info.is_published():
            taken.append(name)
    return taken


def publish_to_door(
    client: BridgeClient, device: str, leaf: str, payload: bytes, timeout: float = 5.0
) -> bool:
    """Publish ``payload`` (QoS 1, not retained) on ``{prefix}{device}/{leaf}``; True once
    the broker has it."""
    if not client.is_connected():
        return False
    info = client.paho.publish(topic(client.settings.topic_prefix, device, leaf), payload, 1)
    try:
        info.wait_for_publish(timeout)
    except (RuntimeError, ValueError) as exc:
        _logger.warning("publish to %s/%s failed: %s", device, leaf, exc)
        return False
    return info.is_published()


def command_payload(cmd: str) -> bytes:
    """The ``/cmd`` payload of one of :data:`COMMANDS`; ValueError for another."""
    if cmd not in COMMANDS:
        raise ValueError(f"{cmd!r} is not one of {', '.join(COMMANDS)}")
    return json.dumps({"cmd": cmd}).encode()
