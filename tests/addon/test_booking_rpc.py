"""The test server's booking RPCs (real odoorpc over HTTP), run by the addon's own rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import odoorpc
import pytest

from testbed.odoo_server import OdooTestServer

TODAY = dt.date(2026, 11, 27)


def z(hour: int, minute: int = 0, day: int = 0) -> str:
    """ISO 8601 UTC on the server's today (+ ``day``)."""
    moment = dt.datetime.combine(TODAY + dt.timedelta(days=day), dt.time(hour, minute))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    """The default fixture with today = 2026-11-27."""
    with OdooTestServer(today=TODAY) as running:
        yield running


@pytest.fixture
def displays(server: OdooTestServer) -> odoorpc.models.Model:
    """room.rasp.connection through a logged-in odoorpc client."""
    client = odoorpc.ODOO("127.0.0.1", port=server.port)
    client.login("odoo", "admin", "admin-pw")
    return client.env["room.rasp.connection"]


def test_book_and_cancel_a_room_booking(
    server: OdooTestServer, displays: odoorpc.models.Model
) -> None:
    """Boardroom books room.booking organized by the caller; overlaps are refused."""
    answer = displays.epaper_book("boardroom", z(11), z(12), "Review")
    assert answer == {
        "ok": True,
        "ref": answer["ref"],
        "start": z(11),
        "end": z(12),
    }
    model, _, record_id = answer["ref"].partition(",")
    record = server.records[model][int(record_id)]
    assert (model, record["room_id"], record["organizer_id"], record["name"]) == (
        "room.booking",
        2,
        2,
        "Review",
    )
    overlap = displays.epaper_book("boardroom", z(9, 30), z(10, 30))
    assert (overlap["ok"], overlap["error"]) == (False, "overlap")
    assert displays.epaper_cancel("boardroom", answer["ref"]) == {"ok": True, "ref": answer["ref"]}
    assert int(record_id) not in server.records[model]
    assert displays.epaper_cancel("boardroom", answer["ref"])["error"] == "unknown_booking"


def test_lab_books_calendar_events_and_a_private_event_holds_the_room(
    server: OdooTestServer, displays: odoorpc.models.Model
) -> None:
    """A display with a room name only books calendar.event at its location."""
    answer = displays.epaper_book("lab-door", z(10), z(11))
    model, _, record_id = answer["ref"].partition(",")
    assert (model, server.records[model][int(record_id)]["location"]) == ("calendar.event", "Lab")
    server.add_record(
        "calendar.event",
        {"name": "Secret", "location": " lab ", "start": "{day} 14:00:00",
         "stop": "{day} 15:00:00", "allday": False, "privacy": "private",
         "show_as": "busy", "user_id": 6, "active": True},
    )  # fmt: skip
    assert displays.epaper_book("lab-door", z(14, 30), z(15))["error"] == "overlap"


def test_door_actions_and_release(server: OdooTestServer, displays: odoorpc.models.Model) -> None:
    """book_now, extend, check_in and end_now, each on the Boardroom's bookings."""
    booked = displays.epaper_door_action("boardroom", "book_now", 30, z(8, 50))
    assert (booked["start"], booked["end"]) == (z(8, 50), z(9))
    assert displays.epaper_door_action("boardroom", "extend", 15, z(9, 30))["end"] == z(10, 15)
    assert displays.epaper_door_action("boardroom", "check_in", None, z(9, 30))["ok"]
    assert displays.epaper_door_action("boardroom", "end_now", None, z(9, 40))["end"] == z(9, 40)
    refusal = displays.epaper_door_action("boardroom", "end_now", None, z(9, 40))
    assert refusal == {"ok": False, "error": "room_free", "message": refusal["message"]}


def test_door_extensions_stop_at_the_longest_booking(
    server: OdooTestServer, displays: odoorpc.models.Model
) -> None:
    """``max_minutes`` (the hub's longest booking) bounds a door's booking in total."""
    booked = displays.epaper_door_action("boardroom", "book_now", 30, z(8, 50), max_minutes=40)
    assert (booked["start"], booked["end"]) == (z(8, 50), z(9))
    refusal = displays.epaper_door_action("boardroom", "book_now", 60, z(8, 50), max_minutes=40)
    assert refusal["error"] == "too_long"
    extended = displays.epaper_door_action("boardroom", "extend", 120, z(9, 30), max_minutes=75)
    assert extended["end"] == z(10, 15)  # the 09:00-10:00 board meeting, 75 minutes long
    again = displays.epaper_door_action("boardroom", "extend", 15, z(9, 30), max_minutes=75)
    assert again["error"] == "too_long"


def test_no_show_release(server: OdooTestServer) -> None:
    """With check-in within 10 minutes, the 09:00 board meeting is released at 09:10."""
    now = dt.datetime.combine(TODAY, dt.time(9, 10), dt.UTC)
    assert server.bookings.release_no_shows(now) == []
    server.update_record("room.rasp.connection", 2, {"checkin_grace_minutes": 10})
    assert server.bookings.release_no_shows(now) == ["room.booking,1"]
    assert server.records["room.booking"][1]["stop_datetime"] == "2026-11-27 09:10:00"
    assert server.bookings.messages[-1][0] == "room.booking,1"


def test_denied_booking_model_is_forbidden(
    server: OdooTestServer, displays: odoorpc.models.Model
) -> None:
    """Without rights on the booking model, the answer is "forbidden"."""
    server.deny_access("room.booking")
    assert displays.epaper_book("boardroom", z(11), z(12))["error"] == "forbidden"
    assert displays.epaper_book("nowhere", z(11), z(12))["error"] == "unknown_device"
