"""Door actions in flight: a key press becomes an ``/action``, its ``/ack`` its result.

A press shows a confirmation at once and publishes ``{prefix}{device}/action``
(DESIGN.md 3a, QoS 1). Requests made while the broker is away wait and are sent on
reconnect (:meth:`DoorActions.flush`). The answer (``/ack`` with the same ``id``) ends
the confirmation: the room again (with the hub's new ``/data``) when Odoo accepted it,
the outcome when it refused ("Not booked", and the reason). No answer within
``answer_timeout`` seconds shows "No answer"; a late answer is still shown for ``KEEP``
seconds after the press. Every text is in the sign's language (``words``, the catalogs
of :mod:`.i18n`).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .i18n import N_, Words, resolve_locale
from .keys import KeyBinding
from .wire import Ack, ActionRequest

_LOGGER = logging.getLogger(__name__)
KEEP = 300.0  # seconds a request waits for a late answer
RESULT_SECONDS = 8.0  # seconds a refusal or "no answer" stays on the panel

TITLES = {
    "book_now": N_("Book {minutes} min"),
    "extend": N_("Extend {minutes} min"),
    "end_now": N_("End meeting"),
    "check_in": N_("Check in"),
}
# The headline of a refused request: what did not happen (the outcome), not the key.
OUTCOMES = {
    "book_now": N_("Not booked"),
    "extend": N_("Not extended"),
    "end_now": N_("Not ended"),
    "check_in": N_("Not checked in"),
}
NO_ANSWER_TITLE = N_("No answer")
# Every error code an /ack may carry (tests/vectors/actions.json, ``answers``), in words.
REASONS = {
    "room_busy": N_("The room is in use right now."),
    "room_free": N_("No meeting is running."),
    "too_short": N_("The room is booked again in less than 5 minutes."),
    "not_free_after": N_("The room is booked right after this meeting."),
    "nothing_to_check_in": N_("No meeting to check in to."),
    "overlap": N_("The room is already booked then."),
    "forbidden": N_("Not allowed for this room."),
    "not_allowed": N_("This action is switched off for the doors."),
    "too_long": N_("That is longer than doors may book."),
    "odoo_unavailable": N_("Odoo cannot be reached. Try again later."),
    "unknown_device": N_("This sign is not set up in Odoo."),
    "invalid_request": N_("The request could not be read. Try again."),
    "throttled": N_("Too many requests. Wait a minute, then try again."),
    "bad_action": N_("This sign asked for an action Odoo does not know."),
    "bad_minutes": N_("That length is not possible."),
    "bad_window": N_("That time is not possible."),
    "no_source": N_("This room cannot be booked from the door."),
    "refused": N_("Odoo refused the request."),
    "unknown_booking": N_("The meeting no longer exists."),
}
NO_ANSWER = N_("No answer. Nothing was changed unless the sign updates; try again later.")
ASKING = N_("Asking Odoo...")
REFUSED = N_("Refused.")


def english() -> Words:
    """English words (the default when no sign's locale is given)."""
    return Words(resolve_locale(None))


@dataclass
class _Pending:
    request: ActionRequest
    pressed_at: float
    published: bool = False
    timed_out: bool = False


def title_of(request: ActionRequest, words: Words | None = None) -> str:
    """Return the words of a request's title, e.g. ``Book 30 min`` (``words``: English)."""
    return (words or english()).gettext(TITLES[request.action], minutes=request.minutes or 15)


class DoorActions:
    """The requests of one door: ``publish`` sends one (False: not connected), ``show``
    puts an overlay (title, text, seconds), ``clear`` ends it; ``words`` gives the sign's
    words at the time (its locale may change with the room data)."""

    def __init__(
        self,
        *,
        publish: Callable[[ActionRequest], bool],
        show: Callable[[str, str, float], None],
        clear: Callable[[], None],
        answer_timeout: float,
        monotonic: Callable[[], float],
        new_id: Callable[[], str] = lambda: f"k-{secrets.token_hex(6)}",
        words: Callable[[], Words] = english,
    ) -> None:
        """Keep the callbacks; nothing is pending yet."""
        self.publish = publish
        self.show = show
        self.clear = clear
        self.answer_timeout = answer_timeout
        self.monotonic = monotonic
        self.new_id = new_id
        self.words = words
        self.pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def send(self, binding: KeyBinding) -> ActionRequest:
        """Turn a key press into a request and publish it now (or when online again).

        Safe from the key driver's thread: the request leaves at once (paho's publish
        wakes the main loop); the main loop then shows the confirmation (:meth:`confirm`).
        """
        request = ActionRequest(id=self.new_id(), action=binding.action, minutes=binding.minutes)
        _LOGGER.info("Key %d: %s (%s)", binding.pin, request.action, request.id)
        with self._lock:
            pending = _Pending(request, self.monotonic())
            self.pending[request.id] = pending
            pending.published = self.publish(request)
        return request

    def confirm(self, request: ActionRequest) -> None:
        """Show the confirmation of ``request`` unless its answer came already (main loop)."""
        with self._lock:
            waiting = request.id in self.pending
        if waiting:
            words = self.words()
            title, text = title_of(request, words), words.gettext(ASKING)
            self.show(title, text, self.answer_timeout + RESULT_SECONDS)

    def press(self, binding: KeyBinding) -> ActionRequest:
        """Send a request and show its confirmation (both from the main loop)."""
        request = self.send(binding)
        self.confirm(request)
        return request

    def flush(self) -> None:
        """Publish the requests made while not connected (call when online again)."""
        with self._lock:
            for pending in self.pending.values():
                if not pending.published:
                    pending.published = self.publish(pending.request)

    def answer(self, ack: Ack) -> bool:
        """Show the result of the request ``ack.id``; False when it is not ours."""
        with self._lock:
            pending = self.pending.pop(ack.id, None)
        if pending is None:
            return False
        _LOGGER.info("Answer to %s: ok=%s error=%s", ack.id, ack.ok, ack.error)
        if ack.ok:
            self.clear()
        else:
            words = self.words()
            known = REASONS.get(ack.error or "")
            reason = words.gettext(known) if known else ack.error or words.gettext(REFUSED)
            outcome = words.gettext(OUTCOMES[pending.request.action])
            self.show(outcome, reason, RESULT_SECONDS)
        return True

    def tick(self) -> None:
        """Say "No answer" for requests past ``answer_timeout``; forget them after KEEP."""
        now = self.monotonic()
        late = []
        with self._lock:
            for request_id, pending in list(self.pending.items()):
                waited = now - pending.pressed_at
                if waited >= KEEP:
                    del self.pending[request_id]
                elif waited >= self.answer_timeout and not pending.timed_out:
                    pending.timed_out = True
                    late.append((request_id, waited, pending.request))
        for request_id, waited, _request in late:
            _LOGGER.warning("No answer to %s within %.0f s", request_id, waited)
            words = self.words()
            title = words.gettext(NO_ANSWER_TITLE)
            self.show(title, words.gettext(NO_ANSWER), RESULT_SECONDS)
