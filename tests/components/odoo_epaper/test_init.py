"""Setup, unload and reload, with real MQTT and the Odoo test server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import CONF_SOURCE, CONF_TOPIC_PREFIX, DOMAIN
from custom_components.odoo_epaper.coordinator import OdooEpaperCoordinator
from custom_components.odoo_epaper.odoo_client import OdooClient
from custom_components.odoo_epaper.options import EpaperOptions
from testbed.ha_entry import ODOO_LOGIN
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.options_helpers import async_change_options

from .conftest import OutsideSubscriber

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


async def test_setup_and_unload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Setup announces the hub online (retained); unload leaves it offline (retained)."""
    runtime = init_integration.runtime_data
    assert isinstance(runtime.client, OdooClient)
    assert isinstance(runtime.coordinator, OdooEpaperCoordinator)
    assert runtime.info.has_addon
    assert runtime.coordinator.last_update_success
    assert set(runtime.coordinator.data.displays) == {"reception", "boardroom", "lab-door"}
    subscriber = subscriber_factory("odoo_epaper/_hub/status")
    messages = await subscriber.wait_for(lambda ms: len(ms) == 1)
    assert messages[0].json() == {"state": "online"}
    assert messages[0].retain
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    messages = await subscriber.wait_for(lambda ms: len(ms) == 2)
    assert messages[1].json() == {"state": "offline"}
    late = subscriber_factory("odoo_epaper/_hub/status")
    messages = await late.wait_for(lambda ms: len(ms) == 1)
    assert messages[0].json() == {"state": "offline"}
    assert messages[0].retain


async def test_home_assistant_stop_leaves_hub_offline(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Home Assistant stopping (no unload) still leaves the hub's offline status behind."""
    subscriber = subscriber_factory("odoo_epaper/_hub/status")
    await subscriber.wait_for(lambda ms: len(ms) == 1)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    messages = await subscriber.wait_for(lambda ms: len(ms) == 2)
    assert messages[1].json() == {"state": "offline"}


async def test_setup_without_mqtt(
    hass: HomeAssistant, config_entry: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """No MQTT integration: not ready (retried later), Odoo not even asked."""
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "MQTT integration is not set up" in (config_entry.reason or "")
    assert odoo_server.calls == []


async def test_setup_odoo_down(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Odoo unreachable at setup: not ready, nothing published."""
    subscriber = subscriber_factory("odoo_epaper/#")
    odoo_server.go_down()
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "Cannot connect to Odoo" in (config_entry.reason or "")
    assert await subscriber.sync(hass) == 1  # only the marker


async def test_setup_bad_password_starts_reauth(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """Odoo refuses the stored password: setup error and a reauth flow."""
    odoo_server.set_password(ODOO_LOGIN, "changed")
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_setup_source_missing(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """The chosen source's module is not installed: not ready, with the reason."""
    odoo_server.remove_model("room.booking")
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={
            "url": odoo_server.url,
            "database": "odoo",
            "username": "admin",
            "password": "admin-pw",
        },
        options={**EpaperOptions().as_dict(), CONF_SOURCE: "room_booking"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "No schedule source 'room_booking'" in (entry.reason or "")


async def test_options_change_reloads(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """New options (options flow) reload: the old prefix's hub goes offline, the new online."""
    subscriber = subscriber_factory("#")
    await subscriber.sync(hass)
    await async_change_options(hass, init_integration, **{CONF_TOPIC_PREFIX: "signs/"})
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.coordinator.options.topic_prefix == "signs/"
    await subscriber.sync(hass)
    states = {m.topic: json.loads(m.payload) for m in subscriber.on("/status")}
    assert states["odoo_epaper/_hub/status"] == {"state": "offline"}
    assert states["signs/_hub/status"] == {"state": "online"}
    assert {m.topic for m in subscriber.on("/data")} >= {
        "signs/reception/data",
        "signs/boardroom/data",
        "test/room/lab-door/data",  # the display's own prefix wins
    }
