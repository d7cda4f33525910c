"""Run the whole Odoo E-Paper system on loopback (``scripts/demo``).

Starts Mosquitto, the JSON-RPC Odoo test server with the demo company, a real
Home Assistant with this integration (taken through onboarding and both config
flows over its HTTP API) and three satellites with the png driver. With
``--check`` it waits until every satellite has drawn its room and every
satellite's display is online in Home Assistant, then stops and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from demo import adopt, data, door_keys
from demo.ha_api import HomeAssistantApi
from demo.ha_log import integration_problems
from demo.odoo_direct import run_odoo_direct
from testbed.broker import Broker, free_port
from testbed.mqtt_peer import MqttPeer
from testbed.odoo_server import OdooTestServer

ROOT = Path(__file__).resolve().parent.parent
PREFIX = data.PREFIX
# The Problem reasons of a display that is not connected (display_problem.ProblemReason).
UNCONNECTED = ("never_connected", "offline")
HA_USER, HA_PASSWORD = "demo", "demo-password"
LOG = logging.getLogger("demo")


class Demo:
    """Every process of the demo, started in order and stopped in reverse."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.broker: Broker | None = None
        self.odoo: OdooTestServer | None = None
        self.hass: subprocess.Popen[bytes] | None = None
        self.ha_url = ""
        self.api: HomeAssistantApi | None = None
        self.satellites: dict[str, subprocess.Popen[bytes]] = {}
        self.keys_port = free_port()

    # -- starting -----------------------------------------------------------

    def start_broker(self) -> None:
        """Start mosquitto on a free loopback port."""
        self.broker = Broker(directory=self.workdir / "mosquitto").start()
        LOG.info("mosquitto listens on 127.0.0.1:%s", self.broker.port)

    def start_odoo(self) -> None:
        """Start the Odoo test server with the demo company."""
        now = dt.datetime.now(dt.UTC)
        fixture = data.write_fixture(self.workdir / "odoo-demo.json", data.fixture(now))
        self.odoo = OdooTestServer(fixture).start()
        LOG.info("Odoo test server at %s (database %s)", self.odoo.url, data.DATABASE)

    def start_home_assistant(self, timeout: float, attempts: int = 3) -> None:
        """Write a config folder, start ``hass -c`` and wait for its HTTP API.

        A free port can be taken by someone else before Home Assistant binds it;
        then it is started again on another port.
        """
        config = self.workdir / "homeassistant"
        (config / "custom_components").mkdir(parents=True)
        (config / "custom_components" / "odoo_epaper").symlink_to(
            ROOT / "custom_components" / "odoo_epaper"
        )
        for attempt in range(1, attempts + 1):
            port = free_port()
            (config / "configuration.yaml").write_text(
                "homeassistant:\n  name: Odoo E-Paper demo\n  time_zone: Europe/Brussels\n"
                "  country: BE\n"
                f"http:\n  server_host: 127.0.0.1\n  server_port: {port}\n"
                "frontend:\nconfig:\n"
                "logger:\n  default: warning\n  logs:\n    custom_components.odoo_epaper: info\n"
                "    homeassistant.components.mqtt: info\n",
                encoding="utf-8",
            )
            log_path = self.workdir / "homeassistant.log"
            with log_path.open("ab") as log:
                self.hass = subprocess.Popen(
                    [sys.executable, "-m", "homeassistant", "-c", str(config), "--skip-pip"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            self.ha_url = f"http://127.0.0.1:{port}"
            self.api = HomeAssistantApi(self.ha_url)
            LOG.info("Home Assistant starting at %s", self.ha_url)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                self.assert_running()
                if self.api.is_up():
                    return
                if "Failed to create HTTP server" in log_path.read_text(errors="replace"):
                    break
                time.sleep(0.5)
            else:
                raise TimeoutError(f"Home Assistant did not answer at {self.ha_url}")
            LOG.warning("port %s was taken (attempt %d of %d)", port, attempt, attempts)
            self.stop_process(self.hass)
            log_path.rename(log_path.with_suffix(f".{attempt}.log"))
        raise RuntimeError("Home Assistant could not bind an HTTP port")

    def configure_home_assistant(self) -> None:
        """Onboard, then add the MQTT and Odoo E-Paper integrations through config flows."""
        assert self.api and self.broker and self.odoo
        self.api.onboard("Demo", HA_USER, HA_PASSWORD)
        if self.api.confirm_http_settings():
            LOG.info("confirmed Home Assistant's HTTP settings (127.0.0.1 only, this port)")
        self.api.run_config_flow("mqtt", [{"broker": "127.0.0.1", "port": self.broker.port}])
        entry = self.api.run_config_flow(
            "odoo_epaper",
            [
                {
                    "url": self.odoo.url,
                    "database": data.DATABASE,
                    "username": data.LOGIN,
                    "password": data.PASSWORD,
                }
            ],
        )
        LOG.info("Odoo E-Paper set up: %s", entry.get("title"))
        if removed := self.api.remove_unusable_entries():
            LOG.info("removed what cannot run offline: %s", ", ".join(removed))

    def start_satellites(self) -> None:
        """Start one png-driver satellite per demo panel, and the new sign Odoo lacks."""
        for panel in [*data.PANELS, adopt.NEW_SIGN]:
            self.start_satellite(panel)
        LOG.info("started %d satellites", len(self.satellites))

    def start_satellite(self, panel: data.Panel) -> None:
        """Start one png-driver satellite."""
        assert self.broker
        folder = self.workdir / "satellites" / panel.device
        folder.mkdir(parents=True)
        config = folder / "config.toml"
        config.write_text(
            "[mqtt]\n"
            f'host = "127.0.0.1"\nport = {self.broker.port}\ntls = false\n'
            f'topic_prefix = "{PREFIX}"\nkeepalive = 10\n'
            "[device]\n"
            f'name = "{panel.device}"\ntimezone = "{data.TIMEZONE}"\n'
            f'state_dir = "{folder / "state"}"\n'
            "[display]\n"
            f'driver = "png"\npath = "{self.panel_path(panel.device)}"\n'
            f'width = {panel.width}\nheight = {panel.height}\ncolors = "{panel.colors}"\n'
            + (door_keys.keys_toml(self.keys_port) if panel.device == door_keys.DEVICE else ""),
            encoding="utf-8",
        )
        log = (folder / "satellite.log").open("wb")
        self.satellites[panel.device] = subprocess.Popen(
            [str(Path(sys.executable).parent / "epaper-satellite"), "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def panel_path(self, device: str) -> Path:
        """Where a satellite's png driver writes its panel."""
        return self.workdir / "panels" / f"{device}.png"

    # -- checking -------------------------------------------------------------

    def wait_until_drawn(
        self, timeout: float, devices: set[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Wait until the satellites (default: the demo's rooms) report a drawn room."""
        assert self.broker
        devices = devices or {panel.device for panel in data.PANELS}
        watcher = MqttPeer(self.broker, client_id="demo-check").start(f"{PREFIX}+/status")
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.assert_running()
                drawn = {
                    device: status
                    for device in devices
                    for message in watcher.on(f"{PREFIX}{device}/status")
                    if isinstance(status := message.json(), dict)
                    and status.get("content_hash")
                    and status.get("assigned") is not False
                    and self.panel_path(device).exists()
                }
                if len(drawn) == len(devices):
                    return drawn
                if time.monotonic() > deadline:
                    missing = sorted(devices - set(drawn))
                    raise TimeoutError(f"satellites never drew a room: {missing}")
                time.sleep(0.2)
        finally:
            watcher.stop()

    def wait_until_online_in_ha(self, timeout: float) -> list[str]:
        """Wait until Home Assistant shows every satellite's display as connected: its
        Problem (enabled by default, unlike Connectivity) names no connection reason."""
        assert self.api
        deadline = time.monotonic() + timeout
        rooms = [
            room for device, room in data.ROOMS if device in {panel.device for panel in data.PANELS}
        ]
        while True:
            self.assert_running()
            connected = {
                state["attributes"].get("friendly_name", ""): state["entity_id"]
                for state in self.api.states()
                if state["entity_id"].startswith("binary_sensor.")
                and state["attributes"].get("device_class") == "problem"
                and state["attributes"].get("reason") not in (None, *UNCONNECTED)
            }
            online = [
                entity_id
                for room in rooms
                for name, entity_id in connected.items()
                if name == f"{room} Problem"
            ]
            if len(online) == len(rooms):
                return online
            if time.monotonic() > deadline:
                raise TimeoutError(f"Home Assistant shows {len(online)} of {len(rooms)} online")
            time.sleep(1)

    def print_addresses(self) -> None:
        """Say where everything is and how to adopt the new sign."""
        print(f"\nHome Assistant: {self.ha_url}  (login {HA_USER} / {HA_PASSWORD})")
        print(
            f"Odoo test server (JSON-RPC only, no web pages): {self.odoo.url if self.odoo else ''}"
        )
        print("Panels (png driver, redrawn as the schedule changes):")
        for panel in [*data.PANELS, adopt.NEW_SIGN]:
            print(f"  {panel.width}x{panel.height}  {self.panel_path(panel.device)}")
        print(adopt.how_to_adopt(self.ha_url))
        print(door_keys.how_to_press(self.keys_port))
        print(f"Logs: {self.workdir}\nPress Ctrl-C to stop.")

    def adopt_new_sign(self, timeout: float) -> dict[str, dict[str, Any]]:
        """Adopt the new sign through Home Assistant's discovered card; wait for its room."""
        assert self.api
        adopt.adopt(self.api, timeout)
        return self.wait_until_drawn(timeout, {adopt.NEW_SIGN.device})

    def check(self, timeout: float) -> None:
        """What ``--check`` adds: adopt the new sign, press a door key, the frontend, the
        integrations page (nothing failed or retrying), read the log.

        Raises RuntimeError or TimeoutError when any of them fails.
        """
        new = self.adopt_new_sign(timeout)
        LOG.info("adopted through the discovered card and drawn: %s", new)
        assert self.api is not None
        panel = self.panel_path(door_keys.DEVICE)
        assert self.broker is not None
        LOG.info(door_keys.check_in(self.broker, data.PREFIX, self.keys_port, panel, timeout))
        LOG.info(door_keys.check(self.api, self.keys_port, panel, timeout))
        self.api.assert_frontend_loads()
        self.api.assert_http_settings_kept()
        self.api.assert_entries_set_up()
        self.assert_quiet_log()
        LOG.info("the frontend's first commands answer; no warning or error from odoo_epaper")

    def assert_quiet_log(self) -> None:
        """Fail when Home Assistant logged a warning or error about the integration
        (deprecations included: Home Assistant reports them as warnings)."""
        log = self.workdir / "homeassistant" / "home-assistant.log"
        problems = integration_problems(log.read_text(errors="replace"), "odoo_epaper")
        if problems:
            raise RuntimeError("Home Assistant logged about odoo_epaper:\n" + "\n".join(problems))

    def assert_running(self) -> None:
        """Fail fast when a child process died."""
        children = {"home assistant": self.hass, **self.satellites}
        for name, process in children.items():
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {self.workdir}")

    # -- stopping -----------------------------------------------------------------

    @staticmethod
    def stop_process(process: subprocess.Popen[bytes] | None) -> None:
        """Stop one child: SIGTERM, then SIGKILL after 30 s."""
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def stop(self) -> None:
        """Stop everything, newest first."""
        children = [*self.satellites.values(), self.hass]
        for process in children:  # all at once, so they shut down side by side
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in children:
            self.stop_process(process)
        if self.odoo:
            self.odoo.stop()
        if self.broker:
            self.broker.stop()


@contextlib.contextmanager
def workdir(path: Path | None, keep: bool) -> Iterator[Path]:
    """The demo's folder: the given one (emptied first) or a temporary one."""
    if path is None:
        folder = Path(tempfile.mkdtemp(prefix="odoo-epaper-demo-"))
    else:
        folder = path.resolve()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; return the exit code."""
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="run headless, check, stop")
    parser.add_argument("--dir", type=Path, help="working folder (default: demo-run/)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds for each wait")
    parser.add_argument(
        "--odoo-direct", action="store_true", help="no Home Assistant: the addon publishes"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="demo: %(message)s")
    folder_arg = args.dir or (None if args.check else ROOT / "demo-run")
    with workdir(folder_arg, keep=not args.check) as folder:
        demo = Demo(folder)
        stop_requested = False

        def on_signal(_signum: int, _frame: object) -> None:
            nonlocal stop_requested
            stop_requested = True
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            demo.start_broker()
            demo.start_odoo()
            demo.start_satellites()
            if args.odoo_direct:
                return run_odoo_direct(demo, args.check, args.timeout)
            demo.start_home_assistant(args.timeout)
            demo.configure_home_assistant()
            drawn = demo.wait_until_drawn(args.timeout)
            online = demo.wait_until_online_in_ha(args.timeout)
            LOG.info("drawn: %s", ", ".join(f"{d} ({s['content_hash']})" for d, s in drawn.items()))
            LOG.info("online in Home Assistant: %s", ", ".join(online))
            if args.check:
                demo.check(args.timeout)
                LOG.info("check passed")
                return 0
            demo.print_addresses()
            while True:
                demo.assert_running()
                time.sleep(1)
        except KeyboardInterrupt:
            LOG.info("stopping")
            return 0
        except (RuntimeError, TimeoutError, OSError) as err:
            LOG.error("demo failed: %s (logs in %s)", err, folder)
            for log in sorted(folder.rglob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-25:]
                print(f"--- {log.relative_to(folder)} (last lines)", file=sys.stderr)
                print("\n".join(tail), file=sys.stderr)
            return 1
        finally:
            demo.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
