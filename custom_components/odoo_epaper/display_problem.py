"""Whether a display has a problem, and which: one rule for every entity that shows it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from .display_state import DisplayState
from .freshness import Freshness


class ProblemReason(StrEnum):
    """The states of the problem reason sensor (the Problem binary sensor's ``reason``)."""

    NONE = "none"
    NEVER_CONNECTED = "never_connected"
    OFFLINE = "offline"
    ERROR = "error"
    BEHIND = "behind"


def problem_reason(
    state: DisplayState | None, listening: bool, fresh: Freshness, now: datetime
) -> ProblemReason | None:
    """Return a display's problem at ``now`` (UTC); None while unknown.

    In this order: ``never_connected`` (Odoo knows it, and the broker sent the hub no
    status of it although the hub ``listening`` under its prefix got the retained ones),
    ``offline`` (its last will or a clean stop), ``error`` (its status names an error:
    rejected input or a fault), ``behind`` (online and showing other content than the hub
    published for BEHIND_GRACE), else ``none``. Unknown: no status yet and the hub's
    subscription not confirmed yet (the first second after setup).
    """
    if state is None or state.status is None:
        return ProblemReason.NEVER_CONNECTED if listening else None
    if not state.status.online:
        return ProblemReason.OFFLINE
    if state.error is not None:
        return ProblemReason.ERROR
    if fresh.lagging(now):
        return ProblemReason.BEHIND
    return ProblemReason.NONE


def connected(state: DisplayState | None, listening: bool) -> bool | None:
    """Return whether a display is online: off for one that never reported; None while
    the hub's subscription under its prefix is not confirmed yet and no status came."""
    if state is None or state.status is None:
        return False if listening else None
    return state.status.online
