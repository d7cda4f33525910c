"""The addon's adoption RPCs on the Odoo test server (``epaper_adoption_choices``,
``epaper_adopt_display``), with the addon's checks: device name rule, a room name, a known
zone, a name not yet taken (archived displays count), and the caller's access.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

if TYPE_CHECKING:
    from testbed.odoo_server import OdooTestServer

DISPLAY = "room.rasp.connection"
LANGUAGES = [
    ["en_US", "English (US)"],
    ["de_DE", "German / Deutsch"],
    ["fr_FR", "French / Français"],
]
_DEVICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class Adoption:
    """The adoption RPCs of the addon on one :class:`OdooTestServer`."""

    def __init__(self, server: OdooTestServer) -> None:
        """Serve from ``server``'s records (handlers run under its lock)."""
        self.server = server

    def methods(self) -> dict[str, Any]:
        """Return ``name -> handler(model, uid, ...)``."""
        return {
            "epaper_adoption_choices": self._choices,
            "epaper_adopt_display": self._adopt,
        }

    def _fault(self, name: str, message: str) -> Exception:
        from testbed.odoo_server import OdooRpcFault  # here: odoo_server imports this module

        return OdooRpcFault(name, message)

    def _check(self, model: str) -> None:
        if model != DISPLAY:
            raise self._fault(
                "builtins.AttributeError", f"The method does not exist on the model '{model}'"
            )
        if DISPLAY in self.server.denied:
            raise self._fault(
                "odoo.exceptions.AccessError", "You are not allowed to modify displays"
            )

    def _choices(self, model: str, _uid: int) -> dict[str, Any]:
        self._check(model)
        displays = self.server.records[DISPLAY].values()
        rooms = {d.get("room_name") for d in displays if d.get("active", True)}
        rooms |= {r.get("name") for r in self.server.records.get("room.room", {}).values()}
        names = sorted({room.strip() for room in rooms if isinstance(room, str) and room.strip()})
        return {"api": 1, "rooms": names, "languages": LANGUAGES, "tz": False}

    def _adopt(self, model: str, _uid: int, values: Any) -> dict[str, Any]:
        self._check(model)
        user_error = "odoo.exceptions.UserError"
        if not isinstance(values, dict):
            raise self._fault(user_error, "values must be an object {device, room, tz, lang}")
        device, room, zone = values.get("device"), values.get("room"), values.get("tz")
        if not isinstance(device, str) or not _DEVICE_NAME.fullmatch(device):
            raise self._fault(user_error, f"{device!r} is not a valid device name.")
        if not isinstance(room, str) or not room.strip() or len(room) > 200:
            raise self._fault(user_error, "Give the room a name (at most 200 characters).")
        if zone and zone not in available_timezones():
            raise self._fault(user_error, f"{zone!r} is not a known timezone.")
        if any(d.get("name") == device for d in self.server.records[DISPLAY].values()):
            raise self._fault(user_error, f"A display named {device} exists already.")
        lang = values.get("lang")
        codes = [code for code, _name in LANGUAGES]
        wanted = lang.replace("-", "_") if isinstance(lang, str) else ""
        language = wanted.split("_")[0].lower()
        code = (
            wanted
            if wanted in codes
            else next((c for c in codes if c.split("_")[0].lower() == language), False)
        )
        # Through add_record, so the change log (incremental epaper_schedule) knows it.
        new_id = self.server.add_record(
            DISPLAY,
            {
                "name": device,
                "room_name": room.strip(),
                "tz": zone or False,
                "lang": code,
                "active": True,
            },
        )
        self.server.adopted.append(device)
        return {"device": device, "id": new_id, "room": room.strip()}
