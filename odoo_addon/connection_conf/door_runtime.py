"""Glue between the doors' ``/action`` requests and Odoo when Odoo is the publisher.

Requests arrive through the per-database event drain (``mqtt_runtime``); a thread per
database hands each to the plain desk (``epaper_doors``: contract, replay memory,
throttle), performs it in a transaction of its own, and answers on ``/ack`` after the
commit (the booking's change queues the door's new ``/data`` in that commit).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from typing import Any

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

from .epaper_doors import DoorAction, DoorDesk, ack_bytes
from .mqtt_bridge import ActionEvent, MqttConnectionManager, publish_to_door

_logger = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, Any] = {"pid": os.getpid(), "desk": None, "queues": {}}


def desk() -> DoorDesk:
    """The process's desk (its replay memory and buckets)."""
    with _lock:
        if _state["pid"] != os.getpid():
            _state.update(pid=os.getpid(), desk=None, queues={})
        if _state["desk"] is None:
            _state["desk"] = DoorDesk()
        return _state["desk"]


def _perform(dbname: str, event: ActionEvent, device: str, request: DoorAction) -> str | None:
    registry = Registry(dbname).check_signaling()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["room.rasp.connection"]._epaper_door_request(
            event.connection_key, event.prefix, device, request.action, request.minutes
        )


def handle(dbname: str, event: ActionEvent) -> None:
    """Answer one request (performed at most once per id) on ``/ack``."""
    answer = desk().handle(
        (event.prefix, event.device),
        event.payload,
        lambda device, request: _perform(dbname, event, device, request),
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
    desk()
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
