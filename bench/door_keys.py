"""A key at the door until the redrawn panel PNG, against the plain push path.

Run with ``scripts/py314 .venv/bin/python -m bench.door_keys``. The real Home Assistant core and
``mqtt`` integration, a real mosquitto, the Odoo test server (running the addon's
booking rules) and a real ``epaper-satellite`` process (png driver, 400x300) whose
keys are the ``http`` stand-in on loopback. Each press alternates *book now* (15 min)
and *end now* in a room with no other booking, so every press changes the room.
Three figures per press: to the confirmation drawn ("Asking Odoo..."), to the hub's
``/ack``, and to the result drawn (the room with its new booking, after the ack).
Baseline in the same run: a ``/data`` publish (retained, as the hub sends it) to the
redrawn PNG.

Writes the ``door_keys`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.ha_harness import PLUGINS, append_result, percentile, run
from bench.report import table, write_section
from custom_components.odoo_epaper.const import DOMAIN
from custom_components.odoo_epaper.options import EpaperOptions
from testbed.broker import Broker
from testbed.ha_entry import entry_data
from testbed.ha_mqtt import async_mqtt_synced
from testbed.odoo_server import OdooTestServer
from testbed.satellite_process import SatelliteProcess

pytest_plugins = PLUGINS

SAMPLES = 20
DEVICE = "quiet-room"
PREFIX = "odoo_epaper/"
KEYS_PORT_FILE = "keys-port"
BOOK, END = 5, 13


class PanelWatch:
    """Polls the panel file every millisecond and keeps the monotonic time of each change."""

    def __init__(self, panel: Path) -> None:
        self.panel = panel
        self.changes: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _identity(self) -> tuple[int, int] | None:
        try:
            stat = self.panel.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def _run(self) -> None:
        last = self._identity()
        while not self._stop.is_set():
            now = self._identity()
            if now != last:
                self.changes.append(time.monotonic())
                last = now
            time.sleep(0.001)

    def start(self) -> PanelWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def first_after(self, moment: float, within: float = 10.0) -> float:
        """The first change after ``moment``; fails after ``within`` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            later = [t for t in list(self.changes) if t > moment]
            if later:
                return later[0]
            time.sleep(0.001)
        raise AssertionError(f"{self.panel} did not change within {within} s")


class Peer:
    """A paho client that notes when each ``/ack`` arrives and keeps the last ``/data``."""

    def __init__(self, port: int) -> None:
        self.acks: list[tuple[float, dict[str, Any]]] = []
        self.data: bytes | None = None
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-peer")
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe([(f"{PREFIX}{DEVICE}/ack", 1), (f"{PREFIX}{DEVICE}/data", 1)])
        self.client.loop_start()

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        if message.topic.endswith("/ack"):
            self.acks.append((time.monotonic(), json.loads(message.payload)))
        else:
            self.data = message.payload

    def ack_after(self, moment: float, within: float = 10.0) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            later = [a for a in list(self.acks) if a[0] > moment]
            if later:
                return later[0]
            time.sleep(0.001)
        raise AssertionError("no /ack")

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def odoo(socket_enabled: None) -> Iterator[OdooTestServer]:
    server = OdooTestServer().start()
    room_id = server.add_record("room.room", {"name": "Quiet room", "active": True})
    server.add_record(
        "room.rasp.connection",
        {"name": DEVICE, "room_id": room_id, "active": True, "tz": "UTC"},
    )
    yield server
    server.stop()


def press(port: int, pin: int) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/keys/{pin}", method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback)
        assert answer.status == 202


def measure(satellite: SatelliteProcess, peer: Peer, port: int) -> dict[str, list[float]]:
    """Key samples, then the /data baseline samples (blocking; run in the executor)."""
    deadline = time.monotonic() + 30
    while peer.data is None or not satellite.panel.exists():
        assert time.monotonic() < deadline, satellite.output()
        time.sleep(0.01)
    time.sleep(1.0)  # let the first draw settle
    watch = PanelWatch(satellite.panel).start()
    figures: dict[str, list[float]] = {"confirm": [], "ack": [], "result": [], "data": []}
    try:
        for index in range(SAMPLES):
            started = time.monotonic()
            press(port, BOOK if index % 2 == 0 else END)
            figures["confirm"].append((watch.first_after(started) - started) * 1000)
            acked, answer = peer.ack_after(started)
            assert answer["ok"], (answer, satellite.output())
            figures["ack"].append((acked - started) * 1000)
            figures["result"].append((watch.first_after(acked) - started) * 1000)
            time.sleep(0.3)
        base = json.loads(peer.data or b"{}")
        for index in range(SAMPLES):
            payload = json.dumps({**base, "room": f"Quiet room {index}"}).encode()
            started = time.monotonic()
            peer.client.publish(f"{PREFIX}{DEVICE}/data", payload, qos=1, retain=True)
            figures["data"].append((watch.first_after(started) - started) * 1000)
            time.sleep(0.3)
    finally:
        watch.stop()
    return figures


async def test_door_keys(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    mosquitto: Broker,
    odoo: OdooTestServer,
    tmp_path: Path,
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="bench",
        data=entry_data(odoo),
        options=EpaperOptions(scan_interval=3600).as_dict(),
        unique_id=f"{odoo.url}|bench",
    )
    entry.add_to_hass(hass)
    keys = '[keys]\ndriver = "http"\nhttp_port = 0\nanswer_timeout = 10\n'
    satellite = SatelliteProcess(tmp_path, mosquitto.port, DEVICE, extra=keys).start()
    peer = Peer(mosquitto.port)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await async_mqtt_synced(hass, peer.client)
        port = await hass.async_add_executor_job(keys_port, satellite)
        figures = await hass.async_add_executor_job(measure, satellite, peer, port)
    finally:
        peer.stop()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        await hass.async_add_executor_job(satellite.stop)
    for name, values in figures.items():
        result = {
            "path": name,
            "samples": len(values),
            "p50_ms": percentile(values, 0.5),
            "p99_ms": percentile(values, 0.99),
            "max_ms": max(values),
        }
        await hass.async_add_executor_job(append_result, result)


def keys_port(satellite: SatelliteProcess) -> int:
    """The port the satellite's http key stand-in listens on (from its log)."""
    deadline = time.monotonic() + 30
    marker = "Door keys stand-in on http://127.0.0.1:"
    while marker not in satellite.output():
        assert time.monotonic() < deadline, satellite.output()
        time.sleep(0.01)
    text = satellite.output().split(marker, 1)[1]
    return int(text.split("/", 1)[0])


def report(results: list[dict[str, Any]]) -> str:
    """The Markdown of the door_keys section."""
    names = {
        "confirm": "key press to the confirmation drawn",
        "ack": "key press to the hub's `/ack` (Odoo did it, `/data` republished)",
        "result": "key press to the result drawn (the room with its new booking)",
        "data": "baseline: `/data` publish to the redrawn PNG",
    }
    order = list(names)
    rows = [
        [names[r["path"]], r["samples"], f"{r['p50_ms']:.0f}", f"{r['p99_ms']:.0f}",
         f"{r['max_ms']:.0f}"]
        for r in sorted(results, key=lambda r: order.index(r["path"]))
    ]  # fmt: skip
    return (
        "A key at the door (the satellite's `http` key stand-in on loopback, png driver, "
        "400x300) alternating *book now* 15 min and *end now* in a free room: the "
        "satellite draws its confirmation and publishes `/action`; Home Assistant checks "
        "the options, the Odoo test server runs the addon's rules (1 RPC), the hub reads "
        "Odoo again (1 RPC), republishes `/data` and answers on `/ack`; the satellite "
        "then draws the room with the new booking. The baseline, measured in the same "
        "run, is the plain push path: a `/data` publish to the redrawn PNG.\n\n"
        + table(["path", "samples", "p50 ms", "p99 ms", "max ms"], rows)
    )


def main() -> int:
    """Run the benchmark under pytest and write docs/benchmarks.md."""
    code, results = run(__file__)
    if code != 0 or len(results) != 4:
        print(f"door keys benchmark failed (pytest exit {code})", file=sys.stderr)
        return 1
    write_section("door_keys", "Door key to redrawn panel", report(results))
    print(report(results))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
