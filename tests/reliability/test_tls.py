"""TLS is on and verified by default; ``tls_insecure`` is explicit and warned at every connect."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from testbed.broker import Broker, generate_tls
from tests.reliability.helpers import PREFIX, Watcher, satellite_config, status
from tests.satellite.conftest import SatelliteProcess, wait_until

Spawn = Callable[..., SatelliteProcess]
INSECURE_WARNING = "TLS certificate verification is OFF"


def _without_tls_key(config: Path) -> Path:
    lines = config.read_text().splitlines()
    config.write_text("\n".join(line for line in lines if not line.startswith("tls ")) + "\n")
    return config


def test_tls_is_the_default_and_verifies_with_the_given_ca(
    mosquitto_tls: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """A configuration without ``tls`` talks TLS; with the broker's CA it comes online."""
    assert mosquitto_tls.tls_files is not None
    ca = mosquitto_tls.tls_files.ca_cert
    watcher = Watcher(mosquitto_tls, ca_cert=ca).start()
    try:
        config = _without_tls_key(
            satellite_config(
                mosquitto_tls.port, tmp_path, "reception", mqtt_settings={"ca_certs": str(ca)}
            )
        )
        process = satellite_process(config)
        watcher.wait(f"{PREFIX}reception/status", status("online", rc=0))
        assert "(tls on)" in process.log()
        assert INSECURE_WARNING not in process.log()
    finally:
        watcher.stop()


def test_default_tls_refuses_a_certificate_of_an_unknown_ca(
    mosquitto_tls: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """Without ca_certs the system CAs do not know the broker's CA: refused, logged, retried."""
    config = _without_tls_key(satellite_config(mosquitto_tls.port, tmp_path, "reception"))
    process = satellite_process(config)
    log = process.wait_log("Next connection attempt in 2 s")
    assert "certificate verify failed" in log
    assert "Connected to" not in log
    assert process.alive()


def test_tls_insecure_connects_to_an_unknown_ca_and_warns_at_every_connect(
    mosquitto_tls: Broker, satellite_process: Spawn, tmp_path: Path
) -> None:
    """``tls_insecure = true`` accepts a certificate of another CA, with a warning per connect."""
    assert mosquitto_tls.tls_files is not None
    other = generate_tls(tmp_path / "other-ca", "Some other CA")
    config = satellite_config(
        mosquitto_tls.port,
        tmp_path,
        "reception",
        mqtt_settings={"tls": True, "tls_insecure": True, "ca_certs": str(other.ca_cert)},
    )
    watcher = Watcher(mosquitto_tls, ca_cert=mosquitto_tls.tls_files.ca_cert).start()
    try:
        process = satellite_process(config)
        watcher.wait(f"{PREFIX}reception/status", status("online", rc=0))
        assert "certificate NOT verified" in process.log()
        assert process.log().count(INSECURE_WARNING) == 1
        mosquitto_tls.restart()
        wait_until(lambda: process.log().count("Connected to") >= 2, 15, "a reconnect")
        log = process.log()
        assert log.count(INSECURE_WARNING) >= log.count("Connected to") >= 2, log
    finally:
        watcher.stop()


def test_tls_insecure_without_tls_is_a_configuration_error(tmp_path: Path) -> None:
    """``tls_insecure`` with ``tls = false`` stops at start with one line naming the key."""
    config = satellite_config(1, tmp_path, "reception", mqtt_settings={"tls_insecure": True})
    result = subprocess.run(
        [sys.executable, "-m", "epaper_satellite", "--config", str(config), "check"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "[mqtt] tls_insecure: only means something with tls = true" in result.stderr
