"""Screen geometry: where each part of the room screen goes for a panel size."""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[int, int, int, int]


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Boxes (x0, y0, x1, y1) of the room screen's parts and its text sizes."""

    width: int
    height: int
    pad: int
    header: Box
    state: Box
    details: Box
    agenda: Box | None
    qr: Box | None
    banner: Box | None
    legend: Box | None = None
    room_size: int
    small_size: int
    title_size: int
    body_size: int
    compact: bool

    @property
    def name(self) -> str:
        """A short name for logs and benchmarks, e.g. ``landscape-800x480``."""
        orientation = "portrait" if self.height > self.width else "landscape"
        return f"{orientation}-{self.width}x{self.height}"


def _split_bottom(box: Box, height: int) -> tuple[Box, Box]:
    x0, y0, x1, y1 = box
    return (x0, y0, x1, y1 - height), (x0, y1 - height, x1, y1)


def plan(
    width: int,
    height: int,
    *,
    message: bool,
    qr: bool,
    header_lines: int = 1,
    state_h: int | None = None,
    legend: bool = False,
) -> Layout:
    """Return the layout for a panel of ``width`` x ``height`` (logical orientation).

    ``header_lines`` 2 makes the header half as high again, for a room name that needs
    a second line; the text sizes stay those of the one-line header. ``state_h``: the
    height the state block needs (the legibility budget's, :mod:`.state_block`); it
    spans the panel's width, the meetings and the rest of the day share what is left.
    ``legend``: a strip at the bottom for the door keys' actions.
    """
    short = min(width, height)
    compact = short < 160
    pad = max(2, round(short * 0.025))
    header_h = max(16, round(height * (0.09 if height > width else 0.14)))
    if compact:
        header_h = max(16, round(short * 0.17))
    room_size = max(10, round(header_h * 0.55))
    if header_lines > 1:
        header_h = round(header_h * 1.5)
    header: Box = (0, 0, width, header_h)
    body: Box = (0, header_h, width, height)
    banner: Box | None = None
    legend_box: Box | None = None
    if legend:
        body, legend_box = _split_bottom(body, max(12, round(short * (0.1 if compact else 0.07))))
    if message:
        banner_h = max(14, round(short * (0.12 if compact else 0.13)))
        body, banner = _split_bottom(body, banner_h)
    text_unit = max(9, round(short * 0.045))
    sizes = {
        "room_size": room_size,
        "small_size": max(8, round(text_unit * 0.8)),
        "title_size": max(9, round(text_unit * 1.1)),
        "body_size": text_unit,
    }
    body_h = body[3] - body[1]
    wanted = state_h or round(body_h * 0.4)
    state_px = min(wanted, round(body_h * (0.62 if compact else 0.55)))
    if height > width:
        state, details, agenda, qr_box = _portrait(body, pad, text_unit, state_px, qr=qr)
    elif compact:
        state, details, agenda, qr_box = _compact_landscape(body, pad, state_px, qr=qr)
    else:
        state, details, agenda, qr_box = _landscape(body, pad, state_px, qr=qr)
    return Layout(
        width=width,
        height=height,
        pad=pad,
        header=header,
        state=state,
        details=details,
        agenda=agenda,
        qr=qr_box,
        banner=banner,
        legend=legend_box,
        compact=compact,
        **sizes,
    )


Parts = tuple[Box, Box, Box | None, Box | None]


def _portrait(body: Box, pad: int, text_unit: int, state_h: int, *, qr: bool) -> Parts:
    """State on top, meetings below, then the agenda with the QR code beside it."""
    bx0, by0, bx1, by1 = body
    body_h = by1 - by0
    state: Box = (bx0, by0, bx1, by0 + state_h)
    details_h = round(body_h * 0.30)
    details: Box = (bx0, state[3], bx1, state[3] + details_h)
    rest: Box = (bx0, details[3], bx1, by1)
    qr_box: Box | None = None
    agenda: Box | None = None
    if qr:
        side = min(round((bx1 - bx0) * 0.4), rest[3] - rest[1] - pad)
        if side >= 40:
            qr_box = (bx1 - side - pad, by1 - side - pad, bx1 - pad, by1 - pad)
    if rest[3] - rest[1] >= 3 * text_unit:
        agenda = rest if qr_box is None else (rest[0], rest[1], qr_box[0] - pad, rest[3])
    return state, details, agenda, qr_box


def _compact_landscape(body: Box, pad: int, state_h: int, *, qr: bool) -> Parts:
    """Small wide panels: state and one meeting, the QR code on the right."""
    bx0, by0, bx1, by1 = body
    body_h = by1 - by0
    main_x1 = bx1
    qr_box: Box | None = None
    if qr and body_h - 2 * pad >= 40:
        side = body_h - 2 * pad
        qr_box = (bx1 - side - pad, by0 + pad, bx1 - pad, by1 - pad)
        main_x1 = qr_box[0] - pad
    state: Box = (bx0, by0, main_x1, by0 + state_h)
    return state, (bx0, state[3], main_x1, by1), None, qr_box


def _landscape(body: Box, pad: int, state_h: int, *, qr: bool) -> Parts:
    """Wide panels: the state across the width; below it the meetings on the left, the
    rest of the day and the QR code on the right."""
    bx0, by0, bx1, by1 = body
    width = bx1 - bx0
    side_w = round(width * 0.36) if width >= 380 else 0
    main_x1 = bx1 - side_w
    state: Box = (bx0, by0, bx1, by0 + state_h)
    details: Box = (bx0, state[3], main_x1, by1)
    agenda: Box | None = None
    qr_box: Box | None = None
    if side_w:
        rest_h = by1 - state[3]
        agenda = (main_x1, state[3], bx1, by1)
        if qr:
            side = min(side_w - 2 * pad, rest_h - pad)
            qr_box = (bx1 - side - pad, by1 - side - pad, bx1 - pad, by1 - pad)
            agenda = (main_x1, state[3], bx1, qr_box[1] - pad)
    return state, details, agenda, qr_box
