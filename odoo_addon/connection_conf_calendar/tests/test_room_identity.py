"""calendar.event reaches the right door through renames and companies: two companies
with a "Boardroom" each, read by each company's hub user (odoo-bin --test-enable)."""

from __future__ import annotations

from typing import Any

from odoo.tests import TransactionCase, new_test_user, tagged

START, END = "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z"


@tagged("post_install", "-at_install")
class TestRoomIdentityCalendar(TransactionCase):
    """Companies Alpha and Beta: a Boardroom display, an organizer and a hub user each."""

    @classmethod
    def setUpClass(cls) -> None:
        """The two companies and their people; a hub user of both companies."""
        super().setUpClass()
        cls.Display = cls.env["room.rasp.connection"]
        cls.companies = {
            key: cls.env["res.company"].create({"name": key.title()}) for key in ("alpha", "beta")
        }
        cls.displays: dict[str, Any] = {}
        cls.organizers: dict[str, Any] = {}
        cls.hubs: dict[str, Any] = {}
        for key, company in cls.companies.items():
            cls.displays[key] = cls.Display.create(
                {"name": f"board-{key}", "room_name": "Boardroom", "company_id": company.id}
            )
            cls.organizers[key] = new_test_user(
                cls.env,
                login=f"organizer-{key}",
                groups="base.group_user",
                company_id=company.id,
                company_ids=[company.id],
                calendar_default_privacy="public",
            )
            cls.hubs[key] = new_test_user(
                cls.env,
                login=f"hub-{key}",
                groups="base.group_user,connection_conf.group_epaper_reporter",
                company_id=company.id,
                company_ids=[company.id],
            )
        cls.hubs["both"] = new_test_user(
            cls.env,
            login="hub-both",
            groups="base.group_user,connection_conf.group_epaper_reporter",
            company_id=cls.companies["alpha"].id,
            company_ids=[c.id for c in cls.companies.values()],
        )

    def event(self, name: str, location: str, organizer: Any) -> Any:
        """A 10:00-11:00 UTC event on 2026-04-06 organized by ``organizer`` (or nobody)."""
        return (
            self.env["calendar.event"]
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "name": name,
                    "location": location,
                    "start": "2026-04-06 10:00:00",
                    "stop": "2026-04-06 11:00:00",
                    "user_id": organizer.id if organizer else False,
                    "partner_ids": [(6, 0, organizer.partner_id.ids)] if organizer else [],
                    "privacy": "public",
                }
            )
        )

    def answer(self, hub: str) -> dict[str, Any]:
        """The schedule answer of a hub user (a new request: empty cache)."""
        self.env.invalidate_all()
        return self.Display.with_user(self.hubs[hub]).epaper_schedule(START, END)

    def titles(self, hub: str) -> dict[str, list[tuple[str, Any]]]:
        """Device -> (title, organizer) of its events, as the hub user gets them."""
        return {
            d["device"]: [(e["title"], e["organizer"]) for e in d["events"]]
            for d in self.answer(hub)["displays"]
        }

    def test_each_company_gets_its_own_boardroom_meeting(self) -> None:
        """Alpha's hub never gets Beta's display or its meeting title and organizer."""
        self.event("Alpha merger", "Boardroom", self.organizers["alpha"])
        self.event("Beta layoffs", "boardroom", self.organizers["beta"])
        self.assertEqual(
            self.titles("alpha"), {"board-alpha": [("Alpha merger", self.organizers["alpha"].name)]}
        )
        self.assertEqual(
            self.titles("beta"), {"board-beta": [("Beta layoffs", self.organizers["beta"].name)]}
        )
        self.assertEqual(
            self.titles("both"),
            {
                "board-alpha": [("Alpha merger", self.organizers["alpha"].name)],
                "board-beta": [("Beta layoffs", self.organizers["beta"].name)],
            },
        )
        self.assertEqual(self.answer("both")["collisions"], {})

    def test_an_event_without_organizer_occupies_every_company_door_untitled(self) -> None:
        """No organizer, no company: both doors are busy, neither shows the title."""
        self.event("Who knows", "Boardroom", None)
        for hub in ("alpha", "beta"):
            with self.subTest(hub=hub):
                (events,) = self.titles(hub).values()
                self.assertEqual(events, [("", None)])

    def test_a_renamed_room_keeps_the_bookings_typed_with_its_old_name(self) -> None:
        """Boardroom -> Boardroom (EG): the event typed "Boardroom" stays at the door."""
        self.event("Alpha merger", "Boardroom", self.organizers["alpha"])
        self.displays["alpha"].room_name = "Boardroom (EG)"
        self.assertEqual(
            self.titles("alpha"), {"board-alpha": [("Alpha merger", self.organizers["alpha"].name)]}
        )
        room = next(d for d in self.answer("alpha")["displays"] if d["device"] == "board-alpha")
        self.assertEqual(room["room"], "Boardroom (EG)")

    def test_a_shared_room_name_in_one_company_is_in_the_answer(self) -> None:
        """A second Alpha display answering to "Boardroom" is a collision, both named."""
        self.Display.create(
            {
                "name": "lobby-alpha",
                "room_name": "Lobby",
                "location_aliases": "Boardroom",
                "company_id": self.companies["alpha"].id,
            }
        )
        collisions = {"board-alpha": ["lobby-alpha"], "lobby-alpha": ["board-alpha"]}
        self.assertEqual(self.answer("alpha")["collisions"], collisions)
        self.assertEqual(self.answer("beta")["collisions"], {})

    def test_another_companys_meeting_neither_blocks_nor_is_cancelled_at_the_door(self) -> None:
        """Beta's Boardroom meeting does not hold Alpha's Boardroom: Alpha's hub books it
        at the same hour, and cannot cancel Beta's meeting through Alpha's door."""
        beta_meeting = self.event("Beta layoffs", "Boardroom", self.organizers["beta"])
        hub = self.Display.with_user(self.hubs["alpha"])
        answer = hub.epaper_book(
            "board-alpha", "2026-04-06T10:00:00Z", "2026-04-06T10:30:00Z", "Alpha sync"
        )
        self.assertTrue(answer["ok"], answer)
        answer = hub.epaper_cancel("board-alpha", f"calendar.event,{beta_meeting.id}")
        self.assertEqual(answer["error"], "unknown_booking")
        self.assertTrue(beta_meeting.exists())
        answer = self.Display.with_user(self.hubs["beta"]).epaper_book(
            "board-beta", "2026-04-06T10:00:00Z", "2026-04-06T10:30:00Z", "Beta sync"
        )
        self.assertEqual(answer["error"], "overlap")
