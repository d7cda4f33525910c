"""A clock behind the hub's generated_at: the decision, the sign, the status and check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from epaper_satellite import doctor
from epaper_satellite.clock_trust import CLOCK_TOLERANCE, clock_lag, describe_lag
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.render import render_room, room_view
from epaper_satellite.schedule import zone
from epaper_satellite.wire import parse_data

from tests.satellite.conftest import FakeClock, FakeMonotonic, make_config, room_payload
from tests.satellite.test_controller import _message

GENERATED = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
STATE_WORDS = ("Free", "Busy", "Starting soon")


@pytest.mark.parametrize(
    ("now", "elapsed", "lag"),
    [
        (GENERATED, 0.0, None),
        (GENERATED - CLOCK_TOLERANCE, 0.0, None),  # exactly the tolerance: trusted
        (GENERATED - CLOCK_TOLERANCE - SECOND, 0.0, CLOCK_TOLERANCE + SECOND),
        (GENERATED + dt.timedelta(days=3), 0.0, None),  # ahead: cannot be told (retained)
        (GENERATED - dt.timedelta(days=2), 0.0, dt.timedelta(days=2)),
        # the payload arrived an hour ago by the monotonic clock: the hub's time is 10:00
        (GENERATED + dt.timedelta(minutes=50), 3600.0, dt.timedelta(minutes=10)),
        (GENERATED, -50.0, None),  # a monotonic reading before the arrival counts as 0
    ],
)
def test_clock_lag(now: dt.datetime, elapsed: float, lag: dt.timedelta | None) -> None:
    assert clock_lag(now, GENERATED, elapsed) == lag


def test_no_generated_at_cannot_tell() -> None:
    assert clock_lag(GENERATED - dt.timedelta(days=9), None, 0.0) is None


def test_describe_lag() -> None:
    assert describe_lag(dt.timedelta(days=2, hours=3, minutes=5, seconds=59)) == "2 d 3 h 5 min"
    assert describe_lag(dt.timedelta(minutes=7)) == "7 min"
    assert describe_lag(dt.timedelta(hours=1)) == "1 h 0 min"


def _texts(rendered: object) -> list[tuple[str, tuple[int, int, int, int]]]:
    return rendered.texts  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("size", [(800, 480), (480, 800), (400, 300), (250, 122)])
def test_rendered_panel_shows_a_small_warning_and_no_state(size: tuple[int, int]) -> None:
    """No Free/Busy word; the warning is drawn in the state area in smaller type than the
    state word; the meetings (their times come from the hub) are still listed."""
    berlin = zone("Europe/Berlin")
    assert berlin is not None
    data = parse_data(json.dumps(room_payload()).encode(), None)
    normal = render_room(room_view(data, GENERATED, berlin), *size)
    warned = render_room(room_view(data, GENERATED, berlin, clock_behind=dt.timedelta(2)), *size)
    free = [box for text, box in _texts(normal) if text == "Free"]
    warning = [box for text, box in _texts(warned) if text == "Clock wrong"]
    assert len(free) == 1 and len(warning) == 1
    assert warning[0][3] - warning[0][1] < free[0][3] - free[0][1]
    drawn = [text for text, _ in _texts(warned)]
    assert not any(word in text for text in drawn for word in STATE_WORDS)
    assert "Board meeting" in drawn


def _display(tmp_path: Path, clock: FakeClock, monotonic: FakeMonotonic) -> MQTTDisplay:
    return MQTTDisplay(make_config(None, tmp_path), clock=clock, monotonic=monotonic)


def _shown(display: MQTTDisplay) -> str:
    return "\n".join(text for text, _ in display.sign.screen(display.clock()).texts)


def test_a_clock_two_days_behind_shows_no_free_and_says_so(tmp_path: Path) -> None:
    """The Pi's clock is two days behind during a meeting: the status error and the sign
    say so (no "Free"); the agenda is the hub's day; once NTP sets the clock, Busy."""
    clock, monotonic = FakeClock("2026-11-25T10:30:00Z"), FakeMonotonic()
    display = _display(tmp_path, clock, monotonic)
    display.setup_display()
    payload = room_payload(generated_at="2026-11-27T10:25:00Z")
    display.on_message(None, None, _message("data", payload))  # type: ignore[arg-type]
    error = str(display.status_payload()["error"])
    assert error.startswith("clock: 1 d 23 h 55 min behind the hub's")
    assert "2026-11-27T10:25:00Z" in error
    shown = _shown(display)
    assert "Clock wrong" in shown and "Board meeting" in shown
    assert not any(word in shown for word in STATE_WORDS)

    monotonic.now += 30
    clock.set("2026-11-27T10:25:31Z")  # NTP: the clock jumps to the right time
    display.tick()
    assert display.status_payload()["error"] is None
    assert "Busy" in _shown(display) and "Clock wrong" not in _shown(display)


def test_boot_with_a_clock_behind_the_stored_payload(tmp_path: Path) -> None:
    """At boot, before any network, the stored payload's generated_at is enough."""
    first = _display(tmp_path, FakeClock("2026-11-27T10:30:00Z"), FakeMonotonic())
    first.setup_display()
    first.on_message(None, None, _message("data", room_payload()))  # type: ignore[arg-type]
    assert first.status_payload()["error"] is None

    behind = _display(tmp_path, FakeClock("1970-01-01T00:01:00Z"), FakeMonotonic())
    behind.setup_display()
    assert str(behind.status_payload()["error"]).startswith("clock: ")
    assert "Clock wrong" in _shown(behind)


def test_check_compares_the_clock_with_the_stored_payload(tmp_path: Path) -> None:
    """``check`` fails the clock when it is behind the stored payload's generated_at."""
    state = tmp_path / "state"
    assert doctor.check_hub_clock(state)[0].level is doctor.Level.OK  # nothing stored yet
    state.mkdir()
    (state / "last_data.json").write_text(json.dumps(room_payload()))
    behind = doctor.check_hub_clock(state, now=lambda: GENERATED - dt.timedelta(days=2))
    assert [f.level for f in behind] == [doctor.Level.FAIL]
    assert behind[0].text.startswith("clock: 2 d 0 min behind the hub's")
    assert "timedatectl set-ntp true" in doctor.format_report(behind)
    right = doctor.check_hub_clock(state, now=lambda: GENERATED + dt.timedelta(minutes=1))
    assert [f.level for f in right] == [doctor.Level.OK]
