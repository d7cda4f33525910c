"""The day's bar: bookings and now where the clock puts them, hour labels evenly spaced."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from epaper_satellite.canvas import ACCENTS, BLACK, WHITE, Canvas
from epaper_satellite.room_view import RoomView, room_view
from epaper_satellite.schedule import zone
from epaper_satellite.timeline import draw_timeline, label_places
from epaper_satellite.wire import parse_data
from hypothesis import given
from hypothesis import strategies as st

from tests.satellite.conftest import room_payload

BERLIN = zone("Europe/Berlin")
NOW = dt.datetime(2026, 11, 27, 9, 20, tzinfo=dt.UTC)  # 10:20 in Berlin
EVENTS = [  # 11:00-12:00 and 13:30-14:00 in Berlin
    {"title": "Planning", "start": "2026-11-27T10:00:00Z", "end": "2026-11-27T11:00:00Z"},
    {"title": "Review", "start": "2026-11-27T12:30:00Z", "end": "2026-11-27T13:00:00Z"},
]
TOP = 10  # the box's top: the now marker reaches 2 px above the bar
SIZE = 16


def _draw(locale: str, width: int, now: dt.datetime = NOW) -> tuple[Canvas, RoomView]:
    assert BERLIN is not None
    data = parse_data(json.dumps(room_payload(locale=locale, events=EVENTS)).encode(), None)
    view = room_view(data, now, BERLIN)
    mirror = locale.startswith("ar")
    canvas = Canvas(width + 40, 80, "bwr", None, mirror=mirror)
    draw_timeline(canvas, (20, TOP, width + 20, 70), view, SIZE)
    return canvas, view


def _bar(canvas: Canvas) -> tuple[int, int, int]:
    """The bar's outline found in the image: (left x, right x, a row inside it)."""
    top = TOP + 2
    black = [x for x in range(canvas.image.width) if canvas.image.getpixel((x, top)) == BLACK]
    return black[0], black[-1], top + 4


def _x(bar: tuple[int, int, int], hour: float) -> float:
    """Where ``hour`` (local, 08:00 to 18:00 on the bar) falls on ``bar``."""
    left, right, _row = bar
    return left + (right - left) * (hour - 8) / 10


def _labels(canvas: Canvas) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [(line.text, line.box) for line in canvas.drawn if line.role == "hour"]


def _assert_even(labels: list[tuple[str, tuple[int, int, int, int]]], hours: list[int]) -> None:
    """Labels for ``hours`` (one step apart), in order, apart from each other."""
    assert len(labels) == len(hours) >= 2
    steps = {b - a for a, b in itertools.pairwise(hours)}
    assert len(steps) == 1, hours
    boxes = [box for _text, box in labels]
    for before, after in itertools.pairwise(boxes):
        assert before[2] < after[0], (before, after)


def test_every_hour_labelled_on_a_wide_bar_centred_on_its_tick() -> None:
    """A 7.5" sign's agenda column (460 px): 08 to 17, each centred on its hour."""
    canvas, _view = _draw("en-GB", 460)
    bar = _bar(canvas)
    labels = _labels(canvas)
    assert [text for text, _box in labels] == [f"{hour:02d}" for hour in range(8, 18)]
    for hour, (_text, box) in zip(range(8, 18), labels, strict=True):
        assert abs((box[0] + box[2]) / 2 - _x(bar, hour)) <= 2, hour
    _assert_even(labels, list(range(8, 18)))


def test_twelve_hour_labels_skip_evenly() -> None:
    """``10 AM`` is wider: every second hour, from 8 AM, none left out between."""
    canvas, _view = _draw("en-US", 460)
    labels = _labels(canvas)
    assert [text for text, _box in labels] == ["8 AM", "10 AM", "12 PM", "2 PM", "4 PM"]
    _assert_even(labels, [8, 10, 12, 14, 16])


def test_narrow_bar_keeps_labels_apart_and_even() -> None:
    """A narrow bar labels fewer hours, still a whole step apart and inside the bar."""
    for width in (120, 160, 200, 260):
        canvas, _view = _draw("en-GB", width)
        labels = _labels(canvas)
        hours = [int(text) for text, _box in labels]
        _assert_even(labels, hours)
        assert all(box[0] >= 20 and box[2] <= width + 20 for _text, box in labels)


def test_bookings_and_now_where_the_clock_puts_them() -> None:
    """Booked hours in the accent ink, free ones white, now a black line edged in white."""
    canvas, _view = _draw("en-GB", 460)
    bar = _bar(canvas)
    row = bar[2]

    def ink(hour: float) -> tuple[int, int, int]:
        pixel: Any = canvas.image.getpixel((round(_x(bar, hour)), row))
        return tuple(pixel)  # type: ignore[return-value]

    assert ink(11.5) == ACCENTS["bwr"]  # Planning, 11:00-12:00
    assert ink(13.75) == ACCENTS["bwr"]  # Review, 13:30-14:00
    assert ink(12.5) == WHITE
    assert ink(9) == WHITE
    now = 10 + 20 / 60
    assert ink(now) == BLACK
    assert ink(now - 0.15) == WHITE and ink(now + 0.15) == WHITE


def test_no_now_line_before_the_bar_starts() -> None:
    """At 06:00 the bar (08:00 to 18:00) has no now line."""
    canvas, _view = _draw("en-GB", 460, now=dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC))
    bar = _bar(canvas)
    row = bar[2]
    inside = [canvas.image.getpixel((x, row)) for x in range(bar[0] + 2, bar[1] - 1)]
    assert BLACK not in inside


def test_right_to_left_sign_reads_the_day_from_the_right() -> None:
    """Arabic: the morning's first label is the rightmost, the labels still even."""
    canvas, _view = _draw("ar", 460)
    labels = _labels(canvas)
    lefts = [box[0] for _text, box in labels]
    assert lefts == sorted(lefts, reverse=True)
    assert len(labels) >= 5


@given(
    hours=st.integers(min_value=2, max_value=24),
    first=st.integers(min_value=0, max_value=12),
    per_hour=st.integers(min_value=1, max_value=120),
    widths=st.lists(st.integers(min_value=1, max_value=90), min_size=24, max_size=24),
    gap=st.integers(min_value=0, max_value=20),
)
def test_label_places_are_apart_inside_and_one_step_apart(
    hours: int, first: int, per_hour: int, widths: list[int], gap: int
) -> None:
    """Whatever the widths: labels inside the span, ``gap`` apart, and every hour of the
    chosen step between the first and the last placed one is placed."""
    x0 = 10
    ticks = {first + i: x0 + 20 + i * per_hour for i in range(hours)}
    x1 = x0 + 40 + hours * per_hour
    labels = {hour: "x" * widths[i] for i, hour in enumerate(ticks)}
    width_of = len
    places = label_places(ticks, labels, (x0, x1), width_of, gap)
    placed = sorted(places)
    for hour in placed:
        assert x0 <= places[hour] and places[hour] + width_of(labels[hour]) <= x1
    for before, after in itertools.pairwise(placed):
        assert places[before] + width_of(labels[before]) + gap <= places[after]
    if len(placed) >= 2:
        step = placed[1] - placed[0]
        assert placed == [h for h in sorted(ticks) if h % step == 0]
