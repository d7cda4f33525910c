"""The contract's ``/data`` payload (DESIGN.md 3 and 3a) built by the addon itself.

Plain Python, no ``odoo`` import. Input: one display entry of the addon's own
``epaper_schedule`` answer; output: the very payload the hub builds from the same entry
(``custom_components/odoo_epaper``: ``schedule_answer`` then ``wire.build_payload``), key
for key and byte for byte: tests/addon/test_payload_differential.py holds the two to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytz

WIRE_VERSION = 1
MAX_PAYLOAD_BYTES = 64 * 1024
MAX_EVENTS = 500
MAX_QR_BYTES = 1024  # bytes of UTF-8: what a QR code holds
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 500
PAYLOAD_LIFETIME = dt.timedelta(hours=12)  # the hub's PAYLOAD_LIFETIME
MIN_YEAR = 1970
MAX_YEAR = 9998
_DEVICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HASH_IGNORES = ("generated_at", "valid_until")
_BAD_EVENT = (KeyError, TypeError, ValueError, OverflowError)


@dataclass(frozen=True, kw_only=True)
class _Event:
    title: str
    start: dt.datetime
    end: dt.datetime
    organizer: str | None
    private: bool
    all_day: bool
    check_in_until: dt.datetime | None


def format_time(moment: dt.datetime) -> str:
    """Format an aware time as ISO 8601 UTC with a ``Z`` (whole seconds)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode(payload: dict[str, Any]) -> bytes:
    """Serialise a payload as the bytes on the wire: compact UTF-8 JSON, keys in order."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_hash(payload: dict[str, Any]) -> str:
    """Return the contract's ``content_hash``: the first 16 hex digits of the SHA-256 of
    the payload without ``generated_at`` and ``valid_until`` as compact canonical JSON
    (keys sorted, UTF-8, non-ASCII kept)."""
    content = {key: value for key, value in payload.items() if key not in _HASH_IGNORES}
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def is_valid_device_name(name: object) -> bool:
    """Return whether ``name`` is a display's device name (``[a-z0-9][a-z0-9_-]{0,63}``)."""
    return isinstance(name, str) and _DEVICE_NAME.fullmatch(name) is not None


def is_valid_topic_prefix(prefix: object) -> bool:
    """Return whether ``prefix`` can start every topic (ends with ``/``, no wildcards)."""
    if not isinstance(prefix, str) or not prefix.endswith("/") or prefix.startswith(("/", "$")):
        return False
    if "+" in prefix or "#" in prefix or "\0" in prefix:
        return False
    return all(prefix.split("/")[:-1])


def valid_timezone(name: object) -> str | None:
    """Return ``name`` when it is a known IANA zone, else None (never a made-up zone).

    Known to ``zoneinfo`` (the system's data, the ``tzdata`` package) or to pytz (Odoo's
    dependency, with its own copy): a server without Debian 13's tzdata-legacy still
    passes the legacy names Odoo's timezone list offers (the satellite knows them).
    """
    if not isinstance(name, str) or not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return name if name in pytz.all_timezones_set else None
    return name


def clean_text(value: str) -> str:
    """Return text fit to show: no controls, lone surrogates replaced, 500 characters."""
    text = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROLS.sub("", text)[:MAX_TEXT_CHARS]


def _text(value: object) -> str | None:
    """Clean text, or None for Odoo's False, None and empty text."""
    if not isinstance(value, str) or not value:
        return None
    return clean_text(value)


def parse_time(value: object) -> dt.datetime:
    """Parse the answer's UTC text (naive is UTC) into an aware UTC time; ValueError for
    anything else and for years outside 1970-9998."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a time: {value!r}")
    parsed = dt.datetime.fromisoformat(value.strip())
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"time out of range: {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _event(item: object) -> _Event:
    if not isinstance(item, dict):
        raise TypeError(f"not an object: {item!r:.60}")
    check_in = item.get("check_in_until")
    return _Event(
        title=_text(item.get("title")) or "",
        start=parse_time(item["start"]),
        end=parse_time(item["end"]),
        organizer=_text(item.get("organizer")),
        private=item.get("private") is True,
        all_day=item.get("all_day") is True,
        check_in_until=parse_time(check_in) if check_in else None,
    )


def _events(items: object) -> list[_Event]:
    """The events a door can show; malformed ones are left out (as the hub does)."""
    events = []
    for item in items if isinstance(items, list) else []:
        try:
            events.append(_event(item))
        except _BAD_EVENT:
            continue
    return events


def _fit(events: list[_Event], now: dt.datetime) -> list[_Event]:
    """Sort, drop empty events and keep at most MAX_EVENTS, past ones going first."""
    kept = sorted((e for e in events if e.end > e.start), key=lambda e: (e.start, e.end))
    while len(kept) > MAX_EVENTS and kept[0].end <= now:
        kept.pop(0)
    return kept[:MAX_EVENTS]


def _wire_event(event: _Event) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "title": event.title[:MAX_TITLE_CHARS],
        "start": format_time(event.start),
        "end": format_time(event.end),
        "organizer": event.organizer,
        "private": event.private,
    }
    if event.all_day:
        wire["all_day"] = True
    if event.check_in_until is not None:
        wire["check_in_until"] = format_time(event.check_in_until)
    return wire


def _truncate(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop the last events until the payload fits 64 KiB (the hub's rule, wire.py)."""
    if len(encode(payload)) <= MAX_PAYLOAD_BYTES:
        return payload
    events: list[dict[str, Any]] = payload["events"]
    budget = MAX_PAYLOAD_BYTES - len(encode({**payload, "events": []}))
    for index, event in enumerate(events):
        budget -= len(encode(event)) + (1 if index else 0)
        if budget < 0:
            del events[index:]
            break
    return payload


def display_payload(
    entry: dict[str, Any],
    now: dt.datetime,
    lifetime: dt.timedelta = PAYLOAD_LIFETIME,
    message: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Return the ``/data`` payload of one display entry of ``epaper_schedule``'s answer
    at ``now`` (aware), valid for ``lifetime``; None when its device name is not valid.

    ``tz`` / ``locale`` are left out when unknown or not valid, ``qr`` is null when absent
    or over 1024 bytes, ``message`` (``{"text", "until"}``) is absent unless given; events
    are cut at 500 and at 64 KiB as the hub cuts them.
    """
    device = entry.get("device")
    if not is_valid_device_name(device):
        return None
    payload: dict[str, Any] = {"v": WIRE_VERSION, "device": device}
    payload["room"] = _text(entry.get("room")) or device
    if tz := valid_timezone(entry.get("tz")):
        payload["tz"] = tz
    if locale := _text(entry.get("locale")):
        payload["locale"] = locale
    qr = _text(entry.get("qr"))
    payload |= {
        "generated_at": format_time(now),
        "valid_until": format_time(now + lifetime),
        "events": [_wire_event(e) for e in _fit(_events(entry.get("events") or []), now)],
        "qr": qr if qr and len(qr.encode("utf-8", "surrogatepass")) <= MAX_QR_BYTES else None,
    }
    payload = _truncate(payload)
    if message is not None:
        payload["message"] = message
    return payload


def answer_payloads(
    answer: dict[str, Any], now: dt.datetime, lifetime: dt.timedelta = PAYLOAD_LIFETIME
) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """Return ``{device: (topic_prefix or None, payload)}`` for every valid display of an
    ``epaper_schedule`` answer (API 1); a device named twice: the first one wins; a topic
    prefix that is not valid is None (the broker's prefix applies), as the hub reads it.

    Raises ValueError when the answer is not API 1.
    """
    if not isinstance(answer, dict) or answer.get("api") != 1:
        raise ValueError("not an epaper_schedule answer of API 1")
    out: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for entry in answer.get("displays") or []:
        if not isinstance(entry, dict):
            continue
        payload = display_payload(entry, now, lifetime)
        if payload is None or payload["device"] in out:
            continue
        prefix = entry.get("topic_prefix")
        out[payload["device"]] = (prefix if is_valid_topic_prefix(prefix) else None, payload)
    return out
