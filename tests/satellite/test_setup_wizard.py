"""``epaper-satellite init`` against a real mosquitto: good and bad credentials, TLS, the ACL."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from epaper_satellite import setup_wizard
from epaper_satellite.config import load_config
from epaper_satellite.setup_wizard import Asker, suggest_device_name

from testbed.broker import Broker, free_port
from tests.conftest import BROKER_PASSWORD, BROKER_USER

from .conftest import wait_until


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


class Terminal:
    """A scripted terminal: each prompt takes the next answer; prompts are recorded."""

    def __init__(self, answers: list[str], secrets: list[str] | None = None) -> None:
        self.answers = list(answers)
        self.secrets = list(secrets or [])
        self.prompts: list[str] = []

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        assert self.answers, f"no scripted answer left for {prompt!r}"
        return self.answers.pop(0)

    def ask_secret(self, prompt: str) -> str:
        self.prompts.append(prompt)
        assert self.secrets, f"no scripted secret left for {prompt!r}"
        return self.secrets.pop(0)

    def asker(self) -> Asker:
        return Asker(interactive=True, ask=self.ask, ask_secret=self.ask_secret)

    def asked(self, words: str) -> list[str]:
        return [prompt for prompt in self.prompts if words in prompt]


def init_args(tmp_path: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    sub = parser.add_subparsers(dest="command")
    setup_wizard.add_arguments(sub.add_parser("init"))
    return parser.parse_args(
        ["--config", str(tmp_path / "config.toml"), "init", "--no-enable", "--state-dir",
         str(tmp_path / "state"), *extra]
    )  # fmt: skip


@pytest.fixture
def no_systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(setup_wizard, "SYSTEMD_RUN_DIR", tmp_path / "no-systemd")


def broker_answers(broker: Broker, user: str = "") -> list[str]:
    """Device name (the host name's), host, no TLS, port, user: what a person types."""
    return ["", "127.0.0.1", "n", str(broker.port), user]


# Topic prefix, driver, size, colours, rotation, zone, language, keys.
PNG_ANSWERS = ["", "png", "400", "300", "bw", "90", "Europe/Berlin", "de-DE", "none"]


@pytest.mark.usefixtures("no_systemd")
def test_interactive_init_asks_everything_once_and_ends_with_the_command_to_run(
    mosquitto: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = Terminal(
        ["Lobby 2", *broker_answers(mosquitto), "", "png", "400", "300", "bw", "90",
         "Mars/Olympus", "Europe/Berlin", "xx-XX-nope", "de-DE", "none"],
        secrets=[""],
    )  # fmt: skip
    args = init_args(tmp_path)
    assert setup_wizard.run_init(args, terminal.asker(), hostname="pi-lobby-2.local") == 0
    out = capsys.readouterr().out
    assert "use 1-64 of a-z" in out  # "Lobby 2" refused, asked again
    assert "unknown IANA timezone 'Mars/Olympus'" in out
    assert "not a BCP 47 locale" in out
    assert terminal.asked("CA file") == []  # no CA after "TLS? n"
    assert len(terminal.asked("Time zone")) == 2 and len(terminal.asked("Language")) == 2
    assert terminal.answers == [] and terminal.secrets == []
    config = load_config(tmp_path / "config.toml", environ={})
    assert (config.device.name, config.mqtt.username, config.mqtt.password) == (
        "pi-lobby-2",
        "pi-lobby-2",
        None,
    )
    assert (config.display.rotate, config.mqtt.tls, config.mqtt.ca_certs) == (90, False, None)
    assert (config.display.width, config.display.height) == (400, 300)
    assert (config.device.timezone, config.device.locale) == ("Europe/Berlin", "de-DE")
    assert config.keys.driver == "none"
    assert not (tmp_path / "password").exists()

    # The last line is the exact command that starts this sign; it runs as shown.
    lines = out.strip().splitlines()
    assert lines[-2] == "Start the sign now with:"
    command = lines[-1].strip()
    assert command.endswith(f"--config {tmp_path / 'config.toml'} run")
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(shlex.split(command), stdout=log, stderr=log)
    try:
        wait_until(lambda: "Connected to" in log_path.read_text(), 20, "the sign connected")
    finally:
        process.kill()
        process.wait()


@pytest.mark.usefixtures("no_systemd")
def test_a_ca_file_given_means_tls_without_asking(
    mosquitto_tls: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--ca-certs`` answers "TLS?" (a CA file is only read over TLS); with ``--no-tls``
    the contradiction is refused before anything is asked or written."""
    assert mosquitto_tls.tls_files is not None
    ca = str(mosquitto_tls.tls_files.ca_cert)
    terminal = Terminal(["", "127.0.0.1", str(mosquitto_tls.port), "", *PNG_ANSWERS], [""])
    args = init_args(tmp_path, "--ca-certs", ca)
    assert setup_wizard.run_init(args, terminal.asker(), hostname="lobby-3") == 0
    assert terminal.asked("TLS") == [] and terminal.asked("CA file") == []
    assert terminal.answers == [] and terminal.secrets == []
    config = load_config(tmp_path / "config.toml", environ={})
    assert (config.mqtt.tls, config.mqtt.ca_certs) == (True, mosquitto_tls.tls_files.ca_cert)

    refused = tmp_path / "refused"
    contradiction = init_args(refused, "--no-tls", "--ca-certs", ca)
    assert setup_wizard.run_init(contradiction, Terminal([""]).asker(), hostname="lobby-3") == 2
    assert "--ca-certs is for TLS" in capsys.readouterr().err
    assert not (refused / "config.toml").exists()


@pytest.mark.usefixtures("no_systemd")
def test_a_failed_test_keeps_every_answer_and_retypes_only_the_password(
    mosquitto_auth: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Mosquitto 2 answers rc 5 for the wrong password; Enter retypes the password only."""
    terminal = Terminal(
        [*broker_answers(mosquitto_auth, BROKER_USER), *PNG_ANSWERS, ""],
        secrets=["not-the-password", BROKER_PASSWORD],
    )
    args = init_args(tmp_path)
    assert setup_wizard.run_init(args, terminal.asker(), hostname="lobby-2") == 0
    out = capsys.readouterr().out
    assert "wrong username or password, or this user may not connect (rc 5)" in out
    assert "Every answer is kept. Retype one: password, username (the likely ones)" in out
    failed_at = terminal.prompts.index("Retype which answer [password]: ")
    assert terminal.prompts[failed_at + 1 :] == ["Broker password (empty: keep it): "]
    assert out.count("Testing 127.0.0.1") == 2
    assert "Connection successful (rc 0)" in out
    config = load_config(tmp_path / "config.toml", environ={})
    assert (config.mqtt.username, config.mqtt.password) == (BROKER_USER, BROKER_PASSWORD)
    assert (config.device.timezone, config.device.locale, config.display.rotate) == (
        "Europe/Berlin",
        "de-DE",
        90,
    )
    assert BROKER_PASSWORD not in out and "not-the-password" not in out


@pytest.mark.usefixtures("no_systemd")
@pytest.mark.parametrize(
    ("retype", "then", "written"),
    [
        ("port", ["{port}"], True),  # the port was wrong; typed again, the test passes
        ("write", [], True),  # keep going: written as it is
        ("quit", [], False),
    ],
)
def test_after_a_failed_test_retype_any_answer_write_anyway_or_quit(
    mosquitto: Broker,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    retype: str,
    then: list[str],
    written: bool,
) -> None:
    closed = free_port()
    answers = ["", "127.0.0.1", "n", str(closed), "", *PNG_ANSWERS]
    retyped = [answer.format(port=mosquitto.port) for answer in then]
    terminal = Terminal([*answers, retype, *retyped], secrets=[""])
    code = setup_wizard.run_init(init_args(tmp_path), terminal.asker(), hostname="lobby-2")
    assert terminal.asked("Retype which answer [host]")  # nothing listens: host first
    out = capsys.readouterr().out
    offered = out.split("Retype one: ", 1)[1].split(";", 1)[0]
    assert offered.startswith("host, port, tls (the likely ones), or name, username, ")
    assert "ca_certs" not in offered and "model" not in offered  # not asked: no TLS, png
    assert code == (0 if written else 1)
    assert (tmp_path / "config.toml").exists() is written
    # Adoption is the next step only when the broker took the settings.
    assert ("until Home Assistant adopts 'lobby-2'" in out) is (retype == "port")
    assert ("The broker did not take these settings" in out) is (retype == "write")
    if retype == "port":
        assert load_config(tmp_path / "config.toml", environ={}).mqtt.port == mosquitto.port
        assert terminal.asked("Broker port") == [
            "Broker port [1883]: ",
            f"Broker port [{closed}]: ",
        ]


def test_the_panel_model_is_one_of_the_drivers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed models are checked against the registry ('?' lists them), a bad flag is
    refused; the 2.7-inch HAT's model suggests its keys, and a key map is checked."""
    monkeypatch.setitem(sys.modules, "epaper", None)  # waveshare-epaper not installed
    terminal = Terminal(
        ["", "127.0.0.1", "n", "", "", "", "waveshare", "?", "epd2in7_v2", "epd2in7_V2",
         "bw", "0", "-", "", "", "5=book_now, 13=end_now", "5=book_now 30, 13=end_now"],
        secrets=[""],
    )  # fmt: skip
    args = init_args(tmp_path, "--skip-test")
    assert setup_wizard.run_init(args, terminal.asker(), hostname="lobby-2") == 0
    out = capsys.readouterr().out
    assert "models: epd13in3b epd13in3k" in out
    assert "'epd2in7_v2' is not a waveshare model: did you mean epd2in7_V2" in out
    assert terminal.asked("Keys at the door") == [
        "Keys at the door: none, gpio (push buttons), http (a stand-in) [gpio]: "
    ]
    assert "book_now needs minutes" in out  # the key map asked again
    config = load_config(tmp_path / "config.toml", environ={})
    assert (config.display.driver, config.display.model, config.device.timezone) == (
        "waveshare",
        "epd2in7_V2",
        None,
    )
    assert config.keys.driver == "gpio"
    assert [(b.pin, b.action, b.minutes) for b in config.keys.bindings] == [
        (5, "book_now", 30),
        (13, "end_now", None),
    ]

    result = init(
        "--config", str(tmp_path / "other.toml"), "init", "--yes", "--no-enable", "--skip-test",
        "--host", "b", "--driver", "waveshare", "--model", "epd7in5_V9",
    )  # fmt: skip
    assert result.returncode == 2
    assert "--model: 'epd7in5_V9' is not a waveshare model" in result.stderr
    assert not (tmp_path / "other.toml").exists()


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
