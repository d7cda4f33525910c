"""Odoo-side tests of room.rasp.connection.epaper_schedule without a schedule source:
rights, arguments, archived displays, the timezone chain and the locale."""

from __future__ import annotations

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

START, END = "2026-04-05T00:00:00Z", "2026-04-07T00:00:00Z"


@tagged("post_install", "-at_install")
class TestEpaperSchedule(TransactionCase):
    """The displays part of the answer, as the hub's user reads it."""

    @classmethod
    def setUpClass(cls) -> None:
        """Three displays (one archived), a hub user without a timezone, a portal user."""
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.company_partner = cls.env.company.partner_id
        cls.company_partner.write({"tz": False, "lang": "en_US"})
        Display = cls.env["room.rasp.connection"]
        cls.kiel = Display.create({"name": "kiel", "room_name": "Kiel", "mqtt_host": "h"})
        cls.bay = Display.create(
            {
                "name": "bay",
                "room_name": "Bay Room",
                "tz": "America/Los_Angeles",
                "lang": "de_DE",
                "topic_prefix": "test/room/",
                "mqtt_host": "h",
            }
        )
        cls.old = Display.create({"name": "old-sign", "room_name": "Storage", "mqtt_host": "h"})
        cls.old.active = False
        cls.hub = new_test_user(
            cls.env,
            login="epaper-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
            tz=False,
        )
        cls.stranger = new_test_user(cls.env, login="stranger", groups="base.group_portal")

    def schedule(self, **kwargs: object) -> dict[str, dict[str, object]]:
        """The hub user's answer, by device."""
        answer = (
            self.env["room.rasp.connection"]
            .with_user(self.hub)
            .epaper_schedule(START, END, **kwargs)
        )
        self.assertEqual(answer["api"], 1)
        return {display["device"]: display for display in answer["displays"]}

    def test_every_active_display_and_its_keys(self) -> None:
        """Archived displays are left out; each display carries the keys of DESIGN.md 4."""
        displays = self.schedule(default_tz="Europe/Berlin")
        self.assertEqual(set(displays), {"bay", "kiel"})
        self.assertEqual(
            displays["bay"],
            {
                "device": "bay",
                "room": "Bay Room",
                "topic_prefix": "test/room/",
                "tz": "America/Los_Angeles",
                "locale": "de-DE",
                "qr": None,
                "panel_model": None,
                "publisher": "home_assistant",
                "events": [],
            },
        )
        self.assertIsNone(displays["kiel"]["topic_prefix"])

    def test_devices_limit_the_answer(self) -> None:
        """``devices`` names the displays wanted; unknown and archived ones are absent."""
        self.assertEqual(set(self.schedule(devices=["kiel", "old-sign", "nope"])), {"kiel"})
        self.assertEqual(self.schedule(devices=[]), {})

    def test_timezone_chain(self) -> None:
        """Display, then the caller's zone, then the company's, then default_tz; "UTC" only
        when the caller sent none, never a zone made up in between."""
        self.assertEqual(self.schedule(default_tz="Europe/Berlin")["kiel"]["tz"], "Europe/Berlin")
        self.assertEqual(self.schedule()["kiel"]["tz"], "UTC")
        self.company_partner.tz = "Asia/Tokyo"
        self.assertEqual(self.schedule(default_tz="Europe/Berlin")["kiel"]["tz"], "Asia/Tokyo")
        self.hub.tz = "Europe/Brussels"
        self.assertEqual(self.schedule(default_tz="Europe/Berlin")["kiel"]["tz"], "Europe/Brussels")
        self.assertEqual(self.schedule()["bay"]["tz"], "America/Los_Angeles")

    def test_locale_from_display_else_company(self) -> None:
        """The display's language as BCP 47, else the company's."""
        displays = self.schedule()
        self.assertEqual(displays["bay"]["locale"], "de-DE")
        self.assertEqual(displays["kiel"]["locale"], "en-US")
        self.company_partner.lang = "de_DE"
        self.assertEqual(self.schedule()["kiel"]["locale"], "de-DE")

    def test_a_user_without_the_group_gets_access_error(self) -> None:
        """Reading displays is the right the schedule needs (internal users have it)."""
        with self.assertRaises(AccessError):
            self.env["room.rasp.connection"].with_user(self.stranger).epaper_schedule(START, END)

    def test_unusable_arguments_are_user_errors(self) -> None:
        """A bad window, zone, device list or source is refused with the reason."""
        Display = self.env["room.rasp.connection"].with_user(self.hub)
        for args, kwargs in [
            ((END, START), {}),
            (("yesterday", END), {}),
            ((START, END), {"default_tz": "Mars/Olympus"}),
            ((START, END), {"devices": "kiel"}),
            ((START, END), {"sources": ["res.partner"]}),
        ]:
            with self.subTest(args=args, kwargs=kwargs), self.assertRaises(UserError):
                Display.epaper_schedule(*args, **kwargs)
