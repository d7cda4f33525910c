"""Home Assistant alongside an Odoo-published broker: the hub publishes no /data and
answers no /action for the displays the addon publishes (the schedule answer's
``publisher``), and still shows them; the other displays it publishes as before; two
publishers for one display raise a repair issue."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from testbed.ha_mqtt import async_mqtt_synced
from testbed.odoo_server import OdooTestServer

from .conftest import OutsideSubscriber, wait_until

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


async def test_a_hub_on_an_odoo_published_broker_publishes_nothing(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """reception and boardroom are Odoo's: no /data, no /ack from the hub, yet both are
    shown with their bookings and diagnostics name the publisher; lab-door stays the hub's."""
    for record_id in (1, 2):  # reception, boardroom (testbed/odoo_data/default.json)
        odoo_server.update_record("room.rasp.connection", record_id, {"publisher": "odoo"})
    subscriber = subscriber_factory("#", qos=1)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    await subscriber.wait_for(lambda ms: any(m.topic == "test/room/lab-door/data" for m in ms))
    coordinator = config_entry.runtime_data.coordinator
    displays = coordinator.data.displays
    assert displays["reception"].display.published_by_odoo
    assert displays["reception"].payload["events"]  # shown, with its bookings
    assert not displays["lab-door"].display.published_by_odoo

    subscriber.publish("odoo_epaper/reception/action", {"id": "k-1", "action": "end_now"})
    await async_mqtt_synced(hass, subscriber.client)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    topics = {m.topic for m in subscriber.snapshot()}
    assert "odoo_epaper/reception/data" not in topics
    assert "odoo_epaper/boardroom/data" not in topics
    assert "odoo_epaper/reception/ack" not in topics
    assert odoo_server.count(method="epaper_door_action") == 0


async def test_two_publishers_raise_a_repair_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Odoo's status says it publishes under odoo_epaper/ while the hub publishes the
    displays there: an issue names them (not lab-door, under test/room/); it goes away
    when Odoo's status names Home Assistant again."""
    issue_id = f"two_publishers_{init_integration.entry_id}"
    registry = ir.async_get(hass)
    peer = subscriber_factory("odoo_epaper/_odoo/status")
    status = {"state": "online", "client_id": "odoo-1", "error": None, "publisher": "odoo"}
    peer.publish("odoo_epaper/_odoo/status", status, retain=True)
    await wait_until(lambda: registry.async_get_issue(DOMAIN, issue_id) is not None)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.translation_key == "two_publishers"
    assert issue.translation_placeholders == {"devices": "boardroom, reception"}
    peer.publish("odoo_epaper/_odoo/status", {**status, "publisher": "home_assistant"}, retain=True)
    await wait_until(lambda: registry.async_get_issue(DOMAIN, issue_id) is None)
    peer.publish("odoo_epaper/_odoo/status", b"", retain=True)
