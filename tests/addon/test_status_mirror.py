"""Statuses on a real broker become online/offline/error events with timestamps."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from mqtt_bridge import Backoff, BridgeClient, ConnectionEvent, Event, StatusEvent

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer, wait_for
from tests.fixtures.vectors import load_vectors, raw_payload

Start = Callable[..., tuple[BridgeClient, list[Event]]]
PREFIX = "odoo_epaper/"


def statuses(events: list[Event], device: str) -> list[StatusEvent]:
    """Return the status events of ``device``."""
    return [e for e in events if isinstance(e, StatusEvent) and e.device == device]


def test_retained_statuses_arrive_on_connect(mosquitto: Broker, start_client: Start) -> None:
    """Retained statuses published before Odoo connects become events, flagged retained."""
    peer = Peer(mosquitto)
    online = {"state": "online", "version": "1.0.0", "panel": "epd7in5_V2", "error": None}
    peer.publish(f"{PREFIX}reception/status", json.dumps(online), retain=True)
    peer.publish(f"{PREFIX}boardroom/status", "offline", retain=True)
    rejected = {"state": "online", "error": "data rejected: v is not 1"}
    peer.publish(f"{PREFIX}lobby/status", json.dumps(rejected), retain=True)
    before = dt.datetime.now(dt.UTC)

    client, events = start_client(settings_for(mosquitto))

    assert wait_for(lambda: len(client.statuses()) == 3)
    known = client.statuses()
    assert {name: event.state for name, event in known.items()} == {
        "reception": "online",
        "boardroom": "offline",
        "lobby": "error",
    }
    assert known["lobby"].error == "data rejected: v is not 1"
    assert known["reception"].status.panel == "epd7in5_V2"
    for event in known.values():
        assert event.retained
        assert before <= event.received_at <= dt.datetime.now(dt.UTC)
    assert isinstance(events[0], ConnectionEvent)
    assert events[0].kind == "connected"
    peer.close()


def test_lwt_of_a_dead_satellite_becomes_offline(mosquitto: Broker, start_client: Start) -> None:
    """A satellite killed hard: the broker's LWT reaches Odoo as an offline event."""
    client, events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    topic = f"{PREFIX}door-7/status"
    satellite = subprocess.Popen(
        [
            "mosquitto_sub",
            "-h",
            mosquitto.host,
            "-p",
            str(mosquitto.port),
            "-i",
            "door-7",
            "-t",
            f"{PREFIX}door-7/data",
            "--will-topic",
            topic,
            "--will-payload",
            '{"state":"offline"}',
            "--will-retain",
            "--will-qos",
            "1",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        peer = Peer(mosquitto, client_id="door-7-announcer")
        assert wait_for(lambda: "door-7" in mosquitto.log())
        peer.publish(topic, json.dumps({"state": "online", "error": None}), retain=True)
        assert wait_for(lambda: [e.state for e in statuses(events, "door-7")] == ["online"])
        satellite.kill()
        assert wait_for(lambda: [e.state for e in statuses(events, "door-7")][-1:] == ["offline"])
        last = statuses(events, "door-7")[-1]
        assert not last.retained
        assert last.received_at > statuses(events, "door-7")[0].received_at
        peer.close()
    finally:
        satellite.kill()
        satellite.wait(5)


def test_odoo_lwt_and_online_status(mosquitto: Broker, start_client: Start) -> None:
    """Odoo announces itself online (retained) and its LWT says offline when it dies."""
    client, _events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    peer = Peer(mosquitto)
    peer.subscribe(f"{PREFIX}_odoo/status")
    assert wait_for(lambda: peer.messages)
    assert json.loads(peer.messages[-1].payload)["state"] == "online"
    assert peer.messages[-1].retain
    client._client.socket().close()  # a crash: no DISCONNECT, so the broker sends the will
    assert wait_for(lambda: json.loads(peer.messages[-1].payload) == {"state": "offline"}, 10)
    peer.close()


def test_clean_stop_publishes_offline(mosquitto: Broker, start_client: Start) -> None:
    """Stopping the client publishes the retained offline status itself."""
    client, events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    client.stop()
    assert not client.running
    peer = Peer(mosquitto)
    peer.subscribe(f"{PREFIX}_odoo/status")
    assert wait_for(lambda: peer.messages)
    assert json.loads(peer.messages[-1].payload) == {"state": "offline"}
    assert [e.kind for e in events if isinstance(e, ConnectionEvent)][-1] == "disconnected"
    peer.close()


STATUS_CASES = load_vectors("status")["cases"]


def test_junk_on_status_topics_never_kills_the_thread(
    mosquitto: Broker, start_client: Start, caplog: pytest.LogCaptureFixture
) -> None:
    """Every invalid vector, bad topics and odd acks: logged, ignored, the last good stays."""
    client, events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    peer = Peer(mosquitto)
    peer.publish(f"{PREFIX}hall/status", "online")
    assert wait_for(lambda: statuses(events, "hall"))
    invalid = [c for c in STATUS_CASES if not c["valid"]]
    for case in invalid:
        peer.publish(f"{PREFIX}hall/status", raw_payload(case))
    for junk_topic in (f"{PREFIX}Hall/status", f"{PREFIX}bad name/status"):
        peer.publish(junk_topic, "online")
    peer.publish(f"{PREFIX}hall/ack", b"\xff\xfe")
    peer.publish(f"{PREFIX}hall/ack", b'{"id":"nobody","ok":true,"error":null}')
    peer.publish(f"{PREFIX}hall/status", "offline")

    assert wait_for(lambda: len(statuses(events, "hall")) == 2)
    assert [e.state for e in statuses(events, "hall")] == ["online", "offline"]
    assert client.running
    assert client.is_connected()
    assert {e.device for e in events if isinstance(e, StatusEvent)} == {"hall"}
    reasons = {c["reason"] for c in invalid if c["reason"] != "empty"}
    logged = caplog.text
    for reason in reasons:
        assert f"({reason})" in logged, reason
    peer.close()


def test_valid_vectors_over_the_broker(mosquitto: Broker, start_client: Start) -> None:
    """Every valid status case sent over the broker yields its state."""
    client, _events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    peer = Peer(mosquitto)
    valid = [c for c in STATUS_CASES if c["valid"]]
    for index, case in enumerate(valid):
        peer.publish(f"{PREFIX}dev-{index}/status", raw_payload(case))
    assert wait_for(lambda: len(client.statuses()) == len(valid))
    for index, case in enumerate(valid):
        event = client.statuses()[f"dev-{index}"]
        assert event.status.state == case["state"], case["name"]
        assert event.error == case["error"], case["name"]
    peer.close()


def test_hub_and_odoo_peers_are_not_displays(mosquitto: Broker, start_client: Start) -> None:
    """``_hub`` and ``_odoo`` statuses are tracked apart, never mirrored as displays."""
    client, events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    peer = Peer(mosquitto)
    peer.publish(f"{PREFIX}_hub/status", "online", retain=True)
    peer.publish(f"{PREFIX}_odoo/status", "online", retain=True)
    # One publisher's messages arrive in order: once the display's is in, the peers' were.
    peer.publish(f"{PREFIX}hall/status", "online", retain=True)
    assert wait_for(lambda: statuses(events, "hall"))
    assert {e.device for e in events if isinstance(e, StatusEvent)} == {"hall"}
    peer.close()


def test_reconnects_after_broker_restart(mosquitto: Broker, start_client: Start) -> None:
    """A broker restart: disconnected event, then connected again and statuses re-read."""
    peer: Any = Peer(mosquitto)
    peer.publish(f"{PREFIX}reception/status", "online", retain=True)
    peer.close()
    client, events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    client.backoff.first = 0.2
    mosquitto.restart()
    kinds = lambda: [e.kind for e in events if isinstance(e, ConnectionEvent)]  # noqa: E731
    assert wait_for(lambda: "disconnected" in kinds(), 10)
    assert wait_for(lambda: kinds()[-1] == "connected" and client.is_connected(), 15)
    # persistence is off: the retained status is gone, the session itself is back
    peer = Peer(mosquitto)
    peer.publish(f"{PREFIX}reception/status", "offline")
    assert wait_for(lambda: statuses(events, "reception")[-1].state == "offline")
    peer.close()


def test_connects_once_the_broker_comes_up(mosquitto: Broker, start_client: Start) -> None:
    """Broker down at start: failed event, then the backoff retries until it is up."""
    mosquitto.stop()
    client, events = start_client(settings_for(mosquitto), backoff=Backoff(first=0.1, maximum=0.5))
    assert wait_for(lambda: events)
    assert isinstance(events[0], ConnectionEvent) and events[0].kind == "failed"
    mosquitto.start()
    assert client.wait_connected(10)
    kinds = [e.kind for e in events if isinstance(e, ConnectionEvent)]
    assert kinds[-1] == "connected"
    assert kinds.count("failed") == 1  # the same failure is reported once, not per attempt


def test_stop_right_after_start_never_leaves_a_thread(mosquitto: Broker) -> None:
    """Stopping while the first connect is under way still ends the session thread."""
    for _ in range(20):
        client = BridgeClient(settings_for(mosquitto)).start()
        client.stop()
        assert not client.running
        assert not client.is_connected()
