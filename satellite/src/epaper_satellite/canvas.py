"""The drawing surface: text placement with fitting and wrapping, QR codes, panel inks."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import qrcode  # type: ignore[import-untyped]
from PIL import Image, ImageDraw
from qrcode.exceptions import DataOverflowError  # type: ignore[import-untyped]

from .fonts import FontSet, default_fonts
from .layouts import Box

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
ACCENTS: dict[str, Color] = {"bw": BLACK, "bwr": (255, 0, 0), "bwy": (255, 255, 0)}
ELLIPSIS = "\u2026"


@dataclass
class Rendered:
    """A drawn screen: the panel image and where its parts and texts went.

    ``texts``: each line as drawn (characters no font has are not in it) and its box;
    ``runs``: each run of one font as (text, font file); ``messages``: the catalog's
    message ids the screen's fixed words came from; ``problems``: what could not be
    drawn and why (for the status ``error``), such as a QR code too dense for its box;
    ``drawn``: every line with its role, size and ink (:class:`DrawnText`), for measuring.
    """

    image: Image.Image
    regions: dict[str, Box] = field(default_factory=dict)
    texts: list[tuple[str, Box]] = field(default_factory=list)
    messages: set[str] = field(default_factory=set)
    runs: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    drawn: list[DrawnText] = field(default_factory=list)


@dataclass(frozen=True)
class DrawnText:
    """One line as drawn: ``role`` (``state``, ``until_time``, ``current``, ``next``, ...
    or ""), its ``box`` on the panel, font ``size`` in px, ``baseline`` y and ``ink``."""

    text: str
    role: str
    box: Box
    size: int
    baseline: int
    ink: Color


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


@functools.lru_cache(maxsize=8)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of ``data``'s QR code (medium error correction, one-module border).

    Cached: a sign redraws the same code at every boundary, and making it is a third of
    a render.
    """
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


class Canvas:
    """An RGB drawing surface that remembers every text it placed.

    ``mirror`` (right-to-left locales): callers place things in left-to-right
    coordinates and the canvas draws them mirrored, x becoming ``width - x``: the
    layout reads from the right, each text starts at the right edge of its box, and
    the glyphs themselves are not mirrored. Recorded boxes are those drawn.
    """

    def __init__(
        self, width: int, height: int, colors: str, fonts: FontSet | None, *, mirror: bool = False
    ) -> None:
        self.width = width
        self.mirror = mirror
        self.image = Image.new("RGB", (width, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.fontmode = "1"
        self.fonts = fonts or default_fonts()
        self.colors = colors
        self.accent = ACCENTS[colors]
        self.texts: list[tuple[str, Box]] = []
        self.runs: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.drawn: list[DrawnText] = []

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
        role: str = "",
    ) -> Box:
        """Draw one line, cut with an ellipsis to ``max_width``; return its box.

        ``role`` names what the line is for the legibility budget (:mod:`.legibility`)."""
        line = self.fonts.fit(text, size, max_width, bold)
        if not line:
            return (xy[0], xy[1], xy[0], xy[1])
        if self.mirror:
            xy = (self.width - xy[0] - self.fonts.width(line, size, bold), xy[1])
        box = self.fonts.draw(self.draw, xy, line, size, fill=fill, bold=bold)
        runs = self.fonts.runs(line, size, bold)
        shown = "".join(run for run, _face in runs)
        self.texts.append((shown, box))
        self.runs += [(run, str(face.path)) for run, face in runs]
        baseline = xy[1] + self.fonts.ascent(size, bold)
        self.drawn.append(DrawnText(shown, role, box, size, baseline, fill))
        return box

    def parts(
        self,
        xy: tuple[int, int],
        parts: list[tuple[str, bool, str]],
        size: int,
        *,
        max_width: int,
        fill: Color = BLACK,
    ) -> None:
        """Draw one line made of ``parts`` (text, bold, role) side by side, e.g. "until "
        and a bold "11:05"; ``texts`` records the line whole."""
        x, top = xy
        first = len(self.texts)
        for text, bold, role in parts:
            if text:
                room = xy[0] + max_width - x
                self.text((x, top), text, size, max_width=room, fill=fill, bold=bold, role=role)
                x += self.fonts.width(text, size, bold)
        drawn = self.texts[first:]
        if drawn:
            del self.texts[first:]
            boxes = [box for _text, box in drawn]
            whole = (
                min(b[0] for b in boxes),
                top,
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            self.texts.append(("".join(text for text, _box in drawn), whole))

    def lines(
        self,
        box: Box,
        text: str,
        size: int,
        max_lines: int,
        *,
        fill: Color = BLACK,
        bold: bool = False,
        role: str = "",
    ) -> int:
        """Draw wrapped text at the top of ``box``; return the y below it."""
        x0, y, x1, y1 = box
        height = self.fonts.line_height(size, bold)
        room = max(0, (y1 - y) // height)
        for line in self.fonts.wrap(text, size, x1 - x0, min(max_lines, room), bold):
            self.text((x0, y), line, size, max_width=x1 - x0, fill=fill, bold=bold, role=role)
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

    def whole(
        self, text: str, box: Box, ceiling: int, floor: int, *, max_lines: int, bold: bool = True
    ) -> tuple[int, list[str]]:
        """Fit all of ``text`` into ``box``: the largest size from ``ceiling`` down to
        ``floor`` on one line, then on up to ``max_lines`` lines; only when even that
        fails, the lines at ``floor`` cut with an ellipsis. Returns (size, lines).
        """
        width, height = box[2] - box[0], box[3] - box[1]
        target = "".join(text.split())
        for count in range(1, max_lines + 1):
            size = ceiling
            while size >= floor:
                if count * self.fonts.line_height(size, bold) <= height:
                    lines = self.fonts.wrap(text, size, width, count, bold)
                    joined = "".join("".join(lines).split())
                    if joined == target and (ELLIPSIS in text or ELLIPSIS not in joined):
                        return size, lines
                size -= max(1, size // 12)
        count = max(1, min(max_lines, height // self.fonts.line_height(floor, bold)))
        return floor, self.fonts.wrap(text, floor, width, count, bold)

    def flip(self, box: Box) -> Box:
        """The box as drawn: mirrored when the canvas is (see the class)."""
        if not self.mirror:
            return box
        return (self.width - box[2], box[1], self.width - box[0], box[3])

    def rect(self, box: Box, **style: object) -> None:
        """Draw a rectangle over the pixels of ``box`` (x1 and y1 exclusive)."""
        x0, y0, x1, y1 = self.flip(box)
        self.draw.rectangle((x0, y0, x1 - 1, y1 - 1), **style)  # type: ignore[arg-type]

    def vline(self, x: int, y0: int, y1: int) -> None:
        """Draw a one-pixel black line down from (x, y0) to (x, y1)."""
        x = self.flip((x, y0, x + 1, y1))[0]
        self.draw.line((x, y0, x, y1), fill=BLACK, width=1)

    def qr(self, box: Box, data: str) -> Box | None:
        """Draw ``data`` as a QR code centred in ``box`` with whole-pixel modules.

        None, with the reason added to ``problems``, when it cannot be drawn: more than a
        QR code holds, or more modules than ``box`` has pixels.
        """
        try:
            matrix = qr_matrix(data)
        except (DataOverflowError, ValueError) as err:
            self.problems.append(f"qr not drawn: {len(data.encode())} bytes: {err}"[:200])
            return None
        side = min(box[2] - box[0], box[3] - box[1])
        scale = side // len(matrix)
        if scale < 1:
            self.problems.append(
                f"qr not drawn: its code is {len(matrix)} modules wide, the panel has {side} px"
            )
            return None
        size = scale * len(matrix)
        box = self.flip(box)
        x0 = box[0] + (box[2] - box[0] - size) // 2
        y0 = box[1] + (box[3] - box[1] - size) // 2
        for row, cells in enumerate(matrix):
            for col, dark in enumerate(cells):
                if dark:
                    x, y = x0 + col * scale, y0 + row * scale
                    self.draw.rectangle((x, y, x + scale - 1, y + scale - 1), fill=BLACK)
        return (x0, y0, x0 + size, y0 + size)

    def finish(self, regions: dict[str, Box], messages: set[str] | None = None) -> Rendered:
        """Convert to the panel's inks and return the result (``messages``: msgids used)."""
        return Rendered(
            image=to_panel_image(self.image, self.colors),
            regions={name: self.flip(box) for name, box in regions.items()},
            texts=self.texts,
            messages=messages or set(),
            runs=self.runs,
            problems=self.problems,
            drawn=self.drawn,
        )
