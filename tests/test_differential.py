"""Hub and satellite implement the contract's room-state rule and content_hash alike.

Hypothesis generates schedules (overlaps, back-to-back runs, all-day events, DST and
midnight edges) and payloads; the hub's code (custom_components/odoo_epaper) and the
satellite's (epaper_satellite) must give the same answers at every instant tried.
Runs derandomized when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any
from zoneinfo import ZoneInfo

from epaper_satellite.schedule import room_state
from epaper_satellite.wire import content_hash as satellite_hash
from epaper_satellite.wire import parse_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.odoo_epaper.room_state import (
    room_status,
)
from custom_components.odoo_epaper.schedule import Booking
from custom_components.odoo_epaper.wire import build_payload, encode
from custom_components.odoo_epaper.wire import content_hash as hub_hash
from tests.fixtures.bookings import bookings_from_events

ZONES = ("Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe", "Asia/Kolkata")
# Ordinary days and the days the clocks change (EU, US, Lord Howe's half hour).
DAYS = (
    dt.date(2026, 11, 27),
    dt.date(2026, 3, 29),
    dt.date(2026, 10, 25),
    dt.date(2026, 3, 8),
    dt.date(2026, 11, 1),
    dt.date(2026, 4, 5),
    dt.date(2026, 10, 4),
)
STEP = dt.timedelta(minutes=15)
SOON = dt.timedelta(minutes=15)
DIFFERENTIAL = settings(
    max_examples=300,
    deadline=None,
    derandomize="CI" in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[ZoneInfo, dt.date, list[dict[str, Any]]]:
    """A zone, a day and up to 8 events on a 15-minute grid around it (a few odd ones)."""
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.sampled_from(DAYS))
    origin = _local_midnight(day, tz)
    events: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(("grid", "grid", "after", "all_day", "odd")))
        if kind == "all_day":
            first = day + dt.timedelta(days=draw(st.integers(-1, 1)))
            days = draw(st.integers(1, 2))
            start = _local_midnight(first, tz)
            end = _local_midnight(first + dt.timedelta(days=days), tz)
        else:
            if kind == "after" and events:
                start = dt.datetime.fromisoformat(draw(st.sampled_from(events))["end"])
            else:
                start = origin + draw(st.integers(-8, 100)) * STEP
            if kind == "odd":
                start += dt.timedelta(seconds=draw(st.integers(-59, 59)))
                end = start + dt.timedelta(seconds=draw(st.integers(1, 4 * 3600)))
            else:
                end = start + draw(st.integers(1, 16)) * STEP
        event: dict[str, Any] = {"title": f"e{index}", "start": _z(start), "end": _z(end)}
        if kind == "all_day":
            event["all_day"] = True
        events.append(event)
    return tz, day, events


def _instants(tz: ZoneInfo, day: dt.date, events: list[dict[str, Any]]) -> set[dt.datetime]:
    """Every edge of the schedule, a second either side, and the local midnights."""
    edges: set[dt.datetime] = set()
    for event in events:
        for key in ("start", "end"):
            moment = dt.datetime.fromisoformat(event[key])
            edges |= {moment, moment - SOON, moment - SOON - dt.timedelta(seconds=1)}
    for offset in (-1, 0, 1, 2):
        edges.add(_local_midnight(day + dt.timedelta(days=offset), tz))
    return {edge + dt.timedelta(seconds=delta) for edge in edges for delta in (-1, 0, 1)}


def _title(event: Any) -> str | None:
    return None if event is None else str(event.title)


@DIFFERENTIAL
@given(schedules(), st.lists(st.integers(0, 3 * 24 * 3600), max_size=5))
def test_room_state_hub_and_satellite_agree(
    schedule: tuple[ZoneInfo, dt.date, list[dict[str, Any]]], extra: list[int]
) -> None:
    """Same state, until, current and next from the hub and the satellite at every instant."""
    tz, day, events = schedule
    payload = {"v": 1, "device": "door", "room": "Room", "tz": tz.key, "events": events}
    satellite_events = parse_data(json.dumps(payload).encode(), "door").events
    bookings = bookings_from_events(events)
    start = _local_midnight(day - dt.timedelta(days=1), tz)
    moments = _instants(tz, day, events) | {start + dt.timedelta(seconds=s) for s in extra}
    for now in sorted(moments):
        hub = room_status(bookings, now, tz)
        door = room_state(satellite_events, now, tz)
        where = f"{_z(now)} in {tz.key}: {events}"
        assert (str(hub.state), hub.until) == (door.state, door.until), where
        assert (_title(hub.current), _title(hub.next)) == (
            _title(door.current),
            _title(door.next),
        ), where


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@DIFFERENTIAL
@given(
    st.dictionaries(
        TEXT.filter(lambda key: key not in {"v", "device", "room", "events"}),
        JSON_VALUES,
        max_size=4,
    ),
    st.lists(
        st.tuples(TEXT, st.integers(0, 10_000), st.integers(1, 600), st.booleans()), max_size=5
    ),
    TEXT,
    st.sampled_from(("2026-11-27T09:00:00Z", "2026-11-27T09:00:00.5+01:00")),
)
def test_content_hash_hub_and_satellite_agree(
    extra: dict[str, Any],
    raw_events: list[tuple[str, int, int, bool]],
    room: str,
    generated_at: str,
) -> None:
    """The hub's hash of a payload is the satellite's, whatever the key order and timestamps."""
    origin = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    events = [
        {
            "title": title,
            "start": _z(origin + dt.timedelta(minutes=start)),
            "end": _z(origin + dt.timedelta(minutes=start + length)),
            "private": private,
        }
        for title, start, length, private in raw_events
    ]
    payload = {"v": 1, "device": "door", "room": room, "events": events} | extra
    reordered = dict(reversed(list(payload.items())))
    stamped = reordered | {"generated_at": generated_at, "valid_until": "2026-11-28T09:00:00Z"}
    raw = json.dumps(stamped, ensure_ascii=bool(extra)).encode()
    assert satellite_hash(raw) == satellite_hash(payload) == hub_hash(payload)
    assert parse_data(raw, "door").content_hash == hub_hash(stamped)


@DIFFERENTIAL
@given(
    st.lists(
        st.tuples(TEXT, st.integers(-600, 3000), st.integers(1, 600), st.booleans()), max_size=6
    ),
    TEXT,
    st.sampled_from(ZONES),
)
def test_hub_payloads_hash_alike_on_the_satellite(
    raw_bookings: list[tuple[str, int, int, bool]], room: str, tz: str
) -> None:
    """What the hub publishes is, for the satellite, the content the hub hashed."""
    now = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    bookings = [
        Booking(
            title=title,
            start=now + dt.timedelta(minutes=start),
            end=now + dt.timedelta(minutes=start + length),
            organizer=None,
            private=private,
        )
        for title, start, length, private in raw_bookings
    ]
    payload = build_payload(
        device="door", room=room, tz=tz, bookings=bookings, now=now,
        lifetime=dt.timedelta(hours=12),
    )  # fmt: skip
    assert parse_data(encode(payload), "door").content_hash == hub_hash(payload)
