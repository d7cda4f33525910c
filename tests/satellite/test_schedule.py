"""State computation against every state vector, and the redraw boundaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from epaper_satellite.schedule import (
    Event,
    end_of_local_day,
    next_boundary,
    room_state,
    todays_agenda,
    zone,
)
from epaper_satellite.wire import parse_timestamp

from tests.fixtures.vectors import load_vectors

STATES = load_vectors("states")
BERLIN = zone("Europe/Berlin")


def _events(case: dict[str, Any]) -> list[Event]:
    return [
        Event(
            title=item["title"],
            start=parse_timestamp(item["start"], "start"),
            end=parse_timestamp(item["end"], "end"),
        )
        for item in case["events"]
    ]


def _t(text: str) -> dt.datetime:
    return parse_timestamp(text, "t")


@pytest.mark.parametrize("case", STATES["cases"], ids=[c["name"] for c in STATES["cases"]])
def test_state_vectors(case: dict[str, Any]) -> None:
    """Every state vector gives its state, until, current and next."""
    tz = zone(case["tz"])
    assert tz is not None
    result = room_state(_events(case), _t(case["now"]), tz)
    assert result.state == case["state"]
    expected = None if case["until"] is None else _t(case["until"])
    assert result.until == expected
    assert (result.current.title if result.current else None) == case["current"]
    assert (result.next.title if result.next else None) == case["next"]


def test_soon_minutes_match_vectors() -> None:
    """The 15-minute 'starting soon' window is the contract's."""
    from epaper_satellite.schedule import SOON

    assert dt.timedelta(minutes=STATES["soon_minutes"]) == SOON


def test_busy_reports_current_and_next_meeting() -> None:
    """Busy carries the meeting in progress and the one after the run."""
    events = [
        Event(title="A", start=_t("2026-11-27T10:00:00Z"), end=_t("2026-11-27T11:00:00Z")),
        Event(title="B", start=_t("2026-11-27T13:00:00Z"), end=_t("2026-11-27T14:00:00Z")),
    ]
    assert BERLIN is not None
    state = room_state(events, _t("2026-11-27T10:30:00Z"), BERLIN)
    assert state.current is not None and state.current.title == "A"
    assert state.next is not None and state.next.title == "B"


def test_boundaries_walk_through_a_day() -> None:
    """Following next_boundary visits the walk-in hint's end (30 minutes before), soon,
    start, end and local midnight in order."""
    assert BERLIN is not None
    events = [Event(title="A", start=_t("2026-11-27T10:00:00Z"), end=_t("2026-11-27T11:00:00Z"))]
    now = _t("2026-11-27T08:00:00Z")
    seen = []
    for _ in range(5):
        now = next_boundary(events, now, BERLIN)
        seen.append((now.strftime("%H:%M"), room_state(events, now, BERLIN).state))
    assert seen == [
        ("09:30", "free"),
        ("09:45", "starting_soon"),
        ("10:00", "busy"),
        ("11:00", "free"),
        ("23:00", "free"),
    ]


def test_extra_boundaries_count() -> None:
    """valid_until and message ends are boundaries too; the past ones are not."""
    assert BERLIN is not None
    now = _t("2026-11-27T08:00:00Z")
    extra = (_t("2026-11-27T07:00:00Z"), _t("2026-11-27T08:30:00Z"), None)
    assert next_boundary([], now, BERLIN, extra) == _t("2026-11-27T08:30:00Z")


def test_agenda_is_todays_remaining_events() -> None:
    """The agenda keeps events not over yet that start before local midnight."""
    assert BERLIN is not None
    events = [
        Event(title="past", start=_t("2026-11-27T07:00:00Z"), end=_t("2026-11-27T08:00:00Z")),
        Event(title="now", start=_t("2026-11-27T09:00:00Z"), end=_t("2026-11-27T10:00:00Z")),
        Event(title="late", start=_t("2026-11-27T22:30:00Z"), end=_t("2026-11-27T23:30:00Z")),
        Event(title="tomorrow", start=_t("2026-11-27T23:30:00Z"), end=_t("2026-11-28T00:30:00Z")),
    ]
    agenda = todays_agenda(events, _t("2026-11-27T09:30:00Z"), BERLIN)
    assert [event.title for event in agenda] == ["now", "late"]
    assert end_of_local_day(_t("2026-11-27T09:30:00Z"), BERLIN) == _t("2026-11-27T23:00:00Z")


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "/etc/localtime"])
def test_unknown_zones(name: str) -> None:
    """Unknown or path-like zone names are refused."""
    assert zone(name) is None
