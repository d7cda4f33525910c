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
