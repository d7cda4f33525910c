"""The header bar of the room screen: the room's name kept whole, badges, update time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .canvas import BLACK, WHITE, Color
from .layouts import Box

if TYPE_CHECKING:
    from .room_sign import Sign

# The room name never gets smaller than this share of its full size (nor 10 px).
NAME_FLOOR = 0.5


def _name_parts(sign: Sign) -> tuple[list[tuple[str, Color]], str | None]:
    view, words, times = sign.view, sign.words, sign.times
    badges: list[tuple[str, Color]] = []
    if not view.online:
        badges.append((words.gettext("OFFLINE"), WHITE))
    stamp = None
    if view.updated is not None and view.stale_since is None:  # stale: the state says when
        stamp = times.time(view.updated)
        if not sign.layout.compact:
            stamp = words.gettext("Updated {time}", time=stamp)
    return badges, stamp


def fit_room_name(sign: Sign, with_stamp: bool) -> tuple[int, list[str], int]:
    """Size and lines of the room name in the header, and the x where the name ends.

    The whole name: one line down to the size floor, then two lines, then an ellipsis.
    """
    canvas, layout = sign.canvas, sign.layout
    x0, y0, x1, y1 = layout.header
    pad, small = layout.pad, layout.small_size
    badges, stamp = _name_parts(sign)
    right = x1 - pad - sum(canvas.fonts.width(w, small, True) + 3 * pad for w, _ in badges)
    if stamp is not None and with_stamp:
        right -= canvas.fonts.width(stamp, small) + pad
    box: Box = (x0 + pad, y0 + pad // 2, right - pad, y1 - pad // 2)
    floor = max(10, round(layout.room_size * NAME_FLOOR))
    lines = 1 if with_stamp else 2
    size, text = canvas.whole(sign.view.room, box, layout.room_size, floor, max_lines=lines)
    return size, text, right


def is_whole(name: tuple[int, list[str], int], room: str) -> bool:
    """True when the fitted ``name`` shows all of ``room`` (no ellipsis)."""
    return "".join("".join(name[1]).split()) == "".join(room.split())


def draw_header(sign: Sign, name: tuple[int, list[str], int], with_stamp: bool) -> None:
    """Draw the header bar: the room name (as fitted), the badges and the update time."""
    canvas, layout = sign.canvas, sign.layout
    x0, y0, x1, y1 = layout.header
    canvas.rect((x0, y0, x1, y1), fill=BLACK)
    pad, small = layout.pad, layout.small_size
    right = x1 - pad
    badges, stamp = _name_parts(sign)
    line_h = canvas.fonts.line_height(small, True)
    for word, background in badges:
        width = canvas.fonts.width(word, small, True) + 2 * pad
        top = y0 + (y1 - y0 - line_h) // 2
        canvas.rect((right - width, top - 1, right, top + line_h + 1), fill=background)
        canvas.text(
            (right - width + pad, top),
            word,
            small,
            max_width=width,
            fill=canvas.on(background),
            bold=True,
        )
        right -= width + pad
    if stamp is not None and with_stamp:
        width = canvas.fonts.width(stamp, small)
        top = y0 + (y1 - y0 - canvas.fonts.line_height(small)) // 2
        canvas.text((right - width, top), stamp, small, max_width=width, fill=WHITE)
    size, lines, name_right = name
    height = canvas.fonts.line_height(size, True)
    top = y0 + (y1 - y0 - height * len(lines)) // 2
    for line in lines:
        canvas.text(
            (x0 + pad, top), line, size, max_width=name_right - x0 - 2 * pad, fill=WHITE, bold=True
        )
        top += height
