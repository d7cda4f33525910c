"""The hub's link over TLS: Home Assistant's MQTT client verifies the broker's certificate."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from homeassistant.components import mqtt
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.broker import Broker, generate_tls
from tests.components.odoo_epaper.conftest import async_add_mqtt, async_unload, wait_until
from tests.components.odoo_epaper.entity_helpers import state_of
from tests.reliability.helpers import Watcher, satellite_config
from tests.satellite.conftest import SatelliteProcess

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]


@pytest.fixture
def mosquitto(broker_factory: Callable[..., Broker]) -> Broker:
    """A TLS-only broker with a CA the test generates."""
    return broker_factory(tls=True)


@pytest.fixture
async def mqtt_entry(hass: HomeAssistant, mosquitto: Broker) -> AsyncIterator[MockConfigEntry]:
    """Home Assistant's MQTT integration over TLS with the broker's CA."""
    assert mosquitto.tls_files is not None
    entry = await async_add_mqtt(
        hass, mosquitto, certificate=mosquitto.tls_files.ca_cert.read_text()
    )
    yield entry
    await async_unload(hass, entry)


@pytest.fixture
def satellite(mosquitto: Broker, tmp_path: Path) -> Iterator[SatelliteProcess]:
    """The reception's satellite over TLS with the same CA."""
    assert mosquitto.tls_files is not None
    process = SatelliteProcess(
        satellite_config(
            mosquitto.port,
            tmp_path,
            "reception",
            mqtt_settings={"tls": True, "ca_certs": str(mosquitto.tls_files.ca_cert)},
        )
    )
    yield process
    process.stop()


async def test_hub_and_satellite_over_verified_tls(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    satellite: SatelliteProcess,
) -> None:
    """Data over TLS reaches the satellite; its status over TLS reaches the entity."""
    entry = init_integration
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_ON
        ),
        30,
    )
    assert mosquitto.tls_files is not None
    watcher = Watcher(mosquitto, ca_cert=mosquitto.tls_files.ca_cert).start(
        "odoo_epaper/reception/status"
    )
    try:
        await wait_until(
            lambda: any(
                json.loads(m.payload).get("content_hash")
                for m in watcher.on("odoo_epaper/reception/status")
            ),
            30,
        )
    finally:
        watcher.stop()
    assert "Room data for 'Reception'" in satellite.log()


async def test_hub_refuses_a_broker_certificate_of_another_ca(
    hass: HomeAssistant,
    broker_factory: Callable[..., Broker],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With another CA Home Assistant's MQTT client never connects."""
    broker = broker_factory(tls=True)
    other = generate_tls(tmp_path / "other", "Some other CA")
    entry = await async_add_mqtt(
        hass, broker, connected=False, certificate=other.ca_cert.read_text()
    )
    try:
        await wait_until(lambda: "CERTIFICATE_VERIFY_FAILED" in caplog.text, 10)
        assert not mqtt.is_connected(hass)
        assert "alert unknown ca" in broker.log()
    finally:
        await async_unload(hass, entry)
