"""``epaper-satellite init``: ask for (or take as flags) what a door sign needs; test; write.

Writes the TOML configuration (mode 0640) and the broker password in a separate
``password_file`` (mode 0600, owned by the service user when run as root), after a test
connection with the same settings (:mod:`.broker_probe`), then enables the systemd
service when run as root on a systemd machine, or prints the commands.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import pwd
import re
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
from .config import (
    COLORS,
    DEFAULT_CONFIG_PATH,
    DEVICE_NAME,
    DRIVERS,
    ROTATIONS,
    ConfigError,
    parse_config,
    valid_topic_prefix,
)
from .files import MAX_SECRET_BYTES, ensure_private_dir, read_bounded, write_atomically

SERVICE = "epaper-satellite"
SERVICE_USER = "epaper"
SYSTEMD_RUN_DIR = Path("/run/systemd/system")
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")


def suggest_device_name(hostname: str) -> str:
    """Return a device name (``[a-z0-9][a-z0-9_-]{0,63}``) made from a host name.

    The first label of the host name, lower case, other characters as ``-``;
    ``door-sign`` when nothing usable is left.
    """
    label = hostname.split(".", 1)[0].lower()
    name = _NOT_NAME.sub("-", label).strip("-_")[:64].rstrip("-_")
    return name if DEVICE_NAME.fullmatch(name) else "door-sign"


def device_name_problem(name: str) -> str | None:
    """Say why ``name`` is not a device name of the wire contract, or None when it is."""
    if name.startswith("_"):
        return "names starting with '_' are reserved for the hub and Odoo"
    if not DEVICE_NAME.fullmatch(name):
        return "use 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit"
    return None


@dataclass(frozen=True, kw_only=True)
class SetupAnswers:
    """Everything ``init`` writes: broker, credentials, TLS, device, panel."""

    name: str
    host: str
    port: int = 8883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = True
    ca_certs: Path | None = None
    topic_prefix: str = "odoo_epaper/"
    driver: str = "waveshare"
    model: str = "epd7in5_V2"
    width: int = 800
    height: int = 480
    colors: str = "bw"
    rotate: int = 0
    timezone: str | None = None
    state_dir: Path | None = None


def _toml(value: Any) -> str:
    # JSON strings, integers and booleans are valid TOML values.
    return json.dumps(str(value) if isinstance(value, Path) else value, ensure_ascii=False)


def config_toml(answers: SetupAnswers, password_file: Path | None) -> str:
    """Return the TOML text of the configuration (the password itself never appears)."""
    mqtt: dict[str, Any] = {
        "host": answers.host,
        "port": answers.port,
        "tls": answers.tls,
        "ca_certs": answers.ca_certs,
        "username": answers.username,
        "password_file": password_file,
        "topic_prefix": answers.topic_prefix,
    }
    device: dict[str, Any] = {
        "name": answers.name,
        "timezone": answers.timezone,
        "state_dir": answers.state_dir,
    }
    display: dict[str, Any] = {
        "driver": answers.driver,
        "rotate": answers.rotate,
        "colors": answers.colors,
    }
    if answers.driver == "waveshare":
        display["model"] = answers.model
    else:
        display |= {"width": answers.width, "height": answers.height}
    lines = ["# Written by epaper-satellite init; see satellite/README.md for every key."]
    for title, table in (("mqtt", mqtt), ("device", device), ("display", display)):
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
    parser.add_argument("--username", help="broker user (default: the device name)")
    parser.add_argument("--password", help="broker password (prefer --password-file or asking)")
    parser.add_argument("--password-file", type=Path, help="read the broker password from here")
    parser.add_argument("--tls", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--ca-certs", type=Path, help="CA file of the broker's certificate")
    parser.add_argument("--topic-prefix", help="topic prefix (default odoo_epaper/)")
    parser.add_argument("--driver", choices=DRIVERS, help="panel driver (default waveshare)")
    parser.add_argument("--model", help="Waveshare model, e.g. epd7in5_V2")
    parser.add_argument("--width", type=int, help="png driver: width in pixels")
    parser.add_argument("--height", type=int, help="png driver: height in pixels")
    parser.add_argument("--colors", choices=COLORS, help="panel colours (default bw)")
    parser.add_argument("--rotate", type=int, choices=ROTATIONS, help="rotation in degrees")
    parser.add_argument("--timezone", help="IANA zone of the room (default: the machine's)")
    parser.add_argument("--state-dir", type=Path, help="state folder (default: the service's)")
    parser.add_argument("--yes", action="store_true", help="ask nothing; defaults for the rest")
    parser.add_argument("--force", action="store_true", help="replace an existing config")
    parser.add_argument("--skip-test", action="store_true", help="write without a test connection")
    parser.add_argument("--no-enable", action="store_true", help="do not touch the service")


class Asker:
    """Asks a question on the terminal, or takes the flag's answer or the default."""

    def __init__(
        self,
        interactive: bool,
        ask: Callable[[str], str] = input,
        ask_secret: Callable[[str], str] = getpass.getpass,
    ) -> None:
        self.interactive = interactive
        self._ask = ask
        self._ask_secret = ask_secret

    def text(
        self,
        question: str,
        given: Any,
        default: Any = None,
        check: Callable[[str], str | None] = lambda _v: None,
        secret: bool = False,
    ) -> str | None:
        """Return the flag's value, else the answer (empty: ``default``), re-asking on errors."""
        if given is not None:
            return str(given)
        if not self.interactive:
            return None if default is None else str(default)
        while True:
            hint = f" [{default}]" if default not in (None, "") and not secret else ""
            answer = (self._ask_secret if secret else self._ask)(f"{question}{hint}: ").strip()
            value = answer or (None if default is None else str(default))
            problem = check(value) if value is not None else None
            if problem is None:
                return value
            print(f"  {problem}")

    def yes(self, question: str, default: bool) -> bool:
        """Return a yes/no answer (the default when not interactive)."""
        if not self.interactive:
            return default
        answer = self._ask(f"{question} [{'Y/n' if default else 'y/N'}]: ").strip().lower()
        return default if not answer else answer.startswith("y")


def _choice(options: tuple[Any, ...]) -> Callable[[str], str | None]:
    return lambda value: None if value in {str(o) for o in options} else f"one of {options}"


def gather(args: argparse.Namespace, asker: Asker, hostname: str) -> SetupAnswers:
    """Turn flags and answers into :class:`SetupAnswers`; raise ConfigError for bad values."""
    name = asker.text("Device name", args.name, suggest_device_name(hostname), device_name_problem)
    if not name or device_name_problem(name):
        raise ConfigError(f"device name {name!r}: {device_name_problem(name or '')}")
    host = asker.text("Broker host", args.host)
    if not host:
        raise ConfigError("the broker host is required (--host)")
    tls = args.tls if args.tls is not None else asker.yes("TLS (port 8883)?", True)
    port = int(asker.text("Broker port", args.port, 8883 if tls else 1883) or 0)
    ca = asker.text("CA file of the broker's certificate (empty: system CAs)", args.ca_certs, "")
    username = asker.text("Broker user", args.username, name)
    password = args.password
    if password is None and args.password_file is not None:
        password = read_bounded(args.password_file, MAX_SECRET_BYTES).decode("utf-8").strip()
    if password is None:
        password = asker.text("Broker password (empty: none)", None, "", secret=True)
    prefix = asker.text("Topic prefix", args.topic_prefix, "odoo_epaper/")
    driver = asker.text("Panel driver", args.driver, "waveshare", _choice(DRIVERS))
    model = asker.text("Waveshare model", args.model, "epd7in5_V2") if driver == "waveshare" else ""
    colors = asker.text("Panel colours", args.colors, "bw", _choice(COLORS))
    rotate = asker.text("Rotation (0, 90, 180, 270)", args.rotate, 0, _choice(ROTATIONS))
    if not prefix or not valid_topic_prefix(prefix):
        raise ConfigError(f"topic prefix {prefix!r}: must end with '/' and hold no '+' or '#'")
    if not 1 <= port <= 65535:
        raise ConfigError(f"port {port}: must be from 1 to 65535")
    return SetupAnswers(
        name=name,
        host=host,
        port=port,
        username=username or None,
        password=password or None,
        tls=tls,
        ca_certs=Path(ca).resolve() if ca else None,
        topic_prefix=prefix,
        driver=driver or "waveshare",
        model=model or "epd7in5_V2",
        width=args.width or 800,
        height=args.height or 480,
        colors=colors or "bw",
        rotate=int(rotate or 0),
        timezone=args.timezone,
        state_dir=args.state_dir.resolve() if args.state_dir else None,
    )


def describe_probe(result: ProbeResult, *, with_fix: bool = True) -> str:
    """The outcome of a test connection in words, with the fix when there is one."""
    code = f" (rc {result.rc})" if result.rc is not None else ""
    lines = [f"{result.meaning}{code}"]
    if result.publish_allowed:
        lines.append("the broker accepts this user on the device's own topics")
    if result.fix and with_fix:
        lines.append(f"fix: {result.fix}")
    return "\n  ".join(lines)


def run_init(
    args: argparse.Namespace,
    asker: Asker | None = None,
    hostname: str | None = None,
    enable: Callable[[Path], tuple[bool, str]] = enable_service,
) -> int:
    """Run ``init``: 0 written, 1 the test connection failed (nothing written), 2 bad input."""
    config_path: Path = args.config
    asker = asker or Asker(interactive=sys.stdin.isatty() and not args.yes)
    if (
        config_path.exists()
        and not args.force
        and not asker.yes(f"{config_path} exists. Replace it?", False)
    ):
        print(f"{config_path} exists; --force replaces it", file=sys.stderr)
        return 2
    try:
        answers = gather(args, asker, hostname or socket.gethostname())
        # Validated as the daemon will read it, before the test and before writing.
        probe_config = parse_config(
            tomllib.loads(config_toml(answers, None)), "init", environ={}, base_dir=Path.cwd()
        )
    except (ConfigError, OSError) as err:
        print(f"epaper-satellite init: {err}", file=sys.stderr)
        return 2
    if not args.skip_test:
        mqtt_settings = replace(probe_config.mqtt, password=answers.password)
        print(f"Testing {answers.host}:{answers.port} as {answers.username or '(anonymous)'}...")
        result = probe_broker(mqtt_settings, answers.name, answers.topic_prefix)
        print(f"  {describe_probe(result)}")
        if not result.ok and not asker.yes("Write the configuration anyway?", False):
            print("Nothing written.", file=sys.stderr)
            return 1
    try:
        written, password_file = write_config(config_path, answers)
    except (ConfigError, OSError) as err:
        print(f"epaper-satellite init: cannot write {config_path}: {err}", file=sys.stderr)
        return 2
    extra = f" and {password_file} (0600)" if password_file else ""
    print(f"Wrote {written} (0640){extra}.")
    print(f"Check everything with: epaper-satellite --config {written} check")
    if not args.no_enable:
        _done, message = enable(written)
        print(message)
    print(
        f"Next: the sign shows a setup screen until Home Assistant adopts {answers.name!r} "
        "(Settings > Devices & services > Discovered) or Odoo has a display of that name."
    )
    return 0
