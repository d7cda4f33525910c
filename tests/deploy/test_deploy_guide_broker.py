"""docs/deploy.md's broker step, run as written, gives a broker every client accepts.

The guide's own commands make the CA and the server certificate (``broker.example.com``
read as ``localhost``, ``~`` as a temporary home), write the users and the ACL, and the
deployed ``mosquitto.conf.example`` runs a real Mosquitto with them (its ``/etc`` paths
and ports moved to the test's). Then the guide's check command, the satellite's login
test and the Odoo addon's must all get in, and the certificates pass Python's strict
X.509 checks.
"""

from __future__ import annotations

import contextlib
import getpass
import importlib
import re
import socket
import ssl
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from epaper_satellite.broker_probe import probe_broker
from epaper_satellite.config import MqttConfig

from testbed.addon_code import load_plain_package
from testbed.broker import free_port, mosquitto_binary

from .markdown_text import ROOT, argv, shell_blocks, shell_lines

GUIDE = ROOT / "docs" / "deploy.md"
CONF = ROOT / "deploy" / "mosquitto" / "mosquitto.conf.example"
HOST = "localhost"


def guide_block(containing: str, home: Path) -> list[str]:
    """The commands of the guide's shell block holding ``containing``, for this machine."""
    [block] = [block for block in shell_blocks(GUIDE) if containing in block]
    block = block.replace("broker.example.com", HOST).replace("~/", f"{home}/")
    return shell_lines(block)


@pytest.fixture(name="deployed")
def fixture_deployed(tmp_path: Path) -> Iterator[dict[str, object]]:
    """The broker of the guide's step 1, running; yields its ports, CA and passwords."""
    home = tmp_path / "home"
    home.mkdir()
    etc = tmp_path / "etc-mosquitto"
    certs = [line for line in guide_block("openssl req -x509", home) if "sudo" not in line]
    subprocess.run(
        ["bash", "-e", "-c", "\n".join(certs)],
        cwd=home,
        check=True,
        capture_output=True,
        timeout=120,
    )
    ca_dir = home / "epaper-ca"
    [users] = [
        argv(line)
        for line in guide_block("epaper-mosquitto-users", home)
        if "epaper-mosquitto-users" in line
    ]
    users = [word.replace("/etc/mosquitto/epaper", str(etc / "epaper")) for word in users]
    command = [sys.executable, str(ROOT / users[0]), *users[1:]]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    ports: dict[str, int] = {}

    def listener(match: re.Match[str]) -> str:
        ports[match.group(1)] = free_port()
        return f"listener {ports[match.group(1)]} 127.0.0.1"

    text = CONF.read_text(encoding="utf-8")
    text = text.replace("/etc/mosquitto/epaper/", f"{etc}/epaper/")
    text = text.replace("/etc/mosquitto/certs/", f"{ca_dir}/")
    text = re.sub(r"^listener (\d+)$", listener, text, flags=re.MULTILINE)
    config = tmp_path / "mosquitto.conf"
    log = tmp_path / "mosquitto.log"
    # As root Mosquitto would switch to the user "mosquitto", who cannot read the test's
    # files; it stays the user who runs the tests.
    head = f"user {getpass.getuser()}\npersistence false\nlog_dest file {log}\n"
    config.write_text(head + text, encoding="utf-8")
    process = subprocess.Popen([mosquitto_binary(), "-c", str(config)], stderr=subprocess.PIPE)
    try:
        for port in ports.values():
            deadline = time.monotonic() + 10
            while True:
                assert process.poll() is None, f"mosquitto exited: {process.communicate()}"
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                assert time.monotonic() < deadline, f"nothing listens on {port}"
                time.sleep(0.05)
        credentials = tomllib.loads((etc / "epaper" / "credentials.toml").read_text())
        yield {"home": home, "ports": ports, "ca": ca_dir / "ca.crt", **credentials}
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr:
            process.stderr.close()


def guide_check(deployed: dict[str, object], password: str) -> subprocess.CompletedProcess[str]:
    """Run the guide's ``mosquitto_pub`` check with ``password`` against the test's broker."""
    home, ports = deployed["home"], deployed["ports"]
    assert isinstance(home, Path) and isinstance(ports, dict)
    [line] = [line for line in guide_block("mosquitto_pub", home) if "mosquitto_pub" in line]
    words = argv(line)
    words[words.index("-p") + 1] = str(ports[words[words.index("-p") + 1]])
    words[words.index("-P") + 1] = password
    return subprocess.run(words, capture_output=True, text=True, timeout=30, check=False)


def test_the_guides_check_passes_and_says_a_wrong_password(deployed: dict[str, object]) -> None:
    users = deployed["users"]
    assert isinstance(users, dict)
    good = guide_check(deployed, users["homeassistant"])
    assert (good.returncode, good.stdout, good.stderr) == (0, "", "")
    wrong = guide_check(deployed, users["homeassistant"] + "x")
    assert wrong.returncode != 0
    assert "not authorised" in wrong.stderr + wrong.stdout


def test_a_satellite_logs_in_as_its_display(deployed: dict[str, object]) -> None:
    users, ports, ca = deployed["users"], deployed["ports"], deployed["ca"]
    assert isinstance(users, dict) and isinstance(ports, dict) and isinstance(ca, Path)
    settings = MqttConfig(
        host=HOST, port=ports["8883"], username="reception", password=users["reception"],
        ca_certs=ca,
    )  # fmt: skip
    result = probe_broker(settings, "reception")
    assert result.ok, (result.meaning, result.fix)


def test_the_odoo_addon_logs_in_as_odoo(deployed: dict[str, object]) -> None:
    users, ports, ca = deployed["users"], deployed["ports"], deployed["ca"]
    assert isinstance(users, dict) and isinstance(ports, dict) and isinstance(ca, Path)
    load_plain_package("mqtt_bridge")
    settings_module = importlib.import_module("mqtt_bridge.settings")
    probe = importlib.import_module("mqtt_bridge.probe")
    port = ports.get("8884", ports["8883"])  # the services' listener, where there is one
    settings = settings_module.BrokerSettings(
        host=HOST, port=port, username="odoo", password=users["odoo"],
        ca_cert=ca.read_text(encoding="utf-8"),
    )  # fmt: skip
    result = probe.probe_connection(settings, timeout=10)
    assert (result.ok, result.rc) == (True, 0), result.message


def test_the_certificates_pass_strict_x509_checks(deployed: dict[str, object]) -> None:
    """Python 3.13+'s default context (VERIFY_X509_STRICT) takes the guide's CA and server
    certificate: a CA without key usage, or a server certificate without the host name in
    its subjectAltName, fails here."""
    ports, ca = deployed["ports"], deployed["ca"]
    assert isinstance(ports, dict) and isinstance(ca, Path)
    context = ssl.create_default_context(cafile=str(ca))
    if sys.version_info >= (3, 13):
        assert context.verify_flags & ssl.VERIFY_X509_STRICT
    with (
        socket.create_connection(("127.0.0.1", ports["8883"]), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=HOST) as tls,
    ):
        assert ("DNS", HOST) in tls.getpeercert()["subjectAltName"]
