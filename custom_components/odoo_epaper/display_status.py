"""What displays send the hub: retained status, snapshot PNG and test acknowledgements."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from PIL import Image, UnidentifiedImageError

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
# Pixels per side of any snapshot, whatever a status claims: above every panel's side
# (the largest Waveshare panel, 13.3", has 1600 x 1200).
MAX_SNAPSHOT_SIDE: Final = 2048
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


def snapshot_bound(status: DisplayStatus | None) -> tuple[int, int]:
    """Return the largest snapshot (width, height in pixels) a display may send: its
    panel's size from its status, never above MAX_SNAPSHOT_SIDE; the cap when unknown."""
    width = status.width if status is not None else None
    height = status.height if status is not None else None
    if not width or not height or width < 0 or height < 0:
        return MAX_SNAPSHOT_SIDE, MAX_SNAPSHOT_SIDE
    return min(width, MAX_SNAPSHOT_SIDE), min(height, MAX_SNAPSHOT_SIDE)


def parse_snapshot(
    payload: bytes, bound: tuple[int, int] = (MAX_SNAPSHOT_SIDE, MAX_SNAPSHOT_SIDE)
) -> Snapshot | None:
    """Return the PNG in a payload, None for an empty one (a cleared snapshot).

    :func:`read_snapshot_header`, then :func:`decode_png`: the PNG is decoded in full
    once its declared size is known to fit ``bound``. Raises WireError.
    """
    snapshot = read_snapshot_header(payload, bound)
    if snapshot is not None:
        decode_png(snapshot.png)
    return snapshot


def read_snapshot_header(payload: bytes, bound: tuple[int, int]) -> Snapshot | None:
    """Return the snapshot a payload declares (None: empty, a cleared snapshot), its pixels
    not yet decoded. Raises WireError: ``size`` (over 1 MiB), ``png`` (not a PNG, no
    size), ``pixels`` (larger than ``bound``, width and height, either way round: a
    portrait sign). Cheap: reads 24 bytes."""
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
    bound_width, bound_height = bound
    fits = width <= bound_width and height <= bound_height
    if not fits and not (width <= bound_height and height <= bound_width):
        raise WireError(
            "pixels", f"snapshot of {width} x {height} pixels is larger than the panel's {bound}"
        )
    return Snapshot(png=payload, width=width, height=height)


def decode_png(payload: bytes) -> None:
    """Decode every chunk and pixel of a PNG whose size :func:`read_snapshot_header`
    checked (Pillow: ``verify`` checks every chunk and CRC, ``load`` inflates the pixels);
    raise WireError ``png`` when it is truncated or corrupt. CPU: up to tens of
    milliseconds for the largest panels, so Home Assistant runs it in the executor."""
    try:
        with Image.open(io.BytesIO(payload), formats=["PNG"]) as image:
            image.verify()
        with Image.open(io.BytesIO(payload), formats=["PNG"]) as image:
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError) as err:
        raise WireError("png", f"snapshot PNG does not decode: {err}") from err
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as err:
        raise WireError("png", f"snapshot PNG is truncated or corrupt: {err}") from err


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
