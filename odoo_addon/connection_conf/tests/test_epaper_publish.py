"""Odoo publishes the doors' /data itself when its broker says so (DESIGN 3a, issue 24).

The glue under Odoo's runner: the broker's ``publisher``, the postcommit queue of
displays, the plan read in a transaction (``epaper_publish``'s payload, byte for byte),
the hashes stored, nothing sent twice, old topics cleared; and one round through the
real lanes to a real mosquitto started by the test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from unittest.mock import patch

import paho.mqtt.client as mqtt
from odoo.tests import TransactionCase, new_test_user, tagged
from paho.mqtt.enums import CallbackAPIVersion

from ..epaper_publish import answer_payloads, encode
from ..mqtt_bridge import BrokerSettings, DataPublisher, MqttConnectionManager, PublishJob
from ..mqtt_runtime import PUBLISH_DATA_KEY


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestEpaperPublish(TransactionCase):
    """Publishing /data from Odoo."""

    @classmethod
    def setUpClass(cls) -> None:
        """A broker published by Odoo, one by Home Assistant, a display on each."""
        super().setUpClass()
        cls.Display = cls.env["room.rasp.connection"]
        cls.port = _free_port()
        cls.odoo_broker = cls.env["room.rasp.broker"].create(
            {"name": "Odoo", "host": "127.0.0.1", "port": cls.port, "use_tls": False,
             "publisher": "odoo"}
        )  # fmt: skip
        cls.ha_broker = cls.env["room.rasp.broker"].create(
            {"name": "HA", "host": "127.0.0.1", "port": _free_port(), "use_tls": False}
        )
        cls.reception = cls.Display.create(
            {"name": "reception", "room_name": "Reception", "broker_id": cls.odoo_broker.id,
             "tz": "Europe/Berlin"}
        )  # fmt: skip
        cls.hall = cls.Display.create(
            {"name": "hall", "room_name": "Hall", "broker_id": cls.ha_broker.id}
        )

    def setUp(self) -> None:
        """Every test starts with nothing queued."""
        super().setUp()
        self.env.cr.postcommit.clear()

    def _job(self) -> PublishJob:
        """The one job the postcommit hook makes of what this transaction queued."""
        pending = self.env.cr.postcommit.data[PUBLISH_DATA_KEY]
        jobs = self.Display.sudo()._epaper_publish_jobs(pending)
        self.assertEqual(len(jobs), 1)
        return jobs[0]

    def test_home_assistant_is_the_default_publisher(self) -> None:
        """A new broker leaves /data to Home Assistant; its displays queue nothing."""
        self.assertEqual(self.ha_broker.publisher, "home_assistant")
        self.hall._epaper_queue_changed()
        self.assertFalse(self.env.cr.postcommit.data.get(PUBLISH_DATA_KEY))

    def test_a_change_queues_the_display_after_commit(self) -> None:
        """A schedule change queues the Odoo-published display only, once per broker."""
        (self.reception | self.hall)._epaper_queue_changed()
        self.reception._epaper_queue_changed()
        job = self._job()
        self.assertEqual(job.display_ids, frozenset({self.reception.id}))
        self.assertEqual(job.key, self.reception._mqtt_key())

    def test_a_plain_users_change_publishes_without_reading_a_secret(self) -> None:
        """A booking change by a plain employee queues ids only: no broker secret is read
        in their transaction; the hook, as the system, makes the job with the secret."""
        self.odoo_broker.write({"username": "odoo", "password": "broker-secret-1"})
        employee = new_test_user(self.env, login="publish-employee", groups="base.group_user")
        reads: list[tuple[int, bool]] = []
        Model = type(self.Display)
        original = Model._epaper_broker_values

        def spy(display):
            reads.append((display.env.uid, display.env.su))
            return original(display)

        with patch.object(Model, "_epaper_broker_values", spy):
            self.reception.with_user(employee)._epaper_queue_changed()
            self.assertEqual(reads, [])
            pending = self.env.cr.postcommit.data[PUBLISH_DATA_KEY]
            self.assertEqual(pending.displays, {self.reception.id})
            self.assertNotIn("broker-secret-1", repr(pending))
            job = self._job()
        self.assertTrue(reads)
        self.assertTrue(all(su for _uid, su in reads))
        self.assertEqual(job.settings.password, "broker-secret-1")
        self.assertEqual(job.display_ids, frozenset({self.reception.id}))

    def test_a_deleted_displays_topic_is_cleared_with_its_brokers_secret(self) -> None:
        """The clear of a display gone after commit reaches its old broker: route queued
        without a secret, the broker's secret read by the hook."""
        self.odoo_broker.write({"username": "odoo", "password": "broker-secret-2"})
        self.reception.write({"data_topic": "odoo_epaper/reception/data", "data_hash": "x"})
        route = self.reception._mqtt_route()
        self.reception.unlink()
        pending = self.env.cr.postcommit.data[PUBLISH_DATA_KEY]
        self.assertNotIn("broker-secret-2", repr(pending))
        job = self._job()
        self.assertEqual(job.clear, frozenset({"odoo_epaper/reception/data"}))
        self.assertEqual(job.settings.route_key(), route.route_key())
        self.assertEqual(job.settings.password, "broker-secret-2")
        self.assertTrue(job.settings.answer_actions)  # its status says Odoo publishes

    def test_plan_publishes_the_builders_payload_once(self) -> None:
        """The plan's bytes are epaper_publish's payload of epaper_schedule's answer; once
        stored, the same content is not due again; a changed room is."""
        self.reception._epaper_queue_publish()
        due = self.Display._epaper_publish_plan(self._job())
        self.assertEqual([item.topic for item in due], ["odoo_epaper/reception/data"])
        payload = json.loads(due[0].payload)
        self.assertEqual((payload["device"], payload["room"]), ("reception", "Reception"))
        self.assertEqual(payload["tz"], "Europe/Berlin")
        now = dt.datetime.fromisoformat(payload["generated_at"])
        window = self.Display._epaper_publish_window(now)
        answer = self.Display._epaper_schedule_full(*window, ["reception"], None, None)
        rebuilt = answer_payloads(answer, now)
        self.assertEqual(encode(rebuilt["reception"][1]), due[0].payload)
        self.Display._epaper_publish_done(self._job(), due)
        self.assertEqual(self.reception.data_hash, due[0].content_hash)
        self.assertFalse(self.Display._epaper_publish_plan(self._job()))
        self.reception.room_name = "Front desk"
        again = self.Display._epaper_publish_plan(self._job())
        self.assertEqual(json.loads(again[0].payload)["room"], "Front desk")

    def test_archive_and_rename_clear_the_old_topic(self) -> None:
        """An archived or renamed display's retained /data is cleared after commit."""
        self.reception.write(
            {"data_topic": "odoo_epaper/reception/data", "data_hash": "0123456789abcdef"}
        )
        self.reception.name = "front"
        job = self._job()
        self.assertEqual(job.clear, frozenset({"odoo_epaper/reception/data"}))
        due = self.Display._epaper_publish_plan(job)
        self.assertEqual(
            [(item.topic, bool(item.payload)) for item in due],
            [("odoo_epaper/reception/data", False), ("odoo_epaper/front/data", True)],
        )
        self.env.cr.postcommit.clear()
        self.reception.write({"data_topic": "odoo_epaper/front/data"})
        self.reception.active = False
        job = self._job()
        self.assertEqual(
            [(i.topic, i.payload) for i in self.Display._epaper_publish_plan(job)],
            [("odoo_epaper/front/data", b"")],
        )

    def test_switching_to_home_assistant_hands_over(self) -> None:
        """Odoo forgets what it published and queues nothing more on that broker."""
        self.reception.write({"data_topic": "odoo_epaper/reception/data", "data_hash": "x"})
        self.odoo_broker.publisher = "home_assistant"
        self.assertFalse(self.reception.data_topic)
        self.env.cr.postcommit.clear()
        self.reception._epaper_queue_changed()
        self.assertFalse(self.env.cr.postcommit.data.get(PUBLISH_DATA_KEY))

    def test_real_broker_gets_the_retained_data(self) -> None:
        """Through the real lanes to a real mosquitto: the door's /data arrives retained."""
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            self.skipTest("no mosquitto on this machine")
        folder = Path(tempfile.mkdtemp())
        config = folder / "mosquitto.conf"
        config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n")
        broker = subprocess.Popen([binary, "-c", str(config)], stderr=subprocess.DEVNULL)
        self.addCleanup(broker.wait, 5)
        self.addCleanup(broker.terminate)
        manager = MqttConnectionManager()
        self.addCleanup(manager.shutdown)

        def client_for(key: str, settings: BrokerSettings):
            return manager.register(key, settings, lambda _event: None)

        publisher = DataPublisher(
            client_for, self.Display._epaper_publish_plan, self.Display._epaper_publish_done
        )
        self.addCleanup(publisher.stop)
        self.reception._epaper_queue_publish()
        publisher.submit(self._job())
        self.assertTrue(publisher.flush(10))
        self.assertEqual(publisher.published, 1)
        self.assertEqual(self.reception.data_topic, "odoo_epaper/reception/data")
        # A door that connects later gets the retained /data.
        got = threading.Event()
        received: list[mqtt.MQTTMessage] = []
        door = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="door")

        def on_message(_c, _u, message) -> None:
            received.append(message)
            got.set()

        door.on_message = on_message
        door.connect("127.0.0.1", self.port)
        door.loop_start()
        self.addCleanup(door.disconnect)
        self.addCleanup(door.loop_stop)
        door.subscribe("odoo_epaper/reception/data", 1)
        self.assertTrue(got.wait(10))
        self.assertTrue(received[0].retain)
        payload = json.loads(received[0].payload)
        self.assertEqual((payload["device"], payload["room"]), ("reception", "Reception"))
