"""The hub's reader of the addon's schedule answer on shapes found by ``scripts/fuzz``."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.odoo_epaper.schedule_answer import (
    UnsupportedAnswerError,
    parse_schedule_answer,
)

GOOD = {
    "device": "reception",
    "room": "Reception",
    "topic_prefix": None,
    "tz": "Europe/Berlin",
    "locale": "de-DE",
    "qr": None,
    "events": [
        {
            "title": "Board meeting",
            "start": "2026-11-27T10:00:00Z",
            "end": "2026-11-27T11:00:00Z",
            "organizer": None,
            "private": False,
            "all_day": False,
        }
    ],
}


@pytest.mark.parametrize("events", [7, True, 1.5, "events", {"a": 1}])
def test_a_display_whose_events_are_not_a_list(events: Any) -> None:
    """That display keeps no events (one warning); the others are read as they are."""
    warnings: list[str] = []
    answer = {"api": 1, "displays": [GOOD, dict(GOOD, device="lab", events=events)]}
    schedule = parse_schedule_answer(answer, lambda key, _message: warnings.append(key))
    assert [d.device for d in schedule.displays] == ["reception", "lab"]
    assert len(schedule.bookings["reception"]) == 1
    assert schedule.bookings["lab"] == ()
    assert warnings == ["events:lab"]


@pytest.mark.parametrize("displays", [7, True, "reception", {"device": "reception"}])
def test_displays_that_are_not_a_list_refuse_the_answer(displays: Any) -> None:
    """A malformed answer is refused as a whole (the hub keeps what it has)."""
    with pytest.raises(UnsupportedAnswerError):
        parse_schedule_answer({"api": 1, "displays": displays}, lambda _k, _m: None)


def test_a_time_zone_name_too_long_for_a_file() -> None:
    """Found by scripts/fuzz: such a name raised OSError; now the display has no zone."""
    warnings: list[str] = []
    answer = {"api": 1, "displays": [dict(GOOD, tz="x" * 5000)]}
    schedule = parse_schedule_answer(answer, lambda key, _message: warnings.append(key))
    assert schedule.displays[0].tz is None
    assert warnings == ["tz:reception"]
