"""The legibility budget, measured in the drawn image on every supported panel size.

On 4.2" and larger panels the state word and the digits of its until-time are at least
6 mm high (read from 2 m); on smaller panels neither is smaller than the current or
next meeting's title. Heights are the ink of each line in the panel image, from its
highest pixel to its baseline, at the panel's pixel pitch (Waveshare's display areas).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from epaper_satellite.legibility import DISTANCE_MM, PANELS, Panel, ink_height, measure
from epaper_satellite.render import Rendered, render_room, room_view
from epaper_satellite.schedule import zone
from epaper_satellite.wire import parse_data
from PIL import ImageDraw

from tests.satellite.conftest import room_payload

BERLIN = zone("Europe/Berlin")
EVENTS = [
    {"title": "Quarterly planning", "start": "2026-11-27T09:00:00Z",
     "end": "2026-11-27T10:05:00Z", "organizer": "A. Smith"},
    {"title": "Customer visit: ACME", "start": "2026-11-27T11:00:00Z",
     "end": "2026-11-27T12:00:00Z"},
    {"title": "Retro", "start": "2026-11-27T14:00:00Z", "end": "2026-11-27T15:00:00Z"},
]  # fmt: skip
# (name, now in UTC): busy until 11:05, free until 12:00 (10 minutes), free until 15:00.
MOMENTS = [("busy", "09:30"), ("free briefly", "10:50"), ("free", "12:10")]
LOCALES = ["en-US", "de-DE", "es", "el", "fr"]


def _render(panel: Panel, now: str, locale: str, colors: str = "bw", **changes: object) -> Rendered:
    payload = room_payload(events=EVENTS, locale=locale, **changes)
    data = parse_data(json.dumps(payload).encode(), None)
    moment = dt.datetime.fromisoformat(f"2026-11-27T{now}:00+00:00")
    assert BERLIN is not None
    return render_room(room_view(data, moment, BERLIN), panel.width, panel.height, colors)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("name", "now"), MOMENTS, ids=[name for name, _ in MOMENTS])
@pytest.mark.parametrize("panel", PANELS, ids=[panel.name for panel in PANELS])
def test_state_and_until_time_meet_the_budget(
    panel: Panel, name: str, now: str, locale: str
) -> None:
    """The state word and its until-time are tall enough for the panel's distance."""
    for colors in ("bw", "bwr"):
        heights = measure(_render(panel, now, locale, colors))
        titles = max(heights.get("current", 0.0), heights.get("next", 0.0))
        assert titles > 0, (name, heights)
        floor = DISTANCE_MM if panel.large else titles
        assert heights["state"] >= floor, (name, heights)
        assert heights["until_time"] >= floor, (name, heights)


@pytest.mark.parametrize("panel", PANELS, ids=[panel.name for panel in PANELS])
def test_the_titles_stay_readable_up_close(panel: Panel) -> None:
    """Meeting titles are at least 1.5 mm (2 mm on 4.2" and larger) high."""
    heights = measure(_render(panel, "09:30", "en-US"))
    least = 2.0 if panel.large else 1.5
    assert heights["current"] >= least, heights
    assert heights.get("next", least) >= least, heights  # small panels: NOW only, when busy


def test_the_measure_reads_the_ink_not_the_font_size() -> None:
    """A line whose pixels are wiped measures 0; one drawn measures its cap height."""
    rendered = _render(PANELS[0], "09:30", "en-US")
    line = next(line for line in rendered.drawn if line.role == "until_time")
    assert ink_height(rendered.image, line) > 20
    wiped = rendered.image.convert("RGB")
    ImageDraw.Draw(wiped).rectangle(line.box, fill=(0, 128, 0))  # no panel ink
    assert ink_height(wiped, line) == 0
