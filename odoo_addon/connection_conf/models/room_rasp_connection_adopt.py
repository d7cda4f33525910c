"""Adopting a door sign that Home Assistant discovered (a second class of the same model).

The hub calls ``epaper_adoption_choices`` to fill its "New door sign" card (known rooms,
installed languages, the company's zone) and ``epaper_adopt_display`` to create the
display the person chose a room for. Both are RPC methods for the hub's Odoo user.
"""

from __future__ import annotations

from typing import Any

from odoo import api, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import UserError

from ..mqtt_bridge import is_valid_device_name

MAX_ROOM_NAME = 200


class RoomRaspConnectionAdopt(models.Model):
    """RPC methods that turn a discovered sign into a display."""

    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def epaper_adoption_choices(self) -> dict[str, Any]:
        """Return what the adoption card offers.

        ``{"api": 1, "rooms": [str, ...], "languages": [[code, name], ...], "tz": str|False}``:
        the room names displays and Meeting Rooms already use (sorted, unique), Odoo's
        installed languages, and the company's (else the user's) timezone. Needs read
        access on displays.
        """
        self.check_access("read")
        names = set(self.search([("room_name", "!=", False)]).mapped("room_name"))
        if "room.room" in self.env and self.env["room.room"].has_access("read"):
            names |= set(self.env["room.room"].search([], limit=1000).mapped("name"))
        languages = [list(pair) for pair in self.env["res.lang"].get_installed()]
        zone = self.env.company.partner_id.tz or self.env.user.tz or False
        rooms = sorted({name.strip() for name in names if name and name.strip()})
        return {"api": 1, "rooms": rooms, "languages": languages, "tz": zone}

    @api.model
    def _epaper_lang_code(self, lang: Any) -> str | bool:
        """Return the installed Odoo language for a BCP 47 tag (``de-DE``, ``de``) or code."""
        if not lang:
            return False
        if not isinstance(lang, str):
            raise UserError(self.env._("The language must be a text such as de-DE."))
        installed = [code for code, _name in self.env["res.lang"].get_installed()]
        wanted = lang.replace("-", "_")
        for candidate in (wanted, wanted.split("_")[0]):
            if candidate in installed:
                return candidate
        language = wanted.split("_")[0].lower()
        match = next((code for code in installed if code.split("_")[0].lower() == language), None)
        return match or False

    @api.model
    def epaper_adopt_display(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create the display of a discovered sign; return ``{"device", "id", "room"}``.

        ``values``: ``{"device": str, "room": str, "tz": str|None, "lang": str|None}``
        (``lang`` as BCP 47 or an Odoo code; one Odoo does not have installed falls back to
        the company's). Needs write access on displays (the hub's *Status reporter* group
        or *Manager*); the display is created with only these fields and the default
        broker. Raises UserError for a bad value or a device name already taken (also by
        an archived display).
        """
        self.check_access("write")
        if not isinstance(values, dict):
            raise UserError(self.env._("values must be an object {device, room, tz, lang}"))
        device, room = values.get("device"), values.get("room")
        if not is_valid_device_name(device):
            raise UserError(self.env._("%(device)r is not a valid device name.", device=device))
        if not isinstance(room, str) or not room.strip() or len(room) > MAX_ROOM_NAME:
            raise UserError(self.env._("Give the room a name (at most 200 characters)."))
        zone = values.get("tz") or False
        if zone and zone not in dict(_tz_get(self)):
            raise UserError(self.env._("%(tz)r is not a known timezone.", tz=zone))
        if self.with_context(active_test=False).search_count([("name", "=", device)]):
            raise UserError(self.env._("A display named %(device)s exists already.", device=device))
        display = self.sudo().create(
            {
                "name": device,
                "room_name": room.strip(),
                "tz": zone,
                "lang": self._epaper_lang_code(values.get("lang")),
            }
        )
        display._epaper_queue_changed()
        return {"device": display.name, "id": display.id, "room": display.room_name}
