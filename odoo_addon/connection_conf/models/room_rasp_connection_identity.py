"""A display's identity: its company, its room's old names, and rooms shared by mistake.

- ``company_id``: a display belongs to one company; its schedule holds that company's
  bookings only (``epaper_schedule.sources``), record rules
  (``security/room_rasp_rules.xml``) hide it from other companies' users.
- Renames keep matching: when the room label changes (``room_name``, or the linked
  Meeting Rooms room's name), the old name becomes a location alias, so bookings typed
  with it still reach the door (the form shows it at once; the alias stays editable).
- Collisions are reported, never resolved: ``room_conflict_ids`` names the other active
  displays of the same company that answer to one of this display's room keys; the
  form shows a warning, the schedule answer a ``collisions`` key for the hub.
"""

from __future__ import annotations

from typing import Any

from odoo import api, fields, models

from ..epaper_schedule import with_alias


class RoomRaspConnectionIdentity(models.Model):
    """Company, automatic aliases on rename, and the displays sharing a room key."""

    # A fifth concern of the model, so its own class (OCA style).
    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.company,
        help="The company whose bookings this sign shows; other companies' users do not see it.",
    )
    room_conflict_ids = fields.Many2many(
        "room.rasp.connection",
        string="Shares Its Room With",
        compute="_compute_room_conflict_ids",
        help="Other active displays of this company that answer to the same room name or "
        "alias: their bookings show on every one of them. Rename a room or remove an alias.",
    )

    @api.depends("room_name", "location_aliases", "company_id", "active")
    def _compute_room_conflict_ids(self) -> None:
        Display = self.sudo().with_context(active_test=True)
        for display in self:
            labels = display._epaper_room_labels()
            conflicts = self.browse()
            if display.active and labels:
                others = Display.search(
                    [
                        *self._epaper_room_domain(),
                        ("company_id", "=", display.company_id.id),
                        ("id", "!=", display._origin.id or 0),
                    ]
                )
                conflicts = others.filtered(
                    lambda other, keys=labels: not keys.isdisjoint(other._epaper_room_labels())
                )
            display.room_conflict_ids = conflicts.with_env(self.env)

    @api.onchange("room_name")
    def _onchange_room_name_keep_alias(self) -> None:
        """Show the old room name as an alias at once (the user may still remove it)."""
        for display in self:
            display._epaper_keep_label(display._origin._epaper_room_label_or_empty())

    def _epaper_room_label_or_empty(self) -> str:
        """The room label of a saved display ("" for a new one)."""
        return self._epaper_room_label() if len(self) == 1 else ""

    def _epaper_keep_label(self, old_label: str) -> None:
        """Add ``old_label`` to the aliases unless it still matches the current label."""
        self.ensure_one()
        aliases = with_alias(self.location_aliases, old_label, self._epaper_room_labels())
        if aliases is not None:
            self.location_aliases = aliases

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; a new room name keeps the old one as an alias (unless the same write
        sets the aliases itself, as the form does after its onchange)."""
        if "room_name" not in vals or "location_aliases" in vals:
            return super().write(vals)
        before = {display.id: display._epaper_room_label() for display in self}
        result = super().write(vals)
        for display in self:
            display._epaper_keep_label(before[display.id])
        return result
