"""Booking, door actions and no-show release on calendar events (odoo-bin --test-enable)."""

from __future__ import annotations

import datetime as dt

from odoo.tests import TransactionCase, new_test_user, tagged

NOW = dt.datetime(2026, 11, 27, 10, 0)


def z(moment: dt.datetime) -> str:
    """ISO 8601 UTC with Z, as the hub sends it."""
    return moment.isoformat() + "Z"


@tagged("post_install", "-at_install")
class TestEpaperBooking(TransactionCase):
    """The hub books and acts on the Board Room display's calendar events."""

    @classmethod
    def setUpClass(cls) -> None:
        """A display, a meeting 11:00-12:00 there, the hub's user, a colleague and an outsider."""
        super().setUpClass()
        cls.display = cls.env["room.rasp.connection"].create(
            {"name": "boardroom", "room_name": "Board Room", "mqtt_host": "127.0.0.1"}
        )
        cls.hub = new_test_user(
            cls.env,
            login="epaper-hub",
            groups="base.group_user,connection_conf.group_epaper_reporter",
        )
        cls.colleague = new_test_user(cls.env, login="colleague", groups="base.group_user")
        cls.outsider = new_test_user(
            cls.env, login="no-calendar", groups="connection_conf.group_epaper_reporter"
        )
        cls.meeting = (
            cls.env["calendar.event"]
            .with_user(cls.colleague)
            .create(
                {
                    "name": "Board meeting",
                    "location": "board room",
                    "start": NOW + dt.timedelta(hours=1),
                    "stop": NOW + dt.timedelta(hours=2),
                }
            )
        )
        cls.Hub = cls.env["room.rasp.connection"].with_user(cls.hub)

    def event(self, ref: str) -> object:
        """The calendar.event of an answer's ``ref``."""
        model, _, record_id = ref.partition(",")
        self.assertEqual(model, "calendar.event")
        return self.env["calendar.event"].browse(int(record_id))

    def test_book_creates_an_event_at_the_room_organized_by_the_hub(self) -> None:
        """A free window becomes a calendar.event at the room, organized by the caller."""
        answer = self.Hub.epaper_book(
            "boardroom", z(NOW), z(NOW + dt.timedelta(minutes=30)), "Sync"
        )
        self.assertTrue(answer["ok"], answer)
        event = self.event(answer["ref"])
        self.assertEqual(event.name, "Sync")
        self.assertEqual(event.location, "Board Room")
        self.assertEqual(event.user_id, self.hub)
        self.assertEqual((event.start, event.stop), (NOW, NOW + dt.timedelta(minutes=30)))
        self.assertEqual(answer["end"], "2026-11-27T10:30:00Z")

    def test_overlap_is_refused(self) -> None:
        """A window that overlaps the meeting is refused with code "overlap"; nothing is written."""
        before = self.env["calendar.event"].search_count([])
        answer = self.Hub.epaper_book(
            "boardroom", z(NOW + dt.timedelta(minutes=90)), z(NOW + dt.timedelta(hours=3))
        )
        self.assertEqual(answer["error"], "overlap")
        self.assertFalse(answer["ok"])
        self.assertEqual(self.env["calendar.event"].search_count([]), before)

    def test_a_private_event_of_someone_else_still_holds_the_room(self) -> None:
        """Private events hide their location from the hub, but still hold the room."""
        self.meeting.privacy = "private"
        answer = self.Hub.epaper_book(
            "boardroom", z(NOW + dt.timedelta(hours=1)), z(NOW + dt.timedelta(hours=2))
        )
        self.assertEqual(answer["error"], "overlap")

    def test_bad_requests_are_refused_with_their_code(self) -> None:
        """Unknown display, reversed window, unknown booking and action."""
        self.assertEqual(self.Hub.epaper_book("nowhere", z(NOW), z(NOW))["error"], "unknown_device")
        self.assertEqual(
            self.Hub.epaper_book("boardroom", z(NOW), z(NOW - dt.timedelta(hours=1)))["error"],
            "bad_window",
        )
        self.assertEqual(
            self.Hub.epaper_cancel("boardroom", "res.partner,1")["error"], "unknown_booking"
        )
        self.assertEqual(
            self.Hub.epaper_door_action("boardroom", "dance", now=z(NOW))["error"], "bad_action"
        )

    def test_rights_are_checked_in_odoo(self) -> None:
        """A caller without calendar rights gets "forbidden"; nothing is written."""
        Display = self.env["room.rasp.connection"].with_user(self.outsider)
        answer = Display.epaper_book("boardroom", z(NOW), z(NOW + dt.timedelta(minutes=15)))
        self.assertEqual(answer["error"], "forbidden")
        self.assertEqual(
            Display.epaper_cancel("boardroom", f"calendar.event,{self.meeting.id}")["error"],
            "forbidden",
        )
        self.assertTrue(self.meeting.exists())

    def test_someone_elses_private_meeting_cannot_be_ended_by_the_hub(self) -> None:
        """Odoo's private-event rule forbids the hub to write it: end_now is refused."""
        self.meeting.privacy = "private"
        later = NOW + dt.timedelta(minutes=70)
        answer = self.Hub.epaper_door_action("boardroom", "end_now", now=z(later))
        self.assertEqual(answer["error"], "forbidden")
        self.assertEqual(self.meeting.stop, NOW + dt.timedelta(hours=2))

    def test_a_door_never_extends_past_the_longest_booking(self) -> None:
        """The hub's longest booking bounds a door's extensions in total: the one-hour
        meeting extended by 60 with a bound of 90 ends 90 minutes after its start, then
        refuses (too_long)."""
        later = z(NOW + dt.timedelta(minutes=70))
        answer = self.Hub.epaper_door_action("boardroom", "extend", 60, now=later, max_minutes=90)
        self.assertTrue(answer["ok"], answer)
        self.assertEqual(answer["end"], "2026-11-27T12:30:00Z")
        again = self.Hub.epaper_door_action("boardroom", "extend", 60, now=later, max_minutes=90)
        self.assertEqual(again["error"], "too_long")
        self.assertEqual(self.meeting.stop, NOW + dt.timedelta(minutes=150))

    def test_cancel_deletes_the_booking(self) -> None:
        """The hub cancels a booking of the room."""
        answer = self.Hub.epaper_cancel("boardroom", f"calendar.event,{self.meeting.id}")
        self.assertTrue(answer["ok"], answer)
        self.assertFalse(self.meeting.exists())

    def test_book_now_runs_up_to_the_next_meeting(self) -> None:
        """book_now 30 at 10:45 is cut at 11:00 (the meeting); at 10:57 it is too short."""
        answer = self.Hub.epaper_door_action(
            "boardroom", "book_now", 30, now=z(NOW + dt.timedelta(minutes=45, seconds=20))
        )
        self.assertTrue(answer["ok"], answer)
        self.assertEqual(
            (answer["start"], answer["end"]), ("2026-11-27T10:45:00Z", "2026-11-27T11:00:00Z")
        )
        self.assertEqual(self.event(answer["ref"]).user_id, self.hub)
        early = self.Hub.epaper_door_action(
            "boardroom", "book_now", 30, now=z(NOW - dt.timedelta(minutes=3))
        )
        self.assertTrue(early["ok"], early)
        busy = self.Hub.epaper_door_action(
            "boardroom", "book_now", 15, now=z(NOW + dt.timedelta(minutes=90))
        )
        self.assertEqual(busy["error"], "room_busy")

    def test_extend_end_now_and_check_in(self) -> None:
        """The running meeting is extended (free after), checked in to, then ended now."""
        during = NOW + dt.timedelta(minutes=70)
        extended = self.Hub.epaper_door_action("boardroom", "extend", 15, now=z(during))
        self.assertTrue(extended["ok"], extended)
        self.assertEqual(self.meeting.stop, NOW + dt.timedelta(hours=2, minutes=15))
        checked = self.Hub.epaper_door_action("boardroom", "check_in", now=z(during))
        self.assertTrue(checked["ok"], checked)
        self.assertTrue(self.meeting.epaper_checked_in)
        ended = self.Hub.epaper_door_action("boardroom", "end_now", now=z(during))
        self.assertTrue(ended["ok"], ended)
        self.assertEqual(self.meeting.stop, during)
        self.assertEqual(
            self.Hub.epaper_door_action("boardroom", "end_now", now=z(during))["error"], "room_free"
        )

    def test_extend_is_refused_when_the_room_is_booked_after(self) -> None:
        """A meeting right after the running one stops the extension."""
        self.env["calendar.event"].create(
            {"name": "Next", "location": "Board Room", "start": NOW + dt.timedelta(hours=2),
             "stop": NOW + dt.timedelta(hours=3)}
        )  # fmt: skip
        answer = self.Hub.epaper_door_action(
            "boardroom", "extend", 15, now=z(NOW + dt.timedelta(minutes=70))
        )
        self.assertEqual(answer["error"], "not_free_after")

    def test_no_show_is_released_and_its_organizer_told(self) -> None:
        """With check-in within 10 minutes, the unattended meeting ends at 11:10."""
        self.display.checkin_grace_minutes = 10
        self.assertFalse(self.display._epaper_release_no_shows(NOW + dt.timedelta(minutes=69)))
        released = self.display._epaper_release_no_shows(NOW + dt.timedelta(minutes=70))
        self.assertEqual([r.id for r in released], [self.meeting.id])
        self.assertEqual(self.meeting.stop, NOW + dt.timedelta(minutes=70))
        message = self.meeting.message_ids[0]
        self.assertIn("Nobody checked in", str(message.body))
        self.assertIn(self.colleague.partner_id, message.partner_ids)

    def test_checked_in_or_unrequested_bookings_stay(self) -> None:
        """A checked-in meeting is kept; with check-in off nothing is ever released."""
        late = NOW + dt.timedelta(minutes=80)
        self.assertFalse(self.display._epaper_release_no_shows(late))
        self.display.checkin_grace_minutes = 10
        self.meeting.epaper_checked_in = True
        self.assertFalse(self.display._epaper_release_no_shows(late))
        self.assertEqual(self.meeting.stop, NOW + dt.timedelta(hours=2))

    def test_cron_runs(self) -> None:
        """The cron method runs on every display asking for check-in."""
        self.display.checkin_grace_minutes = 5
        self.env["room.rasp.connection"]._cron_epaper_release_no_shows()

    def test_schedule_names_the_booking_and_its_check_in_deadline(self) -> None:
        """epaper_schedule gives each event its ref; check_in_until until someone checks in."""
        window = (z(NOW), z(NOW + dt.timedelta(hours=4)))
        event = self.Hub.epaper_schedule(*window, devices=["boardroom"])["displays"][0]["events"][0]
        self.assertEqual(event["ref"], f"calendar.event,{self.meeting.id}")
        self.assertNotIn("check_in_until", event)
        self.display.checkin_grace_minutes = 10
        event = self.Hub.epaper_schedule(*window, devices=["boardroom"])["displays"][0]["events"][0]
        self.assertEqual(event["check_in_until"], "2026-11-27T11:10:00Z")
        self.Hub.epaper_door_action("boardroom", "check_in", now=z(NOW + dt.timedelta(minutes=65)))
        event = self.Hub.epaper_schedule(*window, devices=["boardroom"])["displays"][0]["events"][0]
        self.assertNotIn("check_in_until", event)
