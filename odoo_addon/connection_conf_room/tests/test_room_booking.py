"""Displays linked to Meeting Rooms: room names and booking change notices."""

from __future__ import annotations

import datetime as dt

from odoo.addons.connection_conf.mqtt_runtime import CHANGED_DATA_KEY
from odoo.addons.connection_conf.tests.i18n_template import assert_template_is_current
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestRoomBookingPush(TransactionCase):
    """Bookings of a linked room queue a change notice for its display."""

    @classmethod
    def setUpClass(cls) -> None:
        """Two rooms, one display linked to the first."""
        super().setUpClass()
        office = cls.env["room.office"].create({"name": "HQ"})
        cls.room = cls.env["room.room"].create({"name": "Aquarium", "office_id": office.id})
        cls.other_room = cls.env["room.room"].create({"name": "Cellar", "office_id": office.id})
        cls.display = cls.env["room.rasp.connection"].create(
            {"name": "aquarium", "room_id": cls.room.id, "mqtt_host": "127.0.0.1"}
        )
        cls.start = dt.datetime(2026, 11, 27, 10, 0)

    def setUp(self) -> None:
        """Start each test with no pending notice."""
        super().setUp()
        self.env.cr.postcommit.clear()

    def pending_devices(self) -> set[str]:
        """Device names waiting for the commit."""
        return set(self.env.cr.postcommit.data.get(CHANGED_DATA_KEY, ()))

    def book(self, room: object) -> object:
        """Book ``room`` for an hour."""
        return self.env["room.booking"].create(
            {
                "name": "Stand-up",
                "room_id": room.id,
                "start_datetime": self.start,
                "stop_datetime": self.start + dt.timedelta(hours=1),
            }
        )

    def test_room_name_wins_over_the_text(self) -> None:
        """The linked room's name is what events are matched against."""
        self.display.room_name = "Old label"
        found = self.env["room.rasp.connection"]._epaper_displays_for_locations(["aquarium"])
        self.assertEqual(found, self.display)

    def test_booking_lifecycle_queues_notices(self) -> None:
        """Create, move to another room and delete: the display is named each time."""
        booking = self.book(self.room)
        self.assertEqual(self.pending_devices(), {"aquarium"})
        self.env.cr.postcommit.clear()
        booking.room_id = self.other_room
        self.assertEqual(self.pending_devices(), {"aquarium"})
        self.env.cr.postcommit.clear()
        booking.unlink()
        self.assertEqual(self.pending_devices(), set())

    def test_booking_of_a_room_without_display_queues_nothing(self) -> None:
        """No display on the Cellar door: nothing to tell."""
        self.book(self.other_room)
        self.assertEqual(self.pending_devices(), set())

    def test_translation_template_is_current(self) -> None:
        """The running series' template of connection_conf_room holds every term Odoo's
        exporter finds, and no other."""
        assert_template_is_current(self, "connection_conf_room")
