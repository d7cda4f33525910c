"""The addon's constraints live in the database on every series (run with --test-enable)."""

from __future__ import annotations

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from ..series import table_constraints


@tagged("post_install", "-at_install")
class TestDatabaseConstraints(TransactionCase):
    """Each declared constraint is in PostgreSQL, and PostgreSQL refuses what it forbids."""

    def database_constraints(self, table: str) -> set[str]:
        """Return the names of the constraints PostgreSQL has on ``table``."""
        self.env.cr.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [table]
        )
        return {name for (name,) in self.env.cr.fetchall()}

    def assert_refused(self, values: dict[str, object], record=None) -> None:
        """Assert PostgreSQL refuses writing ``values`` (to ``record``, else a new display).

        The write is flushed inside a savepoint, so the test goes on afterwards.
        """
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            if record is None:
                self.env["room.rasp.connection"].create({"mqtt_host": "127.0.0.1", **values})
            else:
                record.write(values)
            self.env.flush_all()

    def test_every_declared_constraint_is_in_the_database(self) -> None:
        """The constraints the models declare exist under their names in PostgreSQL."""
        tables = [
            self.env[name]
            for name, model in self.env.registry.items()
            if model._original_module == "connection_conf" and not model._abstract
        ]
        declared_by_table = {model._table: table_constraints(model) for model in tables}
        self.assertGreaterEqual(
            declared_by_table["room_rasp_connection"],
            {
                "room_rasp_connection_name_unique",
                "room_rasp_connection_checkin_grace_minutes_range",
            },
        )
        for table, declared in declared_by_table.items():
            with self.subTest(table=table):
                self.assertLessEqual(declared, self.database_constraints(table))

    def test_device_name_is_unique_in_the_database(self) -> None:
        """A second display named as another is refused, also by plain SQL."""
        self.env["room.rasp.connection"].create({"name": "lobby", "mqtt_host": "127.0.0.1"})
        self.assert_refused({"name": "lobby"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env.cr.execute(
                "INSERT INTO room_rasp_connection (name, mqtt_tls, qos, keepalive, "
                "mqtt_connection_state) VALUES ('lobby', 'broker', 1, 60, 'unknown')"
            )

    def test_check_in_window_is_checked_in_the_database(self) -> None:
        """Check-in within 0 to 240 minutes: -1 and 241 are refused, 0 and 240 kept."""
        display = self.env["room.rasp.connection"].create(
            {"name": "boardroom", "mqtt_host": "127.0.0.1"}
        )
        for minutes in (-1, 241):
            with self.subTest(minutes=minutes):
                self.assert_refused({"checkin_grace_minutes": minutes}, display)
        for minutes in (0, 240):
            display.checkin_grace_minutes = minutes
            self.env.flush_all()
            self.assertEqual(display.checkin_grace_minutes, minutes)
