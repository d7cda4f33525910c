"""The sensors: a room's state and meetings on the clock, with the Odoo test server."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

import pytest
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.odoo_epaper.room_state import SOON
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.entity_helpers import state_of

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]


async def test_room_state_turns_on_time(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """Free, starting soon, busy and free again at the booking's boundaries, and still
    busy when the room's local midnight falls inside the meeting (the sensors wake at
    midnight too: the day's listing changes), whatever the hour the test runs at."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    now = dt_util.utcnow().replace(microsecond=0)
    # Lab (room 3) is the lab-door display; the booking straddles its zone's first
    # local midnight at least an hour away.
    tz = coordinator.data.displays["lab-door"].zone(dt_util.get_default_time_zone())
    midnights = [local_midnight(now, tz, days) for days in (1, 2)]
    midnight = next(m for m in midnights if m - now >= timedelta(hours=1))
    start, end = midnight - timedelta(minutes=15), midnight + timedelta(minutes=15)
    odoo_server.add_record(
        "room.booking",
        {
            "name": "Planning",
            "room_id": 3,
            "start_datetime": start.strftime("%Y-%m-%d %H:%M:%S"),
            "stop_datetime": end.strftime("%Y-%m-%d %H:%M:%S"),
            "organizer_id": 2,
        },
    )
    # Only the boundary timers may run: a poll falling due while the test moves the
    # clock ahead would recompute the states with the real "now".
    coordinator.update_interval = None
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    nxt = state_of(hass, entry, "sensor", "next_meeting", "lab-door")
    assert dt_util.parse_datetime(nxt.state) == start
    assert nxt.attributes["title"] == "Planning"
    # Each timer sets the next one, so the clock walks every instant a sensor waits for.
    expected = {
        **{m: ("free", STATE_UNKNOWN) for m in midnights if m < start - SOON},
        start - SOON: ("starting_soon", STATE_UNKNOWN),
        start: ("busy", "Planning"),
        midnight: ("busy", "Planning"),
        end: ("free", STATE_UNKNOWN),
    }
    for moment, (state, meeting) in sorted(expected.items()):
        async_fire_time_changed(hass, moment + timedelta(seconds=1))
        await hass.async_block_till_done()
        room = state_of(hass, entry, "sensor", "room_state", "lab-door")
        assert (room.state, moment) == (state, moment)
        current = state_of(hass, entry, "sensor", "current_meeting", "lab-door")
        assert (current.state, moment) == (meeting, moment)


def local_midnight(now: datetime, tz: tzinfo, days: int) -> datetime:
    """The start of the local day ``days`` after ``now``'s in ``tz``, in UTC."""
    day = now.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
