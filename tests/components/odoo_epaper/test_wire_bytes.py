"""The hub's payload in its wire form: the bytes the broker gets are the vectors' bytes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from custom_components.odoo_epaper.schedule import MAX_TITLE_CHARS, Booking, format_time
from custom_components.odoo_epaper.wire import (
    MAX_PAYLOAD_BYTES,
    build_payload,
    build_wire_payload,
    content_hash,
    encode,
)
from tests.fixtures.vectors import load_vectors

DATA = load_vectors("data")
EVENT_KEYS = ["title", "start", "end", "organizer", "private"]


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _booking(event: dict[str, Any]) -> Booking | None:
    """The booking the hub would write as ``event`` exactly; None when it writes another."""
    keys = [*EVENT_KEYS, *(["all_day"] if event.get("all_day") else [])]
    keys += ["check_in_until"] if "check_in_until" in event else []
    if list(event) != keys or not isinstance(event["title"], str):
        return None
    booking = Booking(
        title=event["title"],
        start=_time(event["start"]),
        end=_time(event["end"]),
        organizer=event["organizer"],
        private=event["private"],
        all_day=bool(event.get("all_day")),
        check_in_until=_time(event["check_in_until"]) if "check_in_until" in event else None,
    )
    times = [booking.start, booking.end, *filter(None, [booking.check_in_until])]
    written = [event["start"], event["end"], event.get("check_in_until")]
    if [format_time(t) for t in times] != [w for w in written if w is not None]:
        return None
    if len(booking.title) > MAX_TITLE_CHARS or booking.end <= booking.start:
        return None
    return booking


def hub_order(payload: dict[str, Any]) -> list[str] | None:
    """The payload's members in the order the hub writes them (the vectors write
    ``message`` before ``qr``, the hub and the addon after it); None when the hub would
    write other members."""
    keys = ["v", "device", "room", *(k for k in ("tz", "locale") if payload.get(k))]
    keys += ["generated_at", "valid_until", "events", "qr"]
    keys += ["message"] if payload.get("message") else []
    return keys if sorted(payload) == sorted(keys) else None


def hub_inputs(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The builder's arguments that give ``payload`` (None: a payload the hub writes in
    another form: other members, unsorted events, another time format, ...)."""
    message = payload.get("message")
    if hub_order(payload) is None or not isinstance(payload["events"], list):
        return None
    bookings = [_booking(event) if isinstance(event, dict) else None for event in payload["events"]]
    if None in bookings or bookings != sorted(bookings, key=lambda b: (b.start, b.end)):  # type: ignore[union-attr]
        return None
    now, until = _time(payload["generated_at"]), _time(payload["valid_until"])
    if format_time(now) != payload["generated_at"] or format_time(until) != payload["valid_until"]:
        return None
    return {
        "device": payload["device"],
        "room": payload["room"],
        "tz": payload.get("tz"),
        "locale": payload.get("locale"),
        "bookings": bookings,
        "now": now,
        "lifetime": until - now,
        "qr": payload["qr"],
        "message": message,
    }


HUB_SHAPED = [
    case for case in DATA["cases"] if case["valid"] and hub_inputs(case["payload"]) is not None
]


def test_the_vectors_hold_payloads_the_hub_writes() -> None:
    """Enough vectors are in the hub's own form for the byte comparison to mean something
    (events, and messages)."""
    assert len(HUB_SHAPED) >= 5
    payloads = [case["payload"] for case in HUB_SHAPED]
    assert any(p["events"] for p in payloads)
    assert any("message" in p for p in payloads)


@pytest.mark.parametrize("case", HUB_SHAPED, ids=[case["name"] for case in HUB_SHAPED])
def test_wire_bytes_are_the_vectors(case: dict[str, Any]) -> None:
    """Built once to its wire form, a payload is byte for byte the vector's payload as
    compact UTF-8 JSON (members in the hub's order), with the vector's content_hash and
    valid_until; and it is what build_payload's object encodes to (one builder, two
    forms)."""
    payload = case["payload"]
    inputs, order = hub_inputs(payload), hub_order(payload)
    assert inputs is not None and order is not None
    wire = build_wire_payload(**inputs)
    assert wire.data == encode({key: payload[key] for key in order})
    assert wire.content_hash == case["content_hash"]
    assert format_time(wire.valid_until) == case["payload"]["valid_until"]
    assert encode(build_payload(**inputs)) == wire.data


NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def _many(count: int, title: str) -> list[Booking]:
    return [
        Booking(
            title=f"{title} {index}",
            start=NOW + dt.timedelta(minutes=10 * index),
            end=NOW + dt.timedelta(minutes=10 * index + 5),
            organizer='"events":[] organizer',
            check_in_until=NOW + dt.timedelta(minutes=10 * index + 2) if index % 2 else None,
            all_day=index % 7 == 0,
        )
        for index in range(count)
    ]


@pytest.mark.parametrize(
    ("room", "bookings", "message"),
    [
        ('Room "events":[] 1', _many(3, "Täst"), {"text": '"events":[]', "until": "x"}),
        ("Lab", [], None),
        ("Hall", _many(500, "Ä long title " * 12), {"text": "Closed", "until": "2026"}),
    ],
    ids=["member-like texts", "no events", "past 64 KiB"],
)
def test_the_wire_form_is_the_payload_encoded(
    room: str, bookings: list[Booking], message: dict[str, Any] | None
) -> None:
    """Whatever the texts (one that reads like the events member), no events, or a
    payload that must drop events to fit 64 KiB: the wire form is build_payload's object
    encoded, with its content_hash, however often it is built."""
    args: dict[str, Any] = {
        "device": "hall",
        "room": room,
        "tz": "Europe/Berlin",
        "bookings": bookings,
        "now": NOW,
        "lifetime": dt.timedelta(hours=12),
        "qr": "https://example.com/q",
        "message": message,
    }
    payload = build_payload(**args)
    for _ in range(2):  # the second time from the bookings' encoded texts
        wire = build_wire_payload(**args)
        assert wire.data == encode(payload)
        assert wire.content_hash == content_hash(payload)
        assert len(wire.data) <= MAX_PAYLOAD_BYTES
