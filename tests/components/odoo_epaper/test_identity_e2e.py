"""Renames and removal end to end, to the drawn panel: Odoo test server -> hub (real Home
Assistant) -> real broker -> real satellite processes (png driver).

A room renamed in Odoo is drawn under its new name; a display renamed or deleted in
Odoo has its retained /data cleared and the sign under the old name goes back to its
setup screen (status ``assigned`` false, nothing shown)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.broker import Broker
from testbed.odoo_server import OdooTestServer
from testbed.satellite_process import SATELLITE, SatelliteProcess
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.slow,
    pytest.mark.skipif(not SATELLITE.exists(), reason="epaper-satellite is not installed"),
]
PREFIX = "odoo_epaper/"


@pytest.fixture
def satellites(
    tmp_path: Path, mosquitto: Broker, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], SatelliteProcess]]:
    """Start a satellite per device name; all stopped at teardown, logs on failure."""
    started: list[SatelliteProcess] = []

    def start(device: str) -> SatelliteProcess:
        process = SatelliteProcess(tmp_path, mosquitto.port, device)
        started.append(process.start())
        return process

    yield start
    for process in started:
        process.stop()
        if getattr(getattr(request.node, "rep_call", None), "failed", False):
            request.node.add_report_section("teardown", f"{process.device} log", process.output())


def last_status(subscriber: OutsideSubscriber, device: str) -> dict[str, Any]:
    """The newest JSON status of ``device`` ({} before any)."""
    statuses = [m for m in subscriber.on(f"{PREFIX}{device}/status") if m.payload]
    return statuses[-1].json() if statuses else {}


async def drawn(
    subscriber: OutsideSubscriber, sign: SatelliteProcess, expected_hash: str | None
) -> bytes:
    """Wait until the sign reports drawing the payload of ``expected_hash`` (None: its
    setup screen, unassigned) and its panel file exists; return the panel's bytes."""

    def shown() -> bool:
        status = last_status(subscriber, sign.device)
        if expected_hash is None:
            return status.get("assigned") is False and status.get("content_hash") is None
        return status.get("content_hash") == expected_hash and status.get("assigned") is True

    await wait_until(shown, 30)
    await wait_until(sign.panel.exists, 10)
    return sign.panel.read_bytes()


async def test_renamed_room_renamed_and_removed_displays_reach_the_panel(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    satellites: Callable[[str], SatelliteProcess],
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Reception's room renamed: its panel is redrawn with the payload naming the new
    room. The display renamed to front-desk and boardroom deleted: their old names'
    signs show their setup screens."""
    coordinator = init_integration.runtime_data.coordinator
    subscriber = subscriber_factory(f"{PREFIX}+/status")
    reception, boardroom = satellites("reception"), satellites("boardroom")

    def hash_of(device: str) -> str:
        return coordinator.data.displays[device].content_hash

    before = await drawn(subscriber, reception, hash_of("reception"))
    await drawn(subscriber, boardroom, hash_of("boardroom"))

    odoo_server.update_record("room.room", 1, {"name": "Reception (EG)"})
    await coordinator.async_refresh()
    assert coordinator.data.displays["reception"].payload["room"] == "Reception (EG)"
    after = await drawn(subscriber, reception, hash_of("reception"))
    assert after != before

    odoo_server.update_record("room.rasp.connection", 1, {"name": "front-desk"})
    odoo_server.delete_record("room.rasp.connection", 2)
    await coordinator.async_refresh()
    assert "reception" not in coordinator.data.displays
    assert "boardroom" not in coordinator.data.displays
    setup_screen = await drawn(subscriber, reception, None)
    assert setup_screen != after
    await drawn(subscriber, boardroom, None)
