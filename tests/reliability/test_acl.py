"""Per-display users and the ACL of deploy/mosquitto, end to end with real satellite processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from epaper_satellite.wire import content_hash

from testbed.broker import Broker
from testbed.mqtt_peer import encode
from tests.conftest import BROKER_PASSWORD, BROKER_USER
from tests.reliability.helpers import (
    PREFIX,
    Watcher,
    password_env,
    room,
    satellite_config,
    status,
)
from tests.satellite.conftest import SatelliteProcess

Spawn = Callable[..., SatelliteProcess]


def test_each_display_reads_only_its_own_data_and_writes_only_its_own_status(
    mosquitto_acl: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """A and B draw their own rooms; A's credentials cannot get B's data nor forge B's status."""
    hub = Watcher(mosquitto_acl, BROKER_USER, BROKER_PASSWORD).start()
    try:
        data = {device: encode(room(device, f"Room {device}")) for device in ("room-a", "room-b")}
        for device, raw in data.items():
            hub.publish(f"{PREFIX}{device}/data", raw, retain=True)
        for device in data:
            satellite_process(
                satellite_config(
                    mosquitto_acl.port,
                    tmp_path / device,
                    device,
                    mqtt_settings={"username": device},
                ),
                password_env(mosquitto_acl.users[device]),
            )
        for device, raw in data.items():
            hub.wait(f"{PREFIX}{device}/status", status("online", content_hash=content_hash(raw)))

        # A satellite that calls itself room-b but holds room-a's credentials.
        mark = hub.mark()
        impostor = satellite_process(
            satellite_config(
                mosquitto_acl.port,
                tmp_path / "impostor",
                "room-b",
                mqtt_settings={"username": "room-a", "client_id": "impostor"},
            ),
            password_env(mosquitto_acl.users["room-a"]),
        )
        log = impostor.wait_log("The broker refused our publish on odoo_epaper/room-b/status")
        assert "Connected to" in log
        hub.publish(f"{PREFIX}room-b/cmd", {"cmd": "identify"})
        hub.publish(f"{PREFIX}room-b/data", room("room-b", "Room B, changed"), retain=True)
        real_b = hub.wait(
            f"{PREFIX}room-b/status",
            lambda m: m.json().get("content_hash") != content_hash(data["room-b"]),
            after=mark,
        )
        assert real_b.json()["state"] == "online"
        time.sleep(0.5)  # let anything the impostor might have sent arrive
        impostor_log = impostor.log()
        assert "Room data for" not in impostor_log
        assert "Command identify" not in impostor_log
        assert "Panel drawn" in impostor_log  # only its own waiting screen
        forged = [
            m
            for m in hub.on(f"{PREFIX}room-b/status", mark)
            if m.json().get("content_hash") is None
        ]
        assert forged == [], "the impostor's status reached the hub"
        assert hub.on(f"{PREFIX}room-b/snapshot", mark) != []  # the real B's picture only
        assert impostor.alive()
    finally:
        hub.stop()


def test_a_display_user_cannot_read_or_forge_other_topics(
    mosquitto_acl: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """With room-a's password a plain client sees only A's topics and cannot write B's or data."""
    hub = Watcher(mosquitto_acl, BROKER_USER, BROKER_PASSWORD).start()
    spy = Watcher(mosquitto_acl, "room-a", mosquitto_acl.users["room-a"]).start("#", "$SYS/#")
    try:
        satellite_process(
            satellite_config(
                mosquitto_acl.port, tmp_path / "b", "room-b", mqtt_settings={"username": "room-b"}
            ),
            password_env(mosquitto_acl.users["room-b"]),
        )
        hub.wait(f"{PREFIX}room-b/status", status("online"))
        hub.publish(f"{PREFIX}room-b/data", room("room-b"), retain=True)
        hub.publish(f"{PREFIX}room-b/test", {"id": "t-1", "text": "hello"})
        hub.wait(f"{PREFIX}room-b/ack", lambda m: m.json()["id"] == "t-1")
        mark = hub.mark()
        spy.publish(f"{PREFIX}room-b/status", {"state": "offline"}, retain=True)
        spy.publish(f"{PREFIX}room-b/data", room("room-b", "Forged"), retain=True)
        spy.publish(f"{PREFIX}room-b/ack", {"id": "t-1", "ok": False, "error": "forged"})
        spy.publish(f"{PREFIX}room-a/data", room("room-a", "Self-served"), retain=True)
        hub.publish(f"{PREFIX}room-a/data", room("room-a"), retain=True)
        spy.wait(f"{PREFIX}room-a/data")
        # A barrier after the forged messages: once the hub has it, anything the broker
        # let through from the spy would have reached the hub before it.
        spy.publish(f"{PREFIX}room-a/snapshot", b"barrier")
        hub.wait(f"{PREFIX}room-a/snapshot", lambda m: m.payload == b"barrier")
        forged = [encode({"state": "offline"}), encode(room("room-b", "Forged"))]
        assert all(m.payload not in forged for m in hub.on(f"{PREFIX}room-b/status", mark))
        assert hub.on(f"{PREFIX}room-b/data", mark) == []
        assert hub.on(f"{PREFIX}room-b/ack", mark) == []
        assert [m.json()["room"] for m in hub.on(f"{PREFIX}room-a/data", mark)] == ["Room"]
        assert {m.topic for m in spy.messages} == {f"{PREFIX}room-a/data"}
    finally:
        spy.stop()
        hub.stop()
