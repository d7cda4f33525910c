"""The buttons: a display's test message and refresh, with real MQTT and Odoo."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.ha_mqtt import async_mqtt_synced
from tests.components.odoo_epaper.conftest import OutsideSubscriber, commands
from tests.components.odoo_epaper.entity_helpers import PREFIX, answer_tests, entity_id

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


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
