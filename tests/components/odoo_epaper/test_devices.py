"""The device registry: a hub device per entry, a device per display, following Odoo."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from custom_components.odoo_epaper.devices import async_get_entry_device, display_identifier
from testbed.odoo_server import OdooTestServer

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


async def test_devices(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """A hub device for the connection and a device per display named after its room."""
    entry_id = init_integration.entry_id
    hub = async_get_entry_device(hass, init_integration, (DOMAIN, entry_id))
    assert hub is not None
    assert hub.entry_type is DeviceEntryType.SERVICE
    assert hub.manufacturer == "Odoo"
    assert hub.sw_version == "18.0"
    assert hub.configuration_url == odoo_server.url
    devices = {
        device.serial_number: device
        for device in dr.async_entries_for_config_entry(device_registry, entry_id)
        if device.id != hub.id
    }
    assert set(devices) == {"reception", "boardroom", "lab-door"}
    assert devices["reception"].name == "Reception"
    assert devices["lab-door"].name == "Lab"
    assert devices["reception"].model == "epd7in5_V2"
    assert devices["reception"].manufacturer == "Waveshare"
    assert devices["reception"].identifiers == {(DOMAIN, f"{entry_id}_reception")}
    assert all(device.via_device_id == hub.id for device in devices.values())

    odoo_server.update_record("room.room", 1, {"name": "Front desk"})
    odoo_server.update_record("room.rasp.connection", 2, {"active": False})
    await init_integration.runtime_data.coordinator.async_refresh()
    names = {
        device.serial_number: device.name
        for device in dr.async_entries_for_config_entry(device_registry, entry_id)
        if device.id != hub.id
    }
    assert names == {"reception": "Front desk", "lab-door": "Lab"}


@pytest.mark.usefixtures("enable_all_entities")
async def test_display_added_and_removed_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """A new display gets its device and entities; a removed one loses its device."""
    entry = init_integration
    record = odoo_server.add_record("room.rasp.connection", annex_record())
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.annex_room_state") is not None
    assert async_get_entry_device(hass, entry, display_identifier(entry, "annex"))

    odoo_server.delete_record("room.rasp.connection", record)
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert async_get_entry_device(hass, entry, display_identifier(entry, "annex")) is None
    assert hass.states.get("sensor.annex_room_state") is None

    odoo_server.add_record("room.rasp.connection", annex_record())
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.annex_room_state") is not None


def annex_record() -> dict[str, object]:
    """Return a display record of the addon for a new room."""
    return {
        "name": "annex",
        "room_id": False,
        "room_name": "Annex",
        "topic_prefix": False,
        "tz": "UTC",
        "qos": 1,
        "panel_model": False,
        "mqtt_connection_state": "unknown",
        "last_seen": False,
        "last_error": False,
        "active": True,
    }
