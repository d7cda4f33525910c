"""epaper_schedule with Meeting Rooms (room.booking, Odoo 18.0 Enterprise): matched by
room, the same answer as calendar events."""

from __future__ import annotations

import datetime as dt

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestEpaperScheduleRoomBooking(TransactionCase):
    """Bookings reach the displays linked to their room, as the hub user reads them."""

    @classmethod
    def setUpClass(cls) -> None:
        """Two rooms, a linked display and one labelled by name only, the hub user."""
        super().setUpClass()
        office = cls.env["room.office"].create({"name": "HQ"})
        cls.room = cls.env["room.room"].create({"name": "Aquarium", "office_id": office.id})
        cls.cellar = cls.env["room.room"].create({"name": "Cellar", "office_id": office.id})
        Display = cls.env["room.rasp.connection"]
        Display.create(
            {"name": "aquarium", "room_id": cls.room.id, "tz": "Europe/Berlin", "mqtt_host": "h"}
        )
        Display.create({"name": "cellar-door", "room_name": " CELLAR ", "mqtt_host": "h"})
        cls.hub = new_test_user(
            cls.env,
            login="epaper-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
        )

    def test_bookings_by_room(self) -> None:
        """Linked by room id, else by the room's name (case and spaces ignored)."""
        start = dt.datetime(2026, 4, 6, 8, 0)
        for room, name in ((self.room, "Stand-up"), (self.cellar, "Wine tasting")):
            self.env["room.booking"].create(
                {
                    "name": name,
                    "room_id": room.id,
                    "start_datetime": start,
                    "stop_datetime": start + dt.timedelta(hours=1),
                }
            )
        answer = (
            self.env["room.rasp.connection"]
            .with_user(self.hub)
            .epaper_schedule(
                "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z", sources=["room.booking"]
            )
        )
        events = {d["device"]: d["events"] for d in answer["displays"]}
        self.assertEqual(
            [(e["title"], e["start"], e["end"], e["private"], e["all_day"]) for e in
             events["aquarium"]],
            [("Stand-up", "2026-04-06T08:00:00Z", "2026-04-06T09:00:00Z", False, False)],
        )  # fmt: skip
        self.assertEqual([e["title"] for e in events["cellar-door"]], ["Wine tasting"])

    def test_a_booking_reaches_only_its_rooms_company(self) -> None:
        """Beta's "Cellar" room: its booking never reaches Alpha's unlinked cellar-door,
        and a display cannot be linked to another company's room."""
        beta = self.env["res.company"].create({"name": "Beta"})
        beta_office = self.env["room.office"].create({"name": "Beta HQ", "company_id": beta.id})
        beta_cellar = self.env["room.room"].create({"name": "Cellar", "office_id": beta_office.id})
        start = dt.datetime(2026, 4, 6, 8, 0)
        for room, name in ((self.cellar, "Wine tasting"), (beta_cellar, "Beta secrets")):
            self.env["room.booking"].create(
                {
                    "name": name,
                    "room_id": room.id,
                    "start_datetime": start,
                    "stop_datetime": start + dt.timedelta(hours=1),
                }
            )
        answer = (
            self.env["room.rasp.connection"]
            .with_user(self.hub)
            .epaper_schedule(
                "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z", sources=["room.booking"]
            )
        )
        events = {d["device"]: [e["title"] for e in d["events"]] for d in answer["displays"]}
        self.assertEqual(events["cellar-door"], ["Wine tasting"])
        with self.assertRaises(UserError):
            self.env["room.rasp.connection"].create(
                {"name": "beta-cellar", "room_id": beta_cellar.id, "mqtt_host": "h"}
            )

    def test_a_renamed_room_keeps_its_old_name_for_calendar_events(self) -> None:
        """Aquarium renamed: the linked display answers to "Aquarium" as an alias, so
        calendar events typed with the old name still reach it; a case-only rename adds
        nothing."""
        display = self.env["room.rasp.connection"].search([("name", "=", "aquarium")])
        self.room.name = "Aquarium (EG)"
        self.assertEqual(display.location_aliases, "Aquarium")
        self.room.name = "AQUARIUM (eg)"
        self.assertEqual(display.location_aliases, "Aquarium")
        self.assertIn("aquarium", display._epaper_room_labels())
