"""The hub, the addon and two satellites, each with its own user, under the deploy ACL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from testbed.broker import Broker, mosquitto_users_script
from tests.addon.conftest import settings_for
from tests.components.odoo_epaper.conftest import async_add_mqtt, async_unload, wait_until
from tests.components.odoo_epaper.entity_helpers import entity_id, state_of
from tests.reliability.helpers import Watcher, password_env, satellite_config
from tests.satellite.conftest import SatelliteProcess

from mqtt_bridge import BridgeClient  # isort: skip  (loaded by tests.addon.conftest)

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]
DEVICES = ("reception", "boardroom")
USERS = {"hub": "hub-pw-71", "odoo": "odoo-pw-72"} | {d: f"{d}-pw-73" for d in DEVICES}


@pytest.fixture
def mosquitto(broker_factory: Callable[..., Broker]) -> Broker:
    """A broker with the ACL of deploy/mosquitto/epaper-mosquitto-users (and test/room/)."""
    script = mosquitto_users_script()
    acl = script.build_acl("odoo_epaper/", "hub", "odoo")
    acl += "\nuser hub\ntopic readwrite test/room/#\n"  # the lab-door display's own prefix
    return broker_factory(users=USERS, acl=acl)


@pytest.fixture
async def mqtt_entry(hass: HomeAssistant, mosquitto: Broker) -> AsyncIterator[MockConfigEntry]:
    """Home Assistant's MQTT integration logged in as the hub's user."""
    entry = await async_add_mqtt(hass, mosquitto, username="hub", password=USERS["hub"])
    yield entry
    await async_unload(hass, entry)


@pytest.fixture
def satellites(
    mosquitto: Broker, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[dict[str, SatelliteProcess]]:
    """Real satellites, each with its own user; killed after, logs on failure."""
    processes = {
        device: SatelliteProcess(
            satellite_config(
                mosquitto.port, tmp_path / device, device, mqtt_settings={"username": device}
            ),
            password_env(USERS[device]),
        )
        for device in DEVICES
    }
    yield processes
    for process in processes.values():
        process.stop()
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        for device, process in processes.items():
            request.node.add_report_section("teardown", f"{device} log", process.log())


async def test_hub_addon_and_satellites_under_the_acl(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    satellites: dict[str, SatelliteProcess],
) -> None:
    """Data reaches each satellite, statuses reach hub and addon, tests are acknowledged."""
    entry = init_integration
    watcher = Watcher(mosquitto, "hub", USERS["hub"]).start()
    addon = BridgeClient(settings_for(mosquitto, username="odoo", password=USERS["odoo"])).start()
    try:
        for device in DEVICES:
            await wait_until(
                lambda d=device: (
                    state_of(hass, entry, "binary_sensor", "connectivity", d).state == STATE_ON
                ),
                30,
            )

        def drawn(device: str) -> bool:
            found = watcher.on(f"odoo_epaper/{device}/status")
            return bool(found) and bool(json.loads(found[-1].payload).get("content_hash"))

        await wait_until(lambda: all(drawn(d) for d in DEVICES), 30)
        for process in satellites.values():
            assert "Room data for" in process.log(), process.log()
            assert "refused" not in process.log()
        response: Any = await hass.services.async_call(
            DOMAIN,
            "send_test_message",
            {"entity_id": entity_id(hass, entry, "sensor", "room_state", "boardroom"), "wait": 10},
            blocking=True,
            return_response=True,
        )
        assert response["displays"]["boardroom"]["acknowledged"] is True
        assert await hass.async_add_executor_job(addon.wait_connected, 10)
        await wait_until(
            lambda: all(
                (event := addon.statuses().get(d)) is not None and event.status.state == "online"
                for d in DEVICES
            ),
            10,
        )
        result = await hass.async_add_executor_job(addon.send_test_message, "reception", "hi", 10)
        assert result.acked and result.ok, result.summary()
        denied = [
            line
            for line in mosquitto.log().splitlines()
            if "Denied" in line and ("odoo_epaper/" in line or "test/room/" in line)
        ]
        assert denied == [], denied
    finally:
        await hass.async_add_executor_job(addon.stop)
        watcher.stop()
