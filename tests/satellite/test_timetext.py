"""Times, dates and spans on the sign: CLDR formats, all-day and multi-day, DST fall-back."""

from __future__ import annotations

import datetime as dt

import pytest
from epaper_satellite.i18n import Words, resolve_locale
from epaper_satellite.schedule import Event, zone
from epaper_satellite.timetext import TimeText, ambiguous
from hypothesis import given
from hypothesis import strategies as st

BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")
UTC = dt.UTC


def _times(tag: str, tz: dt.tzinfo | None = BERLIN) -> TimeText:
    assert tz is not None
    locale = resolve_locale(tag)
    return TimeText(locale, tz, Words(locale))


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _event(start: str, end: str, *, all_day: bool = False) -> Event:
    return Event(title="x", start=_at(start), end=_at(end), all_day=all_day)


def _plain(text: str) -> str:
    """CLDR puts narrow no-break spaces before AM/PM; compare with plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2009", " ")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en-US", "2:30 PM"),
        ("en", "2:30 PM"),
        ("en-GB", "14:30"),
        ("de-DE", "14:30"),
        ("fr", "14:30"),
        ("ko", "오후 2:30"),
        ("ja", "14:30"),
    ],
)
def test_hour_cycle_follows_cldr(tag: str, expected: str) -> None:
    """12- or 24-hour clock as the locale's CLDR data says."""
    assert _plain(_times(tag).time(_at("2026-11-27T13:30:00Z"))) == expected


def test_weekday_and_dates_are_localized() -> None:
    """Weekday names and dates in the locale's words and order."""
    moment = _at("2026-11-28T09:00:00Z")  # a Saturday
    today = dt.date(2026, 11, 27)
    assert _plain(_times("en-US").at(moment, today)) == "Sat, 10:00 AM"
    assert _times("de-DE").at(moment, today) == "Sa., 10:00"
    assert _times("de-DE").date(dt.date(2026, 11, 27)) == "Fr., 27. Nov."
    later = _at("2026-12-09T09:00:00Z")
    assert "Dez." in _times("de-DE").at(later, today)


@pytest.mark.parametrize("tag", ["en", "de-DE", "fr", "ja", "ar", "he", "ko", "zh"])
def test_all_day_says_so_in_words(tag: str) -> None:
    """An all-day booking says "All day" in the locale, never 00:00-00:00."""
    times = _times(tag)
    today = dt.date(2026, 11, 27)
    event = _event("2026-11-26T23:00:00Z", "2026-11-27T23:00:00Z", all_day=True)
    span = times.span(event, today)
    assert span == times.words.gettext("All day")
    assert "00:00" not in span
    assert "0:00" not in _plain(span)


def test_all_day_on_another_day_and_over_several_days() -> None:
    """Another day shows its date; several days show the first and last date."""
    times = _times("en-US")
    today = dt.date(2026, 11, 27)
    tomorrow = _event("2026-11-27T23:00:00Z", "2026-11-28T23:00:00Z", all_day=True)
    assert _plain(times.span(tomorrow, today)) == "Sat, Nov 28 · All day"
    fair = _event("2026-11-27T23:00:00Z", "2026-11-30T23:00:00Z", all_day=True)
    assert _plain(times.span(fair, today)) == "Sat, Nov 28 \u2013 Mon, Nov 30"
    german = _times("de-DE").span(fair, today)
    assert "28." in german
    assert "30." in german


def test_multi_day_timed_booking_shows_its_dates() -> None:
    """A timed booking over several days names both dates."""
    times = _times("de-DE")
    event = _event("2026-11-27T08:00:00Z", "2026-11-29T16:00:00Z")
    span = times.span(event, dt.date(2026, 11, 27))
    assert span == "Fr., 27. Nov., 09:00\u2013So., 29. Nov., 17:00"


def test_same_day_span_is_short() -> None:
    """A booking today is just its two times."""
    event = _event("2026-11-27T09:00:00Z", "2026-11-27T10:30:00Z")
    assert _times("de-DE").span(event, dt.date(2026, 11, 27)) == "10:00\u201311:30"
    assert _plain(_times("en-US").span(event, dt.date(2026, 11, 27))) == "10:00 AM\u201311:30 AM"


def test_repeated_hour_of_a_fall_back_is_unambiguous() -> None:
    """The two 02:30s of 25 October 2026 in Berlin read differently on the door."""
    times = _times("de-DE")
    first, second = _at("2026-10-25T00:30:00Z"), _at("2026-10-25T01:30:00Z")
    assert ambiguous(times.local(first))
    assert times.time(first) == "02:30 CEST"
    assert times.time(second) == "02:30 CET"
    assert times.time(_at("2026-10-25T03:30:00Z")) == "04:30"  # outside the repeated hour


def test_a_booking_never_reads_the_same_at_both_ends() -> None:
    """02:30 CEST to 02:30 CET is an hour: never "02:30-02:30"."""
    event = _event("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")
    span = _times("de-DE").span(event, dt.date(2026, 10, 25))
    assert span == "02:30 CEST\u201302:30 CET"
    short = _event("2026-11-27T09:00:00Z", "2026-11-27T09:00:30Z")
    first, last = _times("de-DE").span(short, dt.date(2026, 11, 27)).split("\u2013")
    assert first != last


@given(
    start=st.datetimes(
        min_value=dt.datetime(2026, 1, 1),
        max_value=dt.datetime(2027, 12, 31),
        timezones=st.just(UTC),
    ),
    minutes=st.integers(min_value=1, max_value=3 * 24 * 60),
    tag=st.sampled_from(["en-US", "de-DE", "ja", "ar"]),
    zone_name=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
)
def test_spans_differ_at_both_ends(
    start: dt.datetime, minutes: int, tag: str, zone_name: str
) -> None:
    """For any booking of a minute or more, in any zone, the two ends read differently."""
    tz = zone(zone_name)
    start = start.replace(second=0, microsecond=0)
    event = Event(title="x", start=start, end=start + dt.timedelta(minutes=minutes))
    times = _times(tag, tz)
    span = times.span(event, times.local(start).date())
    first, _, last = span.partition("\u2013")
    assert first != last, span
