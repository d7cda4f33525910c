"""Incremental epaper_schedule with calendar.event: each kind of change appears in the
next answer exactly once, an unchanged schedule reads (almost) nothing
(odoo-bin --test-enable)."""

from __future__ import annotations

from typing import Any

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

START = "2026-04-06T00:00:00Z"
END = "2026-04-13T00:00:00Z"


@tagged("post_install", "-at_install")
class TestEpaperScheduleSync(TransactionCase):
    """Displays kiel and lindau, events at Kiel, read by the hub's user with a cursor."""

    @classmethod
    def setUpClass(cls) -> None:
        """Two displays, one event at Kiel, the hub user."""
        super().setUpClass()
        Display = cls.env["room.rasp.connection"]
        cls.kiel = Display.create({"name": "kiel", "mqtt_host": "h", "room_name": "Kiel"})
        cls.lindau = Display.create({"name": "lindau", "mqtt_host": "h", "room_name": "Lindau"})
        cls.hub = new_test_user(
            cls.env,
            login="epaper-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
        )
        cls.planning = cls.event("Planning", "Kiel")

    @classmethod
    def event(cls, name: str, location: str) -> Any:
        """An event on 2026-04-06 at ``location``."""
        return (
            cls.env["calendar.event"]
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "name": name,
                    "location": location,
                    "start": "2026-04-06 09:00:00",
                    "stop": "2026-04-06 10:00:00",
                }
            )
        )

    def answer(self, cursor: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """The hub user's answer (a new request: empty cache)."""
        self.env.invalidate_all()
        return (
            self.env["room.rasp.connection"]
            .with_user(self.hub)
            .epaper_schedule(START, END, cursor=cursor, **kwargs)
        )

    def titles(self, answer: dict[str, Any]) -> dict[str, list[str]]:
        """Device -> its event titles, for the displays in the answer."""
        return {d["device"]: [e["title"] for e in d["events"]] for d in answer["displays"]}

    def assert_next(self, cursor: str, devices: list[str], removed: list[str] = ()) -> Any:
        """The next answer names exactly ``devices`` (once each) and ``removed``; the one
        after it nothing. Returns the next answer."""
        following = self.answer(cursor)
        named = [d["device"] for d in following["displays"]]
        self.assertEqual(sorted(named), sorted(devices))
        self.assertEqual(following["removed"], sorted(removed))
        self.assertFalse(following["full"])
        after = self.answer(following["cursor"])
        self.assertEqual((after["displays"], after["removed"]), ([], []))
        return following

    def test_full_answer_without_cursor_is_api_1(self) -> None:
        """No cursor: every display, a cursor, nothing removed."""
        first = self.answer()
        self.assertEqual(first["api"], 1)
        self.assertTrue(first["full"])
        self.assertEqual(first["removed"], [])
        self.assertIsInstance(first["cursor"], str)
        self.assertEqual(self.titles(first), {"kiel": ["Planning"], "lindau": []})

    def test_unchanged_schedule_answers_nothing_and_reads_one_query(self) -> None:
        """The unchanged cycle: no display, no event read, one query on the log."""
        cursor = self.answer()["cursor"]
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=1):
            unchanged = (
                self.env["room.rasp.connection"]
                .with_user(self.hub)
                .epaper_schedule(START, END, cursor=cursor)
            )
        self.assertEqual((unchanged["displays"], unchanged["removed"]), ([], []))

    def test_event_created(self) -> None:
        """A new event at Lindau: lindau, with it."""
        cursor = self.answer()["cursor"]
        self.event("Review", "Lindau")
        following = self.assert_next(cursor, ["lindau"])
        self.assertEqual(self.titles(following), {"lindau": ["Review"]})

    def test_event_edited(self) -> None:
        """A renamed event: kiel, with the new title."""
        cursor = self.answer()["cursor"]
        self.planning.name = "Planning, moved to 9"
        following = self.assert_next(cursor, ["kiel"])
        self.assertEqual(self.titles(following), {"kiel": ["Planning, moved to 9"]})

    def test_event_moved_to_another_room(self) -> None:
        """An event moved from Kiel to Lindau: both rooms."""
        cursor = self.answer()["cursor"]
        self.planning.location = "Lindau"
        following = self.assert_next(cursor, ["kiel", "lindau"])
        self.assertEqual(self.titles(following), {"kiel": [], "lindau": ["Planning"]})

    def test_event_archived(self) -> None:
        """An archived event: kiel, without it."""
        cursor = self.answer()["cursor"]
        self.planning.active = False
        following = self.assert_next(cursor, ["kiel"])
        self.assertEqual(self.titles(following), {"kiel": []})

    def test_event_deleted(self) -> None:
        """A deleted event: kiel, without it."""
        cursor = self.answer()["cursor"]
        self.planning.unlink()
        following = self.assert_next(cursor, ["kiel"])
        self.assertEqual(self.titles(following), {"kiel": []})

    def test_display_edited(self) -> None:
        """A display's zone changed: that display."""
        cursor = self.answer()["cursor"]
        self.lindau.tz = "Europe/Berlin"
        following = self.assert_next(cursor, ["lindau"])
        self.assertEqual(following["displays"][0]["tz"], "Europe/Berlin")

    def test_display_status_alone_is_no_change(self) -> None:
        """The status mirror's writes change no answer."""
        cursor = self.answer()["cursor"]
        self.lindau.write({"mqtt_connection_state": "online", "last_error": "x"})
        self.assert_next(cursor, [])

    def test_display_archived_deleted_renamed(self) -> None:
        """Archived, renamed and deleted displays land in removed."""
        cursor = self.answer()["cursor"]
        self.lindau.active = False
        cursor = self.assert_next(cursor, [], removed=["lindau"])["cursor"]
        self.kiel.name = "kiel-2"
        cursor = self.assert_next(cursor, ["kiel-2"], removed=["kiel"])["cursor"]
        self.kiel.unlink()
        self.assert_next(cursor, [], removed=["kiel-2"])

    def test_display_created(self) -> None:
        """A new display: it, with its room's events."""
        cursor = self.answer()["cursor"]
        self.env["room.rasp.connection"].create(
            {"name": "annex", "mqtt_host": "h", "room_name": "Kiel"}
        )
        following = self.assert_next(cursor, ["annex"])
        self.assertEqual(self.titles(following), {"annex": ["Planning"]})

    def test_cursor_of_other_arguments_or_garbage_gives_a_full_answer(self) -> None:
        """A cursor answers only the question it came from."""
        cursor = self.answer()["cursor"]
        for other in (
            self.answer(cursor, devices=["kiel"]),
            self.answer(cursor, default_tz="Europe/Paris"),
            self.answer("not a cursor"),
        ):
            self.assertTrue(other["full"])
            self.assertTrue(other["displays"])

    def test_devices_limit_the_incremental_answer(self) -> None:
        """With devices, only those are answered or removed."""
        cursor = self.answer(devices=["kiel"])["cursor"]
        self.planning.location = "Lindau"
        following = self.answer(cursor, devices=["kiel"])
        self.assertEqual(self.titles(following), {"kiel": []})
        self.assertEqual(following["removed"], [])

    def test_pages_hold_every_display_once_with_one_cursor(self) -> None:
        """page_size 1: one display per page, next_page until the last, the first page's
        cursor on each; a change made while paging comes with the next incremental read."""
        first = self.answer(page_size=1)
        pages = [first]
        while pages[-1]["next_page"]:
            if len(pages) == 1:
                self.event("Meanwhile", "Lindau")
            pages.append(self.answer(page_size=1, page=pages[-1]["next_page"]))
        names = [d["device"] for page in pages for d in page["displays"]]
        self.assertEqual(names, sorted(self.env["room.rasp.connection"].search([]).mapped("name")))
        self.assertTrue(all(len(page["displays"]) <= 1 for page in pages))
        self.assertEqual({page["cursor"] for page in pages}, {first["cursor"]})
        self.assert_next(first["cursor"], ["lindau"])

    def test_bad_paging_arguments_are_user_errors(self) -> None:
        """A page size out of range or a page token of another call: UserError."""
        token = self.answer(page_size=1)["next_page"]
        with self.assertRaises(UserError):
            self.answer(page_size=0)
        with self.assertRaises(UserError):
            self.env["room.rasp.connection"].with_user(self.hub).epaper_schedule(
                START, "2026-04-14T00:00:00Z", page_size=1, page=token
            )

    def test_sources_are_listed_and_asked_for_by_id(self) -> None:
        """This module's source is listed by its id; auto, the id and (for older hubs)
        the model read it; an id not installed is a UserError."""
        Display = self.env["room.rasp.connection"].with_user(self.hub)
        listed = Display.epaper_schedule_sources()
        self.assertIn(
            {"id": "calendar", "name": listed[-1]["name"], "model": "calendar.event"}, listed
        )
        for sources in (["auto"], ["calendar"], ["calendar.event"]):
            answer = Display.epaper_schedule(START, END, sources=sources)
            self.assertEqual(self.titles(answer)["kiel"], ["Planning"])
        with self.assertRaises(UserError):
            Display.epaper_schedule(START, END, sources=["no_such_source"])
