"""Hand-written bad input (and the vectors' bad cases) on the satellite's three topics."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.wire import content_hash

from testbed.broker import Broker
from testbed.mqtt_peer import encode
from tests.fixtures.vectors import load_vectors, raw_payload
from tests.reliability.case_counts import record
from tests.reliability.helpers import PREFIX, Watcher, room, satellite_config, status
from tests.reliability.satellite_junk import (
    CMD_REJECTED,
    DATA_ACCEPTED,
    DATA_REJECTED,
    TEST_REJECTED,
)
from tests.satellite.conftest import FakeClock, SatelliteProcess, make_config

Spawn = Callable[..., SatelliteProcess]
DEVICE = "reception"


def _bad_vectors(name: str) -> dict[str, bytes]:
    cases = load_vectors(name)["cases"]
    return {
        f"vector {case['name']}": raw_payload(case)
        for case in cases
        # An empty /data is no junk: the retained data was cleared (test_controller).
        if not case["valid"] and not case.get("cleared") and case.get("device", DEVICE) == DEVICE
    }


def _display(tmp_path: Path) -> tuple[MQTTDisplay, Callable[[str, bytes], None]]:
    display = MQTTDisplay(
        make_config(None, tmp_path, display={"offline_after": 86400}),
        clock=FakeClock("2026-11-27T10:30:00Z"),
    )
    display.setup_display()

    def send(leaf: str, raw: bytes) -> None:
        message = mqtt.MQTTMessage(topic=f"{PREFIX}{DEVICE}/{leaf}".encode())
        message.payload = raw
        display.on_message(None, None, message)  # type: ignore[arg-type]

    return display, send


def test_rejected_data_keeps_the_panel_and_the_stored_payload(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each bad /data is refused with its reason; panel, hash and stored file stay as they were."""
    display, send = _display(tmp_path)
    good = encode(room(DEVICE, "Good room"))
    send("data", good)
    stored = display.sign.store.path.read_bytes()
    shown = display.driver.shown
    cases = DATA_REJECTED | _bad_vectors("data")
    with caplog.at_level(logging.INFO):
        for name, raw in cases.items():
            caplog.clear()
            send("data", raw)
            assert "Rejected /data (" in caplog.text, name
            assert display.sign.error and display.sign.error.startswith("data rejected"), name
            assert display.sign.content_hash == content_hash(good), name
            assert display.sign.store.path.read_bytes() == stored, name
            assert display.driver.shown is shown, name
            assert "Unexpected error" not in caplog.text, name
    record("satellite /data", "hand-written", len(DATA_REJECTED))
    record("satellite /data", "vectors (invalid)", len(cases) - len(DATA_REJECTED))
    send("data", good)
    assert display.sign.error is None


def test_odd_but_valid_data_is_drawn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Odd payloads the contract allows are drawn and stored, never a crash."""
    display, send = _display(tmp_path)
    with caplog.at_level(logging.WARNING):
        for name, raw in DATA_ACCEPTED.items():
            send("data", raw)
            assert display.sign.error is None, (name, display.sign.error)
            assert display.sign.content_hash == content_hash(raw), name
            assert display.sign.store.path.read_bytes() == raw, name
    assert caplog.text == ""
    record("satellite /data", "hand-written (odd but valid)", len(DATA_ACCEPTED))


def test_a_payload_that_cannot_be_drawn_is_undone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When drawing a valid payload fails, the old content, hash and stored file stay."""
    display, send = _display(tmp_path)
    good = encode(room(DEVICE, "Good room"))
    send("data", good)
    shown = display.driver.shown

    def broken(*_args: object, **_kwargs: object) -> None:
        raise UnicodeEncodeError("utf-8", "x", 0, 1, "a font that chokes")

    monkeypatch.setattr("epaper_satellite.sign.render_room", broken)
    with caplog.at_level(logging.INFO):
        send("data", encode(room(DEVICE, "Cannot be drawn")))
    assert "Rejected /data (render)" in caplog.text
    assert display.sign.data is not None and display.sign.data.room == "Good room"
    assert display.sign.content_hash == content_hash(good)
    assert display.sign.store.path.read_bytes() == good
    assert display.driver.shown is shown
    assert display.sign.error == "data rejected: cannot draw it (UnicodeEncodeError)"


def test_rejected_commands_and_tests_change_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Bad /cmd and /test are logged and leave the screen alone."""
    display, send = _display(tmp_path)
    good = encode(room(DEVICE))
    send("data", good)
    shown = display.driver.shown
    cmds = CMD_REJECTED | _bad_vectors("cmd")
    tests = TEST_REJECTED | _bad_vectors("test")
    with caplog.at_level(logging.INFO):
        for leaf, cases in (("cmd", cmds), ("test", tests)):
            for name, raw in cases.items():
                caplog.clear()
                send(leaf, raw)
                assert f"Rejected /{leaf} (" in caplog.text, name
                assert display.sign.overlay is None and not display.sign.cleared, name
                assert display.driver.shown is shown, name
    assert display.sign.content_hash == content_hash(good)
    record("satellite /cmd", "hand-written", len(CMD_REJECTED))
    record("satellite /cmd", "vectors (invalid)", len(cmds) - len(CMD_REJECTED))
    record("satellite /test", "hand-written", len(TEST_REJECTED))
    record("satellite /test", "vectors (invalid)", len(tests) - len(TEST_REJECTED))


@pytest.mark.slow
def test_every_hand_written_case_over_mqtt_to_a_running_satellite(
    mosquitto: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """The daemon takes them all over a real broker, answers acks, and keeps its good room."""
    watcher = Watcher(mosquitto).start()
    try:
        good = encode(room(DEVICE, "Good room"))
        watcher.publish(f"{PREFIX}{DEVICE}/data", good, retain=True)
        process = satellite_process(satellite_config(mosquitto.port, tmp_path, DEVICE))
        watcher.wait(f"{PREFIX}{DEVICE}/status", status("online", content_hash=content_hash(good)))
        junk = {"data": DATA_REJECTED, "cmd": CMD_REJECTED, "test": TEST_REJECTED}
        for leaf, cases in junk.items():
            for raw in cases.values():
                watcher.publish(f"{PREFIX}{DEVICE}/{leaf}", raw)
        mark = watcher.mark()
        watcher.publish(f"{PREFIX}{DEVICE}/test", {"id": "alive", "text": "still here"})
        watcher.wait(f"{PREFIX}{DEVICE}/ack", lambda m: m.json()["id"] == "alive", after=mark)
        acks = {m.json()["id"]: m.json() for m in watcher.on(f"{PREFIX}{DEVICE}/ack")}
        assert acks["t-1"] == {"id": "t-1", "ok": False, "error": "text must be a string"}
        assert acks["t-5"]["ok"] is False
        last = [m.json() for m in watcher.on(f"{PREFIX}{DEVICE}/status")][-1]
        assert last["content_hash"] == content_hash(good)
        assert last["state"] == "online"
        log = process.log()
        assert "Traceback" not in log and "Unexpected error" not in log
        assert log.count("Rejected /data (") == len(DATA_REJECTED)
        assert process.alive()
        stored = json.loads((tmp_path / "state" / "last_data.json").read_bytes())
        assert stored["room"] == "Good room"
    finally:
        watcher.stop()


def test_a_stored_payload_that_cannot_be_drawn_does_not_stop_the_boot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored payload this version cannot draw gives the waiting screen, not a crash loop."""
    _display_before, send = _display(tmp_path)
    send("data", encode(room(DEVICE, "Stored")))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("raqm_layout() failed")

    monkeypatch.setattr("epaper_satellite.sign.render_room", broken)
    rebooted, _send = _display(tmp_path)
    assert "Cannot draw the stored payload" in caplog.text
    assert rebooted.sign.data is None
    assert rebooted.driver.shown is not None  # the waiting screen
