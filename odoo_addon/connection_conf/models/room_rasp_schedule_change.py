"""The change log behind incremental schedules (model ``room.rasp.schedule.change``).

One row per display whose schedule answer may have changed, written in the
transaction of the change; ``epaper_schedule(..., cursor=...)`` reads only the rows
after its cursor (``epaper_schedule.cursor`` holds the rules).
"""

from __future__ import annotations

import datetime as dt

from odoo import api, fields, models

from ..epaper_schedule.cursor import RETENTION


class RoomRaspScheduleChange(models.Model):
    """A display whose schedule answer may differ since this row's id."""

    _name = "room.rasp.schedule.change"
    _description = "E-Paper Schedule Change"
    _order = "id"
    _log_access = True

    device = fields.Char(required=True, index=True, readonly=True)

    @api.model
    def _epaper_log(self, devices: list[str]) -> None:
        """Append one row per device (in the caller's transaction)."""
        names = sorted({device for device in devices if device})
        if names:
            self.sudo().create([{"device": name} for name in names])

    @api.model
    def _gc_epaper_changes(self) -> None:
        """Cron: drop rows older than the retention (cursors that old get full answers)."""
        limit = fields.Datetime.now() - dt.timedelta(seconds=RETENTION)
        self.sudo().search([("create_date", "<", limit)]).unlink()
