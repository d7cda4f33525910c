"""The actions with targets, message expiry and errors, with real MQTT and Odoo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.odoo_epaper.const import DOMAIN
from custom_components.odoo_epaper.devices import (
    async_get_entry_device,
    display_identifier,
    hub_identifier,
)
from testbed.broker import Broker
from testbed.ha_mqtt import async_mqtt_synced
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, commands, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, answer_tests, entity_id

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
LAB_PREFIX = "test/room/"


def device_id(hass: HomeAssistant, entry: MockConfigEntry, device: str) -> str:
    """Return the registry id of a display's device."""
    found = async_get_entry_device(hass, entry, display_identifier(entry, device))
    assert found is not None
    return found.id


async def test_refresh_entity_target(
    hass: HomeAssistant, init_integration: MockConfigEntry, watcher: OutsideSubscriber
) -> None:
    """An entity target refreshes its display alone: data republished and a refresh command."""
    target = entity_id(hass, init_integration, "sensor", "room_state", "reception")
    await hass.services.async_call(DOMAIN, "refresh", {"entity_id": target}, blocking=True)
    await watcher.wait_for(lambda ms: any(m.topic.endswith("/cmd") for m in ms))
    assert commands(watcher) == {f"{PREFIX}reception/cmd": [{"cmd": "refresh"}]}
    data = watcher.on("/data")
    assert [m.topic for m in data] == [f"{PREFIX}reception/data"]


async def test_refresh_device_and_hub_targets(
    hass: HomeAssistant, init_integration: MockConfigEntry, watcher: OutsideSubscriber
) -> None:
    """A device target picks its display; the hub device means all of its displays."""
    await hass.services.async_call(
        DOMAIN,
        "refresh",
        {"device_id": device_id(hass, init_integration, "lab-door")},
        blocking=True,
    )
    await watcher.wait_for(lambda ms: any(m.topic.endswith("/cmd") for m in ms))
    assert set(commands(watcher)) == {f"{LAB_PREFIX}lab-door/cmd"}
    watcher.messages.clear()
    hub = async_get_entry_device(hass, init_integration, hub_identifier(init_integration))
    assert hub is not None
    await hass.services.async_call(DOMAIN, "refresh", {"device_id": hub.id}, blocking=True)
    await watcher.wait_for(lambda ms: len([m for m in ms if m.topic.endswith("/cmd")]) == 3)
    assert set(commands(watcher)) == {
        f"{PREFIX}reception/cmd",
        f"{PREFIX}boardroom/cmd",
        f"{LAB_PREFIX}lab-door/cmd",
    }


async def test_refresh_all(
    hass: HomeAssistant, init_integration: MockConfigEntry, watcher: OutsideSubscriber
) -> None:
    """No target refreshes every display and reads Odoo now."""
    runtime = init_integration.runtime_data
    before = runtime.coordinator.data.refreshed_at
    await hass.services.async_call(DOMAIN, "refresh", {}, blocking=True)
    assert runtime.coordinator.data.refreshed_at > before
    await watcher.wait_for(lambda ms: len([m for m in ms if m.topic.endswith("/cmd")]) == 3)
    assert len(watcher.on("/data")) == 3


async def test_unknown_targets(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Targets that are no display raise a translated validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "refresh", {"entity_id": "sensor.not_a_sign"}, blocking=True
        )
    assert err.value.translation_key == "unknown_display"
    assert "sensor.not_a_sign is not an Odoo E-Paper display" in str(err.value)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "refresh", {"device_id": "0123456789abcdef"}, blocking=True
        )
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={("other", "x")}
    )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "refresh", {"device_id": other.id}, blocking=True)


async def test_not_loaded(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """After unload the actions stay registered but say nothing is loaded."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "refresh", {}, blocking=True)
    assert err.value.translation_key == "not_loaded"


async def test_refresh_while_odoo_is_down(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """A refresh that cannot read Odoo fails with a translated error."""
    odoo_server.go_down("http_error")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(DOMAIN, "refresh", {}, blocking=True)
    assert err.value.translation_key == "refresh_failed"


async def test_show_message_until_it_expires(
    hass: HomeAssistant, init_integration: MockConfigEntry, watcher: OutsideSubscriber
) -> None:
    """The targets' payload carries the message, and loses it when it expires."""
    target = entity_id(hass, init_integration, "sensor", "room_state", "boardroom")
    start = dt_util.utcnow()
    await hass.services.async_call(
        DOMAIN,
        "show_message",
        {"entity_id": target, "text": "Fire drill at 14:00", "duration": {"minutes": 10}},
        blocking=True,
    )
    messages = await watcher.wait_for(lambda ms: len(ms) >= 1)
    assert [m.topic for m in messages] == [f"{PREFIX}boardroom/data"]
    payload = messages[0].json()
    assert payload["message"]["text"] == "Fire drill at 14:00"
    until = dt_util.parse_datetime(payload["message"]["until"])
    assert until is not None
    assert timedelta(minutes=9) < until - start <= timedelta(minutes=10, seconds=1)

    watcher.messages.clear()
    async_fire_time_changed(hass, until + timedelta(seconds=1))
    await hass.async_block_till_done()
    messages = await watcher.wait_for(lambda ms: len(ms) >= 1)
    # The regular poll may run at the same fake instant and publish the same content.
    assert {m.topic for m in messages} == {f"{PREFIX}boardroom/data"}
    assert all(m.json().get("message") is None for m in messages)


async def test_show_message_to_all_survives_a_poll(
    hass: HomeAssistant, init_integration: MockConfigEntry, watcher: OutsideSubscriber
) -> None:
    """A message stays in the payloads across a regular read of Odoo."""
    await hass.services.async_call(
        DOMAIN, "show_message", {"text": "Building closed"}, blocking=True
    )
    await watcher.wait_for(lambda ms: len(ms) == 3)
    assert all(m.json()["message"]["text"] == "Building closed" for m in watcher.on("/data"))
    coordinator = init_integration.runtime_data.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    for data in coordinator.data.displays.values():
        assert data.payload["message"]["text"] == "Building closed"


async def test_send_test_message_response(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """The response says which targets acknowledged and how fast."""
    responder = subscriber_factory(f"{PREFIX}reception/test")
    answer_tests(responder.client)
    await async_mqtt_synced(hass, responder.client)
    response = await hass.services.async_call(
        DOMAIN,
        "send_test_message",
        {
            "device_id": [
                device_id(hass, init_integration, "reception"),
                device_id(hass, init_integration, "boardroom"),
            ],
            "text": "Hello",
            "wait": 1,
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    displays: Any = response["displays"]
    assert displays["reception"]["acknowledged"] is True
    assert displays["reception"]["ok"] is True
    assert 0 <= displays["reception"]["milliseconds"] < 1000
    assert displays["boardroom"] == {
        "acknowledged": False,
        "ok": None,
        "error": None,
        "milliseconds": None,
    }


@pytest.mark.slow
async def test_actions_without_broker(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Without the broker the actions fail with a translated error."""
    birth = subscriber_factory("homeassistant/status")
    # Stopping the broker before Home Assistant's birth message leaves a failed task.
    await birth.wait_for(bool, 20)
    mosquitto.stop()
    await wait_until(lambda: not mqtt.is_connected(hass))
    for service, data in (
        ("refresh", {}),
        ("show_message", {"text": "x"}),
        ("send_test_message", {}),
    ):
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(DOMAIN, service, data, blocking=True)
        assert err.value.translation_key == "mqtt_not_connected"
        assert "not connected to the MQTT broker" in str(err.value)
