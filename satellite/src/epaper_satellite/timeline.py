"""The day at a glance: a bar from morning to evening, booked hours filled, now marked.

Drawn where the meetings leave room (large panels), like the daily occupancy bars of
commercial room signs (docs/sign-design.md). The bar spans 08:00 to 18:00 local, wider
when bookings start earlier or end later; hour labels follow the locale's hour cycle,
each centred on its hour, every hour or every 2nd, 3rd ... hour as they fit (evenly).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable

from babel.dates import format_skeleton

from .canvas import BLACK, WHITE, Canvas
from .layouts import Box
from .room_view import RoomView

DAY_START, DAY_END = 8, 18  # hours shown at least


def hours(view: RoomView) -> tuple[int, int]:
    """First and last local hour the bar shows (0-24) for today's bookings."""
    first, last = DAY_START, DAY_END
    today = view.now.astimezone(view.tz).date()
    for event in view.agenda:
        start, end = event.start.astimezone(view.tz), event.end.astimezone(view.tz)
        if event.all_day:
            continue
        if start.date() == today:
            first = min(first, start.hour)
        if end.date() == today:
            last = max(last, math.ceil(end.hour + end.minute / 60))
        elif end.date() > today:
            last = 24
    return first, min(24, last)


def needed_height(canvas: Canvas, size: int) -> int:
    """Pixels the timeline needs: the bar and a row of hour labels."""
    return canvas.fonts.line_height(size) * 2 + 6


def draw_timeline(canvas: Canvas, box: Box, view: RoomView, size: int) -> None:
    """Draw the day's bar in ``box`` with labels of ``size`` px under it."""
    x0, y0, x1, y1 = box
    label_h = canvas.fonts.line_height(size)
    bar_top, bar_bottom = y0 + 2, y1 - label_h - 4
    if bar_bottom - bar_top < 6 or x1 - x0 < 80:
        return
    first, last = hours(view)
    local_now = view.now.astimezone(view.tz)
    midnight = dt.datetime.combine(local_now.date(), dt.time(0), tzinfo=view.tz)
    span = (last - first) * 3600
    labels = {hour: _hour(midnight, hour, view) for hour in range(first, last)}
    # The bar is inset by half a label so the first and last labels centre on their ticks.
    inset = min(max(canvas.fonts.width(text, size) for text in labels.values()) // 2,
                (x1 - x0) // 8)  # fmt: skip
    label_span = (x0, x1)
    x0, x1 = x0 + inset, x1 - inset

    def x_at(moment: dt.datetime) -> int:
        seconds = (moment.astimezone(view.tz) - midnight).total_seconds() - first * 3600
        return x0 + round((x1 - x0) * min(max(seconds / span, 0.0), 1.0))

    for event in view.agenda:
        left, right = x_at(event.start), x_at(event.end)
        if right > left:
            canvas.rect((left, bar_top, right, bar_bottom), fill=canvas.accent)
    canvas.rect((x0, bar_top, x1, bar_bottom), outline=BLACK, width=1)
    for hour in range(first, last + 1):
        x = x_at(midnight + dt.timedelta(hours=hour))
        canvas.rect((x, bar_bottom, x + 1, bar_bottom + 3), fill=BLACK)
    gap = canvas.fonts.width("  ", size)
    ticks = {hour: x_at(midnight + dt.timedelta(hours=hour)) for hour in labels}
    width_of = functools.partial(canvas.fonts.width, size=size)
    placed = label_places(ticks, labels, label_span, width_of, gap)
    for hour, left in placed.items():
        text = labels[hour]
        canvas.text((left, bar_bottom + 3), text, size, max_width=width_of(text) + 1, role="hour")
    if midnight + dt.timedelta(hours=first) <= local_now <= midnight + dt.timedelta(hours=last):
        x = x_at(local_now)  # black, edged in white: seen on a booked (black) block too
        canvas.rect((x - 3, y0 - 2, x + 4, bar_bottom + 2), fill=WHITE)
        canvas.rect((x - 1, y0 - 2, x + 2, bar_bottom + 2), fill=BLACK)


def label_places(
    ticks: dict[int, int],
    labels: dict[int, str],
    span: tuple[int, int],
    width_of: Callable[[str], int],
    gap: int,
) -> dict[int, int]:
    """Where the hour labels go: ``{hour: left x}`` for every ``step``-th hour (1, 2, 3,
    4, 6 or 12; the hours divisible by it), the smallest step at which each label,
    centred on its tick at ``ticks[hour]`` and kept inside ``span`` (x0, x1), stays
    ``gap`` px clear of the next one: labels evenly spaced, none left out in between.
    Empty when not even one label fits."""
    x0, x1 = span
    for step in (1, 2, 3, 4, 6, 12):
        places: dict[int, int] = {}
        free_from = x0
        for hour in sorted(ticks):
            if hour % step:
                continue
            width = width_of(labels[hour])
            left = min(max(x0, ticks[hour] - width // 2), x1 - width)
            if left < free_from:
                break
            places[hour] = left
            free_from = left + width + gap
        else:
            if places:
                return places
    return {}


def _hour(midnight: dt.datetime, hour: int, view: RoomView) -> str:
    """The hour as the locale writes it alone: ``8 AM`` (12 h) or ``08`` (24 h)."""
    moment = (midnight + dt.timedelta(hours=hour % 24)).replace(tzinfo=None)
    locale = view.locale.locale
    twelve = "h" in locale.time_formats["short"].pattern.replace("'", "")
    return str(format_skeleton("h" if twelve else "H", moment, locale=locale))
