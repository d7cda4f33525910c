"""A real satellite process (``epaper-satellite``, png driver) on the test broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SATELLITE = Path(sys.executable).with_name("epaper-satellite")


class SatelliteProcess:
    """Run ``epaper-satellite --config FILE`` for one device; stop it at teardown."""

    def __init__(
        self,
        directory: Path,
        port: int,
        device: str,
        prefix: str = "odoo_epaper/",
        extra: str = "",
    ):
        """Write the configuration (``extra``: more TOML, e.g. a ``[keys]`` table);
        :meth:`start` runs the process."""
        self.directory = directory
        self.device = device
        self.config = directory / f"{device}.toml"
        self.log = directory / f"{device}.log"
        self.panel = directory / f"{device}.png"
        self.config.write_text(
            "\n".join(
                [
                    "[mqtt]",
                    'host = "127.0.0.1"',
                    f"port = {port}",
                    "tls = false",
                    f'topic_prefix = "{prefix}"',
                    "keepalive = 5",
                    "reconnect_max = 2",
                    "[device]",
                    f'name = "{device}"',
                    'timezone = "UTC"',
                    f'state_dir = "{directory / (device + "-state")}"',
                    "[display]",
                    'driver = "png"',
                    f'path = "{self.panel}"',
                    "width = 400",
                    "height = 300",
                    "test_seconds = 5",
                    "[refresh]",
                    "min_interval = 0",
                    extra,
                    "",
                ]
            ),
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> SatelliteProcess:
        """Start the daemon, its output going to :attr:`log`."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(SATELLITE), "--config", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        return self

    def kill(self) -> None:
        """Kill -9: the broker publishes the last will."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Stop cleanly (SIGTERM), or kill when it does not stop."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        """Return what the daemon logged."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
