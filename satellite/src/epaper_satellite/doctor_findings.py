"""What ``epaper-satellite check`` reports: a finding per line, with its level and fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Level(enum.Enum):
    """How bad a finding is."""

    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """One line of the report: an area, a level, what was found and what to do."""

    area: str
    level: Level
    text: str
    fix: str | None = None
