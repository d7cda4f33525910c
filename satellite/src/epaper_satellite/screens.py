"""Service screens (waiting for data, test message, identify) and the blank screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PIL import Image

from .canvas import WHITE, Canvas, Rendered, to_panel_image
from .fonts import FontSet
from .i18n import SignLocale, Words
from .layouts import Box
from .timetext import TimeText

PRODUCT = "Odoo E-Paper"


@dataclass(frozen=True, kw_only=True)
class Notice:
    """The texts of a service screen and the message ids they were made from."""

    title: str
    text: str
    footer: str
    messages: frozenset[str] = frozenset()


def _footer(words: Words, device: str, now: dt.datetime, tz: dt.tzinfo) -> str:
    return f"{device} · {TimeText(words.sign_locale, tz, words).time(now)}"


def notice_for_test(
    sign_locale: SignLocale, device: str, text: str | None, now: dt.datetime, tz: dt.tzinfo
) -> Notice:
    """The screen of a ``/test`` message (its text, or a fixed sentence when it has none)."""
    words = Words(sign_locale)
    shown = text if text and text.strip() else words.gettext("Test message received.")
    return Notice(
        title=words.gettext("Test"),
        text=shown,
        footer=_footer(words, device, now, tz),
        messages=frozenset(words.used),
    )


def text_notice(
    title: str, text: str, device: str, now: dt.datetime, tz: dt.tzinfo, sign_locale: SignLocale
) -> Notice:
    """A screen whose title and text come ready-made (door actions); the footer is ours."""
    return Notice(title=title, text=text, footer=_footer(Words(sign_locale), device, now, tz))


def identify_notice(
    sign_locale: SignLocale, device: str, now: dt.datetime, tz: dt.tzinfo
) -> Notice:
    """The screen of the ``identify`` command: the display's name, large."""
    words = Words(sign_locale)
    return Notice(
        title=words.gettext("Identify"),
        text=words.gettext("This is display {device}.", device=device),
        footer=_footer(words, device, now, tz),
        messages=frozenset(words.used),
    )


def _body_size(canvas: Canvas, text: str, box: Box, ceiling: int, floor: int) -> int:
    """The largest size from ``ceiling`` down to ``floor`` at which all of ``text`` fits
    ``box`` in at most 6 lines (``floor`` when none does: the text is then cut)."""
    width, height = box[2] - box[0], box[3] - box[1]
    target = "".join(text.split())
    size = ceiling
    while size > floor:
        rows = min(6, height // canvas.fonts.line_height(size))
        if "".join("".join(canvas.fonts.wrap(text, size, width, rows)).split()) == target:
            break
        size -= max(1, size // 12)
    return max(size, floor)


def render_notice(
    title: str,
    text: str,
    footer: str,
    *,
    width: int,
    height: int,
    colors: str = "bw",
    fonts: FontSet | None = None,
) -> Rendered:
    """Draw a service screen: a framed title, a text and a footer line."""
    canvas = Canvas(width, height, colors, fonts)
    short = min(width, height)
    pad = max(2, round(short * 0.03))
    frame = max(2, round(short * 0.02))
    canvas.draw.rectangle((0, 0, width - 1, height - 1), outline=canvas.accent, width=frame)
    inner: Box = (frame + 2 * pad, frame + pad, width - frame - 2 * pad, height - frame - pad)
    title_size = canvas.largest(
        title, (inner[0], inner[1], inner[2], inner[1] + round(height * 0.3)), round(short * 0.2)
    )
    canvas.text((inner[0], inner[1]), title, title_size, max_width=inner[2] - inner[0], bold=True)
    body = max(11, round(short * 0.08))
    footer_size = max(8, round(short * 0.05))
    footer_y = inner[3] - canvas.fonts.line_height(footer_size)
    top = inner[1] + canvas.fonts.line_height(title_size, True) + pad
    box = (inner[0], top, inner[2], footer_y - pad)
    canvas.lines(box, text, _body_size(canvas, text, box, body, floor=max(11, body * 2 // 3)), 6)
    canvas.text((inner[0], footer_y), footer, footer_size, max_width=inner[2] - inner[0])
    return canvas.finish(
        {"title": (inner[0], inner[1], inner[2], top), "frame": (0, 0, width, height)}
    )


def draw_notice(
    notice: Notice,
    *,
    width: int,
    height: int,
    colors: str = "bw",
    fonts: FontSet | None = None,
) -> Rendered:
    """Draw a :class:`Notice` (see :func:`render_notice`)."""
    rendered = render_notice(
        notice.title,
        notice.text,
        notice.footer,
        width=width,
        height=height,
        colors=colors,
        fonts=fonts,
    )
    rendered.messages = set(notice.messages)
    return rendered


def render_blank(width: int, height: int, colors: str = "bw") -> Rendered:
    """Return an all-white screen (the 'clear' command)."""
    return Rendered(image=to_panel_image(Image.new("RGB", (width, height), WHITE), colors))
