"""Changing the locale changes every fixed word on every layout (and every service screen)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import string
from typing import Any

import pytest
from epaper_satellite.door_actions import REASONS, DoorActions
from epaper_satellite.fonts import default_fonts
from epaper_satellite.i18n import LANGUAGES, Words, resolve_locale
from epaper_satellite.keys import KeyBinding
from epaper_satellite.mqtt_codes import (
    CONNECTED,
    CONNECTING,
    LOGIN,
    REFUSED,
    TLS,
    UNREACHABLE,
)
from epaper_satellite.render import Rendered, render_room, room_view
from epaper_satellite.schedule import zone
from epaper_satellite.screens import draw_notice, identify_notice, notice_for_test, text_notice
from epaper_satellite.setup_screen import render_setup_screen
from epaper_satellite.wire import Ack, parse_data

from tests.satellite.conftest import room_payload
from tests.satellite.test_i18n import _extracted

BERLIN = zone("Europe/Berlin")
SIZES = [(800, 480), (480, 800), (400, 300), (296, 128), (250, 122)]
LINKS = (CONNECTED, CONNECTING, LOGIN, REFUSED, UNREACHABLE, TLS)
LARGE = {(800, 480), (480, 800)}


def _event(title: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "start": f"2026-11-27T{start}Z", "end": f"2026-11-27T{end}Z", **extra}


DAY = [
    _event("Q4 Planung", "10:00:00", "11:00:00", organizer="A. Smith"),
    _event("Geheim", "12:00:00", "13:00:00", private=True),
    _event("Retro", "14:00:00", "15:00:00"),
]
MANY = [
    _event(
        f"Sprint {n}",
        f"{12 + n // 2:02d}:{30 * (n % 2):02d}:00",
        f"{12 + n // 2:02d}:{30 * (n % 2) + 29:02d}:00",
    )
    for n in range(16)
]
ALL_DAY = [
    {
        "title": "Messe",
        "start": "2026-11-26T23:00:00Z",
        "end": "2026-11-28T23:00:00Z",
        "all_day": True,
    }
]
ALL_DAY_TODAY = [
    {
        "title": "Inventur",
        "start": "2026-11-26T23:00:00Z",
        "end": "2026-11-27T23:00:00Z",
        "all_day": True,
    }
]
CHECK_IN = [
    _event("Q4 Planung", "10:00:00", "11:00:00", check_in_until="2026-11-27T10:10:00Z"),
]
# (name, payload changes, now (UTC, 27 Nov 2026; Berlin is an hour ahead), online)
SCENARIOS: list[tuple[str, dict[str, Any], str, bool]] = [
    ("free with agenda", {"events": DAY}, "08:00", True),
    ("starting soon", {"events": DAY}, "09:50", True),
    (
        "busy, offline and stale",
        {"events": DAY, "valid_until": "2026-11-27T10:00:00Z"},
        "10:30",
        False,
    ),
    ("private booking now", {"events": DAY}, "12:30", True),
    ("nothing left today", {"events": DAY}, "15:30", True),
    ("nothing booked at all", {"events": []}, "08:00", True),
    ("more than fit", {"events": MANY}, "08:00", True),
    ("all day over two days", {"events": ALL_DAY}, "08:00", True),
    ("all day today", {"events": ALL_DAY_TODAY}, "08:00", True),
    ("check-in due", {"events": CHECK_IN}, "10:05", True),
]


def _room(
    language: str, changes: dict[str, Any], now: str, online: bool, size: tuple[int, int]
) -> Rendered:
    payload = room_payload(locale=language, **changes)
    data = parse_data(json.dumps(payload).encode(), None)
    moment = dt.datetime.fromisoformat(f"2026-11-27T{now}:00+00:00")
    assert BERLIN is not None
    return render_room(room_view(data, moment, BERLIN, online=online), *size, "bw")


def _clock_wrong(language: str, size: tuple[int, int]) -> Rendered:
    """The room while the clock is two days behind the hub's: a warning, no state."""
    data = parse_data(json.dumps(room_payload(locale=language, events=DAY)).encode(), None)
    moment = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    assert BERLIN is not None
    view = room_view(data, moment, BERLIN, clock_behind=dt.timedelta(days=2))
    return render_room(view, *size, "bw")


def _door_actions(language: str, size: tuple[int, int]) -> list[Rendered]:
    """Every screen a key press can lead to: asking, each refusal, no answer."""
    locale = resolve_locale(language)
    clock = [0.0]
    words: list[Words] = []
    shown: list[Rendered] = []
    now = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    assert BERLIN is not None

    def new_words() -> Words:
        words.append(Words(locale))
        return words[-1]

    def show(title: str, text: str, _seconds: float) -> None:
        notice = text_notice(title, text, "reception", now, BERLIN, locale)
        rendered = draw_notice(notice, width=size[0], height=size[1])
        rendered.messages = set(words[-1].used)
        shown.append(rendered)

    ids = iter(f"k{n}" for n in range(100))
    actions = DoorActions(
        publish=lambda _request: True,
        show=show,
        clear=lambda: None,
        answer_timeout=10,
        monotonic=lambda: clock[0],
        new_id=lambda: next(ids),
        words=new_words,
    )
    for pin, action, minutes in [(5, "book_now", 30), (6, "extend", 15), (13, "end_now", None)]:
        actions.press(KeyBinding(pin=pin, action=action, minutes=minutes))
    keys = [
        KeyBinding(pin=5, action="book_now", minutes=30),
        KeyBinding(pin=6, action="extend", minutes=15),
        KeyBinding(pin=13, action="end_now"),
        KeyBinding(pin=19, action="check_in"),
    ]
    for index, code in enumerate([*REASONS, "some_new_code", None]):
        request = actions.press(keys[index % len(keys)])  # each outcome's headline
        actions.answer(Ack(id=request.id, ok=False, error=code))
    actions.press(KeyBinding(pin=19, action="check_in"))
    clock[0] = 11.0
    actions.tick()
    return shown


def _notices(language: str, size: tuple[int, int]) -> list[Rendered]:
    locale = resolve_locale(language)
    now = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    assert BERLIN is not None
    notices = [
        notice_for_test(locale, "reception", None, now, BERLIN),
        identify_notice(locale, "reception", now, BERLIN),
    ]
    # The setup screen for each broker link on the large panels (whose words are checked
    # whole), two of them on each small one.
    index = SIZES.index(size)
    links = LINKS if size in LARGE else (LINKS[index % 6], LINKS[(index + 3) % 6])
    setups = [
        render_setup_screen(
            "reception", "epd7in5_V2", width=size[0], height=size[1], link=link, locale=locale
        )
        for link in links
    ]
    drawn = [draw_notice(notice, width=size[0], height=size[1]) for notice in notices]
    return [*drawn, *setups, *_door_actions(language, size)]


@functools.lru_cache(maxsize=len(SIZES))
def _english(size: tuple[int, int]) -> list[Rendered]:
    return _screens("en", size)


def _screens(language: str, size: tuple[int, int]) -> list[Rendered]:
    rooms = [_room(language, changes, now, online, size) for _, changes, now, online in SCENARIOS]
    return [*rooms, _clock_wrong(language, size), *_notices(language, size)]


def _pattern(*messages: str, squashed: bool = False) -> re.Pattern[str]:
    """Messages as one regular expression: their fixed words (as whole words), any text
    for their placeholders; ``squashed``: without whitespace, to search :func:`_squash`."""
    choices = []
    for message in messages:
        parts = []
        for literal, name, _, _ in string.Formatter().parse(message):
            parts.append(re.escape(_squash(literal) if squashed else literal))
            if name:
                parts.append(".+?")
        first, last = re.match(r"\w", message[0]), re.match(r"\w", message[-1])
        edges = ("", "") if squashed else (r"\b" if first else "", r"\b" if last else "")
        choices.append(edges[0] + "".join(parts) + edges[1])
    return re.compile("|".join(choices))


def _squash(text: str) -> str:
    return "".join(text.split())


def _own(words: Words, message: str) -> re.Pattern[str]:
    """The language's own text of a message (every plural form), as the fonts draw it."""
    catalog = words._catalog
    if "{count}" in message:
        forms = {catalog.ngettext(message, message, n) for n in range(1, 120)}
    else:
        forms = {catalog.gettext(message)}
    return _pattern(*(default_fonts().shown(form, 20) for form in forms), squashed=True)


def _text(rendered: Rendered) -> str:
    """Everything drawn, lines joined (a sentence may wrap)."""
    return " ".join(text for text, _ in rendered.texts)


def test_the_screens_use_every_message() -> None:
    """The scenarios below reach every fixed word in the catalog (so the test sees them all)."""
    drawn: set[str] = set()
    for size in SIZES:
        for rendered in _english(size):
            drawn |= {m for m in rendered.messages if _pattern(m).search(_text(rendered))}
    assert drawn == set(_extracted())


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_fixed_word_follows_the_locale(language: str, size: tuple[int, int]) -> None:
    """No English fixed word is left on any screen in another language; its own words are."""
    words = Words(resolve_locale(language))
    for english, translated in zip(_english(size), _screens(language, size), strict=True):
        assert translated.messages == english.messages
        text = _text(translated)
        for message in english.messages:
            assert not _pattern(message).search(text), (message, text)
            if size in LARGE and _pattern(message).search(_text(english)):
                assert _own(words, message).search(_squash(text)), (message, text)
