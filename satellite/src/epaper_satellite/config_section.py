"""Typed access to one table of the configuration file, collecting every problem.

A bad value is noted (``[section] key: why``) and read as its default, so that one pass
over a file finds all of its problems; :mod:`.config` raises them together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class Section:
    """Typed access to one TOML table, remembering which keys were read.

    A bad value is noted in ``problems`` (shared by all sections of a file) and read as
    its default, so that one pass finds every problem of the file.
    """

    def __init__(
        self, name: str, table: object, source: str, base_dir: Path, problems: list[str]
    ) -> None:
        self.problems = problems
        self.is_table = isinstance(table, dict)
        if not isinstance(table, dict):
            problems.append(f"{source}: [{name}] must be a table")
            table = {}
        self.base_dir = base_dir
        self.name = name
        self.table: dict[str, Any] = table
        self.source = source
        self.known: set[str] = set()

    def problem(self, key: str, why: str) -> None:
        """Note that ``key`` cannot be used, and why."""
        self.problems.append(f"{self.source}: [{self.name}] {key}: {why}")

    def _get(self, key: str) -> Any:
        self.known.add(key)
        return self.table.get(key)

    def string(
        self, key: str, default: str | None = None, *, required: bool = False, secret: bool = False
    ) -> str | None:
        """Return a string value (a ``secret`` one is never repeated in the error)."""
        value = self._get(key)
        if value is None:
            if required and self.is_table:  # a section that is no table is one problem
                self.problem(key, "is required")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            shown = f"a value of type {type(value).__name__}" if secret else repr(value)
            self.problem(key, f"must be a non-empty string, got {shown}")
            return default
        return value

    def path(self, key: str, default: Path | None = None) -> Path | None:
        """Return a path value; relative paths are taken from the config file's folder."""
        value = self.string(key)
        return self.base_dir / Path(value).expanduser() if value else default

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        """Return an integer within [low, high]."""
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(key, f"must be an integer from {low} to {high}, got {value!r}")
            return default
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        """Return a number within [low, high]."""
        value = self._get(key)
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            self.problem(key, f"must be a number from {low:g} to {high:g}, got {value!r}")
            return default
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        """Return a boolean."""
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, got {value!r}")
            return default
        return value

    def choice(self, key: str, default: Any, choices: tuple[Any, ...]) -> Any:
        """Return one of ``choices``."""
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or value not in choices:
            allowed = ", ".join(repr(choice) for choice in choices)
            self.problem(key, f"must be one of {allowed}, got {value!r}")
            return default
        return value

    def unknown(self) -> list[str]:
        """Return warnings for keys nobody read."""
        return [
            f"{self.source}: [{self.name}] {key}: unknown key, ignored"
            for key in sorted(set(self.table) - self.known)
        ]
