"""The Odoo password never shows in Home Assistant's logs (even at debug), MQTT or errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from testbed.ha_entry import ODOO_PASSWORD
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import send_status

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


async def test_odoo_password_absent_from_debug_logs_mqtt_and_errors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cycles, the status mirror, an outage, a changed password and diagnostics: no secret."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    everything = subscriber_factory("#")
    with caplog.at_level(logging.DEBUG):
        for name in ("odoorpc", "custom_components.odoo_epaper", "homeassistant"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        await coordinator.async_refresh()
        send_status(everything.client, "reception", error="panel: SPI timeout")
        await wait_until(
            lambda: odoo_server.count("room.rasp.connection", "mqtt_status_report") > 0
        )
        odoo_server.go_down("http_error")
        await coordinator.async_refresh()
        failure = str(coordinator.last_exception)
        odoo_server.come_up()
        odoo_server.set_password("admin", "another-pw")
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        refused = str(coordinator.last_exception)
        assert await async_setup_component(hass, "diagnostics", {})
        diagnostics = json.dumps(await get_diagnostics_for_config_entry(hass, hass_client, entry))
        await everything.sync(hass)
    assert "odoorpc" in caplog.text  # the RPC layer did log at debug level
    published = b"".join(message.payload for message in everything.snapshot())
    for place, text in (
        ("logs", caplog.text),
        ("outage error", failure),
        ("refusal", refused),
        ("diagnostics", diagnostics),
        ("MQTT", published.decode("utf-8", "replace")),
    ):
        assert ODOO_PASSWORD not in text, place
