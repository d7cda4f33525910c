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
    """Never connected (disconnected, a problem), online, error, offline: each with its
    states; an offline sign keeps its last render, version and last seen."""
    entry = init_integration

    def state(platform: str, key: str) -> str:
        return state_of(hass, entry, platform, key, "reception").state

    def reason() -> str | None:
        problem = state_of(hass, entry, "binary_sensor", "problem", "reception")
        value: str | None = problem.attributes.get("reason")
        return value

    # Odoo knows the reception, the broker holds no status of it: never connected.
    await wait_until(lambda: state("binary_sensor", "connectivity") == STATE_OFF)
    assert state("binary_sensor", "problem") == STATE_ON
    assert reason() == state("sensor", "problem_reason") == "never_connected"
    assert state("sensor", "last_seen") == STATE_UNKNOWN
    assert state("sensor", "panel") == "epd7in5_V2"  # from Odoo
    online = state_of(hass, entry, "sensor", "displays_online")
    assert (online.state, online.attributes["total"]) == ("0", 3)

    send_status(sat.client, "reception", version="1.2.3", panel="epd7in5_V3")
    await wait_until(lambda: state("binary_sensor", "connectivity") == STATE_ON)
    assert state("binary_sensor", "problem") == STATE_OFF
    assert reason() == state("sensor", "problem_reason") == "none"
    assert state("sensor", "version") == "1.2.3"
    assert state("sensor", "panel") == "epd7in5_V3"
    last_render = dt_util.parse_datetime(state("sensor", "last_render"))
    assert last_render == dt_util.parse_datetime("2026-11-27T09:00:05Z")
    last_seen = dt_util.parse_datetime(state("sensor", "last_seen"))
    assert last_seen is not None
    assert abs((dt_util.utcnow() - last_seen).total_seconds()) < 30
    online = state_of(hass, entry, "sensor", "displays_online")
    assert (online.state, online.attributes["total"]) == ("1", 3)

    send_status(sat.client, "reception", version="1.2.4", error="data rejected: v is not 1")
    await wait_until(lambda: state("binary_sensor", "problem") == STATE_ON)
    problem = state_of(hass, entry, "binary_sensor", "problem", "reception")
    assert problem.attributes["error"] == "data rejected: v is not 1"
    assert reason() == state("sensor", "problem_reason") == "error"

    publish(sat.client, f"{PREFIX}reception/status", b'{"state":"offline"}', retain=True)
    await wait_until(lambda: state("binary_sensor", "connectivity") == STATE_OFF)
    assert state("binary_sensor", "problem") == STATE_ON
    assert reason() == state("sensor", "problem_reason") == "offline"
    # The panel keeps its picture: the last render, the version and last seen stay.
    assert dt_util.parse_datetime(state("sensor", "last_render")) == last_render
    assert state("sensor", "version") == "1.2.4"
    assert dt_util.parse_datetime(state("sensor", "last_seen")) >= last_seen
    assert state_of(hass, entry, "sensor", "displays_online").state == "0"
    # Garbage does not replace the last good status.
    publish(sat.client, f"{PREFIX}reception/status", b"rebooting", retain=True)
    send_status(sat.client, "boardroom")
    await wait_until(lambda: state_of(hass, entry, "sensor", "displays_online").state == "1")
    assert state("binary_sensor", "connectivity") == STATE_OFF


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
