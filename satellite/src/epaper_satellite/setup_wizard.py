"""``epaper-satellite init``: ask for (or take as flags) what a door sign needs; test; write.

The questions are in :mod:`.setup_questions`. After a failed test connection
(:mod:`.broker_probe`) every answer is kept: the person retypes only the answers the
failure points at (the password, for a refused login), or writes the configuration
anyway, or quits. Writes the TOML configuration (mode 0640) and the broker password in
a separate ``password_file`` (mode 0600, owned by the service user when run as root),
then enables the systemd service when run as root on a systemd machine; else it ends
with the exact command that starts the sign.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .broker_probe import ProbeResult, probe_broker
from .config import COLORS, DEFAULT_CONFIG_PATH, ROTATIONS, ConfigError, parse_config
from .drivers.registry import DEFAULT_MODEL, DRIVER_NAMES
from .files import ensure_private_dir, write_atomically
from .keys import KEY_DRIVERS
from .setup_questions import (
    FIELDS,
    Asker,
    Questions,
    device_name_problem,
    suggest_device_name,
    suspects,
)

__all__ = [
    "Asker",
    "SetupAnswers",
    "device_name_problem",
    "run_init",
    "suggest_device_name",
    "write_config",
]

SERVICE = "epaper-satellite"
SERVICE_USER = "epaper"
SYSTEMD_RUN_DIR = Path("/run/systemd/system")
UNIT_FILES = tuple(
    Path(folder) / f"{SERVICE}.service"
    for folder in ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
)
WRITE_ANYWAY, QUIT = "write", "quit"


@dataclass(frozen=True, kw_only=True)
class SetupAnswers:
    """Everything ``init`` writes: broker, credentials, TLS, device, panel, keys."""

    name: str
    host: str
    port: int = 8883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = True
    ca_certs: Path | None = None
    topic_prefix: str = "odoo_epaper/"
    driver: str = "waveshare"
    model: str = DEFAULT_MODEL
    width: int = 800
    height: int = 480
    colors: str = "bw"
    rotate: int = 0
    timezone: str | None = None
    locale: str | None = None
    keys: str = "none"
    key_map: dict[int, str] | None = None
    state_dir: Path | None = None

    @classmethod
    def from_values(cls, values: dict[str, Any], state_dir: Path | None) -> SetupAnswers:
        """Build the answers from :class:`.setup_questions.Questions`' values."""
        known = {name: values[name] for name in FIELDS if name in values}
        return cls(**known, state_dir=state_dir)


def _toml(value: Any) -> str:
    # JSON strings, integers and booleans are valid TOML values.
    return json.dumps(str(value) if isinstance(value, Path) else value, ensure_ascii=False)


def config_toml(answers: SetupAnswers, password_file: Path | None) -> str:
    """Return the TOML text of the configuration (the password itself never appears)."""
    mqtt: dict[str, Any] = {
        "host": answers.host,
        "port": answers.port,
        "tls": answers.tls,
        "ca_certs": answers.ca_certs if answers.tls else None,
        "username": answers.username,
        "password_file": password_file,
        "topic_prefix": answers.topic_prefix,
    }
    device: dict[str, Any] = {
        "name": answers.name,
        "timezone": answers.timezone,
        "locale": answers.locale,
        "state_dir": answers.state_dir,
    }
    display: dict[str, Any] = {
        "driver": answers.driver,
        "rotate": answers.rotate,
        "colors": answers.colors,
    }
    if answers.driver == "png":
        display |= {"width": answers.width, "height": answers.height}
    else:
        display["model"] = answers.model
    tables: list[tuple[str, dict[str, Any]]] = [
        ("mqtt", mqtt),
        ("device", device),
        ("display", display),
    ]
    if answers.keys != "none":
        tables.append(("keys", {"driver": answers.keys}))
        tables.append(("keys.map", {str(pin): a for pin, a in (answers.key_map or {}).items()}))
    lines = ["# Written by epaper-satellite init; see satellite/README.md for every key."]
    for title, table in tables:
        lines.append(f"\n[{title}]")
        lines += [f"{key} = {_toml(value)}" for key, value in table.items() if value is not None]
    return "\n".join(lines) + "\n"


def _service_account(user: str) -> tuple[int, int] | None:
    """Return (uid, gid) of the service user when we are root and it exists."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def write_config(
    path: Path, answers: SetupAnswers, service_user: str = SERVICE_USER
) -> tuple[Path, Path | None]:
    """Write the configuration (0640) and its password file (0600); return both paths.

    As root, the configuration belongs to root with the service user's group and the
    password file to the service user, so the daemon reads them and nobody else does.
    Raises ConfigError when the result would not load, OSError when it cannot be written.
    """
    password_file = path.with_name("password") if answers.password else None
    text = config_toml(answers, password_file)
    account = _service_account(service_user)
    config_owner = (0, account[1]) if account else None
    # Root with the service user: root's folder the service's group may read (0750);
    # else the caller's own folder (0700). An existing folder must be safe already.
    ensure_private_dir(path.parent, 0o750 if account else 0o700, config_owner)
    if password_file is not None and answers.password is not None:
        secret = (answers.password + "\n").encode("utf-8")
        write_atomically(password_file, secret, 0o600, owner=account)
    parse_config(tomllib.loads(text), str(path), environ={}, base_dir=path.parent)  # validate
    write_atomically(path, text.encode("utf-8"), 0o640, owner=config_owner)
    return path, password_file


def program(*, absolute: bool = False) -> str:
    """How to call this program from a shell: ``epaper-satellite`` when it is on PATH
    (unless ``absolute``: for ``sudo``, whose PATH has no venv), else the console script
    that runs now, else this Python with ``-m epaper_satellite``."""
    found = shutil.which(SERVICE)
    if found and not absolute:
        return SERVICE
    running = Path(sys.argv[0])
    if running.name == SERVICE and running.is_file():
        return shlex.quote(str(running.absolute()))
    if found:
        return shlex.quote(str(Path(found).absolute()))
    return f"{shlex.quote(sys.executable)} -m epaper_satellite"


def init_command(config_path: Path) -> str:
    """The ``init`` command line that writes ``config_path`` (with sudo for the default
    path, under /etc)."""
    if config_path == DEFAULT_CONFIG_PATH:
        return f"sudo {program(absolute=True)} init"
    return f"{program()} --config {shlex.quote(str(config_path))} init"


def _sudo() -> str:
    return "" if os.geteuid() == 0 else "sudo "


def start_command(config_path: Path) -> str:
    """The exact command that starts the sign with ``config_path``.

    The systemd service when this machine runs systemd, has the unit installed and the
    configuration is where the unit reads it; else the daemon in the foreground.
    """
    if (
        config_path == DEFAULT_CONFIG_PATH
        and SYSTEMD_RUN_DIR.is_dir()
        and any(unit.is_file() for unit in UNIT_FILES)
    ):
        sudo = _sudo()
        return f"{sudo}systemctl enable {SERVICE} && {sudo}systemctl restart {SERVICE}"
    return f"{program()} --config {shlex.quote(str(config_path.resolve()))} run"


def service_commands(config_path: Path) -> list[list[str]]:
    """The commands that install and (re)start the service for ``config_path``."""
    commands = [["systemctl", "enable", SERVICE], ["systemctl", "restart", SERVICE]]
    if config_path != DEFAULT_CONFIG_PATH:
        commands.insert(0, ["systemctl", "edit", SERVICE])  # ExecStart= with --config
    return commands


def enable_service(
    config_path: Path, run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
) -> tuple[bool, str]:
    """Enable and restart the service as root on systemd; else say which commands to run.

    Returns (done, message). Never raises for a failing ``systemctl``.
    """
    commands = service_commands(config_path)
    shown = "\n".join("  sudo " + " ".join(command) for command in commands)
    if os.geteuid() != 0 or not SYSTEMD_RUN_DIR.is_dir() or shutil.which("systemctl") is None:
        return False, f"To start the sign at boot, run:\n{shown}"
    if config_path != DEFAULT_CONFIG_PATH:
        return False, f"The unit reads {DEFAULT_CONFIG_PATH}; point it at {config_path}:\n{shown}"
    for command in commands:
        result = run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            why = (result.stderr or result.stdout).strip()
            return False, (
                f"'{' '.join(command)}' failed: {why}\nInstall satellite/systemd/"
                f"{SERVICE}.service into /etc/systemd/system/, then run:\n{shown}"
            )
    return True, f"Service {SERVICE} enabled and (re)started: journalctl -u {SERVICE} -f"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``init`` flags; each one answers its question without asking."""
    parser.add_argument("--name", help="device name (default: from the host name)")
    parser.add_argument("--host", help="broker host name or address")
    parser.add_argument("--port", type=int, help="broker port (default 8883, 1883 without TLS)")
    parser.add_argument("--username", help="broker user (default: the device name; '-': none)")
    parser.add_argument("--password", help="broker password (prefer --password-file or asking)")
    parser.add_argument("--password-file", type=Path, help="read the broker password from here")
    parser.add_argument(
        "--tls",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="connect over TLS (default: asked; --ca-certs implies it)",
    )
    parser.add_argument("--ca-certs", type=Path, help="CA file of the broker's certificate")
    parser.add_argument("--topic-prefix", help="topic prefix (default odoo_epaper/)")
    parser.add_argument("--driver", choices=DRIVER_NAMES, help="panel driver (default waveshare)")
    parser.add_argument("--model", help="Waveshare model, e.g. epd7in5_V2 (checked)")
    parser.add_argument("--width", type=int, help="png driver: width in pixels")
    parser.add_argument("--height", type=int, help="png driver: height in pixels")
    parser.add_argument("--colors", choices=COLORS, help="panel colours (default bw)")
    parser.add_argument("--rotate", type=int, choices=ROTATIONS, help="rotation in degrees")
    parser.add_argument("--timezone", help="IANA zone of the room (default: the machine's)")
    parser.add_argument("--locale", help="BCP 47 language of the sign, e.g. de-DE")
    parser.add_argument("--keys", choices=KEY_DRIVERS, help="keys at the door (default none)")
    parser.add_argument("--key-map", help="pin=action list, e.g. '5=book_now 15, 13=end_now'")
    parser.add_argument("--state-dir", type=Path, help="state folder (default: the service's)")
    parser.add_argument("--yes", action="store_true", help="ask nothing; defaults for the rest")
    parser.add_argument("--force", action="store_true", help="replace an existing config")
    parser.add_argument("--skip-test", action="store_true", help="write without a test connection")
    parser.add_argument("--no-enable", action="store_true", help="do not touch the service")


def describe_probe(result: ProbeResult, *, with_fix: bool = True) -> str:
    """The outcome of a test connection in words, with the fix when there is one."""
    code = f" ({result.code})" if result.code else ""
    lines = [f"{result.meaning}{code}"]
    if result.publish_allowed:
        lines.append("the broker accepts this user on the device's own topics")
    if result.fix and with_fix:
        lines.append(f"fix: {result.fix}")
    return "\n  ".join(lines)


def _answers(questions: Questions, args: argparse.Namespace) -> tuple[SetupAnswers, Any]:
    """The answers, and the configuration they make, validated as the daemon reads it."""
    state_dir = args.state_dir.resolve() if args.state_dir else None
    answers = SetupAnswers.from_values(questions.values, state_dir)
    config = parse_config(
        tomllib.loads(config_toml(answers, None)), "init", environ={}, base_dir=Path.cwd()
    )
    return answers, config


def _what_next(questions: Questions, result: ProbeResult) -> str:
    """Ask which answer to retype after a failed test (or write anyway, or quit)."""
    asked = [name for name in FIELDS if questions.applies(name)]
    likely = [name for name in suspects(result.kind) if name in asked] or asked[:1]
    others = [name for name in asked if name not in likely]
    print(
        f"  Every answer is kept. Retype one: {', '.join(likely)} (the likely ones), or "
        f"{', '.join(others)}; '{WRITE_ANYWAY}' writes the configuration as it is; "
        f"'{QUIT}' ends without writing."
    )
    choices = (*asked, WRITE_ANYWAY, QUIT)
    answer = questions.asker.text(
        "Retype which answer",
        None,
        likely[0],
        lambda value: None if value in choices else f"one of {', '.join(choices)}",
    )
    return answer or QUIT


def _test_until_accepted(
    questions: Questions, args: argparse.Namespace, asker: Asker
) -> tuple[SetupAnswers, bool, bool]:
    """Test the broker with the answers; after a failure retype what the person picks.

    Returns the answers, whether to write them and whether the broker took them (True
    when not tested). Raises ConfigError for bad answers.
    """
    while True:
        answers, config = _answers(questions, args)
        if args.skip_test:
            return answers, True, True
        print(f"Testing {answers.host}:{answers.port} as {answers.username or '(anonymous)'}...")
        settings = replace(config.mqtt, password=answers.password)
        result = probe_broker(settings, answers.name, answers.topic_prefix)
        print(f"  {describe_probe(result)}")
        if result.ok:
            return answers, True, True
        if not asker.interactive:
            return answers, False, False
        choice = _what_next(questions, result)
        if choice in (WRITE_ANYWAY, QUIT):
            return answers, choice == WRITE_ANYWAY, False
        questions.retype(choice)


def run_init(
    args: argparse.Namespace,
    asker: Asker | None = None,
    hostname: str | None = None,
    enable: Callable[[Path], tuple[bool, str]] = enable_service,
) -> int:
    """Run ``init``: 0 written, 1 the test failed and nothing was written, 2 bad input."""
    config_path: Path = args.config
    asker = asker or Asker(interactive=sys.stdin.isatty() and not args.yes)
    if (
        config_path.exists()
        and not args.force
        and not asker.yes(f"{config_path} exists. Replace it?", False)
    ):
        print(f"{config_path} exists; --force replaces it", file=sys.stderr)
        return 2
    questions = Questions(args, asker, hostname or socket.gethostname())
    try:
        questions.gather()
        answers, write, accepted = _test_until_accepted(questions, args, asker)
    except (ConfigError, OSError) as err:
        print(f"epaper-satellite init: {err}", file=sys.stderr)
        return 2
    if not write:
        print("Nothing written.", file=sys.stderr)
        return 1
    try:
        written, password_file = write_config(config_path, answers)
    except (ConfigError, OSError) as err:
        print(f"epaper-satellite init: cannot write {config_path}: {err}", file=sys.stderr)
        return 2
    extra = f" and {password_file} (0600)" if password_file else ""
    print(f"Wrote {written} (0640){extra}.")
    check = f"{program()} --config {shlex.quote(str(written))} check"
    print(f"Check everything with: {check}")
    started = False
    if not args.no_enable:
        started, message = enable(written)
        print(message)
    if accepted:
        print(
            f"The sign shows a setup screen until Home Assistant adopts {answers.name!r} "
            "(Settings > Devices & services > Discovered) or Odoo has a display of that name."
        )
    else:
        print(
            "The broker did not take these settings: Home Assistant cannot see the sign "
            f"until it does. Its setup screen says what is wrong; fix it, then: {check}"
        )
    if not started:
        print(f"Start the sign now with:\n  {start_command(written)}")
    return 0
