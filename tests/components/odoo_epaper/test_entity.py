"""The shared base of the entities: names under their device, availability with the broker,
writes only when what an entity shows changed; with real MQTT and Odoo."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper import display_data
from custom_components.odoo_epaper.devices import async_get_entry_device, display_identifier
from testbed.broker import Broker
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import send_status, state_of

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]


async def test_entity_names_and_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Entities carry translated names under their device; the hub has its own."""
    assert hass.states.get("sensor.reception_room_state") is not None
    assert hass.states.get("binary_sensor.reception_connectivity") is not None
    assert hass.states.get("image.reception_door_sign") is not None
    assert hass.states.get("button.lab_refresh_display") is not None
    assert hass.states.get("sensor.boardroom_satellite_version") is not None
    device = async_get_entry_device(
        hass, init_integration, display_identifier(init_integration, "reception")
    )
    assert device is not None
    assert device.name == "Reception"
    hub = state_of(hass, init_integration, "binary_sensor", "odoo_connection")
    assert hub.state == STATE_ON
    online = state_of(hass, init_integration, "sensor", "displays_online")
    assert online.state == "0"
    assert online.attributes["unit_of_measurement"] == "displays"


@pytest.mark.slow
async def test_broker_outage_makes_mqtt_entities_unavailable(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    sat: OutsideSubscriber,
    mosquitto: Broker,
    subscriber_factory: Callable[..., OutsideSubscriber],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without the broker the MQTT entities go unavailable and come back after it."""
    entry = init_integration
    birth = subscriber_factory("homeassistant/status")
    send_status(sat.client, "reception")
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_ON
        )
    )
    # Home Assistant publishes its birth message once its subscriptions settled;
    # stopping the broker before that leaves a failed task behind.
    await birth.wait_for(bool, 20)
    mosquitto.stop()
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "connectivity", "reception").state
            == STATE_UNAVAILABLE
        )
    )
    assert state_of(hass, entry, "button", "refresh", "reception").state == STATE_UNAVAILABLE
    assert state_of(hass, entry, "sensor", "room_state", "reception").state != STATE_UNAVAILABLE
    assert "Lost the MQTT broker" in caplog.text
    mosquitto.start()
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_ON
        ),
        30,
    )
    assert "The MQTT broker is reachable again" in caplog.text
    await birth.wait_for(lambda messages: len(messages) >= 2, 20)


async def test_refresh_writes_only_the_changed_display(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """A refresh in which one room's booking changed writes only that display's entities."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    displays = set(coordinator.data.displays)
    assert displays == {"reception", "boardroom", "lab-door"}

    def device_of(unique_id: str) -> str:
        found = [d for d in displays if unique_id.startswith(f"{entry.entry_id}_{d}_")]
        return found[0] if found else "hub"

    device = {
        entity.entity_id: device_of(entity.unique_id)
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    written: list[str] = []

    @callback
    def record(event: Event[Any]) -> None:
        written.append(event.data["entity_id"])

    @callback
    def ours(event_data: Mapping[str, Any]) -> bool:
        return event_data["entity_id"] in device

    # Writes that change nothing fire state_reported, the others state_changed.
    unsubscribe = [
        hass.bus.async_listen(event_type, record, event_filter=ours)
        for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED)
    ]
    try:
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        unchanged_cycle = {device[entity_id] for entity_id in written}
        written.clear()

        odoo_server.update_record("room.booking", 3, {"name": "Stand-up, moved"})  # reception
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        changed_cycle = {device[entity_id] for entity_id in written}
    finally:
        for stop in unsubscribe:
            stop()
    assert unchanged_cycle <= {"hub"}
    assert changed_cycle - {"hub"} == {"reception"}
    assert {"sensor.reception_room_state", "sensor.reception_next_meeting"} & set(written)


async def test_a_change_an_entity_does_not_show_writes_nothing_for_it(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """A booking added three days ahead changes reception's payload (published) but not
    its room state, meetings or calendar event: those entities write nothing, and no
    entity writes a state equal to its last one (no state_reported at all)."""
    coordinator = init_integration.runtime_data.coordinator
    before = coordinator.data.displays["reception"].content_hash
    ours = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
    }
    events: list[tuple[str, str]] = []

    @callback
    def record(event: Event[Any]) -> None:
        events.append((event.event_type, event.data["entity_id"]))

    @callback
    def of_ours(event_data: Mapping[str, Any]) -> bool:
        return event_data["entity_id"] in ours

    unsubscribe = [
        hass.bus.async_listen(event_type, record, event_filter=of_ours)
        for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED)
    ]
    try:
        odoo_server.add_record(
            "room.booking",
            {
                "name": "Far ahead",
                "room_id": 1,
                "start_datetime": "{day+3} 10:00:00",
                "stop_datetime": "{day+3} 11:00:00",
                "organizer_id": 2,
            },
        )
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    finally:
        for stop in unsubscribe:
            stop()
    assert coordinator.data.displays["reception"].content_hash != before  # published anew
    assert [entity for kind, entity in events if kind == EVENT_STATE_REPORTED] == []
    written = {entity for _, entity in events}
    for quiet in (
        "sensor.reception_room_state",
        "sensor.reception_current_meeting",
        "sensor.reception_next_meeting",
        "calendar.reception_bookings",
    ):
        assert quiet in ours
        assert quiet not in written


async def test_room_status_is_computed_once_per_display_per_change(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reception's booking renamed: its three schedule sensors and its calendar take the
    room's status from one computation, not one scan of the bookings each."""
    computed: list[int] = []
    real = display_data.room_status

    def counting(*args: Any) -> Any:
        computed.append(1)
        return real(*args)

    monkeypatch.setattr(display_data, "room_status", counting)
    odoo_server.update_record("room.booking", 3, {"name": "Stand-up, renamed"})  # reception
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    for entity_id in (
        "sensor.reception_room_state",
        "sensor.reception_current_meeting",
        "sensor.reception_next_meeting",
        "calendar.reception_bookings",
    ):
        assert hass.states.get(entity_id) is not None
    assert len(computed) == 1
