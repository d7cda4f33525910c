"""deploy/mosquitto/epaper-mosquitto-users writes users and an ACL that really isolate displays."""

from __future__ import annotations

import getpass
import os
import pwd
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from testbed.broker import Broker, deployed_listeners, free_port, generate_tls
from testbed.mqtt_peer import MqttPeer

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto" / "epaper-mosquitto-users"


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def credentials(folder: Path) -> dict[str, str]:
    return dict(tomllib.loads((folder / "credentials.toml").read_text())["users"])


def users_of(password_file: Path) -> set[str]:
    return {line.split(":")[0] for line in password_file.read_text().split()}


class Deployed:
    """A broker running deploy/mosquitto/mosquitto.conf.example over the files in ``out``:
    ``doors`` is its displays' listener (8883), ``services`` the hub's and Odoo's (8884)."""

    def __init__(
        self, broker_factory: Callable[..., Broker], out: Path, *, tls: bool = False
    ) -> None:
        tls_files = generate_tls(out / "tls") if tls else None
        self.ca_cert = tls_files.ca_cert if tls_files else None
        display_port, service_port = free_port(), free_port()
        self.doors = broker_factory(
            listeners=deployed_listeners(out, display_port, service_port, tls_files),
            port=display_port,
            tls_files=tls_files,
        )
        self.services = self.doors.listener(service_port)

    def door(self, user: str, password: str, **kwargs: object) -> MqttPeer:
        """A client of the displays' listener (not connected yet)."""
        return MqttPeer(self.doors, user, password, ca_cert=self.ca_cert, **kwargs)  # type: ignore[arg-type]

    def service(self, user: str, password: str, **kwargs: object) -> MqttPeer:
        """A client of the services' listener (not connected yet)."""
        return MqttPeer(self.services, user, password, ca_cert=self.ca_cert, **kwargs)  # type: ignore[arg-type]


def test_writes_files_and_keeps_passwords_on_a_second_run(tmp_path: Path) -> None:
    result = run_script("--out", str(tmp_path), "reception", "boardroom")
    assert result.returncode == 0, result.stderr
    first = credentials(tmp_path)
    assert set(first) == {"homeassistant", "odoo", "reception", "boardroom"}
    assert len(set(first.values())) == 4
    acl = (tmp_path / "acl").read_text()
    assert "%u" in acl
    assert "reception" not in acl and "boardroom" not in acl
    assert (tmp_path / "credentials.toml").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "passwords").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "service-passwords").stat().st_mode & 0o777 == 0o600
    passwd_lines = (tmp_path / "passwords").read_text().splitlines()
    assert sorted(line.split(":")[0] for line in passwd_lines) == ["boardroom", "reception"]
    assert all(first["reception"] not in line for line in passwd_lines)  # hashed
    assert users_of(tmp_path / "service-passwords") == {"homeassistant", "odoo"}

    assert run_script("--out", str(tmp_path), "reception", "boardroom", "lobby").returncode == 0
    second = credentials(tmp_path)
    assert {user: second[user] for user in first} == first
    assert "lobby" in second
    assert (tmp_path / "acl").read_text() == acl  # a new display needs no ACL edit

    # Only the new display named: everyone else keeps user and password.
    assert run_script("--out", str(tmp_path), "annex").returncode == 0
    third = credentials(tmp_path)
    assert {user: third[user] for user in second} == second
    assert users_of(tmp_path / "passwords") == set(third) - {"homeassistant", "odoo"}

    assert run_script("--out", str(tmp_path), "--rotate", "reception").returncode == 0
    assert credentials(tmp_path)["reception"] != first["reception"]
    assert credentials(tmp_path)["lobby"] == second["lobby"]

    assert run_script("--out", str(tmp_path), "--remove", "lobby").returncode == 0
    assert "lobby" not in credentials(tmp_path)
    assert "lobby:" not in (tmp_path / "passwords").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Reception Hall"], "bad display name 'Reception Hall'"),
        (["--prefix", "odoo_epaper", "reception"], "bad --prefix"),
        (["--prefix", "a/+/", "reception"], "bad --prefix"),
        (["--hub-user", "reception", "reception"], "every user name must be different"),
        (["--remove", "odoo"], "every user name must be different"),
        (["--remove", "lobby", "--broker", "localhost:mqtts"], "bad broker 'localhost:mqtts'"),
    ],
)
def test_refuses_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_script("--out", str(tmp_path), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "acl").exists()


BARRIER = b"barrier"


def received(peer: MqttPeer, *barriers: tuple[MqttPeer, str]) -> list[tuple[str, bytes]]:
    """What ``peer`` received from the given publishers, barriers left out.

    Each ``(publisher, topic)`` publishes a barrier after the test's messages; once
    ``peer`` has every barrier, whatever those publishers sent before that could reach
    it has reached it (the broker forwards one client's messages in order), so a
    message missing then is refused, not late.
    """
    for publisher, topic in barriers:
        publisher.publish(topic, BARRIER)
    for _publisher, topic in barriers:
        peer.wait(topic, lambda message: message.payload == BARRIER)
    return [(m.topic, m.payload) for m in peer.snapshot() if m.payload != BARRIER]


def test_generated_acl_isolates_displays(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    assert run_script("--out", str(tmp_path), "room-a", "room-b").returncode == 0
    users = credentials(tmp_path)
    broker = Deployed(broker_factory, tmp_path)
    hub = broker.service("homeassistant", users["homeassistant"]).start("odoo_epaper/#")
    odoo = broker.service("odoo", users["odoo"]).start(
        "odoo_epaper/+/status", "odoo_epaper/+/ack", "odoo_epaper/+/data"
    )
    room_a = broker.door("room-a", users["room-a"]).start("odoo_epaper/#")
    room_b = broker.door("room-b", users["room-b"]).start(
        "odoo_epaper/room-b/data", "odoo_epaper/room-b/test"
    )
    try:
        hub.publish("odoo_epaper/room-a/data", b"data-a")
        hub.publish("odoo_epaper/room-b/data", b"data-b")
        room_a.publish("odoo_epaper/room-a/status", b"online-a")
        room_a.publish("odoo_epaper/room-b/status", b"forged-b")
        room_a.publish("odoo_epaper/room-b/ack", b"forged-ack")
        odoo.publish("odoo_epaper/room-b/test", b"test-b")
        odoo.publish("odoo_epaper/_odoo/changed", b"changed")
        odoo.publish("odoo_epaper/room-b/data", b"odoo-may-not-write-data")

        from_hub_and_odoo = ((hub, "odoo_epaper/room-a/data"), (odoo, "odoo_epaper/room-a/test"))
        assert sorted(received(room_a, *from_hub_and_odoo)) == [
            ("odoo_epaper/room-a/data", b"data-a")
        ]
        to_b = ((hub, "odoo_epaper/room-b/data"), (odoo, "odoo_epaper/room-b/test"))
        assert sorted(received(room_b, *to_b)) == [
            ("odoo_epaper/room-b/data", b"data-b"),
            ("odoo_epaper/room-b/test", b"test-b"),
        ]
        hub_seen = received(
            hub, (room_a, "odoo_epaper/room-a/status"), (odoo, "odoo_epaper/_odoo/changed")
        )
        assert ("odoo_epaper/room-a/status", b"online-a") in hub_seen
        assert ("odoo_epaper/_odoo/changed", b"changed") in hub_seen
        assert all(payload not in {b"forged-b", b"forged-ack"} for _, payload in hub_seen)
        assert ("odoo_epaper/room-b/data", b"odoo-may-not-write-data") not in hub_seen
        odoo_seen = received(
            odoo, (room_a, "odoo_epaper/room-a/status"), (hub, "odoo_epaper/_hub/status")
        )
        assert ("odoo_epaper/room-a/status", b"online-a") in odoo_seen
        assert all(not topic.endswith("/data") for topic, _ in odoo_seen)
    finally:
        for peer in (hub, odoo, room_a, room_b):
            peer.stop()


def test_a_display_sends_actions_and_reads_answers_under_its_own_name_only(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    """room-a may publish /action as room-a, not as room-b; the hub's /ack to room-a
    reaches room-a and not room-b (DESIGN 3a)."""
    assert run_script("--out", str(tmp_path), "room-a", "room-b").returncode == 0
    users = credentials(tmp_path)
    broker = Deployed(broker_factory, tmp_path)
    hub = broker.service("homeassistant", users["homeassistant"]).start("odoo_epaper/+/action")
    room_a = broker.door("room-a", users["room-a"]).start("odoo_epaper/room-a/ack")
    room_b = broker.door("room-b", users["room-b"]).start("odoo_epaper/+/ack")
    try:
        room_a.publish("odoo_epaper/room-b/action", b"forged-action")
        room_a.publish("odoo_epaper/room-a/action", b"own-action")
        hub_seen = received(hub, (room_a, "odoo_epaper/room-a/action"))
        assert ("odoo_epaper/room-a/action", b"own-action") in hub_seen
        assert all(payload != b"forged-action" for _, payload in hub_seen)
        hub.publish("odoo_epaper/room-a/ack", b"answer-a")
        assert ("odoo_epaper/room-a/ack", b"answer-a") in received(
            room_a, (hub, "odoo_epaper/room-a/ack")
        )
        assert received(room_b, (hub, "odoo_epaper/room-b/ack")) == []
    finally:
        for peer in (hub, room_a, room_b):
            peer.stop()


def test_display_added_later_is_isolated_without_acl_change(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    """A display added while the broker runs: its user only, a SIGHUP, and it is fenced in."""
    assert run_script("--out", str(tmp_path), "room-a").returncode == 0
    acl = (tmp_path / "acl").read_text()
    broker = Deployed(broker_factory, tmp_path)
    hub = broker.service("homeassistant", credentials(tmp_path)["homeassistant"]).start(
        "odoo_epaper/#"
    )
    try:
        assert run_script("--out", str(tmp_path), "late-room").returncode == 0
        assert (tmp_path / "acl").read_text() == acl
        password = credentials(tmp_path)["late-room"]
        assert broker.doors.process is not None
        broker.doors.process.send_signal(signal.SIGHUP)  # what `systemctl reload mosquitto` does
        late = connect_when_accepted(broker.doors, "late-room", password)
        try:
            hub.publish("odoo_epaper/late-room/data", b"late-data")
            hub.publish("odoo_epaper/room-a/data", b"a-data")
            late.publish("odoo_epaper/late-room/status", b"late-online")
            late.publish("odoo_epaper/room-a/status", b"forged-a")
            to_late = (hub, "odoo_epaper/late-room/data")
            assert sorted(received(late, to_late)) == [("odoo_epaper/late-room/data", b"late-data")]
            hub_seen = received(hub, (late, "odoo_epaper/late-room/status"))
            assert ("odoo_epaper/late-room/status", b"late-online") in hub_seen
            assert ("odoo_epaper/room-a/status", b"forged-a") not in hub_seen
        finally:
            late.stop()
    finally:
        hub.stop()


def test_no_user_can_take_over_a_display_s_session(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    """Client ids are bound to users: room-b connecting with room-a's client id (on either
    listener) does not kick room-a off; room-a stays connected, no last will is sent."""
    assert run_script("--out", str(tmp_path), "room-a", "room-b").returncode == 0
    users = credentials(tmp_path)
    broker = Deployed(broker_factory, tmp_path, tls=True)
    hub = broker.service("homeassistant", users["homeassistant"]).start("odoo_epaper/#")
    victim = broker.door("room-a", users["room-a"], client_id="epaper-room-a")
    victim.start("odoo_epaper/room-a/data")
    assert victim.client is not None
    kicked: list[object] = []
    victim.client.on_disconnect = lambda *args: kicked.append(args)
    attackers = [
        broker.door("room-b", users["room-b"], client_id="epaper-room-a"),
        broker.door("room-b", users["room-b"], client_id="room-a"),  # the id it really has
        broker.service("room-b", users["room-b"], client_id="room-a"),
    ]
    try:
        for attacker in attackers[:2]:
            attacker.start()
            assert attacker.connect_code == 0  # its own session, under its own name
        attackers[2].start()  # a display's user may not use the hub's port
        assert attackers[2].connect_code not in (None, 0)
        # The victim still delivers and receives, on the session it had.
        victim.publish("odoo_epaper/room-a/status", b"still-here")
        hub.wait("odoo_epaper/room-a/status", lambda m: m.payload == b"still-here")
        hub.publish("odoo_epaper/room-a/data", b"for-a")
        victim.wait("odoo_epaper/room-a/data", lambda m: m.payload == b"for-a")
        assert kicked == []
        log = broker.doors.log()
        assert "as room-a (" in log and "Client room-a already connected" not in log
    finally:
        for peer in (hub, victim, *attackers):
            peer.stop()


def test_hub_and_odoo_keep_their_own_client_ids_and_may_run_several_clients(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    """Odoo runs a client per worker process plus short probes: on the services' listener
    two clients of the same user stay connected side by side."""
    assert run_script("--out", str(tmp_path), "room-a").returncode == 0
    users = credentials(tmp_path)
    broker = Deployed(broker_factory, tmp_path)
    worker_1 = broker.service("odoo", users["odoo"], client_id="odoo-1-aaaa").start(
        "odoo_epaper/+/status"
    )
    worker_2 = broker.service("odoo", users["odoo"], client_id="odoo-2-bbbb").start(
        "odoo_epaper/+/status"
    )
    door = broker.door("room-a", users["room-a"]).start()
    intruder = broker.door("odoo", users["odoo"])
    try:
        door.publish("odoo_epaper/room-a/status", b"online")
        for worker in (worker_1, worker_2):
            worker.wait("odoo_epaper/room-a/status", lambda m: m.payload == b"online")
        log = broker.doors.log()
        assert "as odoo-1-aaaa (" in log and "as odoo-2-bbbb (" in log
        intruder.start()  # the Odoo user may not use the doors' port
        assert intruder.connect_code not in (None, 0)
    finally:
        for peer in (worker_1, worker_2, door, intruder):
            peer.stop()


def test_an_older_password_file_s_hub_and_odoo_users_move_with_their_passwords(
    tmp_path: Path,
) -> None:
    """Files of an earlier version held every user in ``passwords``: the hub and Odoo move
    to ``service-passwords`` with their hashes, even without ``credentials.toml``."""
    passwords = tmp_path / "passwords"
    passwords.touch(mode=0o600)
    for user in ("homeassistant", "odoo", "reception"):
        subprocess.run(["mosquitto_passwd", "-b", str(passwords), user, f"pw-{user}"], check=True)
    hashes = dict(line.split(":", 1) for line in passwords.read_text().split())
    assert run_script("--out", str(tmp_path), "lobby").returncode == 0
    service_lines = (tmp_path / "service-passwords").read_text().split()
    moved = dict(line.split(":", 1) for line in service_lines)
    assert moved == {"homeassistant": hashes["homeassistant"], "odoo": hashes["odoo"]}
    assert users_of(passwords) == {"reception", "lobby"}
    assert "homeassistant" not in credentials(tmp_path)  # kept its old password, not a new one


def connect_when_accepted(broker: Broker, user: str, password: str) -> MqttPeer:
    """Connect as ``user`` once the broker has read its password (after the reload)."""
    deadline = time.monotonic() + 10
    while True:
        peer = MqttPeer(broker, user, password).start()
        if peer.connect_code == 0:
            peer.stop()
            return MqttPeer(broker, user, password).start("odoo_epaper/#")
        peer.stop()
        assert time.monotonic() < deadline, f"{user} refused (rc {peer.connect_code})"
        time.sleep(0.05)


def test_central_and_site_files_for_bridged_sites(
    tmp_path: Path, broker_factory: Callable[..., Broker]
) -> None:
    """A site's user on the central broker acts for its own displays only."""
    central = tmp_path / "central"
    result = run_script(
        "--out", str(central), "--site", "berlin=reception,boardroom", "--site", "paris=lobby"
    )
    assert result.returncode == 0, result.stderr
    users = credentials(central)
    assert set(users) == {"homeassistant", "odoo", "berlin", "paris"}
    acl = (central / "acl").read_text()
    assert "user reception" not in acl  # the displays log in at their site's broker
    assert "topic write odoo_epaper/lobby/status" in acl.split("user paris")[1]

    # A later run for a new central display keeps the sites; --remove drops one.
    assert run_script("--out", str(central), "annex").returncode == 0
    assert (central / "acl").read_text() == acl
    assert run_script("--out", str(central), "--remove", "paris").returncode == 0
    assert "user paris" not in (central / "acl").read_text()
    assert "paris" not in credentials(central)
    assert run_script("--out", str(central), "--site", "paris=lobby").returncode == 0
    users = credentials(central)
    acl = (central / "acl").read_text()

    site = tmp_path / "berlin"
    result = run_script(
        "--out", str(site), "--bridge-to", "central.example.com:8883", "--site-name", "berlin",
        "--central-credentials", str(central / "credentials.toml"), "reception", "boardroom",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert set(credentials(site)) == {"reception", "boardroom"}
    bridge = (site / "bridge.conf").read_text()
    assert (site / "bridge.conf").stat().st_mode & 0o777 == 0o640
    assert "address central.example.com:8883" in bridge
    assert f"remote_password {users['berlin']}" in bridge
    assert "topic odoo_epaper/+/data in 1" in bridge
    assert "topic odoo_epaper/+/status out 1" in bridge
    assert "topic odoo_epaper/+/ack both 1" in bridge
    assert "+/data both" not in bridge

    broker = Deployed(broker_factory, central)
    hub = broker.service("homeassistant", users["homeassistant"]).start("odoo_epaper/#")
    berlin = broker.door("berlin", users["berlin"]).start("odoo_epaper/#")
    try:
        hub.publish("odoo_epaper/reception/data", b"data-reception", retain=True)
        hub.publish("odoo_epaper/lobby/data", b"data-lobby", retain=True)
        berlin.publish("odoo_epaper/boardroom/status", b"online-boardroom")
        berlin.publish("odoo_epaper/lobby/status", b"forged-lobby")
        berlin.publish("odoo_epaper/reception/data", b"forged-data")
        to_berlin = (hub, "odoo_epaper/reception/data")
        assert sorted(received(berlin, to_berlin)) == [
            ("odoo_epaper/reception/data", b"data-reception")
        ]
        hub_seen = [p for _, p in received(hub, (berlin, "odoo_epaper/boardroom/status"))]
        assert b"online-boardroom" in hub_seen
        assert b"forged-lobby" not in hub_seen
        assert b"forged-data" not in hub_seen
    finally:
        hub.stop()
        berlin.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "berlin=reception", "reception"], "one site (or to this broker) only"),
        (["--site", "berlin=a", "--site", "paris=a"], "one site (or to this broker) only"),
        (["--site", "Berlin=a"], "bad site name 'Berlin'"),
        (["--bridge-to", "central:8883", "reception"], "--bridge-to needs --site-name"),
    ],
)
def test_refuses_bad_site_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_script("--out", str(tmp_path), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_site_needs_its_user_on_the_central_broker(tmp_path: Path) -> None:
    assert run_script("--out", str(tmp_path / "central"), "--site", "paris=lobby").returncode == 0
    result = run_script(
        "--out", str(tmp_path / "berlin"), "--bridge-to", "central:8883", "--site-name", "berlin",
        "--central-credentials", str(tmp_path / "central" / "credentials.toml"), "reception",
    )  # fmt: skip
    assert result.returncode == 2
    assert "no user 'berlin'" in result.stderr
    assert not (tmp_path / "berlin" / "bridge.conf").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files away")
def test_as_root_the_broker_user_can_read_its_files(tmp_path: Path) -> None:
    """Mosquitto opens the password file and ACL after dropping to its user: give them to it."""
    owner = pwd.getpwnam(getpass.getuser())  # a user that exists on every machine: root
    result = run_script("--out", str(tmp_path), "--broker-user", "nobody", "reception")
    assert result.returncode == 0, result.stderr
    nobody = pwd.getpwnam("nobody")
    for name in ("passwords", "service-passwords", "acl"):
        assert (tmp_path / name).stat().st_uid == nobody.pw_uid
    assert (tmp_path / "credentials.toml").stat().st_uid == owner.pw_uid  # stays private

    # Named again, mosquitto_passwd rewrites the file: it is given back to the broker user.
    assert run_script("--out", str(tmp_path), "--broker-user", "nobody", "lobby").returncode == 0
    assert (tmp_path / "passwords").stat().st_uid == nobody.pw_uid
