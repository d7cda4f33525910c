"""Door actions in flight: a key press becomes an ``/action``, its ``/ack`` its result.

A press shows a confirmation at once and publishes ``{prefix}{device}/action``
(DESIGN.md 3a, QoS 1). Requests made while the broker is away wait and are sent on
reconnect (:meth:`DoorActions.flush`). The answer (``/ack`` with the same ``id``) ends
the confirmation: the room again (with the hub's new ``/data``) when Odoo accepted it,
the reason when it refused. No answer within ``answer_timeout`` seconds shows "No
answer"; a late answer is still shown for ``KEEP`` seconds after the press.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from .keys import KeyBinding
from .wire import Ack, ActionRequest

_LOGGER = logging.getLogger(__name__)
KEEP = 300.0  # seconds a request waits for a late answer
RESULT_SECONDS = 8.0  # seconds a refusal or "no answer" stays on the panel

TITLES = {
    "book_now": "Book {minutes} min",
    "extend": "Extend {minutes} min",
    "end_now": "End meeting",
    "check_in": "Check in",
}
# The error codes of the addon's rules (epaper_booking) and the hub, in words.
REASONS = {
    "room_busy": "The room is in use right now.",
    "room_free": "No meeting is running.",
    "too_short": "The room is booked again in less than 5 minutes.",
    "not_free_after": "The room is booked right after this meeting.",
    "nothing_to_check_in": "No meeting to check in to.",
    "overlap": "The room is already booked then.",
    "forbidden": "Not allowed for this room.",
    "not_allowed": "This action is switched off for the doors.",
    "too_long": "That is longer than doors may book.",
    "odoo_unavailable": "Odoo cannot be reached. Try again later.",
}
NO_ANSWER = "No answer. Nothing was changed unless the sign updates; try again later."


@dataclass
class _Pending:
    request: ActionRequest
    pressed_at: float
    published: bool = False
    timed_out: bool = False


def title_of(request: ActionRequest) -> str:
    """Return the words of a request's title, e.g. ``Book 30 min``."""
    return TITLES[request.action].format(minutes=request.minutes or 15)


class DoorActions:
    """The requests of one door: ``publish`` sends one (False: not connected), ``show``
    puts an overlay (title, text, seconds), ``clear`` ends it."""

    def __init__(
        self,
        *,
        publish: Callable[[ActionRequest], bool],
        show: Callable[[str, str, float], None],
        clear: Callable[[], None],
        answer_timeout: float,
        monotonic: Callable[[], float],
        new_id: Callable[[], str] = lambda: f"k-{secrets.token_hex(6)}",
    ) -> None:
        """Keep the callbacks; nothing is pending yet."""
        self.publish = publish
        self.show = show
        self.clear = clear
        self.answer_timeout = answer_timeout
        self.monotonic = monotonic
        self.new_id = new_id
        self.pending: dict[str, _Pending] = {}

    def press(self, binding: KeyBinding) -> ActionRequest:
        """Turn a key press into a request: confirm on the panel, publish (or queue)."""
        request = ActionRequest(id=self.new_id(), action=binding.action, minutes=binding.minutes)
        pending = _Pending(request, self.monotonic())
        self.pending[request.id] = pending
        _LOGGER.info("Key %d: %s (%s)", binding.pin, request.action, request.id)
        self.show(title_of(request), "Asking Odoo...", self.answer_timeout + RESULT_SECONDS)
        pending.published = self.publish(request)
        return request

    def flush(self) -> None:
        """Publish the requests made while not connected (call when online again)."""
        for pending in self.pending.values():
            if not pending.published:
                pending.published = self.publish(pending.request)

    def answer(self, ack: Ack) -> bool:
        """Show the result of the request ``ack.id``; False when it is not ours."""
        pending = self.pending.pop(ack.id, None)
        if pending is None:
            return False
        _LOGGER.info("Answer to %s: ok=%s error=%s", ack.id, ack.ok, ack.error)
        if ack.ok:
            self.clear()
        else:
            reason = REASONS.get(ack.error or "", ack.error or "Refused.")
            self.show(title_of(pending.request), reason, RESULT_SECONDS)
        return True

    def tick(self) -> None:
        """Say "No answer" for requests past ``answer_timeout``; forget them after KEEP."""
        now = self.monotonic()
        for request_id, pending in list(self.pending.items()):
            waited = now - pending.pressed_at
            if waited >= KEEP:
                del self.pending[request_id]
            elif waited >= self.answer_timeout and not pending.timed_out:
                pending.timed_out = True
                _LOGGER.warning("No answer to %s within %.0f s", request_id, waited)
                self.show(title_of(pending.request), NO_ANSWER, RESULT_SECONDS)
