"""The satellite's payload validation against every wire-contract vector."""

from __future__ import annotations

import json
from typing import Any

import pytest
from epaper_satellite.wire import (
    MAX_PAYLOAD,
    PayloadError,
    content_hash,
    parse_cmd,
    parse_data,
    parse_test,
    parse_timestamp,
)

from tests.fixtures.vectors import load_vectors, raw_payload

DATA = load_vectors("data")
CMD = load_vectors("cmd")
TEST = load_vectors("test")


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in cases]


@pytest.mark.parametrize("case", DATA["cases"], ids=_ids(DATA["cases"]))
def test_data_vectors(case: dict[str, Any]) -> None:
    """Every /data vector is accepted or rejected for the vector's reason."""
    device = case.get("device", DATA["device"])
    raw = raw_payload(case)
    if case["valid"]:
        data = parse_data(raw, device)
        assert len(data.events) == case["events"]
        assert data.device == device
        assert data.content_hash == case["content_hash"]
        starts = [event.start for event in data.events]
        assert starts == sorted(starts)
    else:
        assert case["reason"] in DATA["reasons"]
        with pytest.raises(PayloadError) as info:
            parse_data(raw, device)
        assert info.value.reason == case["reason"], info.value.detail


@pytest.mark.parametrize("case", CMD["cases"], ids=_ids(CMD["cases"]))
def test_cmd_vectors(case: dict[str, Any]) -> None:
    """Every /cmd vector gives its command or its reason."""
    raw = raw_payload(case)
    if case["valid"]:
        assert parse_cmd(raw) == case["cmd"]
    else:
        with pytest.raises(PayloadError) as info:
            parse_cmd(raw)
        assert info.value.reason == case["reason"]


@pytest.mark.parametrize("case", TEST["cases"], ids=_ids(TEST["cases"]))
def test_test_vectors(case: dict[str, Any]) -> None:
    """Every /test vector gives its id, or its reason and whether an ack is owed."""
    raw = raw_payload(case)
    if case["valid"]:
        request = parse_test(raw)
        assert request.id == case["id"]
        return
    with pytest.raises(PayloadError) as info:
        parse_test(raw)
    assert info.value.reason == case["reason"]
    expected_ack = case.get("ack")
    assert info.value.ack_id == (expected_ack["id"] if expected_ack else None)


def test_private_and_empty_titles_show_booked() -> None:
    """Private events and events without a title show 'Booked'."""
    for case in DATA["cases"]:
        if case["name"] in ("private event", "empty title"):
            event = parse_data(raw_payload(case), "reception").events[0]
            assert event.shown_title == "Booked"


def test_content_hash_follows_the_content() -> None:
    """The status's content hash changes with what is shown, not with timestamps or layout."""
    raw = raw_payload(DATA["cases"][0])
    shown = parse_data(raw, "reception").content_hash
    assert shown == parse_data(raw, None).content_hash
    other = raw.replace(b"Reception", b"Reception 2")
    assert parse_data(other, "reception").content_hash != shown
    payload = json.loads(raw)
    payload["generated_at"] = "2027-01-01T00:00:00Z"
    payload["valid_until"] = "2027-01-01T12:00:00Z"
    spaced = json.dumps(dict(reversed(payload.items())), indent=2).encode()
    assert parse_data(spaced, "reception").content_hash == shown
    assert content_hash(spaced) == content_hash(payload) == shown


def test_size_limit_is_exact() -> None:
    """A payload of exactly 64 KiB passes the size check, one byte more does not."""
    with pytest.raises(PayloadError) as info:
        parse_cmd(b" " * (MAX_PAYLOAD + 1))
    assert info.value.reason == "size"
    with pytest.raises(PayloadError) as info:
        parse_cmd(b" " * MAX_PAYLOAD)
    assert info.value.reason == "json"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00+00:00"),
        ("2026-11-27T11:00:00+01:00", "2026-11-27T10:00:00+00:00"),
        ("2026-11-27T10:00:00.1234567Z", "2026-11-27T10:00:00.123456+00:00"),
    ],
)
def test_timestamps_in_utc(text: str, iso: str) -> None:
    """Times are read with their offsets and kept in UTC."""
    assert parse_timestamp(text, "t").isoformat() == iso


@pytest.mark.parametrize(
    "text",
    [
        "2026-13-01T00:00:00Z",
        "2026-11-27",
        "2026-11-27T10:00:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-12:00",
        "2026-11-27T10:00:00+24:00",
        "\uff12\uff10\uff12\uff16-11-27T10:00:00Z",
    ],
)
def test_bad_timestamps(text: str) -> None:
    """Impossible dates and times without an offset are rejected."""
    with pytest.raises(PayloadError) as info:
        parse_timestamp(text, "t")
    assert info.value.reason == "timestamp"
