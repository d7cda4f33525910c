"""Hypothesis-generated junk on /data, /cmd and /test never kills the satellite."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.wire import PayloadError, parse_cmd, parse_data, parse_test
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testbed.broker import Broker
from tests.reliability.case_counts import Counter
from tests.satellite.conftest import (
    DEVICE,
    PREFIX,
    FakeClock,
    Recorder,
    SatelliteProcess,
    make_config,
    room_payload,
    status_is,
    write_config,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
KEYS = ["v", "device", "room", "tz", "generated_at", "valid_until", "events", "message", "qr"]
EVENT_KEYS = ["title", "start", "end", "organizer", "private"]
TIMES = st.sampled_from(
    [
        "2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00+14:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-12:00",
        "2026-02-30T10:00:00Z",
        "",
    ]
)


@st.composite
def mutated_payload(draw: st.DrawFn) -> bytes:
    """A valid room payload with some keys (top level or in an event) set to junk."""
    payload: dict[str, Any] = room_payload()
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=3)):
        payload[key] = draw(JSON | TIMES)
    events = payload.get("events")
    if draw(st.booleans()) and isinstance(events, list) and events and isinstance(events[0], dict):
        event = dict(payload["events"][0])
        for key in draw(st.lists(st.sampled_from(EVENT_KEYS), min_size=1, max_size=3)):
            event[key] = draw(JSON | TIMES)
        payload["events"] = [event]
    return json.dumps(payload).encode()


JUNK = (
    st.binary(max_size=300)
    | JSON.map(lambda value: json.dumps(value).encode())
    | mutated_payload()
    | st.dictionaries(st.sampled_from(["id", "text", "cmd"]), JSON, max_size=3).map(
        lambda v: json.dumps(v).encode()
    )
)


PARSED = {leaf: Counter(f"satellite /{leaf} (parser)") for leaf in ("data", "cmd", "test")}


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(JUNK)
def _parsers_raise_only_payload_errors(raw: bytes) -> None:
    for counter in PARSED.values():
        counter()
    for parse in (lambda r: parse_data(r, DEVICE), parse_cmd, parse_test):
        try:
            parse(raw)
        except PayloadError as err:
            assert err.reason
            assert err.detail


def test_parsers_raise_only_payload_errors() -> None:
    """Whatever the bytes, parsing either succeeds or raises PayloadError."""
    _parsers_raise_only_payload_errors()
    for counter in PARSED.values():
        counter.record()


def test_junk_through_the_controller_is_handled_by_validation(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No junk reaches the catch-all handler: every message is validated, the panel kept."""
    display = MQTTDisplay(
        make_config(None, tmp_path, display={"offline_after": 86400}),
        clock=FakeClock("2026-11-27T10:30:00Z"),
    )
    display.setup_display()
    good = json.dumps(room_payload()).encode()

    def send(leaf: str, raw: bytes) -> None:
        message = mqtt.MQTTMessage(topic=f"{PREFIX}{DEVICE}/{leaf}".encode())
        message.payload = raw
        display.on_message(None, None, message)  # type: ignore[arg-type]

    send("data", good)
    good_hash = display.sign.content_hash
    counters = {leaf: Counter(f"satellite /{leaf}") for leaf in ("data", "cmd", "test")}

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.sampled_from(["data", "cmd", "test"]), JUNK)
    def feed(leaf: str, raw: bytes) -> None:
        counters[leaf]()
        send(leaf, raw)
        send("data", good)
        display.sign.overlay = None

    with caplog.at_level(logging.WARNING):
        feed()
    for counter in counters.values():
        counter.record()
    assert "Unexpected error" not in caplog.text
    assert display.sign.content_hash == good_hash


def test_junk_over_mqtt_never_kills_the_process(
    mosquitto: Broker, recorder: Recorder, tmp_path: Path
) -> None:
    """A running daemon takes generated junk on all three topics and still answers."""
    process = SatelliteProcess(write_config(mosquitto, tmp_path))
    try:
        recorder.wait("status", status_is("online"))
        good = json.dumps(room_payload()).encode()
        recorder.publish("data", good, retain=True)
        recorder.wait("status", lambda m: m.json().get("content_hash") is not None)

        @settings(
            max_examples=120,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(st.sampled_from(["data", "cmd", "test"]), JUNK)
        def feed(leaf: str, raw: bytes) -> None:
            counters[leaf]()
            recorder.publish(leaf, raw)

        counters = {
            leaf: Counter(f"satellite /{leaf}", "hypothesis, over MQTT")
            for leaf in ("data", "cmd", "test")
        }
        feed()
        for counter in counters.values():
            counter.record()
        mark = recorder.mark()
        recorder.publish("test", {"id": "still-alive", "text": "ok"})
        ack = recorder.wait(
            "ack", lambda m: m.json()["id"] == "still-alive", after=mark, timeout=30
        )
        assert ack.json()["ok"] is True
        assert process.alive()
        assert "Unexpected error" not in process.log()
        assert "Traceback" not in process.log()
    finally:
        process.stop()
