"""Layouts on every panel size: not blank, text inside, state region as the state says."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
import qrcode
from epaper_satellite.fonts import FontSet
from epaper_satellite.layouts import plan
from epaper_satellite.render import (
    Rendered,
    render_blank,
    render_notice,
    render_room,
    room_view,
    to_panel_image,
)
from epaper_satellite.schedule import zone
from epaper_satellite.wire import MAX_QR_BYTES, parse_data
from PIL import Image

from tests.fixtures.vectors import load_vectors
from tests.satellite.conftest import room_payload

SIZES = [(800, 480), (640, 384), (400, 300), (296, 128), (250, 122)]
ALL_SIZES = SIZES + [(h, w) for w, h in SIZES]
BERLIN = zone("Europe/Berlin")
MORNING = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)  # free until 11:00 Berlin
SOON = dt.datetime(2026, 11, 27, 9, 50, tzinfo=dt.UTC)
MEETING = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.UTC)
URL = "https://odoo.example.com/room/AB12/book"
LONG_TITLE = "Quarterly planning with the extended leadership team, guests and a long agenda"


def _data(**changes: object) -> object:
    payload = room_payload(
        events=[
            {
                "title": LONG_TITLE,
                "start": "2026-11-27T10:00:00Z",
                "end": "2026-11-27T11:00:00Z",
                "organizer": "A. Smith",
            },
            {
                "title": "Secret merger talks",
                "start": "2026-11-27T12:00:00Z",
                "end": "2026-11-27T13:00:00Z",
                "private": True,
                "organizer": "B. Jones",
            },
            {"title": "Retro", "start": "2026-11-27T14:00:00Z", "end": "2026-11-27T15:00:00Z"},
        ],
        message={"text": "Fire drill at 14:00", "until": None},
        qr=URL,
    )
    payload.update(changes)
    return parse_data(json.dumps(payload).encode(), None)


def _render(
    now: dt.datetime, size: tuple[int, int], colors: str = "bw", **changes: object
) -> Rendered:
    assert BERLIN is not None
    view = room_view(_data(**changes), now, BERLIN)  # type: ignore[arg-type]
    return render_room(view, size[0], size[1], colors)


def _ink_share(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Share of non-white pixels in ``box``."""
    region = image.convert("RGB").crop(box)
    pixels = region.width * region.height
    white = sum(
        count for count, color in region.getcolors(pixels) or [] if color == (255, 255, 255)
    )
    return 1 - white / pixels


def _texts(rendered: Rendered) -> str:
    return "\n".join(text for text, _ in rendered.texts)


@pytest.mark.parametrize("colors", ["bw", "bwr"])
@pytest.mark.parametrize("size", ALL_SIZES, ids=[f"{w}x{h}" for w, h in ALL_SIZES])
def test_layout_on_every_size(size: tuple[int, int], colors: str) -> None:
    """Each size draws something, keeps all text inside the panel, and shows the state."""
    for now, state, busy in ((MORNING, "Free", False), (MEETING, "Busy", True)):
        rendered = _render(now, size, colors)
        image = rendered.image
        assert image.size == size
        assert image.mode == ("1" if colors == "bw" else "P")
        assert 0.03 < _ink_share(image, (0, 0, *size)) < 0.9
        assert rendered.texts, "no text drawn"
        for text, (x0, y0, x1, y1) in rendered.texts:
            assert 0 <= x0 <= x1 <= size[0], f"{text!r} leaves the panel horizontally"
            assert 0 <= y0 <= y1 <= size[1], f"{text!r} leaves the panel vertically"
        state_box = rendered.regions["state"]
        words = [text for text, box in rendered.texts if _inside(box, state_box)]
        assert state in words
        share = _ink_share(image, state_box)
        assert share > 0.5 if busy else share < 0.35, f"state region ink {share:.2f}"


def _inside(box: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


def test_state_words_and_times() -> None:
    """Free / Busy with the local time they last until; free for 30 minutes or more:
    walk-ins are welcome; a meeting within 15 minutes is no red "Starting soon", the
    room is free until it starts."""
    free = _texts(_render(MORNING, (800, 480)))
    assert "until 11:00" in free
    assert "Walk-ins welcome" in free
    soon = _texts(_render(SOON, (800, 480))).split("\n")
    assert "Free" in soon and "until 11:00" in soon
    assert "Walk-ins welcome" not in soon and "Starting soon" not in soon
    busy = _texts(_render(MEETING, (800, 480)))
    assert "Busy" in busy
    assert "until 12:00" in busy


def test_long_titles_are_cut_with_an_ellipsis() -> None:
    """A title too long for its lines ends with an ellipsis, on every size."""
    for size in ALL_SIZES:
        texts = _texts(_render(MEETING, size))
        assert LONG_TITLE not in texts
        assert "…" in texts


def test_private_events_show_booked_only() -> None:
    """A private event's title and organizer never appear."""
    noon = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)
    for size in ALL_SIZES:
        texts = _texts(_render(noon, size))
        assert "Secret" not in texts
        assert "B. Jones" not in texts
    assert "Booked" in _texts(_render(noon, (800, 480)))


def test_agenda_lists_the_rest_of_today() -> None:
    """Large panels list today's meetings after NOW and NEXT, never those again."""
    for size in [(800, 480), (480, 800), (400, 300)]:
        rendered = _render(MORNING, size, qr=None)
        texts = [text for text, _ in rendered.texts]
        assert "Later today" in texts
        assert "Retro" in texts
        assert sum(LONG_TITLE[:20] in text for text in texts) == 1, texts  # NEXT only


def test_banner_offline_and_stale_marks() -> None:
    """The message banner shows; offline and stale marks appear when due."""
    assert BERLIN is not None
    data = _data()
    fresh = render_room(room_view(data, MORNING, BERLIN), 800, 480)  # type: ignore[arg-type]
    assert "Fire drill at 14:00" in _texts(fresh)
    assert "OFFLINE" not in _texts(fresh)
    assert "Not current" not in _texts(fresh)
    late = dt.datetime(2026, 11, 27, 21, 30, tzinfo=dt.UTC)
    for size in ALL_SIZES:
        marked = render_room(room_view(data, late, BERLIN, online=False), *size)  # type: ignore[arg-type]
        shown = _texts(marked).split("\n")
        assert "OFFLINE" in shown
        # Stale content never reads as a live Free: the headline says so, with the date.
        assert "Not current" in shown and "Free" not in shown, shown
        assert any("27" in line and "Updated" in line for line in shown), shown


def test_message_ends_at_its_until() -> None:
    """A message with 'until' disappears after it."""
    assert BERLIN is not None
    data = _data(message={"text": "Closed for cleaning", "until": "2026-11-27T09:00:00Z"})
    assert "Closed" in _texts(render_room(room_view(data, MORNING, BERLIN), 800, 480))  # type: ignore[arg-type]
    assert "Closed" not in _texts(render_room(room_view(data, MEETING, BERLIN), 800, 480))  # type: ignore[arg-type]


EDGE_QRS = [
    case["payload"]["qr"]
    for case in load_vectors("data")["cases"]
    if case["valid"] and len((case["payload"].get("qr") or "").encode()) == MAX_QR_BYTES
]


@pytest.mark.parametrize(
    ("size", "text"),
    [((800, 480), URL), ((296, 128), URL)] + [((800, 480), text) for text in EDGE_QRS],
    ids=["800x480", "296x128"] + [f"edge-{n}" for n in range(len(EDGE_QRS))],
)
def test_qr_code_matches_its_text(size: tuple[int, int], text: str) -> None:
    """The QR code drawn reads back, module by module, as the payload's qr; the longest
    the contract admits (1024 bytes of UTF-8, in any script) too."""
    rendered = _render(MORNING, size, qr=text)
    assert rendered.problems == []
    x0, y0, x1, _ = rendered.regions["qr"]
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    scale = (x1 - x0) // len(matrix)
    image = rendered.image.convert("L")
    read = [
        [
            image.getpixel((x0 + c * scale + scale // 2, y0 + r * scale + scale // 2)) == 0
            for c in range(len(matrix))
        ]
        for r in range(len(matrix))
    ]
    assert read == matrix


@pytest.mark.parametrize(
    ("size", "text"),
    [((250, 122), "https://x/" + "a" * (MAX_QR_BYTES - 10)), ((800, 480), "\u4f1a" * 1024)],
    ids=["too-dense-for-the-panel", "more-than-a-qr-code-holds"],
)
def test_a_qr_that_cannot_be_drawn_leaves_the_room(size: tuple[int, int], text: str) -> None:
    """The room is drawn without the QR code (no hole for it) and ``problems`` says why."""
    assert BERLIN is not None
    view = replace(room_view(_data(), MORNING, BERLIN), qr=text)  # type: ignore[arg-type]
    rendered = render_room(view, *size)
    without = render_room(replace(view, qr=None), *size)
    assert "qr" not in rendered.regions
    assert rendered.image.tobytes() == without.image.tobytes()
    assert len(rendered.problems) == 1 and rendered.problems[0].startswith("qr not drawn")


@pytest.mark.parametrize(
    ("title", "script"),
    [("Совещание отдела продаж", "Cyrillic"), ("会議室 東京", "CJK"), ("Ελληνικά", "Greek")],
)
def test_non_latin_text_draws_glyphs(title: str, script: str) -> None:
    """Non-Latin room names render as ink (real glyphs, or boxes where no font has them)."""
    assert BERLIN is not None
    data = _data(room=title)
    rendered = render_room(room_view(data, MORNING, BERLIN), 800, 480)  # type: ignore[arg-type]
    box = next(box for text, box in rendered.texts if text == title)
    inverted = rendered.image.convert("L").crop(box).point(lambda v: 255 - v)
    assert inverted.getbbox() is not None, f"{script} title drew nothing"


def test_colors_use_only_the_panels_inks() -> None:
    """bwr and bwy images hold white, black and their accent only."""
    for colors, accent in (("bwr", (255, 0, 0)), ("bwy", (255, 255, 0))):
        image = _render(MEETING, (800, 480), colors).image.convert("RGB")
        inks = {color for _, color in image.getcolors(800 * 480) or []}
        assert inks == {(255, 255, 255), (0, 0, 0), accent}


def test_notice_and_blank_screens() -> None:
    """Service screens draw their title; the blank screen is all white."""
    notice = render_notice("Test", "Hello from Odoo テスト", "reception", width=250, height=122)
    assert "Test" in _texts(notice)
    assert _ink_share(notice.image, (0, 0, 250, 122)) > 0.02
    blank = render_blank(296, 128, "bwr")
    assert _ink_share(blank.image, (0, 0, 296, 128)) == 0


def test_palette_mapping_is_exact() -> None:
    """Pure inks map to themselves; bw gives a 1-bit image."""
    image = Image.new("RGB", (2, 1), (255, 255, 255))
    image.putpixel((1, 0), (0, 0, 0))
    mapped = to_panel_image(image, "bw")
    assert mapped.mode == "1"
    assert [mapped.getpixel((0, 0)), mapped.getpixel((1, 0))] == [255, 0]


def test_layout_without_default_fonts() -> None:
    """Without DejaVu, Pillow's scalable default font still draws the screen."""
    assert BERLIN is not None
    fonts = FontSet(fallbacks=[])
    fonts.regular = fonts.bold = None
    rendered = render_room(room_view(_data(), MEETING, BERLIN), 400, 300, "bw", fonts)  # type: ignore[arg-type]
    assert "Busy" in _texts(rendered)
    assert _ink_share(rendered.image, rendered.regions["state"]) > 0.5


def test_plan_regions_do_not_overlap() -> None:
    """The state, details, agenda and QR boxes never overlap."""
    for width, height in ALL_SIZES:
        layout = plan(width, height, message=True, qr=True)
        boxes = [
            b for b in (layout.state, layout.details, layout.agenda, layout.qr, layout.banner) if b
        ]
        for index, first in enumerate(boxes):
            for second in boxes[index + 1 :]:
                overlap_x = min(first[2], second[2]) - max(first[0], second[0])
                overlap_y = min(first[3], second[3]) - max(first[1], second[1])
                assert overlap_x <= 0 or overlap_y <= 0, (layout.name, first, second)


@pytest.mark.parametrize("size", ALL_SIZES, ids=[f"{w}x{h}" for w, h in ALL_SIZES])
def test_all_day_booking_says_so_on_every_size(size: tuple[int, int]) -> None:
    """An all-day booking never shows as 00:00-00:00 (or 12:00 AM-12:00 AM)."""
    assert BERLIN is not None
    events = [
        {
            "title": "Offsite",
            "start": "2026-11-26T23:00:00Z",
            "end": "2026-11-27T23:00:00Z",
            "all_day": True,
        }
    ]
    for locale in ("en-GB", "en-US"):
        data = _data(events=events, message=None, qr=None, locale=locale)
        texts = _texts(render_room(room_view(data, MEETING, BERLIN), *size))  # type: ignore[arg-type]
        assert "00:00" not in texts
        assert "12:00\u202fAM" not in texts
        assert "All day" in texts
