"""Helpers for the satellite's tests: configs, an MQTT recorder, running satellites."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from epaper_satellite.config import Config, load_config
from epaper_satellite.controller import MQTTDisplay

from testbed.broker import Broker
from testbed.mqtt_peer import Message, MqttPeer

PREFIX = "odoo_epaper/"
DEVICE = "reception"
STANDIN = Path(__file__).resolve().parent / "standin"


def room_payload(**changes: Any) -> dict[str, Any]:
    """Return a valid /data payload for DEVICE, with ``changes`` applied.

    The sign speaks British English (a 24-hour clock) unless ``locale`` is changed.
    """
    payload: dict[str, Any] = {
        "v": 1,
        "device": DEVICE,
        "room": "Reception",
        "tz": "Europe/Berlin",
        "locale": "en-GB",
        "generated_at": "2026-11-27T09:00:00Z",
        "valid_until": "2026-11-27T21:00:00Z",
        "events": [
            {
                "title": "Board meeting",
                "start": "2026-11-27T10:00:00Z",
                "end": "2026-11-27T11:00:00Z",
                "organizer": "A. Smith",
                "private": False,
            }
        ],
        "message": None,
        "qr": None,
    }
    payload.update(changes)
    return payload


def config_text(broker: Broker | None, directory: Path, **sections: dict[str, Any]) -> str:
    """Return a TOML configuration for a png satellite in ``directory``."""
    values: dict[str, dict[str, Any]] = {
        "mqtt": {"host": "127.0.0.1", "port": broker.port if broker else 1, "tls": False},
        "device": {"name": DEVICE, "state_dir": str(directory / "state"), "timezone": "UTC"},
        "display": {
            "driver": "png",
            "path": str(directory / "panel.png"),
            "width": 400,
            "height": 300,
            "offline_after": 0,
        },
        "refresh": {},
    }
    for name, updates in sections.items():
        values.setdefault(name, {}).update(updates)
    lines = []
    for name, table in values.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def write_config(broker: Broker | None, directory: Path, **sections: dict[str, Any]) -> Path:
    """Write a configuration file and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.toml"
    path.write_text(config_text(broker, directory, **sections), encoding="utf-8")
    return path


def make_config(broker: Broker | None, directory: Path, **sections: dict[str, Any]) -> Config:
    """Return a loaded configuration (see :func:`write_config`)."""
    return load_config(write_config(broker, directory, **sections), environ={})


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


Received = Message


class Recorder(MqttPeer):
    """A real paho client that publishes to and records the satellite's topics."""

    def start(self, *topics: str, qos: int = 1) -> Recorder:
        """Connect and subscribe (default: everything under the prefix)."""
        super().start(*(topics or (f"{PREFIX}#",)), qos=qos)
        return self

    @staticmethod
    def topic(leaf: str) -> str:
        """The topic ``{prefix}{device}/{leaf}``."""
        return f"{PREFIX}{DEVICE}/{leaf}"

    def publish(self, leaf: str, payload: Any, *, retain: bool = False, qos: int = 1) -> None:
        """Publish to ``leaf`` (text and bytes as they are) and wait until the broker has it."""
        raw = payload.encode() if isinstance(payload, str) else payload
        super().publish(self.topic(leaf), raw, retain=retain, qos=qos)

    def on(self, leaf: str, after: int = 0) -> list[Received]:
        """Messages seen on ``leaf``."""
        return super().on(self.topic(leaf), after)

    def wait(
        self,
        leaf: str,
        predicate: Callable[[Received], bool] = lambda _m: True,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> Received:
        """Wait for a message on ``leaf`` after position ``after`` that matches ``predicate``."""
        return super().wait(self.topic(leaf), predicate, after=after, timeout=timeout)


def status_is(state: str, **fields: Any) -> Callable[[Received], bool]:
    """Match a status message with ``state`` and the given fields."""

    def match(message: Received) -> bool:
        try:
            body = message.json()
        except ValueError:
            return False
        return body.get("state") == state and all(body.get(k) == v for k, v in fields.items())

    return match


@pytest.fixture
def recorder(mosquitto: Broker) -> Iterator[Recorder]:
    """A recorder on the plain broker."""
    rec = Recorder(mosquitto).start()
    yield rec
    rec.stop()


class ThreadedSatellite:
    """An MQTTDisplay running its main loop in a thread of the test process."""

    def __init__(self, display: MQTTDisplay) -> None:
        self.display = display
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.display.run()
        except BaseException as err:  # reported by the test
            self.error = err

    def start(self) -> ThreadedSatellite:
        """Start the main loop."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop the main loop and wait for it."""
        self.display.stop()
        self.thread.join(10)
        assert not self.thread.is_alive(), "satellite main loop did not stop"
        assert self.error is None, f"satellite main loop failed: {self.error!r}"


@pytest.fixture
def run_satellite() -> Iterator[Callable[[MQTTDisplay], ThreadedSatellite]]:
    """Start MQTTDisplay main loops in threads; all are stopped after the test."""
    running: list[ThreadedSatellite] = []

    def start(display: MQTTDisplay) -> ThreadedSatellite:
        satellite = ThreadedSatellite(display).start()
        running.append(satellite)
        return satellite

    yield start
    for satellite in running:
        if satellite.thread.is_alive():
            satellite.stop()


class SatelliteProcess:
    """``epaper-satellite --config FILE`` as a subprocess, its log in a file."""

    def __init__(self, config: Path, env: dict[str, str] | None = None) -> None:
        self.log_path = config.parent / "satellite.log"
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "epaper_satellite", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=self.log_file,
            env=env,
        )

    def log(self) -> str:
        """What the satellite logged so far."""
        return self.log_path.read_text(errors="replace")

    def wait_log(self, needle: str, timeout: float = 10.0) -> str:
        """Wait until the log holds ``needle``; return the log."""
        wait_until(lambda: needle in self.log(), timeout, f"{needle!r} in the satellite log")
        return self.log()

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process.poll() is None

    def stop(self) -> None:
        """Kill the process if it still runs."""
        if self.alive():
            self.process.kill()
        self.process.wait(10)
        self.log_file.close()


@pytest.fixture
def satellite_process(request: pytest.FixtureRequest) -> Iterator[Callable[..., SatelliteProcess]]:
    """Start satellite subprocesses; all are killed after the test, logs shown on failure."""
    started: list[SatelliteProcess] = []

    def start(config: Path, env: dict[str, str] | None = None) -> SatelliteProcess:
        process = SatelliteProcess(config, env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        for index, process in enumerate(started):
            request.node.add_report_section("teardown", f"satellite {index} log", process.log())


class FakeClock:
    """An injected wall clock that moves only when told to."""

    def __init__(self, start: str) -> None:
        self.now = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: str) -> None:
        """Jump to ``moment`` (ISO 8601 with Z)."""
        self.now = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))


class FakeMonotonic:
    """An injected monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
