"""A satellite behind a TCP proxy that goes down, flaps, slows down and plays dead."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from epaper_satellite.wire import content_hash

from testbed.broker import Broker
from testbed.mqtt_peer import encode
from testbed.tcp_proxy import TcpProxy
from tests.reliability.helpers import PREFIX, Watcher, draws, room, satellite_config, status
from tests.satellite.conftest import SatelliteProcess, wait_until

Spawn = Callable[..., SatelliteProcess]
STATUS = f"{PREFIX}reception/status"
DATA = f"{PREFIX}reception/data"


@pytest.fixture
def proxy(mosquitto: Broker) -> Iterator[TcpProxy]:
    """A proxy in front of the plain broker; its threads are joined after the test."""
    with TcpProxy(mosquitto.host, mosquitto.port) as running:
        yield running


@pytest.fixture
def watcher(mosquitto: Broker) -> Iterator[Watcher]:
    """The hub's view of the broker (not behind the proxy)."""
    running = Watcher(mosquitto).start()
    yield running
    running.stop()


def _connects(process: SatelliteProcess) -> int:
    return process.log().count("Connected to")


def test_offline_during_a_change_gets_the_latest_data_once(
    proxy: TcpProxy, watcher: Watcher, satellite_process: Spawn, tmp_path: Path
) -> None:
    """Two changes while the link is down: on reconnect only the latest is drawn, once."""
    first, second, latest = (encode(room("reception", name)) for name in ("v1", "v2", "v3"))
    watcher.publish(DATA, first, retain=True)
    process = satellite_process(satellite_config(proxy.port, tmp_path, "reception"))
    watcher.wait(STATUS, status("online", content_hash=content_hash(first)))
    drawn_before = draws(process)

    proxy.refusing = True
    mark = watcher.mark()
    assert proxy.cut() == 1
    watcher.wait(STATUS, lambda m: m.json() == {"state": "offline"}, after=mark)  # the LWT
    watcher.publish(DATA, second, retain=True)
    watcher.publish(DATA, latest, retain=True)
    wait_until(lambda: "Cannot reach" in process.log() or proxy.accepted > 1, 5, "a retry")
    proxy.refusing = False

    watcher.wait(STATUS, status("online", content_hash=content_hash(latest)), after=mark)
    assert draws(process) == drawn_before + 1
    assert "Room data for 'v2'" not in process.log()
    assert process.log().count("Room data for 'v3'") == 1
    assert (tmp_path / "state" / "last_data.json").read_bytes() == latest


@pytest.mark.slow
def test_flapping_slow_link_no_crash_and_one_draw_per_change(
    proxy: TcpProxy, watcher: Watcher, satellite_process: Spawn, tmp_path: Path
) -> None:
    """Eight cuts on a 50 ms link: the process lives and draws once per real content change."""
    proxy.delay = 0.05
    first, changed = encode(room("reception", "v1")), encode(room("reception", "v2"))
    watcher.publish(DATA, first, retain=True)
    process = satellite_process(
        satellite_config(proxy.port, tmp_path, "reception", mqtt_settings={"reconnect_max": 1})
    )
    watcher.wait(STATUS, status("online", content_hash=content_hash(first)))
    drawn_before = draws(process)
    for cut in range(8):
        connects = _connects(process)
        if cut == 4:
            watcher.publish(DATA, changed, retain=True)
        proxy.cut()
        wait_until(lambda n=connects: _connects(process) > n, 10, f"reconnect after cut {cut}")
    watcher.wait(STATUS, status("online", content_hash=content_hash(changed)), timeout=10)
    log = process.log()
    assert draws(process) == drawn_before + 1, log  # v2 once; v1 re-delivered 8 times, not drawn
    assert log.count("Room data for 'v2'") == 1
    assert "Traceback" not in log
    assert process.alive()
    assert proxy.accepted >= 9


@pytest.mark.slow
def test_half_open_link_is_noticed_by_keepalive_and_recovers(
    proxy: TcpProxy, watcher: Watcher, satellite_process: Spawn, tmp_path: Path
) -> None:
    """A link that silently drops everything is given up after the keepalive, then resumed."""
    raw = encode(room("reception", "v1"))
    watcher.publish(DATA, raw, retain=True)
    process = satellite_process(satellite_config(proxy.port, tmp_path, "reception"))
    watcher.wait(STATUS, status("online", content_hash=content_hash(raw)))
    drawn = draws(process)  # the setup screen at boot (and once connected), then v1
    proxy.blackhole = True
    mark = watcher.mark()
    watcher.wait(STATUS, lambda m: m.json() == {"state": "offline"}, after=mark, timeout=15)
    wait_until(lambda: "Disconnected from the broker" in process.log(), 15, "the client to notice")
    proxy.blackhole = False
    proxy.cut()
    watcher.wait(STATUS, status("online", content_hash=content_hash(raw)), after=mark, timeout=15)
    assert draws(process) == drawn  # the room stayed through the outage: nothing redrawn
    assert process.alive()


@pytest.mark.slow
def test_cut_off_satellite_keeps_its_room_and_turns_stale_once(
    proxy: TcpProxy, watcher: Watcher, satellite_process: Spawn, tmp_path: Path
) -> None:
    """Without the broker (Odoo or hub away) the room stays; after valid_until one redraw."""

    valid_until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    raw = encode(room("reception", "Keeps", valid_until=valid_until.strftime("%Y-%m-%dT%H:%M:%SZ")))
    watcher.publish(DATA, raw, retain=True)
    process = satellite_process(satellite_config(proxy.port, tmp_path, "reception"))
    watcher.wait(STATUS, status("online", content_hash=content_hash(raw)))
    drawn = draws(process)
    fresh = (tmp_path / "panel.png").read_bytes()
    proxy.refusing = True
    proxy.cut()
    wait_until(lambda: draws(process) > drawn, 10, "the stale redraw")
    assert (tmp_path / "panel.png").read_bytes() != fresh  # "Not current"
    time.sleep(1.5)  # several ticks later: no redraw storm
    assert draws(process) == drawn + 1
    assert "Room data for" in process.log() and process.alive()
    assert (tmp_path / "state" / "last_data.json").read_bytes() == raw
