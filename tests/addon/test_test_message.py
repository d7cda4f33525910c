"""``publish_test_message``: ``/test`` out, ``/ack`` back, round-trip time measured."""

from __future__ import annotations

import json
from collections.abc import Callable

import paho.mqtt.client as mqtt
from mqtt_bridge import BridgeClient, Event

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer
from tests.fixtures.vectors import load_vectors

Start = Callable[..., tuple[BridgeClient, list[Event]]]
PREFIX = "odoo_epaper/"


def answering_satellite(broker: Broker, device: str, ok: bool = True) -> Peer:
    """A paho peer that answers ``/test`` on ``/ack`` the way the contract says."""
    peer = Peer(broker, client_id=device)

    def answer(message: mqtt.MQTTMessage) -> None:
        request = json.loads(message.payload)
        ack = {"id": request["id"], "ok": ok, "error": None if ok else "text must be a string"}
        peer.client.publish(f"{PREFIX}{device}/ack", json.dumps(ack), 1)

    peer.on(f"{PREFIX}{device}/test", answer)
    peer.subscribe(f"{PREFIX}{device}/test")
    return peer


def test_round_trip_with_an_answering_peer(mosquitto: Broker, start_client: Start) -> None:
    """The ack arrives, ``ok`` is true and the round trip is measured."""
    peer = answering_satellite(mosquitto, "reception")
    client, _ = start_client(settings_for(mosquitto))
    result = client.send_test_message("reception", "Hello from Odoo", timeout=5)
    assert result.acked and result.ok
    assert result.rtt_ms is not None and 0 < result.rtt_ms < 5000
    sent = json.loads(peer.messages[-1].payload)
    assert sent == {"id": result.message_id, "text": "Hello from Odoo"}
    assert "acknowledged" in result.summary()
    peer.close()


def test_test_message_payload_is_a_valid_vector_shape(
    mosquitto: Broker, start_client: Start
) -> None:
    """What Odoo sends has the keys and types of a valid test.json case (id <= 64)."""
    valid = next(c for c in load_vectors("test")["cases"] if c["name"] == "non-Latin text")
    peer = answering_satellite(mosquitto, "lobby")
    client, _ = start_client(settings_for(mosquitto))
    result = client.send_test_message("lobby", valid["payload"]["text"], timeout=5)
    assert result.acked
    sent = json.loads(peer.messages[-1].payload)
    assert set(sent) == set(valid["payload"])
    assert isinstance(sent["id"], str) and 0 < len(sent["id"]) <= 64
    assert sent["text"] == valid["payload"]["text"]
    peer.close()


def test_negative_ack_is_reported(mosquitto: Broker, start_client: Start) -> None:
    """A satellite that answers ``ok: false`` gives the error text."""
    peer = answering_satellite(mosquitto, "hall", ok=False)
    client, _ = start_client(settings_for(mosquitto))
    result = client.send_test_message("hall", "x", timeout=5)
    assert result.acked and not result.ok
    assert result.error == "text must be a string"
    assert "error" in result.summary()
    peer.close()


def test_no_ack_times_out(mosquitto: Broker, start_client: Start) -> None:
    """Nobody answers: not acked, and the message says how long it waited."""
    client, _ = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    result = client.send_test_message("ghost", "anyone?", timeout=0.5)
    assert not result.acked
    assert result.error is not None and "0.5 s" in result.error


def test_ack_for_another_id_is_ignored(mosquitto: Broker, start_client: Start) -> None:
    """An ack with a foreign id does not complete the wait."""
    peer = Peer(mosquitto, client_id="liar")
    peer.on(
        f"{PREFIX}liar/test",
        lambda _m: peer.client.publish(
            f"{PREFIX}liar/ack", json.dumps({"id": "other", "ok": True, "error": None}), 1
        ),
    )
    peer.subscribe(f"{PREFIX}liar/test")
    client, _ = start_client(settings_for(mosquitto))
    result = client.send_test_message("liar", "x", timeout=0.5)
    assert not result.acked
    peer.close()


def test_invalid_device_and_no_broker(start_client: Start, mosquitto: Broker) -> None:
    """A bad device name or no session give a result, never an exception."""
    client, _ = start_client(settings_for(mosquitto))
    assert "not a valid device name" in (client.send_test_message("Bad Name").error or "")
    mosquitto.stop()
    result = client.send_test_message("reception", "x", timeout=0.5)
    assert not result.acked
    assert result.error is not None
