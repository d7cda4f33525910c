"""Config, reauth, reconfigure and options flows: every path, error and abort."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.selector import SelectSelector, TextSelector
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import (
    CONF_DATABASE,
    CONF_DOOR_ACTIONS,
    CONF_HORIZON_DAYS,
    CONF_MAX_BOOKING_MINUTES,
    CONF_QOS,
    CONF_SOURCE,
    CONF_STATUS_MIRROR,
    CONF_TOPIC_PREFIX,
    DOMAIN,
)
from testbed.ha_entry import ODOO_LOGIN, ODOO_PASSWORD, entry_data, unique_id
from testbed.odoo_server import OdooTestServer
from tests.fixtures.vectors import load_vectors

DEFAULT_OPTIONS = {
    CONF_TOPIC_PREFIX: "odoo_epaper/",
    CONF_QOS: 1,
    CONF_SCAN_INTERVAL: 60,
    CONF_SOURCE: "auto",
    CONF_HORIZON_DAYS: 7,
    CONF_STATUS_MIRROR: True,
    CONF_DOOR_ACTIONS: ["book_now", "extend", "end_now", "check_in"],
    CONF_MAX_BOOKING_MINUTES: 120,
}


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Do not set the entry up after a flow created or reloaded it."""
    with patch("custom_components.odoo_epaper.async_setup_entry", return_value=True) as mock_setup:
        yield mock_setup


def database_selector(result: Any) -> Any:
    """The selector the form uses for the database field."""
    for key, value in result["data_schema"].schema.items():
        if key == CONF_DATABASE:
            return value
    raise AssertionError("no database field")


async def test_user_flow(
    hass: HomeAssistant, odoo_server: OdooTestServer, mock_setup_entry: AsyncMock
) -> None:
    """A good server, database and login create the entry with default options."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    assert isinstance(database_selector(result), TextSelector)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(odoo_server, url=f" {odoo_server.url}/ ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "odoo on 127.0.0.1"
    assert result["data"] == entry_data(odoo_server, url=f"{odoo_server.url}/")
    assert result["options"] == DEFAULT_OPTIONS
    assert result["result"].unique_id == unique_id(odoo_server)
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_single_database_is_picked(
    hass: HomeAssistant, odoo_server: OdooTestServer, mock_setup_entry: AsyncMock
) -> None:
    """With the database left empty, the server's only database is used."""
    odoo_server.databases = ["odoo"]
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    user_input = entry_data(odoo_server)
    del user_input[CONF_DATABASE]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DATABASE] == "odoo"


async def test_user_flow_database_choice(
    hass: HomeAssistant, odoo_server: OdooTestServer, mock_setup_entry: AsyncMock
) -> None:
    """Several databases and none chosen: the form comes back with a drop-down of them."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(odoo_server, database="")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_database"}
    selector = database_selector(result)
    assert isinstance(selector, SelectSelector)
    assert selector.config["options"] == ["odoo", "staging"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(odoo_server, database="staging")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == unique_id(odoo_server, "staging")


def _down(server: OdooTestServer) -> dict[str, str]:
    server.go_down()
    return {}


def _http_error(server: OdooTestServer) -> dict[str, str]:
    server.go_down("http_error")
    return {}


def _no_listing_no_database(server: OdooTestServer) -> dict[str, str]:
    server.list_db = False
    return {CONF_DATABASE: ""}


def _denied(server: OdooTestServer) -> dict[str, str]:
    server.deny_access("room.rasp.connection")
    return {}


BREAKAGES: list[tuple[str, Callable[[OdooTestServer], dict[str, str]], dict[str, str]]] = [
    ("down", _down, {"base": "cannot_connect"}),
    ("http 500", _http_error, {"base": "cannot_connect"}),
    ("bad password", lambda s: {CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
    ("unknown login", lambda s: {CONF_USERNAME: "nobody"}, {"base": "invalid_auth"}),
    ("unknown database", lambda s: {CONF_DATABASE: "nope"}, {"base": "invalid_database"}),
    ("no database, no listing", _no_listing_no_database, {"base": "invalid_database"}),
    ("no read rights", _denied, {"base": "insufficient_rights"}),
    ("bad URL", lambda s: {CONF_URL: "odoo.example.com"}, {CONF_URL: "invalid_url"}),
]


@pytest.mark.parametrize(
    ("breakage", "errors"),
    [(b, e) for _, b, e in BREAKAGES],
    ids=[name for name, _, _ in BREAKAGES],
)
async def test_user_flow_errors(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    mock_setup_entry: AsyncMock,
    breakage: Callable[[OdooTestServer], dict[str, str]],
    errors: dict[str, str],
) -> None:
    """Each failure shows its error; once fixed, the same flow creates the entry."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    changes = breakage(odoo_server)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(odoo_server, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    odoo_server.come_up()
    odoo_server.list_db = True
    odoo_server.allow_access("room.rasp.connection")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(odoo_server)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_unexpected_error(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug shows 'unknown' and lands in the log with its traceback."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    with patch(
        "custom_components.odoo_epaper.config_flow.OdooClient.connect",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], entry_data(odoo_server)
        )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while logging in to Odoo" in caplog.text
    assert "RuntimeError: boom" in caplog.text


async def test_user_flow_already_configured(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The same server, database and user a second time aborts."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(odoo_server)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """A new password: a wrong one shows invalid_auth, the right one updates and reloads."""
    odoo_server.set_password(ODOO_LOGIN, "new-pw")
    result = await config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    placeholders = result["description_placeholders"]
    assert placeholders[CONF_USERNAME] == ODOO_LOGIN
    assert placeholders[CONF_URL] == odoo_server.url
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: ODOO_PASSWORD}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new-pw"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_PASSWORD] == "new-pw"
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reauth_server_down(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Odoo unreachable during reauth: cannot_connect, password unchanged."""
    result = await config_entry.start_reauth_flow(hass)
    odoo_server.go_down()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PASSWORD: "x"})
    assert result["errors"] == {"base": "cannot_connect"}
    assert config_entry.data[CONF_PASSWORD] == ODOO_PASSWORD


async def test_reauth_wrong_account(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The login now belongs to another Odoo user (another uid): abort, keep the entry."""
    odoo_server.update_record("res.users", 2, {"login": "admin-old"})
    odoo_server.add_record("res.users", {"login": ODOO_LOGIN, "name": "New Admin", "tz": False})
    odoo_server.set_password(ODOO_LOGIN, "other-pw")
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "other-pw"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.data[CONF_PASSWORD] == ODOO_PASSWORD


async def test_reconfigure(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Another database: validated, then data, unique id and title follow."""
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo_server.url, CONF_DATABASE: "nope"}
    )
    assert result["errors"] == {"base": "invalid_database"}
    assert isinstance(database_selector(result), SelectSelector)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo_server.url, CONF_DATABASE: "staging"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data == entry_data(odoo_server, database="staging")
    assert config_entry.unique_id == unique_id(odoo_server, "staging")
    assert config_entry.title == "staging on 127.0.0.1"


async def test_reconfigure_same_target(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Confirming the current URL and database is allowed (not 'already configured')."""
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo_server.url, CONF_DATABASE: "odoo"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.unique_id == unique_id(odoo_server)


async def test_reconfigure_onto_another_entry(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Moving onto the server, database and user of another entry aborts."""
    other = MockConfigEntry(
        domain=DOMAIN,
        data=entry_data(odoo_server, database="staging"),
        unique_id=unique_id(odoo_server, "staging"),
    )
    other.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: odoo_server.url, CONF_DATABASE: "staging"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.data[CONF_DATABASE] == "odoo"


async def test_options_flow(
    hass: HomeAssistant, config_entry: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """Options are stored as typed values."""
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_TOPIC_PREFIX: "site-1/signs/",
            CONF_QOS: "2",
            CONF_SCAN_INTERVAL: 30.0,
            CONF_SOURCE: "calendar",
            CONF_HORIZON_DAYS: 3.0,
            CONF_STATUS_MIRROR: False,
            CONF_DOOR_ACTIONS: ["check_in", "book_now"],
            CONF_MAX_BOOKING_MINUTES: 60.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options == {
        CONF_TOPIC_PREFIX: "site-1/signs/",
        CONF_QOS: 2,
        CONF_SCAN_INTERVAL: 30,
        CONF_SOURCE: "calendar",
        CONF_HORIZON_DAYS: 3,
        CONF_STATUS_MIRROR: False,
        CONF_DOOR_ACTIONS: ["book_now", "check_in"],
        CONF_MAX_BOOKING_MINUTES: 60,
    }


@pytest.mark.parametrize("prefix", load_vectors("topic_prefixes")["invalid"])
async def test_options_flow_invalid_prefix(
    hass: HomeAssistant, config_entry: MockConfigEntry, mock_setup_entry: AsyncMock, prefix: str
) -> None:
    """Every invalid prefix of the vectors is refused on its field."""
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_OPTIONS, CONF_QOS: "1", CONF_TOPIC_PREFIX: prefix}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_TOPIC_PREFIX: "invalid_topic_prefix"}
    assert config_entry.options == DEFAULT_OPTIONS


async def test_options_flow_scan_interval_minimum(
    hass: HomeAssistant, config_entry: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """Polling faster than every 15 s is refused by the form's schema."""
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**DEFAULT_OPTIONS, CONF_QOS: "1", CONF_SCAN_INTERVAL: 5}
        )


async def test_options_flow_source_unavailable(
    hass: HomeAssistant, odoo_server: OdooTestServer, init_integration: MockConfigEntry
) -> None:
    """With the entry loaded, the options offer the source ids the addon lists; a
    stored source whose module was uninstalled since is offered and refused."""
    odoo_server.remove_model("room.booking")
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    offered = {str(key): value for key, value in result["data_schema"].schema.items()}[CONF_SOURCE]
    assert offered.config["options"] == ["auto", "calendar"]
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**DEFAULT_OPTIONS, CONF_QOS: "1", CONF_SOURCE: "room_booking"}
        )
    hass.config_entries.async_update_entry(
        init_integration, options={**DEFAULT_OPTIONS, CONF_SOURCE: "room_booking"}
    )
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_OPTIONS, CONF_QOS: "1", CONF_SOURCE: "room_booking"}
    )
    assert result["errors"] == {CONF_SOURCE: "source_unavailable"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_OPTIONS, CONF_QOS: "1", CONF_SOURCE: "calendar"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.runtime_data.coordinator.options.source == "calendar"
