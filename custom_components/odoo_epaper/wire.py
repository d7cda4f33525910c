"""The MQTT wire contract, version 1, as the hub produces it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from .const import ODOO_DEVICE
from .schedule import Booking, format_time

WIRE_VERSION = 1
MAX_PAYLOAD_BYTES = 64 * 1024
MAX_EVENTS = 500
MAX_QR_BYTES = 1024  # bytes of UTF-8: what a QR code holds
MAX_DEVICE_CHARS = 64
_DEVICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_NOT_IN_NAME = re.compile(r"[^a-z0-9_-]+")
_HASH_IGNORES = ("generated_at", "valid_until")


def is_valid_device_name(name: str) -> bool:
    """Return whether ``name`` is a device name a satellite may use."""
    return _DEVICE_NAME.fullmatch(name) is not None


def is_valid_topic_prefix(prefix: str) -> bool:
    """Return whether ``prefix`` can start every topic of the contract (no empty level,
    no level starting or ending with whitespace)."""
    if not prefix.endswith("/") or prefix.startswith(("/", "$")):
        return False
    if "+" in prefix or "#" in prefix or "\0" in prefix:
        return False
    return all(level and level == level.strip() for level in prefix.split("/")[:-1])


def data_topic(prefix: str, device: str) -> str:
    """Return the retained room-data topic of a display."""
    return f"{prefix}{device}/data"


def status_topic(prefix: str, device: str) -> str:
    """Return the retained status topic of a display, ``_hub`` or ``_odoo``."""
    return f"{prefix}{device}/status"


def cmd_topic(prefix: str, device: str) -> str:
    """Return the command topic of a display (``{"cmd": ...}``, not retained)."""
    return f"{prefix}{device}/cmd"


def test_topic(prefix: str, device: str) -> str:
    """Return the test-message topic of a display (answered on ``/ack``)."""
    return f"{prefix}{device}/test"


def changed_topic(prefix: str) -> str:
    """Return the topic of Odoo's change notices, ``{prefix}_odoo/changed``."""
    return f"{prefix}{ODOO_DEVICE}/changed"


def every_display_topic(prefix: str, leaf: str) -> str:
    """Return the filter of one leaf (``status``, ``snapshot``, ``ack``) of every display."""
    return f"{prefix}+/{leaf}"


def topic_device(prefix: str, topic: str) -> str:
    """Return the device level of a topic under ``prefix`` (it may be a reserved name)."""
    return topic[len(prefix) :].split("/", 1)[0]


def split_display_topic(topic: str, leaf: str) -> tuple[str, str] | None:
    """Split ``{prefix}{device}/{leaf}`` under a prefix not known beforehand (discovery).

    Returns ``(prefix, device)``, the prefix with its trailing ``/``; None when the topic
    is not ``leaf`` of a valid device name under a valid topic prefix.
    """
    head, _, last = topic.rpartition("/")
    prefix, _, device = head.rpartition("/")
    prefix += "/"
    if last != leaf or not is_valid_device_name(device) or not is_valid_topic_prefix(prefix):
        return None
    return prefix, device


def encode(payload: dict[str, Any]) -> bytes:
    """Serialise a payload as compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_hash(payload: dict[str, Any]) -> str:
    """Return the contract's ``content_hash`` of a ``/data`` payload (docs/protocol.md).

    The first 16 hex digits of the SHA-256 of the payload without ``generated_at`` and
    ``valid_until``, as compact canonical JSON (keys sorted, UTF-8, non-ASCII kept): what
    a satellite reports in its status for the content it shows.
    """
    content = {key: value for key, value in payload.items() if key not in _HASH_IGNORES}
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _event(booking: Booking) -> dict[str, Any]:
    """One event of ``/data`` (Booking.wire_event)."""
    return booking.wire_event()


def _fit_events(bookings: Iterable[Booking], now: dt.datetime) -> list[Booking]:
    """Sort, drop empty events and keep at most MAX_EVENTS, past ones going first."""
    events = sorted((b for b in bookings if b.end > b.start), key=lambda b: (b.start, b.end))
    while len(events) > MAX_EVENTS and events[0].end <= now:
        events.pop(0)
    return events[:MAX_EVENTS]


@dataclass(frozen=True, slots=True, kw_only=True)
class WirePayload:
    """A ``/data`` payload as it goes on the wire, built once.

    ``data`` is the compact UTF-8 JSON (:func:`encode`, what the broker retains),
    ``content_hash`` the contract's hash of its content (:func:`content_hash`),
    ``valid_until`` the payload's end of life (aware UTC, whole seconds).
    """

    data: bytes
    content_hash: str
    valid_until: dt.datetime


def build_payload(
    *,
    device: str,
    room: str,
    tz: str | None,
    bookings: Iterable[Booking],
    now: dt.datetime,
    lifetime: dt.timedelta,
    qr: str | None = None,
    locale: str | None = None,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the ``/data`` payload of one display; it always fits the contract's limits.

    ``tz`` and ``locale`` are left out when unknown (the satellite's own settings apply):
    the hub never sends a zone it made up. ``message`` (``{"text", "until"}``) is shown
    above the events. Events that would push the payload past MAX_PAYLOAD_BYTES are
    left out from the last one.
    """
    return _build(device, room, tz, bookings, now, lifetime, qr, locale, message)[0]


def build_wire_payload(
    *,
    device: str,
    room: str,
    tz: str | None,
    bookings: Iterable[Booking],
    now: dt.datetime,
    lifetime: dt.timedelta,
    qr: str | None = None,
    locale: str | None = None,
    message: dict[str, Any] | None = None,
) -> WirePayload:
    """Build :func:`build_payload`'s payload straight to its wire form, with no object of
    it in between: each booking's event is encoded once for as long as the hub holds the
    booking (Booking.wire_texts) and put between the payload's other members, encoded
    once, in both forms (the wire's bytes and the canonical form hashed). A payload that
    would pass MAX_PAYLOAD_BYTES is built by :func:`build_payload`'s rule instead."""
    events = _fit_events(bookings, now)
    head = _head(device, room, tz, locale, now, lifetime, qr, message)
    valid_until = (now + lifetime).astimezone(dt.UTC).replace(microsecond=0)
    data = _with_events(encode(head), [booking.wire_texts[0] for booking in events])
    if len(data) > MAX_PAYLOAD_BYTES:
        payload, data = _build(device, room, tz, events, now, lifetime, qr, locale, message)
        return WirePayload(data=data, content_hash=content_hash(payload), valid_until=valid_until)
    content = {key: value for key, value in head.items() if key not in _HASH_IGNORES}
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    hashed = _with_events(canonical.encode("utf-8"), [b.wire_texts[1] for b in events])
    return WirePayload(
        data=data,
        content_hash=hashlib.sha256(hashed).hexdigest()[:16],
        valid_until=valid_until,
    )


_NO_EVENTS = b'"events":[]'


def _with_events(encoded: bytes, events: list[bytes]) -> bytes:
    """``encoded`` (a payload with ``"events": []``) with the encoded ``events`` in that
    list: what encoding the payload with them gives. The first ``"events":[]`` is the
    member (in a JSON string every quote is escaped, so no text holds it)."""
    return encoded.replace(_NO_EVENTS, b'"events":[' + b",".join(events) + b"]", 1)


def _head(
    device: str,
    room: str,
    tz: str | None,
    locale: str | None,
    now: dt.datetime,
    lifetime: dt.timedelta,
    qr: str | None,
    message: dict[str, Any] | None,
) -> dict[str, Any]:
    """A payload's members in the wire's order, with ``events`` still empty."""
    payload: dict[str, Any] = {"v": WIRE_VERSION, "device": device, "room": room}
    if tz:
        payload["tz"] = tz
    if locale:
        payload["locale"] = locale
    payload |= {
        "generated_at": format_time(now),
        "valid_until": format_time(now + lifetime),
        "events": [],
        "qr": qr if qr and len(qr.encode("utf-8", "surrogatepass")) <= MAX_QR_BYTES else None,
    }
    if message is not None:
        payload["message"] = message
    return payload


def _build(
    device: str,
    room: str,
    tz: str | None,
    bookings: Iterable[Booking],
    now: dt.datetime,
    lifetime: dt.timedelta,
    qr: str | None,
    locale: str | None,
    message: dict[str, Any] | None,
) -> tuple[dict[str, Any], bytes]:
    """The payload and its :func:`encode` bytes (encoded once; again only when events
    had to be dropped to fit MAX_PAYLOAD_BYTES)."""
    payload = _head(device, room, tz, locale, now, lifetime, qr, message)
    payload["events"] = [_event(booking) for booking in _fit_events(bookings, now)]
    data = encode(payload)
    if len(data) <= MAX_PAYLOAD_BYTES:
        return payload, data
    events: list[dict[str, Any]] = payload["events"]
    budget = MAX_PAYLOAD_BYTES - len(encode({**payload, "events": []}))
    for index, event in enumerate(events):
        budget -= len(encode(event)) + (1 if index else 0)
        if budget < 0:
            del events[index:]
            break
    return payload, encode(payload)


# Door actions (DESIGN.md 3a) ----------------------------------------------------

DOOR_ACTIONS = ("book_now", "extend", "end_now", "check_in")
_WITH_MINUTES = ("book_now", "extend")
MAX_ACTION_ID_CHARS = 64
MAX_ACTION_MINUTES = 24 * 60


class ActionError(ValueError):
    """An ``/action`` the contract refuses; ``reason`` is the vectors' code, ``ack_id`` the
    id to answer on ``/ack`` (None: not even an id, so nobody to answer)."""

    def __init__(self, reason: str, detail: str, ack_id: str | None = None) -> None:
        """Keep the vectors' reason, a readable detail and the id to answer."""
        super().__init__(detail)
        self.reason = reason
        self.ack_id = ack_id


@dataclass(frozen=True, kw_only=True)
class DoorAction:
    """A door's request: ``action`` (DOOR_ACTIONS), ``minutes`` for book_now / extend."""

    id: str
    action: str
    minutes: int | None = None


def action_topic(prefix: str, device: str) -> str:
    """Return the topic a door publishes its requests on (``/action``, not retained)."""
    return f"{prefix}{device}/action"


def ack_topic(prefix: str, device: str) -> str:
    """Return the answer topic of a display (``/ack``: the hub's answers to ``/action``)."""
    return f"{prefix}{device}/ack"


def parse_action(raw: bytes) -> DoorAction:
    """Validate an ``/action`` payload (tests/vectors/actions.json); raise ActionError."""
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
    action_id = obj.get("id")
    if not isinstance(action_id, str) or not 0 < len(action_id) <= MAX_ACTION_ID_CHARS:
        raise ActionError("id", f"id must be a string of 1 to {MAX_ACTION_ID_CHARS} characters")
    if any("\ud800" <= char <= "\udfff" for char in action_id):
        # No UTF-8 can carry it back on /ack: nobody to answer (as the satellite reads it).
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


def ack_payload(action_id: str, *, ok: bool, error: str | None) -> dict[str, Any]:
    """Return the ``/ack`` answering request ``action_id`` (``error``: a refusal code)."""
    return {"id": action_id, "ok": ok, "error": None if ok else error}


MAX_JSON_DEPTH: Final = 32


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
