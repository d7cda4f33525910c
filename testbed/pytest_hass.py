"""pytest fixtures of Home Assistant's real MQTT integration on a real broker, for the
hub's tests and the benchmarks (a plugin module, like :mod:`testbed.pytest_broker`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.broker import Broker


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/odoo_epaper."""


async def wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Poll ``condition`` on the event loop until it holds, or fail."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await asyncio.sleep(0.01)


async def async_add_mqtt(
    hass: HomeAssistant, broker: Broker, *, connected: bool = True, **data: Any
) -> MockConfigEntry:
    """Set up Home Assistant's real MQTT integration against ``broker``.

    ``data`` adds to the entry (user name, password, CA); with ``connected``
    it waits until the client is connected.
    """
    entry = MockConfigEntry(
        domain=mqtt.DOMAIN, data={"broker": "127.0.0.1", "port": broker.port, **data}
    )
    entry.add_to_hass(hass)
    with patch("homeassistant.config.load_yaml_config_file", return_value={}):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    if connected:
        assert await mqtt.async_wait_for_mqtt_client(hass)
        await wait_until(lambda: mqtt.is_connected(hass))
    return entry


async def async_unload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload ``entry`` if it is still loaded."""
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


@pytest.fixture
async def mqtt_entry(hass: HomeAssistant, mosquitto: Broker) -> AsyncIterator[MockConfigEntry]:
    """Home Assistant's real MQTT integration, connected to a real mosquitto."""
    entry = await async_add_mqtt(hass, mosquitto)
    yield entry
    await async_unload(hass, entry)
