"""The display tracker against Home Assistant's real MQTT and a real mosquitto."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
import pytest
from homeassistant.core import HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.display_state import DisplayState
from custom_components.odoo_epaper.display_tracker import DisplayTracker
from custom_components.odoo_epaper.status_mirror import status_report
from testbed.bad_images import BAD_SNAPSHOTS, PANEL, good_png
from testbed.ha_mqtt import async_mqtt_synced, publish
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.test_display_status import png_bytes
from tests.fixtures.vectors import load_vectors, raw_payload

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
PREFIX = "odoo_epaper/"
FULL_STATUS = load_vectors("status")["cases"][0]["payload"]


@pytest.fixture
async def sat(
    mqtt_entry: MockConfigEntry, subscriber_factory: Callable[..., OutsideSubscriber]
) -> OutsideSubscriber:
    """An outside client standing in for satellites and Odoo."""
    return subscriber_factory(f"{PREFIX}+/test")


@pytest.fixture
async def tracker(hass: HomeAssistant, sat: OutsideSubscriber) -> Any:
    """A tracker following PREFIX, its subscriptions active; stopped at teardown."""
    changed: list[list[str]] = []
    tracker = DisplayTracker(hass, None, on_changed=changed.append)
    tracker.changed = changed  # type: ignore[attr-defined]
    await tracker.async_set_prefixes([PREFIX])
    await async_mqtt_synced(hass, sat.client)
    yield tracker
    tracker.async_stop()


async def test_retained_status_then_updates(
    hass: HomeAssistant,
    tracker: DisplayTracker,
    sat: OutsideSubscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Statuses are followed; bad ones are logged once and keep the last good one."""
    seen: list[tuple[str, bool | None]] = []

    @callback
    def listener() -> None:
        state = tracker.data["reception"]
        seen.append(("reception", state.online))

    remove = tracker.async_add_listener(listener)
    publish(sat.client, f"{PREFIX}reception/status", json.dumps(FULL_STATUS), retain=True)
    await wait_until(lambda: "reception" in tracker.displays)
    state = tracker.displays["reception"]
    assert state.online is True
    assert state.status is not None
    assert state.status.panel == "epd7in5_V2"
    assert state.last_seen is not None
    assert tracker.last_update_success

    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            publish(sat.client, f"{PREFIX}reception/status", b'{"state": "sleeping"}')
        publish(sat.client, f"{PREFIX}reception/status", b"offline")
        await wait_until(lambda: tracker.displays["reception"].online is False)
    assert caplog.text.count("Ignored status of display reception") == 1
    assert tracker.displays["reception"].error is None
    assert seen == [("reception", True), ("reception", False)]
    remove()
    publish(sat.client, f"{PREFIX}reception/status", b"online")
    await wait_until(lambda: tracker.displays["reception"].online is True)
    assert len(seen) == 2
    assert tracker.online_count(["reception", "other"]) == 1


async def test_reserved_and_foreign_topics_are_ignored(
    hass: HomeAssistant, tracker: DisplayTracker, sat: OutsideSubscriber
) -> None:
    """The hub's and Odoo's own status and other prefixes make no display."""
    publish(sat.client, f"{PREFIX}_hub/status", b"online")
    publish(sat.client, f"{PREFIX}_odoo/status", b"online")
    publish(sat.client, "elsewhere/room/status", b"online")
    publish(sat.client, f"{PREFIX}marker/status", b"online")
    await wait_until(lambda: "marker" in tracker.displays)
    assert set(tracker.displays) == {"marker"}


async def test_snapshot(
    hass: HomeAssistant,
    tracker: DisplayTracker,
    sat: OutsideSubscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A PNG snapshot is kept, garbage is refused, an empty one clears it."""
    publish(sat.client, f"{PREFIX}reception/snapshot", png_bytes(64, 32), retain=True, qos=0)
    await wait_until(
        lambda: (state := tracker.displays.get("reception")) is not None and state.snapshot
    )
    snapshot = tracker.displays["reception"].snapshot
    assert snapshot is not None
    assert (snapshot.width, snapshot.height) == (64, 32)
    publish(sat.client, f"{PREFIX}reception/snapshot", b"not a png", qos=0)
    publish(sat.client, f"{PREFIX}reception/snapshot", b"", qos=0)
    await wait_until(lambda: tracker.displays["reception"].snapshot is None)
    assert "Ignored snapshot of display reception" in caplog.text


async def test_a_bad_snapshot_is_refused_and_the_last_good_one_kept(
    hass: HomeAssistant,
    tracker: DisplayTracker,
    sat: OutsideSubscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A door of PANEL's size: after a good snapshot, every bad PNG of testbed/bad_images.py
    (truncated, the 109 KB bomb, larger than the panel, ...) is refused with a log line and
    the good one stays, bytes unchanged."""
    caplog.set_level(logging.DEBUG, logger="custom_components.odoo_epaper")
    width, height = PANEL
    status = {"state": "online", "width": width, "height": height}
    publish(sat.client, f"{PREFIX}reception/status", json.dumps(status), retain=True)
    await wait_until(
        lambda: (
            (state := tracker.displays.get("reception")) is not None and state.status is not None
        )
    )
    good = good_png()
    publish(sat.client, f"{PREFIX}reception/snapshot", good, retain=True, qos=0)
    await wait_until(lambda: tracker.displays["reception"].snapshot is not None)

    def refused() -> int:
        return sum("snapshot of" in r.getMessage() for r in caplog.records if "Ignored" in r.msg)

    for count, (_name, make) in enumerate(BAD_SNAPSHOTS, start=1):
        publish(sat.client, f"{PREFIX}reception/snapshot", make(), retain=True, qos=0)
        await wait_until(lambda count=count: refused() == count, 20)
    snapshot = tracker.displays["reception"].snapshot
    assert snapshot is not None and snapshot.png == good
    assert "Ignored snapshot of display reception" in caplog.text  # a warning, once per reason

    # A burst of good ones: decoded one at a time, the newest shown last.
    for width in range(100, 120):
        publish(sat.client, f"{PREFIX}reception/snapshot", good_png(width, 50), qos=0)
    await wait_until(lambda: getattr(tracker.displays["reception"].snapshot, "width", 0) == 119)


async def test_test_message_with_ack(
    hass: HomeAssistant, tracker: DisplayTracker, sat: OutsideSubscriber
) -> None:
    """A test message carries a fresh id; the matching ack resolves it in ms."""
    received: list[dict[str, Any]] = []

    def answer(client: paho.Client, _userdata: Any, msg: paho.MQTTMessage) -> None:
        request = json.loads(msg.payload)
        received.append(request)
        device = msg.topic.split("/")[1]
        client.publish(f"{PREFIX}{device}/ack", json.dumps({"id": "other", "ok": True}))
        client.publish(f"{PREFIX}{device}/ack", b"garbage")
        ack = {"id": request["id"], "ok": True, "error": None}
        client.publish(f"{PREFIX}{device}/ack", json.dumps(ack), qos=1)

    sat.client.on_message = answer
    result = await tracker.async_test_message(PREFIX, "reception", "Hello ✓", 5)
    assert result.acknowledged is True
    assert result.ok is True
    assert result.milliseconds is not None
    assert 0 <= result.milliseconds < 5000
    assert received[0]["text"] == "Hello ✓"
    assert received[0]["id"] == result.id
    second = await tracker.async_test_message(PREFIX, "reception", "again", 5)
    assert second.id != result.id


async def test_test_message_without_ack(hass: HomeAssistant, tracker: DisplayTracker) -> None:
    """No ack within the wait is reported, not raised."""
    result = await tracker.async_test_message(PREFIX, "nobody", "hi", 0.2)
    assert result.acknowledged is False
    assert result.milliseconds is None


@pytest.mark.parametrize("case", load_vectors("changed")["cases"], ids=lambda case: case["name"])
async def test_change_notices(
    hass: HomeAssistant,
    tracker: Any,
    sat: OutsideSubscriber,
    case: dict[str, Any],
) -> None:
    """Valid change notices with devices are passed on; others are ignored."""
    publish(sat.client, f"{PREFIX}_odoo/changed", raw_payload(case))
    publish(sat.client, f"{PREFIX}_odoo/changed", b'{"devices": ["marker"]}')
    await wait_until(lambda: ["marker"] in tracker.changed)
    expected = [["marker"]]
    if case["valid"] and case["devices"]:
        expected.insert(0, case["devices"])
    assert tracker.changed == expected


async def test_prefix_change_and_stop(
    hass: HomeAssistant, tracker: DisplayTracker, sat: OutsideSubscriber
) -> None:
    """Leaving a prefix unsubscribes it; stop leaves no subscription behind."""
    await tracker.async_set_prefixes(["site/b/"])
    await async_mqtt_synced(hass, sat.client)
    assert tracker.prefixes == {"site/b/"}
    publish(sat.client, f"{PREFIX}old/status", b"online")
    publish(sat.client, "site/b/new/status", b"online")
    await wait_until(lambda: "new" in tracker.displays)
    assert "old" not in tracker.displays
    assert tracker.displays["new"].prefix == "site/b/"
    tracker.async_stop()
    assert tracker.prefixes == set()
    publish(sat.client, "site/b/new/status", b"offline")
    publish(sat.client, "site/b/late/status", b"online")
    await async_mqtt_synced(hass, sat.client)
    assert "late" not in tracker.displays
    assert tracker.displays["new"].online is True


def test_state_defaults() -> None:
    """A display with no status yet is neither online nor in error."""
    state = DisplayState(prefix=PREFIX)
    assert state.online is None
    assert state.error is None


async def test_an_offline_display_keeps_the_time_it_was_last_heard_from(
    hass: HomeAssistant, tracker: DisplayTracker, sat: OutsideSubscriber
) -> None:
    """last_seen is the arrival of the newest online status; the offline keeps it and the
    mirror's report for Odoo carries it (never the time of the offline)."""
    publish(sat.client, f"{PREFIX}reception/status", json.dumps(FULL_STATUS))
    await wait_until(lambda: "reception" in tracker.displays)
    heard = tracker.displays["reception"].last_seen
    assert heard is not None
    publish(sat.client, f"{PREFIX}reception/status", b'{"state": "offline"}')
    await wait_until(lambda: tracker.displays["reception"].online is False)
    state = tracker.displays["reception"]
    assert state.last_seen == heard
    assert state.status_at is not None and state.status_at > heard
    report = status_report("reception", state)
    assert report["state"] == "offline"
    assert report["last_seen"] == heard.strftime("%Y-%m-%d %H:%M:%S")
