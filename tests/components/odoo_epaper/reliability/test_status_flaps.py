"""A display whose status flaps: Home Assistant shows one offline, not every flap."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.odoo_epaper.status_flaps import FLAP_HOLD
from testbed.ha_mqtt import async_mqtt_synced, publish
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, entity_id, send_status

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]
FLAPS = 10


async def test_flapping_status_is_debounced(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Ten offline/online flaps give one offline; a lasting offline shows after the hold."""
    entry = init_integration
    sat = subscriber_factory(f"{PREFIX}#")
    await async_mqtt_synced(hass, sat.client)
    connectivity = entity_id(hass, entry, "binary_sensor", "connectivity", "reception")
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        old = event.data["old_state"]
        if new is not None and (old is None or old.state != new.state):
            seen.append(new.state)

    @callback
    def only_connectivity(data: EventStateChangedData) -> bool:
        return data["entity_id"] == connectivity

    unsubscribe = hass.bus.async_listen("state_changed", record, event_filter=only_connectivity)
    send_status(sat.client, "reception")
    await wait_until(lambda: hass.states.is_state(connectivity, STATE_ON))
    with caplog.at_level(logging.INFO):
        for _flap in range(FLAPS):
            publish(sat.client, f"{PREFIX}reception/status", b'{"state":"offline"}', retain=True)
            send_status(sat.client, "reception")
        await sat.sync(hass)
        await async_mqtt_synced(hass, sat.client)
        await hass.async_block_till_done()
    assert hass.states.is_state(connectivity, STATE_ON)
    assert seen.count(STATE_OFF) == 1, seen
    assert caplog.text.count("is flapping") == 1

    publish(sat.client, f"{PREFIX}reception/status", b'{"state":"offline"}', retain=True)
    publish(sat.client, f"{PREFIX}reception/status", b"offline", retain=True)  # the LWT, say
    await sat.sync(hass)
    await async_mqtt_synced(hass, sat.client)
    await hass.async_block_till_done()
    assert hass.states.is_state(connectivity, STATE_ON)  # held back for FLAP_HOLD
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=FLAP_HOLD + 1))
    await hass.async_block_till_done()
    assert hass.states.is_state(connectivity, STATE_OFF)
    assert seen.count(STATE_OFF) == 2, seen
    unsubscribe()


async def test_a_single_offline_shows_at_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """A display that goes offline once is shown offline without delay."""
    entry = init_integration
    sat = subscriber_factory(f"{PREFIX}#")
    await async_mqtt_synced(hass, sat.client)
    connectivity = entity_id(hass, entry, "binary_sensor", "connectivity", "reception")
    send_status(sat.client, "reception")
    await wait_until(lambda: hass.states.is_state(connectivity, STATE_ON))
    publish(sat.client, f"{PREFIX}reception/status", b'{"state":"offline"}', retain=True)
    await wait_until(lambda: hass.states.is_state(connectivity, STATE_OFF))
