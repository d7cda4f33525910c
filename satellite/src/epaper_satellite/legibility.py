"""The legibility budget: how tall the door sign's key texts are, in millimetres.

A panel's pixel pitch turns pixels into millimetres. The pitches are Waveshare's
published display areas divided by the pixel counts (Waveshare wiki, "Pico e-Paper"
and "e-Paper HAT" specification pages, read 2026-12-06):

- 7.5" V2/V3 800x480: display 163.2 x 97.92 mm, pitch 0.205 x 0.204 mm
- 7.5" V1 640x384: the same area, pitch 0.255 mm
- 4.2" 400x300: display 84.8 x 63.6 mm, pitch 0.212 mm
- 2.9" 296x128: display 66.89 x 29.05 mm, pitch 0.226 x 0.227 mm
- 2.13" 250x122: display 48.55 x 23.71 mm, pitch 0.194 mm

The budget (docs/sign-design.md): on 4.2" and larger panels the state word and the
digits of its until-time are at least :data:`DISTANCE_MM` high (readable from 2 m);
on smaller panels they are never smaller than the current meeting's title.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from .canvas import DrawnText, Rendered

DISTANCE_MM = 6.0  # digit / cap height read from 2 m (about 1/330 of the distance)
DEFAULT_PITCH = 0.21  # mm per pixel for a panel size not in PANELS


@dataclass(frozen=True)
class Panel:
    """A supported panel: ``width`` x ``height`` px over ``width_mm`` x ``height_mm``."""

    name: str
    width: int
    height: int
    width_mm: float
    height_mm: float

    @property
    def pitch(self) -> float:
        """Vertical pixel pitch in mm (text height is measured vertically)."""
        return self.height_mm / self.height

    @property
    def large(self) -> bool:
        """4.2" and larger: the state must read from 2 m."""
        return min(self.width_mm, self.height_mm) >= 60


PANELS = (
    Panel('7.5" 800x480', 800, 480, 163.2, 97.92),
    Panel('7.5" upright 480x800', 480, 800, 97.92, 163.2),
    Panel('7.5" V1 640x384', 640, 384, 163.2, 97.92),
    Panel('4.2" 400x300', 400, 300, 84.8, 63.6),
    Panel('2.9" 296x128', 296, 128, 66.89, 29.05),
    Panel('2.13" 250x122', 250, 122, 48.55, 23.71),
)


def panel_for(width: int, height: int) -> Panel:
    """The panel of ``width`` x ``height`` px (either orientation); an unknown size gets
    :data:`DEFAULT_PITCH`."""
    for panel in PANELS:
        if (panel.width, panel.height) == (width, height):
            return panel
        if (panel.height, panel.width) == (width, height):
            return Panel(panel.name, width, height, panel.height_mm, panel.width_mm)
    return Panel(f"{width}x{height}", width, height, width * DEFAULT_PITCH, height * DEFAULT_PITCH)


def px_for_mm(mm: float, width: int, height: int) -> int:
    """Whole pixels that are at least ``mm`` high on the panel of ``width`` x ``height``."""
    return math.ceil(mm / panel_for(width, height).pitch - 1e-9)


def ink_height(image: Image.Image, line: DrawnText) -> int:
    """Pixels from the highest ink of ``line`` down to its baseline, measured in
    ``image``: the cap height of a word that starts with a capital, the digit height of
    a time. 0 when none of its ink is found."""
    rgb = image.convert("RGB")
    x0, y0, x1, _y1 = line.box
    for y in range(max(0, y0), min(line.baseline, rgb.height)):
        for x in range(max(0, x0), min(x1, rgb.width)):
            if rgb.getpixel((x, y)) == line.ink:
                return line.baseline - y
    return 0


def measure(rendered: Rendered) -> dict[str, float]:
    """The tallest ink height in mm of each role drawn in ``rendered`` (``state``,
    ``until_time``, ``current``, ``next``, ...), measured in its image."""
    width, height = rendered.image.size
    pitch = panel_for(width, height).pitch
    heights: dict[str, float] = {}
    for line in rendered.drawn:
        if line.role:
            mm = round(ink_height(rendered.image, line) * pitch, 2)
            heights[line.role] = max(heights.get(line.role, 0.0), mm)
    return heights
