"""Deleting a device on Home Assistant's device page (websocket ``config/device_registry``):
a display Odoo still lists is refused with a message saying to archive it in Odoo, and
its sign keeps its schedule; a display device Odoo no longer lists is removed, stays
removed, and the hub forgets the sign's status; the hub device is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.odoo_epaper.devices import (
    async_get_entry_device,
    display_identifier,
    hub_identifier,
)
from testbed.odoo_server import OdooTestServer

from .conftest import OutsideSubscriber, wait_until

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
PREFIX = "odoo_epaper/"


async def remove_device(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, entry_id: str, device_id: str
) -> dict[str, Any]:
    """Ask Home Assistant to delete the device as the device page does; return the answer."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    if AwesomeVersion(HA_VERSION) >= "2026.10.0":
        await client.send_json_auto_id(
            {"type": "config/device_registry/remove", "device_id": device_id}
        )
    else:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": entry_id,
                "device_id": device_id,
            }
        )
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def test_display_odoo_lists_is_refused_with_the_way_out(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Reception is still in Odoo: the deletion fails saying to archive it in Odoo; the
    device, its entities and its retained /data stay."""
    entry = init_integration
    device = async_get_entry_device(hass, entry, display_identifier(entry, "reception"))
    assert device is not None
    answer = await remove_device(hass, hass_ws_client, entry.entry_id, device.id)
    assert not answer["success"]
    assert answer["error"]["translation_key"] == "display_still_in_odoo"
    assert "Archive or delete it in Odoo" in answer["error"]["message"]
    assert "reception" in answer["error"]["message"]
    assert async_get_entry_device(hass, entry, display_identifier(entry, "reception"))
    late = subscriber_factory(f"{PREFIX}reception/data")
    messages = await late.wait_for(lambda ms: len(ms) == 1)
    assert messages[0].retain
    assert messages[0].json()["room"] == "Reception"


async def test_hub_device_is_refused(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, init_integration: MockConfigEntry
) -> None:
    """The hub device is the entry itself: deleting it is refused, naming the entry."""
    hub = async_get_entry_device(hass, init_integration, hub_identifier(init_integration))
    assert hub is not None
    answer = await remove_device(hass, hass_ws_client, init_integration.entry_id, hub.id)
    assert not answer["success"]
    assert answer["error"]["translation_key"] == "remove_hub_device"
    assert async_get_entry_device(hass, init_integration, hub_identifier(init_integration))


async def test_display_odoo_dropped_is_removed_and_forgotten(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    device_registry: dr.DeviceRegistry,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """A display device left over for a name Odoo does not list (old-door, whose sign
    still reports): removed, not recreated by the next refresh, its status forgotten."""
    entry = init_integration
    runtime = entry.runtime_data
    sign = subscriber_factory(f"{PREFIX}old-door/data")
    sign.publish(f"{PREFIX}old-door/status", b"online", retain=True)
    await wait_until(lambda: "old-door" in runtime.tracker.data)
    leftover = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={display_identifier(entry, "old-door")},
        name="Old door",
        serial_number="old-door",
    )
    answer = await remove_device(hass, hass_ws_client, entry.entry_id, leftover.id)
    assert answer["success"], answer
    assert device_registry.async_get(leftover.id) is None
    assert "old-door" not in runtime.tracker.data
    await runtime.coordinator.async_refresh()
    assert async_get_entry_device(hass, entry, display_identifier(entry, "old-door")) is None
    assert not [m for m in sign.snapshot() if m.payload]  # nothing ever drawn there


async def test_removal_while_odoo_is_unreachable_is_allowed(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """Entry not loaded (Odoo down): nothing to ask, the device goes; the display Odoo
    still lists comes back when the entry loads."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    device = async_get_entry_device(
        hass, config_entry, display_identifier(config_entry, "lab-door")
    )
    assert device is not None
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    answer = await remove_device(hass, hass_ws_client, config_entry.entry_id, device.id)
    assert answer["success"], answer
    assert (
        async_get_entry_device(hass, config_entry, display_identifier(config_entry, "lab-door"))
        is None
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert async_get_entry_device(hass, config_entry, display_identifier(config_entry, "lab-door"))
    assert await hass.config_entries.async_unload(config_entry.entry_id)
