"""Syrupy snapshots of the entities a display gets and of their states from a fixed status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from testbed.ha_mqtt import async_mqtt_synced
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, send_status

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]
# Computed from the clock and the day's bookings (the calendar is on during a booking), or the
# moment a status arrived (last seen), so not snapshotted here.
CLOCK_DEPENDENT = ("room_state", "current_meeting", "next_meeting", "bookings", "last_seen")


def summary(hass: HomeAssistant, entry: MockConfigEntry, device: str) -> dict[str, Any]:
    """Return what a display's entities are and show, without ids or times that vary."""
    registry = er.async_get(hass)
    found: dict[str, Any] = {}
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if not entity.unique_id.startswith(f"{entry.entry_id}_{device}_"):
            continue
        key = entity.unique_id.removeprefix(f"{entry.entry_id}_{device}_")
        state = hass.states.get(entity.entity_id)
        assert state is not None
        shown = (
            None if key in CLOCK_DEPENDENT or entity.domain in ("image", "button") else state.state
        )
        found[entity.entity_id] = {
            "key": key,
            "translation_key": entity.translation_key,
            "device_class": entity.original_device_class,
            "entity_category": entity.entity_category,
            "options": (entity.capabilities or {}).get("options"),
            "name": state.attributes.get("friendly_name"),
            "state": shown,
        }
    return dict(sorted(found.items()))


async def test_display_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    snapshot: SnapshotAssertion,
) -> None:
    """The reception's entities and their states after a full status with an error."""
    sat = subscriber_factory(f"{PREFIX}+/cmd")
    await async_mqtt_synced(hass, sat.client)
    send_status(sat.client, "reception", error="data rejected: v is not 1")
    tracker = init_integration.runtime_data.tracker
    await wait_until(lambda: "reception" in tracker.displays)
    await hass.async_block_till_done()
    assert summary(hass, init_integration, "reception") == snapshot
