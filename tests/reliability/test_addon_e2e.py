"""The Odoo addon's session with real satellites: its own ACL user, and a broker restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from epaper_satellite.wire import content_hash
from mqtt_bridge import BridgeClient, Event, StatusEvent

from testbed.broker import Broker, mosquitto_users_script
from testbed.mqtt_peer import encode
from tests.addon.conftest import settings_for
from tests.conftest import BROKER_PASSWORD, BROKER_USER
from tests.reliability.helpers import (
    PREFIX,
    Watcher,
    draws,
    password_env,
    room,
    satellite_config,
    status,
)
from tests.satellite.conftest import SatelliteProcess, wait_until

Start = Callable[..., tuple[BridgeClient, list[Event]]]
Spawn = Callable[..., SatelliteProcess]
DEVICES = ("room-a", "room-b")


def _start_satellites(
    broker: Broker, spawn: Spawn, tmp_path: Path, *, own_users: bool
) -> dict[str, SatelliteProcess]:
    processes = {}
    for device in DEVICES:
        settings = {"username": device} if own_users else {}
        env = password_env(broker.users[device]) if own_users else None
        processes[device] = spawn(
            satellite_config(broker.port, tmp_path / device, device, mqtt_settings=settings), env
        )
    return processes


def _online_with(client: BridgeClient, device: str, digest: str, after: float = 0.0) -> bool:
    event = client.statuses().get(device)
    return (
        event is not None
        and event.received_at.timestamp() >= after
        and event.status.state == "online"
        and event.status.content_hash == digest
    )


def test_addon_works_under_the_acl_with_its_own_user(
    mosquitto_acl: Broker, satellite_process: Spawn, start_client: Start, tmp_path: Path
) -> None:
    """User ``odoo`` mirrors both displays, gets test acks and sends change notices."""
    hub = Watcher(mosquitto_acl, BROKER_USER, BROKER_PASSWORD).start()
    try:
        data = {device: encode(room(device, device.upper())) for device in DEVICES}
        for device, raw in data.items():
            hub.publish(f"{PREFIX}{device}/data", raw, retain=True)
        _start_satellites(mosquitto_acl, satellite_process, tmp_path, own_users=True)
        client, _events = start_client(
            settings_for(mosquitto_acl, username="odoo", password=mosquitto_acl.users["odoo"])
        )
        assert client.wait_connected(5)
        for device, raw in data.items():
            wait_until(lambda d=device, r=raw: _online_with(client, d, content_hash(r)), 10, device)
        result = client.send_test_message("room-a", "Hello from Odoo", timeout=5)
        assert result.acked and result.ok, result.summary()
        assert client.publish_changed(["room-b"])
        hub.wait(f"{PREFIX}_odoo/changed", lambda m: m.json() == {"devices": ["room-b"]})
        hub.wait(f"{PREFIX}_odoo/status", status("online"))
    finally:
        hub.stop()


def test_broker_restart_with_the_addon_and_two_satellites_connected(
    broker_factory: Callable[..., Broker],
    satellite_process: Spawn,
    start_client: Start,
    tmp_path: Path,
) -> None:
    """All reconnect on their own, statuses return to online, the panels keep their rooms."""
    broker = broker_factory(users={device: f"{device}-pw" for device in DEVICES} | {"hub": "h"})
    hub = Watcher(broker, "hub", "h").start()
    data = {device: encode(room(device, device.upper())) for device in DEVICES}
    for device, raw in data.items():
        hub.publish(f"{PREFIX}{device}/data", raw, retain=True)
    hub.stop()
    satellites = _start_satellites(broker, satellite_process, tmp_path, own_users=True)
    client, events = start_client(settings_for(broker, username="hub", password="h"))
    assert client.wait_connected(5)
    for device, raw in data.items():
        wait_until(lambda d=device, r=raw: _online_with(client, d, content_hash(r)), 10, device)
    drawn = {device: draws(process) for device, process in satellites.items()}

    broker.restart(down_for=1.0)
    restarted = time.time()
    assert client.wait_connected(15)
    for device, raw in data.items():
        wait_until(
            lambda d=device, r=raw: _online_with(client, d, content_hash(r), restarted),
            15,
            f"{device} online again after the restart",
        )
    # persistence is off: the hub republishes; the satellites already show it and do not redraw
    hub = Watcher(broker, "hub", "h").start()
    try:
        for device, raw in data.items():
            hub.publish(f"{PREFIX}{device}/data", raw, retain=True)
        hub.publish(f"{PREFIX}room-a/test", {"id": "after-restart", "text": "x"})
        hub.wait(f"{PREFIX}room-a/ack", lambda m: m.json()["id"] == "after-restart")
    finally:
        hub.stop()
    for device, process in satellites.items():
        assert process.alive()
        log = process.log()
        assert log.count("Connected to") == 2, log
        assert draws(process) == drawn[device] + (1 if device == "room-a" else 0), log
        assert "Traceback" not in log
    kinds = [e.kind for e in events if not isinstance(e, StatusEvent)]
    assert kinds[-1] == "connected" and "disconnected" in kinds


def test_tls_and_acl_together(
    broker_factory: Callable[..., Broker],
    satellite_process: Spawn,
    start_client: Start,
    tmp_path: Path,
) -> None:
    """Every link verified TLS with its own user: data in, status and test ack out."""
    acl = mosquitto_users_script().build_acl(PREFIX, "hub", "odoo")
    users = {"hub": "hub-pw", "odoo": "odoo-pw"} | {d: f"{d}-pw" for d in DEVICES}
    broker = broker_factory(users=users, acl=acl, tls=True)
    assert broker.tls_files is not None
    ca = broker.tls_files.ca_cert
    hub = Watcher(broker, "hub", "hub-pw", ca_cert=ca).start()
    try:
        raw = encode(room("room-a", "Secure room"))
        hub.publish(f"{PREFIX}room-a/data", raw, retain=True)
        process = satellite_process(
            satellite_config(
                broker.port,
                tmp_path,
                "room-a",
                mqtt_settings={"username": "room-a", "tls": True, "ca_certs": str(ca)},
            ),
            password_env("room-a-pw"),
        )
        hub.wait(f"{PREFIX}room-a/status", status("online", content_hash=content_hash(raw)))
        client, _events = start_client(settings_for(broker, username="odoo", password="odoo-pw"))
        assert client.settings.use_tls and client.wait_connected(5)
        wait_until(lambda: _online_with(client, "room-a", content_hash(raw)), 10, "the mirror")
        result = client.send_test_message("room-a", "over TLS", timeout=5)
        assert result.acked and result.ok, result.summary()
        assert "(tls on)" in process.log()
    finally:
        hub.stop()
