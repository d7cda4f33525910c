"""Events cross from paho's thread to the ORM through a queue, in batches."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mqtt_bridge import (
    BridgeClient,
    DeviceStatus,
    Event,
    EventDrainer,
    EventQueue,
    StatusEvent,
)

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer, wait_for

Start = Callable[..., tuple[BridgeClient, list[Event]]]


def status(device: str, state: str = "online") -> StatusEvent:
    """A status event for tests."""
    return StatusEvent(connection_key="k", device=device, status=DeviceStatus(state=state))


def test_queue_batches_and_bounds() -> None:
    """Batches respect the maximum; a full queue drops the oldest."""
    events = EventQueue(maxlen=3)
    for name in "abcd":
        events.put(status(name))
    assert events.dropped == 1
    batch = events.get_batch(0.1, max_items=2)
    assert [e.device for e in batch] == ["b", "c"]  # type: ignore[union-attr]
    assert [e.device for e in events.get_batch(0.1)] == ["d"]  # type: ignore[union-attr]
    assert events.get_batch(0.05) == []


def test_a_failing_batch_does_not_stop_the_drainer() -> None:
    """The handler raises once: logged, the next batch is still handled."""
    events = EventQueue()
    handled: list[list[str]] = []

    def handler(batch: list[Event]) -> None:
        names = [e.device for e in batch if isinstance(e, StatusEvent)]
        if "boom" in names:
            raise RuntimeError("database down")
        handled.append(names)

    drainer = EventDrainer(events, handler, settle=0.0).start()
    events.put(status("boom"))
    assert wait_for(lambda: drainer.failed_batches == 1)
    events.put(status("fine"))
    assert wait_for(lambda: handled == [["fine"]])
    assert drainer.running
    drainer.stop()
    assert not drainer.running


def test_statuses_reach_the_handler_in_another_thread(
    mosquitto: Broker, start_client: Start
) -> None:
    """From the broker to a handler thread that is neither paho's nor the caller's."""
    events = EventQueue()
    seen: list[tuple[str, str, str]] = []

    def handler(batch: list[Event]) -> None:
        for event in batch:
            if isinstance(event, StatusEvent):
                seen.append((event.device, event.state, threading.current_thread().name))

    drainer = EventDrainer(events, handler, settle=0.2).start()
    client, _ = start_client(settings_for(mosquitto))
    client.on_event = events.put
    assert client.wait_connected(5)
    peer = Peer(mosquitto)
    for index in range(20):
        peer.publish(f"odoo_epaper/room-{index}/status", "online")
    assert wait_for(lambda: len(seen) == 20)
    assert {thread for _, _, thread in seen} == {"connection_conf-drain"}
    assert drainer.batches < 20  # a burst is stored in few transactions
    drainer.stop()
    peer.close()
