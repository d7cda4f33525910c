"""The MQTT wire contract, version 1: parse and validate /data, /cmd and /test payloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .schedule import Event, zone

MAX_PAYLOAD = 64 * 1024
# The largest /snapshot the contract allows (docs/protocol.md): its packet stays under
# Mosquitto 2.1's default max_packet_size (2,000,000 bytes), which drops the sender.
MAX_SNAPSHOT = 1024 * 1024
MAX_EVENTS = 500
# The qr's bound is in bytes of UTF-8: a QR code holds bytes, and 1024 of them fit at
# medium error correction (version 40-M holds 2331), whatever the script.
MAX_QR_BYTES = 1024
MAX_TEST_ID = 64
# Times outside these years are refused: nothing real is booked there, and the
# arithmetic around them (a day later, 15 minutes earlier) must not overflow.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9998, 1, 1, tzinfo=dt.UTC)
COMMANDS = ("refresh", "full_refresh", "clear", "identify")
HASH_IGNORES = ("generated_at", "valid_until")
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})", re.ASCII
)


class PayloadError(ValueError):
    """A payload the contract rejects; ``reason`` is the vectors' reason code."""

    def __init__(self, reason: str, detail: str, ack_id: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.ack_id = ack_id


@dataclass(frozen=True, kw_only=True)
class Message:
    """A banner text, shown until ``until`` (or always)."""

    text: str
    until: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RoomData:
    """One accepted ``/data`` payload."""

    device: str
    room: str
    events: tuple[Event, ...]
    tz: str | None = None
    locale: str | None = None
    generated_at: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    message: Message | None = None
    qr: str | None = None
    content_hash: str = ""


@dataclass(frozen=True, kw_only=True)
class TestRequest:
    """A ``/test`` message: answer on ``/ack`` with ``id``, then show ``text``."""

    id: str
    text: str | None


def topic(prefix: str, device: str, leaf: str) -> str:
    """Return ``{prefix}{device}/{leaf}``, the contract's topic of one display (the one place
    the satellite builds topics; docs/protocol.md "Topics")."""
    return f"{prefix}{device}/{leaf}"


def content_hash(payload: dict[str, Any] | bytes) -> str:
    """Return the contract's ``content_hash`` of a ``/data`` payload (docs/protocol.md).

    ``payload`` is the decoded object or its JSON bytes. The hash is the first 16 hex
    digits of the SHA-256 of the payload without ``generated_at`` and ``valid_until``,
    as compact canonical JSON (keys sorted, separators ``,`` ``:``, UTF-8, non-ASCII
    kept), so a republish that only moves the timestamps is the same content.
    Raises ValueError for bytes that are not a JSON object.
    """
    obj = json.loads(payload) if isinstance(payload, bytes) else payload
    if not isinstance(obj, dict):
        raise ValueError("a /data payload is a JSON object")
    content = {key: value for key, value in obj.items() if key not in HASH_IGNORES}
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def parse_timestamp(value: object, where: str) -> dt.datetime:
    """Parse an ISO 8601 time that carries a UTC offset; return it in UTC."""
    if not isinstance(value, str):
        raise PayloadError("type", f"{where} must be a string")
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        raise PayloadError("timestamp", f"{where} is not an ISO 8601 time with a UTC offset")
    base, fraction, offset = match.groups()
    micro = (fraction or "").ljust(6, "0")[:6]
    try:
        parsed = dt.datetime.fromisoformat(f"{base}.{micro}{'+00:00' if offset == 'Z' else offset}")
        utc = parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError) as err:
        raise PayloadError("timestamp", f"{where} is not a valid time: {err}") from err
    if not EARLIEST <= utc <= LATEST:
        raise PayloadError("timestamp", f"{where} is outside {EARLIEST.year}-{LATEST.year}")
    return utc


def decode_object(raw: bytes, *, check_text: bool = True) -> dict[str, Any]:
    """Check size, encoding and JSON; return the top-level object."""
    if len(raw) > MAX_PAYLOAD:
        raise PayloadError("size", f"payload of {len(raw)} bytes is over {MAX_PAYLOAD}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PayloadError("encoding", f"not UTF-8 at byte {err.start}") from err
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise PayloadError("json", f"not valid JSON: {str(err)[:80]}") from err
    if json_depth(value) > MAX_JSON_DEPTH:
        raise PayloadError("json", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(value, dict):
        raise PayloadError("not_object", f"not a JSON object but {type(value).__name__}")
    if check_text:
        refuse_surrogates(raw, value)
    return value


def refuse_surrogates(raw: bytes, value: Any, ack_id: str | None = None) -> None:
    """Refuse a lone UTF-16 surrogate escape (such as \\ud800): it is no character."""
    if b"\\u" not in raw:
        return
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as err:
        raise PayloadError(
            "encoding",
            f"holds a lone surrogate escape (\\u{ord(err.object[err.start]):04x})",
            ack_id=ack_id,
        ) from err


def _required(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        raise PayloadError("missing", f"{where}{key} is missing")
    return _typed(obj[key], kind, f"{where}{key}")


def _typed(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PayloadError("type", f"{where} must be {_KIND_NAMES.get(kind, kind.__name__)}")
    return value


_KIND_NAMES = {str: "a string", list: "a list", dict: "an object", bool: "a boolean"}


def _optional_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    return None if value is None else _typed(value, str, f"{where}{key}")


def _event(item: Any, index: int) -> Event:
    where = f"events[{index}]."
    if not isinstance(item, dict):
        raise PayloadError("type", f"events[{index}] must be an object")
    title = _required(item, "title", str, where)
    if "start" not in item:
        raise PayloadError("missing", f"{where}start is missing")
    if "end" not in item:
        raise PayloadError("missing", f"{where}end is missing")
    start = parse_timestamp(item["start"], f"{where}start")
    end = parse_timestamp(item["end"], f"{where}end")
    if end <= start:
        raise PayloadError("order", f"{where}end is not after its start")
    organizer = _optional_str(item, "organizer", where)
    private = item.get("private", False)
    if private is None:
        private = False
    _typed(private, bool, f"{where}private")
    all_day = item.get("all_day", False)
    if all_day is None:
        all_day = False
    _typed(all_day, bool, f"{where}all_day")
    check_in = item.get("check_in_until")
    return Event(
        title=title,
        start=start,
        end=end,
        organizer=organizer,
        private=private,
        all_day=all_day,
        check_in_until=None
        if check_in is None
        else parse_timestamp(check_in, f"{where}check_in_until"),
    )


def _message(value: Any) -> Message | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PayloadError("type", "message must be an object or null")
    text = _required(value, "text", str, "message.")
    until = value.get("until")
    return Message(
        text=text, until=None if until is None else parse_timestamp(until, "message.until")
    )


def parse_data(raw: bytes, device: str | None) -> RoomData:
    """Validate a ``/data`` payload for ``device`` (None: any device)."""
    obj = decode_object(raw)
    version = obj.get("v")
    if isinstance(version, bool) or not isinstance(version, int) or version != 1:
        raise PayloadError("version", f"v is not 1 (got {version!r})")
    name = _required(obj, "device", str, "")
    room = _required(obj, "room", str, "")
    events_raw = _required(obj, "events", list, "")
    if device is not None and name != device:
        raise PayloadError("device", f"payload is for device {name[:64]!r}, not {device!r}")
    if len(events_raw) > MAX_EVENTS:
        raise PayloadError("size", f"{len(events_raw)} events is over {MAX_EVENTS}")
    tz = _optional_str(obj, "tz", "")
    if tz is not None and zone(tz) is None:
        raise PayloadError("tz", f"unknown timezone {tz[:64]!r}")
    # Only the type is checked here: a locale the satellite cannot use is no reason to
    # refuse the room's schedule; i18n.resolve_locale falls back and says why.
    locale = _optional_str(obj, "locale", "")
    generated_at = obj.get("generated_at")
    valid_until = obj.get("valid_until")
    qr = _optional_str(obj, "qr", "")
    if qr is not None and (size := len(qr.encode("utf-8"))) > MAX_QR_BYTES:
        raise PayloadError("size", f"qr of {size} bytes of UTF-8 is over {MAX_QR_BYTES}")
    events = sorted(
        (_event(item, index) for index, item in enumerate(events_raw)),
        key=lambda event: (event.start, event.end),
    )
    return RoomData(
        device=name,
        room=room,
        events=tuple(events),
        tz=tz,
        locale=locale,
        generated_at=None
        if generated_at is None
        else parse_timestamp(generated_at, "generated_at"),
        valid_until=None if valid_until is None else parse_timestamp(valid_until, "valid_until"),
        message=_message(obj.get("message")),
        qr=qr or None,
        content_hash=content_hash(obj),
    )


def parse_cmd(raw: bytes) -> str:
    """Validate a ``/cmd`` payload and return the command."""
    obj = decode_object(raw)
    cmd = obj.get("cmd")
    if not isinstance(cmd, str) or cmd not in COMMANDS:
        shown = repr(cmd)[:40]
        raise PayloadError("cmd", f"cmd must be one of {', '.join(COMMANDS)}, got {shown}")
    return cmd


def parse_test(raw: bytes) -> TestRequest:
    """Validate a ``/test`` payload; an error with ``ack_id`` still gets an ack."""
    obj = decode_object(raw, check_text=False)
    test_id = obj.get("id")
    if not isinstance(test_id, str) or not 0 < len(test_id) <= MAX_TEST_ID:
        raise PayloadError("id", f"id must be a string of 1 to {MAX_TEST_ID} characters")
    refuse_surrogates(raw, {"id": test_id})
    refuse_surrogates(raw, obj, ack_id=test_id)
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        raise PayloadError("type", "text must be a string", ack_id=test_id)
    return TestRequest(id=test_id, text=text)


# Door actions (DESIGN.md 3a: ``{prefix}{device}/action``, answered on ``/ack``) ------

ACTIONS = ("book_now", "extend", "end_now", "check_in")
WITH_MINUTES = ("book_now", "extend")
MAX_ACTION_MINUTES = 24 * 60


@dataclass(frozen=True, kw_only=True)
class ActionRequest:
    """A person at the door asked for ``action`` (``minutes`` for book_now / extend)."""

    id: str
    action: str
    minutes: int | None = None


@dataclass(frozen=True, kw_only=True)
class Ack:
    """An ``/ack``: the answer to the request ``id`` (``error`` when not ``ok``)."""

    id: str
    ok: bool
    error: str | None = None


def parse_action(raw: bytes) -> ActionRequest:
    """Validate an ``/action`` payload (tests/vectors/actions.json); raise PayloadError.

    ``minutes`` (an integer, 1 to 1440) is required for book_now, optional for extend
    and absent (or null) for end_now and check_in.
    """
    obj = decode_object(raw)
    action_id = obj.get("id")
    if not isinstance(action_id, str) or not 0 < len(action_id) <= MAX_TEST_ID:
        raise PayloadError("id", f"id must be a string of 1 to {MAX_TEST_ID} characters")
    action = obj.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        shown = repr(action)[:40]
        raise PayloadError(
            "action", f"action must be one of {', '.join(ACTIONS)}, got {shown}", ack_id=action_id
        )
    minutes = obj.get("minutes")
    if minutes is not None and (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 1 <= minutes <= MAX_ACTION_MINUTES
    ):
        raise PayloadError(
            "minutes",
            f"minutes must be an integer from 1 to {MAX_ACTION_MINUTES}",
            ack_id=action_id,
        )
    if minutes is None and action == "book_now":
        raise PayloadError("minutes", "book_now needs minutes", ack_id=action_id)
    if minutes is not None and action not in WITH_MINUTES:
        raise PayloadError("minutes", f"{action} takes no minutes", ack_id=action_id)
    return ActionRequest(id=action_id, action=action, minutes=minutes)


def action_payload(request: ActionRequest) -> bytes:
    """Return the compact JSON of an ``/action`` (``minutes`` left out when None)."""
    obj: dict[str, Any] = {"id": request.id, "action": request.action}
    if request.minutes is not None:
        obj["minutes"] = request.minutes
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def parse_ack(raw: bytes) -> Ack:
    """Validate an ``/ack`` (``{"id": str, "ok": bool, "error": str | null}``)."""
    obj = decode_object(raw)
    ack_id, ok, error = obj.get("id"), obj.get("ok"), obj.get("error")
    if not isinstance(ack_id, str) or not 0 < len(ack_id) <= MAX_TEST_ID:
        raise PayloadError("id", f"id must be a string of 1 to {MAX_TEST_ID} characters")
    if not isinstance(ok, bool):
        raise PayloadError("type", "ok must be a boolean")
    if error is not None and not isinstance(error, str):
        raise PayloadError("type", "error must be a string or null")
    return Ack(id=ack_id, ok=ok, error=error)


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
