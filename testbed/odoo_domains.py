"""Odoo domain leaves on plain values: comparison operators, (i)like, and the sort order."""

from __future__ import annotations

import functools
import re
from typing import Any

from testbed.odoo_rpc import OdooRpcFault


def mentions(domain: list[Any], name: str) -> bool:
    """Whether a leaf of ``domain`` is on field ``name`` (or a path from it)."""
    return any(
        isinstance(item, list | tuple) and str(item[0]).split(".")[0] == name for item in domain
    )


def sort_key(value: Any) -> tuple[int, Any]:
    """Odoo's order: empty values first, a many2one by its name."""
    if value is False or value is None:
        return (0, "")
    if isinstance(value, list | tuple):
        return (1, str(value[-1]))
    return (1, value)


def compare(values: list[Any], operator: str, expected: Any) -> bool:
    """Whether any of a leaf's ``values`` satisfies ``operator expected``; raises
    OdooRpcFault (ValueError) for an operator Odoo does not know."""
    return any(_compare_one(value, operator, expected) for value in values)


def _compare_one(value: Any, operator: str, expected: Any) -> bool:  # noqa: PLR0911
    if operator == "=":
        return bool(value == expected or (value in (False, None) and expected in (False, None)))
    if operator == "!=":
        return not _compare_one(value, "=", expected)
    if operator == "in":
        return value in list(expected)
    if operator == "not in":
        return value not in list(expected)
    if operator in ("<", "<=", ">", ">="):
        if value in (False, None):
            return False
        return bool(
            {
                "<": value < expected,
                "<=": value <= expected,
                ">": value > expected,
                ">=": value >= expected,
            }[operator]
        )
    if operator in ("like", "ilike", "not like", "not ilike", "=ilike", "=like"):
        if value in (False, None):
            return operator.startswith("not ")
        pattern = str(expected)
        if not operator.startswith("="):
            pattern = f"%{pattern}%"  # Odoo wraps like / ilike values, wildcards and all
        found = _like(str(value), pattern, ignore_case="ilike" in operator)
        return found != operator.startswith("not ")
    raise OdooRpcFault("builtins.ValueError", f"Invalid leaf operator {operator!r}")


def _like(text: str, pattern: str, *, ignore_case: bool) -> bool:
    """PostgreSQL's LIKE / ILIKE: ``%`` any run, ``_`` one character, ``\\`` escapes."""
    if ignore_case:
        text, pattern = text.lower(), pattern.lower()
    return _like_regex(pattern).fullmatch(text) is not None


@functools.lru_cache(maxsize=4096)
def _like_regex(pattern: str) -> re.Pattern[str]:
    regex, escaped = [], False
    for char in pattern:
        if escaped:
            regex.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            regex.append(".*")
        elif char == "_":
            regex.append(".")
        else:
            regex.append(re.escape(char))
    return re.compile("".join(regex), re.DOTALL)
