"""The change log behind incremental schedules (model ``room.rasp.schedule.change``).

One row per display whose schedule answer may have changed, written in the
transaction of the change; ``epaper_schedule(..., cursor=...)`` reads only the rows
after its cursor (``epaper_schedule.cursor`` holds the rules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from odoo import api, fields, models

from ..epaper_schedule.cursor import RETENTION


class RoomRaspScheduleChange(models.Model):
    """A display whose schedule answer may differ since this row's id."""

    _name = "room.rasp.schedule.change"
    _description = "E-Paper Schedule Change"
    _order = "id"
    _log_access = True

    device = fields.Char(required=True, index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        readonly=True,
        help="The display's company: only its users' schedules read this row.",
    )

    @api.model
    def _epaper_log(self, entries: Iterable[tuple[str, Any]]) -> None:
        """Append one row per ``(device name, company id or False)`` (in the caller's
        transaction); repeated entries and empty names are written once / skipped."""
        rows = sorted({(device, company or False) for device, company in entries if device})
        if rows:
            self.sudo().create(
                [{"device": device, "company_id": company} for device, company in rows]
            )

    @api.model
    def _gc_epaper_changes(self) -> None:
        """Cron: drop rows older than the retention (cursors that old get full answers)."""
        limit = fields.Datetime.now() - dt.timedelta(seconds=RETENTION)
        self.sudo().search([("create_date", "<", limit)]).unlink()
