"""The doors without Home Assistant: Odoo answers ``/action`` with the hub's refusals and
the addon's booking rules, through the plain desk (replays, throttle), and sends ``/cmd``."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .. import door_runtime, mqtt_runtime
from ..epaper_doors import BURST, IDS_PER_DOOR, ODOO_UNAVAILABLE, THROTTLED, DoorDesk
from ..mqtt_bridge import ActionEvent, command_payload


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestEpaperDoors(TransactionCase):
    """``_epaper_door_request`` and the desk under Odoo."""

    @classmethod
    def setUpClass(cls) -> None:
        """A display on an Odoo-published broker, one on a Home Assistant one."""
        super().setUpClass()
        Broker = cls.env["room.rasp.broker"]
        cls.odoo_broker = Broker.create(
            {"name": "Odoo", "host": "127.0.0.1", "port": _free_port(), "use_tls": False,
             "publisher": "odoo"}
        )  # fmt: skip
        ha_broker = Broker.create({"name": "HA", "host": "127.0.0.1", "port": _free_port()})
        Display = cls.env["room.rasp.connection"]
        cls.door = Display.create(
            {"name": "door", "room_name": "Door room", "broker_id": cls.odoo_broker.id}
        )
        cls.ha_door = Display.create({"name": "ha-door", "broker_id": ha_broker.id})

    def _ask(self, display, action: str, minutes: int | None = None, prefix: str = "odoo_epaper/"):
        return self.env["room.rasp.connection"]._epaper_door_request(
            display._mqtt_key(), prefix, display.name, action, minutes
        )

    def test_the_hubs_refusals_come_first(self) -> None:
        """unknown_device (not Odoo-published, other prefix, no such display), not_allowed,
        too_long; then the addon's rules answer."""
        self.assertEqual(self._ask(self.ha_door, "end_now"), "unknown_device")
        self.assertEqual(self._ask(self.door, "end_now", prefix="other/"), "unknown_device")
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("connection_conf.door_actions", "book_now,extend")
        self.assertEqual(self._ask(self.door, "check_in"), "not_allowed")
        params.set_param("connection_conf.door_max_booking_minutes", "60")
        self.assertEqual(self._ask(self.door, "book_now", 61), "too_long")
        code = self._ask(self.door, "book_now", 30)
        sources = self.env["room.rasp.connection"]._epaper_schedule_sources()
        if not sources:
            self.assertEqual(code, "no_source")

    def test_the_desk_performs_once_and_throttles(self) -> None:
        """Through the plain desk: a replay is not performed again; a flood is throttled."""
        desk = DoorDesk()
        calls = []

        def perform(_device: str, request) -> str | None:
            calls.append(request.id)
            return self._ask(self.door, request.action, request.minutes)

        door = ("odoo_epaper/", "door")
        raw = json.dumps({"id": "k-1", "action": "end_now"}).encode()
        first = desk.handle(door, raw, perform)
        self.assertEqual(desk.handle(door, raw, perform), first)
        self.assertEqual(calls, ["k-1"])
        with mute_logger("odoo.addons.connection_conf.epaper_doors.desk"):
            answers = [
                desk.handle(
                    door, json.dumps({"id": f"f-{n}", "action": "end_now"}).encode(), perform
                )
                for n in range(BURST)
            ]
        self.assertEqual(answers[-1], (f"f-{BURST - 1}", THROTTLED))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A transaction of the ledger, as a savepoint of the test's: released on a clean
        exit, rolled back on an exception (a worker's own cursor commits instead)."""
        with self.env.cr.savepoint():
            yield self.env.cr

    def _ledger(self) -> door_runtime.DatabaseLedger:
        return door_runtime.DatabaseLedger(self.env.cr.dbname, cursor=self._transaction)

    def _database_desk(self) -> DoorDesk:
        """A desk as a fresh Odoo process has: its first answers in this database."""
        return DoorDesk(ledger=self._ledger())

    def _counted(self, calls: list[str], prefix: str = "odoo_epaper/"):
        """``door_runtime``'s perform, counting the requests it performs."""

        def perform(device: str, request) -> str | None:
            calls.append(request.id)
            env = door_runtime.performing_env()
            return env["room.rasp.connection"]._epaper_door_request(
                self.door._mqtt_key(), prefix, device, request.action, request.minutes
            )

        return perform

    def test_replays_are_answered_from_the_database(self) -> None:
        """Another worker's desk, or this one after a restart (a new desk): a replayed id
        gets the first answer from the database and is not performed again; the same id
        at another door is another request."""
        calls: list[str] = []
        raw = json.dumps({"id": "k-1", "action": "end_now"}).encode()
        first = self._database_desk().handle(("odoo_epaper/", "door"), raw, self._counted(calls))
        again = self._database_desk().handle(("odoo_epaper/", "door"), raw, self._counted(calls))
        self.assertEqual(again, first)
        self.assertEqual(calls, ["k-1"])
        rows = self.env["room.rasp.door.answer"].search([("request_id", "=", "k-1")])
        self.assertEqual(rows.mapped("device"), ["door"])
        self.assertEqual(rows.code or None, first[1])
        other = self._database_desk().handle(
            ("other/", "door"), raw, self._counted(calls, "other/")
        )
        self.assertEqual(other, ("k-1", "unknown_device"))
        self.assertEqual(calls, ["k-1", "k-1"])

    def test_a_failed_perform_leaves_nothing_but_its_answer(self) -> None:
        """An exception while performing: its writes are rolled back, the request is
        answered ``odoo_unavailable``, and so is its replay (not performed again)."""
        calls: list[str] = []

        def broken(_device: str, request) -> str | None:
            calls.append(request.id)
            door_runtime.performing_env()["room.rasp.connection"].browse(self.door.id).write(
                {"room_name": "half done"}
            )
            raise RuntimeError("the database went away")

        raw = json.dumps({"id": "b-1", "action": "end_now"}).encode()
        with mute_logger("odoo.addons.connection_conf.door_runtime"):
            answer = self._database_desk().handle(("odoo_epaper/", "door"), raw, broken)
        self.assertEqual(answer, ("b-1", ODOO_UNAVAILABLE))
        self.door.invalidate_recordset()
        self.assertEqual(self.door.room_name, "Door room")
        again = self._database_desk().handle(("odoo_epaper/", "door"), raw, broken)
        self.assertEqual(again, ("b-1", ODOO_UNAVAILABLE))
        self.assertEqual(calls, ["b-1"])

    def test_the_database_keeps_the_hubs_bounds(self) -> None:
        """The last IDS_PER_DOOR ids of a door for a day: the oldest of one more is new
        again, so is an id older than a day; the cron drops rows past the day."""
        calls: list[str] = []
        ledger = self._ledger()
        door = ("odoo_epaper/", "door")
        for number in range(IDS_PER_DOOR + 1):
            ledger.once(door, f"n-{number}", lambda n=number: calls.append(f"n-{n}"))
        Answers = self.env["room.rasp.door.answer"]
        self.assertEqual(Answers.search_count([("device", "=", "door")]), IDS_PER_DOOR)
        self.assertIsNone(ledger.recall(door, "n-0"))
        self.assertIsNotNone(ledger.recall(door, f"n-{IDS_PER_DOOR}"))
        self.env.cr.execute(
            "UPDATE room_rasp_door_answer SET seen_at = seen_at - interval '1 day' "
            "WHERE request_id = 'n-1'"
        )
        self.assertIsNone(ledger.recall(door, "n-1"))
        ledger.once(door, "n-1", lambda: calls.append("n-1 again"))
        self.assertEqual(calls[-1], "n-1 again")
        self.env.cr.execute("UPDATE room_rasp_door_answer SET seen_at = seen_at - interval '1 day'")
        self.assertEqual(Answers._gc_epaper_answers(), IDS_PER_DOOR)
        self.assertFalse(Answers.search_count([]))

    def _worker_cursor(self) -> Any:
        """A real cursor that commits, as a worker's. Its ORM transaction is made here:
        ``api.Environment`` would take the registries' lock, which the test runner holds
        while the tests run, from another thread."""
        cr = self.registry.cursor()
        cr.transaction = type(self.env.transaction)(self.registry)
        return cr

    def _a_transaction_waits_for_a_lock(self, timeout: float = 30.0) -> bool:
        """Wait until a backend of this database waits for a lock (PostgreSQL says so)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE %s",
                    ["INSERT INTO room_rasp_door_answer%"],
                )
                if cr.fetchone()[0]:
                    return True
            time.sleep(0.01)
        return False

    def test_two_workers_perform_an_id_once(self) -> None:
        """Two workers' transactions (real cursors, committed) get the same id at once:
        the second waits on PostgreSQL's unique index until the first commits, then
        answers with the first's code; only the first performs."""
        door = ("concurrency-test/", "door")
        ledger = door_runtime.DatabaseLedger(self.env.cr.dbname, cursor=self._worker_cursor)

        def forget() -> None:
            with self.registry.cursor() as cr:
                cr.execute("DELETE FROM room_rasp_door_answer WHERE prefix = %s", [door[0]])

        self.addCleanup(forget)
        claimed, release = threading.Event(), threading.Event()
        performed: list[str] = []
        answers: dict[str, str | None] = {}

        def first_perform() -> str | None:
            performed.append("first")
            claimed.set()
            release.wait(30)
            return "room_busy"

        def second_perform() -> str | None:
            performed.append("second")
            return None

        def run(name: str, perform) -> None:
            answers[name] = ledger.once(door, "same-id", perform)

        first = threading.Thread(target=run, args=("first", first_perform))
        first.start()
        self.assertTrue(claimed.wait(30))
        second = threading.Thread(target=run, args=("second", second_perform))
        second.start()
        self.assertTrue(self._a_transaction_waits_for_a_lock(), "the second did not wait")
        self.assertEqual(performed, ["first"])
        release.set()
        first.join(30)
        second.join(30)
        self.assertEqual(answers, {"first": "room_busy", "second": "room_busy"})
        self.assertEqual(performed, ["first"])

    def test_door_requests_skip_the_status_drain(self) -> None:
        """A session's door request goes straight to the doors' thread (a door waits for
        its answer); other events go to the event drain, which settles before storing."""
        doors: list[object] = []
        drained: list[object] = []
        queue = type("Queue", (), {"put": lambda _self, event: drained.append(event)})()
        with (
            patch.object(mqtt_runtime, "event_queue", lambda _dbname: queue),
            patch.object(door_runtime, "submit", lambda _db, events: doors.extend(events)),
        ):
            sink = mqtt_runtime._sink(self.env.cr.dbname)
            request = ActionEvent("key", "odoo_epaper/", "door", b"{}")
            other = object()
            sink(request)
            sink(other)
        self.assertEqual((doors, drained), ([request], [other]))

    def test_command_buttons_answer_without_a_broker(self) -> None:
        """A command with no broker reachable says so; an unknown command is refused."""
        with mute_logger("odoo.addons.connection_conf.mqtt_bridge.client"):
            action = self.door.action_epaper_identify()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(json.loads(command_payload("full_refresh")), {"cmd": "full_refresh"})
        with self.assertRaises(ValueError):
            command_payload("reboot")
