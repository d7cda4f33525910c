"""An Odoo outage of several cycles with a real satellite: one log line, nothing lost."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.broker import Broker
from testbed.odoo_server import OdooTestServer
from testbed.satellite_process import SATELLITE, SatelliteProcess
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import state_of

pytestmark = [
    pytest.mark.usefixtures("enable_all_entities"),
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.slow,
    pytest.mark.skipif(not SATELLITE.exists(), reason="epaper-satellite is not installed"),
]
CYCLES = 4


@pytest.fixture
def satellite(
    tmp_path: Path, mosquitto: Broker, request: pytest.FixtureRequest
) -> Iterator[SatelliteProcess]:
    """The reception's satellite, stopped after the test, its log on failure."""
    process = SatelliteProcess(tmp_path, mosquitto.port, "reception").start()
    yield process
    process.stop()
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        request.node.add_report_section("teardown", "satellite log", process.output())


def _outage_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name.startswith(("custom_components.odoo_epaper", "homeassistant.helpers"))
    ]


async def test_odoo_outage_of_several_cycles(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    satellite: SatelliteProcess,
    subscriber_factory: Callable[..., OutsideSubscriber],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Odoo entities go unavailable with one log line; the panel keeps its room; recovery."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    statuses = subscriber_factory("odoo_epaper/reception/status")

    def satellite_hash() -> object:
        found = statuses.on("/status")
        return json.loads(found[-1].payload).get("content_hash") if found else None

    await wait_until(lambda: satellite_hash() is not None, 30)
    await wait_until(
        lambda: (
            state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_ON
        ),
        30,
    )
    shown = satellite_hash()
    drawn = satellite.output().count("Panel drawn")
    caplog.clear()

    odoo_server.go_down("refused")
    for _cycle in range(CYCLES):
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    assert not coordinator.last_update_success
    assert state_of(hass, entry, "binary_sensor", "odoo_connection").state == STATE_OFF
    assert state_of(hass, entry, "sensor", "room_state", "reception").state == STATE_UNAVAILABLE
    assert state_of(hass, entry, "binary_sensor", "connectivity", "reception").state == STATE_ON
    outage = _outage_records(caplog)
    assert len(outage) == 1, [r.getMessage() for r in outage]
    assert satellite.output().count("Panel drawn") == drawn
    assert satellite_hash() == shown

    # Clear of the Reception's other bookings (the fixture's 08:00 UTC stand-up).
    soon = odoo_server.free_start(
        1, dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=5), 30
    )
    odoo_server.add_record(
        "room.booking",
        {
            "name": "Booked during the outage",
            "room_id": 1,
            "start_datetime": soon.strftime("%Y-%m-%d %H:%M:%S"),
            "stop_datetime": (soon + dt.timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S"),
            "organizer_id": 2,
        },
    )
    odoo_server.come_up()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert coordinator.last_update_success
    assert state_of(hass, entry, "binary_sensor", "odoo_connection").state == STATE_ON
    assert state_of(hass, entry, "sensor", "room_state", "reception").state != STATE_UNAVAILABLE
    await wait_until(lambda: satellite_hash() != shown, 30)
    assert "Room data for 'Reception'" in satellite.output()
    await wait_until(lambda: satellite.output().count("Panel drawn") >= drawn + 1, 10)
    await asyncio.sleep(0.5)  # a second draw of the same content would show by now
    assert satellite.output().count("Panel drawn") == drawn + 1  # starting soon: shown once
    assert "recovered" in caplog.text.lower()
