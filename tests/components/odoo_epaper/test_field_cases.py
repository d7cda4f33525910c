"""Field cases 03, 05 and 06 end to end: the Odoo test server (running the addon's own
epaper_schedule code over real HTTP) -> the hub's client -> the /data payload and the
room state the hub derives. Records: ../shared/field-cases/odoo-records.json, copied to
testbed/odoo_data/field_cases.json."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from custom_components.odoo_epaper.const import PAYLOAD_LIFETIME
from custom_components.odoo_epaper.coordinator import build_display_data
from custom_components.odoo_epaper.odoo_client import OdooClient
from custom_components.odoo_epaper.options import EpaperOptions
from custom_components.odoo_epaper.room_state import RoomState, room_status
from testbed.odoo_server import OdooTestServer
from tests.fixtures.vectors import load_vectors

SCHEMA = load_vectors("data.schema")
HA_ZONE = "Europe/Berlin"  # the Home Assistant the hub runs in (satellites set up the same)


@pytest.fixture
def field_server(socket_enabled: None) -> Iterator[OdooTestServer]:
    """The field cases' Odoo: hub user epaper-hub (no timezone, attends nothing)."""
    server = OdooTestServer("field_cases").start()
    yield server
    server.stop()


def door(server: OdooTestServer, now: dt.datetime, device: str) -> tuple[dict[str, Any], Any]:
    """The /data payload of ``device`` at ``now`` and the room status the hub derives."""
    client = OdooClient(server.url, "odoo", "epaper-hub", "hub-pw")
    assert client.connect().user_tz is None  # never logged in through a browser
    start = dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    schedule = client.fetch_schedule("auto", start, start + dt.timedelta(days=3), HA_ZONE)
    built = build_display_data(schedule, EpaperOptions(), now, PAYLOAD_LIFETIME)[device]
    jsonschema.validate(built.payload, SCHEMA)
    return built.payload, room_status(built.bookings, now, ZoneInfo(built.payload["tz"]))


def test_case_03_kiel_meeting_at_local_nine_not_utc(field_server: OdooTestServer) -> None:
    """No zone on the display or the user: Home Assistant's zone, never a made-up "UTC";
    the 07:00-08:00 UTC meeting is 09:00-10:00 in Kiel. Empty and backwards rows stay out."""
    now = dt.datetime(2026, 4, 6, 7, 30, tzinfo=dt.UTC)  # 09:30 CEST
    payload, status = door(field_server, now, "kiel")
    assert payload["tz"] == "Europe/Berlin"
    assert [(e["title"], e["start"], e["end"]) for e in payload["events"]] == [
        ("Sprint planning", "2026-04-06T07:00:00Z", "2026-04-06T08:00:00Z")
    ]
    local = ZoneInfo(payload["tz"])
    assert status.state is RoomState.BUSY
    assert status.until is not None
    assert status.until.astimezone(local).time() == dt.time(10, 0)


def test_case_05_google_all_day_busy_until_local_midnight(field_server: OdooTestServer) -> None:
    """The all-day booking stored 00:00/00:00 (Google sync) is still on the door at
    17:00 in Los Angeles, busy until local midnight, marked all-day."""
    now = dt.datetime(2026, 4, 6, 0, 0, tzinfo=dt.UTC)  # 2026-04-05 17:00 PDT
    payload, status = door(field_server, now, "bay")
    assert payload["tz"] == "America/Los_Angeles"
    assert payload["events"] == [
        {
            "title": "Room closed: AV upgrade (synced from Google)",
            "start": "2026-04-05T07:00:00Z",
            "end": "2026-04-06T07:00:00Z",
            "organizer": "Wes Lindqvist",
            "private": False,
            "all_day": True,
        }
    ]
    assert status.state is RoomState.BUSY
    assert status.until == dt.datetime(2026, 4, 6, 7, 0, tzinfo=dt.UTC)  # 00:00 PDT
    harbor, _status = door(field_server, now, "harbor")  # the UI's 08:00/18:00 form
    assert [(e["start"], e["end"], e.get("all_day")) for e in harbor["events"]] == [
        ("2026-04-05T07:00:00Z", "2026-04-06T07:00:00Z", True)
    ]


def test_case_06_private_meetings_are_booked_and_busy(field_server: OdooTestServer) -> None:
    """Odoo blanks both Lindau meetings for the hub user; the door still has them, private,
    without title or organizer, and the room is busy during the first."""
    now = dt.datetime(2026, 4, 6, 8, 30, tzinfo=dt.UTC)  # 10:30 CEST
    payload, status = door(field_server, now, "lindau")
    assert payload["tz"] == "Europe/Berlin"
    assert [
        (e["start"], e["end"], e["title"], e["organizer"], e["private"]) for e in payload["events"]
    ] == [
        ("2026-04-06T08:00:00Z", "2026-04-06T10:00:00Z", "", None, True),
        ("2026-04-06T12:00:00Z", "2026-04-06T13:00:00Z", "", None, True),
    ]
    assert status.state is RoomState.BUSY
    assert status.until == dt.datetime(2026, 4, 6, 10, 0, tzinfo=dt.UTC)


def test_an_all_day_closure_synced_free_from_google_still_occupies_the_room(
    field_server: OdooTestServer,
) -> None:
    """Google marks all-day events free by default; show_as is a person's free/busy, not
    the room's: the synced closure (show_as free, 00:00/00:00) keeps Bay Room busy."""
    field_server.update_record("calendar.event", 51, {"show_as": "free"})
    now = dt.datetime(2026, 4, 5, 19, 0, tzinfo=dt.UTC)  # 12:00 PDT on the closed day
    payload, status = door(field_server, now, "bay")
    assert [e["title"] for e in payload["events"]] == [
        "Room closed: AV upgrade (synced from Google)"
    ]
    assert status.state is RoomState.BUSY
    assert status.until == dt.datetime(2026, 4, 6, 7, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "location",
    [
        "Ki\u0308el",  # a combining diaeresis inside: not the room "Kiel"
        "Su\u0308d",  # decomposed, as a Mac types "Süd"
        "S\u00fcd",  # composed
        "S\u00dcD",  # capitals
        "\uff33\u00fcd",  # full width S
        "S\u00adu\u0308d",  # a soft hyphen
        "\u00a0S\u00fcd\u2003",  # no-break and em spaces around it
    ],
)
def test_a_location_in_any_unicode_form_reaches_its_room(
    field_server: OdooTestServer, location: str
) -> None:
    """The room "Süd" gets every event whose location is "Süd" in another Unicode form,
    case or spacing (one normalized key); a different name stays out."""
    room = field_server.add_record("room.room", {"name": "Süd", "active": True})
    field_server.add_record(
        "room.rasp.connection",
        {"name": "sud", "room_id": room, "room_name": False, "topic_prefix": False,
         "tz": "Europe/Berlin", "panel_model": False, "active": True},
    )  # fmt: skip
    field_server.add_record(
        "calendar.event",
        {"name": "Jour fixe", "location": location, "start": "2026-04-06 08:00:00",
         "stop": "2026-04-06 09:00:00", "allday": False, "start_date": False,
         "stop_date": False, "privacy": "public", "show_as": "busy", "user_id": 9,
         "active": True},
    )  # fmt: skip
    now = dt.datetime(2026, 4, 6, 8, 30, tzinfo=dt.UTC)
    payload, status = door(field_server, now, "sud")
    if location == "Ki\u0308el":
        assert payload["events"] == []
        assert status.state is RoomState.FREE
    else:
        assert [e["title"] for e in payload["events"]] == ["Jour fixe"]
        assert status.state is RoomState.BUSY
