"""Exponential reconnect (and retry) delays with jitter."""

from __future__ import annotations

import random


class Backoff:
    """Exponential reconnect delay with jitter, reset after a connection that held."""

    def __init__(self, first: float = 1.0, maximum: float = 60.0) -> None:
        self.first = first
        self.maximum = maximum
        self.attempt = 0

    def next_delay(self) -> float:
        """Return the next delay in seconds."""
        delay = min(self.maximum, self.first * (2**self.attempt))
        self.attempt = min(self.attempt + 1, 16)
        return delay * random.uniform(0.8, 1.0)

    def reset(self) -> None:
        """Start again from the first delay."""
        self.attempt = 0
