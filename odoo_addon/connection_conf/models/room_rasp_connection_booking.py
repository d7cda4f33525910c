"""Bookings made from Home Assistant and at the door, check-in and no-show release.

The hub calls :meth:`epaper_book`, :meth:`epaper_cancel` and :meth:`epaper_door_action`
over RPC as its own Odoo user: rights are that user's (``has_access``), bookings are
organized by it, and Odoo's own constraints apply. The decisions (overlap, what a door
key does, which booking is a no-show) are the plain rules of ``epaper_booking``. Where a
display books is a bridge module's business: ``connection_conf_calendar`` books
``calendar.event`` at the room's location, ``connection_conf_room`` books ``room.booking``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..epaper_booking import (
    Booking,
    BookingRefused,
    no_shows,
    plan_booking,
    plan_door_action,
    rules,
)
from ..series import Constraint

_logger = logging.getLogger(__name__)
# Bookings older than this are not read for a door action or a release.
LOOKBEHIND = dt.timedelta(days=1)
LOOKAHEAD = dt.timedelta(days=2)


def parse_utc(value: Any) -> dt.datetime:
    """Return an aware UTC datetime from an ISO 8601 string ("...Z" or offset) or a naive
    UTC datetime (Odoo's storage); raise :class:`BookingRefused` ``bad_window`` otherwise."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as err:
            raise BookingRefused(rules.BAD_WINDOW, f"Not an ISO 8601 time: {value!r}") from err
    else:
        raise BookingRefused(rules.BAD_WINDOW, f"Not an ISO 8601 time: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def to_odoo(moment: dt.datetime) -> dt.datetime:
    """Return the naive UTC datetime Odoo stores."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def iso_z(moment: dt.datetime) -> str:
    """Return ``moment`` as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return to_odoo(moment).isoformat() + "Z"


def refusal(err: BookingRefused) -> dict[str, Any]:
    """Return the RPC answer of a refused request."""
    return {"ok": False, "error": err.code, "message": str(err)}


class RoomRaspConnection(models.Model):
    """Booking and door actions of a display (the Odoo side of ``/action``)."""

    _inherit = "room.rasp.connection"

    checkin_grace_minutes = fields.Integer(
        string="Check-in Within (min)",
        default=0,
        help="0: no check-in. Otherwise a booking nobody checks in to (at the door) within "
        "this many minutes of its start is released and its organizer told.",
    )

    _checkin_grace_minutes_range = Constraint(
        "CHECK(checkin_grace_minutes >= 0 AND checkin_grace_minutes <= 240)",
        "Check-in must be asked within 0 to 240 minutes.",
    )

    # -- the source of bookings (bridges override) ------------------------------

    def _epaper_booking_model(self) -> str:
        """Return the model this display books ("": no bridge can book its room)."""
        self.ensure_one()
        return ""

    def _epaper_booking_fields(self) -> tuple[str, str]:
        """Return the start and stop field names of the booking model."""
        raise NotImplementedError

    def _epaper_booking_domain(self) -> list[Any]:
        """Return the domain of this display's room on the booking model."""
        raise NotImplementedError

    def _epaper_booking_values(
        self, start: dt.datetime, end: dt.datetime, name: str
    ) -> dict[str, Any]:
        """Return the values of a new booking of this room organized by the caller."""
        raise NotImplementedError

    def _epaper_booking_matches(self, record: Any) -> bool:
        """Return whether ``record`` (found by the domain) is in this display's room."""
        return bool(record)

    def _epaper_booking_span(self, record: Any) -> tuple[dt.datetime, dt.datetime]:
        """Return when ``record`` holds the room (aware UTC); bridges refine all-day."""
        start_field, stop_field = self._epaper_booking_fields()
        return parse_utc(record[start_field]), parse_utc(record[stop_field])

    # -- helpers ---------------------------------------------------------------

    @api.model
    def _epaper_display(self, device: Any) -> Any:
        if not isinstance(device, str):
            raise BookingRefused(rules.UNKNOWN_DEVICE)
        display = self.search([("name", "=", device)], limit=1)
        if not display:
            raise BookingRefused(rules.UNKNOWN_DEVICE)
        if not display._epaper_booking_model():
            raise BookingRefused(rules.NO_SOURCE)
        return display

    def _epaper_bookings_around(
        self, start: dt.datetime, end: dt.datetime
    ) -> tuple[Any, list[Booking]]:
        """Return the records holding the room within ``[start, end)`` and their
        :class:`Booking`s (read as superuser: others' private bookings hold the room too)."""
        self.ensure_one()
        model = self._epaper_booking_model()
        start_field, stop_field = self._epaper_booking_fields()
        records = self.env[model].sudo().search(
            [*self._epaper_booking_domain(), (start_field, "<", to_odoo(end + LOOKBEHIND)),
             (stop_field, ">", to_odoo(start - LOOKBEHIND))]
        ).filtered(self._epaper_booking_matches)  # fmt: skip
        bookings = []
        for record in records:
            span_start, span_end = self._epaper_booking_span(record)
            if span_start < end and start < span_end:
                bookings.append(
                    Booking(
                        f"{model},{record.id}",
                        span_start,
                        span_end,
                        bool(record["epaper_checked_in"])
                        if "epaper_checked_in" in record
                        else False,
                    )
                )
        return records, bookings

    def _epaper_record(self, ref: Any) -> Any:
        """Return the booking record of ``ref`` ("model,id") in this display's room."""
        self.ensure_one()
        model = self._epaper_booking_model()
        name, _, raw_id = str(ref).partition(",")
        if name != model or not raw_id.isdigit():
            raise BookingRefused(rules.UNKNOWN_BOOKING)
        record = (
            self.env[model]
            .sudo()
            .search([("id", "=", int(raw_id)), *self._epaper_booking_domain()])
            .filtered(self._epaper_booking_matches)
        )
        if not record:
            raise BookingRefused(rules.UNKNOWN_BOOKING)
        return record.with_env(self.env)

    def _epaper_answer(self, record: Any) -> dict[str, Any]:
        start, end = self._epaper_booking_span(record.sudo())
        return {
            "ok": True,
            "ref": f"{record._name},{record.id}",
            "start": iso_z(start),
            "end": iso_z(end),
        }

    def _epaper_apply(self, plan: rules.Plan, name: str) -> Any:
        """Write ``plan`` as the caller, under Odoo's rights and constraints."""
        self.ensure_one()
        model = self._epaper_booking_model()
        if plan.kind == "create":
            assert plan.start is not None and plan.end is not None
            if not self.env[model].has_access("create"):
                raise BookingRefused(rules.FORBIDDEN)
            return self.env[model].create(self._epaper_booking_values(plan.start, plan.end, name))
        record = self._epaper_record(plan.ref)
        if not record.has_access("write"):
            raise BookingRefused(rules.FORBIDDEN)
        if plan.kind == "check_in":
            record.write({"epaper_checked_in": True})
        else:
            assert plan.end is not None
            record.write({self._epaper_booking_fields()[1]: to_odoo(plan.end)})
        return record

    def _epaper_guarded(self, run: Any) -> dict[str, Any]:
        """Run ``run()`` in a savepoint; Odoo's refusals become ``{"ok": False, ...}``."""
        try:
            with self.env.cr.savepoint():
                return run()
        except BookingRefused as err:
            return refusal(err)
        except AccessError as err:
            return refusal(BookingRefused(rules.FORBIDDEN, str(err)))
        except (ValidationError, UserError) as err:
            return refusal(BookingRefused(rules.REFUSED, str(err)))

    # -- RPC: the hub's calls --------------------------------------------------

    @api.model
    def epaper_book(
        self, device: str, start: str, end: str, name: str | None = None
    ) -> dict[str, Any]:
        """Book the room of display ``device`` over ``[start, end)`` (ISO 8601 UTC).

        Organized by the caller; ``name`` defaults to "Booked from the door sign".
        Returns ``{"ok": True, "ref": "model,id", "start", "end"}`` or
        ``{"ok": False, "error": code, "message": text}`` (codes in
        ``epaper_booking.rules``: ``overlap``, ``forbidden``, ``unknown_device``, ...).
        """

        def run() -> dict[str, Any]:
            display = self._epaper_display(device)
            window_start, window_end = parse_utc(start), parse_utc(end)
            _records, bookings = display._epaper_bookings_around(window_start, window_end)
            plan = plan_booking(window_start, window_end, bookings)
            title = name.strip() if isinstance(name, str) and name.strip() else ""
            record = display._epaper_apply(plan, title or self.env._("Booked from Home Assistant"))
            return display._epaper_answer(record)

        return self._epaper_guarded(run)

    @api.model
    def epaper_cancel(self, device: str, event_ref: str) -> dict[str, Any]:
        """Cancel (delete) booking ``event_ref`` ("model,id") of display ``device``'s room.

        Returns ``{"ok": True, "ref": ...}`` or a refusal (``unknown_booking``, ``forbidden``).
        """

        def run() -> dict[str, Any]:
            display = self._epaper_display(device)
            record = display._epaper_record(event_ref)
            if not record.has_access("unlink"):
                raise BookingRefused(rules.FORBIDDEN)
            record.unlink()
            return {"ok": True, "ref": str(event_ref)}

        return self._epaper_guarded(run)

    @api.model
    def epaper_door_action(
        self,
        device: str,
        action: str,
        minutes: int | None = None,
        now: str | None = None,
        max_minutes: int | None = None,
    ) -> dict[str, Any]:
        """Perform a door action (DESIGN 3a: ``book_now``, ``extend``, ``end_now``,
        ``check_in``) for display ``device`` at ``now`` (ISO 8601 UTC; default: the clock).

        ``max_minutes``: the longest booking a door may make or extend to in total (the
        hub's option; default 24 h), refused or cut as ``epaper_booking`` says.
        Returns the booking written (``{"ok": True, "ref", "start", "end"}``) or a refusal.
        """

        def run() -> dict[str, Any]:
            display = self._epaper_display(device)
            moment = parse_utc(now) if now else dt.datetime.now(dt.UTC)
            _records, bookings = display._epaper_bookings_around(moment, moment + LOOKAHEAD)
            plan = plan_door_action(action, moment, bookings, minutes, max_minutes)
            record = display._epaper_apply(plan, self.env._("Booked at the door"))
            return display._epaper_answer(record)

        return self._epaper_guarded(run)

    # -- no-show release ----------------------------------------------------------

    def _epaper_release_no_shows(self, now: dt.datetime) -> Any:
        """Release the bookings of these displays nobody checked in to in time: they end
        at ``now`` (aware, or naive UTC) and their organizer gets a message. Return the
        released records."""
        now = parse_utc(now)
        released = []
        for display in self.filtered(lambda d: d.checkin_grace_minutes > 0):
            if not display._epaper_booking_model():
                continue
            _records, bookings = display._epaper_bookings_around(now, now)
            for booking in no_shows(bookings, now, display.checkin_grace_minutes):
                record = display.sudo()._epaper_record(booking.ref)
                record.write({display._epaper_booking_fields()[1]: to_odoo(now)})
                display._epaper_tell_organizer(record)
                released.append(record)
        return released

    def _epaper_tell_organizer(self, record: Any) -> None:
        """Post the release on the booking's chatter, to its organizer."""
        self.ensure_one()
        if not hasattr(record, "message_post"):
            return
        organizer = record["user_id"] if "user_id" in record else record["organizer_id"]
        record.message_post(
            body=self.env._(
                "Nobody checked in at the door sign %(device)s within %(minutes)s minutes: "
                "the room was released.",
                device=self.name,
                minutes=self.checkin_grace_minutes,
            ),
            partner_ids=organizer.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )

    @api.model
    def _cron_epaper_release_no_shows(self) -> None:
        """Cron: release every display's no-show bookings."""
        displays = self.sudo().search([("checkin_grace_minutes", ">", 0)])
        released = displays._epaper_release_no_shows(dt.datetime.now(dt.UTC))
        if released:
            _logger.info("Released %d booking(s) nobody checked in to", len(released))
