"""The repair issue when the Odoo side is too old for the hub, and what /data carries from
the addon's answer (locale, all_day, Home Assistant's zone as the last resort)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import CONF_SOURCE, DOMAIN
from testbed.odoo_server import OdooTestServer

from .conftest import OutsideSubscriber

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def addon_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The entry's "addon too old" repair issue, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"addon_too_old_{entry.entry_id}")


async def test_addon_too_old_raises_a_repair_issue_until_upgraded(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """An addon without epaper_schedule: setup retries with a translated repair issue
    naming the server; once the addon answers, the issue is gone."""
    odoo_server.drop_method("epaper_schedule")
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    issue = addon_issue(hass, config_entry)
    assert issue is not None
    assert issue.translation_key == "addon_too_old"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["url"] == odoo_server.url
    assert "epaper_schedule" in issue.translation_placeholders["error"]
    odoo_server.dropped_methods.clear()
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert addon_issue(hass, config_entry) is None
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_another_api_is_too_old_too(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """An answer of another API makes the refresh fail with the issue raised."""
    coordinator = init_integration.runtime_data.coordinator
    odoo_server.schedule_api = 2
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert addon_issue(hass, init_integration) is not None
    odoo_server.schedule_api = None
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert addon_issue(hass, init_integration) is None


async def test_data_carries_locale_all_day_and_no_made_up_zone(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """The Odoo user has no zone: a display without one gets Home Assistant's; locale from
    the display's language, else the company's; the all-day offsite is marked."""
    await hass.config.async_update(time_zone="Europe/Lisbon")
    odoo_server.update_record("res.users", 2, {"tz": False})
    odoo_server.update_record("room.rasp.connection", 1, {"lang": "de_DE"})
    odoo_server.company["lang"] = "fr_FR"
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_SOURCE: "calendar"}
    )
    subscriber = subscriber_factory("odoo_epaper/+/data")
    lab_subscriber = subscriber_factory("test/room/lab-door/data")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    messages = await subscriber.wait_for(lambda ms: len(ms) == 2)
    data = {m.topic.split("/")[1]: m.json() for m in messages}
    assert (data["boardroom"]["tz"], data["boardroom"]["locale"]) == ("Europe/Lisbon", "fr-FR")
    assert (data["reception"]["tz"], data["reception"]["locale"]) == ("Europe/Berlin", "de-DE")
    lab = (await lab_subscriber.wait_for(lambda ms: len(ms) == 1))[0].json()
    offsite = next(e for e in lab["events"] if e["title"] == "Offsite")
    assert offsite["all_day"] is True
    assert [(e["title"], e["organizer"], e["private"]) for e in data["reception"]["events"]] == [
        ("", None, True),  # admin's own private meeting: still no title at the door
        ("", None, True),  # Marc Demo's, private by his default, hidden from admin by Odoo
    ]
    assert all("all_day" not in e for e in data["reception"]["events"])
    await hass.config_entries.async_unload(config_entry.entry_id)


def collision_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The entry's "displays share a room name" repair issue, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"room_collision_{entry.entry_id}")


async def test_a_shared_room_name_raises_a_repair_issue_until_resolved(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
) -> None:
    """boardroom gets the alias " LAB " of lab-door's room: a translated warning names
    both; the alias removed, the next refresh deletes it. Nothing else changes."""
    coordinator = init_integration.runtime_data.coordinator
    assert collision_issue(hass, init_integration) is None
    odoo_server.update_record("room.rasp.connection", 2, {"location_aliases": "Annex\n LAB "})
    await coordinator.async_refresh()
    issue = collision_issue(hass, init_integration)
    assert issue is not None
    assert (issue.translation_key, issue.severity) == ("room_collision", ir.IssueSeverity.WARNING)
    assert issue.translation_placeholders == {"displays": "boardroom, lab-door"}
    assert set(coordinator.data.displays) >= {"boardroom", "lab-door"}
    odoo_server.update_record("room.rasp.connection", 2, {"location_aliases": "Annex"})
    await coordinator.async_refresh()
    assert collision_issue(hass, init_integration) is None
