"""A calendar event at a display's room queues one change notice per transaction, and its
display's /data when Odoo publishes (no secret read for the user who booked)."""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

from odoo.addons.connection_conf.mqtt_runtime import CHANGED_DATA_KEY, PUBLISH_DATA_KEY
from odoo.addons.connection_conf.tests.i18n_template import assert_template_is_current
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCalendarEventPush(TransactionCase):
    """Create, move, rename and delete events; only displays of their location are named."""

    @classmethod
    def setUpClass(cls) -> None:
        """A display for "Board Room" and one for "Lobby"."""
        super().setUpClass()
        Display = cls.env["room.rasp.connection"]
        Display.create({"name": "boardroom", "room_name": "Board Room", "mqtt_host": "127.0.0.1"})
        Display.create({"name": "lobby", "room_name": "Lobby", "mqtt_host": "127.0.0.1"})
        cls.start = dt.datetime(2026, 11, 27, 10, 0)

    def setUp(self) -> None:
        """Start each test with no pending notice."""
        super().setUp()
        self.env.cr.postcommit.clear()

    def pending_devices(self) -> set[str]:
        """Device names waiting for the commit."""
        return set(self.env.cr.postcommit.data.get(CHANGED_DATA_KEY, ()))

    def make_event(self, location: str) -> object:
        """Create a one-hour event at ``location``."""
        return self.env["calendar.event"].create(
            {
                "name": "Board meeting",
                "start": self.start,
                "stop": self.start + dt.timedelta(hours=1),
                "location": location,
            }
        )

    def test_create_names_the_display_of_the_location(self) -> None:
        """A new event in "board room" names boardroom only."""
        self.make_event("board room")
        self.assertEqual(self.pending_devices(), {"boardroom"})

    def test_moving_an_event_names_both_rooms(self) -> None:
        """Moving from Board Room to Lobby refreshes both signs."""
        event = self.make_event("Board Room")
        self.env.cr.postcommit.clear()
        event.location = "Lobby"
        self.assertEqual(self.pending_devices(), {"boardroom", "lobby"})

    def test_irrelevant_write_and_other_places_queue_nothing(self) -> None:
        """A description change, or an event elsewhere, does not bother the hub."""
        event = self.make_event("Somewhere else")
        self.assertEqual(self.pending_devices(), set())
        event.description = "agenda"
        self.assertEqual(self.pending_devices(), set())

    def test_delete_names_the_display(self) -> None:
        """Deleting the event frees the room on the sign."""
        event = self.make_event("Lobby")
        self.env.cr.postcommit.clear()
        event.unlink()
        self.assertEqual(self.pending_devices(), {"lobby"})

    def test_an_employees_booking_publishes_without_reading_a_secret(self) -> None:
        """Odoo publishes the room's /data: a plain employee's event at the room queues
        the display's id after commit, and no broker secret is read in their
        transaction; the hook (as the system) makes the job with the broker's password."""
        broker = self.env["room.rasp.broker"].create(
            {"name": "Odoo publishes", "host": "127.0.0.1", "port": 1883, "use_tls": False,
             "username": "odoo", "password": "calendar-secret", "publisher": "odoo"}
        )  # fmt: skip
        display = self.env["room.rasp.connection"].create(
            {"name": "odoo-room", "room_name": "Odoo Room", "broker_id": broker.id}
        )
        self.env.cr.postcommit.clear()
        employee = new_test_user(self.env, login="calendar-employee", groups="base.group_user")
        Model = type(self.env["room.rasp.connection"])
        original = Model._epaper_broker_values
        reads: list[bool] = []

        def spy(record):
            reads.append(record.env.su)
            return original(record)

        with patch.object(Model, "_epaper_broker_values", spy):
            self.env["calendar.event"].with_user(employee).create(
                {"name": "Stand-up", "start": self.start, "location": "Odoo Room",
                 "stop": self.start + dt.timedelta(minutes=30)}
            )  # fmt: skip
            self.assertEqual(reads, [])
            pending = self.env.cr.postcommit.data[PUBLISH_DATA_KEY]
            self.assertEqual(pending.displays, {display.id})
            jobs = self.env["room.rasp.connection"].sudo()._epaper_publish_jobs(pending)
        self.assertEqual([job.display_ids for job in jobs], [frozenset({display.id})])
        self.assertEqual(jobs[0].settings.password, "calendar-secret")
        self.assertTrue(reads and all(reads))

    def test_translation_template_is_current(self) -> None:
        """i18n/connection_conf_calendar.pot holds every term Odoo's exporter finds."""
        assert_template_is_current(self, "connection_conf_calendar")
