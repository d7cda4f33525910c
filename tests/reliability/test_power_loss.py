"""Power loss: after kill -9 and a restart without a broker, the stored payload is drawn first."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from epaper_satellite.wire import content_hash

from testbed.broker import Broker
from testbed.mqtt_peer import encode
from tests.reliability.helpers import PREFIX, Watcher, draws, room, satellite_config, status
from tests.satellite.conftest import SatelliteProcess, wait_until

Spawn = Callable[..., SatelliteProcess]


def test_restart_without_network_draws_the_stored_payload_before_connecting(
    mosquitto: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """The room comes back on the panel with the broker down, and is not redrawn once it is up."""
    raw = encode(room("reception", "Boardroom"))
    config = satellite_config(mosquitto.port, tmp_path, "reception")
    watcher = Watcher(mosquitto).start()
    try:
        watcher.publish(f"{PREFIX}reception/data", raw, retain=True)
        first = satellite_process(config)
        watcher.wait(f"{PREFIX}reception/status", status("online", content_hash=content_hash(raw)))
        first.process.kill()
        first.process.wait(5)
    finally:
        watcher.stop()
    mosquitto.stop()
    stored = tmp_path / "state" / "last_data.json"
    assert stored.read_bytes() == raw
    panel = tmp_path / "panel.png"
    before = panel.stat().st_mtime_ns

    second = satellite_process(config)  # a new log file
    wait_until(lambda: "Cannot reach broker" in second.log(), 10, "a refused connect")
    log = second.log()
    assert "Drawing the stored payload" in log
    assert log.index("Panel drawn") < log.index("Cannot reach broker")
    assert panel.stat().st_mtime_ns > before
    assert draws(second) == 1

    mosquitto.start()
    watcher = Watcher(mosquitto).start()
    try:
        watcher.publish(f"{PREFIX}reception/data", raw, retain=True)
        online = watcher.wait(f"{PREFIX}reception/status", status("online"), timeout=15)
        assert online.json()["content_hash"] == content_hash(raw)
        assert online.json()["error"] is None
    finally:
        watcher.stop()
    after = second.log()
    assert after.count("Panel drawn") == 1, after  # the boot draw; the same data is not redrawn
    assert "Traceback" not in after
    assert json.loads(stored.read_bytes())["room"] == "Boardroom"
