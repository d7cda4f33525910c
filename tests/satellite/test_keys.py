"""Keys at the door: configuration, gpiozero mock pins, /action vectors, and a press
end to end over a real Mosquitto (confirmation, /action, the answer on /ack)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from epaper_satellite.config import ConfigError, load_config
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.door_actions import NO_ANSWER, REASONS
from epaper_satellite.keys import GpioKeys, KeyBinding, parse_binding
from epaper_satellite.wire import ActionRequest, PayloadError, action_payload, parse_action

from testbed.broker import Broker
from tests.fixtures.vectors import load_vectors, raw_payload
from tests.satellite.conftest import (
    Recorder,
    ThreadedSatellite,
    config_text,
    room_payload,
    status_is,
    wait_until,
)

ACTIONS = load_vectors("actions")
Start = Callable[[MQTTDisplay], ThreadedSatellite]


@pytest.fixture
def mock_pins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """gpiozero's mock pin factory for every Device created in the test."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    yield factory
    factory.reset()


def keys_config(broker: Broker | None, directory: Path, keys: str, **sections: Any) -> Path:
    """Write a png satellite's config with a ``[keys]`` table given as TOML text."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.toml"
    path.write_text(config_text(broker, directory, **sections) + "[keys]\n" + keys, "utf-8")
    return path


# -- configuration ---------------------------------------------------------------


def test_default_keys_are_the_waveshare_hat_and_off(tmp_path: Path) -> None:
    """Without [keys] no driver runs; the map is the 2.7" HAT's BCM 5, 6, 13, 19."""
    config = load_config(keys_config(None, tmp_path, ""), environ={})
    assert config.keys.driver == "none"
    assert [(b.pin, b.action, b.minutes) for b in config.keys.bindings] == [
        (5, "book_now", 15),
        (6, "extend", 15),
        (13, "end_now", None),
        (19, "check_in", None),
    ]


def test_any_pins_and_actions_by_configuration(tmp_path: Path) -> None:
    """A map names any BCM pin; timeout and driver are read; no unknown-key warning."""
    text = 'driver = "gpio"\nanswer_timeout = 4\nmap = { 17 = "book_now 30", 27 = "extend" }\n'
    config = load_config(keys_config(None, tmp_path, text), environ={})
    assert config.keys.bindings == (
        KeyBinding(pin=17, action="book_now", minutes=30),
        KeyBinding(pin=27, action="extend", minutes=None),
    )
    assert (config.keys.driver, config.keys.answer_timeout) == ("gpio", 4.0)
    assert not [w for w in config.warnings if "[keys]" in w]


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ('map = { 5 = "dance" }', "not '<action> [minutes]'"),
        ('map = { 5 = "book_now" }', "book_now needs minutes"),
        ('map = { 5 = "check_in 5" }', "takes no minutes"),
        ('map = { 40 = "end_now" }', "BCM pin"),
        ('map = { 5 = "book_now 0" }', "1 to 1440"),
        ('driver = "serial"', "driver"),
    ],
)
def test_bad_key_configuration_is_refused(tmp_path: Path, line: str, needle: str) -> None:
    """Each mistake names the key and the reason."""
    with pytest.raises(ConfigError, match=r"\[keys\]") as err:
        load_config(keys_config(None, tmp_path, line + "\n"), environ={})
    assert needle in str(err.value)


# -- the wire contract -----------------------------------------------------------


@pytest.mark.parametrize("case", ACTIONS["cases"], ids=lambda c: c["name"])
def test_action_vectors(case: dict[str, Any]) -> None:
    """Each /action vector is accepted or refused with its reason (and ack id)."""
    raw = raw_payload(case)
    if case["valid"]:
        request = parse_action(raw)
        assert (request.action, request.minutes) == (case["action"], case["minutes"])
        assert parse_action(action_payload(request)) == request
    else:
        with pytest.raises(PayloadError) as err:
            parse_action(raw)
        assert err.value.reason == case["reason"]
        assert err.value.ack_id == case.get("ack_id")


def test_every_answer_code_has_words() -> None:
    """Each error code an /ack may carry (the vectors' ``answers``) is said in words.

    A code without words reaches the door as the bare code (``throttled``), which a
    person at the door cannot read; an unknown code still is shown as it is.
    """
    codes = {code for side in ("hub", "addon") for code in ACTIONS["answers"][side]}
    assert codes - set(REASONS) == set()


def test_every_key_binding_sends_a_valid_action() -> None:
    """What any valid key binding publishes passes the contract."""
    for text in ("book_now 15", "book_now 30", "extend", "extend 15", "end_now", "check_in"):
        binding = parse_binding(5, text)
        request = ActionRequest(id="k-1", action=binding.action, minutes=binding.minutes)
        assert parse_action(action_payload(request)) == request


# -- gpiozero mock pins ------------------------------------------------------------


def test_a_pressed_key_reports_its_binding_once(mock_pins: Any) -> None:
    """Pulling BCM 13 low (pressed, pull-up) reports end_now once; release reports nothing."""
    pressed: list[KeyBinding] = []
    bindings = tuple(parse_binding(p, t) for p, t in ((5, "book_now 15"), (13, "end_now")))
    keys = GpioKeys(bindings, pressed.append)
    keys.start()
    try:
        pin = mock_pins.pin(13)
        pin.drive_low()
        wait_until(lambda: pressed, what="the press")
        pin.drive_high()
        assert pressed == [bindings[1]]
    finally:
        keys.close()


# -- end to end over a real broker ---------------------------------------------------


@pytest.fixture
def door(
    mosquitto: Broker,
    recorder: Recorder,
    run_satellite: Start,
    tmp_path: Path,
    mock_pins: Any,
) -> MQTTDisplay:
    """A running png satellite with the HAT's keys on mock pins and a room drawn."""
    path = keys_config(mosquitto, tmp_path, 'driver = "gpio"\nanswer_timeout = 1.5\n')
    display = MQTTDisplay(load_config(path, environ={}))
    run_satellite(display)
    raw = json.dumps(room_payload()).encode()
    recorder.publish("data", raw, retain=True)
    wait_until(lambda: display.sign.content_hash, what="the room drawn")
    return display


def press(mock_pins: Any, pin: int) -> None:
    """Press and release a key."""
    mock_pins.pin(pin).drive_low()
    mock_pins.pin(pin).drive_high()


def test_press_confirms_publishes_and_shows_the_answer(
    door: MQTTDisplay, recorder: Recorder, mock_pins: Any
) -> None:
    """Key 1: confirmation at once, /action (QoS 1, not retained), the room after ok."""
    mark = recorder.mark()
    press(mock_pins, 5)
    sent = recorder.wait("action", after=mark)
    request = parse_action(sent.payload)
    assert (request.action, request.minutes, sent.retain) == ("book_now", 15, False)
    wait_until(lambda: door.sign.overlay and door.sign.overlay.title == "Book 15 min")
    recorder.publish("ack", json.dumps({"id": request.id, "ok": True, "error": None}))
    wait_until(lambda: door.sign.overlay is None, what="the room again")


def test_a_refusal_is_shown_in_words(door: MQTTDisplay, recorder: Recorder, mock_pins: Any) -> None:
    """Key 3 (end_now) refused with room_free: the outcome is the headline ("Not ended",
    not the key's "End meeting"), the reason below it."""
    mark = recorder.mark()
    press(mock_pins, 13)
    request = parse_action(recorder.wait("action", after=mark).payload)
    assert (request.action, request.minutes) == ("end_now", None)
    recorder.publish("ack", json.dumps({"id": request.id, "ok": False, "error": "room_free"}))
    wait_until(lambda: door.sign.overlay and door.sign.overlay.text == REASONS["room_free"])
    assert door.sign.overlay is not None and door.sign.overlay.title == "Not ended"


def test_no_answer_is_said_and_a_late_answer_still_counts(
    door: MQTTDisplay, recorder: Recorder, mock_pins: Any
) -> None:
    """Nobody answers check_in within 1.5 s: "No answer"; the late ok then clears it."""
    mark = recorder.mark()
    press(mock_pins, 19)
    request = parse_action(recorder.wait("action", after=mark).payload)
    wait_until(lambda: door.sign.overlay and door.sign.overlay.text == NO_ANSWER, timeout=5)
    assert door.sign.overlay is not None and door.sign.overlay.title == "No answer"
    recorder.publish("ack", json.dumps({"id": request.id, "ok": True, "error": None}))
    wait_until(lambda: door.sign.overlay is None, what="the room again")


def test_http_stand_in_presses_keys(
    mosquitto: Broker, recorder: Recorder, run_satellite: Start, tmp_path: Path
) -> None:
    """driver = "http": POST /keys/6 on loopback is key 2 (extend 15)."""
    path = keys_config(mosquitto, tmp_path, 'driver = "http"\nhttp_port = 0\n')
    display = MQTTDisplay(load_config(path, environ={}))
    run_satellite(display)
    recorder.wait("status", status_is("online"))
    assert display.keys is not None
    port = wait_until(lambda: getattr(display.keys, "port", 0), what="the key server")
    mark = recorder.mark()
    url = f"http://127.0.0.1:{port}/keys/6"
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5) as answer:
        assert answer.status == 202
    request = parse_action(recorder.wait("action", after=mark).payload)
    assert (request.action, request.minutes) == ("extend", 15)


def test_requests_made_offline_leave_when_the_broker_is_back() -> None:
    """Nothing lost: a press while not connected is sent by flush(), once."""
    from epaper_satellite.door_actions import DoorActions

    connected, sent, shown = [False], [], []

    def publish(request: ActionRequest) -> bool:
        if connected[0]:
            sent.append(request)
        return connected[0]

    actions = DoorActions(
        publish=publish,
        show=lambda title, text, _seconds: shown.append((title, text)),
        clear=lambda: None,
        answer_timeout=10,
        monotonic=lambda: 0.0,
    )
    request = actions.press(parse_binding(5, "book_now 30"))
    assert sent == [] and shown[0][0] == "Book 30 min"
    connected[0] = True
    actions.flush()
    actions.flush()
    assert sent == [request]
