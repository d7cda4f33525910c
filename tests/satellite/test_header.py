"""The whole room name on every panel size and rotation (field case 16), agenda titles."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from epaper_satellite.fonts import default_fonts
from epaper_satellite.layouts import plan
from epaper_satellite.render import Rendered, render_room, room_view
from epaper_satellite.schedule import zone
from epaper_satellite.wire import parse_data

from tests.satellite.conftest import room_payload

BERLIN = zone("Europe/Berlin")
NOW = dt.datetime(2026, 11, 27, 8, 30, tzinfo=dt.UTC)
SIZES = [(480, 800), (800, 480), (400, 300), (296, 128), (250, 122)]
FIELD_NAMES = [
    "Konferenzraum Nord",
    "Besprechungsraum Süd 2",
    "Konferenzraum Geschäftsführung Erdgeschoss Nord",
]
# The kind: long names in other scripts and without spaces.
OTHER_NAMES = [
    "Salle de réunion du conseil d’administration",  # noqa: RUF001
    "Sala riunioni grande piano terra",
    "第一会議室（本館三階 東側）",  # noqa: RUF001
    "قاعة الاجتماعات الكبرى في الطابق الأرضي",
    "Αίθουσα Συνεδριάσεων Διοικητικού Συμβουλίου",
]


def _render(room: str, size: tuple[int, int], **changes: object) -> Rendered:
    payload = room_payload(room=room, **changes)
    data = parse_data(json.dumps(payload).encode(), None)
    assert BERLIN is not None
    return render_room(room_view(data, NOW, BERLIN), *size, "bw")


def _header_lines(rendered: Rendered) -> list[tuple[str, tuple[int, int, int, int]]]:
    x0, y0, x1, y1 = rendered.regions["header"]
    return [
        (text, box)
        for text, box in rendered.texts
        if x0 <= box[0] and box[2] <= x1 and y0 <= box[1] and box[3] <= y1 + 1
    ]


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("room", FIELD_NAMES + OTHER_NAMES)
def test_the_whole_room_name_is_shown(room: str, size: tuple[int, int]) -> None:
    """The header holds the whole name (one or two lines), never cut with an ellipsis."""
    rendered = _render(room, size)
    lines = _header_lines(rendered)
    whole = _squash(default_fonts().shown(room, 20, True))  # without fonts: what they cover
    name = [text for text, _ in lines if _squash(text) and _squash(text) in whole]
    assert _squash("".join(name)) == whole, f"header shows {lines}"
    assert not any(text.endswith("…") for text, _ in lines)
    assert len(name) <= 2
    for _, box in lines:
        assert box[0] >= 0 and box[2] <= size[0]


def test_a_short_name_keeps_one_line_and_full_size() -> None:
    """Short names are not shrunk, and keep the "Updated" stamp beside them."""
    rendered = _render("Lab", (800, 480))
    lines = _header_lines(rendered)
    assert [text for text, _ in lines][-1] == "Lab"
    assert any(text.startswith("Updated") for text, _ in lines)
    layout = plan(800, 480, message=False, qr=False)
    name_box = next(box for text, box in lines if text == "Lab")
    assert name_box[3] - name_box[1] >= layout.room_size


def test_a_name_beyond_two_lines_ends_with_an_ellipsis() -> None:
    """Only a name too long for two lines at the smallest size is cut."""
    room = "Konferenzraum " * 12
    rendered = _render(room.strip(), (250, 122))
    lines = [text for text, _ in _header_lines(rendered)]
    assert lines[-1].endswith("…")
    assert len(lines) <= 2


def test_agenda_titles_get_a_second_line_when_there_is_room() -> None:
    """With few bookings, a long agenda title wraps instead of being cut (the agenda
    lists the meetings after NEXT)."""
    title = "Quarterly planning with the extended leadership team"
    events = [
        {"title": "Stand-up", "start": "2026-11-27T11:00:00Z", "end": "2026-11-27T11:30:00Z"},
        {"title": title, "start": "2026-11-27T12:00:00Z", "end": "2026-11-27T13:00:00Z"},
    ]
    rendered = _render("Lab", (800, 480), events=events)
    agenda = rendered.regions["agenda"]
    inside = [text for text, box in rendered.texts if agenda[0] <= box[0] and box[1] >= agenda[1]]
    assert _squash(title) in _squash("".join(inside))
