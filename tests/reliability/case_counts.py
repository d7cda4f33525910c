"""Record how many bad-input cases a test tried, for ``docs/reliability.md``.

Tests call :func:`record`; it appends a JSON line to the file named by the
``EPAPER_CASE_COUNTS`` environment variable and does nothing when it is unset.
``python -m tests.reliability.report_cases`` runs the tests with it set and
prints the table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

COUNTS_ENV = "EPAPER_CASE_COUNTS"


def record(consumer: str, source: str, cases: int) -> None:
    """Note that ``cases`` inputs from ``source`` (hypothesis, hand-written...) hit ``consumer``."""
    target = os.environ.get(COUNTS_ENV)
    if not target:
        return
    line = json.dumps({"consumer": consumer, "source": source, "cases": cases})
    with Path(target).open("a", encoding="utf-8") as stream:
        stream.write(line + "\n")


class Counter:
    """Counts examples inside a hypothesis test, then records them once."""

    def __init__(self, consumer: str, source: str = "hypothesis") -> None:
        """Start at zero."""
        self.consumer = consumer
        self.source = source
        self.cases = 0

    def __call__(self) -> None:
        """Count one case."""
        self.cases += 1

    def record(self) -> None:
        """Write the count."""
        record(self.consumer, self.source, self.cases)
