"""``epaper-mosquitto-users --remove NAME`` clears the display's retained topics (data,
status, snapshot) on the running broker, over TLS as the hub's user; without the hub's
password or a reachable broker it prints the exact commands, which do clear them."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from testbed.broker import Broker, free_port
from tests.deploy.test_mosquitto_users import Deployed, credentials, received, run_script

PREFIX = "odoo_epaper/"
RETAINED = ("data", "status", "snapshot")


def leave_retained(broker: Deployed, folder: Path, devices: list[str]) -> None:
    """Each door leaves its retained status and snapshot, the hub its retained data."""
    users = credentials(folder)
    hub = broker.service("homeassistant", users["homeassistant"]).start()
    try:
        for device in devices:
            door = broker.door(device, users[device], client_id=device).start()
            try:
                door.publish(f"{PREFIX}{device}/status", b'{"state":"online"}', retain=True)
                door.publish(f"{PREFIX}{device}/snapshot", b"\x89PNG...", retain=True)
            finally:
                door.stop()
            hub.publish(f"{PREFIX}{device}/data", b'{"room":"Old room"}', retain=True)
    finally:
        hub.stop()


def retained_now(broker: Deployed, password: str) -> set[str]:
    """The topics under the prefix the broker holds a retained message for now."""
    late = broker.service("homeassistant", password).start(f"{PREFIX}#")
    barrier = broker.service("homeassistant", password).start()
    try:
        seen = received(late, (barrier, f"{PREFIX}_test/barrier"))
        return {topic for topic, payload in seen if payload}
    finally:
        barrier.stop()
        late.stop()


def remembered(devices: list[str]) -> set[str]:
    return {f"{PREFIX}{device}/{leaf}" for device in devices for leaf in RETAINED}


def test_remove_clears_the_display_s_retained_topics_on_the_running_broker(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    assert run_script("--out", str(tmp_path), "lobby", "room-b").returncode == 0
    broker = Deployed(broker_factory, tmp_path, tls=True)
    password = credentials(tmp_path)["homeassistant"]
    leave_retained(broker, tmp_path, ["lobby", "room-b"])
    assert retained_now(broker, password) == remembered(["lobby", "room-b"])

    address = f"127.0.0.1:{broker.services.port}"
    result = run_script(
        "--out", str(tmp_path), "--remove", "lobby", "--broker", address,
        "--cafile", str(broker.ca_cert),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"cleared the retained data, status, snapshot of lobby on {address}" in result.stdout
    assert retained_now(broker, password) == remembered(["room-b"])
    assert "lobby" not in credentials(tmp_path)


def test_without_the_hub_password_the_printed_commands_clear(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    """credentials.toml deleted as the guide says: nothing cleared, the exact commands
    printed (PASSWORD for the hub's password); run as printed, they clear."""
    assert run_script("--out", str(tmp_path), "lobby", "room-b").returncode == 0
    broker = Deployed(broker_factory, tmp_path, tls=True)
    password = credentials(tmp_path)["homeassistant"]
    leave_retained(broker, tmp_path, ["lobby", "room-b"])
    (tmp_path / "credentials.toml").unlink()

    address = f"127.0.0.1:{broker.services.port}"
    result = run_script(
        "--out", str(tmp_path), "--remove", "lobby", "--broker", address,
        "--cafile", str(broker.ca_cert),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "lobby were NOT cleared (the password of homeassistant is neither" in result.stdout
    assert retained_now(broker, password) == remembered(["lobby", "room-b"])
    commands = [line for line in result.stdout.splitlines() if line.startswith("mosquitto_pub")]
    assert len(commands) == 3
    for line in commands:
        command = [password if word == "PASSWORD" else word for word in shlex.split(line)]
        subprocess.run(command, check=True, capture_output=True, timeout=15)
    assert retained_now(broker, password) == remembered(["room-b"])


def test_unreachable_broker_prints_why_and_the_commands(tmp_path: Path) -> None:
    assert run_script("--out", str(tmp_path), "lobby").returncode == 0
    result = run_script(
        "--out", str(tmp_path), "--remove", "lobby", "--broker", f"127.0.0.1:{free_port()}"
    )
    assert result.returncode == 0, result.stderr
    assert "lobby were NOT cleared (" in result.stdout
    assert "Connection refused" in result.stdout
    topics = [
        shlex.split(line)[-1] for line in result.stdout.splitlines() if "mosquitto_pub" in line
    ]
    assert topics == [f"{PREFIX}lobby/{leaf}" for leaf in RETAINED]
    assert "lobby" not in credentials(tmp_path)  # the user is gone whatever the broker says


def test_removing_a_site_clears_no_door_topics(tmp_path: Path) -> None:
    """A site's bridge user is no display: removing it prints nothing about retained topics."""
    assert run_script("--out", str(tmp_path), "--site", "paris=lobby").returncode == 0
    result = run_script("--out", str(tmp_path), "--remove", "paris")
    assert result.returncode == 0, result.stderr
    assert "retained" not in result.stdout
