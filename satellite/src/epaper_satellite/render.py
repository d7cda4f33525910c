"""Draw the room screen with Pillow, in the panel's palette and the sign's language."""

from __future__ import annotations

from dataclasses import replace

from qrcode.exceptions import DataOverflowError  # type: ignore[import-untyped]

from .canvas import BLACK, Canvas, Rendered, qr_matrix, to_panel_image
from .fonts import FontSet
from .i18n import N_
from .key_legend import draw_legend
from .layouts import Box, Layout, plan
from .room_header import draw_header, fit_room_name, is_whole
from .room_sign import Sign
from .room_view import RoomView, room_view
from .schedule import Event
from .screens import render_blank, render_notice
from .state_block import (
    StateSizes,
    block_ink,
    draw_state,
    state_sizes,
)
from .timeline import draw_timeline, needed_height
from .timetext import ALL_DAY

__all__ = ["Rendered", "RoomView", "render_blank", "render_notice", "render_room", "room_view"]
__all__ += ["to_panel_image"]

WALK_INS = N_("Walk-ins welcome")
LATER = N_("Later today")
AGENDA_LINES = 3
QR_MODULE = 4  # px per QR module at most: a phone reads it, the agenda keeps its room


def _state(sign: Sign, sizes: StateSizes) -> None:
    canvas, layout = sign.canvas, sign.layout
    x0, y0, x1, y1 = layout.state
    pad = layout.pad
    text = sign.state_text()
    warning = sign.view.clock_behind is not None or sign.view.stale_since is not None
    busy = sign.view.state.state == "busy" and not warning
    if busy:
        canvas.rect((x0 + pad, y0 + pad, x1 - pad, y1 - pad), fill=canvas.accent)
    elif warning:
        frame = max(2, pad)
        canvas.rect((x0 + pad, y0 + pad, x1 - pad, y1 - pad), outline=BLACK, width=frame)
    draw_state(canvas, (x0, y0, x1, y1), pad, text, sizes, block_ink(canvas, busy))


def _meeting(sign: Sign, box: Box, *, label: str, event: Event, title_lines: int) -> int:
    canvas, layout = sign.canvas, sign.layout
    x0, y, x1, y1 = box
    small, title, body = layout.small_size, layout.title_size, layout.body_size
    width = x1 - x0
    if y + canvas.fonts.line_height(title, True) > y1:
        return y
    shown = sign.title(event)
    role = "current" if event is sign.view.state.current else "next"
    if layout.compact:
        canvas.text((x0, y), f"{label} {sign.span(event)}", small, max_width=width, bold=True)
        y += canvas.fonts.line_height(small, True)
        return canvas.lines((x0, y, x1, y1), shown, title, title_lines, bold=True, role=role)
    label_w = canvas.fonts.width(label, small, True) + 2 * layout.pad
    canvas.text(
        (x0, y),
        label,
        small,
        max_width=label_w,
        bold=True,
        fill=canvas.accent if canvas.colors == "bwr" else BLACK,
    )
    canvas.text((x0 + label_w, y), sign.span(event), small, max_width=width - label_w)
    y += canvas.fonts.line_height(small, True)
    y = canvas.lines((x0, y, x1, y1), shown, title, title_lines, bold=True, role=role)
    if event.organizer and not event.private and y + canvas.fonts.line_height(body) <= y1:
        canvas.text((x0, y), event.organizer, body, max_width=width)
        y += canvas.fonts.line_height(body)
    if (check_in := sign.check_in_line(event)) and y + canvas.fonts.line_height(body, True) <= y1:
        canvas.text((x0, y), check_in, body, max_width=width, bold=True, fill=canvas.accent)
        y += canvas.fonts.line_height(body, True)
    return y


def _details(sign: Sign) -> None:
    layout, state = sign.layout, sign.view.state
    x0, y0, x1, y1 = layout.details
    pad = layout.pad
    box: Box = (x0 + 3 * pad, y0 + pad, x1 - 2 * pad, y1 - pad)
    now_word, next_word = sign.words.gettext("NOW"), sign.words.gettext("NEXT")
    shown = [(now_word, state.current), (next_word, state.next)]
    if layout.compact and state.current is not None:
        shown = [(next_word, state.next)] if state.state != "busy" else [(now_word, state.current)]
    y = box[1]
    if sign.walk_in():
        hint = sign.words.gettext(WALK_INS)
        size = layout.title_size
        sign.canvas.text((box[0], y), hint, size, max_width=box[2] - box[0], bold=True,
                         role="walk_in")  # fmt: skip
        y += sign.canvas.fonts.line_height(size, True) + pad
    for label, event in shown:
        if event is not None:
            area: Box = (box[0], y, box[2], box[3])
            lines = 1 if layout.compact else 2
            y = _meeting(sign, area, label=label, event=event, title_lines=lines) + pad
    if state.current is None and state.next is None:
        text = sign.words.gettext("No more meetings today")
        sign.canvas.text((box[0], y), text, layout.body_size, max_width=box[2] - box[0])
        y += sign.canvas.fonts.line_height(layout.body_size) + pad
    _day_bar(sign, box, y)


def _day_bar(sign: Sign, box: Box, y: int) -> None:
    """The day at a glance at the bottom of ``box`` when it has room below ``y`` (once)."""
    layout = sign.layout
    need = needed_height(sign.canvas, layout.small_size)
    if sign.day_bar or layout.compact or box[3] - y < need + layout.pad:
        return
    area: Box = (box[0], box[3] - need, box[2] - layout.pad, box[3])
    draw_timeline(sign.canvas, area, sign.view, layout.small_size)
    sign.day_bar = True


def _agenda_label(sign: Sign, event: Event) -> str:
    if event.all_day:
        return sign.words.gettext(ALL_DAY)
    start = sign.times.local(event.start)
    return sign.times.time(event.start) if start.date() == sign.today else "…"


def _agenda(sign: Sign) -> None:
    canvas, layout, view = sign.canvas, sign.layout, sign.view
    shown = (view.state.current, view.state.next)
    rest = [event for event in view.agenda if event not in shown and event.end > view.now]
    if layout.agenda is None or (not rest and shown == (None, None)):
        return  # nothing at all: the meetings' column says so once
    x0, y0, x1, y1 = layout.agenda
    pad = layout.pad
    if x0 > layout.state[0]:
        canvas.vline(x0, y0 + pad, y1 - pad)
    else:  # below the meetings (upright panels): a rule above it
        canvas.rect((x0 + 3 * pad, y0, x1 - 3 * pad, y0 + 1), fill=BLACK)
    x0 += 2 * pad
    size = layout.small_size
    height = canvas.fonts.line_height(size)
    y = y0 + pad
    later = sign.words.gettext(LATER)
    canvas.text((x0, y), later, layout.body_size, max_width=x1 - x0 - pad, bold=True)
    y += canvas.fonts.line_height(layout.body_size, True) + pad // 2
    slots = max(0, (y1 - pad - y) // height)
    events = list(rest)
    if not events:
        canvas.text((x0, y), sign.words.gettext("Nothing booked"), size, max_width=x1 - x0 - pad)
        _day_bar(sign, (x0, y0, x1, y1 - pad), y + height + pad)
        return
    if len(events) > slots:
        events = events[: max(0, slots - 1)]
    labels = [_agenda_label(sign, event) for event in events]
    space = canvas.fonts.width(" ", size, True)
    # The time column fits the times; an all-day label wider than them takes its own row.
    timed = [label for event, label in zip(events, labels, strict=True) if not event.all_day]
    widths = [canvas.fonts.width(label, size, True) for label in timed or labels]
    time_w = min(max(widths, default=0) + space, (x1 - x0) * 2 // 5)
    # Titles take more lines (up to AGENDA_LINES) while the rows left allow it.
    spare = slots - len(events)
    for event, label in zip(events, labels, strict=True):
        current = False
        if canvas.fonts.width(label, size, True) > time_w and spare > 0:
            # A long label ("All day" in some languages) gets a row of its own.
            canvas.text((x0, y), label, size, max_width=x1 - x0 - pad, bold=True)
            y += height
            spare -= 1
        else:
            canvas.text((x0, y), label, size, max_width=time_w, bold=True)
        lines = min(AGENDA_LINES, 1 + spare)
        box: Box = (x0 + time_w, y, x1 - pad, y + lines * height)
        below = canvas.lines(box, sign.title(event), size, lines, bold=current)
        spare -= max(0, (below - y) // height - 1)
        y = max(below, y + height)
    hidden = len(rest) - len(events)
    if hidden > 0 and slots > 0:
        more = sign.words.ngettext("+{count} more", "+{count} more", hidden)
        canvas.text((x0, y), more, size, max_width=x1 - x0 - pad)
        y += height
    _day_bar(sign, (x0, y0, x1, y1 - pad), y + pad)


def _banner(sign: Sign) -> None:
    canvas, layout, message = sign.canvas, sign.layout, sign.view.message
    if layout.banner is None or not message:
        return
    x0, y0, x1, y1 = layout.banner
    canvas.rect((x0, y0, x1, y1), fill=canvas.accent)
    pad = layout.pad
    size = layout.body_size
    lines = max(1, (y1 - y0 - pad) // canvas.fonts.line_height(size, True))
    text_h = min(lines, len(canvas.fonts.wrap(message, size, x1 - x0 - 4 * pad, lines, True)))
    top = y0 + (y1 - y0 - text_h * canvas.fonts.line_height(size, True)) // 2
    canvas.lines(
        (x0 + 2 * pad, top, x1 - 2 * pad, y1),
        message,
        size,
        lines,
        fill=canvas.on(canvas.accent),
        bold=True,
    )


def _fit_qr(layout: Layout, data: str | None) -> Layout:
    """The QR code at the bottom right of its box in modules of at most QR_MODULE px;
    the agenda above it gets the room it leaves (all of the box for dense codes)."""
    if layout.qr is None or not data:
        return layout
    try:
        modules = len(qr_matrix(data))
    except (DataOverflowError, ValueError):
        return layout  # drawn (and reported) by Canvas.qr
    x0, y0, x1, y1 = layout.qr
    scale = min((x1 - x0) // modules, (y1 - y0) // modules, QR_MODULE)
    if scale < 1:
        return layout
    side = scale * modules
    qr: Box = (x1 - side, y1 - side, x1, y1)
    agenda = layout.agenda
    if agenda is not None and agenda[1] < qr[1] and agenda[3] <= y0:
        agenda = (agenda[0], agenda[1], agenda[2], qr[1] - layout.pad)
    return replace(layout, qr=qr, agenda=agenda)


def render_room(
    view: RoomView, width: int, height: int, colors: str = "bw", fonts: FontSet | None = None
) -> Rendered:
    """Draw the room screen for a panel of ``width`` x ``height``.

    A QR code that cannot be drawn does not cost the room: the screen is drawn again
    without it, and ``problems`` of the result says why.
    """
    rendered = _render_room(view, width, height, colors, fonts)
    if view.qr and rendered.problems:
        problems = rendered.problems
        rendered = _render_room(replace(view, qr=None), width, height, colors, fonts)
        rendered.problems[:0] = problems
    return rendered


def _render_room(
    view: RoomView, width: int, height: int, colors: str, fonts: FontSet | None
) -> Rendered:
    canvas = Canvas(width, height, colors, fonts, mirror=view.locale.right_to_left)
    parts = {"message": bool(view.message), "qr": bool(view.qr), "legend": bool(view.keys)}
    layout = plan(width, height, **parts)
    sizes = state_sizes(canvas, width, height, layout.title_size)
    layout = plan(width, height, **parts, state_h=sizes.height)
    sign = Sign(view, canvas, layout)
    with_stamp = True
    name = fit_room_name(sign, with_stamp)
    if not is_whole(name, view.room):
        with_stamp = False
        name = fit_room_name(sign, with_stamp)
        if len(name[1]) > 1 or not is_whole(name, view.room):
            sign.layout = layout = plan(
                width, height, **parts, header_lines=2, state_h=sizes.height
            )
            name = fit_room_name(sign, with_stamp)
    sign.layout = layout = _fit_qr(layout, view.qr)
    draw_header(sign, name, with_stamp)
    _state(sign, sizes)
    _details(sign)
    _agenda(sign)
    if layout.legend is not None:
        draw_legend(canvas, layout.legend, view, sign.words, layout.small_size)
    regions = {"header": layout.header, "state": layout.state, "details": layout.details}
    if layout.qr is not None and view.qr:
        drawn = canvas.qr(layout.qr, view.qr)
        if drawn is not None:
            regions["qr"] = drawn
    _banner(sign)
    if layout.agenda is not None:
        regions["agenda"] = layout.agenda
    if layout.banner is not None:
        regions["banner"] = layout.banner
    if layout.legend is not None:
        regions["legend"] = layout.legend
    return canvas.finish(regions, sign.words.used)
