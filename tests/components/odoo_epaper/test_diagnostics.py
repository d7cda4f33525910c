"""Diagnostics of the entry and of a display, with secrets redacted."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo_epaper.devices import (
    async_get_entry_device,
    display_identifier,
    hub_identifier,
)
from testbed.ha_entry import ODOO_LOGIN, ODOO_PASSWORD
from testbed.ha_mqtt import publish
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import send_status
from tests.components.odoo_epaper.test_display_status import png_bytes

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
REDACTED = "**REDACTED**"


async def test_entry_diagnostics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    hass_client: ClientSessionGenerator,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """The entry's diagnostics hold every display and no URL, login or password."""
    assert await async_setup_component(hass, "diagnostics", {})
    client = subscriber_factory("odoo_epaper/+/cmd")
    send_status(client.client, "reception")
    publish(client.client, "odoo_epaper/reception/snapshot", png_bytes(40, 30), retain=True, qos=0)
    tracker = init_integration.runtime_data.tracker
    await wait_until(
        lambda: (
            (state := tracker.displays.get("reception")) is not None
            and state.snapshot is not None
            and state.status is not None
        )
    )
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = json.dumps(result)
    for secret in (odoo_server.url, f"127.0.0.1:{odoo_server.port}", ODOO_PASSWORD):
        assert secret not in text
    assert result["entry"]["data"]["url"] == REDACTED
    assert result["entry"]["data"]["username"] == REDACTED
    assert result["entry"]["data"]["password"] == REDACTED
    assert result["entry"]["title"] == REDACTED
    assert result["odoo"]["server"] == REDACTED
    assert "room.rasp.connection" in result["odoo"]["models"]
    assert (result["odoo"]["transport"], result["odoo"]["key_expiry"]) == ("jsonrpc", None)
    assert set(result["displays"]) == {"reception", "boardroom", "lab-door"}
    reception = result["displays"]["reception"]
    assert reception["odoo"]["payload"]["device"] == "reception"
    assert reception["mqtt"]["status"]["state"] == "online"
    assert reception["mqtt"]["snapshot"]["width"] == 40
    assert ODOO_LOGIN not in json.dumps(result["entry"]["data"])


async def test_device_diagnostics(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """A display's diagnostics hold its payload; the hub device has no display."""
    assert await async_setup_component(hass, "diagnostics", {})
    device = async_get_entry_device(
        hass, init_integration, display_identifier(init_integration, "lab-door")
    )
    assert device is not None
    result = await get_diagnostics_for_device(hass, hass_client, init_integration, device)
    assert result["device"] == "lab-door"
    assert result["odoo"]["topic_prefix"] == "test/room/"
    assert result["mqtt"] is None
    hub = async_get_entry_device(hass, init_integration, hub_identifier(init_integration))
    assert hub is not None
    assert await get_diagnostics_for_device(hass, hass_client, init_integration, hub) == {
        "device": None
    }
