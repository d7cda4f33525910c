"""The full schedule answer behind ``room.rasp.connection.epaper_schedule`` (one RPC).

The rules that are not ORM (room matching, privacy, all-day spans, timezone chain,
locale, the answer) live in the plain package ``epaper_schedule``, which the JSON-RPC
test server runs too; this class reads what they need (the public method, with its
rights check and cursor, is in room_rasp_connection_sync.py).
"""

from __future__ import annotations

from typing import Any

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..epaper_schedule import (
    DISPLAY_SPECIFICATION,
    ScheduleSource,
    Window,
    answer_schedule,
    choose_sources,
    display_from_record,
    page_of,
    source_list,
    valid_zone,
)
from ..schedule_read import read_records


class RoomRaspConnectionSchedule(models.Model):
    """The displays' schedules in one answer, with Odoo's own rules applied in Odoo."""

    # A third concern of the model, so a third class (OCA style), not merged with the MQTT one.
    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _epaper_schedule_full(
        self,
        start: str,
        end: str,
        devices: list[str] | None,
        default_tz: str | None,
        sources: list[str] | None,
        after: str | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """Return every active display and its bookings in ``[start, end)`` (DESIGN.md 4):
        the full answer that ``epaper_schedule`` (room_rasp_connection_sync.py, after its
        rights check) gives or narrows with a cursor.

        ``start`` / ``end`` are ISO 8601 UTC texts; ``devices`` limits the answer to these
        device names (None: every active display of the caller's companies);
        ``default_tz`` is the caller's zone, used when neither the display nor the
        caller's user nor the company names one; ``sources`` names the schedule sources
        read by id (``epaper_schedule_sources``; ``["auto"]``: the preferred one; None:
        every installed source); ``after`` / ``limit`` give one page: the displays named
        above ``after``, at most ``limit`` of them, by name (None: from the first, all).
        Every display of the caller's companies is read for ``collisions``; only the
        page's bookings are read.
        Returns ``{"api": 1, "displays": [{"device", "room", "topic_prefix", "tz",
        "locale", "qr", "panel_model", "events": [{"title", "start", "end", "organizer",
        "private", "all_day"}]}], "collisions": {device: [devices]}}``, events sorted
        by start; only the caller's companies' displays (``env.companies``) and, through
        them, their companies' bookings. Raises UserError for
        unusable arguments.
        """
        window = self._epaper_window(start, end)
        if default_tz is not None and valid_zone(default_tz) is None:
            raise UserError(self.env._("default_tz %(tz)r is not an IANA timezone.", tz=default_tz))
        chosen = self._epaper_sources(sources)
        if devices is not None and (
            not isinstance(devices, list) or not all(isinstance(d, str) for d in devices)
        ):
            raise UserError(self.env._("devices must be a list of device names or null."))
        # The caller's companies only (record rules, read as superuser for the fields).
        domain: list[Any] = [("company_id", "in", self.env.companies.ids)]
        company = self.env.company.sudo().partner_id
        records = read_records(
            self.sudo(), domain, self._epaper_display_specification(), order="name"
        )
        everyone = [
            display_from_record(
                record,
                user_tz=self.env.user.tz,
                company_tz=company.tz,
                company_lang=company.lang,
                default_tz=default_tz,
            )
            for record in records
        ]
        asked = set(devices) if devices is not None else None
        displays = page_of(
            [d for d in everyone if asked is None or d.device in asked], after, limit
        )
        return answer_schedule(displays, window, chosen, self._epaper_read, everyone)

    @api.model
    def _epaper_window(self, start: Any, end: Any) -> Window:
        try:
            return Window.parse(start, end)
        except (TypeError, ValueError) as exc:
            raise UserError(
                self.env._("start and end must be ISO 8601 UTC times, end after start: %s", exc)
            ) from exc

    @api.model
    def _epaper_display_specification(self) -> dict[str, Any]:
        """What the schedule reads of each display (the room bridge adds the room)."""
        return dict(DISPLAY_SPECIFICATION)

    @api.model
    def _epaper_schedule_sources(self) -> list[ScheduleSource]:
        """The schedule sources installed (each bridge module adds its own)."""
        return []

    @api.model
    def epaper_schedule_sources(self) -> list[dict[str, str]]:
        """The schedule sources installed, as ``epaper_schedule``'s ``sources`` takes
        them: ``[{"id", "name", "model"}]`` in the order ``auto`` prefers (the first is
        what ``auto`` reads). Raises AccessError when the caller may not read displays."""
        if not self.has_access("read"):
            raise AccessError(self.env._("You may not read the e-paper displays."))
        return source_list(self._epaper_schedule_sources())

    @api.model
    def _epaper_sources(self, names: Any) -> list[ScheduleSource]:
        try:
            return choose_sources(self._epaper_schedule_sources(), names)
        except ValueError as exc:
            raise UserError(
                self.env._(
                    "sources must be a list of installed schedule sources (%(known)s) or auto.",
                    known=", ".join(s["id"] for s in source_list(self._epaper_schedule_sources()))
                    or "-",
                )
            ) from exc

    @api.model
    def _epaper_read(
        self, model: str, domain: list[Any], specification: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Read one source's bookings as superuser: only the fields in ``specification``
        (what places a booking in a room and its times; the answer drops what a door may
        not show). Archived records are left out (``active_test``). One query for the
        records and one per many2one's targets (``schedule_read``), whatever their number."""
        return read_records(
            self.env[model].sudo().with_context(active_test=True), domain, specification
        )
