"""A broker's publisher switch (``room.rasp.broker.publisher``): the displays follow."""

from __future__ import annotations

from typing import Any

from odoo import models

# Broker fields that change who publishes or where the displays' topics live.
ROUTE_FIELDS = frozenset({"publisher", "host", "port", "username", "use_tls"})


class RoomRaspBrokerPublish(models.Model):
    """Switching a broker's publisher republishes (to Odoo) or hands over (to Home
    Assistant) its displays' room data."""

    _inherit = "room.rasp.broker"

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; a changed route makes Odoo forget what it published on this broker and
        publish afresh when Odoo is the publisher (after commit)."""
        if not ROUTE_FIELDS.intersection(vals):
            return super().write(vals)
        displays = self.sudo().with_context(active_test=False).mapped("display_ids")
        if "publisher" not in vals or vals["publisher"] != "home_assistant":
            displays._epaper_queue_clear()
        result = super().write(vals)
        # The schedule answer names the publisher: the hub's cursor sees these displays.
        self.env["room.rasp.schedule.change"]._epaper_log(displays._epaper_log_entries())
        displays.filtered("data_topic").with_context(tracking_disable=True).write(
            {"data_topic": False, "data_hash": False, "data_valid_until": False}
        )
        displays._epaper_queue_publish()
        return result
