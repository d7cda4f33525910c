"""Any bytes on a status or ack topic give a result or a WireError, never another exception."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from mqtt_bridge.wire import WireError, parse_ack, parse_status

from tests.reliability.case_counts import record

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
STATUS_LIKE = st.fixed_dictionaries(
    {"state": st.sampled_from(["online", "offline", "x", 1, None])},
    optional={
        "error": st.none() | st.text(max_size=10) | st.integers(),
        "width": st.integers() | st.text(max_size=4) | st.booleans(),
        "last_render": st.text(max_size=30)
        | st.integers()
        | st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
        "rc": st.integers() | st.none(),
    },
)


CASES = {"bytes": 0, "json": 0}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def _random_bytes(payload: bytes) -> None:
    CASES["bytes"] += 1
    for parse in (parse_status, parse_ack):
        try:
            parse(payload)
        except WireError as exc:
            assert exc.reason


def test_random_bytes() -> None:
    """Random bytes never raise anything but WireError."""
    _random_bytes()
    record("addon /status (parser)", "hypothesis, random bytes", CASES["bytes"])
    record("addon /ack (parser)", "hypothesis, random bytes", CASES["bytes"])


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES | STATUS_LIKE)
def _random_json(value: object) -> None:
    CASES["json"] += 1
    payload = json.dumps(value).encode()
    try:
        status = parse_status(payload)
    except WireError as exc:
        assert exc.reason in {
            "empty",
            "json",
            "not_object",
            "state",
            "type",
            "timestamp",
            "encoding",
            "size",
        }
    else:
        assert status.state in ("online", "offline")
        assert status.error is None or isinstance(status.error, str)


def test_random_json() -> None:
    """Random JSON documents: a valid status has a known state, others a reason."""
    _random_json()
    record("addon /status (parser)", "hypothesis, random JSON", CASES["json"])
