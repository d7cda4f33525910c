"""What the hub remembers of each door's ``/action`` requests: first answers and pace.

Replays. ``/action`` is QoS 1: a request may arrive twice. The satellite's paho client
sends an unacknowledged request again when it reconnects, however long it was away, and
a door may send it again itself while it waits for the answer (up to five minutes). A
request whose ``id`` the door already used gets the first answer again and is not
performed again (DESIGN 3a). The hub keeps the answers of each door's last
:data:`IDS_PER_DOOR` requests for :data:`REMEMBER_SECONDS` (a day: longer than any
resend a door makes and than the outages a door rides out), for at most
:data:`MAX_DOORS` doors: some kilobytes per door, bounded whatever the doors send.

Floods. Each door has a token bucket: :data:`BURST` requests at once, then one more
every :data:`REFILL_SECONDS` seconds (ten a minute, more than a person pressing keys).
A request past that is refused with :data:`THROTTLED` and not remembered, so the same
request sent again later is performed. Plain Python, no Home Assistant imports.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

REMEMBER_SECONDS = 24 * 3600.0
IDS_PER_DOOR = 32
MAX_DOORS = 1024
BURST = 5
REFILL_SECONDS = 6.0
THROTTLED = "throttled"

Door: TypeAlias = tuple[str, str]  # (topic prefix, device name)
Outcome: TypeAlias = "asyncio.Future[str | None]"  # the refusal code, or None: performed


@dataclass
class _DoorState:
    """One door's remembered requests (id -> when, outcome; oldest first) and bucket."""

    tokens: float
    refilled_at: float
    answers: OrderedDict[str, tuple[float, Outcome]] = field(default_factory=OrderedDict)


class DoorMemory:
    """The first answers and the pace of every door's requests (see the module text).

    ``monotonic`` gives seconds (``time.monotonic`` unless a test passes its own clock).
    Call from the event loop only.
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        """Remember nothing yet."""
        self._monotonic = monotonic
        self._doors: OrderedDict[Door, _DoorState] = OrderedDict()

    def _state(self, door: Door) -> _DoorState:
        now = self._monotonic()
        state = self._doors.get(door)
        if state is None:
            if len(self._doors) >= MAX_DOORS:
                self._doors.popitem(last=False)  # the door heard from longest ago
            state = self._doors[door] = _DoorState(tokens=BURST, refilled_at=now)
        self._doors.move_to_end(door)
        for request_id, (seen, outcome) in list(state.answers.items()):
            if now - seen < REMEMBER_SECONDS:
                break
            if outcome.done():
                del state.answers[request_id]
        return state

    def recall(self, door: Door, request_id: str) -> Outcome | None:
        """Return the outcome of an earlier request ``request_id`` of ``door`` (it may
        still be running: await it, shielded), or None when the id is new."""
        state = self._state(door)
        remembered = state.answers.get(request_id)
        return None if remembered is None else remembered[1]

    def admit(self, door: Door) -> bool:
        """Take one token of ``door``'s bucket; False when it is empty (throttled)."""
        state = self._state(door)
        now = self._monotonic()
        state.tokens = min(BURST, state.tokens + (now - state.refilled_at) / REFILL_SECONDS)
        state.refilled_at = now
        if state.tokens < 1:
            return False
        state.tokens -= 1
        return True

    def remember(self, door: Door, request_id: str) -> Outcome:
        """Start remembering a new request; set the returned future's result to its
        answer (a refusal code, or None) once it is known."""
        state = self._state(door)
        outcome: Outcome = asyncio.get_running_loop().create_future()
        state.answers[request_id] = (self._monotonic(), outcome)
        while len(state.answers) > IDS_PER_DOOR:
            state.answers.popitem(last=False)
        return outcome

    def __len__(self) -> int:
        """Return how many answers are remembered, over every door."""
        return sum(len(state.answers) for state in self._doors.values())
