"""``scripts/demo --odoo-direct``: the seed's topology, no Home Assistant in the data path.

The addon's plain publishing code (``epaper_publish``: the payload, byte for byte the
hub's, and what is due; ``mqtt_bridge.DataPublisher``: a lane per broker) reads the demo
Odoo's ``epaper_schedule`` over JSON-RPC every few seconds, as the addon's cron and
postcommit hook would read its own database, and publishes each door's ``/data``.

The doors' keys are answered as the addon answers them: its session subscribes to the
doors' ``/action`` (``answer_actions``), its plain desk (``epaper_doors``: contract,
replays, throttle) hands each request to Odoo's ``epaper_door_action`` (the addon's
booking rules), the answer goes on ``/ack`` and the door's new ``/data`` follows at once,
as the addon's postcommit hook publishes it after the booking's commit.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
import time
import urllib.request
from typing import TYPE_CHECKING, Any

from demo import adopt, data, door_keys
from testbed.addon_code import load_plain_package
from testbed.broker import Broker

LOG = logging.getLogger("demo")

if TYPE_CHECKING:
    from demo.__main__ import Demo
POLL_SECONDS = 2.0
HORIZON_DAYS = 7
MAX_BOOKING_MINUTES = 120  # the addon's default connection_conf.door_max_booking_minutes
KEY = "demo"


class OdooDirect:
    """The Odoo addon as its broker's publisher, driven by the demo's Odoo test server."""

    def __init__(self, broker: Broker, odoo_url: str) -> None:
        """Publish to ``broker`` what the Odoo at ``odoo_url`` schedules."""
        self.publish: Any = load_plain_package("epaper_publish")
        self.bridge: Any = load_plain_package("mqtt_bridge")
        self.doors: Any = load_plain_package("epaper_doors")
        self.url = odoo_url
        self.settings = self.bridge.BrokerSettings(
            host=broker.host, port=broker.port, use_tls=False, answer_actions=True
        )
        self.desk = self.doors.DoorDesk()
        self.requests: queue.Queue[Any] = queue.Queue()
        self.answers: list[tuple[str, tuple[str, str | None]]] = []
        self._read_lock = threading.Lock()
        self.manager = self.bridge.MqttConnectionManager()
        self.publisher = self.bridge.DataPublisher(self.manager.register, self._plan, self._done)
        self.latest: dict[str, Any] = {}
        self.last: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-odoo-direct", daemon=True)
        self._door_thread = threading.Thread(
            target=self._answer_doors, name="demo-odoo-direct-doors", daemon=True
        )
        self._uid = 0

    def _rpc(self, service: str, method: str, *args: Any) -> Any:
        body = {"jsonrpc": "2.0", "method": "call", "id": 1,
                "params": {"service": service, "method": method, "args": list(args)}}  # fmt: skip
        request = urllib.request.Request(  # noqa: S310 (the demo's loopback Odoo over http)
            f"{self.url}/jsonrpc", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answer = json.load(response)
        if "error" in answer:
            raise RuntimeError(f"Odoo refused {method}: {answer['error']}")
        return answer["result"]

    def _plan(self, job: Any) -> list[Any]:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        current = {
            device: (self.publish.data_topic(prefix or data.PREFIX, device), payload)
            for device, (prefix, payload) in self.latest.items()
            if device in job.display_ids
        }
        return [
            self.bridge.Outgoing(d.topic, d.payload, d.display, d.content_hash, d.valid_until)
            for d in self.publish.due_messages(current, self.last, now)
        ]

    def _done(self, _job: Any, published: list[Any]) -> None:
        for item in published:
            if item.content_hash is not None:
                until = dt.datetime.fromisoformat(item.valid_until)
                self.last[item.display_id] = self.publish.Published(
                    item.topic, item.content_hash, until
                )

    def _read_once(self) -> None:
        with self._read_lock:
            self._read_and_submit()

    def _read_and_submit(self) -> None:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        midnight = dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC)
        window = [
            (midnight - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            (midnight + dt.timedelta(days=HORIZON_DAYS + 1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        ]
        answer = self._rpc(
            "object", "execute_kw", data.DATABASE, self._uid, data.PASSWORD,
            "room.rasp.connection", "epaper_schedule", window, {},
        )  # fmt: skip
        self.latest = self.publish.answer_payloads(answer, now)
        job = self.bridge.PublishJob(KEY, self.settings, frozenset(self.latest))
        self.publisher.submit(job)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read_once()
            except (OSError, RuntimeError, ValueError) as err:
                LOG.warning("odoo-direct: reading the schedule failed: %s", err)
            self._stop.wait(POLL_SECONDS)

    # -- the doors' requests -----------------------------------------------------------

    def _on_event(self, event: Any) -> None:
        """paho's thread: door requests go to the doors' thread, the rest is not ours."""
        if isinstance(event, self.bridge.ActionEvent):
            self.requests.put(event)

    def _perform(self, device: str, request: Any) -> str | None:
        """The addon's ``_epaper_door_request`` after the hub's refusals: Odoo's rules."""
        if (request.minutes or 0) > MAX_BOOKING_MINUTES:
            return "too_long"
        answer = self._rpc(
            "object", "execute_kw", data.DATABASE, self._uid, data.PASSWORD,
            "room.rasp.connection", "epaper_door_action",
            [device, request.action, request.minutes], {"max_minutes": MAX_BOOKING_MINUTES},
        )  # fmt: skip
        if isinstance(answer, dict) and answer.get("ok") is True:
            return None
        code = answer.get("error") if isinstance(answer, dict) else None
        return str(code) if code else "odoo_unavailable"

    def _answer(self, event: Any) -> None:
        answer = self.desk.handle((event.prefix, event.device), event.payload, self._perform)
        if answer is None:
            return
        if answer[1] is None:  # booked: the new /data before the /ack, as after a commit
            self._read_once()
            self.publisher.flush(10)
        client = self.manager.get_client(KEY)
        if client is None or not self.bridge.publish_to_door(
            client, event.device, "ack", self.doors.ack_bytes(answer)
        ):
            LOG.warning("odoo-direct: answer %s to %s not published", answer, event.device)
        LOG.info("odoo-direct: %s asked %s: %s", event.device, answer[0], answer[1] or "done")
        self.answers.append((event.device, answer))

    def _answer_doors(self) -> None:
        while True:
            event = self.requests.get()
            if event is None:
                return
            try:
                self._answer(event)
            except (OSError, RuntimeError, ValueError) as err:
                LOG.warning("odoo-direct: the request of %s failed: %s", event.device, err)

    def start(self) -> OdooDirect:
        """Log in, answer the doors and start publishing (threads)."""
        self._uid = self._rpc("common", "login", data.DATABASE, data.LOGIN, data.PASSWORD)
        self.manager.register(KEY, self.settings, self._on_event)
        self._door_thread.start()
        self._thread.start()
        LOG.info("odoo-direct: the addon's publisher serves the doors, no Home Assistant")
        return self

    def stop(self) -> None:
        """Stop publishing."""
        self._stop.set()
        self.requests.put(None)
        self._thread.join(10)
        self._door_thread.join(10)
        self.publisher.stop()
        self.manager.shutdown()


def run_odoo_direct(demo: Demo, check: bool, timeout: float) -> int:
    """The seed's topology: the addon's publisher serves the doors, no Home Assistant."""
    assert demo.broker and demo.odoo
    publisher = OdooDirect(demo.broker, demo.odoo.url).start()
    try:
        drawn = demo.wait_until_drawn(timeout)
        LOG.info("drawn: %s", ", ".join(f"{d} ({s['content_hash']})" for d, s in drawn.items()))
        if check:
            panel = demo.panel_path(door_keys.DEVICE)
            said = door_keys.check_in(demo.broker, data.PREFIX, demo.keys_port, panel, timeout)
            LOG.info(said)
            said = door_keys.check_direct(demo.broker, data.PREFIX, demo.keys_port, panel, timeout)
            LOG.info(said)
            LOG.info("check passed (odoo-direct)")
            return 0
        print(f"\nOdoo test server (JSON-RPC only, no web pages): {demo.odoo.url}")
        print("Panels (png driver, redrawn as the schedule changes):")
        for panel in data.PANELS:
            print(f"  {panel.width}x{panel.height}  {demo.panel_path(panel.device)}")
        new = adopt.NEW_SIGN
        print(f"  {new.width}x{new.height}  {demo.panel_path(new.device)}  (not in Odoo: setup)")
        print(door_keys.how_to_press(demo.keys_port, home_assistant=False))
        print(f"Logs: {demo.workdir}\nPress Ctrl-C to stop.")
        while True:
            demo.assert_running()
            time.sleep(1)
    finally:
        publisher.stop()
