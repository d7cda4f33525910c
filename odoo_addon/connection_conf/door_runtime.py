"""Glue between the doors' ``/action`` requests and Odoo when Odoo is the publisher.

Requests arrive through the per-database event drain (``mqtt_runtime``); a thread per
database hands each to the plain desk (``epaper_doors``: contract, throttle) whose first
answers live in the database (:class:`DatabaseLedger`, model ``room.rasp.door.answer``):
the request is claimed, performed and its answer stored in one transaction, so a replay
is not performed again by another worker or after a restart. The answer goes on
``/ack`` after the commit (the booking's change queues the door's new ``/data`` in it).
"""

from __future__ import annotations

import contextvars
import logging
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from .epaper_doors import ODOO_UNAVAILABLE, Answer, Door, DoorAction, DoorDesk, ack_bytes
from .mqtt_bridge import ActionEvent, MqttConnectionManager, publish_to_door

_logger = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, Any] = {"pid": os.getpid(), "desks": {}, "queues": {}}
# The environment of the transaction a request is performed in (set by the ledger).
_performing: contextvars.ContextVar[Any] = contextvars.ContextVar("connection_conf_door_env")
ATTEMPTS = 3  # transactions a request gets when PostgreSQL asks to retry


class DatabaseLedger:
    """An ``epaper_doors.Ledger`` in the database ``dbname`` (``room.rasp.door.answer``).

    ``perform`` of :meth:`once` runs inside the claiming transaction; it reads that
    transaction's environment with :func:`performing_env`. ``cursor`` opens a
    transaction (a context manager giving a cursor that commits on a clean exit, rolls
    back on an exception): a new cursor of the database's registry unless given.
    """

    def __init__(self, dbname: str, cursor: Callable[[], Any] | None = None) -> None:
        self.dbname = dbname
        self._cursor = cursor or self._new_cursor

    def _new_cursor(self) -> Any:
        return Registry(self.dbname).check_signaling().cursor()

    def recall(self, door: Door, request_id: str) -> Answer | None:
        """The committed first answer of ``request_id`` (``Ledger.recall``)."""
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["room.rasp.door.answer"]._epaper_recall(door, request_id)

    def once(self, door: Door, request_id: str, perform: Callable[[], str | None]) -> str | None:
        """Claim, perform and answer in one transaction (``Ledger.once``); an id claimed
        by another transaction gets that one's answer once it commits. TimeoutError when
        the other holds it past ``REPEAT_WAIT``."""
        for _attempt in range(ATTEMPTS):
            try:
                return self._once(door, request_id, perform)
            except pg_errors.LockNotAvailable as exc:
                raise TimeoutError("the first request is still running") from exc
            except TransactionRollbackError:
                # Serialization failure or deadlock: the other transaction committed
                # this id, or touched this door's rows; read, then try again.
                first = self.recall(door, request_id)
                if first is not None:
                    return first.code
        _logger.warning("door request %s of %s not performed: database busy", request_id, door)
        return ODOO_UNAVAILABLE

    def _once(self, door: Door, request_id: str, perform: Callable[[], str | None]) -> str | None:
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            answers = env["room.rasp.door.answer"]
            if not answers._epaper_claim(door, request_id):
                first = answers._epaper_recall(door, request_id)
                return ODOO_UNAVAILABLE if first is None else first.code
            token = _performing.set(env)
            try:
                with cr.savepoint():
                    code = perform()
            except TransactionRollbackError:
                raise
            except Exception:
                _logger.exception("door request %s of %s failed", request_id, door[1])
                code = ODOO_UNAVAILABLE
            finally:
                _performing.reset(token)
            answers._epaper_answered(door, request_id, code)
        return code


def performing_env() -> Any:
    """The environment of the transaction performing the current door request."""
    return _performing.get()


def desk(dbname: str) -> DoorDesk:
    """The desk of ``dbname`` in this process (its throttle; first answers in the db)."""
    with _lock:
        if _state["pid"] != os.getpid():
            _state.update(pid=os.getpid(), desks={}, queues={})
        found = _state["desks"].get(dbname)
        if found is None:
            found = _state["desks"][dbname] = DoorDesk(ledger=DatabaseLedger(dbname))
        return found


def _perform(event: ActionEvent, device: str, request: DoorAction) -> str | None:
    env = performing_env()
    return env["room.rasp.connection"]._epaper_door_request(
        event.connection_key, event.prefix, device, request.action, request.minutes
    )


def handle(dbname: str, event: ActionEvent) -> None:
    """Answer one request (performed at most once per id) on ``/ack``."""
    answer = desk(dbname).handle(
        (event.prefix, event.device),
        event.payload,
        lambda device, request: _perform(event, device, request),
    )
    if answer is None:
        return
    client = MqttConnectionManager().get_client(event.connection_key)
    if client is None or not publish_to_door(client, event.device, "ack", ack_bytes(answer)):
        _logger.warning("answer %s to %s not published (no session)", answer, event.device)


def _run(dbname: str, requests: queue.Queue[ActionEvent]) -> None:
    while True:
        event = requests.get()  # pylint: disable=external-request-timeout
        try:
            handle(dbname, event)
        except Exception:
            _logger.exception("door request of %s failed", event.device)


def submit(dbname: str, events: list[ActionEvent]) -> None:
    """Queue door requests of ``dbname``; returns at once."""
    desk(dbname)
    with _lock:
        requests = _state["queues"].get(dbname)
        if requests is None:
            requests = _state["queues"][dbname] = queue.Queue(maxsize=10000)
            threading.Thread(
                target=_run, args=(dbname, requests), name=f"connection_conf-doors-{dbname}",
                daemon=True,
            ).start()  # fmt: skip
    for event in events:
        try:
            requests.put_nowait(event)
        except queue.Full:
            _logger.warning("door request of %s dropped: queue full", event.device)
