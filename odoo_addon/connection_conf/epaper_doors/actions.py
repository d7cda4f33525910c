"""A door's ``/action`` request and its ``/ack`` answer (DESIGN 3a), as the hub reads them
(``custom_components/odoo_epaper/wire.py``); plain Python, no ``odoo`` import.

tests/vectors/actions.json feeds this module and the hub's alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

DOOR_ACTIONS = ("book_now", "extend", "end_now", "check_in")
_WITH_MINUTES = ("book_now", "extend")
MAX_ACTION_ID_CHARS = 64
MAX_ACTION_MINUTES = 24 * 60
MAX_JSON_DEPTH = 32
MAX_PAYLOAD_BYTES = 64 * 1024


class ActionError(ValueError):
    """An ``/action`` the contract refuses: ``reason`` is the vectors' code, ``ack_id`` the
    id to answer on ``/ack`` (None: not even an id, so nobody to answer)."""

    def __init__(self, reason: str, detail: str, ack_id: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.ack_id = ack_id


@dataclass(frozen=True, kw_only=True)
class DoorAction:
    """A door's request: ``action`` (DOOR_ACTIONS), ``minutes`` for book_now / extend."""

    id: str
    action: str
    minutes: int | None = None


def json_depth(value: Any) -> int:
    """How deeply ``value`` (parsed JSON) nests objects and arrays (0 for a scalar)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def _load(raw: bytes) -> Any:
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise ActionError("json", "payload over 64 KiB")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ActionError("encoding", "not UTF-8") from err
    except (ValueError, RecursionError) as err:
        raise ActionError("json", f"not valid JSON: {str(err)[:80]}") from err
    if json_depth(obj) > MAX_JSON_DEPTH:
        raise ActionError("json", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(obj, dict):
        raise ActionError("not_object", f"not a JSON object but {type(obj).__name__}")
    return obj


def parse_action(raw: bytes) -> DoorAction:
    """Validate an ``/action`` payload; raise ActionError with the vectors' reason."""
    obj = _load(raw)
    action_id = obj.get("id")
    if not isinstance(action_id, str) or not 0 < len(action_id) <= MAX_ACTION_ID_CHARS:
        raise ActionError("id", f"id must be a string of 1 to {MAX_ACTION_ID_CHARS} characters")
    if any("\ud800" <= char <= "\udfff" for char in action_id):
        raise ActionError("encoding", "id holds a lone surrogate escape")
    action = obj.get("action")
    if not isinstance(action, str) or action not in DOOR_ACTIONS:
        raise ActionError("action", f"action must be one of {', '.join(DOOR_ACTIONS)}", action_id)
    minutes = obj.get("minutes")
    if minutes is not None and (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 1 <= minutes <= MAX_ACTION_MINUTES
    ):
        raise ActionError("minutes", "minutes must be an integer from 1 to 1440", action_id)
    if minutes is None and action == "book_now":
        raise ActionError("minutes", "book_now needs minutes", action_id)
    if minutes is not None and action not in _WITH_MINUTES:
        raise ActionError("minutes", f"{action} takes no minutes", action_id)
    return DoorAction(id=action_id, action=action, minutes=minutes)


def ack_payload(action_id: str, *, ok: bool, error: str | None) -> bytes:
    """Return the ``/ack`` bytes answering request ``action_id`` (``error``: a code)."""
    answer = {"id": action_id, "ok": ok, "error": None if ok else error}
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
