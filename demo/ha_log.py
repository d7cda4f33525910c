"""Read Home Assistant's log for what it says about one integration."""

from __future__ import annotations

import re

# "2026-12-06 22:14:13.123 WARNING (MainThread) [homeassistant.loader] text"
RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? (?P<level>[A-Z]+) \((?P<thread>[^)]*)\) "
    r"\[(?P<logger>[^\]]+)\] (?P<text>.*)$"
)
PROBLEM_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})
# Home Assistant says this once for every custom integration; it is not about our code.
NOT_TESTED_NOTICE = "which has not been tested by Home Assistant"


def integration_problems(log_text: str, domain: str) -> list[str]:
    """Return the warning and error records of ``log_text`` that concern ``domain``.

    A record concerns the integration when its logger is ``custom_components.<domain>``
    (or below) or its text names the domain (Home Assistant's deprecation reports say
    "custom integration '<domain>'"). Continuation lines (tracebacks) belong to the record
    above them. Home Assistant's notice that a custom integration is not tested by it is
    left out. Each problem is returned as its first line.
    """
    problems: list[str] = []
    current: list[str] = []
    logger_prefix = f"custom_components.{domain}"

    def close() -> None:
        if not current:
            return
        match = RECORD.match(current[0])
        assert match is not None
        whole = "\n".join(current)
        about_us = match["logger"].startswith(logger_prefix) or domain in whole
        if match["level"] in PROBLEM_LEVELS and about_us and NOT_TESTED_NOTICE not in whole:
            problems.append(current[0])

    for line in log_text.splitlines():
        if RECORD.match(line):
            close()
            current = [line]
        elif current:
            current.append(line)
    close()
    return problems
