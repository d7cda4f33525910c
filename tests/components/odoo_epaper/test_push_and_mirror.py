"""Push from Odoo's change notices, the status mirror, reload and unload hygiene."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.components.mqtt.models import DATA_MQTT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import CONF_STATUS_MIRROR
from testbed.ha_mqtt import async_mqtt_synced, publish
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import PREFIX, send_status

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
SCHEDULE_READ = ("room.rasp.connection", "epaper_schedule")


def odoo_topics(hass: HomeAssistant, *prefixes: str) -> set[str]:
    """Return the topics Home Assistant's MQTT client is subscribed to under ``prefixes``."""
    prefixes = prefixes or (PREFIX, "test/room/")
    client = hass.data[DATA_MQTT].client
    return {sub.topic for sub in client.subscriptions if sub.topic.startswith(prefixes)}


async def test_change_notice_reaches_the_door_within_two_seconds(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    watcher: OutsideSubscriber,
) -> None:
    """A booking changed in Odoo and announced on _odoo/changed is on /data in < 2 s."""
    odoo_server.update_record("room.booking", 3, {"name": "Stand-up (moved)"})
    started = time.monotonic()
    publish(watcher.client, f"{PREFIX}_odoo/changed", json.dumps({"devices": ["reception"]}))
    await watcher.wait_for(lambda ms: any(m.topic == f"{PREFIX}reception/data" for m in ms), 2)
    elapsed = time.monotonic() - started
    assert elapsed < 2
    payload = watcher.on("reception/data")[0].json()
    assert "Stand-up (moved)" in [event["title"] for event in payload["events"]]
    assert [m.topic for m in watcher.on("/data")] == [f"{PREFIX}reception/data"]


async def test_burst_of_notices_costs_one_read(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    watcher: OutsideSubscriber,
) -> None:
    """Five notices in a row lead to one read of Odoo's schedule."""
    before = odoo_server.count(*SCHEDULE_READ)
    odoo_server.update_record("room.booking", 1, {"name": "Board meeting (new room)"})
    for _ in range(5):
        publish(watcher.client, f"{PREFIX}_odoo/changed", json.dumps({"devices": ["boardroom"]}))
    await watcher.wait_for(lambda ms: any(m.topic.endswith("boardroom/data") for m in ms), 3)
    await hass.async_block_till_done()
    assert odoo_server.count(*SCHEDULE_READ) == before + 1
    publish(watcher.client, f"{PREFIX}_odoo/changed", b"{not json")
    await async_mqtt_synced(hass, watcher.client)
    await hass.async_block_till_done()
    assert odoo_server.count(*SCHEDULE_READ) == before + 1


async def test_status_mirror_writes_bursts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    watcher: OutsideSubscriber,
) -> None:
    """Status changes of the displays reach Odoo in one mqtt_status_report call."""
    send_status(watcher.client, "reception")
    send_status(watcher.client, "boardroom", error="data rejected: v is not 1")

    def mirrored() -> dict[str, Any]:
        return {r["device"]: r for batch in odoo_server.status_reports for r in batch}

    def stored() -> dict[str, Any]:
        return {rec["name"]: rec for rec in odoo_server.records["room.rasp.connection"].values()}

    # The two statuses may reach Odoo in one burst or two, and the server records a call
    # before it stores it: wait for what is asserted.
    await wait_until(
        lambda: (
            {"reception", "boardroom"} <= set(mirrored())
            and stored()["reception"]["mqtt_connection_state"] == "online"
            and stored()["boardroom"]["last_error"] is not False
        ),
        5,
    )
    reports = mirrored()
    assert reports["reception"]["state"] == "online"
    assert reports["boardroom"]["error"] == "data rejected: v is not 1"
    records = stored()
    assert records["reception"]["mqtt_connection_state"] == "online"
    assert records["boardroom"]["last_error"] == "data rejected: v is not 1"


async def test_status_mirror_can_be_switched_off(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """With the option off no status is written to Odoo."""
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_STATUS_MIRROR: False}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.runtime_data.mirror is None
    client = subscriber_factory(f"{PREFIX}+/status")
    send_status(client.client, "reception")
    await wait_until(lambda: "reception" in config_entry.runtime_data.tracker.displays)
    await hass.async_block_till_done()
    assert odoo_server.status_reports == []
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_reload_and_unload_leave_no_subscription(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Subscriptions exist while loaded, once after a reload, none after unload."""
    expected = {
        f"{PREFIX}+/status",
        f"{PREFIX}+/snapshot",
        f"{PREFIX}+/ack",
        f"{PREFIX}+/action",
        f"{PREFIX}+/cmd",
        f"{PREFIX}_odoo/changed",
        "test/room/+/status",
        "test/room/+/snapshot",
        "test/room/+/ack",
        "test/room/+/action",
        "test/room/+/cmd",
        "test/room/_odoo/changed",
    }
    assert odoo_topics(hass) == expected
    client = hass.data[DATA_MQTT].client
    count = len(client.subscriptions)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert odoo_topics(hass) == expected
    assert len(client.subscriptions) == count
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    # Left: HA's MQTT discovery of new signs for the manifest's ``mqtt`` key, not ours.
    assert odoo_topics(hass) == {f"{PREFIX}+/status"}


async def test_no_mirror_for_a_read_only_user(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A user who may read but not write the addon's displays gets no status mirror."""

    def has_access(model: str, _uid: int, _ids: list[int], operation: str = "read") -> bool:
        return operation == "read"

    odoo_server._has_access = has_access  # type: ignore[method-assign]
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.runtime_data.mirror is None
    assert "may not write displays" in caplog.text
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_prefixes_follow_the_displays(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """A display with a new prefix adds its subscriptions; its removal drops them."""
    record = odoo_server.add_record(
        "room.rasp.connection",
        {
            "name": "annex",
            "room_id": False,
            "room_name": "Annex",
            "topic_prefix": "site/annex/",
            "tz": "UTC",
            "qos": 1,
            "panel_model": False,
            "mqtt_connection_state": "unknown",
            "last_seen": False,
            "last_error": False,
            "active": True,
        },
    )
    coordinator = init_integration.runtime_data.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert "site/annex/+/status" in odoo_topics(hass, "site/annex/")
    assert "site/annex/" in init_integration.runtime_data.tracker.prefixes
    odoo_server.delete_record("room.rasp.connection", record)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert odoo_topics(hass, "site/annex/") == set()
