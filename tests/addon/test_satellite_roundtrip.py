"""The addon against a real satellite process (``epaper-satellite``, png driver)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mqtt_bridge import BridgeClient, Event, StatusEvent

from testbed.broker import Broker
from tests.addon.conftest import settings_for
from tests.addon.helpers import wait_for

Start = Callable[..., tuple[BridgeClient, list[Event]]]
DEVICE = "door-1"


def satellite_command() -> Path:
    """The console script installed next to this Python."""
    script = Path(sys.executable).parent / "epaper-satellite"
    if not script.exists():
        pytest.fail(f"{script} missing: install satellite/ into this venv (scripts/test does)")
    return script


@pytest.fixture
def satellite(mosquitto: Broker, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A satellite process on the test broker, stopped (or killed) after the test."""
    state = tmp_path / "state"
    config = tmp_path / "satellite.toml"
    config.write_text(
        "\n".join(
            [
                "[mqtt]",
                f'host = "{mosquitto.host}"',
                f"port = {mosquitto.port}",
                "tls = false",
                'topic_prefix = "odoo_epaper/"',
                "keepalive = 10",
                "[device]",
                f'name = "{DEVICE}"',
                'timezone = "UTC"',
                f'state_dir = "{state}"',
                "[display]",
                'driver = "png"',
                f'path = "{state / "panel.png"}"',
                "width = 400",
                "height = 300",
                "test_seconds = 5",
                "",
            ]
        )
    )
    log = (tmp_path / "satellite.log").open("wb")
    process = subprocess.Popen(
        [str(satellite_command()), "--config", str(config)], stdout=log, stderr=log
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(10)
    log.close()


def states(events: list[Event]) -> list[str]:
    """The mirrored states of the satellite, in order."""
    return [e.state for e in events if isinstance(e, StatusEvent) and e.device == DEVICE]


def test_test_message_round_trip_with_a_real_satellite(
    mosquitto: Broker, satellite: subprocess.Popen[bytes], start_client: Start
) -> None:
    """Online status, ``/test`` answered by ``/ack``, and offline on a clean stop."""
    client, events = start_client(settings_for(mosquitto))
    assert wait_for(lambda: states(events)[-1:] == ["online"], 20), states(events)
    known = client.statuses()[DEVICE]
    assert known.status.width == 400
    assert known.status.version

    result = client.send_test_message(DEVICE, "Hello from Odoo", timeout=10)
    assert result.acked and result.ok, result
    assert result.rtt_ms is not None and result.rtt_ms < 10_000
    print(f"\ntest message round trip with a real satellite: {result.rtt_ms:.1f} ms")

    satellite.send_signal(signal.SIGTERM)
    assert satellite.wait(15) == 0
    assert wait_for(lambda: states(events)[-1:] == ["offline"], 10)


def test_killed_satellite_goes_offline_through_its_will(
    mosquitto: Broker, satellite: subprocess.Popen[bytes], start_client: Start
) -> None:
    """kill -9: the broker publishes the satellite's last will, Odoo mirrors offline."""
    _client, events = start_client(settings_for(mosquitto))
    assert wait_for(lambda: states(events)[-1:] == ["online"], 20), states(events)
    satellite.kill()
    satellite.wait(10)
    assert wait_for(lambda: states(events)[-1:] == ["offline"], 30)
