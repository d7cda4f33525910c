"""The hub's room state against the shared state vectors, and its change instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.odoo_epaper.display_data import DisplayData
from custom_components.odoo_epaper.room_state import (
    SOON,
    RoomState,
    next_change,
    room_status,
    shown_title,
)
from custom_components.odoo_epaper.schedule import Booking, Display
from custom_components.odoo_epaper.wire import WirePayload
from tests.fixtures.bookings import bookings_from_events
from tests.fixtures.vectors import load_vectors

VECTORS = load_vectors("states")
NO_WIRE = WirePayload(data=b"{}", content_hash="", valid_until=datetime(2026, 1, 1, tzinfo=UTC))


def _utc(text: str) -> datetime:
    """Return an ISO time as aware UTC."""
    return datetime.fromisoformat(text).astimezone(UTC)


def test_soon_window_matches_the_vectors() -> None:
    """The vectors and the hub agree on what "soon" means."""
    assert timedelta(minutes=VECTORS["soon_minutes"]) == SOON


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_state_vectors(case: dict[str, Any]) -> None:
    """Every case of tests/vectors/states.json gives its state, until, current and next."""
    status = room_status(
        bookings_from_events(case["events"]), _utc(case["now"]), ZoneInfo(case["tz"])
    )
    assert status.state == RoomState(case["state"])
    expected = None if case["until"] is None else _utc(case["until"])
    assert status.until == expected
    assert (status.current.title if status.current else None) == case["current"]
    assert (status.next.title if status.next else None) == case["next"]


def test_current_and_next_booking() -> None:
    """A busy room names its current booking and the one after it."""
    bookings = bookings_from_events(
        [
            {"title": "Later", "start": "2026-11-27T12:00:00Z", "end": "2026-11-27T13:00:00Z"},
            {
                "title": "Secret",
                "start": "2026-11-27T10:00:00Z",
                "end": "2026-11-27T11:00:00Z",
                "private": True,
                "organizer": "A. Smith",
            },
        ]
    )
    status = room_status(bookings, _utc("2026-11-27T10:30:00Z"), UTC)
    assert status.current is not None
    assert shown_title(status.current) == "Booked"
    assert status.current.organizer == "A. Smith"
    assert status.next is not None
    assert shown_title(status.next) == "Later"
    assert status.next.start == _utc("2026-11-27T12:00:00Z")


def test_bookings_that_do_not_end_after_they_start_are_no_bookings() -> None:
    """A reversed or zero-length booking is neither current nor next (as on the satellite)."""
    at = _utc("2026-11-27T10:00:00Z")
    odd = [
        Booking(title="reversed", start=at, end=at - timedelta(hours=1)),
        Booking(title="zero", start=at + timedelta(hours=1), end=at + timedelta(hours=1)),
    ]
    status = room_status(odd, _utc("2026-11-27T09:30:00Z"), UTC)
    assert (status.state, status.current, status.next) == (RoomState.FREE, None, None)


def test_next_change_walks_the_boundaries() -> None:
    """The state is re-evaluated 15 minutes before, at the start and at the end."""
    booking = Booking(
        title="M", start=_utc("2026-11-27T10:00:00Z"), end=_utc("2026-11-27T11:00:00Z")
    )
    berlin = ZoneInfo("Europe/Berlin")
    now = _utc("2026-11-27T08:00:00Z")
    seen = []
    for _ in range(4):
        now = next_change([booking], now, berlin)
        seen.append(now)
        status = room_status([booking], now, berlin)
        seen.append(status.state)
    assert seen == [
        _utc("2026-11-27T09:45:00Z"),
        RoomState.STARTING_SOON,
        _utc("2026-11-27T10:00:00Z"),
        RoomState.BUSY,
        _utc("2026-11-27T11:00:00Z"),
        RoomState.FREE,
        _utc("2026-11-27T23:00:00Z"),  # local midnight in Berlin
        RoomState.FREE,
    ]


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        (None, "America/Chicago"),
        ("Nowhere/City", "America/Chicago"),
        ("../etc", "America/Chicago"),
    ],
)
def test_display_timezone(tz: str | None, expected: str) -> None:
    """A display's room state uses its timezone, Home Assistant's when it has none or a
    bad one (DESIGN.md 3a: never a made-up UTC)."""
    display = Display(device="reception", room="Reception", tz=tz)
    data = DisplayData(display=display, topic_prefix="odoo_epaper/", bookings=(), wire=NO_WIRE)
    assert str(data.zone(ZoneInfo("America/Chicago"))) == expected


def test_display_status_is_computed_once_until_it_may_change() -> None:
    """DisplayData.room_status_at equals room_status at every minute of a day with
    back-to-back, overlapping and soon-starting bookings, and hands out the very same
    status object until next_change (one computation per display, not per entity)."""
    day = datetime(2026, 4, 6, tzinfo=UTC)
    bookings = tuple(
        Booking(title=title, start=day + timedelta(hours=h), end=day + timedelta(hours=e))
        for title, h, e in (("A", 9, 10), ("B", 10, 11), ("C", 10.5, 12), ("D", 15, 15.5))
    )
    data = DisplayData(
        display=Display(device="kiel", room="Kiel"),
        topic_prefix="odoo_epaper/",
        bookings=bookings,
        wire=NO_WIRE,
    )
    tz = ZoneInfo("Europe/Berlin")
    computed = 0
    previous: Any = None
    for minute in range(0, 24 * 60, 7):
        now = day + timedelta(minutes=minute)
        status, until = data.room_status_at(now, tz)
        assert status == room_status(bookings, now, tz)
        assert until == next_change(bookings, now, tz)
        computed += status is not previous
        previous = status
    boundaries = {
        b for booking in bookings for b in (booking.start - SOON, booking.start, booking.end)
    }
    assert computed <= len(boundaries) + 2  # one per boundary crossed (and midnight), not per call
    assert data.room_status_at(day, ZoneInfo("UTC"))[0] is not previous  # another zone: recomputed
