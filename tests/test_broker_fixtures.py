"""The mosquitto fixtures start real brokers that behave as configured."""

from __future__ import annotations

import queue
import ssl
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from testbed.broker import Broker, generate_tls
from tests.conftest import BROKER_PASSWORD, BROKER_USER


def _client(
    broker: Broker,
    *,
    user: str | None = None,
    password: str | None = None,
    ca: Path | None = None,
) -> tuple[mqtt.Client, queue.Queue[object]]:
    """Connect a paho client; return it with a queue of connect codes and messages."""
    events: queue.Queue[object] = queue.Queue()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    if user:
        client.username_pw_set(user, password)
    if ca:
        client.tls_set(ca_certs=str(ca))
    client.on_connect = lambda c, u, f, rc, p: events.put(("connect", rc.value))
    client.on_message = lambda c, u, msg: events.put((msg.topic, msg.payload, msg.retain))
    client.on_subscribe = lambda c, u, mid, rcs, p: events.put(("suback", [r.value for r in rcs]))
    try:
        client.connect(broker.host, broker.port, keepalive=10)
    except ssl.SSLError as err:
        events.put(("ssl", str(err)))
        return client, events
    client.loop_start()
    return client, events


def _next(events: queue.Queue[object], kind: str) -> object:
    while True:
        item = events.get(timeout=5)
        assert isinstance(item, tuple)
        if item[0] == kind:
            return item


def test_plain_broker_keeps_retained(mosquitto: Broker) -> None:
    pub, pub_events = _client(mosquitto)
    assert _next(pub_events, "connect") == ("connect", 0)
    pub.publish("odoo_epaper/r1/data", b"{}", qos=1, retain=True).wait_for_publish(5)
    sub, events = _client(mosquitto)
    _next(events, "connect")
    sub.subscribe("odoo_epaper/+/data", qos=1)
    assert _next(events, "odoo_epaper/r1/data") == ("odoo_epaper/r1/data", b"{}", True)
    for client in (pub, sub):
        client.disconnect()
        client.loop_stop()


def test_auth_broker_refuses_a_wrong_password(mosquitto_auth: Broker) -> None:
    good, good_events = _client(mosquitto_auth, user=BROKER_USER, password=BROKER_PASSWORD)
    assert _next(good_events, "connect") == ("connect", 0)
    bad, bad_events = _client(mosquitto_auth, user=BROKER_USER, password="wrong")
    # MQTT 3.1.1 CONNACK 5 "not authorised"; paho reports it as reason code 135.
    assert _next(bad_events, "connect") in {("connect", 135), ("connect", 134)}
    for client in (good, bad):
        client.disconnect()
        client.loop_stop()


def test_tls_broker_verifies_against_its_ca(mosquitto_tls: Broker, tmp_path: Path) -> None:
    assert mosquitto_tls.tls_files is not None
    client, events = _client(mosquitto_tls, ca=mosquitto_tls.tls_files.ca_cert)
    assert _next(events, "connect") == ("connect", 0)
    client.disconnect()
    client.loop_stop()

    other_ca = generate_tls(tmp_path / "other").ca_cert
    rogue, rogue_events = _client(mosquitto_tls, ca=other_ca)
    _kind, message = _next(rogue_events, "ssl")  # type: ignore[misc]
    assert "certificate verify failed" in message
    rogue.loop_stop()


def test_acl_broker_limits_each_device(mosquitto_acl: Broker) -> None:
    hub, hub_events = _client(mosquitto_acl, user=BROKER_USER, password=BROKER_PASSWORD)
    _next(hub_events, "connect")
    hub.subscribe("odoo_epaper/#", qos=1)
    _next(hub_events, "suback")
    room_a, a_events = _client(mosquitto_acl, user="room-a", password=mosquitto_acl.users["room-a"])
    _next(a_events, "connect")
    room_a.subscribe([("odoo_epaper/room-a/data", 1), ("odoo_epaper/room-b/data", 1)])
    # Mosquitto grants the subscription but never delivers what the ACL forbids.
    _next(a_events, "suback")
    room_a.publish("odoo_epaper/room-b/status", b"forged", qos=1).wait_for_publish(5)
    room_a.publish("odoo_epaper/room-a/status", b"online", qos=1).wait_for_publish(5)
    hub.publish("odoo_epaper/room-b/data", b"for b", qos=1).wait_for_publish(5)
    hub.publish("odoo_epaper/room-a/data", b"for a", qos=1).wait_for_publish(5)

    assert _next(hub_events, "odoo_epaper/room-a/status")[1] == b"online"  # type: ignore[index]
    assert _next(a_events, "odoo_epaper/room-a/data")[1] == b"for a"  # type: ignore[index]
    seen_by_hub: list[object] = []
    while not hub_events.empty():
        seen_by_hub.append(hub_events.get_nowait())
    seen_by_a: list[object] = []
    while not a_events.empty():
        seen_by_a.append(a_events.get_nowait())
    assert all(item[0] != "odoo_epaper/room-b/status" for item in seen_by_hub)  # type: ignore[index]
    assert all(item[0] != "odoo_epaper/room-b/data" for item in seen_by_a)  # type: ignore[index]
    for client in (hub, room_a):
        client.disconnect()
        client.loop_stop()


def test_broker_restart_keeps_the_port(mosquitto: Broker) -> None:
    port = mosquitto.port
    mosquitto.restart(down_for=0.1)
    assert mosquitto.port == port
    client, events = _client(mosquitto)
    assert _next(events, "connect") == ("connect", 0)
    client.disconnect()
    client.loop_stop()


def test_a_failing_test_gets_the_broker_log(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    pytester.makeconftest("pytest_plugins = ['tests.conftest']")
    pytester.makepyfile("def test_fails(mosquitto):\n    assert False\n")
    result = pytester.runpytest_subprocess("-p", "no:homeassistant", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*mosquitto 0 log (port *)*", "*mosquitto version*"])
