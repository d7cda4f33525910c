"""The payload builder and the contract's names and prefixes, against tests/vectors."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest

from custom_components.odoo_epaper.schedule import Booking, booking_window, from_odoo, to_odoo
from custom_components.odoo_epaper.wire import (
    MAX_EVENTS,
    MAX_PAYLOAD_BYTES,
    ActionError,
    ack_payload,
    ack_topic,
    action_topic,
    build_payload,
    changed_topic,
    cmd_topic,
    content_hash,
    data_topic,
    encode,
    every_display_topic,
    is_valid_device_name,
    is_valid_topic_prefix,
    parse_action,
    split_display_topic,
    status_topic,
    topic_device,
)
from custom_components.odoo_epaper.wire import test_topic as build_test_topic
from tests.fixtures.vectors import load_vectors, raw_payload

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
LIFETIME = dt.timedelta(hours=12)
SCHEMA = load_vectors("data.schema")
DATA = load_vectors("data")
VALID_DATA = [case for case in DATA["cases"] if case["valid"]]


def validate(payload: dict[str, Any]) -> None:
    """Fail unless the payload matches the wire schema and the size limit."""
    jsonschema.validate(payload, SCHEMA)
    assert len(encode(payload)) <= MAX_PAYLOAD_BYTES


def booking(start_hour: float, hours: float = 1.0, **kwargs: Any) -> Booking:
    """A booking on the 27th starting at ``start_hour`` UTC."""
    start = NOW.replace(hour=0) + dt.timedelta(hours=start_hour)
    return Booking(
        title=kwargs.pop("title", "Meeting"),
        start=start,
        end=start + dt.timedelta(hours=hours),
        **kwargs,
    )


def build(bookings: list[Booking], **kwargs: Any) -> dict[str, Any]:
    """Build a payload for ``reception`` at NOW."""
    args: dict[str, Any] = {
        "device": "reception",
        "room": "Reception",
        "tz": "Europe/Berlin",
        "bookings": bookings,
        "now": NOW,
        "lifetime": LIFETIME,
    }
    return build_payload(**{**args, **kwargs})


@pytest.mark.parametrize("name", load_vectors("device_names")["valid"])
def test_valid_device_names(name: str) -> None:
    """Every valid name of the vectors passes."""
    assert is_valid_device_name(name)


@pytest.mark.parametrize("name", load_vectors("device_names")["invalid"])
def test_invalid_device_names(name: str) -> None:
    """Every invalid name of the vectors is refused."""
    assert not is_valid_device_name(name)


@pytest.mark.parametrize("prefix", load_vectors("topic_prefixes")["valid"])
def test_valid_topic_prefixes(prefix: str) -> None:
    """Every valid prefix of the vectors passes."""
    assert is_valid_topic_prefix(prefix)


@pytest.mark.parametrize("prefix", load_vectors("topic_prefixes")["invalid"])
def test_invalid_topic_prefixes(prefix: str) -> None:
    """Every invalid prefix of the vectors is refused."""
    assert not is_valid_topic_prefix(prefix)


def test_topics() -> None:
    """Topics are the prefix, the device and the leaf."""
    assert data_topic("test/room/", "lab-door") == "test/room/lab-door/data"
    assert status_topic("odoo_epaper/", "_hub") == "odoo_epaper/_hub/status"
    assert cmd_topic("a/b/", "door") == "a/b/door/cmd"
    assert build_test_topic("a/b/", "door") == "a/b/door/test"
    assert changed_topic("odoo_epaper/") == "odoo_epaper/_odoo/changed"
    assert every_display_topic("odoo_epaper/", "status") == "odoo_epaper/+/status"
    assert topic_device("odoo_epaper/", "odoo_epaper/lab-door/snapshot") == "lab-door"


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("odoo_epaper/lab-door/status", ("odoo_epaper/", "lab-door")),
        ("site/a/room-1/status", ("site/a/", "room-1")),
        ("odoo_epaper/lab-door/snapshot", None),
        ("odoo_epaper/Lab Door/status", None),
        ("odoo_epaper/_hub/status", None),
        ("lab-door/status", None),
        ("/lab-door/status", None),
        ("$SYS/lab-door/status", None),
    ],
)
def test_split_display_topic(topic: str, expected: tuple[str, str] | None) -> None:
    """A display's leaf under any valid prefix splits into prefix and device; else None."""
    assert split_display_topic(topic, "status") == expected


@pytest.mark.parametrize("case", VALID_DATA, ids=[case["name"] for case in VALID_DATA])
def test_valid_vector_events_round_trip(case: dict[str, Any]) -> None:
    """The events of every valid vector, rebuilt by the hub, give a valid payload.

    Same instants and titles, sorted by start, times in UTC with ``Z``.
    """
    source = case["payload"]
    parsed = [
        Booking(
            title=event["title"],
            start=dt.datetime.fromisoformat(event["start"]),
            end=dt.datetime.fromisoformat(event["end"]),
            organizer=event.get("organizer"),
            private=bool(event.get("private", False)),
        )
        for event in source["events"]
    ]
    device = case.get("device", DATA["device"])
    payload = build(
        parsed, device=device, room=source["room"], tz=source.get("tz", "UTC"), qr=source.get("qr")
    )
    validate(payload)
    assert len(payload["events"]) == case["events"]
    expected = sorted(source["events"], key=lambda e: dt.datetime.fromisoformat(e["start"]))
    assert [e["title"] for e in payload["events"]] == [e["title"] for e in expected]
    assert [dt.datetime.fromisoformat(e["start"]) for e in payload["events"]] == [
        dt.datetime.fromisoformat(e["start"]) for e in expected
    ]
    assert all(e["start"].endswith("Z") for e in payload["events"])
    assert payload["device"] == device


def test_full_payload_shape() -> None:
    """Version, device, room, tz, times, events and qr as DESIGN.md section 3 shows."""
    payload = build(
        [booking(10, title="Board meeting", organizer="A. Smith")],
        qr="https://odoo.example.com/room/AB12/book",
    )
    validate(payload)
    assert payload == {
        "v": 1,
        "device": "reception",
        "room": "Reception",
        "tz": "Europe/Berlin",
        "generated_at": "2026-11-27T09:00:00Z",
        "valid_until": "2026-11-27T21:00:00Z",
        "events": [
            {
                "title": "Board meeting",
                "start": "2026-11-27T10:00:00Z",
                "end": "2026-11-27T11:00:00Z",
                "organizer": "A. Smith",
                "private": False,
            }
        ],
        "qr": "https://odoo.example.com/room/AB12/book",
    }


def test_events_sorted_and_empty_ones_dropped() -> None:
    """Sorted by start; an event that does not end after it starts never leaves the hub."""
    payload = build([booking(14), booking(9, 0), booking(10, -1), booking(8)])
    validate(payload)
    assert [e["start"] for e in payload["events"]] == [
        "2026-11-27T08:00:00Z",
        "2026-11-27T14:00:00Z",
    ]


def test_at_most_500_events_past_ones_dropped_first() -> None:
    """Over 500 events: the ended ones go first, then the latest."""
    bookings = [booking(-100 + i * 0.25, 0.2, title=f"e{i}") for i in range(700)]
    payload = build(bookings)
    validate(payload)
    assert len(payload["events"]) == MAX_EVENTS
    starts = [dt.datetime.fromisoformat(e["start"]) for e in payload["events"]]
    assert starts == sorted(starts)
    assert payload["events"][0]["title"] == "e200"  # 436 ended before NOW; the first 200 go


def test_payload_stays_under_64_kib() -> None:
    """Long titles: events are cut from the end until the payload fits, titles are capped."""
    bookings = [booking(10 + i, title="x" * 5000 + str(i)) for i in range(400)]
    payload = build(bookings)
    validate(payload)
    assert 0 < len(payload["events"]) < 400
    assert len(encode(payload)) > MAX_PAYLOAD_BYTES - 300
    assert all(len(e["title"]) == 200 for e in payload["events"])


QR_CASES = [
    pytest.param(case, id=case["name"])
    for case in DATA["cases"]
    if isinstance(case.get("payload"), dict)
    and isinstance(case["payload"].get("qr"), str)
    and (case["valid"] or case["reason"] == "size")
    and len(case["payload"]["events"]) <= 500
]


@pytest.mark.parametrize("case", QR_CASES)
def test_qr_follows_the_vectors_bound(case: dict[str, Any]) -> None:
    """The hub sends a qr the sign accepts (1024 bytes of UTF-8, not characters) and
    drops one the sign would refuse the whole room for."""
    qr = case["payload"]["qr"]
    assert build([], qr=qr)["qr"] == (qr if case["valid"] else None)


def test_empty_qr_is_none() -> None:
    """An empty QR text is no QR code."""
    assert build([], qr="")["qr"] is None


def test_content_hash_ignores_times_of_generation() -> None:
    """The hash changes with what the sign shows, not with when it was built."""
    first = build([booking(10)])
    later = build([booking(10)], now=NOW + dt.timedelta(hours=3))
    assert first["generated_at"] != later["generated_at"]
    assert content_hash(first) == content_hash(later)
    assert content_hash(first) != content_hash(build([booking(11)]))
    assert content_hash(first) != content_hash(build([booking(10)], room="Reception 2"))
    assert content_hash(first) != content_hash(build([booking(10, private=True)]))
    assert len(content_hash(first)) == 16


@pytest.mark.parametrize("case", VALID_DATA, ids=[case["name"] for case in VALID_DATA])
def test_content_hash_vectors(case: dict[str, Any]) -> None:
    """The hub's hash of every valid /data vector is the vector's content_hash."""
    assert content_hash(case["payload"]) == case["content_hash"]


def test_encode_is_compact_utf8() -> None:
    """Compact JSON, UTF-8 without escapes."""
    payload = build([booking(10, title="Совещание")], room="会議室")
    raw = encode(payload)
    assert "会議室".encode() in raw
    assert b": " not in raw
    assert json.loads(raw) == payload


def test_booking_window_whole_utc_days() -> None:
    """From yesterday's UTC midnight to the midnight after the horizon."""
    start, end = booking_window(dt.datetime(2026, 11, 27, 23, 59, tzinfo=dt.UTC), 7)
    assert start == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    assert booking_window(dt.datetime(2026, 11, 27, 0, 1, tzinfo=dt.UTC), 7) == (start, end)


def test_odoo_times() -> None:
    """Naive UTC text both ways."""
    moment = from_odoo("2026-11-27 09:30:00")
    assert moment == dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
    berlin = moment.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert to_odoo(berlin) == "2026-11-27 09:30:00"


ACTIONS = load_vectors("actions")


@pytest.mark.parametrize("case", ACTIONS["cases"], ids=lambda c: c["name"])
def test_action_vectors(case: dict[str, Any]) -> None:
    """The hub reads each /action vector as the satellite writes it, or refuses it with the
    vector's reason and answers the id it could read."""
    raw = raw_payload(case)
    if case["valid"]:
        request = parse_action(raw)
        assert (request.action, request.minutes) == (case["action"], case["minutes"])
        assert request.id == case["payload"]["id"]
    else:
        with pytest.raises(ActionError) as err:
            parse_action(raw)
        assert err.value.reason == case["reason"]
        assert err.value.ack_id == case.get("ack_id")


def test_action_and_ack_topics_and_answer() -> None:
    """/action and /ack under a display's prefix; an answer carries an error only when refused."""
    assert action_topic("test/room/", "lab") == "test/room/lab/action"
    assert ack_topic("odoo_epaper/", "lab") == "odoo_epaper/lab/ack"
    assert ack_payload("k-1", ok=True, error="ignored") == {"id": "k-1", "ok": True, "error": None}
    refused = ack_payload("k-2", ok=False, error="room_busy")
    assert refused == {"id": "k-2", "ok": False, "error": "room_busy"}
