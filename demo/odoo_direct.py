"""``scripts/demo --odoo-direct``: the seed's topology, no Home Assistant in the data path.

The addon's plain publishing code (``epaper_publish``: the payload, byte for byte the
hub's, and what is due; ``mqtt_bridge.DataPublisher``: a lane per broker) reads the demo
Odoo's ``epaper_schedule`` over JSON-RPC every few seconds, as the addon's cron and
postcommit hook would read its own database, and publishes each door's ``/data``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import urllib.request
from typing import Any

from demo import data
from testbed.addon_code import load_plain_package
from testbed.broker import Broker

LOG = logging.getLogger("demo")
POLL_SECONDS = 2.0
HORIZON_DAYS = 7


class OdooDirect:
    """The Odoo addon as its broker's publisher, driven by the demo's Odoo test server."""

    def __init__(self, broker: Broker, odoo_url: str) -> None:
        """Publish to ``broker`` what the Odoo at ``odoo_url`` schedules."""
        self.publish: Any = load_plain_package("epaper_publish")
        self.bridge: Any = load_plain_package("mqtt_bridge")
        self.url = odoo_url
        self.settings = self.bridge.BrokerSettings(
            host=broker.host, port=broker.port, use_tls=False
        )
        self.manager = self.bridge.MqttConnectionManager()
        self.publisher = self.bridge.DataPublisher(self.manager.register, self._plan, self._done)
        self.latest: dict[str, Any] = {}
        self.last: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-odoo-direct", daemon=True)
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
            device: (self.publish.data_topic(prefix or "odoo_epaper/", device), payload)
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
        job = self.bridge.PublishJob("demo", self.settings, frozenset(self.latest))
        self.publisher.submit(job)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read_once()
            except (OSError, RuntimeError, ValueError) as err:
                LOG.warning("odoo-direct: reading the schedule failed: %s", err)
            self._stop.wait(POLL_SECONDS)

    def start(self) -> OdooDirect:
        """Log in and start publishing (a thread)."""
        self._uid = self._rpc("common", "login", data.DATABASE, data.LOGIN, data.PASSWORD)
        self._thread.start()
        LOG.info("odoo-direct: the addon's publisher serves the doors, no Home Assistant")
        return self

    def stop(self) -> None:
        """Stop publishing."""
        self._stop.set()
        self._thread.join(10)
        self.publisher.stop()
        self.manager.shutdown()
