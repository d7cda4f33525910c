"""The state block: the word read from the corridor (Free, Busy, Not current, Clock wrong)
and the line under it, sized by the legibility budget (:mod:`.legibility`).

On 4.2" and larger panels the state word and the digits of its until-time are at least
``DISTANCE_MM`` high; on smaller panels the until-time is never smaller than the current
meeting's title. The time in the until line is its own bold run.
"""

from __future__ import annotations

from dataclasses import dataclass

from .canvas import WHITE, Canvas, Color
from .i18n import N_, Words
from .layouts import Box
from .legibility import DISTANCE_MM, panel_for, px_for_mm

FREE, BUSY = N_("Free"), N_("Busy")
CLOCK_WRONG = N_("Clock wrong")
NOT_CURRENT = N_("Not current")
UNTIL = N_("until {time}")
# The state word's cap height on large panels, above the until-time's digits.
WORD_MM = 7.5
# Small panels: the until-time is this much larger than the current title.
SMALL_UNTIL = 1.3


@dataclass(frozen=True)
class StateText:
    """What the block says: ``word``, then ``before`` + ``time`` (bold) + ``after``
    (``time`` empty: the line has no time, e.g. "for the rest of the day"); ``small``:
    the word in the until line's size (a warning that must not read as a state)."""

    word: str
    before: str = ""
    time: str = ""
    after: str = ""
    small: bool = False

    @property
    def line(self) -> str:
        """The line under the word as one text."""
        return f"{self.before}{self.time}{self.after}"


def timed(words: Words, message: str, time: str, word: str) -> StateText:
    """``message`` (with ``{time}``) split around its time, e.g. "until " + "11:05"."""
    before, _, after = words.gettext(message, time="\0").partition("\0")
    return StateText(word, before, time, after)


def size_for_ink(canvas: Canvas, pixels: int, bold: bool = True) -> int:
    """The smallest font size whose digits are at least ``pixels`` high."""
    size = max(6, pixels)
    while size < 4 * pixels:
        face = canvas.fonts.faces(size, bold)[0]
        top, bottom = face.getbbox("0", anchor="ls")[1], 0
        if bottom - top >= pixels:
            return size
        size += 1
    return size


@dataclass(frozen=True)
class StateSizes:
    """Font sizes of the state word and the until line, and the block's height."""

    word: int
    until: int
    height: int


def state_sizes(canvas: Canvas, width: int, height: int, title_size: int) -> StateSizes:
    """The budget's sizes for a panel of ``width`` x ``height`` px (see the module)."""
    pad = max(2, round(min(width, height) * 0.025))
    if panel_for(width, height).large:
        until = size_for_ink(canvas, px_for_mm(DISTANCE_MM + 0.2, width, height))
        word = max(round(until * 1.2), size_for_ink(canvas, px_for_mm(WORD_MM, width, height)))
    else:
        until = round(title_size * SMALL_UNTIL) + 1
        word = round(until * 1.9)
    lines = canvas.fonts.line_height(word, True) + canvas.fonts.line_height(until, True)
    return StateSizes(word, until, lines + 2 * pad)


def draw_state(
    canvas: Canvas, box: Box, pad: int, text: StateText, sizes: StateSizes, ink: Color
) -> None:
    """Draw ``text`` in ``box``: the word as large as the budget allows (smaller only
    when it is too wide), the until line at the budget's size (the time bold)."""
    x0, y0, x1, y1 = box
    inner: Box = (x0 + 3 * pad, y0 + pad, x1 - 3 * pad, y1 - pad)
    width = inner[2] - inner[0]
    ceiling = sizes.until if text.small else sizes.word
    word_h = canvas.fonts.line_height(ceiling, True)
    size = canvas.largest(text.word, (inner[0], inner[1], inner[2], inner[1] + word_h), ceiling)
    canvas.text((inner[0], inner[1]), text.word, size, max_width=width, fill=ink, bold=True,
                role="state")  # fmt: skip
    if not text.line:
        return
    top = inner[1] + word_h
    until = sizes.until
    while until > 8 and _line_width(canvas, text, until) > width:
        until -= 1
    parts = [
        (text.before, False, "until"),
        (text.time, True, "until_time"),
        (text.after, False, "until"),
    ]
    canvas.parts((inner[0], top), parts, until, max_width=width, fill=ink)


def _line_width(canvas: Canvas, text: StateText, size: int) -> int:
    return (
        canvas.fonts.width(text.before, size)
        + canvas.fonts.width(text.time, size, True)
        + canvas.fonts.width(text.after, size)
    )


def block_ink(canvas: Canvas, filled: bool) -> Color:
    """The ink of the block's text: white on a filled (busy) block, else black."""
    return canvas.on(canvas.accent) if filled else canvas.on(WHITE)
