"""Finding the integration's entities and acting as satellites in end-to-end tests."""

from __future__ import annotations

import json
from typing import Any

import paho.mqtt.client as paho
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from testbed.ha_mqtt import publish
from tests.fixtures.vectors import load_vectors

PREFIX = "odoo_epaper/"
FULL_STATUS: dict[str, Any] = load_vectors("status")["cases"][0]["payload"]


def entity_id(
    hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str, device: str | None = None
) -> str:
    """Return the entity id of an entity by its unique id."""
    unique_id = f"{entry.entry_id}_{key}" if device is None else f"{entry.entry_id}_{device}_{key}"
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found is not None, f"no {platform} entity {unique_id}"
    return found


def state_of(
    hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str, device: str | None = None
) -> State:
    """Return the current state of an entity by its unique id."""
    state = hass.states.get(entity_id(hass, entry, platform, key, device))
    assert state is not None
    return state


def send_status(
    client: paho.Client, device: str, retain: bool = True, prefix: str = PREFIX, **changes: Any
) -> None:
    """Publish a display's status as its satellite would."""
    publish(
        client, f"{prefix}{device}/status", json.dumps({**FULL_STATUS, **changes}), retain=retain
    )


def answer_tests(client: paho.Client, ok: bool = True) -> None:
    """Let an outside client acknowledge every test message like a satellite."""

    def on_message(_client: paho.Client, _userdata: Any, msg: paho.MQTTMessage) -> None:
        request = json.loads(msg.payload)
        error = None if ok else "panel busy"
        ack = json.dumps({"id": request["id"], "ok": ok, "error": error})
        client.publish(msg.topic.removesuffix("/test") + "/ack", ack, qos=1)

    client.on_message = on_message
