"""The calendar entity: bookings per room, a real calendar-trigger automation, booking and
cancelling from Home Assistant through the addon's methods (overlap refused)."""

from __future__ import annotations

import datetime as dt

import pytest
from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from testbed.odoo_bookings import odoo_text
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.entity_helpers import entity_id
from tests.components.odoo_epaper.test_automations import doc_automation

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def today_at(server: OdooTestServer, hour: int, minute: int = 0) -> dt.datetime:
    """The server's today at hour:minute UTC."""
    return dt.datetime.combine(server.today, dt.time(hour, minute), dt.UTC)


async def list_events(
    hass: HomeAssistant, entity: str, start: dt.datetime, end: dt.datetime
) -> list[dict[str, str]]:
    """calendar.get_events for one entity."""
    answer = await hass.services.async_call(
        CALENDAR_DOMAIN,
        "get_events",
        {"entity_id": entity, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    return list(answer[entity]["events"])  # type: ignore[index, call-overload]


async def test_each_room_lists_its_bookings(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """Boardroom shows its meeting with its organizer; Reception its two, in order."""
    boardroom = entity_id(hass, init_integration, "calendar", "bookings", "boardroom")
    reception = entity_id(hass, init_integration, "calendar", "bookings", "reception")
    day = (today_at(odoo_server, 0), today_at(odoo_server, 0) + dt.timedelta(days=2))
    events = await list_events(hass, boardroom, *day)
    assert [
        (e["summary"], dt.datetime.fromisoformat(e["start"]), dt.datetime.fromisoformat(e["end"]))
        for e in events
    ] == [("Board meeting", today_at(odoo_server, 9), today_at(odoo_server, 10))]
    assert events[0]["description"] == "Mitchell Admin"
    titles = [e["summary"] for e in await list_events(hass, reception, *day)]
    assert titles == ["Stand-up", "Interview"]
    assert hass.states.get(boardroom) is not None


async def test_private_bookings_show_as_booked(
    hass: HomeAssistant, odoo_server: OdooTestServer, init_integration: MockConfigEntry
) -> None:
    """A private calendar event is "Booked" with no organizer (calendar source)."""
    from custom_components.odoo_epaper.calendar import calendar_event
    from custom_components.odoo_epaper.schedule import Booking

    start = today_at(odoo_server, 14)
    event = calendar_event(
        Booking(title="Secret", start=start, end=start + dt.timedelta(hours=1),
                organizer="A. Smith", private=True, ref="calendar.event,2")
    )  # fmt: skip
    assert (event.summary, event.description, event.uid) == ("Booked", None, "calendar.event,2")


async def test_create_and_delete_book_and_cancel_in_odoo(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """calendar.create_event books a room.booking as the hub's user; delete cancels it."""
    boardroom = entity_id(hass, init_integration, "calendar", "bookings", "boardroom")
    # Clear of the Boardroom's other bookings for the hour listed below.
    start = odoo_server.free_start(
        2, dt_util.utcnow().replace(microsecond=0) + dt.timedelta(hours=3), 60
    )
    await hass.services.async_call(
        CALENDAR_DOMAIN,
        "create_event",
        {
            "entity_id": boardroom,
            "summary": "Planning",
            "start_date_time": start,
            "end_date_time": start + dt.timedelta(minutes=30),
        },
        blocking=True,
    )
    made = [r for r in odoo_server.records["room.booking"].values() if r["name"] == "Planning"]
    assert [(r["room_id"], r["organizer_id"], r["start_datetime"]) for r in made] == [
        (2, 2, odoo_text(start))
    ]
    events = await list_events(hass, boardroom, start, start + dt.timedelta(hours=1))
    assert [e["summary"] for e in events] == ["Planning"]
    uid = f"room.booking,{made[0]['id']}"
    entity = hass.data["entity_components"][CALENDAR_DOMAIN].get_entity(boardroom)
    await entity.async_delete_event(uid)
    assert made[0]["id"] not in odoo_server.records["room.booking"]
    assert await list_events(hass, boardroom, start, start + dt.timedelta(hours=1)) == []


async def test_overlap_is_refused_with_a_translated_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """Booking over the board meeting raises ServiceValidationError booking_overlap."""
    boardroom = entity_id(hass, init_integration, "calendar", "bookings", "boardroom")
    before = len(odoo_server.records["room.booking"])
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            CALENDAR_DOMAIN,
            "create_event",
            {
                "entity_id": boardroom,
                "summary": "Clash",
                "start_date_time": today_at(odoo_server, 9, 30),
                "end_date_time": today_at(odoo_server, 10, 30),
            },
            blocking=True,
        )
    assert err.value.translation_key == "booking_overlap"
    assert "Boardroom is already booked at that time" in str(err.value)
    assert len(odoo_server.records["room.booking"]) == before


async def test_calendar_trigger_fires_at_a_bookings_start(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """The docs' automation on the Boardroom's calendar turns the light on at the start."""
    start = dt_util.utcnow().replace(microsecond=0) + dt.timedelta(minutes=5)
    # The Boardroom holds this booking only: the fixture's board meeting (09:00 UTC)
    # would turn the light on too when the suite runs a few minutes before it.
    for record_id in [
        i for i, r in odoo_server.records["room.booking"].items() if r["room_id"] == 2
    ]:
        odoo_server.delete_record("room.booking", record_id)
    odoo_server.add_record(
        "room.booking",
        {"name": "Budget review", "room_id": 2, "organizer_id": 2,
         "start_datetime": odoo_text(start),
         "stop_datetime": odoo_text(start + dt.timedelta(hours=1))},
    )  # fmt: skip
    await init_integration.runtime_data.coordinator.async_refresh()
    lights_on = async_mock_service(hass, "light", "turn_on")
    config = doc_automation("Boardroom lights follow its bookings")
    assert config[0]["triggers"][0]["entity_id"] == entity_id(
        hass, init_integration, "calendar", "bookings", "boardroom"
    )
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    async_fire_time_changed(hass, start - dt.timedelta(seconds=30))
    await hass.async_block_till_done()
    assert lights_on == []
    async_fire_time_changed(hass, start + dt.timedelta(seconds=1))
    await hass.async_block_till_done()
    assert [call.data["entity_id"] for call in lights_on] == [["light.boardroom"]]


async def test_ranges_beyond_the_horizon_are_read_in_one_rpc(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """A month ahead (horizon 7 days): one epaper_schedule RPC for that display only."""
    reception = entity_id(hass, init_integration, "calendar", "bookings", "reception")
    start = today_at(odoo_server, 0) + dt.timedelta(days=29)
    odoo_server.reset_counts()
    events = await list_events(hass, reception, start, start + dt.timedelta(days=2))
    assert [e["summary"] for e in events] == ["Far away"]
    calls = [c for c in odoo_server.calls if c.service == "object"]
    assert [(c.model_method, c.kwargs.get("devices")) for c in calls] == [
        ("epaper_schedule", ["reception"])
    ]


async def test_a_room_without_bookings_has_no_event(
    hass: HomeAssistant, init_integration: MockConfigEntry, odoo_server: OdooTestServer
) -> None:
    """Boardroom's only booking deleted in Odoo: after a refresh its calendar is off, with
    no event to show."""
    boardroom = entity_id(hass, init_integration, "calendar", "bookings", "boardroom")
    odoo_server.delete_record("room.booking", 1)
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get(boardroom)
    assert state is not None
    assert state.state == "off"
    assert "message" not in state.attributes
