"""A new door sign is discovered from its retained status and adopted into Odoo in one form.

Real Home Assistant with its real MQTT integration, real mosquitto, real png satellite
processes and the Odoo test server over odoorpc.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_MQTT,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from custom_components.odoo_epaper.devices import async_get_entry_device, display_identifier
from custom_components.odoo_epaper.discovery import panel_label, sign_from_message
from custom_components.odoo_epaper.display_status import DisplayStatus
from testbed.broker import Broker
from testbed.mqtt_peer import MqttPeer
from testbed.odoo_server import OdooTestServer
from testbed.satellite_process import SATELLITE, SatelliteProcess
from tests.components.odoo_epaper.conftest import wait_until
from tests.components.odoo_epaper.options_helpers import async_change_options

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.slow,
    pytest.mark.skipif(not SATELLITE.exists(), reason="epaper-satellite is not installed"),
]


@pytest.fixture
def satellites(
    tmp_path: Path, mosquitto: Broker, request: pytest.FixtureRequest
) -> Iterator[dict[str, SatelliteProcess]]:
    """Satellite processes by device name (made by the test), stopped at teardown."""
    made: dict[str, SatelliteProcess] = {}
    yield made
    for process in made.values():
        process.stop()
        if getattr(getattr(request.node, "rep_call", None), "failed", False):
            request.node.add_report_section("teardown", f"{process.device} log", process.output())


def new_sign(
    satellites: dict[str, SatelliteProcess],
    tmp_path: Path,
    broker: Broker,
    device: str,
    prefix: str = "odoo_epaper/",
) -> SatelliteProcess:
    """Start a png satellite that Odoo does not know."""
    (tmp_path / device).mkdir()
    process = SatelliteProcess(tmp_path / device, broker.port, device, prefix)
    satellites[device] = process
    return process.start()


def flows(hass: HomeAssistant, device: str) -> list[dict[str, Any]]:
    """The discovery flows in progress for ``device``."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"].get("unique_id") == device
    ]


async def status_flow(hass: HomeAssistant, device: str, payload: str) -> ConfigFlowResult:
    """Start the MQTT discovery flow HA starts for a retained ``{prefix}{device}/status``."""
    return await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_MQTT},
        data=MqttServiceInfo(
            topic=f"odoo_epaper/{device}/status",
            payload=payload,
            qos=1,
            retain=True,
            subscribed_topic="odoo_epaper/+/status",
            timestamp=0.0,
        ),
    )


def test_panel_label() -> None:
    """The card names a panel as people know it."""
    status = DisplayStatus(state="online", panel="epd7in5b_V2", width=800, height=480, colors="bwr")
    assert panel_label(status) == '7.5" 800x480, black/white/red'
    assert panel_label(DisplayStatus(state="online", panel="png", width=400, height=300)) == (
        "png 400x300"
    )
    assert panel_label(DisplayStatus(state="online")) == "unknown panel"


def test_sign_from_message() -> None:
    """Only a valid status of a valid device name under a prefix is a sign."""
    payload = json.dumps({"state": "online", "panel": "epd2in13_V4", "assigned": False})
    sign = sign_from_message("site/a/lobby-2/status", payload)
    assert sign is not None
    assert (sign.device, sign.prefix, sign.panel, sign.assigned) == (
        "lobby-2",
        "site/a/",
        '2.13"',
        False,
    )
    assert sign_from_message("odoo_epaper/_hub/status", payload) is None
    assert sign_from_message("odoo_epaper/lobby-2/status", "not json {") is None
    assert sign_from_message("lobby-2/status", payload) is None


async def test_new_sign_is_discovered_adopted_and_draws_its_room(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    mosquitto: Broker,
    satellites: dict[str, SatelliteProcess],
    tmp_path: Path,
) -> None:
    """The card names the sign and its panel; the form creates the display; the sign draws."""
    watcher = MqttPeer(mosquitto).start("odoo_epaper/lobby-2/status")
    try:
        new_sign(satellites, tmp_path, mosquitto, "lobby-2")
        await wait_until(lambda: bool(flows(hass, "lobby-2")), 30)
        (flow,) = flows(hass, "lobby-2")
        assert flow["context"]["source"] in (SOURCE_MQTT, SOURCE_INTEGRATION_DISCOVERY)
        assert flow["context"]["title_placeholders"] == {
            "device": "lobby-2",
            "panel": "png 400x300, black/white",
        }
        assert flow["step_id"] == "discovery_confirm"
        form = await hass.config_entries.flow.async_configure(flow["flow_id"])
        room_options = form["data_schema"].schema["room"].config["options"]
        assert "Reception" in room_options  # a room Odoo already knows
        room_field = next(key for key in form["data_schema"].schema if key == "room")
        assert room_field.description == {"suggested_value": "Lobby 2"}  # from the name
        result = await hass.config_entries.flow.async_configure(
            flow["flow_id"],
            {"room": "Lobby 2", "time_zone": "Europe/Berlin", "language": "de_DE"},
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "adopted"
        assert odoo_server.adopted == ["lobby-2"]
        record = next(
            r
            for r in odoo_server.records["room.rasp.connection"].values()
            if r["name"] == "lobby-2"
        )
        assert (record["room_name"], record["tz"], record["lang"]) == (
            "Lobby 2",
            "Europe/Berlin",
            "de_DE",
        )

        # The hub refreshed at once: the sign has its room data and says so. Waited for on
        # the event loop: a blocking wait would stop the very refresh it waits for.
        def assigned() -> list[Any]:
            return [
                m
                for m in watcher.on("odoo_epaper/lobby-2/status")
                if (m.json() or {}).get("assigned") is True
            ]

        await wait_until(lambda: bool(assigned()), 15)
        assert assigned()[0].json()["content_hash"]
        device = async_get_entry_device(
            hass, init_integration, display_identifier(init_integration, "lobby-2")
        )
        assert device is not None and device.name == "Lobby 2"
        assert not flows(hass, "lobby-2")
    finally:
        watcher.stop()


async def test_the_hub_discovers_under_its_configured_prefix(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    satellites: dict[str, SatelliteProcess],
    tmp_path: Path,
) -> None:
    """A sign under another prefix the hub follows is found by the hub's own subscription."""
    await async_change_options(hass, init_integration, topic_prefix="site2/doors/")
    new_sign(satellites, tmp_path, mosquitto, "annex", prefix="site2/doors/")
    await wait_until(lambda: bool(flows(hass, "annex")), 30)
    (flow,) = flows(hass, "annex")
    assert flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY


async def test_ignored_sign_is_not_offered_again_until_unignored(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    satellites: dict[str, SatelliteProcess],
    tmp_path: Path,
) -> None:
    """Ignore: the card goes and stays away when the sign comes back; un-ignore offers it."""
    sign = new_sign(satellites, tmp_path, mosquitto, "storage")
    await wait_until(lambda: bool(flows(hass, "storage")), 30)
    await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_IGNORE},
        data={"unique_id": "storage", "title": "storage"},
    )
    await hass.async_block_till_done()
    assert not flows(hass, "storage")
    ignored = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "storage")
    assert ignored is not None and ignored.source == SOURCE_IGNORE

    # The sign restarts and publishes a new status: HA's MQTT discovery runs again.
    sign.stop()
    sign.start()
    watcher = MqttPeer(mosquitto).start("odoo_epaper/storage/status")
    try:
        watcher.wait(
            "odoo_epaper/storage/status", lambda m: (m.json() or {}).get("state") == "online"
        )
    finally:
        watcher.stop()
    result = await status_flow(
        hass,
        "storage",
        json.dumps({"state": "online", "panel": "png", "width": 400, "height": 300}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()
    assert not flows(hass, "storage")

    await hass.config_entries.async_remove(ignored.entry_id)
    await wait_until(lambda: bool(flows(hass, "storage")), 30)


async def test_a_known_sign_with_new_panel_data_updates_its_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """discovery-update-info: a known display's status writes its panel into its device."""
    payload = json.dumps(
        {"state": "online", "panel": "epd7in5b_V2", "width": 800, "height": 480, "colors": "bwr"}
    )
    result = await status_flow(hass, "reception", payload)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    device = async_get_entry_device(
        hass, init_integration, display_identifier(init_integration, "reception")
    )
    assert device is not None
    assert (device.model, device.hw_version) == ("epd7in5b_V2", "800x480 black/white/red")
    assert device.manufacturer == "Waveshare"


async def test_a_png_sign_is_not_said_to_be_made_by_waveshare(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A display on the png driver (the demo, a test bench) has no manufacturer."""
    payload = json.dumps(
        {"state": "online", "panel": "png", "width": 800, "height": 480, "colors": "bw"}
    )
    result = await status_flow(hass, "reception", payload)
    assert result["reason"] == "already_configured"
    device = async_get_entry_device(
        hass, init_integration, display_identifier(init_integration, "reception")
    )
    assert device is not None
    assert (device.model, device.manufacturer) == ("png", None)


async def test_a_panel_the_sign_reported_stays_when_the_displays_sync_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """A display Odoo names no panel for keeps the panel its sign's status reported when
    the displays are synced again (another room renamed, a sign adopted): it was erased."""
    coordinator = init_integration.runtime_data.coordinator
    odoo_server.update_record("room.rasp.connection", 3, {"panel_model": False})
    await coordinator.async_refresh()
    payload = json.dumps(
        {"state": "online", "panel": "png", "width": 400, "height": 300, "colors": "bw"}
    )
    await status_flow(hass, "lab-door", payload)
    identifier = display_identifier(init_integration, "lab-door")
    device = async_get_entry_device(hass, init_integration, identifier)
    assert device is not None
    assert (device.model, device.hw_version) == ("png", "400x300 black/white")

    odoo_server.update_record("room.room", 1, {"name": "Front desk"})
    await coordinator.async_refresh()
    device = async_get_entry_device(hass, init_integration, identifier)
    assert device is not None
    assert (device.model, device.hw_version) == ("png", "400x300 black/white")
