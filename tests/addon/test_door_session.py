"""Odoo's session when Odoo is the publisher, with a real mosquitto: ``_odoo/status``
says who publishes, door requests arrive as events (one Odoo process per request through
a shared subscription), answers and commands reach the door."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mqtt_bridge import ActionEvent, BridgeClient, Event, command_payload, publish_to_door

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer, wait_for

PREFIX = "odoo_epaper/"
Start = Callable[..., tuple[BridgeClient, list[Event]]]


def _actions(events: list[Event]) -> list[ActionEvent]:
    return [event for event in events if isinstance(event, ActionEvent)]


def test_status_says_who_publishes(mosquitto: Broker, start_client: Start) -> None:
    """``publisher`` in Odoo's retained online status: odoo or home_assistant."""
    hub = Peer(mosquitto, client_id="hub")
    hub.subscribe(f"{PREFIX}_odoo/status")
    client, _events = start_client(settings_for(mosquitto, answer_actions=True))
    assert client.wait_connected(5)
    assert wait_for(lambda: any(json.loads(m.payload).get("publisher") for m in hub.messages))
    assert json.loads(hub.messages[-1].payload)["publisher"] == "odoo"
    hub.close()


def test_requests_reach_one_session_and_answers_reach_the_door(
    mosquitto: Broker, start_client: Start
) -> None:
    """Two Odoo processes on one broker: each request reaches exactly one of them; the
    ``/ack`` and a ``/cmd`` reach the door; without answer_actions nothing arrives."""
    first, first_events = start_client(settings_for(mosquitto, answer_actions=True))
    second, second_events = start_client(settings_for(mosquitto, answer_actions=True))
    listener, listener_events = start_client(settings_for(mosquitto))
    assert all(c.wait_connected(5) for c in (first, second, listener))
    door = Peer(mosquitto, client_id="door")
    door.subscribe(f"{PREFIX}reception/+")
    for n in range(6):
        door.publish(f"{PREFIX}reception/action", json.dumps({"id": f"k-{n}", "action": "x"}))
    assert wait_for(lambda: len(_actions(first_events)) + len(_actions(second_events)) >= 6)
    got: list[Any] = _actions(first_events) + _actions(second_events)
    assert sorted(json.loads(e.payload)["id"] for e in got) == [f"k-{n}" for n in range(6)]
    assert {(e.prefix, e.device) for e in got} == {(PREFIX, "reception")}
    assert not _actions(listener_events)
    assert publish_to_door(first, "reception", "ack", b'{"id":"k-0","ok":true,"error":null}')
    assert publish_to_door(first, "reception", "cmd", command_payload("identify"))
    assert wait_for(lambda: {m.topic.rsplit("/", 1)[1] for m in door.messages} >= {"ack", "cmd"})
    cmd = next(m for m in door.messages if m.topic.endswith("/cmd"))
    assert json.loads(cmd.payload) == {"cmd": "identify"} and not cmd.retain
    door.close()
