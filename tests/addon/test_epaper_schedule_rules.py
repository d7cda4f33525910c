"""The addon's plain schedule rules (``epaper_schedule``), without Odoo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testbed.addon_code import load_plain_package, schedule_sources

rules: Any = load_plain_package("epaper_schedule")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Boardroom", "boardroom"),
        ("  BOARDROOM\t", "boardroom"),
        ("Boardroom,\n 2nd   floor", "boardroom, 2nd floor"),
        ("Straße", "strasse"),
        ("Su\u0308d", "süd"),  # decomposed, as typed on a Mac
        ("S\u00fcd", "süd"),  # composed (NFC)
        ("SÜD", "süd"),
        ("\uff33\u00fcd", "süd"),  # full width S
        ("\ufb01sh room", "fish room"),  # the fi ligature
        ("Board\u200broom", "boardroom"),  # a zero-width space
        ("Konferenz\u00adraum", "konferenzraum"),  # a soft hyphen
        ("\u200fBoardroom\u200e", "boardroom"),  # direction marks
        ("\u00a0Board\u2003room\u3000", "board room"),  # no-break, em and ideographic spaces
        (False, ""),
        (None, ""),
    ],
)
def test_normalize_location(text: Any, key: str) -> None:
    """NFKC and case folded, format characters dropped, whitespace runs collapsed,
    stripped; Odoo's False is empty."""
    assert rules.normalize_location(text) == key


def test_labels_and_aliases() -> None:
    """A display answers to its room label and each alias line."""
    assert rules.room_labels(" Board Room", "Boardroom, 2nd floor\n\n  BR-2 ") == {
        "board room",
        "boardroom, 2nd floor",
        "br-2",
    }
    assert rules.room_labels(None, False) == frozenset()


def test_location_domain_preselects_every_location() -> None:
    """The database cannot normalize: it preselects every row with a location (the time
    window bounds them) and Python's key decides; no label, no domain."""
    assert rules.location_domain("location", ["100% room_a"]) == [("location", "!=", False)]
    assert rules.location_domain("location", ["süd", "strasse"]) == [("location", "!=", False)]
    assert rules.location_domain("location", []) == []


@pytest.mark.parametrize(
    ("lang", "tag"),
    [("de_DE", "de-DE"), ("fr", "fr"), ("sr@latin", "sr-Latn"), ("sr_RS@latin", "sr-Latn-RS"),
     ("en_US", "en-US"), (False, None), ("", None)],
)  # fmt: skip
def test_bcp47(lang: Any, tag: str | None) -> None:
    """Odoo language codes become BCP 47 tags."""
    assert rules.to_bcp47(lang) == tag


def test_zone_chain() -> None:
    """The first valid zone wins; default_tz next; "UTC" only when none was sent."""
    assert rules.resolve_zone(False, "Mars/Olympus", "Asia/Tokyo", default_tz=None) == "Asia/Tokyo"
    assert rules.resolve_zone(False, False, False, default_tz="Europe/Berlin") == "Europe/Berlin"
    assert rules.resolve_zone(False, None, "", default_tz=None) == "UTC"
    assert rules.valid_zone("../etc/passwd") is None
    assert rules.valid_zone("x" * 5000) is None  # found by scripts/fuzz: OSError before


def test_all_day_span_in_the_displays_zone() -> None:
    """An all-day date spans local midnight to midnight (DST day: 23 hours)."""
    la = rules.all_day_span(dt.date(2026, 4, 5), dt.date(2026, 4, 5), "America/Los_Angeles")
    assert [t.isoformat() for t in la] == ["2026-04-05T07:00:00+00:00", "2026-04-06T07:00:00+00:00"]
    berlin = rules.all_day_span(dt.date(2026, 3, 29), dt.date(2026, 3, 29), "Europe/Berlin")
    assert berlin[1] - berlin[0] == dt.timedelta(hours=23)


@pytest.mark.parametrize(
    ("privacy", "default", "organizer", "attendees", "hidden"),
    [
        ("private", "public", 9, [], True),
        (False, "private", 8, [], True),
        (False, "public", 8, [], False),
        ("confidential", "private", 8, [], False),
        ("private", "public", 7, [], False),  # the reader organizes it
        ("private", "public", 9, [70], False),  # the reader attends
    ],
)
def test_odoo_hides_others_private_events(
    privacy: Any, default: str, organizer: int, attendees: list[int], hidden: bool
) -> None:
    """Odoo 18's _check_private_event_conditions, for reader 7 (partner 70)."""
    assert (
        rules.hidden_from_reader(
            privacy=privacy,
            organizer_id=organizer,
            organizer_default=default,
            attendee_partner_ids=attendees,
            reader_id=7,
            reader_partner_id=70,
        )
        is hidden
    )


@pytest.mark.parametrize(
    ("privacy", "default", "private"),
    [("public", "private", False), (False, "private", True), ("confidential", "public", True),
     (False, False, False)],
)  # fmt: skip
def test_door_privacy(privacy: Any, default: Any, private: bool) -> None:
    """The door shows private and confidential events (privacy unset: the organizer's
    default) as booked."""
    assert rules.shown_private(privacy, default) is private


def test_window_parsing() -> None:
    """ISO 8601 with Z or an offset; end after start."""
    window = rules.Window.parse("2026-04-06T00:00:00Z", "2026-04-06T03:00:00+01:00")
    assert window.end == dt.datetime(2026, 4, 6, 2, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="not after"):
        rules.Window.parse("2026-04-06T00:00:00Z", "2026-04-05T00:00:00Z")
    with pytest.raises(ValueError):
        rules.Window.parse(False, "2026-04-05T00:00:00Z")
    assert window.all_day_bounds() == ("2026-04-05", "2026-04-07")


def test_room_booking_domain() -> None:
    """Linked rooms by id, unlinked ones by a name pattern, both with an OR."""
    window = rules.Window.parse("2026-11-26T00:00:00Z", "2026-11-29T00:00:00Z")
    times = [
        ("stop_datetime", ">", "2026-11-26 00:00:00"),
        ("start_datetime", "<", "2026-11-29 00:00:00"),
    ]
    linked = rules.Display(device="a", room="A", labels=frozenset({"a"}), tz="UTC", room_id=4)
    named = rules.Display(device="b", room="B", labels=frozenset({"b"}), tz="UTC")
    source = schedule_sources()["room.booking"]
    assert source.domain(rules.RoomIndex([linked]), window) == [("room_id", "in", [4]), *times]
    assert source.domain(rules.RoomIndex([named]), window) == [
        ("room_id.name", "!=", False),
        *times,
    ]
    assert source.domain(rules.RoomIndex([linked, named]), window) == [
        "|",
        ("room_id", "in", [4]),
        ("room_id.name", "!=", False),
        *times,
    ]
    assert source.domain(rules.RoomIndex([]), window) is None


def test_sources_by_the_ids_the_addon_owns() -> None:
    """Each bridge module's source has its own id; ``auto`` is the preferred installed
    one; a model name still works (older hubs sent those); anything else is refused."""
    sources = schedule_sources()
    both = list(sources.values())
    calendar_only = [sources["calendar.event"]]
    assert [row["id"] for row in rules.source_list(both)] == ["room_booking", "calendar"]
    assert rules.choose_sources(both, None) == rules.choose_sources(
        both, ["room_booking", "calendar"]
    )
    assert [s.key for s in rules.choose_sources(both, ["auto"])] == ["room_booking"]
    assert [s.key for s in rules.choose_sources(calendar_only, ["auto"])] == ["calendar"]
    assert [s.key for s in rules.choose_sources(both, ["calendar.event"])] == ["calendar"]
    assert rules.choose_sources([], ["auto"]) == []
    for bad in (["room_booking"], "calendar", [None], ["auto", "calendar", 3], {"auto": 1}):
        with pytest.raises(ValueError, match="installed schedule sources"):
            rules.choose_sources(calendar_only, bad)


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 4, 6, 8, 0),
        dt.datetime(2026, 4, 6, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "2026-04-06 08:00:00",
        "2026-04-06T08:00:00Z",
        "2026-04-06T10:00:00+02:00",
        False,
        "",
        "not a time",
        None,
    ],
)
def test_utc_parser_is_parse_utc(value: Any) -> None:
    """The remembering parser answers as parse_utc, the first time and the next, errors too."""
    parse = rules.utc_parser()
    for _ in range(2):
        try:
            expected = rules.parse_utc(value)
        except ValueError:
            with pytest.raises(ValueError):
                parse(value)
        else:
            assert parse(value) == expected
            assert parse(value).tzinfo is not None


def test_a_stored_location_key_matches_as_the_location() -> None:
    """``at_key`` with a stored key finds the displays ``at_location`` finds for the text;
    without a key (False, None) it matches the location itself."""
    display = rules.Display(
        device="sued", room="Süd", labels=rules.room_labels("Süd", ""), tz="UTC"
    )
    index = rules.RoomIndex([display])
    for text in ("SÜD", "Su\u0308d", " süd "):
        key = rules.normalize_location(text)
        assert index.at_key(key, text) == index.at_location(text) == [display]
        assert index.at_key(False, text) == index.at_key(None, text) == [display]
    assert index.at_key("nord", "Süd") == []


ZONES = ["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati"]
T0 = dt.datetime(2026, 3, 28, tzinfo=dt.UTC)  # the week Europe changes to summer time


def _booking(draw: Any, number: int) -> Any:
    """A timed or all-day booking drawn near T0 (hypothesis' ``draw``)."""
    if draw(st.booleans()):
        first = (T0 + dt.timedelta(days=draw(st.integers(-2, 8)))).date()
        last = first + dt.timedelta(days=draw(st.integers(-1, 2)))
        return rules.Booking(f"m{number}", None, False, first_day=first, last_day=last)
    start = T0 + dt.timedelta(minutes=30 * draw(st.integers(-100, 500)))
    end = start + dt.timedelta(minutes=30 * draw(st.integers(-1, 6)))
    return rules.Booking(
        f"m{number % 3}", "o", draw(st.booleans()), start, end, ref=f"x,{number}",
        checked_in=draw(st.booleans()),
    )  # fmt: skip


@given(st.data())
def test_build_answer_is_every_entry_in_the_window_sorted(data: Any) -> None:
    """build_answer (each span once, each time formatted once) gives what event_entry gives
    for every booking at every display, kept when it overlaps the window, sorted."""
    displays = [
        rules.Display(device=f"d{i}", room="r", labels=frozenset({"r"}), tz=zone,
                      checkin_minutes=data.draw(st.sampled_from([0, 10])))
        for i, zone in enumerate(ZONES)
    ]  # fmt: skip
    placed = [
        (_booking(data.draw, n), data.draw(st.lists(st.sampled_from(displays), unique_by=id)))
        for n in range(data.draw(st.integers(0, 12)))
    ]
    window = rules.Window(T0, T0 + dt.timedelta(days=7))
    answer = rules.build_answer(displays, placed, window)
    for display, got in zip(displays, answer["displays"], strict=True):
        expected = [
            entry
            for booking, at in placed
            if display in at and window.overlaps(*booking.span(display.tz))
            for entry in [rules.event_entry(booking, display.tz, display.checkin_minutes)]
            if entry is not None
        ]
        expected.sort(key=lambda e: (e["start"], e["end"], e["title"]))
        assert got["events"] == expected
