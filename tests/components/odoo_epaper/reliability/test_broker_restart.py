"""Broker restart with the hub, two real satellites and the Odoo addon's session connected."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest.mock import patch

import pytest
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.broker import Broker
from testbed.satellite_process import SATELLITE, SatelliteProcess
from tests.addon.conftest import settings_for
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import state_of

from mqtt_bridge import BridgeClient, MqttConnectionManager  # isort: skip  (loaded by tests.addon.conftest)

pytestmark = [
    pytest.mark.usefixtures("enable_all_entities"),
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.slow,
    pytest.mark.skipif(not SATELLITE.exists(), reason="epaper-satellite is not installed"),
]
DEVICES = ("reception", "boardroom")


@pytest.fixture
def fast_mqtt_reconnect() -> Iterator[None]:
    """Let Home Assistant's MQTT client retry every 0.1 s instead of 10 s."""
    with patch("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.1):
        yield


@pytest.fixture
def satellites(
    tmp_path: Path, mosquitto: Broker, request: pytest.FixtureRequest
) -> Iterator[dict[str, SatelliteProcess]]:
    """Satellites of the reception and the boardroom; stopped after, logs on failure."""
    processes = {device: SatelliteProcess(tmp_path, mosquitto.port, device) for device in DEVICES}
    yield processes
    for process in processes.values():
        process.stop()
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        for device, process in processes.items():
            request.node.add_report_section("teardown", f"{device} log", process.output())


@pytest.fixture
def addon_session(mosquitto: Broker) -> Iterator[BridgeClient]:
    """The Odoo addon's session, registered with its MqttConnectionManager; stopped after."""
    manager = MqttConnectionManager()
    client = manager.register("reliability", settings_for(mosquitto))
    client.backoff.first = 0.2
    yield client
    manager.unregister("reliability")


def _satellite_status(subscriber: OutsideSubscriber, device: str) -> dict[str, object]:
    found = subscriber.on(f"{device}/status")
    return json.loads(found[-1].payload) if found else {}


async def test_everything_reconnects_after_a_broker_restart(
    fast_mqtt_reconnect: None,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    satellites: dict[str, SatelliteProcess],
    addon_session: BridgeClient,
    subscriber_factory: Callable[..., OutsideSubscriber],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Hub, satellites and addon reconnect by themselves; statuses and entities come back."""
    entry = init_integration
    birth = subscriber_factory("homeassistant/status")
    watcher = subscriber_factory("odoo_epaper/+/status")
    for process in satellites.values():
        process.start()

    def connectivity(device: str) -> str:
        return state_of(hass, entry, "binary_sensor", "connectivity", device).state

    def drawn(device: str) -> bool:
        return bool(_satellite_status(watcher, device).get("content_hash"))

    await wait_until(lambda: all(connectivity(d) == STATE_ON for d in DEVICES), 30)
    await wait_until(lambda: all(drawn(d) for d in DEVICES), 30)
    assert addon_session.wait_connected(5)
    await wait_until(lambda: set(DEVICES) <= set(addon_session.statuses()), 10)
    await birth.wait_for(bool, 20)
    before = {d: satellites[d].output().count("Panel drawn") for d in DEVICES}
    mark = len(watcher.snapshot())

    restarted = time.time()
    await hass.async_add_executor_job(mosquitto.restart, 1.0)
    await wait_until(lambda: "Lost the MQTT broker" in caplog.text, 10)
    await birth.wait_for(lambda messages: len(messages) >= 2, 30)
    await wait_until(lambda: all(connectivity(d) == STATE_ON for d in DEVICES), 30)
    await wait_until(
        lambda: (
            all(
                json.loads(m.payload).get("state") == "online"
                and json.loads(m.payload).get("content_hash")
                for d in DEVICES
                for m in watcher.on(f"{d}/status", mark)[-1:]
            )
            and all(watcher.on(f"{d}/status", mark) for d in DEVICES)
        ),
        30,
    )
    assert addon_session.wait_connected(15)
    assert MqttConnectionManager().is_connected("reliability")
    await wait_until(
        lambda: all(
            (event := addon_session.statuses().get(d)) is not None
            and event.received_at.timestamp() >= restarted
            and event.status.state == "online"
            for d in DEVICES
        ),
        30,
    )
    assert "The MQTT broker is reachable again" in caplog.text
    for device, process in satellites.items():
        log = process.output()
        assert process.process is not None and process.process.poll() is None
        assert log.count("Connected to") >= 2, log
        assert log.count("Panel drawn") <= before[device] + 1, log  # the republished data
        assert "Traceback" not in log
