"""Checks of single values of the MQTT wire contract (names, times, sizes, JSON)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from .wire import MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES, is_valid_device_name, json_depth

Payload = bytes | bytearray | str
MAX_TEXT_CHARS = 500
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WireError(ValueError):
    """A payload that breaks the wire contract; ``reason`` is the vectors' reason code."""

    def __init__(self, reason: str, message: str) -> None:
        """Keep the reason code beside the message."""
        super().__init__(message)
        self.reason = reason


def is_device_name(value: object) -> bool:
    """Return whether ``value`` is a display's device name (not a reserved one)."""
    return isinstance(value, str) and is_valid_device_name(value)


def parse_timestamp(value: object) -> datetime:
    """Return an ISO 8601 time with a UTC offset as an aware UTC datetime."""
    if not isinstance(value, str):
        raise WireError("timestamp", f"not a time: {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise WireError("timestamp", f"not an ISO 8601 time: {value!r}") from err
    if parsed.tzinfo is None:
        raise WireError("timestamp", f"time without a UTC offset: {value!r}")
    try:
        return parsed.astimezone(UTC)
    except OverflowError as err:  # e.g. 0001-01-01T00:00:00+14:00
        raise WireError("timestamp", f"time out of range in UTC: {value!r}") from err


def decode_text(payload: Payload) -> str:
    """Return the payload as text, enforcing the size limit and UTF-8."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", errors="surrogatepass")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise WireError("size", f"payload of {len(payload)} bytes is over 64 KiB")
    try:
        return bytes(payload).decode("utf-8")
    except UnicodeDecodeError as err:
        raise WireError("encoding", "payload is not UTF-8") from err


def clean_text(value: str) -> str:
    """Return a text fit to store and show: no controls, no lone surrogates, 500 characters."""
    text = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROLS.sub("", text)[:MAX_TEXT_CHARS]


def load_json(text: str) -> Any:
    """Parse JSON text; anything Python's parser refuses or chokes on is a WireError, and
    so is nesting deeper than the contract's ``MAX_JSON_DEPTH`` (whatever the Python:
    3.14's parser no longer stops at deep nesting by itself)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise WireError("json", f"not valid JSON: {err.msg}") from err
    except (ValueError, RecursionError) as err:
        raise WireError("json", "JSON too deep or with a number too long") from err
    if json_depth(value) > MAX_JSON_DEPTH:
        raise WireError("json", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def decode_json_object(payload: Payload) -> dict[str, Any]:
    """Return the payload as a JSON object, or raise WireError."""
    value = load_json(decode_text(payload))
    if not isinstance(value, dict):
        raise WireError("not_object", "not a JSON object")
    return value
