"""The schedule's set-based read (``connection_conf.schedule_read``) against the ORM's own
``web_search_read``, and what the caller's rules do to the answer (odoo-bin --test-enable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from odoo import fields
from odoo.addons.connection_conf.schedule_read import read_records
from odoo.tests import TransactionCase, new_test_user, tagged

from ..schedule_source import CalendarEventSource

DAY = ("2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")


def _as_web(value: Any) -> Any:
    """A record (or list, or value) with dates as Odoo's text, ``web_search_read`` giving
    them as objects or text depending on the series, and None as Odoo's False."""
    if value is None:
        return False
    if isinstance(value, dt.datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, dt.date):
        return fields.Date.to_string(value)
    if isinstance(value, dict):
        return {key: _as_web(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_web(item) for item in value]
    return value


@tagged("post_install", "-at_install")
class TestScheduleRead(TransactionCase):
    """Events of every kind the door meets, read both ways; a hub user whose calendar rules
    hide some of them."""

    @classmethod
    def setUpClass(cls) -> None:
        """Display kiel; organizers nadia (default private) and wes; the hub user; events:
        public, private, confidential, unset privacy, all-day, archived, no organizer,
        another room, and one outside the window."""
        super().setUpClass()
        cls.env["room.rasp.connection"].create(
            {"name": "kiel", "room_name": "Kiel", "mqtt_host": "h", "tz": "Europe/Berlin"}
        )
        cls.nadia = new_test_user(
            cls.env, login="nadia", groups="base.group_user", calendar_default_privacy="private"
        )
        cls.wes = new_test_user(cls.env, login="wes", groups="base.group_user")
        cls.hub = new_test_user(
            cls.env,
            login="epaper-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
        )
        Event = cls.env["calendar.event"].with_context(mail_create_nosubscribe=True)
        rows: list[tuple[str, str, str, dict[str, Any]]] = [
            ("Planning", "Kiel", "08:00", {}),
            ("Salary talk", " KIEL ", "09:00", {"privacy": "private"}),
            ("Budget", "kiel", "10:00", {"privacy": "confidential"}),
            ("Works council", "Kiel", "11:00", {"user_id": cls.nadia.id, "privacy": False}),
            ("Fair", "Kiel", "00:00", {"allday": True, "start_date": "2026-04-06",
                                       "stop_date": "2026-04-06"}),
            ("Gone", "Kiel", "12:00", {"active": False}),
            ("Walk-in", "Kiel", "13:00", {"user_id": False}),
            ("Elsewhere", "Lindau", "14:00", {}),
            ("Next week", "Kiel", "15:00", {"start": "2026-04-13 15:00:00",
                                            "stop": "2026-04-13 16:00:00"}),
        ]  # fmt: skip
        cls.events = Event.create(
            [
                {
                    "name": name,
                    "location": location,
                    "start": f"2026-04-06 {at}:00",
                    "stop": f"2026-04-06 {at[:2]}:45:00",
                    "user_id": cls.wes.id,
                    **values,
                }
                for name, location, at, values in rows
            ]
        )

    def answer(self, user: Any) -> dict[str, Any]:
        """``user``'s full answer for the day, as a new request (empty cache)."""
        self.env.invalidate_all()
        answer = (
            self.env["room.rasp.connection"]
            .with_user(user)
            .epaper_schedule(*DAY, sources=["calendar"])
        )
        return {key: value for key, value in answer.items() if key != "cursor"}

    def test_records_are_web_search_reads(self) -> None:
        """Same records, same values, same order as the superuser's ``web_search_read``, for
        the calendar source's domain and specification plus a one2many (read by web_read)."""
        source = CalendarEventSource()
        domain = [("epaper_location_key", "in", ["kiel", "lindau"])]
        for spec in (source.specification, {**source.specification, "partner_ids": {}}):
            model = self.env["calendar.event"].sudo().with_context(active_test=True)
            self.env.invalidate_all()
            expected = model.web_search_read(domain, spec, order="id")["records"]
            self.env.invalidate_all()
            got = read_records(model, domain, spec)
            self.assertEqual(_as_web(got), _as_web(expected))
        self.assertEqual(len(expected), 8)  # every one but the archived event

    def test_only_the_superuser_reads(self) -> None:
        """Stored values as they are are the superuser's: anyone else is refused."""
        with self.assertRaises(ValueError):
            read_records(self.env["calendar.event"].with_user(self.hub), [], {"name": {}})

    def test_the_callers_calendar_rules_do_not_empty_a_room(self) -> None:
        """The door's answer is read as superuser after the rights check (protocol.md):
        a (global) record rule hiding events from the hub user changes nothing at the door."""
        before = self.answer(self.hub)
        self.env["ir.rule"].create(
            {
                "name": "hub sees no meetings of wes",
                "model_id": self.env["ir.model"]._get_id("calendar.event"),
                "domain_force": f"[('user_id', '!=', {self.wes.id})]",
            }
        )
        self.env.invalidate_all()
        hidden = self.env["calendar.event"].with_user(self.hub).search([("location", "=", "Kiel")])
        self.assertNotIn("Planning", hidden.mapped("name"))
        self.assertEqual(self.answer(self.hub), before)
        self.assertIn("Planning", [e["title"] for e in before["displays"][0]["events"]])

    def test_every_kind_of_event_at_the_door(self) -> None:
        """Timed in order, private ones untitled, the all-day one over the local day,
        the walk-in untitled, the archived, other-room and next-week ones absent."""
        (kiel,) = self.answer(self.hub)["displays"]
        self.assertEqual(
            [(e["start"], e["end"], e["title"], e["organizer"], e["private"], e["all_day"])
             for e in kiel["events"]],
            [
                ("2026-04-05T22:00:00Z", "2026-04-06T22:00:00Z", "Fair", self.wes.name,
                 False, True),
                ("2026-04-06T08:00:00Z", "2026-04-06T08:45:00Z", "Planning", self.wes.name,
                 False, False),
                ("2026-04-06T09:00:00Z", "2026-04-06T09:45:00Z", "", None, True, False),
                ("2026-04-06T10:00:00Z", "2026-04-06T10:45:00Z", "", None, True, False),
                ("2026-04-06T11:00:00Z", "2026-04-06T11:45:00Z", "", None, True, False),
                ("2026-04-06T13:00:00Z", "2026-04-06T13:45:00Z", "", None, True, False),
            ],
        )  # fmt: skip
