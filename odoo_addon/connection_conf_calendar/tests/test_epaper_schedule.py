"""epaper_schedule with calendar.event: Odoo's privacy, all-day forms, show_as, archived
events, the room-matching rule and a bounded number of queries (odoo-bin --test-enable)."""

from __future__ import annotations

from typing import Any

from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestEpaperScheduleCalendar(TransactionCase):
    """The field cases 03, 05 and 06 and their kinds, read by a hub user who is neither
    organizer nor attendee of anything and has no timezone."""

    @classmethod
    def setUpClass(cls) -> None:
        """Displays kiel, bay (Los Angeles) and lindau (Berlin); organizers nadia (default
        private) and wes (default public); the hub user."""
        super().setUpClass()
        cls.env.company.partner_id.tz = False
        Display = cls.env["room.rasp.connection"]
        cls.displays = {
            name: Display.create({"name": name, "mqtt_host": "h", **values})
            for name, values in {
                "kiel": {"room_name": "Kiel"},
                "bay": {"room_name": "Bay Room", "tz": "America/Los_Angeles"},
                "lindau": {"room_name": "Lindau", "tz": "Europe/Berlin"},
                "board": {
                    "room_name": "Boardroom",
                    "location_aliases": "Boardroom, 2nd floor\n\n  BR-2  ",
                    "tz": "Europe/Berlin",
                },
            }.items()
        }
        cls.nadia = new_test_user(
            cls.env, login="nadia", groups="base.group_user", calendar_default_privacy="private"
        )
        cls.wes = new_test_user(
            cls.env, login="wes", groups="base.group_user", calendar_default_privacy="public"
        )
        cls.hub = new_test_user(
            cls.env,
            login="epaper-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
            tz=False,
        )

    def event(self, name: str, location: str, start: str, stop: str, **values: Any) -> Any:
        """Create an event organized (and attended) by ``values['user_id']`` (wes)."""
        organizer = values.pop("user_id", self.wes)
        return (
            self.env["calendar.event"]
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "name": name,
                    "location": location,
                    "start": start,
                    "stop": stop,
                    "user_id": organizer.id,
                    "partner_ids": [(6, 0, organizer.partner_id.ids)],
                    **values,
                }
            )
        )

    def events(self, device: str, start: str, end: str, **kwargs: Any) -> list[dict[str, Any]]:
        """The events of ``device`` in the hub user's answer (a new request: empty cache)."""
        self.env.invalidate_all()
        answer = (
            self.env["room.rasp.connection"]
            .with_user(self.hub)
            .epaper_schedule(start, end, **kwargs)
        )
        return next(d["events"] for d in answer["displays"] if d["device"] == device)

    def test_case_03_kiel_without_zone_gets_the_callers_default(self) -> None:
        """No display zone, no user zone, no company zone: the caller's default_tz."""
        sprint = self.event("Sprint planning", "Kiel", "2026-04-06 07:00:00", "2026-04-06 08:00:00")
        answer = (
            self.env["room.rasp.connection"]
            .with_user(self.hub)
            .epaper_schedule(
                "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z", default_tz="Europe/Berlin"
            )
        )
        kiel = next(d for d in answer["displays"] if d["device"] == "kiel")
        self.assertEqual(kiel["tz"], "Europe/Berlin")
        self.assertEqual(
            kiel["events"],
            [
                {
                    "title": "Sprint planning",
                    "start": "2026-04-06T07:00:00Z",
                    "end": "2026-04-06T08:00:00Z",
                    "organizer": self.wes.name,
                    "private": False,
                    "all_day": False,
                    "ref": f"calendar.event,{sprint.id}",
                }
            ],
        )

    def test_case_06_others_private_events_still_occupy_the_room(self) -> None:
        """Odoo shows the hub user "Busy" and no location; the door still gets them, private."""
        unset = self.event(
            "Works council", "Lindau", "2026-04-06 08:00:00", "2026-04-06 10:00:00",
            user_id=self.nadia, privacy=False,
        )  # fmt: skip
        private = self.event(
            "Salary talk", "Lindau", "2026-04-06 12:00:00", "2026-04-06 13:00:00",
            privacy="private",
        )  # fmt: skip
        confidential = self.event(
            "Budget", "Lindau", "2026-04-06 14:00:00", "2026-04-06 15:00:00",
            privacy="confidential",
        )  # fmt: skip
        self.env.invalidate_all()  # a new request: nothing cached from the creation
        seen = (
            self.env["calendar.event"]
            .with_user(self.hub)
            .search_read([("location", "=", "Lindau")], ["name", "location"], order="start")
        )
        # What Odoo itself shows the hub user: the private event blanked although the domain
        # on location matched it. (Whether an unset privacy with the organizer's default
        # private is blanked too depends on the 18.0 patch level: res.users.settings of
        # others are behind a record rule in older ones; the door hides it either way.)
        self.assertEqual(
            [(r["id"], r["name"], r["location"]) for r in seen if r["id"] != unset.id],
            [(private.id, "Busy", False), (confidential.id, "Budget", "Lindau")],
        )
        events = self.events("lindau", "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
        self.assertEqual(
            [(e["start"], e["title"], e["organizer"], e["private"]) for e in events],
            [
                ("2026-04-06T08:00:00Z", "", None, True),
                ("2026-04-06T12:00:00Z", "", None, True),
                ("2026-04-06T14:00:00Z", "", None, True),
            ],
        )

    def test_case_05_all_day_in_both_stored_forms_spans_local_days(self) -> None:
        """Google sync's 00:00/00:00 and the UI's 08:00/18:00 both span the local day in
        the display's zone, and stay in a window that starts at the next UTC midnight."""
        self.event(
            "AV upgrade", "Bay Room", "2026-04-05 00:00:00", "2026-04-05 00:00:00", allday=True
        )
        self.event(
            "Floor sanding", "Bay Room", "2026-04-06 08:00:00", "2026-04-06 18:00:00", allday=True
        )
        expected = [
            ("AV upgrade", "2026-04-05T07:00:00Z", "2026-04-06T07:00:00Z", True),
            ("Floor sanding", "2026-04-06T07:00:00Z", "2026-04-07T07:00:00Z", True),
        ]
        for start in ("2026-04-05T00:00:00Z", "2026-04-06T00:00:00Z"):
            with self.subTest(window_start=start):
                events = self.events("bay", start, "2026-04-08T00:00:00Z")
                self.assertEqual(
                    [(e["title"], e["start"], e["end"], e["all_day"]) for e in events], expected
                )
        self.assertEqual(
            self.events("bay", "2026-04-06T07:00:00Z", "2026-04-06T08:00:00Z")[0]["title"],
            "Floor sanding",
        )
        self.assertEqual(self.events("bay", "2026-04-07T07:00:00Z", "2026-04-08T00:00:00Z"), [])

    def test_show_as_free_still_occupies_the_room_archived_events_are_gone(self) -> None:
        """show_as is a person's free/busy, not the room's: a free event held in the room
        occupies it (a Google-synced all-day closure arrives free); archived events go."""
        self.event("Coffee", "Kiel", "2026-04-06 09:00:00", "2026-04-06 10:00:00", show_as="free")
        archived = self.event("Old", "Kiel", "2026-04-06 11:00:00", "2026-04-06 12:00:00")
        archived.active = False
        self.event("Kept", "Kiel", "2026-04-06 13:00:00", "2026-04-06 14:00:00")
        events = self.events("kiel", "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
        self.assertEqual([e["title"] for e in events], ["Coffee", "Kept"])

    def test_unicode_forms_of_a_location_find_the_room(self) -> None:
        """A decomposed "Su\u0308d" (typed on a Mac), capitals, full width, a soft hyphen
        or a no-break space all reach the display of room "Süd"."""
        self.env["room.rasp.connection"].create(
            {"name": "sud", "mqtt_host": "h", "room_name": "Süd"}
        )
        for index, location in enumerate(
            ["Su\u0308d", "SÜD", "\uff33\u00fcd", "S\u00adüd", "\u00a0Süd\u00a0"]
        ):
            hour = f"{8 + index:02d}"
            self.event(location, location, f"2026-04-06 {hour}:00:00", f"2026-04-06 {hour}:30:00")
        events = self.events("sud", "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
        self.assertEqual(len(events), 5)

    def test_location_rule_ignores_case_and_spaces_and_knows_aliases(self) -> None:
        """One rule for schedule and change notices: casefold, collapse spaces, aliases."""
        for index, location in enumerate(
            ["Boardroom", "  BOARDROOM ", "boardroom, 2nd  floor", "br-2", "Board room"]
        ):
            hour = f"{8 + index:02d}"
            self.event(location, location, f"2026-04-06 {hour}:00:00", f"2026-04-06 {hour}:30:00")
        events = self.events("board", "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
        self.assertEqual(
            [e["title"] for e in events],
            ["Boardroom", "  BOARDROOM ", "boardroom, 2nd  floor", "br-2"],
        )
        notified = self.env["room.rasp.connection"]._epaper_displays_for_locations(
            ["BOARDROOM,  2ND FLOOR", "Board room"]
        )
        self.assertEqual(notified.mapped("name"), ["board"])

    def test_events_sorted_and_empty_ones_dropped(self) -> None:
        """Sorted by start; an event with no duration shows nothing at the door."""
        self.event("Late", "Kiel", "2026-04-06 15:00:00", "2026-04-06 16:00:00")
        self.event("Early", "Kiel", "2026-04-06 06:00:00", "2026-04-06 07:00:00")
        self.event("Reminder", "Kiel", "2026-04-06 09:00:00", "2026-04-06 09:00:00")
        events = self.events("kiel", "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
        self.assertEqual([e["title"] for e in events], ["Early", "Late"])

    def test_queries_do_not_grow_with_displays(self) -> None:
        """One query per source: 4 displays or 24 cost the same number of queries."""
        self.event("Sprint planning", "Kiel", "2026-04-06 07:00:00", "2026-04-06 08:00:00")

        def queries() -> int:
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.events("kiel", "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
            return self.env.cr.sql_log_count - before

        queries()  # warm the registry's caches
        few = queries()
        for index in range(20):
            name = f"room-{index}"
            self.env["room.rasp.connection"].create(
                {"name": name, "room_name": f"Room {index}", "mqtt_host": "h"}
            )
            self.event("Meeting", f"Room {index}", "2026-04-06 10:00:00", "2026-04-06 11:00:00")
        self.assertEqual(queries(), few)
