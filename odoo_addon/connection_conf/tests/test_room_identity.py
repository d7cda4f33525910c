"""A display's identity in Odoo: renames keep the old name as an alias, shared room
names are reported on the form, and companies keep their displays, brokers and change
rows to themselves (odoo-bin --test-enable)."""

from __future__ import annotations

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRoomIdentity(TransactionCase):
    """Two companies, each with a Boardroom; one manager per company."""

    @classmethod
    def setUpClass(cls) -> None:
        """Companies Alpha and Beta, their broker, display and manager."""
        super().setUpClass()
        cls.Display = cls.env["room.rasp.connection"]
        cls.alpha = cls.env["res.company"].create({"name": "Alpha"})
        cls.beta = cls.env["res.company"].create({"name": "Beta"})
        cls.brokers = {
            company: cls.env["room.rasp.broker"].create(
                {"name": f"{company.name} broker", "host": "h", "company_id": company.id}
            )
            for company in (cls.alpha, cls.beta)
        }
        cls.displays = {
            company: cls.Display.create(
                {
                    "name": f"board-{company.name.lower()}",
                    "room_name": "Boardroom",
                    "company_id": company.id,
                    "broker_id": cls.brokers[company].id,
                }
            )
            for company in (cls.alpha, cls.beta)
        }
        cls.managers = {
            company: new_test_user(
                cls.env,
                login=f"manager-{company.name.lower()}",
                groups="base.group_user,connection_conf.group_epaper_manager",
                company_id=company.id,
                company_ids=[company.id],
            )
            for company in (cls.alpha, cls.beta)
        }

    # -- renames ------------------------------------------------------------------

    def test_a_renamed_room_keeps_its_old_name_as_alias(self) -> None:
        """Konferenzraum Nord -> Konferenzraum Nord (EG): the old name is an alias."""
        display = self.Display.create(
            {"name": "nord", "room_name": "Konferenzraum Nord", "location_aliases": "KR-N"}
        )
        display.room_name = "Konferenzraum Nord (EG)"
        self.assertEqual(display.location_aliases, "KR-N\nKonferenzraum Nord")
        self.assertIn("konferenzraum nord", display._epaper_room_labels())
        display.room_name = "Raum Nord"
        self.assertEqual(
            display.location_aliases.splitlines(),
            ["KR-N", "Konferenzraum Nord", "Konferenzraum Nord (EG)"],
        )

    def test_a_rename_that_still_matches_adds_no_alias(self) -> None:
        """Case, spacing, Unicode form, an existing alias or a first name add nothing."""
        display = self.Display.create({"name": "sued", "location_aliases": "Hof"})
        display.room_name = "Süd"  # first name: nothing was matched before
        display.room_name = "  SU\u0308D "
        display.room_name = "Hof"  # the old name becomes an alias, as it was typed
        display.room_name = "Süd"  # back: "Hof" is an alias already
        self.assertEqual(display.location_aliases, "Hof\nSU\u0308D")

    def test_a_write_that_sets_the_aliases_too_is_taken_as_it_is(self) -> None:
        """The form sends both after its onchange; the user's aliases win."""
        display = self.Display.create({"name": "west", "room_name": "West"})
        display.write({"room_name": "West Wing", "location_aliases": False})
        self.assertFalse(display.location_aliases)

    def test_the_form_shows_the_old_name_as_alias_at_once(self) -> None:
        """The onchange puts the old name in the aliases before saving (editable)."""
        display = self.Display.create({"name": "ost", "room_name": "Ost"})
        with Form(display) as form:
            form.room_name = "Ost (1. OG)"
            self.assertEqual(form.location_aliases, "Ost")
        self.assertEqual(display.location_aliases, "Ost")

    # -- collisions ---------------------------------------------------------------

    def test_displays_sharing_a_room_key_are_reported(self) -> None:
        """Same company and key (through an alias, any form): both name each other;
        archived displays and other companies' displays never count."""
        board = self.displays[self.alpha]
        self.assertFalse(board.room_conflict_ids)
        lobby = self.Display.create(
            {
                "name": "lobby-alpha",
                "room_name": "Lobby",
                "location_aliases": "\u00a0BOARD\u200bROOM ",
                "company_id": self.alpha.id,
            }
        )
        self.env.invalidate_all()
        self.assertEqual(board.room_conflict_ids, lobby)
        self.assertEqual(lobby.room_conflict_ids, board)
        self.assertFalse(self.displays[self.beta].room_conflict_ids)
        lobby.action_archive()
        self.env.invalidate_all()
        self.assertFalse(board.room_conflict_ids)
        self.assertFalse(lobby.room_conflict_ids)

    def test_the_form_warns_of_a_shared_room(self) -> None:
        """The form holds the visible alert over the conflicting displays."""
        arch = self.Display.get_view(view_type="form")["arch"]
        self.assertIn('name="room_conflict"', arch)
        self.assertIn('invisible="not room_conflict_ids"', arch)

    # -- companies ----------------------------------------------------------------

    def test_a_display_belongs_to_the_current_company(self) -> None:
        """Created by a Beta user, a display is Beta's (default), with Beta's broker."""
        manager = self.managers[self.beta]
        display = self.Display.with_user(manager).create({"name": "beta-new"})
        self.assertEqual(display.company_id, self.beta)

    def test_a_display_cannot_use_another_companys_broker(self) -> None:
        """check_company: Alpha's display on Beta's broker is refused."""
        with self.assertRaises(UserError):
            self.displays[self.alpha].broker_id = self.brokers[self.beta]

    def test_record_rules_keep_companies_apart(self) -> None:
        """Alpha's manager sees Alpha's display, broker and change rows, never Beta's."""
        manager = self.managers[self.alpha]
        Display = self.Display.with_user(manager)
        self.assertEqual(
            Display.search([("room_name", "=", "Boardroom")]), self.displays[self.alpha]
        )
        beta_display = self.displays[self.beta].with_user(manager)
        with self.assertRaises(AccessError):
            beta_display.read(["room_name"])
        with self.assertRaises(AccessError):
            beta_display.write({"room_name": "Taken over"})
        brokers = self.env["room.rasp.broker"].with_user(manager).search([])
        self.assertIn(self.brokers[self.alpha], brokers)
        self.assertNotIn(self.brokers[self.beta], brokers)
        changes = self.env["room.rasp.schedule.change"].with_user(manager).search([])
        self.assertIn("board-alpha", changes.mapped("device"))
        self.assertNotIn("board-beta", changes.mapped("device"))

    def test_the_change_log_keeps_the_company_of_a_deleted_display(self) -> None:
        """A deleted display's row is still its company's (Beta's hub sees it removed)."""
        display = self.Display.create({"name": "gone", "company_id": self.beta.id})
        display.unlink()
        row = self.env["room.rasp.schedule.change"].search(
            [("device", "=", "gone")], limit=1, order="id desc"
        )
        self.assertEqual(row.company_id, self.beta)

    def test_schedule_holds_the_callers_companies_only(self) -> None:
        """Alpha's hub user gets Alpha's Boardroom display, not Beta's, and no collision."""
        hub = new_test_user(
            self.env,
            login="hub-alpha",
            groups="base.group_user,connection_conf.group_epaper_reporter",
            company_id=self.alpha.id,
            company_ids=[self.alpha.id],
        )
        answer = self.Display.with_user(hub).epaper_schedule(
            "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z"
        )
        devices = [d["device"] for d in answer["displays"]]
        self.assertIn("board-alpha", devices)
        self.assertNotIn("board-beta", devices)
        self.assertEqual(answer["collisions"], {})
