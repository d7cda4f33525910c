"""A calendar event at a display's room queues one change notice per transaction."""

from __future__ import annotations

import datetime as dt

from odoo.addons.connection_conf.mqtt_runtime import CHANGED_DATA_KEY
from odoo.addons.connection_conf.tests.i18n_template import assert_template_is_current
from odoo.tests import TransactionCase, tagged


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

    def test_translation_template_is_current(self) -> None:
        """i18n/connection_conf_calendar.pot holds every term Odoo's exporter finds."""
        assert_template_is_current(self, "connection_conf_calendar")
