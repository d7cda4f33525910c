"""Helpers for the reliability tests: an MQTT watcher and real satellite processes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testbed.broker import Broker
from testbed.mqtt_peer import Message, MqttPeer
from tests.satellite.conftest import SatelliteProcess, write_config

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


class Watcher(MqttPeer):
    """A peer that watches everything under the prefix unless given topics."""

    def start(self, *topics: str, qos: int = 1) -> Watcher:
        """Connect and subscribe (default: ``{prefix}#``)."""
        super().start(*(topics or (f"{PREFIX}#",)), qos=qos)
        return self


def status(state: str, **fields: Any) -> Callable[[Message], bool]:
    """Match a status payload with ``state`` and ``fields``."""

    def match(message: Message) -> bool:
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
