"""No Home Assistant: a booking reaches a real satellite's panel through the addon's plain
publisher (Odoo as the broker's publisher), with a real mosquitto."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from typing import Any

from mqtt_bridge import BridgeClient, DataPublisher, Event, MqttConnectionManager, PublishJob

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.addon.helpers import wait_for
from tests.addon.test_data_publisher import Store
from tests.addon.test_satellite_roundtrip import DEVICE, satellite  # noqa: F401 (fixture)

Start = Callable[..., tuple[BridgeClient, list[Event]]]


def test_a_booking_reaches_the_panel_without_home_assistant(
    mosquitto: Broker,
    satellite: subprocess.Popen[bytes],  # noqa: F811
    start_client: Start,
) -> None:
    """A booking at the room: the addon publishes /data, the satellite draws it and
    reports that content's hash; a second booking, the new hash."""
    client, _events = start_client(settings_for(mosquitto))
    assert wait_for(lambda: DEVICE in client.statuses(), 20)
    store = Store()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    store.now = now
    start = now + dt.timedelta(hours=1)

    def booking(title: str, hours: int) -> dict[str, Any]:
        begin = start + dt.timedelta(hours=hours)
        return {
            "title": title,
            "start": begin.strftime("%Y-%m-%d %H:%M:%S"),
            "end": (begin + dt.timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S"),
        }

    manager = MqttConnectionManager()
    publisher = DataPublisher(manager.register, store.plan, store.done)
    try:
        entry = {"device": DEVICE, "room": "Door One", "tz": "UTC", "events": []}
        for number, title in enumerate(("Board meeting", "Stand-up")):
            entry["events"].append(booking(title, number))
            store.entries[1] = dict(entry, events=list(entry["events"]))
            publisher.submit(PublishJob("k", settings_for(mosquitto), frozenset({1})))
            assert publisher.flush(10)
            published = store.last[1].content_hash
            assert wait_for(
                lambda h=published: client.statuses()[DEVICE].status.content_hash == h, 30
            ), client.statuses()[DEVICE]
    finally:
        publisher.stop()
        manager.shutdown()
