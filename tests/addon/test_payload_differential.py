"""The addon's ``/data`` builder (``epaper_publish``, no Odoo) and the hub's are one payload.

Hypothesis generates ``epaper_schedule`` answers (zones and their DST days, all-day spans,
private events, locales, qr codes at and past their limit, long and non-Latin titles,
controls and lone surrogates, malformed events, schedules past 64 KiB); the hub's path
(``schedule_answer`` then ``coordinator.build_display_data``) and the addon's
``display_payload`` must give the same bytes and the same ``content_hash``. The shared
vectors (tests/vectors/data.json, valid cases) go through both builders too.
Runs derandomized when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.odoo_epaper.coordinator import build_display_data
from custom_components.odoo_epaper.message_board import BoardMessage
from custom_components.odoo_epaper.options import EpaperOptions
from custom_components.odoo_epaper.schedule_answer import parse_schedule_answer
from custom_components.odoo_epaper.wire import MAX_PAYLOAD_BYTES, content_hash, encode
from testbed.addon_code import load_plain_package

publish: Any = load_plain_package("epaper_publish")
VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "data.json").read_text("utf-8"))
ZONES = ("Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe", "Asia/Kolkata")
DST_DAYS = (
    dt.date(2026, 11, 27),
    dt.date(2026, 3, 29),
    dt.date(2026, 10, 25),
    dt.date(2026, 3, 8),
    dt.date(2026, 11, 1),
    dt.date(2026, 4, 5),
    dt.date(2026, 10, 4),
)
DIFFERENTIAL = settings(
    max_examples=300,
    deadline=None,
    derandomize="CI" in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LIFETIME = dt.timedelta(hours=12)
# Any text Odoo may hold: non-Latin, emoji, controls, lone surrogates (the hub cleans them).
TEXT = st.text(st.characters(codec="utf-16", categories=None), max_size=30) | st.sampled_from(
    ("", "Board meeting", "Besprechung über Straße", "会議室", "\x00\x07tab\there", "\ud800x")
)
LONG = st.builds(lambda c, n: c * n, st.sampled_from(("a", "é", "会", "😀")), st.integers(1, 700))


def _z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _odoo(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


@st.composite
def events(draw: st.DrawFn, zone: ZoneInfo, day: dt.date) -> dict[str, Any]:
    """One event of the answer: on a 15-minute grid, all-day at local midnights, odd
    seconds, in Odoo's naive UTC text or ISO with an offset, or malformed."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    kind = draw(st.sampled_from(("grid", "grid", "all_day", "odd", "broken")))
    if kind == "all_day":
        first = day + dt.timedelta(days=draw(st.integers(-1, 1)))
        start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(
            first + dt.timedelta(days=draw(st.integers(1, 2))), dt.time(), tzinfo=zone
        )
    else:
        start = midnight + draw(st.integers(-8, 100)) * dt.timedelta(minutes=15)
        end = start + draw(st.integers(-1, 16)) * dt.timedelta(minutes=15)
        if kind == "odd":
            start += dt.timedelta(seconds=draw(st.integers(-59, 59)))
    fmt = draw(st.sampled_from((_odoo, _z, lambda m: m.isoformat())))
    event: dict[str, Any] = {
        "title": draw(TEXT | LONG | st.just(False)),
        "start": fmt(start),
        "end": fmt(end),
        "organizer": draw(TEXT | LONG | st.just(False) | st.none()),
        "private": draw(st.sampled_from((True, False, None, 1))),
        "all_day": kind == "all_day" or draw(st.sampled_from((False, None))),
        "ref": f"room.booking,{draw(st.integers(1, 9))}",
    }
    if draw(st.booleans()):
        event["check_in_until"] = fmt(start + dt.timedelta(minutes=10))
    if kind == "broken":
        key = draw(st.sampled_from(("start", "end", "check_in_until")))
        event[key] = draw(st.sampled_from(("", "soon", "1900-01-01 00:00:00", 7, None)))
    return event


@st.composite
def answer_entries(draw: st.DrawFn) -> tuple[dict[str, Any], dt.datetime]:
    """One display entry of ``epaper_schedule``'s answer and a ``now`` near its day."""
    zone_name = draw(st.sampled_from((*ZONES, "Mars/Olympus", "", None, False)))
    zone = ZoneInfo(zone_name if zone_name in ZONES else "UTC")
    day = draw(st.sampled_from(DST_DAYS))
    items: list[Any] = draw(st.lists(events(zone, day), max_size=8))
    if draw(st.integers(0, 9)) == 0:  # past 500 events or past 64 KiB
        template = draw(events(zone, day))
        items += [dict(template, title=f"{template['title']}{n}") for n in range(520)]
    if draw(st.integers(0, 19)) == 0:
        items.append(draw(st.sampled_from(("junk", 3, None, []))))
    entry = {
        "device": draw(st.sampled_from(("reception", "room_2-b", "a" * 64))),
        "room": draw(TEXT | LONG | st.just(False)),
        "topic_prefix": draw(st.sampled_from((None, False, "odoo_epaper/", "test/room/"))),
        "tz": zone_name,
        "locale": draw(st.sampled_from((None, False, "", "de-DE", "en-US", "fr", "zh-Hant-TW"))),
        "qr": draw(
            st.none()
            | st.just(False)
            | TEXT
            | st.sampled_from(("x" * 1024, "x" * 1025, "会" * 341 + "x", "会" * 342))
        ),
        "panel_model": "epd7in5_V2",
        "events": items,
    }
    now = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(
        seconds=draw(st.integers(-86_400, 3 * 86_400))
    )
    return entry, now


def hub_payload(
    entry: dict[str, Any], now: dt.datetime, lifetime: dt.timedelta, message: BoardMessage | None
) -> dict[str, Any]:
    """The hub's payload for one answer entry: its parser, then its builder."""
    schedule = parse_schedule_answer({"api": 1, "displays": [entry]}, lambda _k, _m: None)
    messages = {entry["device"]: message} if message is not None else None
    data = build_display_data(schedule, EpaperOptions.from_mapping({}), now, lifetime, messages)
    built = data[entry["device"]]
    assert built.content_hash == content_hash(built.payload)
    return built.payload


@DIFFERENTIAL
@given(answer_entries())
def test_hub_and_addon_build_the_same_bytes(case: tuple[dict[str, Any], dt.datetime]) -> None:
    """Same JSON bytes on the wire, same content_hash, both within 64 KiB."""
    entry, now = case
    hub = hub_payload(entry, now, LIFETIME, None)
    addon = publish.display_payload(entry, now, LIFETIME)
    assert publish.encode(addon) == encode(hub)
    assert publish.content_hash(addon) == content_hash(hub)
    assert len(encode(hub)) <= MAX_PAYLOAD_BYTES


def test_oversized_schedule_is_cut_alike() -> None:
    """A schedule far past 64 KiB is cut to the same events by both (the hub's rule)."""
    start = dt.datetime(2026, 11, 27, 8, tzinfo=dt.UTC)
    entry = {
        "device": "reception",
        "room": "Reception",
        "tz": "Europe/Berlin",
        "events": [
            {
                "title": "会" * 200,
                "start": _z(start + dt.timedelta(minutes=n)),
                "end": _z(start + dt.timedelta(minutes=n + 30)),
                "organizer": "ü" * 400,
            }
            for n in range(400)
        ],
    }
    addon = publish.display_payload(entry, start, LIFETIME)
    assert 0 < len(addon["events"]) < 400
    assert publish.encode(addon) == encode(hub_payload(entry, start, LIFETIME, None))
    assert len(publish.encode(addon)) <= MAX_PAYLOAD_BYTES


def _entry_of_vector(payload: dict[str, Any], device: str) -> dict[str, Any]:
    """The ``epaper_schedule`` entry that describes a vector's payload."""
    return {
        "device": payload.get("device", device),
        "room": payload.get("room"),
        "tz": payload.get("tz"),
        "locale": payload.get("locale"),
        "qr": payload.get("qr"),
        "events": payload.get("events", []),
    }


VALID = [case for case in VECTORS["cases"] if case["valid"] and "payload" in case]


@pytest.mark.parametrize("case", VALID, ids=[case["name"] for case in VALID])
def test_vectors_through_both_builders(case: dict[str, Any]) -> None:
    """Every valid vector's schedule gives the same bytes from both builders; a vector in
    the builders' own form (keys, order of events, whole seconds) is rebuilt exactly, with
    the vector's content_hash."""
    payload = case["payload"]
    now = dt.datetime.fromisoformat(payload.get("generated_at", "2026-11-27T09:00:00Z"))
    until = payload.get("valid_until")
    lifetime = dt.datetime.fromisoformat(until) - now if until else LIFETIME
    message = payload.get("message")
    board = (
        BoardMessage(message["text"], dt.datetime.fromisoformat(message["until"]))
        if isinstance(message, dict) and message.get("until")
        else None
    )
    entry = _entry_of_vector(payload, case.get("device", VECTORS["device"]))
    hub = hub_payload(entry, now, lifetime, board)
    addon = publish.display_payload(entry, now, lifetime, board and board.as_payload())
    assert publish.encode(addon) == encode(hub)
    if json.loads(encode(hub)) == payload:
        assert publish.content_hash(addon) == case["content_hash"]


def test_some_vectors_are_rebuilt_exactly() -> None:
    """The exact-rebuild branch above is taken (the full example is in the builders' form)."""
    rebuilt = []
    for case in VALID:
        payload = case["payload"]
        now = dt.datetime.fromisoformat(payload.get("generated_at", "2026-11-27T09:00:00Z"))
        until = payload.get("valid_until")
        lifetime = dt.datetime.fromisoformat(until) - now if until else LIFETIME
        message = payload.get("message")
        entry = _entry_of_vector(payload, case.get("device", VECTORS["device"]))
        built = publish.display_payload(entry, now, lifetime, message)
        if built == payload:
            rebuilt.append(case["name"])
    assert "full example of the protocol" in rebuilt


def test_answer_payloads_reads_the_whole_answer_as_the_hub() -> None:
    """Every display of an answer: same devices (first of a duplicate wins, bad names
    left out), same prefixes (a bad one dropped), same payloads as the hub's."""
    now = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
    displays = [
        {"device": "a", "room": "A", "tz": "Europe/Berlin", "topic_prefix": "test/room/"},
        {"device": "a", "room": "second A"},
        {"device": "B!", "room": "bad name"},
        {"device": "c", "room": "C", "topic_prefix": "no-slash", "events": "junk"},
    ]
    answer = {"api": 1, "displays": displays}
    addon = publish.answer_payloads(answer, now, LIFETIME)
    schedule = parse_schedule_answer(answer, lambda _k, _m: None)
    hub = build_display_data(schedule, EpaperOptions.from_mapping({}), now, LIFETIME)
    assert sorted(addon) == sorted(hub) == ["a", "c"]
    for device, (prefix, payload) in addon.items():
        assert publish.encode(payload) == encode(hub[device].payload)
        assert (prefix or "odoo_epaper/") == hub[device].topic_prefix
    with pytest.raises(ValueError, match="API 1"):
        publish.answer_payloads({"api": 2, "displays": []}, now, LIFETIME)
