"""Odoo as its broker's publisher (issue 24): N displays' ``/data`` from an Odoo stand-in.

Run with ``scripts/py314 .venv/bin/python -m bench.odoo_direct``. A real mosquitto; the
Odoo stand-in runs in a process of its own with the addon's plain code (the payload of
``epaper_publish``, what is due by ``due_messages``, the lanes of
``mqtt_bridge.DataPublisher``), as the addon runs it after a commit. Per N (1000, 5000):
a commit that changed every display's booking, timed from the commit (the job queued) to
the last door's ``/data`` at an outside paho subscriber; the stand-in's CPU time per
display for that round; and an unchanged commit, which must publish nothing. Writes the
``odoo_direct`` section of docs/benchmarks.md beside the Home Assistant path
(``fanout``).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from bench.report import table, write_section
from testbed.addon_code import load_plain_package
from testbed.broker import Broker

PREFIX = "odoo_epaper/"
SIZES = (1000, 5000)
NOW = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)


def stand_in(host: str, port: int, count: int) -> None:
    """The Odoo stand-in: reads ``commit <round>`` lines, answers one JSON line each."""
    publish: Any = load_plain_package("epaper_publish")
    bridge: Any = load_plain_package("mqtt_bridge")
    entries: dict[int, dict[str, Any]] = {}
    last: dict[int, Any] = {}

    def plan(job: Any) -> list[Any]:
        current = {}
        for display in job.display_ids:
            payload = publish.display_payload(entries[display], NOW)
            current[display] = (publish.data_topic(PREFIX, f"door-{display}"), payload)
        return [
            bridge.Outgoing(d.topic, d.payload, d.display, d.content_hash, d.valid_until)
            for d in publish.due_messages(current, last, NOW)
        ]

    def done(_job: Any, published: list[Any]) -> None:
        for item in published:
            until = dt.datetime.fromisoformat(item.valid_until)
            last[item.display_id] = publish.Published(item.topic, item.content_hash, until)

    manager = bridge.MqttConnectionManager()
    settings = bridge.BrokerSettings(host=host, port=port, use_tls=False)
    publisher = bridge.DataPublisher(manager.register, plan, done, publish_wait=120.0)
    for line in sys.stdin:
        word, _, round_name = line.strip().partition(" ")
        if word != "commit":
            break
        for display in range(count):
            start = NOW + dt.timedelta(hours=1 + display % 8)
            entries[display] = {
                "device": f"door-{display}",
                "room": f"Room {display}",
                "tz": "Europe/Berlin",
                "events": [
                    {
                        "title": f"Meeting {round_name}",
                        "start": start.isoformat(),
                        "end": (start + dt.timedelta(minutes=45)).isoformat(),
                        "organizer": "A. Smith",
                    }
                ],
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
    """An outside subscriber on every door's ``/data``: arrivals per round."""

    def __init__(self, broker: Broker) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-doors")
        self.subscribed = threading.Event()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_args: self.subscribed.set()
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(f"{PREFIX}+/data", 1)
        self.client.loop_start()
        if not self.subscribed.wait(10):
            raise TimeoutError("no SUBACK from the broker")

    def _on_message(self, _c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        at = time.time()
        if not message.payload:
            return
        title = json.loads(message.payload)["events"][0]["title"]
        with self.lock:
            self.arrivals.setdefault(title, []).append(at)

    def wait(self, title: str, count: int, timeout: float = 600) -> list[float]:
        """Wait until ``count`` payloads titled ``title`` arrived; return their times."""
        deadline = time.monotonic() + timeout
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


def measure(broker: Broker, count: int) -> list[object]:
    """One row: N, commit to last /data ms, CPU per display ms, unchanged publishes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.odoo_direct", "--stand-in", broker.host,
         str(broker.port), str(count)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    doors = Doors(broker)
    try:
        process.stdin.write(f"commit r{count}\n")
        process.stdin.flush()
        changed = json.loads(process.stdout.readline())
        arrivals = doors.wait(f"Meeting r{count}", count)
        process.stdin.write(f"commit r{count}\n")  # the same content again
        process.stdin.flush()
        unchanged = json.loads(process.stdout.readline())
    finally:
        doors.close()
        if process.stdin:
            process.stdin.close()
        process.wait(60)
    last_ms = (max(arrivals) - changed["commit"]) * 1000
    return [
        count,
        changed["published"],
        round(last_ms),
        round(changed["cpu"] / count * 1000, 3),
        unchanged["published"],
    ]


def main() -> None:
    """Run every size against one broker and write the section."""
    with (
        tempfile.TemporaryDirectory() as folder,
        Broker(Path(folder), settings=["max_queued_messages 0"]) as broker,
    ):
        rows = [measure(broker, count) for count in SIZES]
    header = [
        "displays",
        "published (changed commit)",
        "commit to last door's /data ms",
        "stand-in CPU per display ms",
        "published (unchanged commit)",
    ]
    body = (
        "The addon as its broker's publisher (`room.rasp.broker.publisher = odoo`): an Odoo "
        "stand-in in a process of its own runs the addon's plain code (payloads of "
        "`epaper_publish`, byte for byte the hub's; `due_messages`; the lanes of "
        "`mqtt_bridge.DataPublisher`) after a commit that changed every display's booking, "
        "into a real mosquitto, with an outside paho subscriber on `+/data`. *Commit to last* "
        "runs from the job queued (what the postcommit hook does) to the last door's `/data` "
        "at the subscriber; *CPU per display* is the stand-in's process time for that round "
        "(build, hash, publish) divided by the displays. The Home Assistant path for the same "
        "work is the `fanout` section above (*changed cycle: last arrival*), measured in its "
        "own run, at up to 1000 displays.\n\n" + table(header, rows)
    )
    write_section("odoo_direct", "Odoo publishes the doors itself (no Home Assistant)", body)
    print(table(header, rows))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--stand-in":
        stand_in(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
