"""Odoo as its broker's publisher, without Odoo: the plain lanes (``mqtt_bridge``) publish
what the plain rules (``epaper_publish``) say is due, to a real mosquitto."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from mqtt_bridge import (
    BridgeClient,
    BrokerSettings,
    DataPublisher,
    MqttConnectionManager,
    Outgoing,
    PublishJob,
)

from testbed.addon_code import load_plain_package
from testbed.broker import Broker, free_port
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer, wait_for

publish: Any = load_plain_package("epaper_publish")
PREFIX = "odoo_epaper/"
NOW = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)


class Store:
    """An Odoo stand-in: displays by id, their schedule entries, what was published."""

    def __init__(self) -> None:
        self.entries: dict[int, dict[str, Any] | None] = {}
        self.last: dict[int, Any] = {}
        self.now = NOW
        self.plans = 0

    def plan(self, job: PublishJob) -> list[Outgoing]:
        """What is due for the job's displays (the Odoo glue does this with a cursor)."""
        self.plans += 1
        current: dict[int, Any] = {}
        for display in job.display_ids:
            entry = self.entries.get(display)
            if entry is None:
                current[display] = None
                continue
            payload = publish.display_payload(entry, self.now)
            current[display] = (publish.data_topic(PREFIX, entry["device"]), payload)
        due = publish.due_messages(current, self.last, self.now)
        return [Outgoing(topic, b"") for topic in sorted(job.clear)] + [
            Outgoing(d.topic, d.payload, d.display, d.content_hash, d.valid_until) for d in due
        ]

    def done(self, _job: PublishJob, published: list[Outgoing]) -> None:
        """Remember what the broker took."""
        for item in published:
            if item.display_id is None:
                continue
            if item.content_hash is None:
                if (
                    self.last.get(item.display_id)
                    and self.last[item.display_id].topic == item.topic
                ):
                    del self.last[item.display_id]
                continue
            until = dt.datetime.fromisoformat(item.valid_until or "")
            self.last[item.display_id] = publish.Published(item.topic, item.content_hash, until)


def entry(device: str, title: str = "Board meeting") -> dict[str, Any]:
    """A display entry of ``epaper_schedule``'s answer with one event."""
    return {
        "device": device,
        "room": device.title(),
        "tz": "Europe/Berlin",
        "events": [{"title": title, "start": "2026-11-27 10:00:00", "end": "2026-11-27 11:00:00"}],
    }


@pytest.fixture
def store() -> Store:
    """An empty Odoo stand-in."""
    return Store()


@pytest.fixture
def publisher(store: Store) -> Iterator[DataPublisher]:
    """Lanes whose sessions come from the process's manager."""
    manager = MqttConnectionManager()

    def client_for(key: str, settings: BrokerSettings) -> BridgeClient:
        return manager.register(key, settings)

    instance = DataPublisher(client_for, store.plan, store.done, connect_wait=2.0)
    yield instance
    instance.stop()
    manager.shutdown()


def test_data_reaches_the_door_retained_once(
    mosquitto: Broker, store: Store, publisher: DataPublisher
) -> None:
    """Retained, QoS 1, the builder's bytes; an unchanged schedule sends nothing, a changed
    one sends the new payload, an archived display's topic is cleared."""
    settings = settings_for(mosquitto)
    store.entries[1] = entry("reception")
    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert publisher.flush(10)
    door = Peer(mosquitto, client_id="door")
    door.subscribe(f"{PREFIX}reception/data")
    assert wait_for(lambda: door.messages)
    message = door.messages[0]
    assert message.retain and message.qos == 1
    assert message.payload == publish.encode(publish.display_payload(store.entries[1], NOW))
    assert json.loads(message.payload)["events"][0]["title"] == "Board meeting"

    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert publisher.flush(10)
    assert publisher.published == 1  # unchanged content: nothing sent

    store.entries[1] = entry("reception", "Moved meeting")
    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert wait_for(lambda: len(door.messages) == 2)
    assert json.loads(door.messages[1].payload)["events"][0]["title"] == "Moved meeting"

    store.entries[1] = None  # archived
    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert wait_for(lambda: len(door.messages) == 3)
    assert door.messages[2].payload == b""
    assert publisher.flush(10)
    assert 1 not in store.last
    late = Peer(mosquitto, client_id="late")
    late.subscribe(f"{PREFIX}reception/data")
    assert not wait_for(lambda: late.messages, 0.5)  # nothing retained any more
    door.close()
    late.close()


def test_renewal_when_half_the_life_is_gone(
    mosquitto: Broker, store: Store, publisher: DataPublisher
) -> None:
    """The same content is published again once less than half of its 12 h is left."""
    settings = settings_for(mosquitto)
    store.entries[1] = entry("reception")
    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert publisher.flush(10)
    store.now = NOW + dt.timedelta(hours=5, minutes=59)
    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert publisher.flush(10)
    assert publisher.published == 1
    store.now = NOW + dt.timedelta(hours=6, minutes=1)
    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert publisher.flush(10)
    assert publisher.published == 2


def test_deleted_display_topics_are_cleared(
    mosquitto: Broker, store: Store, publisher: DataPublisher
) -> None:
    """A job's ``clear`` topics (displays deleted) lose their retained message."""
    settings = settings_for(mosquitto)
    store.entries[1] = entry("gone")
    publisher.submit(PublishJob("k", settings, frozenset({1})))
    assert publisher.flush(10)
    publisher.submit(PublishJob("k", settings, clear=frozenset({f"{PREFIX}gone/data"})))
    assert publisher.flush(10)
    late = Peer(mosquitto, client_id="late")
    late.subscribe(f"{PREFIX}gone/data")
    assert not wait_for(lambda: late.messages, 0.5)
    late.close()


def test_a_dead_broker_does_not_delay_another(
    mosquitto: Broker, store: Store, publisher: DataPublisher
) -> None:
    """The live broker's door gets its /data while the dead broker's lane still waits."""
    dead = BrokerSettings(host="127.0.0.1", port=free_port(), use_tls=False)
    store.entries[1] = entry("dead-door")
    store.entries[2] = entry("live-door")
    door = Peer(mosquitto, client_id="door")
    door.subscribe(f"{PREFIX}live-door/data")
    started = time.monotonic()
    publisher.submit(PublishJob("dead", dead, frozenset({1})))
    publisher.submit(PublishJob("live", settings_for(mosquitto), frozenset({2})))
    assert wait_for(lambda: door.messages, 5)
    assert time.monotonic() - started < publisher.connect_wait
    assert publisher.flush(10)
    assert 1 not in store.last and 2 in store.last
    door.close()


def test_a_burst_of_jobs_is_one_round(mosquitto: Broker, store: Store) -> None:
    """Jobs waiting in a lane are merged: one plan for a burst of commits."""
    release: list[bool] = []
    manager = MqttConnectionManager()

    def slow_plan(job: PublishJob) -> list[Outgoing]:
        wait_for(lambda: release, 5)
        return store.plan(job)

    publisher = DataPublisher(manager.register, slow_plan, store.done)
    settings = settings_for(mosquitto)
    for display in range(1, 51):
        store.entries[display] = entry(f"door-{display}")
        publisher.submit(PublishJob("k", settings, frozenset({display})))
    release.append(True)
    assert publisher.flush(10)
    assert store.plans <= 2
    assert len(store.last) == 50
    publisher.stop()
    manager.shutdown()
