"""Fleet size: a whole fleet read, published and kept in sync by one entry (issue 23).

Run with ``scripts/py314 .venv/bin/python -m bench.fleet`` (``EPAPER_BENCH_SIZES=1000`` for
fewer sizes, ``EPAPER_BENCH_BASELINE_SIZES`` for the baseline's; empty: none): it runs
itself under pytest with Home Assistant's test plugin (the real core and ``mqtt``
integration, a real mosquitto, the Odoo test server in a process of its own over real
HTTP) and writes the ``fleet`` section of docs/benchmarks.md.

Per N displays, each room with 7 days x 8 bookings: the entry's setup until every door
has its ``/data``; the entities and how many are enabled; a full read of the stand-in
(paged, as the hub reads) and the hub process's RSS after setup and after three more
full reads; then a changed cycle (a booking renamed in every room): Odoo's read, and
apart from it the time from the read's end until the LAST door has its new ``/data``,
against a bare paho client's last arrival with the same payloads in the same run, with
the hub process's CPU time; and whether every door then shows the change (in sync).

The baseline in the same run: the hub of ``BASELINE_COMMIT`` (main before the light
loop), its ``custom_components`` taken from git into a temporary tree with this tree's
``bench/``, ``testbed/`` and ``demo/``, run the same way in a process of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.fanout import PAHO_PREFIX, arrivals, bare_paho_baseline, fresh_topics, profiled
from bench.ha_harness import PLUGINS, RESULTS_ENV, ROOT, append_result, demo_entry, run
from bench.report import table, write_section
from bench.sync import DAYS, EVENT, PER_DAY, PREFIX, events, first_event_of, rooms
from custom_components.odoo_epaper.options import EpaperOptions
from custom_components.odoo_epaper.wire import encode
from demo import data
from testbed.broker import Broker
from testbed.mqtt_peer import MqttPeer
from testbed.odoo_process import OdooServerProcess

pytest_plugins = PLUGINS
pytestmark = pytest.mark.timeout(7200)

SIZES = [int(n) for n in os.environ.get("EPAPER_BENCH_SIZES", "1000,2500,5000").split(",") if n]
BASELINE_SIZES = os.environ.get("EPAPER_BENCH_BASELINE_SIZES", "1000")
BASELINE_COMMIT = "0059f28"
LABEL_ENV = "EPAPER_BENCH_LABEL"
FULL_READS = 3
WAIT = 1800.0  # seconds a size may take to reach every door


@pytest.fixture
def mosquitto(broker_factory: Callable[..., Broker]) -> Broker:
    """A plain broker that queues a whole fleet for a subscriber: mosquitto's default of
    1000 queued QoS 1 messages per client drops the rest of a 5000-message burst to a
    subscriber slower than the publisher (the bare paho baseline's)."""
    return broker_factory(settings=["max_queued_messages 100000"])


@pytest.fixture
def odoo(request: pytest.FixtureRequest, socket_enabled: None) -> Iterator[OdooServerProcess]:
    """The Odoo test server with N rooms of 7 days x 8 bookings, in a child process."""
    count = request.param
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    content = data.fixture(today, rooms(count), events(today, count))
    server = OdooServerProcess(data.write_fixture(Path(tempfile.mkdtemp()) / "f.json", content))
    server.bench_count = count  # type: ignore[attr-defined]
    yield server
    server.stop()


def rss_mib() -> float:
    """This process's resident memory now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TimedReads:
    """Wraps the entry's ``fetch_schedule_update``: when each read started and ended
    (monotonic) and the process's CPU time at its end."""

    def __init__(self, client: Any) -> None:
        self.reads: list[tuple[float, float, float]] = []
        real = client.fetch_schedule_update

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            answer = real(*args, **kwargs)
            self.reads.append((started, time.monotonic(), time.process_time()))
            return answer

        client.fetch_schedule_update = timed


def latest(peer: MqttPeer, after: int) -> dict[str, dict[str, Any]]:
    """The last ``/data`` payload per topic received after ``after``."""
    return {m.topic: json.loads(m.payload) for m in peer.snapshot(after) if m.payload}


async def changed_cycle(
    hass: HomeAssistant, entry: MockConfigEntry, odoo: OdooServerProcess, subscriber: MqttPeer
) -> dict[str, Any]:
    """Rename a booking in every room, refresh, wait for every door's new ``/data``."""
    count = odoo.bench_count  # type: ignore[attr-defined]
    coordinator = entry.runtime_data.coordinator
    timed = TimedReads(entry.runtime_data.client)
    result: dict[str, Any] = {}
    publisher = entry.runtime_data.publisher
    real_publish = publisher.async_publish_data
    published: list[float] = []

    async def timed_publish(*args: Any, **kwargs: Any) -> list[str]:
        sent: list[str] = await real_publish(*args, **kwargs)
        published.append(time.monotonic())
        return sent

    publisher.async_publish_data = timed_publish
    odoo.update_records(EVENT, [(first_event_of(i), {"name": "Changed"}) for i in range(count)])
    mark = subscriber.mark()
    cpu = time.process_time()
    with profiled(f"fleet-changed-{count}"):
        await coordinator.async_refresh()
        times = await hass.async_add_executor_job(arrivals, subscriber, mark, count, WAIT)
    last = max(times.values())
    await hass.async_block_till_done()
    read_start, read_end, cpu_read = timed.reads[-1]
    result["changed_read_s"] = read_end - read_start
    result["changed_last_ms"] = (last - read_end) * 1000
    result["changed_sent_ms"] = (published[0] - read_end) * 1000  # every PUBACK back
    result["changed_cpu_ms"] = (time.process_time() - cpu_read) * 1000
    result["changed_cpu_total_ms"] = (time.process_time() - cpu) * 1000
    shown = latest(subscriber, mark)
    result["in_sync"] = sum(
        1
        for device, _ in rooms(count)
        if any(
            e["title"] == "Changed"
            for e in shown.get(f"{PREFIX}{device}/data", {}).get("events", [])
        )
    )
    return result


@pytest.mark.parametrize("odoo", SIZES, indirect=True)
async def test_fleet(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, mosquitto: Broker, odoo: OdooServerProcess
) -> None:
    """One size: setup, full reads, a changed cycle; figures to :func:`append_result`."""
    count = odoo.bench_count  # type: ignore[attr-defined]
    hass.loop.set_debug(False)  # the test plugin's debug mode; a running HA has it off
    rss_before = rss_mib()
    entry = demo_entry(odoo)  # type: ignore[arg-type]
    entry.add_to_hass(hass)
    subscriber = MqttPeer(mosquitto).start(f"{PREFIX}+/data")
    result: dict[str, Any] = {"displays": count, "label": os.environ.get(LABEL_ENV, "this")}
    try:
        started = time.monotonic()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_add_executor_job(arrivals, subscriber, 0, count, WAIT)
        await hass.async_block_till_done()
        result["setup_s"] = time.monotonic() - started
        registry = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        result["entities"] = len(registry)
        result["enabled"] = sum(1 for e in registry if e.disabled_by is None)
        result["rss_setup_mib"] = rss_mib()
        coordinator = entry.runtime_data.coordinator
        timed = TimedReads(entry.runtime_data.client)
        for _ in range(FULL_READS):
            coordinator.sync.request_full_read()
            await coordinator.async_refresh()
            await hass.async_block_till_done()
        result["full_read_s"] = sorted(end - start for start, end, _ in timed.reads)[1]
        result["rss_reads_mib"] = rss_mib()

        result |= await changed_cycle(hass, entry, odoo, subscriber)
        result["rss_mib"] = rss_mib()
        result["rss_before_mib"] = rss_before
        payloads = {
            item.data_topic: encode(item.payload) for item in coordinator.data.displays.values()
        }
    finally:
        subscriber.stop()
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    result["paho"] = await hass.async_add_executor_job(
        bare_paho_baseline, mosquitto, fresh_topics(payloads), EpaperOptions().qos, PAHO_PREFIX
    )
    result["bookings"] = count * DAYS * PER_DAY
    await hass.async_add_executor_job(append_result, result)
    assert result["in_sync"] == count


def run_baseline(sizes: str) -> list[dict[str, Any]]:
    """Run this benchmark against the hub of BASELINE_COMMIT (its custom_components from
    git, this tree's bench/, testbed/ and demo/) in a process of its own; its results."""
    if not sizes:
        return []
    tree = Path(tempfile.mkdtemp(prefix="epaper-baseline-"))
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BASELINE_COMMIT], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        for folder in ("bench", "testbed", "demo"):
            shutil.rmtree(tree / folder)
            shutil.copytree(ROOT / folder, tree / folder)
        results_path = tree / "results.jsonl"
        results_path.touch()
        options = ["-p", "no:cacheprovider", "-p", "no:sugar", "-q", "--rootdir", str(tree)]
        subprocess.call(
            [sys.executable, "-m", "pytest", "bench/fleet.py", *options],
            cwd=tree,
            env={
                **os.environ,
                "PYTHONPATH": str(tree),
                RESULTS_ENV: str(results_path),
                LABEL_ENV: f"main {BASELINE_COMMIT} (baseline)",
                "EPAPER_BENCH_SIZES": sizes,
            },
        )
        return [json.loads(line) for line in results_path.read_text().splitlines()]
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def report(results: list[dict[str, Any]]) -> str:
    """The Markdown of the fleet section."""
    rows = []
    for r in sorted(results, key=lambda r: (r["displays"], r["label"] != "this")):
        paho = r["paho"]["cycle_ms"]
        rows.append(
            [
                r["displays"],
                "this branch" if r["label"] == "this" else r["label"],
                f"{r['setup_s']:.0f}",
                f"{r['enabled']} of {r['entities']}",
                f"{r['full_read_s']:.1f}",
                f"{r['changed_read_s']:.1f}",
                f"{r['changed_last_ms']:.0f}",
                f"{r['changed_sent_ms']:.0f}" if "changed_sent_ms" in r else "",
                f"{paho:.0f}",
                f"{r['changed_last_ms'] / paho:.1f}x",
                f"{r['changed_cpu_ms']:.0f}",
                f"{r['in_sync']} of {r['displays']}",
                f"{r['rss_setup_mib']:.0f} / {r['rss_reads_mib']:.0f} / {r['rss_mib']:.0f}",
                f"{(r['rss_mib'] - r['rss_before_mib']) * 1024 / r['displays']:.0f}",
            ]
        )
    return (
        "Each room has 7 days x 8 bookings of `calendar.event` (56 per display). Setup runs "
        "until every door has its `/data`. The full read is the hub's own paged read of the "
        "whole fleet from the Odoo test server (pages of 100 displays; the median of "
        f"{FULL_READS}). The changed cycle renames one booking in every room: Odoo's read "
        "(the incremental read answering every display, in pages) is reported apart; "
        "\"last door\" runs from the read's end until the last door's new `/data` arrives "
        "at an outside subscriber (and until the broker acknowledged every publish, QoS 1, "
        "when the hub's publish step ends and its entity states are written), against a "
        "bare paho client publishing the same payloads "
        "(retained, same QoS, same broker) from its first publish to its last arrival. CPU "
        "is the Home Assistant process's from the read's end until the last arrival. In "
        "sync: the doors whose last `/data` shows the renamed booking. RSS is the Home "
        "Assistant process's after setup / after the full reads / after the changed "
        "cycle; KiB per display is its growth since before the entry, divided by the "
        "displays. Asyncio debug mode (which Home Assistant's test plugin turns on) is "
        "off, as in a running Home Assistant.\n\n"
        + table(
            [
                "displays",
                "hub",
                "setup s",
                "entities enabled",
                "full read s",
                "changed: Odoo read s",
                "changed: last door ms",
                "changed: all acknowledged ms",
                "bare paho last ms",
                "hub / paho",
                "hub CPU ms",
                "in sync",
                "RSS MiB",
                "KiB per display",
            ],
            rows,
        )
    )


def main() -> int:
    """Run this branch's sizes and the baseline's; write docs/benchmarks.md."""
    code, results = run(__file__)
    results += run_baseline(BASELINE_SIZES)
    if not results:
        print(f"fleet benchmark failed (pytest exit {code})", file=sys.stderr)
        return 1
    write_section("fleet", "Fleet size: setup, full reads, the changed cycle", report(results))
    print(report(results))
    return code


if __name__ == "__main__":
    sys.exit(main())
