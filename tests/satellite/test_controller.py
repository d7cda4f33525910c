"""MQTTDisplay without a network: boot from the store, boundaries on an injected clock."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from epaper_satellite.controller import MQTTDisplay
from PIL import Image

from tests.satellite.conftest import (
    DEVICE,
    PREFIX,
    FakeClock,
    FakeMonotonic,
    make_config,
    room_payload,
)


def _message(leaf: str, payload: object) -> mqtt.MQTTMessage:
    message = mqtt.MQTTMessage(topic=f"{PREFIX}{DEVICE}/{leaf}".encode())
    message.payload = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return message


def _display(tmp_path: Path, clock: FakeClock, **sections: dict[str, object]) -> MQTTDisplay:
    config = make_config(None, tmp_path, **sections)
    return MQTTDisplay(config, clock=clock, monotonic=FakeMonotonic())


def _panel(tmp_path: Path) -> bytes:
    with Image.open(tmp_path / "panel.png") as image:
        return image.convert("1").tobytes()


def _state_texts(display: MQTTDisplay) -> str:
    return "\n".join(text for text, _ in display.sign.screen(display.clock()).texts)


def test_boot_draws_the_stored_payload_before_the_network(tmp_path: Path) -> None:
    """The last good payload in the state dir is drawn by setup_display, no broker needed."""
    clock = FakeClock("2026-11-27T10:30:00Z")
    first = _display(tmp_path, clock)
    first.setup_display()
    first.on_message(None, None, _message("data", room_payload(room="Boardroom")))  # type: ignore[arg-type]
    assert (tmp_path / "state" / "last_data.json").exists()
    shown = _panel(tmp_path)
    (tmp_path / "panel.png").unlink()

    second = _display(tmp_path, clock)
    second.setup_display()
    assert second.sign.data is not None and second.sign.data.room == "Boardroom"
    assert _panel(tmp_path) == shown
    assert "Busy" in _state_texts(second)


def test_corrupt_store_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A damaged stored payload is logged and the waiting screen drawn."""
    (tmp_path / "state").mkdir(parents=True)
    (tmp_path / "state" / "last_data.json").write_bytes(b'{"v": 1, "dev')
    display = _display(tmp_path, FakeClock("2026-11-27T10:30:00Z"))
    display.setup_display()
    assert display.sign.data is None
    assert "Ignoring the stored payload" in caplog.text
    assert "waits for its room data" in " ".join(_state_texts(display).split())


def test_bad_payload_keeps_the_panel_and_sets_the_error(tmp_path: Path) -> None:
    """Rejected data leaves the panel and the stored payload as they were."""
    display = _display(tmp_path, FakeClock("2026-11-27T10:30:00Z"))
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    shown = _panel(tmp_path)
    stored = (tmp_path / "state" / "last_data.json").read_bytes()
    good_hash = display.sign.content_hash
    display.on_message(None, None, _message("data", room_payload(v=2)))  # type: ignore[arg-type]
    assert display.sign.error is not None and display.sign.error.startswith(
        "data rejected: v is not 1"
    )
    assert _panel(tmp_path) == shown
    assert (tmp_path / "state" / "last_data.json").read_bytes() == stored
    assert display.status_payload()["content_hash"] == good_hash
    display.on_message(None, None, _message("data", room_payload(room="Again")))  # type: ignore[arg-type]
    assert display.sign.error is None


def test_state_changes_on_time_with_the_network_down(tmp_path: Path) -> None:
    """With no broker at all, the sign turns Free (walk-ins welcome) -> Free (the meeting
    close: no hint) -> Busy -> Free on time."""
    clock = FakeClock("2026-11-27T09:00:00Z")
    display = _display(tmp_path, clock, display={"offline_after": 86400})
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    assert "Free" in _state_texts(display)
    assert (
        display.sign.redraw_at is not None
        and display.sign.redraw_at.isoformat() == "2026-11-27T09:30:00+00:00"
    )
    frames = {"free": _panel(tmp_path)}
    for moment, word, key in (
        ("2026-11-27T09:29:59Z", "Walk-ins welcome", "free"),
        ("2026-11-27T09:30:00Z", "Free", "soon"),
        ("2026-11-27T10:00:00Z", "Busy", "busy"),
        ("2026-11-27T11:00:00Z", "Free", "after"),
    ):
        clock.set(moment)
        display.tick()
        assert word in _state_texts(display).split("\n")
        frames.setdefault(key, _panel(tmp_path))
    assert frames["free"] != frames["soon"] != frames["busy"] != frames["after"]
    assert display.sign.last_render is not None and display.sign.last_render.isoformat().startswith(
        "2026-11-27T11:00"
    )


def test_min_interval_defers_boundary_redraws(tmp_path: Path) -> None:
    """A boundary inside min_interval is drawn as soon as the interval allows."""
    clock = FakeClock("2026-11-27T09:29:00Z")
    display = _display(tmp_path, clock, refresh={"min_interval": 180})
    monotonic = display.monotonic
    assert isinstance(monotonic, FakeMonotonic)
    display.setup_display()
    monotonic.now += 200
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    drawn = display.sign.last_render
    clock.set("2026-11-27T09:30:00Z")  # the walk-in hint goes: 30 min before the meeting
    monotonic.now += 60
    display.tick()
    assert display.sign.last_render == drawn
    assert display.sign.retry_at == pytest.approx(monotonic.now + 120)
    monotonic.now += 120
    display.tick()
    assert display.sign.last_render == clock.now
    assert display.sign.retry_at is None


def test_offline_mark_after_offline_after(tmp_path: Path) -> None:
    """Without the broker for offline_after seconds, the panel shows OFFLINE."""
    clock = FakeClock("2026-11-27T09:00:00Z")
    display = _display(tmp_path, clock, display={"offline_after": 120})
    monotonic = display.monotonic
    assert isinstance(monotonic, FakeMonotonic)
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    assert "OFFLINE" not in _state_texts(display)
    monotonic.now += 121
    display.tick()
    assert display.sign.offline_shown
    assert "OFFLINE" in _state_texts(display)


def test_stale_mark_after_valid_until(tmp_path: Path) -> None:
    """After valid_until the panel marks itself stale, at that very boundary."""
    clock = FakeClock("2026-11-27T20:00:00Z")
    display = _display(tmp_path, clock, display={"offline_after": 86400})
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    assert display.sign.redraw_at is not None and display.sign.redraw_at.isoformat().startswith(
        "2026-11-27T21:00"
    )
    clock.set("2026-11-27T21:00:00Z")
    display.tick()
    shown = _state_texts(display).split("\n")
    assert "Not current" in shown and "Free" not in shown
    assert "Updated Fri 27 Nov, 10:00" in shown  # when, with the date


def test_test_screen_then_back(tmp_path: Path) -> None:
    """A /test shows its text for test_seconds, then the room again."""
    clock = FakeClock("2026-11-27T09:00:00Z")
    display = _display(tmp_path, clock, display={"test_seconds": 30, "offline_after": 86400})
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    room = _panel(tmp_path)
    display.on_message(None, None, _message("test", {"id": "t1", "text": "Hello from Odoo"}))  # type: ignore[arg-type]
    assert "Hello from Odoo" in _state_texts(display)
    assert _panel(tmp_path) != room
    clock.set("2026-11-27T09:00:31Z")
    display.tick()
    assert _panel(tmp_path) == room


def test_commands(tmp_path: Path) -> None:
    """clear blanks the panel, refresh brings the room back, identify names the device."""
    clock = FakeClock("2026-11-27T09:00:00Z")
    display = _display(tmp_path, clock, display={"offline_after": 86400})
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    room = _panel(tmp_path)
    display.on_message(None, None, _message("cmd", {"cmd": "clear"}))  # type: ignore[arg-type]
    assert set(_panel(tmp_path)) == {0xFF}
    assert display.sign.content_hash is None
    display.on_message(None, None, _message("cmd", {"cmd": "refresh"}))  # type: ignore[arg-type]
    assert _panel(tmp_path) == room
    before = display.sign.last_render
    clock.set("2026-11-27T09:00:05Z")
    display.on_message(None, None, _message("cmd", {"cmd": "full_refresh"}))  # type: ignore[arg-type]
    assert display.sign.last_render != before
    display.on_message(None, None, _message("cmd", {"cmd": "identify"}))  # type: ignore[arg-type]
    assert f"This is display {DEVICE}." in _state_texts(display)
    display.on_message(None, None, _message("cmd", {"cmd": "reboot"}))  # type: ignore[arg-type]
    assert f"This is display {DEVICE}." in _state_texts(display)


def test_payload_timezone_wins_over_config(tmp_path: Path) -> None:
    """The payload's tz decides local times; without it the configured zone does."""
    clock = FakeClock("2026-11-27T08:00:00Z")
    display = _display(tmp_path, clock, device={"timezone": "America/New_York"})
    display.setup_display()
    earlier = "2026-11-27T07:55:00Z"  # a payload made before the sign's now
    display.on_message(None, None, _message("data", room_payload(generated_at=earlier)))  # type: ignore[arg-type]
    assert "until 11:00" in _state_texts(display)
    payload = room_payload(generated_at=earlier)
    del payload["tz"]
    display.on_message(None, None, _message("data", payload))  # type: ignore[arg-type]
    assert "until 05:00" in _state_texts(display)


def test_status_payload_fields(tmp_path: Path) -> None:
    """The status carries every field of the contract, valid against the status vectors' rules."""
    display = _display(tmp_path, FakeClock("2026-11-27T09:00:00Z"))
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    status = display.status_payload()
    assert set(status) == {
        "state", "version", "panel", "width", "height", "colors",
        "content_hash", "last_render", "error", "rc", "assigned", "locale", "shaping",
    }  # fmt: skip
    assert status["assigned"] is True
    assert status["state"] == "online"
    assert (status["panel"], status["width"], status["height"], status["colors"]) == (
        "png",
        400,
        300,
        "bw",
    )
    assert status["last_render"] == "2026-11-27T09:00:00Z"
    assert isinstance(status["content_hash"], str) and len(status["content_hash"]) == 16


def test_periodic_full_refresh_without_changes(tmp_path: Path) -> None:
    """Even with nothing new to show, the panel gets a full refresh after full_max_age."""
    clock = FakeClock("2026-11-27T09:00:00Z")
    display = _display(
        tmp_path, clock, display={"offline_after": 86400}, refresh={"full_max_age": 3600}
    )
    monotonic = display.monotonic
    assert isinstance(monotonic, FakeMonotonic)
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload(events=[])))  # type: ignore[arg-type]
    first_full = display.driver.last_full
    monotonic.now += 3599
    display.tick()
    assert display.driver.last_full == first_full
    monotonic.now += 1
    display.tick()
    assert display.driver.last_full == monotonic.now


def test_status_matches_the_status_vectors(tmp_path: Path) -> None:
    """Our status has the keys and value types of the contract's full online status."""
    from tests.fixtures.vectors import load_vectors

    full = next(
        c
        for c in load_vectors("status")["cases"]
        if c["name"] == "satellite status with the locale it draws in and text shaping"
    )
    display = _display(tmp_path, FakeClock("2026-11-27T09:00:00Z"))
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    display.session.rc = 0
    ours = display.status_payload()
    assert set(ours) == set(full["payload"])
    for key, value in full["payload"].items():
        assert type(ours[key]) is type(value), key
    assert display.status_payload("offline")["state"] == "offline"


def test_clock_stepping_back_redraws(tmp_path: Path) -> None:
    """When the clock jumps back (NTP after a boot with a wrong time), the screen is redone."""
    clock = FakeClock("2026-11-27T10:30:00Z")
    display = _display(tmp_path, clock, display={"offline_after": 86400})
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    display.tick()
    assert "Busy" in _state_texts(display).split("\n")
    clock.set("2026-11-27T09:00:00Z")
    display.tick()
    assert display.sign.last_render == clock.now
    assert "Free" in _state_texts(display).split("\n")


def test_reconnect_backoff_doubles_up_to_the_cap(tmp_path: Path) -> None:
    """Each failed attempt waits twice as long as the one before, up to reconnect_max."""
    display = _display(tmp_path, FakeClock("2026-11-27T09:00:00Z"), mqtt={"reconnect_max": 10})
    monotonic = display.monotonic
    assert isinstance(monotonic, FakeMonotonic)
    waits = []
    for _ in range(6):
        display.session.on_disconnect(None, None, None, "lost")  # type: ignore[arg-type]
        waits.append(display.session._next_attempt - monotonic.now)
    assert waits == [1, 2, 4, 8, 10, 10]
    display.session.on_connect(None, None, None, 5)  # type: ignore[arg-type]
    assert display.session.rc == 5
    assert not display.session.connected


def test_a_republish_with_new_timestamps_is_not_new_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Same content, later valid_until: no INFO line, no store rewrite, same hash, not stale."""
    clock = FakeClock("2026-11-27T09:00:00Z")
    display = _display(tmp_path, clock, display={"offline_after": 86400})
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    stored = (tmp_path / "state" / "last_data.json").read_bytes()
    shown_hash = display.sign.content_hash
    again = room_payload(generated_at="2026-11-27T15:00:00Z", valid_until="2026-11-28T03:00:00Z")
    with caplog.at_level(logging.DEBUG, logger="epaper_satellite"):
        display.on_message(None, None, _message("data", again))  # type: ignore[arg-type]
    assert "Same room data again" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and "Room data" in r.message]
    assert (tmp_path / "state" / "last_data.json").read_bytes() == stored
    assert display.sign.content_hash == shown_hash
    clock.set("2026-11-27T21:30:00Z")
    display.tick()
    assert "STALE" not in _state_texts(display)
    with caplog.at_level(logging.INFO, logger="epaper_satellite"):
        display.on_message(None, None, _message("data", room_payload(room="Other")))  # type: ignore[arg-type]
    assert "Room data for 'Other'" in caplog.text
    assert (tmp_path / "state" / "last_data.json").read_bytes() != stored


def test_setup_screen_and_unassigned_status_until_the_first_data(tmp_path: Path) -> None:
    """A new sign shows its name, its panel and what to do next; its status says unassigned.

    Adoption is the next step only once the broker took the sign (test_setup_screen.py).
    """
    display = _display(tmp_path, FakeClock("2026-11-27T09:00:00Z"), display={"colors": "bwr"})
    display.setup_display()
    texts = " ".join(_state_texts(display).split())
    assert "New door sign" in texts
    assert "Connecting to the broker…" in texts
    assert f"Display {DEVICE} waits for its room data." in texts
    assert "Home Assistant" not in texts
    display.session.connected = True  # as on_connect sets it
    texts = " ".join(_state_texts(display).split())
    assert "Panel: png 400x300, black/white/red." in texts
    assert "Next: adopt it in Home Assistant, or add it in Odoo." in texts
    assert "…" not in texts, _state_texts(display)
    assert display.status_payload()["assigned"] is False
    display.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    assert display.status_payload()["assigned"] is True
    assert "New door sign" not in _state_texts(display)


def test_a_qr_the_panel_cannot_hold_leaves_the_room_and_says_why(tmp_path: Path) -> None:
    """The room is taken and drawn without its QR code; the status error says why, and a
    payload without the QR code clears it."""
    display = _display(
        tmp_path, FakeClock("2026-11-27T10:30:00Z"), display={"width": 250, "height": 122}
    )
    display.setup_display()
    dense = room_payload(room="Dense", qr="https://x/" + "a" * 1014)
    display.on_message(None, None, _message("data", dense))  # type: ignore[arg-type]
    assert display.sign.data is not None and display.sign.data.room == "Dense"
    assert display.status_payload()["content_hash"] == display.sign.data.content_hash
    assert str(display.status_payload()["error"]).startswith("qr not drawn: its code is")
    display.on_message(None, None, _message("data", room_payload(room="Plain")))  # type: ignore[arg-type]
    assert display.status_payload()["error"] is None


def test_a_cleared_data_topic_unassigns_the_sign(tmp_path: Path) -> None:
    """An empty retained /data (the display was archived, deleted or renamed) makes the sign
    forget its room, in memory and on disk, and show its setup screen again: it never
    keeps drawing a room that is no longer its own, not even after a reboot."""
    clock = FakeClock("2026-11-27T10:30:00Z")
    display = _display(tmp_path, clock)
    display.setup_display()
    display.on_message(None, None, _message("data", room_payload(room="Boardroom")))  # type: ignore[arg-type]
    assert display.status_payload()["assigned"] is True
    assert (tmp_path / "state" / "last_data.json").exists()

    display.on_message(None, None, _message("data", b""))  # type: ignore[arg-type]
    assert display.sign.data is None
    assert display.status_payload()["assigned"] is False
    assert display.status_payload()["error"] is None
    assert not (tmp_path / "state" / "last_data.json").exists()
    assert "New door sign" in _state_texts(display)
    assert "Boardroom" not in _state_texts(display)

    rebooted = _display(tmp_path, clock)
    rebooted.setup_display()
    assert rebooted.sign.data is None
    assert "New door sign" in _state_texts(rebooted)
