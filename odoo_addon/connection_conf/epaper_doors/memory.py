"""What the addon remembers of each door's ``/action`` requests: first answers and pace,
with the hub's bounds (``custom_components/odoo_epaper/door_memory.py``, DESIGN 3a).

A request whose ``id`` the door already used within :data:`REMEMBER_SECONDS` (the door's
last :data:`IDS_PER_DOOR` ids) gets the first answer again and is not performed again; a
door may send :data:`BURST` requests at once, then one every :data:`REFILL_SECONDS`; a
request past that is answered :data:`THROTTLED`, not performed and not remembered.
Thread-safe; plain Python, no ``odoo`` import.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

REMEMBER_SECONDS = 24 * 3600.0
IDS_PER_DOOR = 32
MAX_DOORS = 1024
BURST = 5
REFILL_SECONDS = 6.0
THROTTLED = "throttled"

Door = tuple[str, str]  # (topic prefix, device name)


class Outcome:
    """The answer of one request: ``wait()`` returns its refusal code (None: performed)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._code: str | None = None

    def set(self, code: str | None) -> None:
        """Record the answer (once)."""
        if not self._done.is_set():
            self._code = code
            self._done.set()

    def done(self) -> bool:
        """Whether the answer is known."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> str | None:
        """Return the refusal code once known; TimeoutError after ``timeout`` seconds."""
        if not self._done.wait(timeout):
            raise TimeoutError("the first request is still running")
        return self._code


@dataclass
class _DoorState:
    tokens: float
    refilled_at: float
    answers: OrderedDict[str, tuple[float, Outcome]] = field(default_factory=OrderedDict)


class DoorMemory:
    """The first answers and the pace of every door's requests (see the module text).

    ``monotonic`` gives seconds (``time.monotonic`` unless a test passes its own clock).
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._doors: OrderedDict[Door, _DoorState] = OrderedDict()
        self._lock = threading.Lock()

    def _state(self, door: Door) -> _DoorState:
        now = self._monotonic()
        state = self._doors.get(door)
        if state is None:
            if len(self._doors) >= MAX_DOORS:
                self._doors.popitem(last=False)
            state = self._doors[door] = _DoorState(tokens=BURST, refilled_at=now)
        self._doors.move_to_end(door)
        for request_id, (seen, outcome) in list(state.answers.items()):
            if now - seen < REMEMBER_SECONDS:
                break
            if outcome.done():
                del state.answers[request_id]
        return state

    def recall(self, door: Door, request_id: str) -> Outcome | None:
        """Return the outcome of an earlier request ``request_id`` of ``door`` (it may still
        be running: ``wait`` for it), or None when the id is new."""
        with self._lock:
            remembered = self._state(door).answers.get(request_id)
            return None if remembered is None else remembered[1]

    def admit(self, door: Door) -> bool:
        """Take one token of ``door``'s bucket; False when it is empty (throttled)."""
        with self._lock:
            state = self._state(door)
            now = self._monotonic()
            state.tokens = min(BURST, state.tokens + (now - state.refilled_at) / REFILL_SECONDS)
            state.refilled_at = now
            if state.tokens < 1:
                return False
            state.tokens -= 1
            return True

    def remember(self, door: Door, request_id: str) -> Outcome:
        """Start remembering a new request; ``set`` the returned outcome once answered."""
        with self._lock:
            state = self._state(door)
            outcome = Outcome()
            state.answers[request_id] = (self._monotonic(), outcome)
            while len(state.answers) > IDS_PER_DOOR:
                state.answers.popitem(last=False)
            return outcome

    def __len__(self) -> int:
        """How many answers are remembered, over every door."""
        with self._lock:
            return sum(len(state.answers) for state in self._doors.values())
