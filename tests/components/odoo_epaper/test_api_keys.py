"""Home Assistant on Odoo 19.0: JSON-2 with an API key end to end, no /jsonrpc call, the
repair issue before the key expires (cleared by reauth with a new key), and a revoked key
starting the reauth flow."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo_epaper.const import CONF_DATABASE, DOMAIN
from custom_components.odoo_epaper.key_expiry import WARN_BEFORE
from custom_components.odoo_epaper.options import EpaperOptions
from testbed.ha_entry import ODOO_DATABASE, ODOO_LOGIN, entry_data, unique_id
from testbed.odoo_server import OdooTestServer

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture
def odoo19(socket_enabled: None) -> Iterator[OdooTestServer]:
    """A 19.0 test server whose /jsonrpc is gone (as in Odoo's newer sources)."""
    server = OdooTestServer(series="19.0", legacy_rpc=False).start()
    yield server
    server.stop()


def key_entry(hass: HomeAssistant, server: OdooTestServer, key: str) -> MockConfigEntry:
    """An entry for the admin user holding ``key`` in ``password``, added to hass."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="odoo",
        data=entry_data(server, **{CONF_PASSWORD: key}),
        options=EpaperOptions().as_dict(),
        unique_id=unique_id(server),
    )
    entry.add_to_hass(hass)
    return entry


def key_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The entry's "API key expires" repair issue, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"api_key_expires_{entry.entry_id}")


def reauth_flows(hass: HomeAssistant) -> list[str]:
    """The ids of the reauth flows in progress."""
    return [
        flow["flow_id"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def test_runs_on_json2_without_jsonrpc(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, odoo19: OdooTestServer
) -> None:
    """Set up and refresh on 19.0 through JSON-2 only; a persistent key raises no issue."""
    entry = key_entry(hass, odoo19, odoo19.add_api_key(ODOO_LOGIN))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.info.transport == "json2"
    await entry.runtime_data.coordinator.async_refresh()
    assert odoo19.paths["/json/2/room.rasp.connection/epaper_schedule"] >= 2
    assert odoo19.paths["/jsonrpc"] == 0
    assert odoo19.deprecated_calls == 0
    assert key_issue(hass, entry) is None
    assert reauth_flows(hass) == []
    await hass.config_entries.async_unload(entry.entry_id)


async def test_expiring_key_raises_an_issue_until_reauth(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, odoo19: OdooTestServer
) -> None:
    """A key within WARN_BEFORE of its expiry: a translated warning and a reauth flow while
    the key still works; a new key through that flow clears the issue."""
    expiry = dt_util.utcnow().replace(microsecond=0) + dt.timedelta(days=5)
    entry = key_entry(hass, odoo19, odoo19.add_api_key(ODOO_LOGIN, expires=expiry))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    issue = key_issue(hass, entry)
    assert issue is not None
    assert (issue.translation_key, issue.severity) == ("api_key_expires", ir.IssueSeverity.WARNING)
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["username"] == ODOO_LOGIN
    assert issue.translation_placeholders["expiry"] == dt_util.as_local(expiry).strftime(
        "%Y-%m-%d %H:%M"
    )
    [flow_id] = reauth_flows(hass)
    new_key = odoo19.add_api_key(ODOO_LOGIN)  # persistent
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: new_key})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == new_key
    assert entry.state is ConfigEntryState.LOADED
    assert key_issue(hass, entry) is None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_issue_comes_when_the_warning_time_arrives(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, odoo19: OdooTestServer
) -> None:
    """A key far from its expiry raises nothing until WARN_BEFORE ahead of it."""
    expiry = dt_util.utcnow().replace(microsecond=0) + WARN_BEFORE + dt.timedelta(days=30)
    entry = key_entry(hass, odoo19, odoo19.add_api_key(ODOO_LOGIN, expires=expiry))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert key_issue(hass, entry) is None
    assert reauth_flows(hass) == []
    async_fire_time_changed(hass, expiry - WARN_BEFORE + dt.timedelta(seconds=1))
    await hass.async_block_till_done()
    assert key_issue(hass, entry) is not None
    assert len(reauth_flows(hass)) == 1
    await hass.config_entries.async_unload(entry.entry_id)


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, odoo19: OdooTestServer
) -> None:
    """A key revoked in Odoo while running: the next refresh fails and reauth starts."""
    key = odoo19.add_api_key(ODOO_LOGIN)
    entry = key_entry(hass, odoo19, key)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert reauth_flows(hass) == []
    odoo19.revoke_api_key(key)
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert len(reauth_flows(hass)) == 1
    await hass.config_entries.async_unload(entry.entry_id)


async def test_user_step_takes_a_key_on_19(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, odoo19: OdooTestServer
) -> None:
    """On 19.0 the form takes an API key; the password alone is refused (invalid_auth)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    user_input = {
        CONF_URL: odoo19.url,
        CONF_DATABASE: ODOO_DATABASE,
        CONF_USERNAME: ODOO_LOGIN,
        CONF_PASSWORD: "admin-pw",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["errors"] == {"base": "invalid_auth"}
    key = odoo19.add_api_key(ODOO_LOGIN)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**user_input, CONF_PASSWORD: key}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] == key
    assert result["result"].unique_id == unique_id(odoo19)
    assert odoo19.paths["/jsonrpc"] == 0
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_api_key_absent_from_debug_logs_errors_and_diagnostics(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    odoo19: OdooTestServer,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """On JSON-2 the key travels in a header: never in the logs (debug), errors or diagnostics."""
    key = odoo19.add_api_key(ODOO_LOGIN)
    entry = key_entry(hass, odoo19, key)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("custom_components.odoo_epaper").setLevel(logging.DEBUG)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        coordinator = entry.runtime_data.coordinator
        odoo19.go_down("http_error")
        await coordinator.async_refresh()
        failure = str(coordinator.last_exception)
        odoo19.come_up()
        odoo19.revoke_api_key(key)
        await coordinator.async_refresh()
        refused = str(coordinator.last_exception)
        assert await async_setup_component(hass, "diagnostics", {})
        diagnostics = json.dumps(await get_diagnostics_for_config_entry(hass, hass_client, entry))
    assert json.loads(diagnostics)["odoo"]["transport"] == "json2"
    assert "Internal Server Error" in failure
    assert refused
    for place, text in (
        ("logs", caplog.text),
        ("outage", failure),
        ("refusal", refused),
        ("diagnostics", diagnostics),
    ):
        assert key not in text, place
    await hass.config_entries.async_unload(entry.entry_id)
