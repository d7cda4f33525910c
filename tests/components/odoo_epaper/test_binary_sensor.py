"""The binary sensors: a display's connectivity and problem through its statuses, the hub's
Odoo connection, with real MQTT and Odoo."""

from __future__ import annotations

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.ha_mqtt import publish
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, send_status, state_of

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]


async def test_status_lifecycle(
    hass: HomeAssistant, init_integration: MockConfigEntry, sat: OutsideSubscriber
) -> None:
    """Unknown before a status, then online, error, offline (still available)."""
    entry = init_integration
    assert (
        state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_UNKNOWN
    )
    assert state_of(hass, entry, "sensor", "panel", "reception").state == "epd7in5_V2"  # from Odoo

    send_status(sat.client, "reception", version="1.2.3", panel="epd7in5_V3")
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_ON
        )
    )
    assert state_of(hass, entry, "binary_sensor", "problem", "reception").state == STATE_OFF
    assert state_of(hass, entry, "sensor", "version", "reception").state == "1.2.3"
    assert state_of(hass, entry, "sensor", "panel", "reception").state == "epd7in5_V3"
    last_render = state_of(hass, entry, "sensor", "last_render", "reception").state
    assert dt_util.parse_datetime(last_render) == dt_util.parse_datetime("2026-11-27T09:00:05Z")
    assert state_of(hass, entry, "sensor", "displays_online").state == "1"

    send_status(sat.client, "reception", error="data rejected: v is not 1")
    await wait_until(
        lambda: state_of(hass, entry, "binary_sensor", "problem", "reception").state == STATE_ON
    )
    problem = state_of(hass, entry, "binary_sensor", "problem", "reception")
    assert problem.attributes["error"] == "data rejected: v is not 1"

    publish(sat.client, f"{PREFIX}reception/status", b'{"state":"offline"}', retain=True)
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_OFF
        )
    )
    assert state_of(hass, entry, "sensor", "displays_online").state == "0"
    # Garbage does not replace the last good status.
    publish(sat.client, f"{PREFIX}reception/status", b"rebooting", retain=True)
    send_status(sat.client, "boardroom")
    await wait_until(lambda: state_of(hass, entry, "sensor", "displays_online").state == "1")
    assert state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_OFF


async def test_display_under_its_own_prefix(
    hass: HomeAssistant, init_integration: MockConfigEntry, sat: OutsideSubscriber
) -> None:
    """A display whose Odoo record has its own prefix is followed under that prefix."""
    send_status(sat.client, "lab-door", prefix="test/room/")
    await wait_until(
        lambda: (
            state_of(hass, init_integration, "binary_sensor", "connectivity", "lab-door").state
            == STATE_ON
        )
    )


async def test_odoo_outage(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """The hub's Odoo connection sensor turns off; schedule entities go unavailable."""
    entry = init_integration
    odoo_server.go_down("http_error")
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, entry, "binary_sensor", "odoo_connection").state == STATE_OFF
    assert state_of(hass, entry, "sensor", "room_state", "reception").state == STATE_UNAVAILABLE
    odoo_server.come_up()
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, entry, "binary_sensor", "odoo_connection").state == STATE_ON
    assert state_of(hass, entry, "sensor", "room_state", "reception").state != STATE_UNAVAILABLE
