"""The legend of the door keys: each key's action, in a cell above the key.

The keys are drawn left to right in the order of their BCM pins (as the config sorts
them; the Waveshare 2.7" HAT's keys 5, 6, 13, 19 from left to right). A key whose
action cannot apply now (End meeting while the room is free) keeps its cell, empty,
so every label stays above its key; while the state is unknown (stale data, clock
wrong) every action is named.
"""

from __future__ import annotations

from .canvas import BLACK, Canvas
from .door_actions import title_of
from .i18n import Words
from .keys import KeyBinding
from .layouts import Box
from .room_view import RoomView
from .wire import ActionRequest


def applies(action: str, view: RoomView) -> bool:
    """Whether ``action`` can apply at the moment ``view`` shows."""
    if view.stale_since is not None or view.clock_behind is not None:
        return True
    busy = view.state.state == "busy"
    if action == "book_now":
        return not busy
    if action in ("extend", "end_now"):
        return busy
    return busy or view.state.state == "starting_soon"  # check_in


def draw_legend(canvas: Canvas, box: Box, view: RoomView, words: Words, size: int) -> None:
    """Draw one cell per key in ``box``, each with its action's words."""
    keys: tuple[KeyBinding, ...] = view.keys
    if not keys:
        return
    x0, y0, x1, y1 = box
    canvas.rect((x0, y0, x1, y0 + 1), fill=BLACK)
    width = (x1 - x0) / len(keys)
    for index, key in enumerate(keys):
        left, right = round(x0 + index * width), round(x0 + (index + 1) * width)
        if index:
            canvas.vline(left, y0, y1)
        if not applies(key.action, view):
            continue
        request = ActionRequest(id="legend", action=key.action, minutes=key.minutes)
        text = title_of(request, words)
        shown = canvas.largest(text, (left + 2, y0 + 2, right - 2, y1), size, bold=True)
        top = y0 + (y1 - y0 - canvas.fonts.line_height(shown, True)) // 2 + 1
        line_w = min(canvas.fonts.width(text, shown, True), right - left - 4)
        canvas.text((left + (right - left - line_w) // 2, top), text, shown,
                    max_width=right - left - 4, bold=True, role="legend")  # fmt: skip
