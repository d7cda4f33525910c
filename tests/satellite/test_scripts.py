"""Every script drawn right: glyph coverage per character, fallbacks, right-to-left shaping.

Field cases 13 (Arabic, Hebrew, mixed), 14 (emoji) and the kinds behind them.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from epaper_satellite.fonts import CJK_FONTS, SYMBOL_FONTS, FontSet, charmap
from epaper_satellite.render import Rendered, render_room, room_view
from epaper_satellite.schedule import zone
from epaper_satellite.shaping import shaping_problem, visual_order
from epaper_satellite.wire import parse_data
from PIL import Image, ImageChops, ImageDraw, ImageFont

from tests.satellite.conftest import room_payload

RAQM = ImageFont.Layout.RAQM
BASIC = ImageFont.Layout.BASIC
HAS_CJK = any(path.is_file() for path in CJK_FONTS)
HAS_SYMBOLS = any(path.is_file() for path in SYMBOL_FONTS)
SIZES = [(800, 480), (480, 800), (400, 300), (296, 128), (250, 122)]
RTL_CASE = {
    "v": 1,
    "device": "qaa-1",
    "room": "قاعة الاجتماعات الكبرى",
    "tz": "Asia/Dubai",
    "locale": "ar",
    "events": [
        {
            "title": "اجتماع الفريق الأسبوعي",
            "start": "2026-11-27T06:00:00Z",
            "end": "2026-11-27T07:00:00Z",
            "organizer": "سارة الحربي",
        },
        {
            "title": "ישיבת צוות שבועית",
            "start": "2026-11-27T08:00:00Z",
            "end": "2026-11-27T09:00:00Z",
            "organizer": "דנה כהן",
        },
        {
            "title": "Review עם דנה: Q4 plan",
            "start": "2026-11-27T10:00:00Z",
            "end": "2026-11-27T11:00:00Z",
        },
    ],
}
EMOJI_CASE = {
    "v": 1,
    "device": "lounge",
    "room": "Lounge ☕",
    "tz": "Europe/Amsterdam",
    "events": [
        {
            "title": title,
            "start": f"2026-11-27T{start}:00Z",
            "end": f"2026-11-27T{end}:00Z",
            "organizer": "J. de Vries",
        }
        for title, start, end in [
            ("🎉 Team lunch 🍕", "10:30", "11:30"),
            ("✅ Sprint review 🚀", "13:00", "14:00"),
            ("Cake 🎂 for Ana", "15:00", "15:30"),
        ]
    ],
}
# (kind, text, needs): the fonts a kind needs besides the main face.
KINDS = [
    ("latin", "Ærø Straße Œuvre naïve", ""),
    ("combining", "Cafe\u0301 Zoe\u0308", ""),
    ("greek", "Αίθουσα Συνεδριάσεων", ""),
    ("cyrillic", "Переговорная Ёлка", ""),
    ("arabic", "قاعة الاجتماعات", ""),
    ("hebrew", "חדר ישיבות", ""),
    ("japanese", "会議室 テスト ひらがな", "cjk"),
    ("chinese", "会议室 东方", "cjk"),
    ("korean", "회의실 한국어", "cjk"),
    ("emoji", "Lunch 🍕🎉 🚀", "symbols"),
    ("symbols", "☕ ✅ ⚠ → ★", "symbols"),
    ("private use", "Room \ue000\uf8ff", "none"),
    ("unassigned", "Room \U0010ffff\U000e01ef", "none"),
    ("emoji sequence", "Dev 👩\u200d💻 team", "symbols"),
]


def _data(payload: dict[str, object]):  # type: ignore[no-untyped-def]
    return parse_data(json.dumps(payload).encode(), None)


def _render(
    payload: dict[str, object], now: str, size: tuple[int, int], fonts: FontSet
) -> Rendered:
    data = _data(payload)
    tz = zone(data.tz or "UTC")
    assert tz is not None
    moment = dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
    return render_room(room_view(data, moment, tz), *size, "bw", fonts)


def _assert_every_glyph_real(rendered: Rendered) -> None:
    """Each character of each drawn run is in its font's cmap: no .notdef box anywhere."""
    assert rendered.runs
    for run, path in rendered.runs:
        covered = charmap(path)
        missing = [f"U+{ord(char):04X}" for char in run if ord(char) not in covered]
        assert not missing, f"{run!r} drawn with {path} lacking {missing}"


def _texts(rendered: Rendered) -> str:
    return "\n".join(text for text, _ in rendered.texts)


@pytest.mark.parametrize("layout", [RAQM, BASIC], ids=["shaped", "unshaped"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_field_case_13_right_to_left(size: tuple[int, int], layout: ImageFont.Layout) -> None:
    """Arabic and Hebrew draw with real glyphs with and without shaping; texts stay whole."""
    fonts = FontSet(layout=layout)
    rendered = _render(RTL_CASE, "2026-11-27T06:30:00Z", size, fonts)
    _assert_every_glyph_real(rendered)
    assert "قاعة الاجتماعات الكبرى" in _texts(rendered).replace("\n", " ")
    assert "مشغولة" in _texts(rendered)  # "Busy" in Arabic


def test_shaping_is_reported_when_missing() -> None:
    """Without raqm the satellite has a sentence for its log and status, with raqm none."""
    assert shaping_problem(RAQM) is None
    problem = shaping_problem(BASIC)
    assert problem is not None
    assert "libraqm0" in problem
    assert "libfribidi0" in problem
    assert not FontSet(layout=BASIC).shaping
    assert "no shaping" in FontSet(layout=BASIC).describe()


def _ink(fonts: FontSet, text: str, size: int = 40) -> Image.Image:
    image = Image.new("RGB", (fonts.width(text, size) + 20, size * 2), "white")
    fonts.draw(ImageDraw.Draw(image), (10, 10), text, size, fill=(0, 0, 0))
    return image.convert("1")


def _difference(first: Image.Image, second: Image.Image) -> float:
    width, height = max(first.width, second.width), max(first.height, second.height)
    canvas = [Image.new("1", (width, height), 1) for _ in range(2)]
    canvas[0].paste(first, (0, 0))
    canvas[1].paste(second, (0, 0))
    diff = ImageChops.logical_xor(canvas[0], canvas[1])
    return diff.histogram()[255] / (width * height)


def test_hebrew_is_drawn_right_to_left_when_shaping() -> None:
    """raqm draws "אבגד" as the basic layout draws its reverse: right to left."""
    shaped, basic = FontSet(layout=RAQM), FontSet(layout=BASIC)
    word = "אבגד"
    assert _difference(_ink(shaped, word), _ink(basic, word[::-1])) < 0.01
    assert _difference(_ink(shaped, word), _ink(basic, word)) > 0.05
    words = "שלום עולם"  # sub-pixel advances differ a little between the two layouts
    drawn = _ink(shaped, words)
    assert _difference(drawn, _ink(basic, words[::-1])) * 2 < _difference(drawn, _ink(basic, words))


def test_arabic_is_shaped_when_shaping() -> None:
    """raqm joins Arabic letters (contextual forms, narrower) where basic draws them apart."""
    shaped, basic = FontSet(layout=RAQM), FontSet(layout=BASIC)
    word = "الاجتماعات"
    assert shaped.width(word, 40) < basic.width(word, 40)
    assert _difference(_ink(shaped, word), _ink(basic, word[::-1])) > 0.03


def test_mixed_direction_line_orders_font_runs() -> None:
    """Runs of several fonts in a right-to-left line are placed right to left."""
    runs = [("🎉 ", "symbols"), ("اجتماع", "main"), (" 🍕", "symbols")]
    assert visual_order(runs) == list(reversed(runs))
    latin = [("Lunch ", "main"), ("🍕", "symbols")]
    assert visual_order(latin) == latin
    mixed = [("اجتماع ", "main"), ("Q4 plan", "cjk"), (" 🍕", "symbols")]
    assert visual_order(mixed) == [mixed[2], mixed[1], mixed[0]]


@pytest.mark.parametrize("with_symbols", [True, False], ids=["symbol-font", "no-symbol-font"])
def test_field_case_14_emoji(with_symbols: bool) -> None:
    """Emoji come from the symbol font when there is one, else are left out: never boxes."""
    fonts = FontSet(fallbacks=list(CJK_FONTS) + (list(SYMBOL_FONTS) if with_symbols else []))
    rendered = _render(EMOJI_CASE, "2026-11-27T10:45:00Z", (800, 480), fonts)
    _assert_every_glyph_real(rendered)
    texts = _texts(rendered)
    if with_symbols and HAS_SYMBOLS:
        assert "🎉 Team lunch 🍕" in texts
        assert "Lounge ☕" in texts
    else:
        assert "🎉" not in texts
        assert "Team lunch" in texts
        assert "Lounge" in texts


@pytest.mark.parametrize(("kind", "text", "needs"), KINDS, ids=[kind for kind, _, _ in KINDS])
@pytest.mark.parametrize("fallbacks", ["all", "none"])
def test_glyph_coverage_by_kind(kind: str, text: str, needs: str, fallbacks: str) -> None:
    """Per kind of text: drawn from a font that has each character, or left out."""
    fonts = FontSet(fallbacks=None if fallbacks == "all" else [])
    installed = {"": True, "cjk": HAS_CJK, "symbols": HAS_SYMBOLS, "none": False}[needs]
    payload = room_payload(room=text)
    payload["events"][0]["title"] = text  # type: ignore[index]
    for size in [(800, 480), (296, 128)]:
        rendered = _render(payload, "2026-11-27T10:30:00Z", size, fonts)
        _assert_every_glyph_real(rendered)
    lines = _texts(_render(payload, "2026-11-27T10:30:00Z", (800, 480), fonts)).splitlines()
    expected = fonts.shown(text, 20, True)
    assert expected in lines, f"{kind}: the header shows {lines[:3]}"
    if installed and (fallbacks == "all" or not needs):
        assert fonts.shown(text, 20, True) == text
    elif needs:
        assert len(expected) < len(text)


def test_a_character_no_font_has_draws_nothing() -> None:
    """The pixels of "a?b" with an uncovered character are those of "ab": no box."""
    fonts = FontSet()
    assert _difference(_ink(fonts, "a\U0010ffffb"), _ink(fonts, "ab")) == 0
    assert _difference(_ink(fonts, "a\ue000b"), _ink(fonts, "ab")) == 0


def test_right_to_left_locales_mirror_the_layout() -> None:
    """In Arabic the sign reads from the right: state and name on the right, agenda left."""
    fonts = FontSet()
    arabic = _render(RTL_CASE, "2026-11-27T06:30:00Z", (800, 480), fonts)
    english = _render(dict(RTL_CASE, locale="en"), "2026-11-27T06:30:00Z", (800, 480), fonts)
    assert arabic.regions["agenda"][0] == 0
    assert arabic.regions["state"][2] == 800
    assert english.regions["agenda"][2] == 800
    assert english.regions["state"][0] == 0
    name = "قاعة الاجتماعات الكبرى"
    right_edge = next(box for text, box in arabic.texts if text == name)[2]
    left_edge = next(box for text, box in english.texts if text == name)[0]
    assert 800 - right_edge == left_edge  # the same margin, on the other side
    for _text, box in arabic.texts:
        assert 0 <= box[0] <= box[2] <= 800
