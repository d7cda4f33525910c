"""The running satellite: its locale (payload, config, fallback) and the shaping warning."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from epaper_satellite import sign as sign_module
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.fonts import FontSet
from epaper_satellite.keys import KeyBinding
from epaper_satellite.wire import Ack
from PIL import ImageFont

from tests.satellite.conftest import FakeClock, FakeMonotonic, make_config, room_payload
from tests.satellite.test_controller import _message, _state_texts


def _display(tmp_path: Path, **device: object) -> MQTTDisplay:
    config = make_config(None, tmp_path, device=device)
    clock = FakeClock("2026-11-27T09:00:00Z")  # 10:00 in Berlin, before the 11:00 meeting
    display = MQTTDisplay(config, clock=clock, monotonic=FakeMonotonic())
    display.setup_display()
    return display


def test_configured_locale_when_the_payload_has_none(tmp_path: Path) -> None:
    """[device] locale speaks when /data has no locale; the payload's locale wins."""
    display = _display(tmp_path, locale="de-DE")
    payload = room_payload()
    del payload["locale"]
    display.on_message(None, None, _message("data", payload))  # type: ignore[arg-type]
    assert "Frei" in _state_texts(display).splitlines()
    assert display.status_payload()["locale"] == "de-DE"
    display.on_message(None, None, _message("data", room_payload(locale="fr")))  # type: ignore[arg-type]
    assert "Libre" in _state_texts(display).splitlines()
    assert display.status_payload()["locale"] == "fr"


@pytest.mark.parametrize(
    ("tz", "tag", "until"),
    [
        ("Europe/Berlin", "en-DE", "until 11:00"),
        ("Europe/Paris", "en-FR", "until 11:00"),
        ("Europe/Dublin", "en-IE", "until 10:00"),
        ("America/New_York", "en-US", "until 5:00 AM"),
        ("Asia/Shanghai", "en-150", "until 18:00"),  # CLDR has no en-CN; China uses 24 h
        ("UTC", "en-150", "until 10:00"),
    ],
)
def test_default_english_takes_the_clock_of_the_rooms_country(
    tmp_path: Path, tz: str, tag: str, until: str
) -> None:
    """Neither payload nor config names a locale: English words, and the hour cycle of
    the room zone's country (a European room never gets an AM/PM clock)."""
    display = _display(tmp_path)
    payload = room_payload(tz=tz)
    del payload["locale"]
    display.on_message(None, None, _message("data", payload))  # type: ignore[arg-type]
    texts = _state_texts(display).replace("\u202f", " ")
    assert until in texts.splitlines()
    assert display.status_payload()["locale"] == tag


def test_a_language_without_region_takes_the_rooms_country(tmp_path: Path) -> None:
    """``de`` in Vienna is de-AT, ``en-US`` stays en-US wherever the room is."""
    display = _display(tmp_path)
    display.on_message(None, None, _message("data", room_payload(locale="de", tz="Europe/Vienna")))  # type: ignore[arg-type]
    assert display.status_payload()["locale"] == "de-AT"
    display.on_message(None, None, _message("data", room_payload(locale="en-US")))  # type: ignore[arg-type]
    assert "until 11:00 AM" in _state_texts(display).replace("\u202f", " ").splitlines()


def test_unusable_payload_locale_falls_back_with_a_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A locale the satellite cannot use is no reason to refuse the schedule."""
    display = _display(tmp_path, locale="it")
    with caplog.at_level(logging.WARNING):
        display.on_message(None, None, _message("data", room_payload(locale="tlh-Qaak!")))  # type: ignore[arg-type]
        assert "Libero" in _state_texts(display).splitlines()
    assert display.sign.error is None
    assert display.status_payload()["locale"] == "it"
    assert "'tlh-Qaak!' is not a known BCP 47 locale" in caplog.text


def test_service_screens_speak_the_locale(tmp_path: Path) -> None:
    """Identify and test screens use the sign's language."""
    display = _display(tmp_path)
    display.on_message(None, None, _message("data", room_payload(locale="de-DE")))  # type: ignore[arg-type]
    display.on_message(None, None, _message("cmd", {"cmd": "identify"}))  # type: ignore[arg-type]
    texts = _state_texts(display).splitlines()
    assert "Identifizieren" in texts
    assert "Dies ist Anzeige reception." in texts
    display.on_message(None, None, _message("test", {"id": "t1"}))  # type: ignore[arg-type]
    assert "Testnachricht empfangen." in _state_texts(display).splitlines()


@pytest.mark.parametrize("layout", [ImageFont.Layout.RAQM, ImageFont.Layout.BASIC])
def test_missing_shaping_is_in_the_log_and_status(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    layout: ImageFont.Layout,
) -> None:
    """Without raqm the satellite says so once at start, in the log and in its status."""
    monkeypatch.setattr(sign_module, "default_fonts", lambda: FontSet(layout=layout))
    with caplog.at_level(logging.WARNING):
        display = _display(tmp_path)
        display.on_message(None, None, _message("data", room_payload(locale="ar")))  # type: ignore[arg-type]
        display.on_message(None, None, _message("data", room_payload(locale="he")))  # type: ignore[arg-type]
    status = display.status_payload()
    warnings = [r for r in caplog.records if "Right-to-left text" in r.getMessage()]
    if layout == ImageFont.Layout.BASIC:
        assert status["shaping"] is False
        assert "libfribidi0" in str(status["error"])
        assert len(warnings) == 1
    else:
        assert status["shaping"] is True
        assert status["error"] is None
        assert warnings == []


def test_door_actions_speak_the_locale(tmp_path: Path) -> None:
    """A key press and its answer are shown in the sign's language."""
    display = _display(tmp_path)
    display.on_message(None, None, _message("data", room_payload(locale="de-DE")))  # type: ignore[arg-type]
    request = display.actions.press(KeyBinding(pin=5, action="book_now", minutes=30))
    assert display.sign.overlay is not None
    assert (display.sign.overlay.title, display.sign.overlay.text) == (
        "30 Min. buchen",
        "Frage Odoo …",
    )
    display.actions.answer(Ack(id=request.id, ok=False, error="room_busy"))
    assert display.sign.overlay.text == "Der Raum ist gerade belegt."
    assert display.sign.overlay.title == "Nicht gebucht"
