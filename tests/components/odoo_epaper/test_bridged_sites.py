"""A site's Mosquitto bridged to a central one: hub on the central broker, doors at the site.

Both brokers are real mosquitto processes configured by
``deploy/mosquitto/epaper-mosquitto-users`` (central: TLS, hub, Odoo and one
user per site; site: its displays' users and ``bridge.conf``). The site link
runs through a TCP proxy, so the test can cut it as a WAN outage would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from epaper_satellite.wire import content_hash
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from testbed.broker import Broker, deployed_listeners, free_port, generate_tls
from testbed.mqtt_peer import Message
from testbed.odoo_server import OdooTestServer
from testbed.tcp_proxy import TcpProxy
from tests.components.odoo_epaper.conftest import async_add_mqtt, async_unload, wait_until
from tests.components.odoo_epaper.entity_helpers import entity_id, state_of
from tests.reliability.helpers import Watcher, password_env, satellite_config
from tests.satellite.conftest import SatelliteProcess

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.slow,
    pytest.mark.usefixtures("enable_all_entities"),
]

SCRIPT = Path(__file__).resolve().parents[3] / "deploy" / "mosquitto" / "epaper-mosquitto-users"
SITE = "berlin"
DEVICES = ("reception", "boardroom")
LINK_STATE = f"$SYS/broker/connection/epaper-bridge-{SITE}/state"
BOOKING_OF = {"reception": 3, "boardroom": 1}  # a booking of today in each room


def generate(out: Path, *args: str) -> dict[str, str]:
    """Run the generator into ``out``; return the passwords it wrote."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(tomllib.loads((out / "credentials.toml").read_text())["users"])


class Sites:
    """The central broker, the Berlin site's broker bridged to it through a proxy."""

    def __init__(self, tmp_path: Path, broker_factory: Callable[..., Broker]) -> None:
        central_dir = tmp_path / "central"
        self.users = generate(central_dir, "--site", f"{SITE}={','.join(DEVICES)}")
        tls = generate_tls(tmp_path / "tls")
        door_port, service_port = free_port(), free_port()
        # The deployed configuration: sites' bridges on the displays' listener, the hub
        # (and Odoo) on the services' one.
        self.central = broker_factory(
            listeners=deployed_listeners(central_dir, door_port, service_port, tls),
            port=door_port,
            tls_files=tls,
        )
        self.hub_side = self.central.listener(service_port)
        self.ca_cert = tls.ca_cert
        self.link = TcpProxy("127.0.0.1", self.central.port).start()
        site_dir = tmp_path / SITE
        self.site_users = generate(
            site_dir,
            "--bridge-to",
            f"127.0.0.1:{self.link.port}",
            "--site-name",
            SITE,
            "--central-credentials",
            str(central_dir / "credentials.toml"),
            "--bridge-cafile",
            str(self.ca_cert),
            *DEVICES,
        )
        assert set(self.site_users) == set(DEVICES)
        site_port = free_port()
        self.site = broker_factory(
            listeners=deployed_listeners(site_dir, site_port, None, None),
            port=site_port,
            bridge=(site_dir / "bridge.conf").read_text(),
        )


@pytest.fixture
def sites(tmp_path: Path, broker_factory: Callable[..., Broker]) -> Iterator[Sites]:
    """Both brokers running, the link up; the proxy stopped after the test."""
    built = Sites(tmp_path, broker_factory)
    yield built
    built.link.stop()


@pytest.fixture
async def central_mqtt(hass: HomeAssistant, sites: Sites) -> AsyncIterator[MockConfigEntry]:
    """Home Assistant's MQTT integration on the central broker, as the hub's user over TLS."""
    entry = await async_add_mqtt(
        hass,
        sites.hub_side,
        username="homeassistant",
        password=sites.users["homeassistant"],
        certificate=sites.ca_cert.read_text(),
    )
    yield entry
    await async_unload(hass, entry)


@pytest.fixture
def satellites(
    sites: Sites, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], SatelliteProcess]]:
    """Start real satellites on the site broker, each as its own user; killed after."""
    started: dict[str, SatelliteProcess] = {}

    def start(device: str) -> SatelliteProcess:
        config = satellite_config(
            sites.site.port,
            tmp_path / f"satellite-{device}-{len(started)}",
            device,
            mqtt_settings={"username": device},
        )
        process = SatelliteProcess(config, password_env(sites.site_users[device]))
        started[f"{device}-{len(started)}"] = process
        return process

    yield start
    for process in started.values():
        process.stop()
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        for name, process in started.items():
            request.node.add_report_section("teardown", f"{name} log", process.log())


def last(messages: list[Message]) -> Message | None:
    """The newest of ``messages``."""
    return messages[-1] if messages else None


async def test_site_bridged_to_central_broker(
    hass: HomeAssistant,
    odoo_server: OdooTestServer,
    sites: Sites,
    central_mqtt: MockConfigEntry,
    config_entry: MockConfigEntry,
    satellites: Callable[[str], SatelliteProcess],
) -> None:
    """Data flows down, status and last wills flow up; a cut link loses nothing."""
    odoo_server.delete_record("room.rasp.connection", 3)  # lab-door: not at this site
    hub = Watcher(sites.hub_side, "homeassistant", sites.users["homeassistant"], sites.ca_cert)
    hub.start("odoo_epaper/#", LINK_STATE)

    def link_state() -> bytes | None:
        message = last(hub.on(LINK_STATE))
        return message.payload if message else None

    def data_hash(device: str) -> str | None:
        message = last(hub.on(f"odoo_epaper/{device}/data"))
        return content_hash(message.payload) if message else None

    def status(device: str) -> dict[str, object]:
        message = last(hub.on(f"odoo_epaper/{device}/status"))
        body = message.json() if message else None
        return body if isinstance(body, dict) else {}

    def shows_latest(device: str) -> bool:
        shown = status(device)
        return shown.get("state") == "online" and shown.get("content_hash") == data_hash(device)

    def connectivity(device: str) -> str:
        return state_of(hass, config_entry, "binary_sensor", "connectivity", device).state

    try:
        await wait_until(lambda: link_state() == b"1", 30)
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        coordinator = config_entry.runtime_data.coordinator
        processes = {device: satellites(device) for device in DEVICES}

        # Connected: every door draws the hub's data; its status reaches the hub.
        await wait_until(lambda: all(shows_latest(d) for d in DEVICES), 30)
        await wait_until(lambda: all(connectivity(d) == STATE_ON for d in DEVICES), 10)
        before = {device: data_hash(device) for device in DEVICES}

        # The site link goes down: the central broker publishes the bridge's last will.
        sites.link.refusing = True
        assert sites.link.cut() >= 1
        await wait_until(lambda: link_state() == b"0", 30)

        # While it is down: both rooms' schedules change, one door loses power.
        for device, booking in BOOKING_OF.items():
            odoo_server.update_record("room.booking", booking, {"name": f"Moved {device}"})
        await coordinator.async_refresh()
        await wait_until(lambda: all(data_hash(d) != before[d] for d in DEVICES), 10)
        processes["boardroom"].stop()  # kill -9: the site broker publishes its last will
        assert not shows_latest("reception")

        # The link is back: the running door draws the new data, the dead one is offline.
        sites.link.refusing = False
        await wait_until(lambda: link_state() == b"1", 30)
        await wait_until(lambda: shows_latest("reception"), 30)
        await wait_until(lambda: status("boardroom").get("state") == "offline", 30)
        await wait_until(lambda: connectivity("boardroom") == STATE_OFF, 10)
        assert connectivity("reception") == STATE_ON

        # A test message crosses down, its acknowledgement up.
        response: Any = await hass.services.async_call(
            DOMAIN,
            "send_test_message",
            {
                "entity_id": entity_id(hass, config_entry, "sensor", "room_state", "reception"),
                "wait": 10,
            },
            blocking=True,
            return_response=True,
        )
        assert response["displays"]["reception"]["acknowledged"] is True

        # A door that starts after the outage gets the retained data through its site broker.
        satellites("boardroom")
        await wait_until(lambda: shows_latest("boardroom"), 30)
        await wait_until(lambda: connectivity("boardroom") == STATE_ON, 10)
        # Only the E-Paper topics: the deploy ACL leaves Home Assistant's own birth
        # message (homeassistant/status) out, and when it goes out depends on timing.
        denied = [
            line
            for line in sites.central.log().splitlines()
            if "Denied" in line and "odoo_epaper/" in line
        ]
        assert denied == [], denied
        assert json.loads(hub.on("odoo_epaper/_hub/status")[-1].payload)["state"] == "online"
    finally:
        hub.stop()
        await async_unload(hass, config_entry)
