"""Fan-out: N displays through the real Home Assistant MQTT integration into mosquitto.

Run with ``scripts/py314 .venv/bin/python -m bench.fanout``: it runs itself under pytest with
Home Assistant's test plugin (the real core and its real ``mqtt`` integration,
connected to a real mosquitto, the Odoo test server over real HTTP), for 10,
100 and 1000 displays, and writes the ``fanout`` section of docs/benchmarks.md.

Per N it measures one refresh cycle's RPCs, the time of a cycle in which every
display changed, the latency from each ``mqtt.async_publish`` call to the
message's arrival at an outside paho subscriber (p50, p99), and how many
displays an unchanged second cycle publishes (it must be 0). The baseline in
the same run: a bare paho client publishing the same N payloads, retained, at
the same QoS, to the same broker.
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import paho.mqtt.client as paho
import pytest
from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.ha_harness import PLUGINS, append_result, demo_entry, percentile, run
from bench.report import table, write_section
from custom_components.odoo_epaper import publisher as publisher_module
from custom_components.odoo_epaper.options import EpaperOptions
from demo import data
from testbed.broker import Broker
from testbed.mqtt_peer import MqttPeer
from testbed.odoo_process import OdooServerProcess

pytest_plugins = PLUGINS

SIZES = [10, 100, 1000]
PREFIX = "odoo_epaper/"
PAHO_PREFIX = "paho_baseline/"
# Set to a path prefix to write a cProfile of each changed cycle (the event loop's thread).
PROFILE_ENV = "EPAPER_BENCH_PROFILE"


def arrivals(peer: MqttPeer, after: int, count: int, within: float = 60) -> dict[str, float]:
    """Wait for ``count`` messages after position ``after``; return arrival time by topic."""
    deadline = time.monotonic() + within
    while len(seen := peer.snapshot(after)) < count:
        assert time.monotonic() < deadline, f"{len(seen)} of {count} arrived"
        time.sleep(0.002)
    return {message.topic: message.at for message in seen}


@contextlib.contextmanager
def profiled(name: str) -> Iterator[None]:
    """Profile the block with cProfile into ``$EPAPER_BENCH_PROFILE-<name>.prof`` when set."""
    if not os.environ.get(PROFILE_ENV):
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(f"{os.environ[PROFILE_ENV]}-{name}.prof")


def rooms(count: int) -> list[tuple[str, str]]:
    return [(f"room-{index:04d}", f"Room {index:04d}") for index in range(count)]


def events(now: dt.datetime, count: int, title: str) -> list[dict[str, Any]]:
    """Three bookings today in each room."""
    start = now.replace(minute=0, second=0, microsecond=0)
    return [
        data.event(
            index * 3 + slot + 1, f"{title} {slot}", room, start + dt.timedelta(hours=slot), 45
        )
        for index, (_, room) in enumerate(rooms(count))
        for slot in range(3)
    ]


@pytest.fixture
def odoo(request: pytest.FixtureRequest, socket_enabled: None) -> Iterator[OdooServerProcess]:
    """The Odoo test server in a process of its own (as a real Odoo is)."""
    count = request.param
    now = dt.datetime.now(dt.UTC)
    folder = Path(tempfile.mkdtemp())
    content = data.fixture(now, rooms(count), events(now, count, "Meeting"))
    server = OdooServerProcess(data.write_fixture(folder / "fanout.json", content))
    server.bench_count = count  # type: ignore[attr-defined]
    yield server
    server.stop()


def fresh_topics(payloads: dict[str, bytes]) -> dict[str, bytes]:
    """The payloads under PAHO_PREFIX, where the broker holds nothing retained yet."""
    return {topic.replace(PREFIX, PAHO_PREFIX, 1): body for topic, body in payloads.items()}


def bare_paho_baseline(
    broker: Broker, payloads: dict[str, bytes], qos: int, prefix: str = PREFIX
) -> dict[str, float]:
    """Publish the payloads (their topics under ``prefix``) from a plain paho client;
    return its figures."""
    subscriber = MqttPeer(broker).start(f"{prefix}+/data")
    client = paho.Client(paho.CallbackAPIVersion.VERSION2)
    client.max_inflight_messages_set(100)
    client.connect("127.0.0.1", broker.port)
    # As Home Assistant's MQTT client does: no Nagle delay on small packets.
    sock = client.socket()
    assert isinstance(sock, socket.socket)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.loop_start()
    sent: dict[str, float] = {}
    started = time.monotonic()
    infos = []
    for topic, payload in payloads.items():
        sent[topic] = time.monotonic()
        infos.append(client.publish(topic, payload, qos=qos, retain=True))
    times = arrivals(subscriber, 0, len(payloads))
    total = max(times.values()) - started
    latencies = [(times[t] - sent[t]) * 1000 for t in payloads]
    for info in infos:
        info.wait_for_publish(10)
    client.disconnect()
    client.loop_stop()
    subscriber.stop()
    return {
        "cycle_ms": total * 1000,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
    }


@pytest.mark.parametrize("odoo", SIZES, indirect=True)
async def test_fanout(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, mosquitto: Broker, odoo: OdooServerProcess
) -> None:
    count = odoo.bench_count  # type: ignore[attr-defined]
    # Home Assistant's test plugin runs the event loop in asyncio debug mode, which
    # records a stack trace for every callback; a running Home Assistant does not.
    hass.loop.set_debug(False)
    entry = demo_entry(odoo)  # type: ignore[arg-type]
    entry.add_to_hass(hass)
    subscriber = MqttPeer(mosquitto).start(f"{PREFIX}+/data")
    publish_calls: dict[str, float] = {}
    real_publish = mqtt.async_publish

    async def timed_publish(hass: HomeAssistant, topic: str, *args: Any, **kwargs: Any) -> None:
        publish_calls[topic] = time.monotonic()
        await real_publish(hass, topic, *args, **kwargs)

    try:
        with patch.object(publisher_module.mqtt, "async_publish", timed_publish):
            started = time.monotonic()
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            await hass.async_add_executor_job(arrivals, subscriber, 0, count)
            setup_ms = (time.monotonic() - started) * 1000
            coordinator = entry.runtime_data.coordinator

            # An unchanged second cycle: one RPC (epaper_schedule), nothing published.
            mark = subscriber.mark()
            publish_calls.clear()
            odoo.reset_counts()
            await coordinator.async_refresh()
            rpcs_per_cycle = odoo.rpc_count()
            await hass.async_add_executor_job(time.sleep, 0.5)
            unchanged_publishes = len(publish_calls)
            unchanged_arrivals = len(subscriber.snapshot(mark))

            # A cycle in which every display changed.
            now = dt.datetime.now(dt.UTC)
            odoo.update_records(
                "calendar.event",
                [
                    (record["id"], {"name": record["name"]})
                    for record in events(now, count, "Changed")
                ],
            )
            mark = subscriber.mark()
            publish_calls.clear()
            with profiled(f"changed-{count}"):
                started = time.monotonic()
                await coordinator.async_refresh()
                refresh_ms = (time.monotonic() - started) * 1000
                times = await hass.async_add_executor_job(arrivals, subscriber, mark, count)
                cycle_ms = (max(times.values()) - started) * 1000
            data_topics = [t for t in publish_calls if t.endswith("/data")]
            latencies = [(times[t] - publish_calls[t]) * 1000 for t in data_topics]
            payloads = {
                item.data_topic: item.wire.data for item in coordinator.data.displays.values()
            }
    finally:
        subscriber.stop()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()

    baseline = await hass.async_add_executor_job(
        bare_paho_baseline, mosquitto, fresh_topics(payloads), EpaperOptions().qos, PAHO_PREFIX
    )
    result = {
        "displays": count,
        "rpcs_per_cycle": rpcs_per_cycle,
        "setup_ms": setup_ms,
        "refresh_ms": refresh_ms,
        "cycle_ms": cycle_ms,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "unchanged_publishes": unchanged_publishes,
        "unchanged_arrivals": unchanged_arrivals,
        "payload_bytes": statistics.median(len(p) for p in payloads.values()),
        "baseline": baseline,
    }
    assert rpcs_per_cycle == 1
    assert unchanged_publishes == 0
    await hass.async_add_executor_job(append_result, result)


def report(results: list[dict[str, Any]]) -> str:
    """The Markdown of the fanout section."""
    rows = [
        [
            r["displays"],
            r["rpcs_per_cycle"],
            r["unchanged_publishes"],
            f"{r['refresh_ms']:.0f}",
            f"{r['cycle_ms']:.0f}",
            f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f}",
            f"{r['baseline']['cycle_ms']:.0f}",
            f"{r['baseline']['p50_ms']:.1f} / {r['baseline']['p99_ms']:.1f}",
            f"{r['payload_bytes']:.0f}",
        ]
        for r in sorted(results, key=lambda r: r["displays"])
    ]
    header = [
        "displays",
        "RPCs per cycle",
        "publishes, unchanged cycle",
        "changed cycle: refresh ms",
        "changed cycle: last arrival ms",
        "publish to subscriber p50 / p99 ms",
        "baseline: bare paho, last arrival ms",
        "baseline p50 / p99 ms",
        "payload bytes (median)",
    ]
    return (
        "One refresh cycle of the hub (`OdooEpaperCoordinator.async_refresh`: one RPC, "
        "the addon's `epaper_schedule`, payloads built, changed ones published retained "
        "with QoS 1 through Home Assistant's MQTT integration) into a real mosquitto, "
        "with an outside paho subscriber on `+/data`; the Odoo test server runs in a "
        "process of its own, as a real Odoo does. In the changed cycle every display "
        "has new titles. *Refresh* lasts until `async_refresh` returns, which includes "
        "writing the changed displays' entity states after the last publish; *last "
        "arrival* until the last `/data` reached the subscriber. Latency runs from the "
        "integration's `mqtt.async_publish` call to the subscriber's callback. The "
        "baseline publishes the same payloads from a bare paho client (no Home "
        "Assistant) to the same broker, on topics with nothing retained, in the same "
        "run. Asyncio debug mode (on in Home Assistant's test plugin) is off, as in a "
        "running Home Assistant. The bare client's floor of about 40 ms at 10 displays "
        "looks like TCP delayed acknowledgement on loopback; it was not investigated "
        "further.\n\n" + table(header, rows)
    )


def main() -> int:
    """Run the benchmark under pytest and write docs/benchmarks.md."""
    code, results = run(__file__)
    if code != 0 or len(results) != len(SIZES):
        print(f"fanout benchmark failed (pytest exit {code})", file=sys.stderr)
        return 1
    write_section("fanout", "Hub fan-out through Home Assistant's MQTT", report(results))
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
