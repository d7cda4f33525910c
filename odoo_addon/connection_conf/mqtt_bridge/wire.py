"""Wire contract v1 as the Odoo addon reads and writes it (topics, names, payloads)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json
import re
import struct
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

MAX_PAYLOAD_BYTES = 64 * 1024
DEFAULT_TOPIC_PREFIX = "odoo_epaper/"
ODOO_PEER = "_odoo"
HUB_PEER = "_hub"
STATUS_ONLINE = '{"state":"online"}'
STATUS_OFFLINE = '{"state":"offline"}'
STATES = ("online", "offline")

MAX_TEXT = 500
_DEVICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# NUL and the other C0 controls but tab and newline, DEL, and lone UTF-16 surrogates:
# PostgreSQL refuses NUL and psycopg2 cannot encode a surrogate, so one such text would
# fail the whole batch of statuses it arrives with.
_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_STATUS_FIELD_TYPES: dict[str, type] = {
    "version": str,
    "panel": str,
    "width": int,
    "height": int,
    "colors": str,
    "content_hash": str,
    "rc": int,
}


class WireError(ValueError):
    """A payload or name that breaks the wire contract; ``reason`` is the vectors' word."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def is_valid_device_name(name: object) -> bool:
    """Return True when ``name`` is a device name a satellite may use."""
    return isinstance(name, str) and _DEVICE_NAME.fullmatch(name) is not None


def is_valid_topic_prefix(prefix: object) -> bool:
    """Return True for a prefix like ``odoo_epaper/`` or ``site/rooms/`` (no empty level,
    no level starting or ending with whitespace)."""
    if not isinstance(prefix, str) or not prefix.endswith("/") or prefix.startswith(("/", "$")):
        return False
    if any(char in prefix for char in "+#\x00"):
        return False
    return all(level and level == level.strip() for level in prefix[:-1].split("/"))


def storable_text(value: str, limit: int = MAX_TEXT) -> str:
    """Return ``value`` fit for a database text field: no NUL, controls or lone surrogates."""
    cleaned = _UNSTORABLE.sub("\ufffd", value)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "\u2026"


MAX_SNAPSHOT_BYTES = 1024 * 1024  # the contract's /snapshot bound (docs/protocol.md)
# Pixels per side of any snapshot: above every panel's (the largest, 13.3", 1600 x 1200).
MAX_SNAPSHOT_SIDE = 2048
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def snapshot_problem(
    value: object, bound: tuple[int, int] = (MAX_SNAPSHOT_SIDE, MAX_SNAPSHOT_SIDE)
) -> str | None:
    """Say why ``value`` is not a base64 PNG of at most 1 MiB that decodes to at most
    ``bound`` pixels (width, height, either way round), or None when it is one.

    The size the PNG declares is checked first, then Pillow decodes it in full
    (``verify`` checks every chunk and CRC, ``load`` inflates the pixels): a truncated
    file, a corrupt one or a small file declaring a huge image is refused before it is
    stored and served to browsers.
    """
    if not isinstance(value, str):
        return "must be base64 text"
    if len(value) > (MAX_SNAPSHOT_BYTES + 2) // 3 * 4:
        return "is over 1 MiB"
    try:
        raw = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return "is not valid base64"
    return _png_problem(raw, bound)


def _png_problem(raw: bytes, bound: tuple[int, int]) -> str | None:
    """Check the size a PNG declares, then decode it; say why it is refused, or None."""
    if not raw.startswith(_PNG_SIGNATURE) or raw[12:16] != b"IHDR" or len(raw) < 24:
        return "is not a PNG image"
    width, height = struct.unpack(">II", raw[16:24])
    fits = width <= bound[0] and height <= bound[1]
    if not width or not height or not (fits or (width <= bound[1] and height <= bound[0])):
        return f"is {width} x {height} pixels, larger than {bound[0]} x {bound[1]}"
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            image.verify()
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError):
        return "is not a PNG image Pillow can read"
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as err:
        return f"is a truncated or corrupt PNG ({str(err)[:80]})"
    return None


def topic(prefix: str, device: str, leaf: str) -> str:
    """Return ``{prefix}{device}/{leaf}``."""
    return f"{prefix}{device}/{leaf}"


def device_from_topic(prefix: str, topic_name: str, leaf: str) -> str | None:
    """Return the device level of ``{prefix}{device}/{leaf}``, or None when it is not one."""
    suffix = f"/{leaf}"
    if not topic_name.startswith(prefix) or not topic_name.endswith(suffix):
        return None
    device = topic_name[len(prefix) : -len(suffix)]
    if not device or "/" in device:
        return None
    return device


def parse_timestamp(value: str) -> dt.datetime:
    """Parse ISO 8601 (``Z`` or an offset; naive means UTC) into an aware UTC datetime."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)  # noqa: UP017 (Odoo 18 runs on 3.10)
    try:
        return parsed.astimezone(dt.timezone.utc)  # noqa: UP017
    except OverflowError as exc:
        raise ValueError(f"{value!r} is out of range in UTC") from exc


@dataclass(frozen=True)
class DeviceStatus:
    """A valid status payload: ``state`` online/offline, ``error`` and the optional details."""

    state: str
    error: str | None = None
    version: str | None = None
    panel: str | None = None
    width: int | None = None
    height: int | None = None
    colors: str | None = None
    content_hash: str | None = None
    last_render: dt.datetime | None = None
    rc: int | None = None

    @property
    def mirror_state(self) -> str:
        """The state Odoo shows: ``error`` for an online display that rejected input."""
        if self.state == "online" and self.error:
            return "error"
        return self.state


def _decode(payload: bytes) -> str:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise WireError("size", f"payload of {len(payload)} bytes is over 64 KiB")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireError("encoding", f"payload is not UTF-8 ({exc.reason})") from exc
    if not text.strip():
        raise WireError("empty", "payload is empty")
    return text


def _plain_state(value: str) -> DeviceStatus:
    state = value.strip()
    if state not in STATES:
        raise WireError("state", f"unknown state {state[:40]!r}")
    return DeviceStatus(state=state)


def _check_error_and_assigned(data: dict[str, Any]) -> None:
    """Refuse an ``error`` that is not text and an ``assigned`` that is not a boolean."""
    error = data.get("error")
    if error is not None and not isinstance(error, str):
        raise WireError("type", "error must be a string or null")
    if data.get("assigned") is not None and not isinstance(data["assigned"], bool):
        raise WireError("type", "assigned must be true, false or null")


def parse_status(payload: bytes) -> DeviceStatus:
    """Parse a ``/status`` payload or raise :class:`WireError` with the vectors' reason."""
    text = _decode(payload)
    if text.lstrip()[:1] not in ("{", "[", '"'):
        return _plain_state(text)
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WireError("json", f"malformed JSON: {str(exc)[:80]}") from exc
    if json_depth(data) > MAX_JSON_DEPTH:
        raise WireError("json", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(data, str):
        return _plain_state(data)
    if not isinstance(data, dict):
        raise WireError("not_object", f"status is a JSON {type(data).__name__}, not an object")
    state = data.get("state")
    if not isinstance(state, str) or state not in STATES:
        raise WireError("state", f"state {state!r} is not 'online' or 'offline'")
    _check_error_and_assigned(data)
    error = data.get("error")
    details: dict[str, Any] = {}
    for key, kind in _STATUS_FIELD_TYPES.items():
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            raise WireError("type", f"{key} must be {kind.__name__}")
        details[key] = storable_text(value) if isinstance(value, str) else value
    last_render = data.get("last_render")
    if last_render is not None:
        if not isinstance(last_render, str):
            raise WireError("timestamp", "last_render must be an ISO 8601 text")
        try:
            details["last_render"] = parse_timestamp(last_render)
        except ValueError as exc:
            raise WireError("timestamp", f"last_render {last_render[:40]!r} is not a time") from exc
    return DeviceStatus(state=state, error=storable_text(error) if error else None, **details)


def changed_payload(devices: list[str] | set[str] | tuple[str, ...]) -> bytes:
    """Return the ``_odoo/changed`` payload for these device names (sorted, unique)."""
    names = sorted(set(devices))
    bad = [name for name in names if not is_valid_device_name(name)]
    if bad:
        raise WireError("device", f"invalid device names: {', '.join(map(repr, bad))}")
    return json.dumps({"devices": names}, separators=(",", ":")).encode("utf-8")


def build_test_message(message_id: str, text: str) -> bytes:
    """Return a ``/test`` payload."""
    return json.dumps({"id": message_id, "text": text}, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Ack:
    """A satellite's answer to a test message."""

    id: str
    ok: bool
    error: str | None


def parse_ack(payload: bytes) -> Ack:
    """Parse an ``/ack`` payload or raise :class:`WireError`."""
    text = _decode(payload)
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WireError("json", f"malformed JSON: {str(exc)[:80]}") from exc
    if json_depth(data) > MAX_JSON_DEPTH:
        raise WireError("json", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(data, dict):
        raise WireError("not_object", "ack is not a JSON object")
    ack_id, ok, error = data.get("id"), data.get("ok"), data.get("error")
    if not isinstance(ack_id, str) or not ack_id:
        raise WireError("id", "ack id must be a non-empty string")
    if not isinstance(ok, bool):
        raise WireError("type", "ack ok must be a boolean")
    if error is not None and not isinstance(error, str):
        raise WireError("type", "ack error must be a string or null")
    return Ack(id=ack_id, ok=ok, error=storable_text(error) if error else error)


MAX_JSON_DEPTH = 32


def json_depth(value: Any) -> int:
    """Return how deeply ``value`` (parsed JSON) nests objects and arrays: 0 for a scalar,
    1 for a flat object. Iterative, so any depth is measured without recursion."""
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
