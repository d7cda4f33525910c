"""Per-broker isolation: a dead or silent broker delays nothing for the others.

Two real Mosquitto brokers, one of them stopped, plus a broker behind a TCP proxy
that swallows every byte (a slow, half-open broker). The live broker's change
notices must arrive within 1 s whatever is queued for the others; the cron's wait
for its sessions must not grow with the number of unreachable brokers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from mqtt_bridge import BridgeClient, BrokerSettings, ChangeNotifier, MqttConnectionManager

from testbed.broker import Broker
from testbed.tcp_proxy import TcpProxy
from tests.addon.conftest import settings_for
from tests.addon.helpers import Peer, wait_for

PREFIX = "odoo_epaper/"
LIVE_BOUND = 1.0  # seconds from notify() to the hub's receipt, for the live broker


@pytest.fixture
def manager() -> Iterator[MqttConnectionManager]:
    """The process's session registry, emptied after the test."""
    instance = MqttConnectionManager()
    yield instance
    instance.shutdown()


@pytest.fixture
def dead_broker(broker_factory: Callable[..., Broker]) -> Broker:
    """A real broker that was started and then stopped: connections are refused."""
    broker = broker_factory()
    broker.stop()
    return broker


@pytest.fixture
def silent_broker(mosquitto: Broker) -> Iterator[TcpProxy]:
    """A proxy in front of a broker that accepts connections and swallows every byte."""
    proxy = TcpProxy(mosquitto.host, mosquitto.port).start()
    proxy.blackhole = True
    yield proxy
    proxy.stop()


def _arrivals(peer: Peer, pattern: str) -> dict[str, float]:
    """Record when each change notice (by its payload) reaches ``peer``."""
    seen: dict[str, float] = {}
    peer.on(pattern, lambda message: seen.setdefault(message.payload.decode(), time.monotonic()))
    return seen


def test_live_broker_notices_arrive_within_a_second_while_others_are_down(
    broker_factory: Callable[..., Broker],
    dead_broker: Broker,
    silent_broker: TcpProxy,
    manager: MqttConnectionManager,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Notices for a stopped and a silent broker queue first; the live one's are still prompt."""
    live = broker_factory()
    hub = Peer(live, client_id="hub")
    hub.subscribe(f"{PREFIX}_odoo/changed")
    arrived = _arrivals(hub, f"{PREFIX}_odoo/changed")
    notifier = ChangeNotifier(manager.register, connect_wait=5.0)
    dead = BrokerSettings(host=dead_broker.host, port=dead_broker.port, use_tls=False)
    silent = BrokerSettings(host="127.0.0.1", port=silent_broker.port, use_tls=False)
    sent: dict[str, float] = {}
    try:
        # Warm the live session up, as the cron keeps it running in Odoo.
        manager.register("db|live", settings_for(live)).wait_connected(5)
        for round_ in range(4):
            assert notifier.notify("db|dead", dead, [f"dead-{round_}"])
            assert notifier.notify("db|silent", silent, [f"silent-{round_}"])
            name = f"live-{round_}"
            sent[f'{{"devices":["{name}"]}}'] = time.monotonic()
            assert notifier.notify("db|live", settings_for(live), [name])
        assert wait_for(lambda: len(arrived) == len(sent), 5), arrived
        latencies = {payload: arrived[payload] - at for payload, at in sent.items()}
        worst = max(latencies.values())
        assert worst < LIVE_BOUND, latencies
        print(f"live broker notice latency: worst {worst * 1000:.0f} ms")
    finally:
        assert notifier.flush(15)
        notifier.stop()
        hub.close()
    # The stopped broker: one warning for its outage, the rest dropped quietly while backing off.
    assert notifier.sent == 4
    assert notifier.dropped == 8
    down_lines = [r for r in caplog.records if "broker down" in r.getMessage()]
    assert len(down_lines) == 2, [r.getMessage() for r in down_lines]  # dead + silent, once each


def test_a_backing_off_lane_drops_at_once(
    dead_broker: Broker, manager: MqttConnectionManager
) -> None:
    """After one failed attempt the broker's lane drops new notices without waiting again."""
    notifier = ChangeNotifier(manager.register, connect_wait=1.0)
    dead = BrokerSettings(host=dead_broker.host, port=dead_broker.port, use_tls=False)
    try:
        assert notifier.notify("db|dead", dead, ["a"])
        assert notifier.flush(5)
        started = time.monotonic()
        for name in ("b", "c", "d"):
            assert notifier.notify("db|dead", dead, [name])
        assert notifier.flush(5)
        assert time.monotonic() - started < 0.5
        assert notifier.dropped == 4
    finally:
        notifier.stop()


def test_notices_for_deleted_displays_are_dropped_once_with_one_line(
    mosquitto: Broker, manager: MqttConnectionManager, caplog: pytest.LogCaptureFixture
) -> None:
    """Only existing displays are announced; a notice for none of them is one info line."""
    hub = Peer(mosquitto, client_id="hub")
    hub.subscribe(f"{PREFIX}_odoo/changed")
    existing = {"reception"}
    asked: list[tuple[str, ...]] = []

    def still_there(_key: str, devices: tuple[str, ...]) -> list[str]:
        asked.append(devices)
        return [device for device in devices if device in existing]

    notifier = ChangeNotifier(manager.register, connect_wait=5.0, existing=still_there)
    settings = settings_for(mosquitto)
    caplog.set_level(logging.INFO)
    try:
        assert notifier.notify("db|a", settings, ["gone-1", "gone-2"])
        assert notifier.notify("db|a", settings, ["gone-1", "reception"])
        assert wait_for(lambda: hub.messages, 5)
        assert notifier.flush(5)
    finally:
        notifier.stop()
        hub.close()
    assert [m.payload for m in hub.messages] == [b'{"devices":["reception"]}']
    lines = [r.getMessage() for r in caplog.records if "no such display" in r.getMessage()]
    assert lines == ["change notice for gone-1, gone-2 dropped: no such display any more"]
    assert (notifier.sent, notifier.dropped) == (1, 1)


def test_waiting_for_sessions_does_not_grow_with_unreachable_brokers(
    broker_factory: Callable[..., Broker], manager: MqttConnectionManager
) -> None:
    """Three silent brokers and a live one: one shared deadline, not one wait per broker."""
    live = broker_factory()
    proxies = [TcpProxy(live.host, live.port).start() for _ in range(3)]
    for proxy in proxies:
        proxy.blackhole = True
    try:
        keys = {"db|live": settings_for(live)}
        keys |= {
            f"db|silent-{n}": BrokerSettings(host="127.0.0.1", port=p.port, use_tls=False)
            for n, p in enumerate(proxies)
        }
        for key, settings in keys.items():
            manager.register(key, settings)
        started = time.monotonic()
        connected = manager.wait_connected(keys, 1.5)
        elapsed = time.monotonic() - started
        assert connected == {"db|live"}
        assert elapsed < 2.5, f"{elapsed:.2f} s for 3 unreachable brokers"
    finally:
        manager.shutdown()
        for proxy in proxies:
            proxy.stop()


def test_notify_never_blocks_the_caller(dead_broker: Broker) -> None:
    """Even a lane stuck in its connect wait leaves notify() instant for everyone."""
    release = threading.Event()

    def slow(_key: str, _settings: BrokerSettings) -> BridgeClient:
        release.wait(5)
        raise RuntimeError("no client in this test")

    notifier = ChangeNotifier(slow, maxsize=2)
    settings = BrokerSettings(host=dead_broker.host, port=dead_broker.port, use_tls=False)
    started = time.monotonic()
    results = [notifier.notify(f"db|{n % 3}", settings, ["a"]) for n in range(12)]
    assert time.monotonic() - started < 0.2
    assert results.count(True) >= 3  # each lane took some
    release.set()
    assert notifier.flush(5)
    notifier.stop()
