"""The real-broker slice of the fuzz run: junk over a real Mosquitto to real processes.

- a satellite process (``epaper-satellite``, png driver) gets seeded junk on ``/data``,
  ``/cmd`` and ``/test``; afterwards it must still run, answer a ``/test``, report in
  its status the content hash of the last payload its own parser accepts, and its log
  must hold no ``Unexpected error``, ``cannot draw it`` or traceback;
- the addon's MQTT session (``BridgeClient``) gets seeded junk on ``+/status`` and
  ``+/ack``; afterwards it must hold, for the device, the last status its parser accepts.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from testbed.addon_code import load_plain_package
from testbed.broker import Broker, free_port
from testbed.fuzz_consumers import ACKS, DEVICE, PREFIX, Tally
from testbed.fuzz_inputs import Junk, valid_payloads
from testbed.mqtt_peer import MqttPeer
from testbed.satellite_process import SatelliteProcess

BAD_LOG = ("Unexpected error", "cannot draw it", "Traceback")
BACKLOG_TIMEOUT = 120.0  # seconds for a satellite to work through a batch of junk
BATCH = 150  # cases between two barriers (Mosquitto drops QoS 1 past 1000 queued per client)


def _barrier(peer: MqttPeer, test_id: str) -> None:
    """A /test after the junk: its ack means every earlier message was handled."""
    mark = peer.mark()
    peer.publish(f"{PREFIX}{DEVICE}/test", {"id": test_id, "text": "end of the junk"})
    # The satellite works through the batch in order; each accepted case is a redraw.
    peer.wait(
        f"{PREFIX}{DEVICE}/ack",
        lambda m: m.json().get("id") == test_id,
        after=mark,
        timeout=BACKLOG_TIMEOUT,
    )


def _check_process(satellite: SatelliteProcess, tallies: Iterable[Tally]) -> None:
    """Count a crash on every tally when the process died or its log shows a catch-all."""
    alive = satellite.process is not None and satellite.process.poll() is None
    log = satellite.output()
    for tally in tallies:
        if not alive or any(mark in log for mark in BAD_LOG):
            tally.crashes += 1
            tally.note("the process died or needed its catch-all", log[-300:].encode())


def satellite_slice(cases_per_leaf: int, seed: int) -> list[Tally]:
    """Junk to a real satellite process over a real broker; a tally per topic."""
    from epaper_satellite import wire

    parsers: dict[str, Any] = {
        "data": lambda raw: wire.parse_data(raw, DEVICE),
        "cmd": wire.parse_cmd,
        "test": wire.parse_test,
    }
    valid = {
        "data": [p for p in valid_payloads("data") if p.get("device") in (DEVICE, None)],
        "cmd": valid_payloads("cmd"),
        "test": valid_payloads("test"),
    }
    tallies = {leaf: Tally(f"satellite /{leaf}, over MQTT") for leaf in parsers}
    junk = Junk(seed)
    with tempfile.TemporaryDirectory(prefix="epaper-fuzz-") as folder:
        directory = Path(folder)
        broker = Broker(directory=directory / "broker", port=free_port())
        (directory / "broker").mkdir()
        broker.start()
        satellite = SatelliteProcess(directory, broker.port, DEVICE).start()
        peer = MqttPeer(broker).start(f"{PREFIX}{DEVICE}/#")
        try:
            good = json.dumps(valid["data"][0]).encode()
            peer.wait(f"{PREFIX}{DEVICE}/status", lambda m: b'"online"' in m.payload, timeout=20)
            peer.publish(f"{PREFIX}{DEVICE}/data", good, retain=True)
            expected = wire.parse_data(good, DEVICE).content_hash
            for index in range(cases_per_leaf * len(parsers)):
                leaf = list(parsers)[index % len(parsers)]
                raw = junk.payload(valid[leaf])
                tally = tallies[leaf]
                tally.cases += 1
                try:
                    parsed = parsers[leaf](raw)
                    tally.accepted += 1
                    if leaf == "data":
                        expected = parsed.content_hash
                except wire.PayloadError:
                    tally.refused += 1
                peer.publish(f"{PREFIX}{DEVICE}/{leaf}", raw, retain=leaf == "data")
                if index % BATCH == BATCH - 1:  # the broker queues at most 1000 per client
                    _barrier(peer, f"fuzz-{index}")
            peer.publish(f"{PREFIX}{DEVICE}/cmd", {"cmd": "refresh"})  # undo a valid "clear"
            _barrier(peer, "fuzz-end")
            mark = peer.mark()
            peer.publish(f"{PREFIX}{DEVICE}/cmd", {"cmd": "refresh"})
            status = peer.wait(
                f"{PREFIX}{DEVICE}/status",
                lambda m: m.json().get("content_hash") == expected,
                after=mark,
                timeout=20,
            )
            assert status.json()["state"] == "online"
            _check_process(satellite, tallies.values())
        except AssertionError as err:  # the good content or the answers were lost
            for tally in tallies.values():
                tally.lost += 1
                tally.note(f"lost: {err}"[:200], b"")
        finally:
            peer.stop()
            satellite.stop()
            broker.stop()
    return list(tallies.values())


def _session_barrier(peer: MqttPeer, session: Any, device: str) -> None:
    """A status of another device after the junk: once the session has it, it read them all."""
    peer.publish(f"{PREFIX}{device}/status", b'{"state":"online"}')
    deadline = time.monotonic() + BACKLOG_TIMEOUT
    while device not in session.statuses() and time.monotonic() < deadline:
        time.sleep(0.01)


def addon_slice(cases_per_leaf: int, seed: int) -> list[Tally]:
    """Junk to the addon's MQTT session over a real broker; a tally per topic."""
    bridge = load_plain_package("mqtt_bridge")
    wire = bridge.wire
    valid = {"status": valid_payloads("status"), "ack": ACKS}
    parsers = {"status": wire.parse_status, "ack": wire.parse_ack}
    tallies = {leaf: Tally(f"addon /{leaf}, over MQTT") for leaf in parsers}
    junk = Junk(seed)
    with tempfile.TemporaryDirectory(prefix="epaper-fuzz-") as folder:
        directory = Path(folder)
        (directory / "broker").mkdir()
        broker = Broker(directory=directory / "broker", port=free_port()).start()
        settings = bridge.BrokerSettings(host=broker.host, port=broker.port, use_tls=False)
        session = bridge.BridgeClient(settings, lambda _event: None).start()
        peer = MqttPeer(broker).start()
        try:
            assert session.wait_connected(10), "the addon session did not connect"
            peer.publish(f"{PREFIX}{DEVICE}/status", b'{"state":"online"}')
            expected = wire.parse_status(b'{"state":"online"}')
            for index in range(cases_per_leaf * len(parsers)):
                leaf = list(parsers)[index % len(parsers)]
                raw = junk.payload(valid[leaf])
                tally = tallies[leaf]
                tally.cases += 1
                try:
                    parsed = parsers[leaf](raw)
                    tally.accepted += 1
                    if leaf == "status":
                        expected = parsed
                except wire.WireError:
                    tally.refused += 1
                peer.publish(f"{PREFIX}{DEVICE}/{leaf}", raw)
                if index % BATCH == BATCH - 1:
                    _session_barrier(peer, session, f"fuzz-{index}")
            _session_barrier(peer, session, "fuzz-end")
            held = session.statuses().get(DEVICE)
            if "fuzz-end" not in session.statuses() or held is None or held.status != expected:
                for tally in tallies.values():
                    tally.lost += 1
                    tally.note(f"held {held!r:.120}, expected {expected!r:.120}", b"")
            if not session.running:
                for tally in tallies.values():
                    tally.crashes += 1
        finally:
            peer.stop()
            session.stop()
            broker.stop()
    return list(tallies.values())
