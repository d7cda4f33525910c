"""Incremental schedules: ``epaper_schedule(..., cursor=...)`` answers only what changed.

Display changes and the change notices of the schedule bridges (bookings and events
created, edited, moved, archived, deleted) log the displays concerned in
``room.rasp.schedule.change``; the cursor rules are plain Python
(``epaper_schedule.cursor``), shared with the JSON-RPC test server.
"""

from __future__ import annotations

import time
from typing import Any

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..epaper_schedule import DISPLAY_SPECIFICATION
from ..epaper_schedule.cursor import RECENT_IDS, answer_with_cursor, query_key
from ..epaper_schedule.pages import PageError

# Display fields that change its answer (besides what the schedule reads, see below).
ANSWER_FIELDS = frozenset({"name", "active", "room_name", "qr", "company_id"})


class RoomRaspConnectionSync(models.Model):
    """The displays' schedules, answered in proportion to what changed."""

    # A fourth concern of the model, so its own class (OCA style).
    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def epaper_schedule(
        self,
        start: str,
        end: str,
        devices: list[str] | None = None,
        default_tz: str | None = None,
        sources: list[str] | None = None,
        cursor: str | None = None,
        page_size: int | None = None,
        page: str | None = None,
    ) -> dict[str, Any]:
        """The schedule answer (DESIGN.md section 4, see ``_epaper_schedule_full``), with
        ``cursor`` and ``removed``.

        Every answer carries ``cursor`` (opaque text), ``removed`` (list of device
        names) and ``full`` (bool). Without a usable ``cursor`` (None, unknown, for
        other arguments, or older than the change log's retention) the answer is
        full: every display asked for, ``removed`` empty. With the cursor of an
        earlier answer to the same arguments, ``displays`` holds only the displays
        whose answer may differ since, and ``removed`` those deleted, archived or
        renamed away since; an unchanged schedule reads one empty log query.
        With ``page_size`` an answer holds at most that many displays (by name) and
        ``next_page`` names the next page while more may follow: send it back as
        ``page`` with the same other arguments (``epaper_schedule.pages``). Raises
        AccessError when the caller may not read displays, UserError for unusable
        arguments.
        """
        if not self.has_access("read"):
            raise AccessError(self.env._("You may not read the e-paper displays."))
        log = self.env["room.rasp.schedule.change"].sudo()

        def read_log(after: int, ids: list[int]) -> list[tuple[int, str]]:
            domain: list[Any] = [("id", ">", after)]
            if ids:
                domain = ["|", ("id", "in", ids), *domain]
            # Another company's displays are none of the caller's business.
            domain = [*domain, ("company_id", "in", [*self.env.companies.ids, False])]
            return [(r["id"], r["device"]) for r in log.search_read(domain, ["device"], order="id")]

        def answer_for(
            names: list[str] | None, after: str | None, limit: int | None
        ) -> dict[str, Any]:
            return self._epaper_schedule_full(
                start, end, names, default_tz, sources, after=after, limit=limit
            )

        try:
            return answer_with_cursor(
                cursor,
                query_key(start, end, devices, default_tz, sources),
                time.time(),
                recent_ids=lambda: log.search([], order="id desc", limit=RECENT_IDS).ids,
                read_log=read_log,
                answer_for=answer_for,
                devices=devices,
                page_size=page_size,
                page=page,
            )
        except PageError as err:
            raise UserError(str(err)) from err

    def _epaper_queue_changed(self) -> Any:
        """A schedule bridge announces changed displays: log them, then notify the hub."""
        self.env["room.rasp.schedule.change"]._epaper_log(self._epaper_log_entries())
        return super()._epaper_queue_changed()

    def _epaper_log_entries(self) -> list[tuple[str, int]]:
        """``(device name, company id)`` of these displays, for the change log."""
        return [(display.name, display.company_id.id) for display in self]

    @api.model
    def _epaper_answer_fields(self) -> set[str]:
        """The display fields whose change changes its answer."""
        return (
            set(self._epaper_display_specification())
            | set(DISPLAY_SPECIFICATION)
            | set(ANSWER_FIELDS & set(self._fields))
        )

    @api.model_create_multi
    def create(self, vals_list: list[dict[str, Any]]) -> Any:
        """Create displays and log them (a new display is a change)."""
        displays = super().create(vals_list)
        self.env["room.rasp.schedule.change"]._epaper_log(displays._epaper_log_entries())
        return displays

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; when the answer may change, log the displays under old and new names."""
        if not self._epaper_answer_fields().intersection(vals):
            return super().write(vals)
        before = self.with_context(active_test=False)._epaper_log_entries()
        result = super().write(vals)
        self.env["room.rasp.schedule.change"]._epaper_log(before + self._epaper_log_entries())
        return result

    def unlink(self) -> bool:
        """Delete displays and log them (they go into ``removed``)."""
        entries = self._epaper_log_entries()
        result = super().unlink()
        self.env["room.rasp.schedule.change"]._epaper_log(entries)
        return result
