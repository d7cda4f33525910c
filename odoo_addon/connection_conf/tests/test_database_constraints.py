"""The addon's constraints live in the database on every series (run with --test-enable)."""

from __future__ import annotations

from typing import Any

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from ..series import table_constraints

# Each CHECK constraint: (its PostgreSQL name, model, field, refused values, kept values).
CHECKS = [
    (
        "room_rasp_connection_checkin_grace_minutes_range",
        "room.rasp.connection",
        "checkin_grace_minutes",
        (-1, 241),
        (0, 240),
    ),
    (
        "room_rasp_connection_mqtt_port_range",
        "room.rasp.connection",
        "mqtt_port",
        (-1, 65536),
        (0, 1, 65535),
    ),
    ("room_rasp_connection_qos_range", "room.rasp.connection", "qos", (-1, 3), (0, 2)),
    (
        "room_rasp_connection_keepalive_range",
        "room.rasp.connection",
        "keepalive",
        (4, 3601),
        (5, 3600),
    ),
    ("room_rasp_broker_port_range", "room.rasp.broker", "port", (0, 65536), (1, 65535)),
]
UNIQUE = ["room_rasp_connection_name_unique", "room_rasp_door_answer_door_request_unique"]


@tagged("post_install", "-at_install")
class TestDatabaseConstraints(TransactionCase):
    """Each declared constraint is in PostgreSQL, and PostgreSQL refuses what it forbids."""

    @classmethod
    def setUpClass(cls) -> None:
        """A broker and a display on it."""
        super().setUpClass()
        cls.broker = cls.env["room.rasp.broker"].create({"name": "Office", "host": "127.0.0.1"})
        cls.display = cls.env["room.rasp.connection"].create(
            {"name": "boardroom", "broker_id": cls.broker.id}
        )
        cls.records = {"room.rasp.connection": cls.display, "room.rasp.broker": cls.broker}

    def database_constraints(self, table: str) -> set[str]:
        """Return the names of the constraints PostgreSQL has on ``table``."""
        self.env.cr.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [table]
        )
        return {name for (name,) in self.env.cr.fetchall()}

    def assert_refused(self, write: Any) -> None:
        """Assert PostgreSQL refuses what ``write()`` writes (flushed in a savepoint, so
        the test goes on afterwards)."""
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            write()
            self.env.flush_all()

    def test_every_declared_constraint_is_in_the_database_and_tested(self) -> None:
        """The constraints the models declare exist under their names in PostgreSQL, and
        each has its case here."""
        models = [
            self.env[name]
            for name, model in self.env.registry.items()
            if model._original_module == "connection_conf" and not model._abstract
        ]
        declared = set()
        for model in models:
            names = table_constraints(model)
            with self.subTest(table=model._table):
                self.assertLessEqual(names, self.database_constraints(model._table))
            declared |= names
        self.assertEqual(declared, {name for name, *_rest in CHECKS} | set(UNIQUE))

    def test_checks_refuse_out_of_range_values(self) -> None:
        """Each CHECK refuses the values just outside its range and keeps its bounds."""
        for name, model, field, refused, kept in CHECKS:
            record = self.records[model]
            for value in refused:
                with self.subTest(constraint=name, value=value):
                    self.assert_refused(lambda r=record, f=field, v=value: r.write({f: v}))
            for value in kept:
                with self.subTest(constraint=name, value=value):
                    record.write({field: value})
                    self.env.flush_all()
                    self.assertEqual(record[field], value)

    def test_device_name_is_unique_in_the_database(self) -> None:
        """A second display named as another is refused, also when written by plain SQL."""
        Display = self.env["room.rasp.connection"]
        self.assert_refused(lambda: Display.create({"name": "boardroom"}))
        self.assert_refused(
            lambda: self.env.cr.execute(
                "INSERT INTO room_rasp_connection (name, mqtt_tls, qos, keepalive, "
                "mqtt_connection_state) VALUES ('boardroom', 'broker', 1, 60, 'unknown')"
            )
        )

    def test_a_door_request_is_answered_once_in_the_database(self) -> None:
        """A second row for one door's request id is refused; another door may use it."""
        Answers = self.env["room.rasp.door.answer"]
        row = {"prefix": "p/", "device": "boardroom", "request_id": "k", "seen_at": "2026-01-01"}
        Answers.create(row)
        self.assert_refused(lambda: Answers.create(row))
        Answers.create(dict(row, device="hall"))
