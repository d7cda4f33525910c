"""Times, dates and booking spans as the sign writes them: CLDR formats through Babel.

The hour cycle (``14:30`` or ``2:30 PM``), weekday and month names and the order of
date and time come from the locale's CLDR data. A local time in the repeated hour of a
daylight-saving fall-back carries its zone abbreviation (``02:30 CEST`` then
``02:30 CET``), and a span never reads the same at both ends.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    format_time,
    get_datetime_format,
)

from .i18n import N_, SignLocale, Words
from .schedule import Event

EN_DASH = "\u2013"
ALL_DAY = N_("All day")


def ambiguous(local: dt.datetime) -> bool:
    """True when the wall-clock time of ``local`` (aware) happens twice in its zone."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


class TimeText:
    """Write instants of one room (``tz``) in one locale; all inputs are aware datetimes."""

    def __init__(self, sign_locale: SignLocale, tz: dt.tzinfo, words: Words) -> None:
        """Keep the locale, the room's zone and the words (for "All day")."""
        self.locale = sign_locale.locale
        self.tz = tz
        self.words = words
        self._joiner = str(get_datetime_format("short", locale=self.locale))

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Return ``moment`` in the room's zone."""
        return moment.astimezone(self.tz)

    def time(self, moment: dt.datetime, *, seconds: bool = False) -> str:
        """Short local time (``14:30``, ``2:30 PM``), with the zone when the hour repeats."""
        local = self.local(moment)
        text = format_time(
            local, "medium" if seconds else "short", tzinfo=self.tz, locale=self.locale
        )
        if ambiguous(local):
            text = f"{text} {local.tzname()}"
        return str(text)

    def weekday(self, moment: dt.datetime) -> str:
        """Abbreviated local weekday name (``Fri``, ``Fr.``)."""
        return str(format_date(self.local(moment).date(), "EEE", locale=self.locale))

    def date(self, day: dt.date) -> str:
        """Weekday, day and month (``Fri, Nov 27``, ``Fr., 27. Nov.``)."""
        return str(format_skeleton("MMMEd", day, locale=self.locale))

    def _join(self, date_text: str, time_text: str) -> str:
        return self._joiner.replace("{1}", date_text).replace("{0}", time_text)

    def weekday_time(self, moment: dt.datetime) -> str:
        """Weekday and time (``Fri, 2:30 PM``), for instants within the coming week."""
        return self._join(self.weekday(moment), self.time(moment))

    def date_time(self, moment: dt.datetime, *, seconds: bool = False) -> str:
        """Date and time (``Fri, Nov 27, 2:30 PM``)."""
        return self._join(self.date(self.local(moment).date()), self.time(moment, seconds=seconds))

    def at(self, moment: dt.datetime, today: dt.date) -> str:
        """The time alone on ``today``, with the weekday within a week, else with the date."""
        day = self.local(moment).date()
        if day == today:
            return self.time(moment)
        if today < day < today + dt.timedelta(days=7):
            return self.weekday_time(moment)
        return self.date_time(moment)

    def all_day_dates(self, event: Event) -> tuple[dt.date, dt.date]:
        """First and last local day of an all-day booking (its end is the midnight after)."""
        first = self.local(event.start).date()
        last = self.local(event.end - dt.timedelta(microseconds=1)).date()
        return first, max(first, last)

    def span(self, event: Event, today: dt.date) -> str:
        """When a booking takes place, as one line.

        All day: "All day" (today), the date (another day) or the dates (several days).
        Timed: ``10:00-11:00`` (an en dash); with weekdays or dates when it is not today or spans
        several days; never the same text at both ends.
        """
        if event.all_day:
            first, last = self.all_day_dates(event)
            if first == last:
                word = self.words.gettext(ALL_DAY)
                return word if first == today else f"{self.date(first)} · {word}"
            return str(format_interval(first, last, "MMMEd", locale=self.locale))
        start_day = self.local(event.start).date()
        end_day = self.local(event.end - dt.timedelta(microseconds=1)).date()
        if end_day != start_day:
            first, last = self.date_time(event.start), self.date_time(event.end)
        else:
            first, last = self.at(event.start, today), self.time(event.end)
        if first == last:
            first = self.date_time(event.start, seconds=True)
            last = self.date_time(event.end, seconds=True)
        return f"{first}{EN_DASH}{last}"
