"""Draw the room screen and the service screens with Pillow, in the panel's palette."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import qrcode  # type: ignore[import-untyped]
from PIL import Image, ImageDraw

from .fonts import FontSet, default_fonts
from .layouts import Box, Layout, plan
from .schedule import Event, RoomState, room_state, todays_agenda
from .wire import RoomData

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
ACCENTS: dict[str, Color] = {"bw": BLACK, "bwr": (255, 0, 0), "bwy": (255, 255, 0)}
EN_DASH = "\u2013"
STATE_WORDS = {"free": "Free", "busy": "Busy", "starting_soon": "Starting soon"}


@dataclass(frozen=True, kw_only=True)
class RoomView:
    """Everything the room screen shows, decided before drawing."""

    room: str
    now: dt.datetime
    tz: dt.tzinfo
    state: RoomState
    agenda: tuple[Event, ...]
    message: str | None = None
    qr: str | None = None
    updated: dt.datetime | None = None
    online: bool = True
    stale_since: dt.datetime | None = None


@dataclass
class Rendered:
    """A drawn screen: the panel image and where its parts and texts went."""

    image: Image.Image
    regions: dict[str, Box] = field(default_factory=dict)
    texts: list[tuple[str, Box]] = field(default_factory=list)


def room_view(
    data: RoomData,
    now: dt.datetime,
    tz: dt.tzinfo,
    *,
    online: bool = True,
    received: dt.datetime | None = None,
) -> RoomView:
    """Decide what the room screen shows at ``now``."""
    message = data.message
    text = message.text.strip() if message and (not message.until or now < message.until) else None
    stale = data.valid_until is not None and now >= data.valid_until
    updated = data.generated_at or received
    return RoomView(
        room=data.room.strip() or data.device,
        now=now,
        tz=tz,
        state=room_state(data.events, now, tz),
        agenda=tuple(todays_agenda(data.events, now, tz)),
        message=text or None,
        qr=data.qr,
        updated=updated,
        online=online,
        stale_since=(updated or data.valid_until) if stale else None,
    )


def panel_palette(colors: str) -> list[Color]:
    """Return the panel's inks, white first."""
    return [WHITE, BLACK] if colors == "bw" else [WHITE, BLACK, ACCENTS[colors]]


def to_panel_image(image: Image.Image, colors: str) -> Image.Image:
    """Map an RGB drawing onto the panel's inks: mode '1' for bw, 'P' otherwise."""
    inks = panel_palette(colors)
    palette = Image.new("P", (1, 1))
    flat = [channel for ink in inks for channel in ink]
    palette.putpalette(flat + flat[:3] * (256 - len(inks)))
    mapped = image.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE)
    if colors == "bw":
        return mapped.convert("L").point(lambda value: 255 if value > 127 else 0).convert("1")
    return mapped


class Canvas:
    """An RGB drawing surface that remembers every text it placed."""

    def __init__(self, width: int, height: int, colors: str, fonts: FontSet | None) -> None:
        self.image = Image.new("RGB", (width, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.fontmode = "1"
        self.fonts = fonts or default_fonts()
        self.colors = colors
        self.accent = ACCENTS[colors]
        self.texts: list[tuple[str, Box]] = []

    def on(self, background: Color) -> Color:
        """Return the ink that reads on ``background``."""
        return BLACK if background in (WHITE, ACCENTS["bwy"]) else WHITE

    def text(
        self,
        xy: tuple[int, int],
        text: str,
        size: int,
        *,
        max_width: int,
        fill: Color = BLACK,
        bold: bool = False,
    ) -> Box:
        """Draw one line, cut with an ellipsis to ``max_width``; return its box."""
        line = self.fonts.fit(text, size, max_width, bold)
        if not line:
            return (xy[0], xy[1], xy[0], xy[1])
        box = self.fonts.draw(self.draw, xy, line, size, fill=fill, bold=bold)
        self.texts.append((line, box))
        return box

    def lines(
        self,
        box: Box,
        text: str,
        size: int,
        max_lines: int,
        *,
        fill: Color = BLACK,
        bold: bool = False,
    ) -> int:
        """Draw wrapped text at the top of ``box``; return the y below it."""
        x0, y, x1, y1 = box
        height = self.fonts.line_height(size, bold)
        room = max(0, (y1 - y) // height)
        for line in self.fonts.wrap(text, size, x1 - x0, min(max_lines, room), bold):
            self.text((x0, y), line, size, max_width=x1 - x0, fill=fill, bold=bold)
            y += height
        return y

    def largest(self, text: str, box: Box, ceiling: int, bold: bool = True) -> int:
        """Return the largest size up to ``ceiling`` at which ``text`` fits ``box``."""
        width, height = box[2] - box[0], box[3] - box[1]
        size = ceiling
        while size > 8 and (
            self.fonts.width(text, size, bold) > width
            or self.fonts.line_height(size, bold) > height
        ):
            size -= max(1, size // 12)
        return size

    def qr(self, box: Box, data: str) -> Box | None:
        """Draw ``data`` as a QR code centred in ``box`` with whole-pixel modules."""
        code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(data)
        code.make(fit=True)
        matrix = code.get_matrix()
        side = min(box[2] - box[0], box[3] - box[1])
        scale = side // len(matrix)
        if scale < 1:
            return None
        size = scale * len(matrix)
        x0 = box[0] + (box[2] - box[0] - size) // 2
        y0 = box[1] + (box[3] - box[1] - size) // 2
        for row, cells in enumerate(matrix):
            for col, dark in enumerate(cells):
                if dark:
                    x, y = x0 + col * scale, y0 + row * scale
                    self.draw.rectangle((x, y, x + scale - 1, y + scale - 1), fill=BLACK)
        return (x0, y0, x0 + size, y0 + size)

    def finish(self, regions: dict[str, Box]) -> Rendered:
        """Convert to the panel's inks and return the result."""
        return Rendered(
            image=to_panel_image(self.image, self.colors), regions=regions, texts=self.texts
        )


def _hm(moment: dt.datetime, tz: dt.tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def _span(event: Event, view: RoomView) -> str:
    start, end = event.start.astimezone(view.tz), event.end.astimezone(view.tz)
    today = view.now.astimezone(view.tz).date()
    first = start.strftime("%H:%M") if start.date() == today else start.strftime("%a %H:%M")
    last = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%a %H:%M")
    return f"{first}{EN_DASH}{last}"


def _until_line(view: RoomView) -> str:
    state, until = view.state.state, view.state.until
    if state == "starting_soon" and until is not None:
        return f"at {_hm(until, view.tz)}"
    if until is None:
        return "for the rest of the day" if state == "free" else ""
    if until.astimezone(view.tz).date() != view.now.astimezone(view.tz).date():
        return "until " + until.astimezone(view.tz).strftime("%a %H:%M")
    return f"until {_hm(until, view.tz)}"


def _header(canvas: Canvas, layout: Layout, view: RoomView) -> None:
    x0, y0, x1, y1 = layout.header
    canvas.draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=BLACK)
    pad, small = layout.pad, layout.small_size
    right = x1 - pad
    badges: list[tuple[str, Color]] = []
    if not view.online:
        badges.append(("OFFLINE", WHITE))
    if view.stale_since is not None:
        badges.append(("STALE", canvas.accent if canvas.colors != "bw" else WHITE))
    line_h = canvas.fonts.line_height(small, True)
    for word, background in badges:
        width = canvas.fonts.width(word, small, True) + 2 * pad
        top = y0 + (y1 - y0 - line_h) // 2
        canvas.draw.rectangle((right - width, top - 1, right - 1, top + line_h), fill=background)
        canvas.text(
            (right - width + pad, top),
            word,
            small,
            max_width=width,
            fill=canvas.on(background),
            bold=True,
        )
        right -= width + pad
    if view.updated is not None:
        stamp = (
            _hm(view.updated, view.tz)
            if layout.compact
            else f"Updated {_hm(view.updated, view.tz)}"
        )
        width = canvas.fonts.width(stamp, small)
        if right - width > x0 + (x1 - x0) // 2:
            top = y0 + (y1 - y0 - canvas.fonts.line_height(small)) // 2
            canvas.text((right - width, top), stamp, small, max_width=width, fill=WHITE)
            right -= width + pad
    room_box: Box = (x0 + pad, y0, right - pad, y1)
    size = max(canvas.largest(view.room, room_box, layout.room_size), round(layout.room_size * 0.7))
    top = y0 + (y1 - y0 - canvas.fonts.line_height(size, True)) // 2
    canvas.text(
        (x0 + pad, top), view.room, size, max_width=right - x0 - 2 * pad, fill=WHITE, bold=True
    )


def _state(canvas: Canvas, layout: Layout, view: RoomView) -> None:
    x0, y0, x1, y1 = layout.state
    pad = layout.pad
    state = view.state.state
    background = canvas.accent if state == "busy" else WHITE
    ink = canvas.on(background)
    if state == "starting_soon":
        ink = BLACK if canvas.colors == "bwy" else canvas.accent
        frame = max(2, pad // 2)
        canvas.draw.rectangle(
            (x0 + pad, y0 + pad, x1 - pad - 1, y1 - pad - 1), outline=canvas.accent, width=frame
        )
    elif state == "busy":
        canvas.draw.rectangle((x0 + pad, y0 + pad, x1 - pad - 1, y1 - pad - 1), fill=background)
    inner: Box = (x0 + 3 * pad, y0 + 2 * pad, x1 - 3 * pad, y1 - 2 * pad)
    word = STATE_WORDS[state]
    until = _until_line(view)
    height = inner[3] - inner[1]
    word_box: Box = (
        inner[0],
        inner[1],
        inner[2],
        inner[1] + round(height * (0.62 if until else 0.9)),
    )
    size = canvas.largest(word, word_box, round(height * 0.6))
    canvas.text(
        (inner[0], inner[1]), word, size, max_width=inner[2] - inner[0], fill=ink, bold=True
    )
    if until:
        top = inner[1] + canvas.fonts.line_height(size, True)
        until_size = canvas.largest(
            until, (inner[0], top, inner[2], inner[3]), max(9, round(size * 0.45)), False
        )
        canvas.text((inner[0], top), until, until_size, max_width=inner[2] - inner[0], fill=ink)


def _meeting(
    canvas: Canvas,
    box: Box,
    *,
    label: str,
    event: Event,
    view: RoomView,
    layout: Layout,
    title_lines: int,
) -> int:
    x0, y, x1, y1 = box
    small, title, body = layout.small_size, layout.title_size, layout.body_size
    width = x1 - x0
    if y + canvas.fonts.line_height(title, True) > y1:
        return y
    label_w = canvas.fonts.width(label, small, True) + 2 * layout.pad if label else 0
    if label and layout.compact:
        canvas.text((x0, y), f"{label} {_span(event, view)}", small, max_width=width, bold=True)
        y += canvas.fonts.line_height(small, True)
        return canvas.lines((x0, y, x1, y1), event.shown_title, title, title_lines, bold=True)
    if label:
        canvas.text(
            (x0, y),
            label,
            small,
            max_width=label_w,
            bold=True,
            fill=canvas.accent if canvas.colors == "bwr" else BLACK,
        )
        canvas.text((x0 + label_w, y), _span(event, view), small, max_width=width - label_w)
        y += canvas.fonts.line_height(small, True)
    y = canvas.lines((x0, y, x1, y1), event.shown_title, title, title_lines, bold=True)
    if event.organizer and not event.private and y + canvas.fonts.line_height(body) <= y1:
        canvas.text((x0, y), event.organizer, body, max_width=width)
        y += canvas.fonts.line_height(body)
    return y


def _details(canvas: Canvas, layout: Layout, view: RoomView) -> None:
    x0, y0, x1, y1 = layout.details
    pad = layout.pad
    box: Box = (x0 + 3 * pad, y0 + pad, x1 - 2 * pad, y1 - pad)
    state = view.state
    lines = 1 if layout.compact else 2
    y = box[1]
    shown = [("NOW", state.current), ("NEXT", state.next)]
    if layout.compact and state.current is not None:
        shown = [("NEXT", state.next)] if state.state != "busy" else [("NOW", state.current)]
    for label, event in shown:
        if event is None:
            continue
        y = (
            _meeting(
                canvas,
                (box[0], y, box[2], box[3]),
                label=label,
                event=event,
                view=view,
                layout=layout,
                title_lines=lines,
            )
            + pad
        )
    if state.current is None and state.next is None:
        canvas.text(
            (box[0], y), "No more meetings today", layout.body_size, max_width=box[2] - box[0]
        )


def _agenda(canvas: Canvas, layout: Layout, view: RoomView) -> None:
    if layout.agenda is None:
        return
    x0, y0, x1, y1 = layout.agenda
    pad = layout.pad
    canvas.draw.line((x0, y0 + pad, x0, y1 - pad), fill=BLACK, width=1)
    x0 += 2 * pad
    size = layout.small_size
    height = canvas.fonts.line_height(size)
    y = y0 + pad
    canvas.text((x0, y), "Today", layout.body_size, max_width=x1 - x0 - pad, bold=True)
    y += canvas.fonts.line_height(layout.body_size, True) + pad // 2
    slots = max(0, (y1 - pad - y) // height)
    events = list(view.agenda)
    if not events:
        canvas.text((x0, y), "Nothing booked", size, max_width=x1 - x0 - pad)
        return
    if len(events) > slots:
        events = events[: max(0, slots - 1)]
    time_w = canvas.fonts.width("00:00 ", size, True)
    for event in events:
        current = event.start <= view.now < event.end
        start = event.start.astimezone(view.tz)
        label = (
            start.strftime("%H:%M") if start.date() == view.now.astimezone(view.tz).date() else "…"
        )
        canvas.text((x0, y), label, size, max_width=time_w, bold=True)
        canvas.text(
            (x0 + time_w, y),
            event.shown_title,
            size,
            max_width=x1 - x0 - time_w - pad,
            bold=current,
        )
        y += height
    hidden = len(view.agenda) - len(events)
    if hidden > 0 and slots > 0:
        canvas.text((x0, y), f"+{hidden} more", size, max_width=x1 - x0 - pad)


def _banner(canvas: Canvas, layout: Layout, view: RoomView) -> None:
    if layout.banner is None or not view.message:
        return
    x0, y0, x1, y1 = layout.banner
    canvas.draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=canvas.accent)
    pad = layout.pad
    size = layout.body_size
    lines = max(1, (y1 - y0 - pad) // canvas.fonts.line_height(size, True))
    text_h = min(lines, len(canvas.fonts.wrap(view.message, size, x1 - x0 - 4 * pad, lines, True)))
    top = y0 + (y1 - y0 - text_h * canvas.fonts.line_height(size, True)) // 2
    canvas.lines(
        (x0 + 2 * pad, top, x1 - 2 * pad, y1),
        view.message,
        size,
        lines,
        fill=canvas.on(canvas.accent),
        bold=True,
    )


def render_room(
    view: RoomView, width: int, height: int, colors: str = "bw", fonts: FontSet | None = None
) -> Rendered:
    """Draw the room screen for a panel of ``width`` x ``height``."""
    layout = plan(width, height, message=bool(view.message), qr=bool(view.qr))
    canvas = Canvas(width, height, colors, fonts)
    _header(canvas, layout, view)
    _state(canvas, layout, view)
    _details(canvas, layout, view)
    _agenda(canvas, layout, view)
    regions = {"header": layout.header, "state": layout.state, "details": layout.details}
    if layout.qr is not None and view.qr:
        drawn = canvas.qr(layout.qr, view.qr)
        if drawn is not None:
            regions["qr"] = drawn
    _banner(canvas, layout, view)
    if layout.agenda is not None:
        regions["agenda"] = layout.agenda
    if layout.banner is not None:
        regions["banner"] = layout.banner
    return canvas.finish(regions)


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
    canvas.lines((inner[0], top, inner[2], footer_y - pad), text, body, 6)
    canvas.text((inner[0], footer_y), footer, footer_size, max_width=inner[2] - inner[0])
    return canvas.finish(
        {"title": (inner[0], inner[1], inner[2], top), "frame": (0, 0, width, height)}
    )


def render_blank(width: int, height: int, colors: str = "bw") -> Rendered:
    """Return an all-white screen (the 'clear' command)."""
    return Rendered(image=to_panel_image(Image.new("RGB", (width, height), WHITE), colors))
