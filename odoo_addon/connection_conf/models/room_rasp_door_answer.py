"""The doors' replay memory in the database (model ``room.rasp.door.answer``).

One row per door request Odoo answered (Odoo as the broker's publisher): the door
(topic prefix, device name), the request's ``id`` and the first answer's code. A
request is claimed by inserting its row in the transaction that performs it, so the
answer and the booking it made commit together, and PostgreSQL's unique index lets one
transaction perform an id however many workers receive it; the rows outlive restarts.
Bounds as the hub's (``epaper_doors``): the last ``IDS_PER_DOOR`` ids of a door within
``REMEMBER_SECONDS``; older rows are dropped when the door sends a new id and by a cron.
"""

from __future__ import annotations

from typing import Any

from odoo import api, fields, models

from ..epaper_doors import IDS_PER_DOOR, REMEMBER_SECONDS, REPEAT_WAIT, Answer, Door
from ..series import Constraint


class RoomRaspDoorAnswer(models.Model):
    """The first answer Odoo gave to one request of one door."""

    _name = "room.rasp.door.answer"
    _description = "E-Paper Door Request Answer"
    _order = "id"
    _log_access = False

    prefix = fields.Char(string="Topic Prefix", required=True, readonly=True)
    device = fields.Char(required=True, readonly=True)
    request_id = fields.Char(string="Request ID", required=True, readonly=True)
    code = fields.Char(
        readonly=True, help="The refusal code answered; empty when the request was done."
    )
    seen_at = fields.Datetime(required=True, readonly=True)

    _door_request_unique = Constraint(
        "UNIQUE(prefix, device, request_id)", "A door's request is answered once."
    )

    @api.model
    def _epaper_recall(self, door: Door, request_id: str) -> Answer | None:
        """Return the first answer of ``door``'s ``request_id`` within the window, or
        None when there is none (committed) yet."""
        self.env.cr.execute(
            "SELECT code FROM room_rasp_door_answer WHERE prefix = %(prefix)s "
            "AND device = %(device)s AND request_id = %(id)s "
            "AND seen_at > (now() AT TIME ZONE 'UTC') - %(window)s * interval '1 second'",
            {"prefix": door[0], "device": door[1], "id": request_id, "window": REMEMBER_SECONDS},
        )
        row = self.env.cr.fetchone()
        return None if row is None else Answer(row[0] or None)

    @api.model
    def _epaper_claim(self, door: Door, request_id: str, code: str | None = None) -> bool:
        """Insert the row of ``door``'s ``request_id`` (answer ``code``) in this
        transaction; False when the id already has a row. While another transaction
        holds that id, this one waits for it (``REPEAT_WAIT`` at most, then PostgreSQL
        raises LockNotAvailable); under Odoo's REPEATABLE READ a row committed meanwhile
        raises a serialization failure: read the answer in a new transaction.
        The door's rows past the window go first, so an old id is new again."""
        cr = self.env.cr
        params = {"prefix": door[0], "device": door[1], "id": request_id, "code": code}
        cr.execute("SET LOCAL lock_timeout = %s", [f"{int(REPEAT_WAIT * 1000)}ms"])
        cr.execute(
            "DELETE FROM room_rasp_door_answer WHERE prefix = %(prefix)s "
            "AND device = %(device)s "
            "AND seen_at <= (now() AT TIME ZONE 'UTC') - %(window)s * interval '1 second'",
            dict(params, window=REMEMBER_SECONDS),
        )
        cr.execute(
            "INSERT INTO room_rasp_door_answer (prefix, device, request_id, code, seen_at) "
            "VALUES (%(prefix)s, %(device)s, %(id)s, %(code)s, now() AT TIME ZONE 'UTC') "
            "ON CONFLICT (prefix, device, request_id) DO NOTHING RETURNING id",
            params,
            log_exceptions=False,  # a serialization failure here is expected and handled
        )
        if cr.fetchone() is None:
            return False
        cr.execute(
            "DELETE FROM room_rasp_door_answer WHERE prefix = %(prefix)s "
            "AND device = %(device)s AND id NOT IN (SELECT id FROM room_rasp_door_answer "
            "WHERE prefix = %(prefix)s AND device = %(device)s ORDER BY id DESC LIMIT %(keep)s)",
            dict(params, keep=IDS_PER_DOOR),
        )
        return True

    @api.model
    def _epaper_answered(self, door: Door, request_id: str, code: str | None) -> None:
        """Store the answer of a request claimed in this transaction."""
        self.env.cr.execute(
            "UPDATE room_rasp_door_answer SET code = %(code)s WHERE prefix = %(prefix)s "
            "AND device = %(device)s AND request_id = %(id)s",
            {"prefix": door[0], "device": door[1], "id": request_id, "code": code},
        )

    @api.model
    def _gc_epaper_answers(self) -> Any:
        """Cron: drop the rows past the window (doors that went quiet)."""
        self.env.cr.execute(
            "DELETE FROM room_rasp_door_answer "
            "WHERE seen_at <= (now() AT TIME ZONE 'UTC') - %(window)s * interval '1 second'",
            {"window": REMEMBER_SECONDS},
        )
        return self.env.cr.rowcount
