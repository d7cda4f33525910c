"""Every entity through online, error, offline and snapshot, with real MQTT and Odoo."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from http import HTTPStatus
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo_epaper.devices import async_get_entry_device, display_identifier
from testbed.broker import Broker
from testbed.ha_mqtt import async_mqtt_synced, publish
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, send_status, state_of
from tests.components.odoo_epaper.test_display_status import png_bytes

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture(autouse=True)
def enable_all_entities() -> Iterator[None]:
    """Create the entities that are disabled by default enabled, to test them too."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
async def sat(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> OutsideSubscriber:
    """An outside client standing in for the satellites, once the hub listens."""
    client = subscriber_factory(f"{PREFIX}+/cmd")
    await async_mqtt_synced(hass, client.client)
    return client


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


async def test_snapshot_image(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sat: OutsideSubscriber,
    hass_client: ClientSessionGenerator,
) -> None:
    """The image entity serves exactly the PNG the satellite published."""
    entry = init_integration
    assert state_of(hass, entry, "image", "snapshot", "reception").state == STATE_UNKNOWN
    png = png_bytes(400, 300)
    publish(sat.client, f"{PREFIX}reception/snapshot", png, retain=True, qos=0)
    await wait_until(
        lambda: state_of(hass, entry, "image", "snapshot", "reception").state != STATE_UNKNOWN
    )
    image = state_of(hass, entry, "image", "snapshot", "reception")
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{image.entity_id}")
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    assert await response.read() == png


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


async def test_room_state_turns_on_time(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """Free, starting soon, busy and free again at the booking's boundaries."""
    entry = init_integration
    now = dt_util.utcnow().replace(microsecond=0)
    start = now + timedelta(hours=1)
    odoo_server.add_record(
        "room.booking",
        {
            "name": "Planning",
            "room_id": 3,
            "start_datetime": start.strftime("%Y-%m-%d %H:%M:%S"),
            "stop_datetime": (start + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S"),
            "organizer_id": 2,
        },
    )
    # Only the boundary timers may run: a poll falling due while the test moves the
    # clock an hour ahead would recompute the states with the real "now".
    entry.runtime_data.coordinator.update_interval = None
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    # Lab (room 3) is the lab-door display.
    nxt = state_of(hass, entry, "sensor", "next_meeting", "lab-door")
    assert dt_util.parse_datetime(nxt.state) == start
    assert nxt.attributes["title"] == "Planning"
    steps = [
        (start - timedelta(minutes=15), "starting_soon", STATE_UNKNOWN),
        (start, "busy", "Planning"),
        (start + timedelta(minutes=30), "free", STATE_UNKNOWN),
    ]
    for moment, expected, meeting in steps:
        async_fire_time_changed(hass, moment + timedelta(seconds=1))
        await hass.async_block_till_done()
        room = state_of(hass, entry, "sensor", "room_state", "lab-door")
        assert room.state == expected, moment
        assert state_of(hass, entry, "sensor", "current_meeting", "lab-door").state == meeting


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
