"""A test message's outcome, and a pending one waiting for its ``/ack``."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class TestMessageResult:
    """Outcome of a test message: acknowledged or not, and how fast."""

    __test__ = False  # not a pytest class

    device: str
    message_id: str
    acked: bool
    ok: bool
    rtt_ms: float | None
    error: str | None

    def summary(self) -> str:
        """One line for a notification."""
        if not self.acked:
            return f"{self.device}: {self.error}"
        if self.ok:
            return f"{self.device} acknowledged the test message in {self.rtt_ms:.0f} ms"
        return f"{self.device} answered in {self.rtt_ms:.0f} ms with an error: {self.error}"


class AckWaiter:
    """A pending test message waiting for its ``/ack``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.error: str | None = None
        self.received = 0.0
