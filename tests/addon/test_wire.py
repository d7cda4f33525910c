"""The addon's wire rules against every vector that concerns it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from mqtt_bridge.wire import (
    WireError,
    build_test_message,
    changed_payload,
    device_from_topic,
    is_valid_device_name,
    is_valid_topic_prefix,
    parse_ack,
    parse_status,
    parse_timestamp,
    snapshot_problem,
)

from testbed.bad_images import BAD_SNAPSHOTS, GOOD_SNAPSHOTS, PANEL
from tests.fixtures.vectors import load_vectors, raw_payload

STATUS = load_vectors("status")["cases"]
CHANGED = load_vectors("changed")["cases"]
NAMES = load_vectors("device_names")
PREFIXES = load_vectors("topic_prefixes")
TEST_MESSAGES = load_vectors("test")["cases"]


@pytest.mark.parametrize("case", STATUS, ids=[c["name"] for c in STATUS])
def test_status_vectors(case: dict[str, Any]) -> None:
    """Each status case parses to its state and error, or fails with its reason."""
    payload = raw_payload(case)
    if case["valid"]:
        status = parse_status(payload)
        assert (status.state, status.error) == (case["state"], case["error"])
    else:
        with pytest.raises(WireError) as info:
            parse_status(payload)
        assert info.value.reason == case["reason"]


def test_mirror_state_marks_a_rejected_input_as_error() -> None:
    """Online with an error text is mirrored as ``error``; offline stays offline."""
    with_error = next(c for c in STATUS if c["valid"] and c["error"])
    assert parse_status(raw_payload(with_error)).mirror_state == "error"
    assert parse_status(b"offline").mirror_state == "offline"
    assert parse_status(b'{"state":"online","error":null}').mirror_state == "online"


def test_status_details_are_kept() -> None:
    """The satellite's panel, size and render time are read with their types."""
    status = parse_status(raw_payload(STATUS[0]))
    assert (status.panel, status.width, status.height) == ("epd7in5_V2", 800, 480)
    assert status.last_render is not None
    assert status.last_render.isoformat() == "2026-11-27T09:00:05+00:00"


@pytest.mark.parametrize("name", NAMES["valid"])
def test_valid_device_names(name: str) -> None:
    """Names of the contract are accepted."""
    assert is_valid_device_name(name)


@pytest.mark.parametrize("name", NAMES["invalid"])
def test_invalid_device_names(name: str) -> None:
    """Reserved, upper-case, too long, non-ASCII and topic characters are refused."""
    assert not is_valid_device_name(name)


def test_device_name_with_trailing_newline_is_refused() -> None:
    """A trailing newline does not sneak past the pattern."""
    assert not is_valid_device_name("room\n")
    assert not is_valid_device_name(None)


@pytest.mark.parametrize("prefix", PREFIXES["valid"])
def test_valid_prefixes(prefix: str) -> None:
    """Prefixes of the contract are accepted."""
    assert is_valid_topic_prefix(prefix)


@pytest.mark.parametrize("prefix", PREFIXES["invalid"])
def test_invalid_prefixes(prefix: str) -> None:
    """Prefixes without trailing slash, with wildcards or empty levels are refused."""
    assert not is_valid_topic_prefix(prefix)


def check_changed(payload: bytes) -> list[str]:
    """Validate a ``_odoo/changed`` payload as the hub must; raise WireError(reason)."""
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise WireError("json", str(exc)) from exc
    if not isinstance(data, dict) or "devices" not in data:
        raise WireError("missing", "devices missing")
    devices = data["devices"]
    if not isinstance(devices, list):
        raise WireError("type", "devices not a list")
    if not all(is_valid_device_name(name) for name in devices):
        raise WireError("device", "bad device name")
    return devices


@pytest.mark.parametrize("case", CHANGED, ids=[c["name"] for c in CHANGED])
def test_changed_checker_agrees_with_vectors(case: dict[str, Any]) -> None:
    """The checker used on what the addon publishes agrees with every changed.json case."""
    payload = raw_payload(case)
    if case["valid"]:
        assert check_changed(payload) == case["devices"]
    else:
        with pytest.raises(WireError) as info:
            check_changed(payload)
        assert info.value.reason == case["reason"]


@pytest.mark.parametrize(
    "case", [c for c in CHANGED if c["valid"]], ids=[c["name"] for c in CHANGED if c["valid"]]
)
def test_changed_payload_is_valid(case: dict[str, Any]) -> None:
    """What the addon builds for the vectors' device lists is valid and carries them."""
    payload = changed_payload(case["devices"])
    assert sorted(check_changed(payload)) == sorted(case["devices"])


def test_changed_payload_refuses_bad_names_and_dedups() -> None:
    """A name that breaks the contract is never published; duplicates are merged."""
    bad = next(c for c in CHANGED if c.get("reason") == "device")
    with pytest.raises(WireError):
        changed_payload(bad["payload"]["devices"])
    assert check_changed(changed_payload(["b", "a", "b"])) == ["a", "b"]


@pytest.mark.parametrize(
    "case",
    [c for c in TEST_MESSAGES if c["valid"] and "text" in c["payload"]],
    ids=lambda c: c["name"],
)
def test_built_test_message_matches_vectors(case: dict[str, Any]) -> None:
    """The ``/test`` payload the addon builds equals the valid vector payloads."""
    built = json.loads(build_test_message(case["payload"]["id"], case["payload"]["text"]))
    assert built == case["payload"]


@pytest.mark.parametrize("case", [c for c in TEST_MESSAGES if "ack" in c], ids=lambda c: c["name"])
def test_vector_acks_parse(case: dict[str, Any]) -> None:
    """Every ack of test.json is read with its id and ok flag."""
    ack = parse_ack(json.dumps(case["ack"]).encode())
    assert (ack.id, ack.ok) == (case["ack"]["id"], case["ack"]["ok"])


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty"),
        (b"{", "json"),
        (b"[]", "not_object"),
        (b'{"ok":true}', "id"),
        (b'{"id":"x","ok":"yes"}', "type"),
        (b'{"id":"x","ok":true,"error":1}', "type"),
    ],
)
def test_bad_acks_are_refused(payload: bytes, reason: str) -> None:
    """Malformed acks raise with a reason instead of crashing the reader."""
    with pytest.raises(WireError) as info:
        parse_ack(payload)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("topic", "device"),
    [
        ("odoo_epaper/reception/status", "reception"),
        ("odoo_epaper/a/b/status", None),
        ("other/reception/status", None),
        ("odoo_epaper//status", None),
        ("odoo_epaper/reception/data", None),
    ],
)
def test_device_from_topic(topic: str, device: str | None) -> None:
    """Only one level between prefix and leaf is a device."""
    assert device_from_topic("odoo_epaper/", topic, "status") == device


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-11-27T09:00:05Z", "2026-11-27T09:00:05+00:00"),
        ("2026-11-27T10:00:05+01:00", "2026-11-27T09:00:05+00:00"),
        ("2026-11-27 09:00:05", "2026-11-27T09:00:05+00:00"),  # Odoo's naive UTC text
    ],
)
def test_timestamps_become_aware_utc(text: str, iso: str) -> None:
    """ISO 8601 with Z or offset, and Odoo's naive UTC datetimes, are read as UTC."""
    assert parse_timestamp(text).isoformat() == iso


@pytest.mark.parametrize(
    "text", ["yesterday", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"]
)
def test_bad_timestamp_raises(text: str) -> None:
    """No time, or a time that leaves the calendar in UTC, raises ValueError."""
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_out_of_range_last_render_is_a_timestamp_error() -> None:
    """A status whose last_render overflows in UTC is invalid for reason "timestamp"."""
    payload = b'{"state":"online","last_render":"9999-12-31T23:59:59-23:59"}'
    with pytest.raises(WireError) as info:
        parse_status(payload)
    assert info.value.reason == "timestamp"


@pytest.mark.parametrize(("name", "make"), BAD_SNAPSHOTS, ids=[n for n, _ in BAD_SNAPSHOTS])
def test_snapshots_odoo_refuses(name: str, make: Callable[[], bytes]) -> None:
    """The bad PNGs of testbed/bad_images.py (the hub refuses the same) are not stored:
    the 109 KB bomb by its declared size even at the absolute cap."""
    encoded = base64.b64encode(make()).decode("ascii")
    assert snapshot_problem(encoded, PANEL) is not None
    if name == "109 KB declaring 30000 x 30000":
        assert "is 30000 x 30000 pixels, larger than 2048 x 2048" in str(snapshot_problem(encoded))


@pytest.mark.parametrize(("name", "make"), GOOD_SNAPSHOTS, ids=[n for n, _ in GOOD_SNAPSHOTS])
def test_snapshots_odoo_stores(name: str, make: Callable[[], bytes]) -> None:
    """A real PNG within the bound is stored."""
    encoded = base64.b64encode(make()).decode("ascii")
    assert snapshot_problem(encoded, PANEL) is None
    assert snapshot_problem(encoded) is None
