"""The buttons: a display's test message and refresh, with real MQTT and Odoo."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.ha_mqtt import async_mqtt_synced
from tests.components.odoo_epaper.conftest import OutsideSubscriber, commands, wait_until
from tests.components.odoo_epaper.entity_helpers import (
    PREFIX,
    answer_tests,
    entity_id,
    state_of,
)

BUTTON_NAMES = {"identify": "Identify", "full_refresh": "Full refresh", "clear": "Clear display"}
pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]


async def test_test_button(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """The test button succeeds on an ack and fails on a refusal."""
    responder = subscriber_factory(f"{PREFIX}+/test")
    answer_tests(responder.client)
    await async_mqtt_synced(hass, responder.client)
    button = entity_id(hass, init_integration, "button", "send_test_message", "reception")
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    answer_tests(responder.client, ok=False)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    assert err.value.translation_key == "test_rejected"


async def test_refresh_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, watcher: OutsideSubscriber
) -> None:
    """The refresh button refreshes its display alone."""
    button = entity_id(hass, init_integration, "button", "refresh", "boardroom")
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    await watcher.wait_for(lambda ms: any(m.topic.endswith("/cmd") for m in ms))
    assert set(commands(watcher)) == {f"{PREFIX}boardroom/cmd"}


async def test_test_button_without_ack(
    hass: HomeAssistant, init_integration: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A display that does not answer makes the test button fail with a translated error."""
    monkeypatch.setattr("custom_components.odoo_epaper.button.TEST_WAIT", 0.2)
    button = entity_id(hass, init_integration, "button", "send_test_message", "lab-door")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    assert err.value.translation_key == "test_not_acknowledged"
    assert err.value.translation_placeholders == {"device": "lab-door", "seconds": "0.2"}


@pytest.mark.parametrize("command", ["identify", "full_refresh", "clear"])
async def test_command_buttons(
    hass: HomeAssistant, init_integration: MockConfigEntry, watcher: OutsideSubscriber, command: str
) -> None:
    """Identify, full refresh and clear send their command to their display alone; each
    has a translated name."""
    button = entity_id(hass, init_integration, "button", command, "boardroom")
    name = hass.states.get(button).attributes["friendly_name"]  # type: ignore[union-attr]
    assert name == f"Boardroom {BUTTON_NAMES[command]}"
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    await watcher.wait_for(lambda ms: any(m.topic.endswith("/cmd") for m in ms))
    assert commands(watcher) == {f"{PREFIX}boardroom/cmd": [{"cmd": command}]}
    if command == "clear":  # the hub hears its own command: the door is blank on purpose
        await wait_until(
            lambda: (
                state_of(hass, init_integration, "sensor", "content", "boardroom").state
                == "cleared"
            )
        )
