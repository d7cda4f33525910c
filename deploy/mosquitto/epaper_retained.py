"""Clear the retained topics a removed display leaves on the broker.

Used by ``epaper-mosquitto-users --remove NAME``: a display's retained ``/data`` (its room's
schedule), ``/status`` and ``/snapshot`` (docs/protocol.md, "Topics") stay on the broker
after its user is gone, and a sign that later takes the name would draw the old room. They
are cleared (an empty retained message each) as the hub's user, through ``mosquitto_pub``
(Debian package ``mosquitto-clients``); when that cannot be done here, the exact commands
are printed instead. Standard library only, like the tool.
"""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
from pathlib import Path

RETAINED = ("data", "status", "snapshot")  # the door topics the contract keeps retained
TIMEOUT = 15  # seconds for one mosquitto_pub run (connect, publish, disconnect)
PASSWORD_PLACEHOLDER = "PASSWORD"  # noqa: S105 (printed in place of a password)


def retained_topics(prefix: str, device: str) -> list[str]:
    """Return the retained topics of ``device`` under ``prefix`` (``/data`` first)."""
    return [f"{prefix}{device}/{leaf}" for leaf in RETAINED]


def split_broker(broker: str) -> tuple[str, str]:
    """Split ``HOST:PORT`` (``[v6]:PORT`` too); a missing port means 8884 (the services'
    listener of mosquitto.conf.example). Raises ValueError for a port that is no number."""
    host, sep, port = broker.rpartition(":")
    if not sep or "]" in port:
        host, port = broker, "8884"
    if not port.isdigit():
        raise ValueError(f"bad broker {broker!r}: use HOST:PORT")
    return host.strip("[]"), port


def clear_commands(
    broker: str, cafile: Path | None, user: str, password: str, topics: list[str]
) -> list[list[str]]:
    """Return one ``mosquitto_pub`` command per topic: an empty retained QoS 1 message."""
    host, port = split_broker(broker)
    base = ["mosquitto_pub", "-h", host, "-p", port]
    if cafile is not None:
        base += ["--cafile", str(cafile)]
    base += ["-u", user, "-P", password, "-q", "1", "-r", "-n"]
    return [[*base, "-t", topic] for topic in topics]


def unreachable(broker: str) -> str | None:
    """Return why nothing answers TCP at ``broker`` (HOST:PORT), None when something does."""
    host, port = split_broker(broker)
    try:
        socket.create_connection((host, int(port)), timeout=TIMEOUT).close()
    except OSError as err:
        return f"cannot reach {broker}: {err.strerror or err}"
    return None


def run_clear(commands: list[list[str]]) -> str | None:
    """Run the commands; return None when every one succeeded, else why the first failed."""
    if shutil.which("mosquitto_pub") is None:
        return "mosquitto_pub not found (Debian package 'mosquitto-clients')"
    for command in commands:
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            return f"the broker did not answer within {TIMEOUT} s"
        if result.returncode != 0:  # mosquitto_pub says why on stdout, stderr or both
            said = [line.strip() for line in (result.stdout + result.stderr).splitlines()]
            return "mosquitto_pub: " + (
                "; ".join(filter(None, said)) or f"exit {result.returncode}"
            )
    return None


def clear_removed(
    devices: list[str],
    *,
    prefix: str,
    broker: str | None,
    cafile: Path | None,
    user: str,
    password: str | None,
) -> list[str]:
    """Clear the retained topics of ``devices``; return the lines to print.

    Clears on ``broker`` when it, ``user`` and ``password`` are known; otherwise (or when
    that fails) the lines name what is missing and give the exact commands, with
    ``PASSWORD`` standing for a password this run does not know.
    """
    topics = [topic for device in devices for topic in retained_topics(prefix, device)]
    if not topics:
        return []
    reason = None
    if broker is None:
        reason = "no --broker given"
    elif not user:
        reason = "no --hub-user (the user that may clear them)"
    elif password is None:
        reason = (
            f"the password of {user} is neither in credentials.toml nor in $EPAPER_MQTT_PASSWORD"
        )
    else:
        commands = clear_commands(broker, cafile, user, password, topics)
        reason = unreachable(broker) or run_clear(commands)
        if reason is None:
            return [
                f"cleared the retained {', '.join(RETAINED)} of {', '.join(devices)} on {broker}"
            ]
    shown = clear_commands(
        broker or "localhost:8884", cafile, user or "homeassistant", PASSWORD_PLACEHOLDER, topics
    )
    return [
        f"the retained topics of {', '.join(devices)} were NOT cleared ({reason}); a sign that "
        "later takes the name would draw the old room. Clear them with:",
        *(shlex.join(command) for command in shown),
    ]
