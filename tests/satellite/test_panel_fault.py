"""A stuck panel in a real satellite process (field case 10), against the real Mosquitto.

The stand-in ``epaper`` module's BUSY line sticks (``EPAPER_STANDIN_STICK``), like
Waveshare's ``ReadBusy`` that polls with no timeout. The satellite must report the
fault in its status within the bound, keep answering MQTT meanwhile, set the panel
up again ``panel_retries`` times, pulse the reset pin and exit non-zero; and tell
systemd it is ready and alive over a real NOTIFY_SOCKET.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from epaper_satellite.panel import SYNC_WAIT

from testbed.broker import Broker
from tests.satellite.conftest import (
    STANDIN,
    Recorder,
    SatelliteProcess,
    room_payload,
    status_is,
    wait_until,
    write_config,
)

Spawn = Callable[..., SatelliteProcess]
BOUND = 2.0  # [display] panel_timeout in these tests
RETRIES = 2
EXIT_PANEL_FAILED = 3
# The main loop waits at most SYNC_WAIT (1 s) for a draw before it goes on serving MQTT;
# the rest is slack for a loaded machine (the tests also pass beside stress-ng --cpu 2).
ANSWER_WITHIN = SYNC_WAIT + 2.0


class NotifySocket:
    """A bound AF_UNIX datagram socket standing in for systemd's notification socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages: list[tuple[float, str]] = []
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(str(path))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._socket.recv(4096)
            except TimeoutError:
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def texts(self) -> list[str]:
        """The messages received so far."""
        return [text for _at, text in self.messages]

    def close(self) -> None:
        """Stop reading and close the socket."""
        self._stop.set()
        self._thread.join(2)
        self._socket.close()


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[NotifySocket]:
    """A notification socket the satellite process is pointed at."""
    sock = NotifySocket(tmp_path / "notify.sock")
    yield sock
    sock.close()


def _start(
    spawn: Spawn, broker: Broker, directory: Path, stick: str, **extra_env: str
) -> SatelliteProcess:
    config = write_config(
        broker,
        directory,
        display={
            "driver": "waveshare",
            "model": "epd7in5_V2",
            "panel_timeout": BOUND,
            "panel_retries": RETRIES,
            "reset_pin": 17,
        },
        refresh={"min_interval": 0},
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(STANDIN), os.environ.get("PYTHONPATH", "")]),
        "EPAPER_STANDIN_STICK": stick,
        "GPIOZERO_PIN_FACTORY": "mock",
        **extra_env,
    }
    return spawn(config, env)


def _error_is(text: str) -> Callable[..., bool]:
    return lambda message: (message.json().get("error") or "") == text


def _ack_latency(recorder: Recorder, test_id: str) -> float:
    mark = recorder.mark()
    sent = time.monotonic()
    recorder.publish("test", {"id": test_id, "text": "hello"})
    ack = recorder.wait("ack", lambda m: m.json().get("id") == test_id, after=mark, timeout=5)
    assert ack.json() == {"id": test_id, "ok": True, "error": None}
    return ack.at - sent


def test_busy_stuck_during_a_refresh(
    mosquitto: Broker,
    recorder: Recorder,
    satellite_process: Spawn,
    notify_socket: NotifySocket,
    tmp_path: Path,
) -> None:
    """BUSY sticks in the refresh of new data: fault in the status, MQTT answers, exit 3."""
    process = _start(
        satellite_process,
        mosquitto,
        tmp_path,
        "display_Partial:2",
        NOTIFY_SOCKET=str(notify_socket.path),
        WATCHDOG_USEC="400000",
    )
    recorder.wait("status", status_is("online"), timeout=10)
    wait_until(lambda: "READY=1" in "".join(notify_socket.texts()), 5, "READY=1")
    mark = recorder.mark()
    sent = time.monotonic()
    recorder.publish("data", room_payload(room="Boardroom"), retain=True)
    # MQTT keeps answering while the panel hangs: /test acked, /cmd handled.
    latency = _ack_latency(recorder, "t-stuck")
    assert latency < ANSWER_WITHIN, f"ack after {latency:.2f} s"
    recorder.publish("cmd", {"cmd": "identify"})
    process.wait_log("Command identify", timeout=5)
    expected = f"panel not responding: epd7in5_V2 display_Partial() > {BOUND:g} s"
    fault = recorder.wait("status", _error_is(expected), after=mark, timeout=BOUND + 5)
    assert fault.json()["state"] == "online"
    assert fault.at - sent < BOUND + ANSWER_WITHIN, f"fault after {fault.at - sent:.2f} s"
    assert _ack_latency(recorder, "t-faulty") < ANSWER_WITHIN
    pings_while_faulty = [t for at, t in notify_socket.messages if at > fault.at]
    # The process gives up after the retries, exits non-zero, and says why.
    assert process.process.wait(BOUND * (RETRIES + 2) + 10) == EXIT_PANEL_FAILED
    log = process.log()
    assert log.count("panel not responding: epd7in5_V2") >= RETRIES + 1, log
    assert "setting the panel up again (2 of 2)" in log
    assert "re-initialisations did not help: exiting" in log
    assert "Pulsed the panel reset on GPIO17" in log
    assert "Traceback" not in log
    offline = recorder.wait("status", status_is("offline"), after=mark)
    assert offline.json()["error"].startswith("panel not responding")
    texts = notify_socket.texts()
    assert texts[0].startswith("READY=1")
    assert texts.count("WATCHDOG=1") >= 3
    assert "WATCHDOG=1" in pings_while_faulty or texts.count("WATCHDOG=1") >= 3
    assert texts[-1] == "STOPPING=1"


def test_hang_in_init_at_boot(
    mosquitto: Broker, recorder: Recorder, satellite_process: Spawn, tmp_path: Path
) -> None:
    """The first init() never returns: online anyway, fault within the bound, /test acked."""
    started = time.monotonic()
    process = _start(satellite_process, mosquitto, tmp_path, "init:1")
    online = recorder.wait("status", status_is("online"), timeout=10)
    assert online.at - started < 5
    expected = f"panel not responding: epd7in5_V2 init() > {BOUND:g} s"
    fault = recorder.wait("status", _error_is(expected), timeout=BOUND + 8)
    assert fault.at - started < BOUND + 4, f"fault after {fault.at - started:.2f} s"
    assert _ack_latency(recorder, "t-boot") < ANSWER_WITHIN
    assert process.process.wait(BOUND * (RETRIES + 2) + 10) == EXIT_PANEL_FAILED
    assert "Traceback" not in process.log()
