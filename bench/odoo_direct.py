"""Odoo as its broker's publisher (issue 24) against the Home Assistant path, in one run.

Run with ``scripts/py314 .venv/bin/python -m bench.odoo_direct``. Both paths serve the
same fleet (:func:`fleet`: N rooms, one booking each) and make the same change (every
booking's title), into a real mosquitto, timed from the commit to the last door's
``/data`` at an outside subscriber in a process of its own (:class:`DoorsProcess`).

- *Odoo*: an Odoo stand-in in a process of its own runs the addon's plain code (the
  payload of ``epaper_publish``, what is due by ``due_messages``, the lanes of
  ``mqtt_bridge.DataPublisher``) as the addon runs it after a commit; CPU is the
  stand-in's.
- *Home Assistant*: ``bench.odoo_direct_ha`` (Home Assistant core and this integration,
  through ``bench.ha_harness``) on the Odoo test server; CPU is the hub process's.

Per N (1000, 5000) and path: what the changed commit published, commit to last door's
``/data``, CPU per display for that round, and what an unchanged round published (must
be 0). Writes the ``odoo_direct`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from bench.ha_harness import run
from bench.report import table, write_section
from demo import data
from testbed.addon_code import load_plain_package
from testbed.broker import Broker

PREFIX = "odoo_epaper/"
# EPAPER_BENCH_SIZES="50,100" runs other sizes (a quick try; the section says what ran).
SIZES = tuple(int(n) for n in os.environ.get("EPAPER_BENCH_SIZES", "1000,5000").split(","))
FIRST, CHANGED = "Meeting", "Changed"


def fleet(
    now: dt.datetime, count: int, title: str
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The bench's displays ``(device, room)`` and one ``calendar.event`` in each room
    (``title``, 45 minutes, within the next 8 hours), as the Odoo test server holds them."""
    start = now.replace(minute=0, second=0, microsecond=0)
    rooms = [(f"door-{index}", f"Room {index}") for index in range(count)]
    events = [
        data.event(index + 1, title, room, start + dt.timedelta(hours=1 + index % 8), 45)
        for index, (_device, room) in enumerate(rooms)
    ]
    return rooms, events


def stand_in(host: str, port: int, count: int) -> None:
    """The Odoo stand-in: reads ``commit <title>`` lines, answers one JSON line each."""
    publish: Any = load_plain_package("epaper_publish")
    bridge: Any = load_plain_package("mqtt_bridge")
    entries: dict[int, dict[str, Any]] = {}
    last: dict[int, Any] = {}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def plan(job: Any) -> list[Any]:
        current = {}
        for display in job.display_ids:
            payload = publish.display_payload(entries[display], now)
            current[display] = (publish.data_topic(PREFIX, f"door-{display}"), payload)
        return [
            bridge.Outgoing(d.topic, d.payload, d.display, d.content_hash, d.valid_until)
            for d in publish.due_messages(current, last, now)
        ]

    def done(_job: Any, published: list[Any]) -> None:
        for item in published:
            until = dt.datetime.fromisoformat(item.valid_until)
            last[item.display_id] = publish.Published(item.topic, item.content_hash, until)

    manager = bridge.MqttConnectionManager()
    settings = bridge.BrokerSettings(host=host, port=port, use_tls=False)
    publisher = bridge.DataPublisher(manager.register, plan, done, publish_wait=120.0)
    for line in sys.stdin:
        word, _, title = line.strip().partition(" ")
        if word != "commit":
            break
        rooms, events = fleet(now, count, title)
        for display, ((device, room), event) in enumerate(zip(rooms, events, strict=True)):
            entries[display] = {
                "device": device,
                "room": room,
                "tz": "UTC",
                "events": [{"title": event["name"], "start": event["start"], "end": event["stop"]}],
            }
        before, cpu = publisher.published, time.process_time()
        committed = time.time()
        publisher.submit(bridge.PublishJob("bench", settings, frozenset(range(count))))
        publisher.flush(600)
        answer = {
            "commit": committed,
            "published": publisher.published - before,
            "cpu": time.process_time() - cpu,
        }
        print(json.dumps(answer), flush=True)
    publisher.stop()
    manager.shutdown()


class Doors:
    """A paho subscriber on every door's ``/data``: arrival times by first event title."""

    def __init__(self, host: str, port: int) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="")
        self.subscribed = threading.Event()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_args: self.subscribed.set()
        self.client.connect(host, port)
        self.client.subscribe(f"{PREFIX}+/data", 1)
        self.client.loop_start()
        if not self.subscribed.wait(10):
            raise TimeoutError("no SUBACK from the broker")

    def _on_message(self, _c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        at = time.time()
        if not message.payload:
            return
        events = json.loads(message.payload).get("events") or [{}]
        with self.lock:
            self.arrivals.setdefault(str(events[0].get("title")), []).append(at)

    def wait(self, title: str, count: int, timeout: float = 900) -> list[float]:
        """Wait until ``count`` payloads titled ``title`` arrived; return their times."""
        deadline = time.monotonic() + timeout
        got: list[float] = []
        while time.monotonic() < deadline:
            with self.lock:
                got = list(self.arrivals.get(title, []))
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise TimeoutError(f"{len(got)} of {count} /data titled {title!r}")

    def close(self) -> None:
        """Disconnect."""
        self.client.loop_stop()
        self.client.disconnect()


def doors_main(host: str, port: int, count: int, title: str) -> None:
    """The subscriber process: ``ready`` once subscribed, then the last arrival (epoch
    seconds) once ``count`` payloads titled ``title`` arrived."""
    doors = Doors(host, port)
    print("ready", flush=True)
    try:
        print(json.dumps({"last": max(doors.wait(title, count))}), flush=True)
    finally:
        doors.close()


class DoorsProcess:
    """An outside subscriber in a process of its own (its CPU is nobody's measured)."""

    def __init__(self, host: str, port: int, count: int, title: str) -> None:
        """Start it and wait until it has subscribed."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.odoo_direct", "--doors", host, str(port), str(count),
             title],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the doors' subscriber did not start")

    def last_arrival(self) -> float:
        """Wait for the last arrival (epoch seconds)."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the doors' subscriber ended ({self.process.wait(10)})")
        return float(json.loads(line)["last"])

    def stop(self) -> None:
        """Stop it if it still runs."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(10)


def measure_odoo(broker: Broker, count: int) -> dict[str, Any]:
    """The Odoo path's row for ``count`` displays."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.odoo_direct", "--stand-in", broker.host,
         str(broker.port), str(count)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    first = DoorsProcess(broker.host, broker.port, count, FIRST)
    changed = DoorsProcess(broker.host, broker.port, count, CHANGED)

    def commit(title: str) -> dict[str, Any]:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(f"commit {title}\n")
        process.stdin.flush()
        return dict(json.loads(process.stdout.readline()))

    try:
        commit(FIRST)
        first.last_arrival()
        changed_round = commit(CHANGED)
        last = changed.last_arrival()
        unchanged = commit(CHANGED)  # the same content again
    finally:
        first.stop()
        changed.stop()
        process.stdin.close()
        process.wait(60)
    return {
        "displays": count,
        "published": changed_round["published"],
        "last_ms": (last - changed_round["commit"]) * 1000,
        "cpu_per_display_ms": changed_round["cpu"] / count * 1000,
        "unchanged": unchanged["published"],
    }


def report(odoo_rows: list[dict[str, Any]], hub_rows: list[dict[str, Any]], note: str) -> str:
    """The Markdown of the section."""
    rows = []
    for odoo_row in odoo_rows:
        pairs = [("Odoo (addon)", odoo_row)]
        pairs += [
            ("Home Assistant (hub)", hub)
            for hub in hub_rows
            if hub["displays"] == odoo_row["displays"]
        ]
        for number, (path, row) in enumerate(pairs):
            rows.append(
                [
                    row["displays"] if number == 0 else "",
                    path,
                    row["published"],
                    round(row["last_ms"]),
                    round(row["cpu_per_display_ms"], 3),
                    row["unchanged"],
                ]
            )
    header = [
        "displays",
        "path",
        "published (changed commit)",
        "commit to last door's /data ms",
        "CPU per display ms",
        "published (unchanged round)",
    ]
    body = (
        "One fleet (N rooms, one booking each) and one change (every booking's title), "
        "through both paths in the same run, into a real mosquitto; an outside paho "
        "subscriber in a process of its own on `+/data` takes the arrival times. *Odoo "
        "(addon)*: an Odoo stand-in in a process of its own runs the addon's plain code "
        "(payloads of `epaper_publish`, byte for byte the hub's; `due_messages`; the lanes "
        "of `mqtt_bridge.DataPublisher`) from the job queued (what the postcommit hook "
        "does); its CPU is the stand-in's process time for the round (build, hash, "
        "publish). *Home Assistant (hub)*: Home Assistant core and this integration (its "
        "real `mqtt` integration) on the Odoo test server in a process of its own, set up "
        "and drawn first; the change is written to the test server (the commit) and the "
        "hub refreshes at once (what Odoo's change notice makes it do; the notice's own "
        "hop is not counted), reading the changed rooms in pages of 100; its CPU is the "
        "hub process's time for the round (read, build, hash, publish, entity states). "
        "The stand-in builds from its own memory where the addon reads its database "
        "(`_epaper_publish_plan`, see *by hand* below for a real Odoo); the hub reads "
        "over HTTP. Both on the same shared 2-core machine." + note + "\n\n" + table(header, rows)
    )
    return body


def main() -> int:
    """Run both paths at every size and write the section."""
    with (
        tempfile.TemporaryDirectory() as folder,
        Broker(Path(folder), settings=["max_queued_messages 0"]) as broker,
    ):
        odoo_rows = [measure_odoo(broker, count) for count in SIZES]
    code, hub_rows = run(str(Path(__file__).with_name("odoo_direct_ha.py")))
    note = ""
    missing = [count for count in SIZES if count not in {row["displays"] for row in hub_rows}]
    if missing:
        note = f" The Home Assistant path did not finish at {missing} (pytest exit {code})."
    body = report(odoo_rows, hub_rows, note)
    write_section("odoo_direct", "Odoo publishes the doors itself, beside the hub", body)
    print(body)
    return 0 if not missing else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--stand-in":
        stand_in(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 6 and sys.argv[1] == "--doors":
        doors_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(main())
