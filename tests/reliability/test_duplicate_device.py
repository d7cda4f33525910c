"""Two satellites configured with the same device name: the conflict is logged and ends."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from epaper_satellite.config import load_config
from epaper_satellite.controller import KICKS, SESSION_TAKEN_OVER, MQTTDisplay
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from testbed.broker import Broker
from tests.reliability.helpers import PREFIX, Watcher, room, satellite_config, status
from tests.satellite.conftest import SatelliteProcess, wait_until

Spawn = Callable[..., SatelliteProcess]
CONFLICT = "Is a second satellite configured with device name 'reception'?"


@pytest.mark.slow
def test_two_satellites_with_one_name_stop_kicking_each_other(
    mosquitto: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """Both end connected, one logs the conflict, and the broker sees no more takeovers."""
    watcher = Watcher(mosquitto).start()
    try:
        watcher.publish(f"{PREFIX}reception/data", room("reception"), retain=True)
        first = satellite_process(satellite_config(mosquitto.port, tmp_path / "1", "reception"))
        watcher.wait(f"{PREFIX}reception/status", status("online"))
        second = satellite_process(satellite_config(mosquitto.port, tmp_path / "2", "reception"))
        wait_until(
            lambda: CONFLICT in first.log() + second.log(), 20, "the conflict in a satellite log"
        )
        logs = [first.log(), second.log()]
        assert sum(CONFLICT in log for log in logs) == 1, logs
        loser = first if CONFLICT in logs[0] else second
        assert "Reconnecting as 'epaper-reception-" in loser.log()
        wait_until(
            lambda: loser.log().rsplit(CONFLICT, 1)[1].count("Connected to") >= 1,
            10,
            "the loser's reconnect under its new id",
        )
        takeovers = mosquitto.log().count("already connected, closing old connection")
        time.sleep(3)  # longer than the reconnect backoff: a ping-pong would show here
        assert mosquitto.log().count("already connected, closing old connection") == takeovers
        assert takeovers <= 2 * KICKS - 1  # a few seconds of ping-pong, then none
        assert first.alive() and second.alive()
        mark = watcher.mark()
        watcher.publish(f"{PREFIX}reception/cmd", {"cmd": "refresh"})
        wait_until(
            lambda: all(p.log().count("Command refresh") == 1 for p in (first, second)),
            5,
            "both satellites to get the refresh command",
        )
        wait_until(
            lambda: len(watcher.on(f"{PREFIX}reception/status", mark)) >= 2,
            5,
            "a status from each satellite after its redraw",
        )
        mark = watcher.mark()
        watcher.publish(f"{PREFIX}reception/data", room("reception", "Changed"), retain=True)
        wait_until(
            lambda: len(watcher.on(f"{PREFIX}reception/status", mark)) >= 2, 5, "both redraws"
        )
        errors = [m.json().get("error") for m in watcher.on(f"{PREFIX}reception/status", mark)]
        assert sum("client id epaper-reception" in (error or "") for error in errors) == 1, errors
    finally:
        watcher.stop()


def test_a_broker_that_says_session_taken_over_is_answered_at_once(
    mosquitto: Broker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """MQTT 5 reason 0x8E (newer brokers) makes the satellite step aside on the first kick."""
    display = MQTTDisplay(load_config(satellite_config(mosquitto.port, tmp_path, "reception")))
    client = display.connect_mqtt()
    try:
        wait_until(lambda: client.loop(0.1) == 0 and display.session.connected, 5, "the connection")
        taken = ReasonCode(PacketTypes.DISCONNECT, identifier=SESSION_TAKEN_OVER)
        with caplog.at_level(logging.ERROR):
            display.session.on_disconnect(client, None, None, taken)
        assert "(session taken over)" in caplog.text
        assert CONFLICT in caplog.text
        assert display.session.client_id.startswith("epaper-reception-")
        assert display.session.client is not client
        assert display.session.conflict == "client id epaper-reception taken over by another client"
        assert display.status_payload()["error"] == display.session.conflict
    finally:
        client.disconnect()
