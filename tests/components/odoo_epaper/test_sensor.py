"""The sensors: a room's state and meetings on the clock, with the Odoo test server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.entity_helpers import state_of

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]


async def test_room_state_turns_on_time(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """Free, starting soon, busy and free again at the booking's boundaries."""
    entry = init_integration
    now = dt_util.utcnow().replace(microsecond=0)
    start = now + timedelta(hours=1)
    odoo_server.add_record(
        "room.booking",
        {
            "name": "Planning",
            "room_id": 3,
            "start_datetime": start.strftime("%Y-%m-%d %H:%M:%S"),
            "stop_datetime": (start + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S"),
            "organizer_id": 2,
        },
    )
    # Only the boundary timers may run: a poll falling due while the test moves the
    # clock an hour ahead would recompute the states with the real "now".
    entry.runtime_data.coordinator.update_interval = None
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    # Lab (room 3) is the lab-door display.
    nxt = state_of(hass, entry, "sensor", "next_meeting", "lab-door")
    assert dt_util.parse_datetime(nxt.state) == start
    assert nxt.attributes["title"] == "Planning"
    steps = [
        (start - timedelta(minutes=15), "starting_soon", STATE_UNKNOWN),
        (start, "busy", "Planning"),
        (start + timedelta(minutes=30), "free", STATE_UNKNOWN),
    ]
    for moment, expected, meeting in steps:
        async_fire_time_changed(hass, moment + timedelta(seconds=1))
        await hass.async_block_till_done()
        room = state_of(hass, entry, "sensor", "room_state", "lab-door")
        assert room.state == expected, moment
        assert state_of(hass, entry, "sensor", "current_meeting", "lab-door").state == meeting
