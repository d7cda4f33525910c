"""The addon's groups load placed and filled on every series (run with --test-enable)."""

from __future__ import annotations

from odoo.tests import TransactionCase, tagged

GROUPS = {
    "connection_conf.group_epaper_user": "User",
    "connection_conf.group_epaper_reporter": "Status reporter (Home Assistant hub)",
    "connection_conf.group_epaper_manager": "Manager",
}


@tagged("post_install", "-at_install")
class TestGroups(TransactionCase):
    """What series.place_groups sets, seen through fields every series has."""

    def test_groups_hang_under_the_apps_heading(self) -> None:
        """Each group's full name starts with "E-Paper Displays" (18.0: its category,
        19.0: its privilege), as the user form shows it."""
        for xml_id, name in GROUPS.items():
            with self.subTest(group=xml_id):
                self.assertEqual(self.env.ref(xml_id).full_name, f"E-Paper Displays / {name}")

    def test_administrator_manages_and_employees_see(self) -> None:
        """The administrator is a manager; every employee is a user, not a manager."""
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("connection_conf.group_epaper_manager"))
        employee = self.env["res.users"].create(
            {"name": "Employee", "login": "employee", "email": "employee@example.com"}
        )
        self.assertTrue(employee.has_group("connection_conf.group_epaper_user"))
        self.assertFalse(employee.has_group("connection_conf.group_epaper_manager"))
        self.assertFalse(employee.has_group("connection_conf.group_epaper_reporter"))
