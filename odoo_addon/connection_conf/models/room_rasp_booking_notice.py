"""What every schedule source's bookings share: the door's check-in flag and the
change notices that tell the hub at once when a booking at a display's room changes.

A bridge module mixes it into its booking model, first in ``_inherit`` so that these
hooks wrap the model's own ``create`` / ``write`` / ``unlink``, and says which fields
are schedule fields and where a booking takes place.
"""

from __future__ import annotations

from typing import Any

from odoo import api, fields, models


class RoomRaspBookingNotice(models.AbstractModel):
    """Bookings that announce their changes to the door signs of their rooms."""

    _name = "room.rasp.booking.notice"
    _description = "E-Paper Booking Change Notices"

    epaper_checked_in = fields.Boolean(
        string="Checked In at the Door",
        copy=False,
        help="Someone checked in at the room's e-paper door sign; a display that asks for "
        "check-in releases the room when nobody does in time.",
    )

    @api.model
    def _epaper_schedule_fields(self) -> frozenset[str]:
        """The fields whose change changes a door's schedule (each source names its own)."""
        return frozenset({"epaper_checked_in", "active"})

    def _epaper_places(self) -> Any:
        """Where these bookings take place (rooms or location texts), addable with ``+``."""
        raise NotImplementedError

    def _epaper_displays_at(self, places: Any) -> Any:
        """The displays (``room.rasp.connection``) of ``places``."""
        raise NotImplementedError

    def _epaper_notify(self, places: Any) -> None:
        self._epaper_displays_at(places)._epaper_queue_changed()

    @api.model_create_multi
    def create(self, vals_list: list[dict[str, Any]]) -> Any:
        """Create, then queue a change notice for the displays of their places."""
        records = super().create(vals_list)
        records._epaper_notify(records._epaper_places())
        return records

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; a schedule change queues a notice for the displays before and after."""
        if not self._epaper_schedule_fields().intersection(vals):
            return super().write(vals)
        places_before = self._epaper_places()
        result = super().write(vals)
        self._epaper_notify(places_before + self._epaper_places())
        return result

    def unlink(self) -> bool:
        """Delete, then queue a change notice for the displays that showed them."""
        places = self._epaper_places()
        result = super().unlink()
        self._epaper_notify(places)
        return result
