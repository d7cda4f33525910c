"""One drawing of the room screen: what its parts share, and what the state block says."""

from __future__ import annotations

import datetime as dt

from .canvas import Canvas
from .i18n import N_, Words
from .layouts import Layout
from .room_view import RoomView
from .schedule import WALK_IN, Event
from .state_block import BUSY, CLOCK_WRONG, FREE, NOT_CURRENT, UNTIL, StateText, timed
from .timetext import TimeText

BOOKED = N_("Booked")
UPDATED = N_("Updated {time}")
REST_OF_DAY = N_("for the rest of the day")


class Sign:
    """One drawing of the room screen: canvas, layout, words and time formats."""

    def __init__(self, view: RoomView, canvas: Canvas, layout: Layout) -> None:
        """Keep what the parts of the screen share."""
        self.view = view
        self.canvas = canvas
        self.layout = layout
        self.words = Words(view.locale)
        self.times = TimeText(view.locale, view.tz, self.words)
        self.today = view.now.astimezone(view.tz).date()
        self.day_after = self.today + dt.timedelta(days=1)
        self.day_bar = False  # the day's timeline is drawn

    def title(self, event: Event) -> str:
        """The title to show: private events (and untitled ones) say "Booked"."""
        return event.title.strip() if event.shows_title else self.words.gettext(BOOKED)

    def span(self, event: Event) -> str:
        """When ``event`` takes place, in the sign's locale."""
        return self.times.span(event, self.today)

    def check_in_line(self, event: Event) -> str:
        """ "Check in by 10:10" while ``event`` waits for someone to check in at the door."""
        deadline = event.check_in_until
        if deadline is None or not event.start <= self.view.now < deadline:
            return ""
        return self.words.gettext("Check in by {time}", time=self.times.at(deadline, self.today))

    def state_text(self) -> StateText:
        """What the state block says: not current, clock wrong, busy or free, and until."""
        view, words, times = self.view, self.words, self.times
        if view.clock_behind is not None:
            return StateText(words.gettext(CLOCK_WRONG), small=True)
        if view.stale_since is not None:
            stamp = times.date_time(view.stale_since)
            return StateText(words.gettext(NOT_CURRENT), words.gettext(UPDATED, time=stamp))
        state, until = view.state.state, view.state.until
        word = words.gettext(BUSY) if state == "busy" else words.gettext(FREE)
        local = times.local(until) if until is not None else None
        if local is None or (local.time() == dt.time(0) and local.date() == self.day_after):
            if state == "busy" and local is None:
                return StateText(word)
            return StateText(word, words.gettext(REST_OF_DAY))
        if local.time() == dt.time(0):
            last = self.times.date(local.date() - dt.timedelta(days=1))
            return StateText(word, words.gettext("through {date}", date=last))
        return timed(words, UNTIL, times.at(local, self.today), word)

    def walk_in(self) -> bool:
        """True when the room is free now and stays free for more than :data:`WALK_IN`."""
        view = self.view
        if view.stale_since is not None or view.clock_behind is not None:
            return False
        state = view.state
        if state.state == "busy":
            return False
        return state.next is None or state.next.start - view.now > WALK_IN
