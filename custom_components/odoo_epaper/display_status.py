"""What displays send the hub: retained status, snapshot PNG and test acknowledgements."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .wire_values import (
    Payload,
    WireError,
    clean_text,
    decode_json_object,
    decode_text,
    load_json,
    parse_timestamp,
)

STATES: Final = ("online", "offline")
# 1 MiB: a /snapshot packet stays under Mosquitto 2.1's default max_packet_size (2,000,000).
MAX_SNAPSHOT_BYTES: Final = 1024 * 1024
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
MAX_ACK_ID_LENGTH: Final = 64
_TEXT_FIELDS: Final = ("version", "panel", "colors", "content_hash", "error")
_INT_FIELDS: Final = ("width", "height", "rc")


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayStatus:
    """A display's last good status."""

    state: str
    error: str | None = None
    version: str | None = None
    panel: str | None = None
    width: int | None = None
    height: int | None = None
    colors: str | None = None
    content_hash: str | None = None
    last_render: datetime | None = None
    rc: int | None = None
    assigned: bool | None = None

    @property
    def online(self) -> bool:
        """Return whether the display says it is online."""
        return self.state == "online"


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """A PNG of exactly what a panel shows."""

    png: bytes
    width: int
    height: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Ack:
    """A display's answer to a test message."""

    id: str
    ok: bool
    error: str | None


def parse_status(payload: Payload) -> DisplayStatus:
    """Return the status in a payload, or raise WireError with the vectors' reason."""
    text = decode_text(payload).strip()
    if not text:
        raise WireError("empty", "empty status (a cleared retained message)")
    try:
        value: Any = load_json(text)
    except WireError:
        if text in STATES:
            return DisplayStatus(state=text)
        if text[0] in '{["':
            raise
        raise WireError("state", f"unknown state {clean_text(text[:40])!r}") from None
    if isinstance(value, str):
        if value.strip() in STATES:
            return DisplayStatus(state=value.strip())
        raise WireError("state", f"unknown state {value[:40]!r}")
    if not isinstance(value, dict):
        raise WireError("not_object", "not a JSON object")
    return _status_from_object(value)


def _status_from_object(value: dict[str, Any]) -> DisplayStatus:
    """Return the status held by a decoded JSON object."""
    state = value.get("state")
    if not isinstance(state, str) or state not in STATES:
        raise WireError("state", f"state must be online or offline, not {state!r}")
    fields: dict[str, Any] = {}
    for key in _TEXT_FIELDS:
        item = value.get(key)
        if item is not None and not isinstance(item, str):
            raise WireError("type", f"{key} must be a string or null")
        fields[key] = None if item is None else clean_text(item)
    for key in _INT_FIELDS:
        item = value.get(key)
        if item is not None and (not isinstance(item, int) or isinstance(item, bool)):
            raise WireError("type", f"{key} must be an integer or null")
        fields[key] = item
    assigned = value.get("assigned")
    if assigned is not None and not isinstance(assigned, bool):
        raise WireError("type", "assigned must be true, false or null")
    fields["assigned"] = assigned
    last_render = value.get("last_render")
    if last_render is not None:
        fields["last_render"] = parse_timestamp(last_render)
    return DisplayStatus(state=state, **fields)


def parse_snapshot(payload: bytes) -> Snapshot | None:
    """Return the PNG in a payload, None for an empty one (a cleared snapshot)."""
    if not payload:
        return None
    if len(payload) > MAX_SNAPSHOT_BYTES:
        raise WireError("size", f"snapshot of {len(payload)} bytes is over 1 MiB")
    if (
        len(payload) < 24  # signature, IHDR length and type, width and height
        or not payload.startswith(PNG_SIGNATURE)
        or payload[12:16] != b"IHDR"
    ):
        raise WireError("png", "snapshot is not a PNG image")
    width, height = struct.unpack(">II", payload[16:24])
    if not width or not height:
        raise WireError("png", "snapshot PNG has no size")
    return Snapshot(png=payload, width=width, height=height)


def parse_ack(payload: Payload) -> Ack:
    """Return the acknowledgement in a payload, or raise WireError."""
    value = decode_json_object(payload)
    ack_id = value.get("id")
    if not isinstance(ack_id, str) or not ack_id or len(ack_id) > MAX_ACK_ID_LENGTH:
        raise WireError("id", "ack id must be a string of 1 to 64 characters")
    ok = value.get("ok")
    if not isinstance(ok, bool):
        raise WireError("type", "ack ok must be true or false")
    error = value.get("error")
    if error is not None and not isinstance(error, str):
        raise WireError("type", "ack error must be a string or null")
    return Ack(id=ack_id, ok=ok, error=None if error is None else clean_text(error))


def parse_command(payload: Payload) -> str:
    """Return the ``cmd`` of a ``/cmd`` payload (``{"cmd": "refresh"|"full_refresh"|"clear"|
    "identify"}``, docs/protocol.md), or raise WireError."""
    command = decode_json_object(payload).get("cmd")
    if not isinstance(command, str):
        raise WireError("type", "cmd must be a string")
    return command
