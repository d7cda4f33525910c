"""``epaper-satellite init`` against a real mosquitto: good and bad credentials, TLS, the ACL."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from epaper_satellite import setup_wizard
from epaper_satellite.config import load_config
from epaper_satellite.setup_wizard import Asker, suggest_device_name

from testbed.broker import Broker
from tests.conftest import BROKER_PASSWORD, BROKER_USER


def init(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "epaper_satellite", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def flags(broker: Broker, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "--config", str(tmp_path / "etc" / "config.toml"), "init", "--yes", "--no-enable",
        "--host", "127.0.0.1", "--port", str(broker.port), "--name", "lobby-2",
        "--driver", "png", "--width", "400", "--height", "300", "--colors", "bwr",
        "--rotate", "180", "--state-dir", str(tmp_path / "state"), *extra,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("hostname", "name"),
    [
        ("lobby-2", "lobby-2"),
        ("Lobby-2.example.com", "lobby-2"),
        ("raspberrypi", "raspberrypi"),
        ("Konferenzraum Süd", "konferenzraum-s-d"),
        ("_hidden", "hidden"),
        ("---", "door-sign"),
        ("x" * 80, "x" * 64),
    ],
)
def test_device_name_suggested_from_the_host_name(hostname: str, name: str) -> None:
    assert suggest_device_name(hostname) == name
    assert setup_wizard.device_name_problem(name) is None


def test_reserved_and_bad_names_are_refused() -> None:
    assert "reserved" in (setup_wizard.device_name_problem("_hub") or "")
    assert setup_wizard.device_name_problem("Lobby 2") is not None


def test_init_with_good_credentials_writes_a_working_config(
    mosquitto_auth: Broker, tmp_path: Path
) -> None:
    result = init(
        *flags(mosquitto_auth, tmp_path, "--no-tls", "--username", BROKER_USER),
        "--password", BROKER_PASSWORD,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Connection successful (rc 0)" in result.stdout
    assert "accepts this user on the device's own topics" in result.stdout
    assert "systemctl enable epaper-satellite" not in result.stdout  # --no-enable
    config_path = tmp_path / "etc" / "config.toml"
    password_path = tmp_path / "etc" / "password"
    assert config_path.stat().st_mode & 0o777 == 0o640
    assert password_path.stat().st_mode & 0o777 == 0o600
    assert BROKER_PASSWORD not in config_path.read_text()
    assert BROKER_PASSWORD not in result.stdout + result.stderr
    config = load_config(config_path, environ={})
    assert config.device.name == "lobby-2"
    assert config.mqtt.password == BROKER_PASSWORD
    assert (config.mqtt.port, config.mqtt.tls, config.mqtt.username) == (
        mosquitto_auth.port,
        False,
        BROKER_USER,
    )
    assert (config.display.driver, config.display.colors, config.display.rotate) == (
        "png",
        "bwr",
        180,
    )
    assert config.device.state_dir == tmp_path / "state"

    again = init(*flags(mosquitto_auth, tmp_path, "--no-tls", "--skip-test"))
    assert again.returncode == 2
    assert "--force replaces it" in again.stderr


@pytest.mark.parametrize("password", ["wrong-password", None])
def test_init_with_bad_credentials_says_the_code_in_words_and_writes_nothing(
    mosquitto_auth: Broker, tmp_path: Path, password: str | None
) -> None:
    extra = ["--password", password] if password else []
    result = init(*flags(mosquitto_auth, tmp_path, "--no-tls", "--username", BROKER_USER), *extra)
    assert result.returncode == 1
    # Mosquitto 2 answers rc 5 for a wrong password and for no login at all.
    assert "wrong username or password, or this user may not connect (rc 5)" in result.stdout
    assert "fix: check [mqtt] username and the password" in result.stdout
    assert "Nothing written." in result.stderr
    assert not (tmp_path / "etc").exists()


def test_init_over_tls_verifies_the_broker_with_the_given_ca(
    mosquitto_tls: Broker, tmp_path: Path
) -> None:
    assert mosquitto_tls.tls_files is not None
    without_ca = init(*flags(mosquitto_tls, tmp_path, "--tls"))
    assert without_ca.returncode == 1
    assert "certificate verify failed" in without_ca.stdout
    assert "ca_certs" in without_ca.stdout

    ca = str(mosquitto_tls.tls_files.ca_cert)
    result = init(*flags(mosquitto_tls, tmp_path, "--tls", "--ca-certs", ca))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Connection successful (rc 0)" in result.stdout
    config = load_config(tmp_path / "etc" / "config.toml", environ={})
    assert config.mqtt.tls and config.mqtt.ca_certs == mosquitto_tls.tls_files.ca_cert


def test_init_with_another_displays_user_is_refused_by_the_acl(
    mosquitto_acl: Broker, tmp_path: Path
) -> None:
    """The broker user room-a may not speak for lobby-2: the %u ACL refuses the publish."""
    result = init(
        *flags(mosquitto_acl, tmp_path, "--no-tls", "--username", "room-a"),
        "--password", mosquitto_acl.users["room-a"],
    )  # fmt: skip
    assert result.returncode == 1
    assert "Connection successful (rc 0)" in result.stdout
    assert "must be named 'lobby-2' like the device" in result.stdout


def scripted(answers: list[str]) -> Iterator[str]:
    yield from answers


def test_interactive_answers_with_defaults_and_a_corrected_name(
    mosquitto: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = scripted(
        [
            "Lobby 2",  # refused, asked again
            "",  # the suggestion from the host name
            "127.0.0.1",
            "n",  # no TLS
            str(mosquitto.port),
            "",  # no CA
            "",  # user: the device name
            "",  # prefix
            "png",
            "bw",
            "90",
        ]
    )
    asker = Asker(interactive=True, ask=lambda _q: next(replies), ask_secret=lambda _q: "")
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    sub = parser.add_subparsers(dest="command")
    setup_wizard.add_arguments(sub.add_parser("init"))
    args = parser.parse_args(
        ["--config", str(tmp_path / "config.toml"), "init", "--no-enable", "--state-dir",
         str(tmp_path / "state")]
    )  # fmt: skip
    assert setup_wizard.run_init(args, asker, hostname="pi-lobby-2.local") == 0
    out = capsys.readouterr().out
    assert "use 1-64 of a-z" in out
    config = load_config(tmp_path / "config.toml", environ={})
    assert config.device.name == "pi-lobby-2"
    assert config.mqtt.username == "pi-lobby-2"
    assert config.mqtt.password is None
    assert (config.display.rotate, config.mqtt.tls) == (90, False)
    assert not (tmp_path / "password").exists()
    assert tomllib.loads((tmp_path / "config.toml").read_text())["mqtt"]["topic_prefix"] == (
        "odoo_epaper/"
    )


def test_service_commands_are_printed_without_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(setup_wizard, "SYSTEMD_RUN_DIR", tmp_path / "no-systemd")
    done, message = setup_wizard.enable_service(
        setup_wizard.DEFAULT_CONFIG_PATH, run=lambda *a, **k: pytest.fail("must not run")
    )
    assert not done
    assert "sudo systemctl enable epaper-satellite" in message
    assert "sudo systemctl restart epaper-satellite" in message


def test_service_enabled_as_root_on_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(setup_wizard, "SYSTEMD_RUN_DIR", tmp_path)
    monkeypatch.setattr(setup_wizard.os, "geteuid", lambda: 0)
    monkeypatch.setattr(setup_wizard.shutil, "which", lambda _name: "/bin/systemctl")
    ran: list[list[str]] = []

    def run(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    done, message = setup_wizard.enable_service(setup_wizard.DEFAULT_CONFIG_PATH, run=run)
    assert done, message
    assert ran == [
        ["systemctl", "enable", "epaper-satellite"],
        ["systemctl", "restart", "epaper-satellite"],
    ]
