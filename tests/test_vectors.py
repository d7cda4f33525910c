"""The wire-contract vectors agree with themselves and with the JSON schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import jsonschema
import pytest

from tests.fixtures.vectors import VECTORS, load_vectors, raw_payload

DATA = load_vectors("data")
SCHEMA = load_vectors("data.schema")
DEVICE_NAME = re.compile(SCHEMA["properties"]["device"]["pattern"])
# Invalid cases a JSON schema can see; the others need code (bytes, order, tz).
SCHEMA_REASONS = {"not_object", "version", "missing", "type", "timestamp"}


def _cases(doc: dict[str, Any]) -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in doc["cases"]]


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("case", _cases(DATA))
def test_data_case_against_schema(case: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=None)
    if case["valid"]:
        payload = case["payload"]
        assert not list(validator.iter_errors(payload))
        assert payload["device"] == case.get("device", DATA["device"])
        assert len(payload["events"]) == case["events"]
        assert len(raw_payload(case)) <= 64 * 1024
    else:
        assert case["reason"] in DATA["reasons"]
        if case["reason"] in SCHEMA_REASONS:
            assert list(validator.iter_errors(case["payload"]))


def test_every_reason_has_a_case() -> None:
    assert {case["reason"] for case in DATA["cases"] if not case["valid"]} == set(DATA["reasons"])


def test_oversize_cases_are_over_the_limit() -> None:
    for name in ("data", "status", "cmd", "test"):
        for case in load_vectors(name)["cases"]:
            if "oversize" in case:
                assert len(raw_payload(case)) > 64 * 1024


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", _cases(load_vectors("states")))
def test_state_case_is_consistent(case: dict[str, Any]) -> None:
    """Each state vector's expectation follows from its own events (a sanity check)."""
    now = _instant(case["now"])
    spans = [(_instant(e["start"]), _instant(e["end"])) for e in case["events"]]
    covering = [span for span in spans if span[0] <= now < span[1]]
    assert (case["state"] == "busy") == bool(covering)
    if case["until"] is not None:
        until = _instant(case["until"])
        assert until > now
        assert until in {edge for span in spans for edge in span}
    events = {event["title"]: event for event in case["events"]}
    assert len(events) == len(case["events"]), "titles are unique within a case"
    assert ("current" in case, "next" in case) == (True, True)
    if case["current"] is not None:
        current = events[case["current"]]
        assert _instant(current["start"]) <= now < _instant(current["end"])
    assert (case["current"] is not None) == bool(covering)
    if case["next"] is not None:
        assert _instant(events[case["next"]]["start"]) > now
    assert (case["next"] is None) == all(start <= now for start, _end in spans)


def test_content_hashes_are_short_hex_and_ignore_the_timestamps() -> None:
    """Every valid /data case carries its content_hash; a republish keeps the hash."""
    valid = {case["name"]: case for case in DATA["cases"] if case["valid"]}
    assert all(re.fullmatch(r"[0-9a-f]{16}", case["content_hash"]) for case in valid.values())
    full = valid["full example of the protocol"]
    again = valid["republish of the full example: only the timestamps moved, same content_hash"]
    assert again["payload"]["valid_until"] != full["payload"]["valid_until"]
    assert again["content_hash"] == full["content_hash"]
    assert len({case["content_hash"] for case in valid.values()}) == len(valid) - 1


def test_device_name_vectors_match_the_schema_pattern() -> None:
    names = load_vectors("device_names")
    assert all(DEVICE_NAME.fullmatch(name) for name in names["valid"])
    assert not any(DEVICE_NAME.fullmatch(name) for name in names["invalid"])


def test_changed_vectors_name_valid_devices() -> None:
    for case in load_vectors("changed")["cases"]:
        if case["valid"]:
            assert all(DEVICE_NAME.fullmatch(name) for name in case["devices"])


def test_protocol_doc_examples_are_valid() -> None:
    """Every ```json block of docs/protocol.md parses; data examples match the schema."""
    text = (VECTORS.parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) >= 5
    validator = jsonschema.Draft202012Validator(SCHEMA)
    data_examples = 0
    for block in blocks:
        value = json.loads(block)
        if isinstance(value, dict) and value.get("v") == 1:
            assert not list(validator.iter_errors(value))
            data_examples += 1
    assert data_examples >= 1


def test_protocol_doc_states_the_hash_of_its_example() -> None:
    """The content_hash docs/protocol.md gives for its /data example is that example's."""
    text = (VECTORS.parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
    example = next(
        value
        for block in re.findall(r"```json\n(.*?)```", text, flags=re.DOTALL)
        if isinstance(value := json.loads(block), dict) and value.get("v") == 1
    )
    stated = re.search(r"The hash of the example above is `([0-9a-f]{16})`", text)
    assert stated is not None
    content = {k: v for k, v in example.items() if k not in ("generated_at", "valid_until")}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16] == stated.group(1)
