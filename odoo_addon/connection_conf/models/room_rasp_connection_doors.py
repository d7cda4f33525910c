"""The doors without Home Assistant: ``/action`` answered and ``/cmd`` sent by Odoo when
it is the broker's publisher (``room.rasp.broker.publisher == "odoo"``, DESIGN 3a)."""

from __future__ import annotations

from typing import Any

from odoo import api, models

from ..mqtt_bridge import command_payload, publish_to_door

PARAM_DOOR_ACTIONS = "connection_conf.door_actions"
PARAM_MAX_BOOKING = "connection_conf.door_max_booking_minutes"
DEFAULT_MAX_BOOKING_MINUTES = 120  # the hub's default option
ALL_ACTIONS = ("book_now", "extend", "end_now", "check_in")


class RoomRaspConnectionDoors(models.Model):
    """Door requests and commands handled by Odoo itself."""

    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _epaper_door_request(
        self, key: str, prefix: str, device: str, action: str, minutes: int | None
    ) -> str | None:
        """Perform a door's request with the hub's refusals first (``unknown_device``,
        ``not_allowed``, ``too_long``), then the addon's booking rules; return the refusal
        code, or None when done."""
        display = self.sudo().search([("name", "=", device)], limit=1)
        if (
            not display
            or display.broker_id.publisher != "odoo"
            or display._effective_prefix() != prefix
            or display._mqtt_key() != key
        ):
            return "unknown_device"
        params = self.env["ir.config_parameter"].sudo()
        allowed = (params.get_param(PARAM_DOOR_ACTIONS) or ",".join(ALL_ACTIONS)).split(",")
        if action not in {name.strip() for name in allowed}:
            return "not_allowed"
        longest = int(
            params.get_param(PARAM_MAX_BOOKING, DEFAULT_MAX_BOOKING_MINUTES)
            or DEFAULT_MAX_BOOKING_MINUTES
        )
        if (minutes or 0) > longest:
            return "too_long"
        answer = display.epaper_door_action(device, action, minutes, max_minutes=longest)
        if isinstance(answer, dict) and answer.get("ok") is True:
            return None
        code = answer.get("error") if isinstance(answer, dict) else None
        return str(code) if code else "odoo_unavailable"

    def _epaper_send_command(self, cmd: str) -> dict[str, Any]:
        """Publish ``{"cmd": cmd}`` on the display's ``/cmd`` and say whether it left."""
        self.ensure_one()
        self.check_access("write")
        payload = command_payload(cmd)
        client = self._mqtt_loop_start().get(self._mqtt_key())
        title = self.env._("Command %(cmd)s", cmd=cmd)
        if client is None or not client.wait_connected(5.0):
            return self._notify(title, self.broker_message or "", False)
        sent = publish_to_door(client, self.name, "cmd", payload)
        text = self.env._("Sent to the door.") if sent else self.env._("Not taken by the broker.")
        return self._notify(title, text, sent)

    def action_epaper_refresh(self) -> dict[str, Any]:
        """Button: the door draws its data again."""
        return self._epaper_send_command("refresh")

    def action_epaper_full_refresh(self) -> dict[str, Any]:
        """Button: the door clears its panel fully and draws again."""
        return self._epaper_send_command("full_refresh")

    def action_epaper_identify(self) -> dict[str, Any]:
        """Button: the door shows its name, to find it."""
        return self._epaper_send_command("identify")

    def action_epaper_clear(self) -> dict[str, Any]:
        """Button: the door clears its panel."""
        return self._epaper_send_command("clear")
