"""Bad ``/status`` payloads against the Odoo addon's real MQTT session."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mqtt_bridge import BridgeClient, Event, StatusEvent
from mqtt_bridge.wire import MAX_TEXT, WireError, parse_status

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.reliability.addon_junk import STATUS_CLEANED, STATUS_REJECTED
from tests.reliability.case_counts import Counter, record
from tests.reliability.helpers import PREFIX, Watcher
from tests.satellite.conftest import wait_until

Start = Callable[..., tuple[BridgeClient, list[Event]]]
UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def _storable(value: object) -> bool:
    return not isinstance(value, str) or (
        UNSTORABLE.search(value) is None and len(value) <= MAX_TEXT
    )


def _last(events: list[Event], device: str) -> StatusEvent | None:
    found = [e for e in events if isinstance(e, StatusEvent) and e.device == device]
    return found[-1] if found else None


def test_bad_statuses_keep_the_last_good_one(
    mosquitto: Broker, start_client: Start, caplog: pytest.LogCaptureFixture
) -> None:
    """Every refused payload is one warning with its reason; the good status stays."""
    client, events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    peer = Watcher(mosquitto).start(f"{PREFIX}_odoo/#")
    try:
        good = b'{"state":"online","error":null,"panel":"epd7in5_V2"}'
        peer.publish(f"{PREFIX}hall/status", good)
        wait_until(lambda: _last(events, "hall"), 5, "the good status")
        warned = 0
        with caplog.at_level(logging.WARNING):
            for name, raw in STATUS_REJECTED.items():
                peer.publish(f"{PREFIX}hall/status", raw)
                if raw:
                    warned += 1
                    wait_until(
                        lambda n=warned: caplog.text.count("ignored status of 'hall'") >= n, 5, name
                    )
                last = _last(events, "hall")
                assert last is not None and last.status.panel == "epd7in5_V2", name
            peer.publish(f"{PREFIX}hall/status", b"")  # a cleared retained status: no warning
        assert caplog.text.count("ignored status of 'hall'") == warned
        assert "could not be handled" not in caplog.text
        assert len(caplog.records) == warned, caplog.text
        assert len([e for e in events if isinstance(e, StatusEvent)]) == 1
        assert client.is_connected() and client.running
    finally:
        peer.stop()
    record("addon /status", "hand-written (refused)", len(STATUS_REJECTED))


def test_odd_texts_are_cleaned_before_they_reach_the_database(
    mosquitto: Broker, start_client: Start, caplog: pytest.LogCaptureFixture
) -> None:
    """NUL, controls, lone surrogates and huge texts are made storable; the state is kept."""
    client, _events = start_client(settings_for(mosquitto))
    assert client.wait_connected(5)
    peer = Watcher(mosquitto).start(f"{PREFIX}_odoo/#")
    try:
        for index, raw in enumerate(STATUS_CLEANED.values()):
            peer.publish(f"{PREFIX}dev-{index}/status", raw)
        wait_until(lambda: len(client.statuses()) == len(STATUS_CLEANED), 5, "every status")
    finally:
        peer.stop()
    for index, name in enumerate(STATUS_CLEANED):
        status = client.statuses()[f"dev-{index}"].status
        assert status.state == "online", name
        for value in (status.error, status.panel, status.version):
            assert _storable(value), (name, value)
    assert client.statuses()["dev-0"].status.error == "disk\ufffdfull"
    assert len(client.statuses()["dev-3"].status.error or "") == MAX_TEXT
    assert "could not be handled" not in caplog.text
    record("addon /status", "hand-written (cleaned, accepted)", len(STATUS_CLEANED))


TEXT = st.text(max_size=600) | st.text(alphabet=st.characters(max_codepoint=0xFFFF), max_size=40)


def test_any_status_text_comes_out_storable() -> None:
    """Hypothesis: whatever texts a valid status holds, the parsed ones fit a database field."""
    counter = Counter("addon /status (parser)", "hypothesis, texts made storable")

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(
        st.fixed_dictionaries(
            {"state": st.sampled_from(["online", "offline"])},
            optional={"error": TEXT, "panel": TEXT, "version": TEXT, "colors": TEXT},
        ),
        st.booleans(),
    )
    def check(status: dict[str, str], ascii_only: bool) -> None:
        counter()
        raw = json.dumps(status, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
        try:
            parsed = parse_status(raw)
        except WireError as err:
            assert err.reason == "encoding"  # a raw surrogate byte sequence is not UTF-8
            return
        for value in (parsed.error, parsed.panel, parsed.version, parsed.colors):
            assert _storable(value)

    check()
    counter.record()
