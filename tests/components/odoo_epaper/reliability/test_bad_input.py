"""Bad /status, /snapshot and /ack from displays, through Home Assistant's real MQTT."""

from __future__ import annotations

import json
import logging
import struct
import zlib
from collections.abc import Callable

import pytest
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.display_status import (
    MAX_SNAPSHOT_BYTES,
    parse_ack,
    parse_snapshot,
    parse_status,
)
from custom_components.odoo_epaper.wire_values import WireError
from testbed.ha_mqtt import async_mqtt_synced, publish
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.entity_helpers import FULL_STATUS, PREFIX, state_of
from tests.components.odoo_epaper.test_display_status import png_bytes
from tests.reliability.case_counts import Counter, record

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.usefixtures("enable_all_entities"),
]
DEEP = b"[" * 30000 + b"]" * 30000


def _status(**changes: object) -> bytes:
    return json.dumps({**FULL_STATUS, **changes}).encode()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


STATUS_REFUSED: dict[str, bytes] = {
    "unknown word": b"rebooting",
    "ONLINE in capitals": b"ONLINE",
    "byte order mark": "\ufeffonline".encode(),
    "null": b"null",
    "list": b'["online"]',
    "number": b"42",
    "state missing": b'{"error":null}',
    "state true": b'{"state":true}',
    "truncated JSON": b'{"state":"onl',
    "trailing garbage": b'{"state":"online"} x',
    "not UTF-8": b'{"state":"online","error":"\xff"}',
    "UTF-16": json.dumps({"state": "online"}).encode("utf-16"),
    "over 64 KiB": _status(pad="x" * 70000),
    "deep nesting": b'{"state":"online","x":' + DEEP + b"}",
    "int of 5000 digits": b'{"state":"online","rc":1' + b"0" * 5000 + b"}",
    "width NaN": b'{"state":"online","width":NaN}',
    "width 1e400": b'{"state":"online","width":1e400}',
    "width a string": _status(width="800"),
    "error a number": _status(error=5),
    "last_render not a time": _status(last_render="yesterday"),
    "last_render without offset": _status(last_render="2026-11-27T10:00:00"),
    "last_render a number": _status(last_render=1795600000),
}
STATUS_CLEANED: dict[str, bytes] = {
    "NUL in error": b'{"state":"online","error":"disk\\u0000full"}',
    "lone surrogate in error": b'{"state":"online","error":"bad \\ud800"}',
    "lone surrogate in panel": b'{"state":"online","panel":"epd\\udfff"}',
    "error of 10000 characters": json.dumps({"state": "online", "error": "e" * 10000}).encode(),
}
SNAPSHOT_REFUSED: dict[str, bytes] = {
    "JPEG": b"\xff\xd8\xff\xe0" + b"\x00" * 100,
    "text": b"not a png at all",
    "JSON": b'{"png": true}',
    "PNG signature only": b"\x89PNG\r\n\x1a\n",
    "PNG without IHDR": b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IEND", b""),
    "PNG of size 0x0": b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 0, 1, 0, 0, 0, 0)),
    "over 1 MiB": png_bytes()[:33] + b"\x00" * (MAX_SNAPSHOT_BYTES + 1),
}
ACK_REFUSED: dict[str, bytes] = {
    "empty": b"",
    "not JSON": b"ok",
    "id missing": b'{"ok":true}',
    "id a number": b'{"id":1,"ok":true}',
    "id of 65 characters": json.dumps({"id": "i" * 65, "ok": True}).encode(),
    "ok a string": b'{"id":"a","ok":"yes"}',
    "error a list": b'{"id":"a","ok":false,"error":["x"]}',
    "deep nesting": b'{"id":"a","ok":true,"x":' + DEEP + b"}",
    "int of 5000 digits": b'{"id":"a","ok":true,"n":1' + b"0" * 5000 + b"}",
    "over 64 KiB": json.dumps({"id": "a", "ok": True, "pad": "x" * 70000}).encode(),
}
TEXT_LIMIT = 500


def _storable(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value and len(value) <= TEXT_LIMIT


async def test_junk_from_a_display_keeps_its_last_good_state(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every refused payload leaves the entities as they were, with a warning, no traceback."""
    entry = init_integration
    sat = subscriber_factory(f"{PREFIX}#")
    await async_mqtt_synced(hass, sat.client)
    publish(sat.client, f"{PREFIX}reception/status", _status(), retain=True)
    publish(sat.client, f"{PREFIX}reception/snapshot", png_bytes(), retain=True)

    def connectivity() -> str:
        return state_of(hass, entry, "binary_sensor", "connectivity", "reception").state

    await wait_until(lambda: connectivity() == STATE_ON)
    tracker = entry.runtime_data.tracker
    await wait_until(lambda: tracker.displays["reception"].snapshot is not None)
    good = tracker.displays["reception"]
    good_status, good_snapshot = good.status, good.snapshot
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        for leaf, cases in (
            ("status", STATUS_REFUSED),
            ("snapshot", SNAPSHOT_REFUSED),
            ("ack", ACK_REFUSED),
        ):
            for raw in cases.values():
                publish(sat.client, f"{PREFIX}reception/{leaf}", raw)
        await sat.sync(hass)
        await async_mqtt_synced(hass, sat.client)
    state = tracker.displays["reception"]
    assert state.status == good_status
    assert state.snapshot == good_snapshot
    assert connectivity() == STATE_ON
    assert "Ignored status of display reception" in caplog.text
    assert "Ignored snapshot of display reception" in caplog.text
    assert "Ignored ack of display reception" in caplog.text
    assert "Traceback" not in caplog.text
    assert "Exception in" not in caplog.text
    for item in caplog.records:
        if item.name == "asyncio":  # slow-callback notes of the blocking test publishes
            continue
        if item.name == "homeassistant.components.mqtt.client":
            # HA's MQTT discovery of new signs (the manifest's ``mqtt`` key) reads the
            # status topic as UTF-8 and notes a payload that is not; nothing else may log.
            assert item.getMessage().startswith("Can't decode payload"), item.getMessage()
            assert "async_integration_message_received" in item.getMessage()
            continue
        assert item.name.startswith("custom_components.odoo_epaper"), item.getMessage()
    record("hub /status", "hand-written, over MQTT", len(STATUS_REFUSED))
    record("hub /snapshot", "hand-written, over MQTT", len(SNAPSHOT_REFUSED))
    record("hub /ack", "hand-written, over MQTT", len(ACK_REFUSED))


async def test_odd_texts_in_a_status_are_made_storable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """NUL, lone surrogates and huge texts never reach entity attributes or Odoo as such."""
    entry = init_integration
    sat = subscriber_factory(f"{PREFIX}#")
    await async_mqtt_synced(hass, sat.client)
    tracker = entry.runtime_data.tracker
    for raw in STATUS_CLEANED.values():
        publish(sat.client, f"{PREFIX}reception/status", raw)
        await sat.sync(hass)
        await async_mqtt_synced(hass, sat.client)
        status = tracker.displays["reception"].status
        assert status is not None and status.state == "online"
        assert _storable(status.error) and _storable(status.panel)
        problem = state_of(hass, entry, "binary_sensor", "problem", "reception")
        assert _storable(problem.attributes.get("error"))
    record("hub /status", "hand-written (cleaned, accepted)", len(STATUS_CLEANED))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=15,
)
STATUS_LIKE = st.fixed_dictionaries(
    {"state": st.sampled_from(["online", "offline", "ONLINE", 1, None])},
    optional={key: JSON for key in ("error", "panel", "width", "rc", "last_render", "version")},
)


def test_parsers_refuse_only_with_wire_errors() -> None:
    """Hypothesis: any bytes or JSON give a value or a WireError, and stored texts are clean."""
    counters = {name: Counter(f"hub /{name} (parser)") for name in ("status", "snapshot", "ack")}

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.binary(max_size=300)
        | JSON.map(lambda v: json.dumps(v).encode())
        | STATUS_LIKE.map(lambda v: json.dumps(v).encode())
        | st.binary(max_size=60).map(lambda b: png_bytes()[:24] + b)
    )
    def check(raw: bytes) -> None:
        for name, parse in (("status", parse_status), ("snapshot", parse_snapshot)):
            counters[name]()
            try:
                parsed = parse(raw)
            except WireError as err:
                assert err.reason
            else:
                if name == "status":
                    assert _storable(parsed.error) and _storable(parsed.panel)  # type: ignore[union-attr]
        counters["ack"]()
        try:
            parse_ack(raw)
        except WireError as err:
            assert err.reason

    check()
    for counter in counters.values():
        counter.record()
