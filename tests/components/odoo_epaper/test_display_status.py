"""Parsing of what displays send: status vectors, snapshots, acks and change notices."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from custom_components.odoo_epaper.change_notice import parse_changed
from custom_components.odoo_epaper.display_status import (
    MAX_SNAPSHOT_BYTES,
    MAX_SNAPSHOT_SIDE,
    DisplayStatus,
    parse_ack,
    parse_snapshot,
    parse_status,
    snapshot_bound,
)
from custom_components.odoo_epaper.wire_values import WireError, is_device_name
from testbed.bad_images import BAD_SNAPSHOTS, GOOD_SNAPSHOTS, PANEL, declared_bomb
from tests.fixtures.vectors import load_vectors, raw_payload

STATUS = load_vectors("status")["cases"]
CHANGED = load_vectors("changed")["cases"]
NAMES = load_vectors("device_names")


def png_bytes(width: int = 80, height: int = 48) -> bytes:
    """Return a real PNG made by Pillow."""
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("case", STATUS, ids=lambda case: case["name"])
def test_status_vectors(case: dict[str, Any]) -> None:
    """Every case of tests/vectors/status.json is read or refused for its reason."""
    payload = raw_payload(case)
    if case["valid"]:
        status = parse_status(payload)
        assert status.state == case["state"]
        assert status.error == case["error"]
        assert status.online is (case["state"] == "online")
        assert status.assigned == case.get("assigned")
    else:
        with pytest.raises(WireError) as err:
            parse_status(payload)
        assert err.value.reason == case["reason"]


def test_full_status_fields() -> None:
    """A full status keeps every documented field, times as aware UTC."""
    status = parse_status(raw_payload(STATUS[0]))
    assert status.version == "1.0.0"
    assert status.panel == "epd7in5_V2"
    assert (status.width, status.height, status.colors) == (800, 480, "bw")
    assert status.last_render == datetime(2026, 11, 27, 9, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize("case", CHANGED, ids=lambda case: case["name"])
def test_changed_vectors(case: dict[str, Any]) -> None:
    """Every case of tests/vectors/changed.json is read or refused for its reason."""
    payload = raw_payload(case)
    if case["valid"]:
        assert parse_changed(payload) == case["devices"]
    else:
        with pytest.raises(WireError) as err:
            parse_changed(payload)
        assert err.value.reason == case["reason"]


def test_device_names() -> None:
    """Device names follow tests/vectors/device_names.json."""
    assert all(is_device_name(name) for name in NAMES["valid"])
    assert not any(is_device_name(name) for name in NAMES["invalid"])


def test_snapshot_png() -> None:
    """A real PNG is accepted with its size; an empty payload clears the snapshot."""
    snapshot = parse_snapshot(png_bytes(80, 48))
    assert snapshot is not None
    assert (snapshot.width, snapshot.height) == (80, 48)
    assert parse_snapshot(b"") is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"GIF89a" + b"\0" * 40, "png"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 4 + b"IHDR" + struct.pack(">II", 0, 0), "png"),
        (b"\x89PNG\r\n\x1a\n" + b"x" * MAX_SNAPSHOT_BYTES, "size"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "png"),
    ],
    ids=["not a png", "no size", "too big", "cut in the size (found by scripts/fuzz)"],
)
def test_snapshot_refused(payload: bytes, reason: str) -> None:
    """Anything but a PNG within the size limit is refused."""
    with pytest.raises(WireError) as err:
        parse_snapshot(payload)
    assert err.value.reason == reason


@pytest.mark.parametrize(("name", "make"), BAD_SNAPSHOTS, ids=[n for n, _ in BAD_SNAPSHOTS])
def test_snapshots_that_cross_no_trust_boundary(name: str, make: Callable[[], bytes]) -> None:
    """Each bad PNG of testbed/bad_images.py (the addon refuses the same) is refused for
    a panel of PANEL's size, before it is stored or served."""
    with pytest.raises(WireError) as err:
        parse_snapshot(make(), PANEL)
    assert err.value.reason in ("png", "pixels")


@pytest.mark.parametrize(("name", "make"), GOOD_SNAPSHOTS, ids=[n for n, _ in GOOD_SNAPSHOTS])
def test_snapshots_that_fit_the_panel(name: str, make: Callable[[], bytes]) -> None:
    """A real PNG no larger than the panel (either way round) is taken as it came."""
    payload = make()
    snapshot = parse_snapshot(payload, PANEL)
    assert snapshot is not None and snapshot.png == payload


def test_the_bound_is_the_panel_s_size_never_above_the_cap() -> None:
    """From the status' width and height; the cap when unknown or claimed larger."""
    cap = (MAX_SNAPSHOT_SIDE, MAX_SNAPSHOT_SIDE)
    assert snapshot_bound(None) == cap
    assert snapshot_bound(DisplayStatus(state="online")) == cap
    assert snapshot_bound(DisplayStatus(state="online", width=800, height=480)) == (800, 480)
    assert snapshot_bound(DisplayStatus(state="online", width=30000, height=-4)) == cap
    huge = DisplayStatus(state="online", width=30000, height=30000)
    assert snapshot_bound(huge) == cap
    with pytest.raises(WireError) as err:
        parse_snapshot(declared_bomb(), snapshot_bound(huge))
    assert err.value.reason == "pixels"


ACKS = [case for case in load_vectors("test")["cases"] if "ack" in case]


@pytest.mark.parametrize("case", ACKS, ids=lambda case: case["name"])
def test_ack_vectors(case: dict[str, Any]) -> None:
    """The acks the test vectors expect from a satellite are read back as sent."""
    ack = parse_ack(raw_payload({"payload": case["ack"]}))
    assert (ack.id, ack.ok, ack.error) == (
        case["ack"]["id"],
        case["ack"]["ok"],
        case["ack"]["error"],
    )


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"ok": true}', "id"),
        (b'{"id": "x", "ok": "yes"}', "type"),
        (b'{"id": "x", "ok": false, "error": 3}', "type"),
        (b"[1]", "not_object"),
        (b"{", "json"),
        (b'{"id": "\xff"}', "encoding"),
    ],
)
def test_ack_refused(payload: bytes, reason: str) -> None:
    """Malformed acks are refused with a reason."""
    with pytest.raises(WireError) as err:
        parse_ack(payload)
    assert err.value.reason == reason


def test_timestamps_need_an_offset() -> None:
    """A time without a UTC offset or of the wrong type is refused."""
    with pytest.raises(WireError):
        parse_status(b'{"state": "online", "last_render": "2026-11-27T09:00:00"}')
    with pytest.raises(WireError):
        parse_status(b'{"state": "online", "last_render": 5}')
    # Found by scripts/fuzz: valid ISO 8601 that cannot be put in UTC (year 1 at +14:00).
    with pytest.raises(WireError):
        parse_status(b'{"state": "online", "last_render": "0001-01-01T00:00:00+14:00"}')
