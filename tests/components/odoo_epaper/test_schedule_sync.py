"""Incremental sync and targeted refresh: the hub reads Odoo in proportion to what changed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.schedule import Booking, Display, Schedule
from custom_components.odoo_epaper.schedule_answer import ScheduleUpdate
from custom_components.odoo_epaper.schedule_sync import ReadPlan, ScheduleSync
from testbed.ha_mqtt import publish
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
SCHEDULE_READ = ("room.rasp.connection", "epaper_schedule")
ALL = {"reception", "boardroom", "lab-door"}


def last_read(odoo_server: OdooTestServer) -> dict[str, object]:
    """The arguments of the last epaper_schedule call (positional ones by name)."""
    call = [c for c in odoo_server.calls if c.model_method == SCHEDULE_READ[1]][-1]
    names = ("start", "end", "devices", "default_tz")
    return dict(zip(names, call.args, strict=False)) | call.kwargs


async def test_unchanged_cycle_reads_and_publishes_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    watcher: OutsideSubscriber,
) -> None:
    """After the full read at start, a cycle sends the cursor and reads no display."""
    coordinator = init_integration.runtime_data.coordinator
    assert set(coordinator.data.displays) == ALL
    odoo_server.reset_counts()
    await coordinator.async_refresh()
    assert last_read(odoo_server)["cursor"]
    assert odoo_server.records_read == 0
    await watcher.sync(hass)
    assert watcher.on("/data") == []
    assert set(coordinator.data.displays) == ALL


async def test_one_change_reads_and_publishes_one_display(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    watcher: OutsideSubscriber,
) -> None:
    """A booking renamed: the next cycle reads that room's display and publishes it alone."""
    coordinator = init_integration.runtime_data.coordinator
    odoo_server.update_record("room.booking", 1, {"name": "Board meeting (moved)"})
    odoo_server.reset_counts()
    await coordinator.async_refresh()
    answered = coordinator.data.displays["boardroom"]
    assert answered.bookings[0].title == "Board meeting (moved)"
    assert odoo_server.records_read == 1 + len(answered.bookings)
    await watcher.sync(hass)
    assert [m.topic for m in watcher.on("/data")] == [f"{PREFIX}boardroom/data"]


async def test_notice_reads_only_the_displays_named(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    watcher: OutsideSubscriber,
) -> None:
    """``_odoo/changed`` for one display reads that display (``devices=``), nothing else."""
    coordinator = init_integration.runtime_data.coordinator
    odoo_server.update_record("room.booking", 3, {"name": "Stand-up (moved)"})
    odoo_server.reset_counts()
    publish(watcher.client, f"{PREFIX}_odoo/changed", json.dumps({"devices": ["reception"]}))
    await watcher.wait_for(lambda ms: any(m.topic == f"{PREFIX}reception/data" for m in ms))
    await hass.async_block_till_done()
    read = last_read(odoo_server)
    assert read["devices"] == ["reception"]
    assert "cursor" not in read
    reception = coordinator.data.displays["reception"]
    assert odoo_server.records_read == 1 + len(reception.bookings)
    assert set(coordinator.data.displays) == ALL


async def test_full_read_after_a_failure_and_at_the_safety_interval(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """A failed read makes the next one full; so does the safety interval."""
    coordinator = init_integration.runtime_data.coordinator
    odoo_server.go_down("http_error")
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    odoo_server.come_up()
    odoo_server.reset_counts()
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert "cursor" not in last_read(odoo_server)
    full = odoo_server.records_read
    assert full >= len(ALL)

    odoo_server.reset_counts()
    await coordinator.async_refresh()
    assert last_read(odoo_server)["cursor"]
    coordinator.sync.full_read_interval = dt.timedelta(0)
    await coordinator.async_refresh()
    assert "cursor" not in last_read(odoo_server)
    assert odoo_server.records_read == full


async def test_display_archived_in_odoo_disappears(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """An archived display is in the incremental answer's ``removed``: the hub drops it."""
    coordinator = init_integration.runtime_data.coordinator
    odoo_server.update_record("room.rasp.connection", 3, {"active": False})
    await coordinator.async_refresh()
    assert "cursor" in last_read(odoo_server)
    assert set(coordinator.data.displays) == ALL - {"lab-door"}


async def test_full_read_after_the_broker_came_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """When HA's MQTT connection returns, every display is read and published again."""
    coordinator = init_integration.runtime_data.coordinator
    odoo_server.reset_counts()
    coordinator.async_mqtt_connection_changed(True)  # republishes in a background task
    await wait_until(lambda: odoo_server.records_read >= len(ALL))
    assert "cursor" not in last_read(odoo_server)


def test_unchanged_bookings_keep_the_objects_the_hub_holds() -> None:
    """A full read answering equal bookings (new objects) changes nothing and keeps the
    tuple held (its wire texts encoded once stay); one booking renamed: that display
    changed, and its other bookings are still the objects held."""
    day = dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)

    def answer(first_title: str) -> ScheduleUpdate:
        bookings = tuple(
            Booking(
                title=first_title if slot == 0 else f"Meeting {slot}",
                start=day + dt.timedelta(hours=slot),
                end=day + dt.timedelta(hours=slot, minutes=45),
            )
            for slot in range(8)
        )
        displays = (Display(device="kiel", room="Kiel"), Display(device="bonn", room="Bonn"))
        return ScheduleUpdate(
            schedule=Schedule(displays=displays, bookings={"kiel": bookings, "bonn": bookings[1:]})
        )

    sync = ScheduleSync()
    assert sync.apply(ReadPlan(), answer("Meeting 0"), day) == {"kiel", "bonn"}
    held = dict(sync.bookings)
    formatted = held["kiel"][3].wire_texts
    assert sync.apply(ReadPlan(), answer("Meeting 0"), day) == set()
    assert sync.bookings["kiel"] is held["kiel"] and sync.bookings["bonn"] is held["bonn"]
    assert sync.bookings["kiel"][3].wire_texts is formatted
    assert sync.apply(ReadPlan(), answer("Renamed"), day) == {"kiel"}
    assert sync.bookings["kiel"][0].title == "Renamed"
    assert all(a is b for a, b in zip(sync.bookings["kiel"][1:], held["kiel"][1:], strict=True))
