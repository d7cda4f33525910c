"""The satellite's MQTT password never shows in its logs, its status or its error messages."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from testbed.broker import Broker
from tests.reliability.helpers import PREFIX, Watcher, password_env, satellite_config, status
from tests.satellite.conftest import wait_until

SECRET = "Sat-pw-7781-quux"
WRONG = "Wrong-pw-3390-zork"


def _run_verbose(config: Path, env: dict[str, str], until: str, tmp_path: Path) -> str:
    """Run the daemon with debug logging until ``until`` is logged; return the whole log."""
    log_path = tmp_path / f"verbose-{len(list(tmp_path.glob('verbose-*')))}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "epaper_satellite", "-v", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            wait_until(lambda: until in log_path.read_text(errors="replace"), 10, repr(until))
            process.send_signal(signal.SIGTERM)
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(5)
    return log_path.read_text(errors="replace")


def test_password_absent_from_debug_logs_status_and_errors(
    broker_factory: Callable[..., Broker], tmp_path: Path
) -> None:
    """Right password, wrong password, password file, bad types, ``check``: never the secret."""
    broker = broker_factory(users={"reception": SECRET})
    watcher = Watcher(broker, "reception", SECRET).start()
    try:
        config = satellite_config(
            broker.port, tmp_path / "env", "reception", mqtt_settings={"username": "reception"}
        )
        ok_log = _run_verbose(config, password_env(SECRET), "Connected to", tmp_path)
        watcher.wait(f"{PREFIX}reception/status", status("offline"))
        wrong_log = _run_verbose(
            config, password_env(WRONG), "Next connection attempt in 2", tmp_path
        )
        (tmp_path / "secret").write_text(SECRET + "\n")
        from_file = satellite_config(
            broker.port,
            tmp_path / "file",
            "reception",
            mqtt_settings={"username": "reception", "password_file": str(tmp_path / "secret")},
        )
        file_log = _run_verbose(from_file, {}, "Connected to", tmp_path)
    finally:
        watcher.stop()
    assert "Connected to" in ok_log and "Connected to" in file_log
    assert "bad username or password" in wrong_log or "not authorised" in wrong_log
    published = b"".join(m.payload for m in watcher.messages)
    assert b"Sat-pw" not in published

    in_toml = satellite_config(
        1, tmp_path / "toml", "reception", mqtt_settings={"password": SECRET}
    )
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "epaper_satellite",
            "-v",
            "--config",
            str(in_toml),
            "check",
            "--config-only",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert check.returncode == 0
    bad_type = tmp_path / "bad" / "config.toml"
    bad_type.parent.mkdir()
    bad_type.write_text(
        '[mqtt]\nhost = "127.0.0.1"\npassword = 778112345\n[device]\nname = "reception"\n'
    )
    bad = subprocess.run(
        [sys.executable, "-m", "epaper_satellite", "--config", str(bad_type)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert bad.returncode == 2
    assert "[mqtt] password: must be a non-empty string, got a value of type int" in bad.stderr
    everything = "\n".join(
        [ok_log, wrong_log, file_log, check.stdout, check.stderr, bad.stdout, bad.stderr]
    )
    for secret in (SECRET, WRONG, "778112345"):
        assert secret not in everything
