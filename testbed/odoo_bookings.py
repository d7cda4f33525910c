"""The addon's booking RPCs on the Odoo test server, decided by the addon's own rules.

``room.rasp.connection.epaper_book`` / ``epaper_cancel`` / ``epaper_door_action`` and the
no-show release of the cron, over the test server's in-memory records: a display with a
``room_id`` books ``room.booking``, one with only a room name books ``calendar.event`` at
that location (any ``show_as``: an event held in the room holds it). What is allowed is decided
by ``odoo_addon/connection_conf/epaper_booking`` (imported, not copied), as in Odoo.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from testbed.addon_code import load_plain_package

if TYPE_CHECKING:
    from testbed.odoo_server import OdooTestServer

rules = load_plain_package("epaper_booking")
rooms = load_plain_package("epaper_schedule").rooms
DISPLAY = "room.rasp.connection"
FIELDS = {"room.booking": ("start_datetime", "stop_datetime"), "calendar.event": ("start", "stop")}


def parse_utc(value: Any) -> dt.datetime:
    """Return an aware UTC datetime from ISO 8601 ("...Z") or Odoo's naive storage text."""
    if not isinstance(value, str):
        raise rules.BookingRefused("bad_window", f"Not an ISO 8601 time: {value!r}")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise rules.BookingRefused("bad_window", f"Not an ISO 8601 time: {value!r}") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def odoo_text(moment: dt.datetime) -> str:
    """Return Odoo's naive UTC storage text of ``moment``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso_z(moment: dt.datetime) -> str:
    """Return ``moment`` as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DoorBookings:
    """The booking RPCs of the addon on one :class:`OdooTestServer`."""

    def __init__(self, server: OdooTestServer) -> None:
        """Serve bookings from ``server``'s records (call under its lock)."""
        self.server = server
        self.messages: list[tuple[str, str, int | None]] = []

    def methods(self) -> dict[str, Any]:
        """Return the model methods this adds (``name -> handler(model, uid, ...)``)."""
        return {
            "epaper_book": self._guarded(self._book),
            "epaper_cancel": self._guarded(self._cancel),
            "epaper_door_action": self._guarded(self._door_action),
        }

    def _guarded(self, run: Any) -> Any:
        def handler(model: str, uid: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
            if model != DISPLAY:
                from testbed.odoo_server import OdooRpcFault

                raise OdooRpcFault(
                    "builtins.AttributeError",
                    f"The method does not exist on the model '{model}'",
                )
            kwargs.pop("context", None)
            try:
                return run(uid, *args, **kwargs)
            except rules.BookingRefused as err:
                return {"ok": False, "error": err.code, "message": str(err)}

        handler.__wrapped__ = run  # type: ignore[attr-defined]  # its signature, for binding
        return handler

    # -- the room of a display ------------------------------------------------------

    def _display(self, device: Any) -> dict[str, Any]:
        for record in self.server.records[DISPLAY].values():
            if record.get("name") == device and record.get("active", True):
                return record
        raise rules.BookingRefused("unknown_device")

    def _room(self, display: dict[str, Any]) -> tuple[str, Any]:
        """Return the booking model of a display and how its records are matched."""
        if display.get("room_id"):
            return "room.booking", display["room_id"]
        labels = rooms.room_labels(display.get("room_name"), display.get("location_aliases"))
        if not labels:
            raise rules.BookingRefused("no_source")
        return "calendar.event", labels

    def _records(self, display: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        model, key = self._room(display)
        found = []
        for record in self.server.records.get(model, {}).values():
            if not record.get("active", True):
                continue
            if model == "room.booking":
                if record.get("room_id") == key:
                    found.append(record)
            elif rooms.normalize_location(record.get("location")) in key:
                found.append(record)
        return model, found

    def _bookings(self, display: dict[str, Any]) -> tuple[str, list[Any]]:
        model, records = self._records(display)
        start, stop = FIELDS[model]
        return model, [
            rules.Booking(
                f"{model},{rec['id']}",
                parse_utc(rec[start]),
                parse_utc(rec[stop]),
                bool(rec.get("epaper_checked_in")),
            )
            for rec in records
        ]

    def _record(self, display: dict[str, Any], ref: Any) -> tuple[str, dict[str, Any]]:
        model, records = self._records(display)
        name, _, raw_id = str(ref).partition(",")
        found = [rec for rec in records if name == model and str(rec["id"]) == raw_id]
        if not found:
            raise rules.BookingRefused("unknown_booking")
        return model, found[0]

    def _answer(self, model: str, record: dict[str, Any]) -> dict[str, Any]:
        start, stop = FIELDS[model]
        return {
            "ok": True,
            "ref": f"{model},{record['id']}",
            "start": iso_z(parse_utc(record[start])),
            "end": iso_z(parse_utc(record[stop])),
        }

    def _apply(self, uid: int, display: dict[str, Any], plan: Any, name: str) -> dict[str, Any]:
        model, key = self._room(display)
        if model in self.server.denied:
            raise rules.BookingRefused("forbidden")
        start_field, stop_field = FIELDS[model]
        if plan.kind == "create":
            values: dict[str, Any] = {
                "name": name,
                start_field: odoo_text(plan.start),
                stop_field: odoo_text(plan.end),
            }
            if model == "room.booking":
                values.update(room_id=key, organizer_id=uid)
            else:
                values.update(
                    location=display.get("room_name"),
                    user_id=uid,
                    allday=False,
                    start_date=False,
                    stop_date=False,
                    privacy=False,
                    show_as="busy",
                    active=True,
                )
            record_id = self.server.add_record(model, values)
            return self._answer(model, self.server.records[model][record_id])
        _model, record = self._record(display, plan.ref)
        if plan.kind == "check_in":
            self.server.update_record(model, record["id"], {"epaper_checked_in": True})
        else:
            self.server.update_record(model, record["id"], {stop_field: odoo_text(plan.end)})
        return self._answer(model, record)

    # -- RPCs ---------------------------------------------------------------------

    def _book(
        self, uid: int, device: str, start: str, end: str, name: str | None = None
    ) -> dict[str, Any]:
        display = self._display(device)
        _model, bookings = self._bookings(display)
        plan = rules.plan_booking(parse_utc(start), parse_utc(end), bookings)
        title = name.strip() if isinstance(name, str) and name.strip() else ""
        return self._apply(uid, display, plan, title or "Booked from Home Assistant")

    def _cancel(self, _uid: int, device: str, event_ref: str) -> dict[str, Any]:
        display = self._display(device)
        model, record = self._record(display, event_ref)
        if model in self.server.denied:
            raise rules.BookingRefused("forbidden")
        self.server.delete_record(model, record["id"])
        return {"ok": True, "ref": str(event_ref)}

    def _door_action(
        self,
        uid: int,
        device: str,
        action: str,
        minutes: int | None = None,
        now: str | None = None,
        max_minutes: int | None = None,
    ) -> dict[str, Any]:
        display = self._display(device)
        moment = parse_utc(now) if now else dt.datetime.now(dt.UTC)
        _model, bookings = self._bookings(display)
        plan = rules.plan_door_action(action, moment, bookings, minutes, max_minutes)
        return self._apply(uid, display, plan, "Booked at the door")

    # -- the cron --------------------------------------------------------------------

    def release_no_shows(self, now: dt.datetime) -> list[str]:
        """Run the addon's release at ``now``: refs released (their end set to ``now``),
        each with a message to its organizer in :attr:`messages`."""
        released = []
        with self.server._lock:
            for display in list(self.server.records[DISPLAY].values()):
                grace = int(display.get("checkin_grace_minutes") or 0)
                if grace <= 0 or not display.get("active", True):
                    continue
                model, bookings = self._bookings(display)
                for booking in rules.no_shows(bookings, now, grace):
                    _model, record = self._record(display, booking.ref)
                    self.server.update_record(
                        model, record["id"], {FIELDS[model][1]: odoo_text(now)}
                    )
                    organizer = record.get("user_id") or record.get("organizer_id") or None
                    self.messages.append((booking.ref, "Nobody checked in", organizer))
                    released.append(booking.ref)
        return released
