"""systemd notifications over a real unix datagram socket as NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from epaper_satellite.watchdog import SystemdNotifier, ping_interval

from tests.satellite.conftest import FakeMonotonic


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A bound AF_UNIX datagram socket named by NOTIFY_SOCKET, as systemd sets it up."""
    path = tmp_path / "notify"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    yield server
    server.close()


def _pending(server: socket.socket) -> list[str]:
    server.setblocking(False)
    try:
        found = []
        while True:
            try:
                found.append(server.recv(4096).decode())
            except BlockingIOError:
                return found
    finally:
        server.settimeout(2)


def test_ready_then_pings_at_half_the_watchdog_period(notify_socket: socket.socket) -> None:
    """READY=1 with a status line; WATCHDOG=1 at most every WatchdogSec / 2; STOPPING=1."""
    clock = FakeMonotonic()
    notifier = SystemdNotifier(monotonic=clock)
    assert notifier.interval == 10.0
    notifier.ready("serving reception")
    assert notify_socket.recv(4096) == b"READY=1\nSTATUS=serving reception"
    notifier.healthy()
    assert _pending(notify_socket) == []  # the ready message counts as the first sign of life
    clock.now += 10.0
    notifier.healthy()
    notifier.healthy()
    assert _pending(notify_socket) == ["WATCHDOG=1"]
    notifier.status("panel not responding")
    notifier.stopping()
    assert _pending(notify_socket) == ["STATUS=panel not responding", "STOPPING=1"]


def test_silent_without_systemd(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside systemd nothing is sent and nothing fails."""
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    notifier = SystemdNotifier()
    assert not notifier.enabled
    notifier.ready("x")
    notifier.healthy()
    notifier.stopping()


def test_ping_interval_rules() -> None:
    """Half of WATCHDOG_USEC; none when unset, zero, garbage or meant for another process."""
    assert ping_interval({"WATCHDOG_USEC": "60000000"}) == 30.0
    assert ping_interval({}) is None
    assert ping_interval({"WATCHDOG_USEC": "0"}) is None
    assert ping_interval({"WATCHDOG_USEC": "soon"}) is None
    other = str(os.getpid() + 1)
    assert ping_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": other}) is None
    mine = str(os.getpid())
    assert ping_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": mine}) == 30.0
