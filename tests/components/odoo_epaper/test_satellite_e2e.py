"""A real satellite process against the hub: online, snapshot, test ack, LWT on kill -9."""

from __future__ import annotations

import io
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from PIL import Image, ImageChops
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.odoo_epaper.const import DOMAIN
from testbed.broker import Broker
from testbed.satellite_process import SATELLITE, SatelliteProcess
from tests.components.odoo_epaper.conftest import wait_until
from tests.components.odoo_epaper.entity_helpers import entity_id, state_of

pytestmark = [
    pytest.mark.usefixtures("enable_all_entities"),
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.slow,
    pytest.mark.skipif(not SATELLITE.exists(), reason="epaper-satellite is not installed"),
]


@pytest.fixture
def satellite(
    tmp_path: Path, mosquitto: Broker, request: pytest.FixtureRequest
) -> Iterator[SatelliteProcess]:
    """The reception's satellite, not started; stopped at teardown, its log on failure."""
    process = SatelliteProcess(tmp_path, mosquitto.port, "reception")
    yield process
    process.stop()
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        request.node.add_report_section("teardown", "satellite log", process.output())


def pixels(png: bytes) -> Image.Image:
    """Return a PNG's pixels in RGB."""
    return Image.open(io.BytesIO(png)).convert("RGB")


async def test_real_satellite(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    satellite: SatelliteProcess,
    hass_client: ClientSessionGenerator,
) -> None:
    """Online with a snapshot, acknowledges a test, and its last will turns it offline."""
    entry = init_integration

    def connectivity() -> State:
        return state_of(hass, entry, "binary_sensor", "connectivity", "reception")

    def image() -> State:
        return state_of(hass, entry, "image", "snapshot", "reception")

    await wait_until(lambda: connectivity().state == STATE_OFF)  # never connected
    satellite.start()
    await wait_until(lambda: connectivity().state == STATE_ON, 30)
    # The snapshot and the status carrying last_render are two messages: wait for both.
    await wait_until(
        lambda: (
            image().state != STATE_UNKNOWN
            and state_of(hass, entry, "sensor", "last_render", "reception").state != STATE_UNKNOWN
        ),
        30,
    )
    # The real satellite reports the hash of what the hub published: the door is up to date.
    await wait_until(
        lambda: state_of(hass, entry, "sensor", "content", "reception").state == "up_to_date", 30
    )
    assert state_of(hass, entry, "binary_sensor", "problem", "reception").state == STATE_OFF

    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{image().entity_id}")
    assert response.status == HTTPStatus.OK
    shown = pixels(await response.read())
    await wait_until(satellite.panel.exists, 10)
    panel = pixels(satellite.panel.read_bytes())
    assert shown.size == panel.size == (400, 300)
    assert ImageChops.difference(shown, panel).getbbox() is None

    response_data: Any = await hass.services.async_call(
        DOMAIN,
        "send_test_message",
        {"entity_id": entity_id(hass, entry, "sensor", "room_state", "reception"), "wait": 10},
        blocking=True,
        return_response=True,
    )
    result = response_data["displays"]["reception"]
    assert result["acknowledged"] is True
    assert result["ok"] is True
    assert 0 <= result["milliseconds"] < 10000

    satellite.kill()
    await wait_until(
        lambda: (
            connectivity().state == STATE_OFF
            and state_of(hass, entry, "sensor", "displays_online").state == "0"
        ),
        30,
    )
