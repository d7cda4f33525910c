"""Glue between the plain MQTT bridge and Odoo: per-database event drains and change notices.

Everything here is per process. Events from paho's thread go into a queue per database;
one drain thread per database stores them with its own cursor. No recordset ever crosses
a thread.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

from . import door_runtime
from .mqtt_bridge import (
    ActionEvent,
    BridgeClient,
    BrokerSettings,
    ChangeNotifier,
    DataPublisher,
    Event,
    EventDrainer,
    EventQueue,
    MqttConnectionManager,
    Outgoing,
    PublishJob,
)

_logger = logging.getLogger(__name__)

KEY_SEPARATOR = "|"
CHANGED_DATA_KEY = "connection_conf.changed"

_lock = threading.Lock()
_state: dict[str, Any] = {"pid": os.getpid(), "drains": {}, "notifier": None, "data": None}


def _reset_after_fork() -> None:
    if _state["pid"] != os.getpid():
        _state.update(pid=os.getpid(), drains={}, notifier=None, data=None)


def client_key(dbname: str, settings: BrokerSettings) -> str:
    """Return the manager key of a database's session with one broker and prefix."""
    return f"{dbname}{KEY_SEPARATOR}{settings.connection_key()}"


def dbname_of(key: str) -> str:
    """Return the database name a manager key belongs to."""
    return key.split(KEY_SEPARATOR, 1)[0]


MAX_ATTEMPTS = 20


def _store_batch(dbname: str, batch: list[Event]) -> None:
    actions = [event for event in batch if isinstance(event, ActionEvent)]
    if actions:
        door_runtime.submit(dbname, actions)
        batch = [event for event in batch if not isinstance(event, ActionEvent)]
        if not batch:
            return
    registry = Registry(dbname).check_signaling()  # pick up module changes of other workers
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        skipped = env["room.rasp.connection"]._mqtt_apply_events(batch)
    # Rows locked by another transaction: try again in the next batch (newest still wins).
    events = event_queue(dbname)
    for event in skipped:
        if event.attempts < MAX_ATTEMPTS:
            events.put(dataclasses.replace(event, attempts=event.attempts + 1))
        else:
            _logger.warning("status of %r dropped: its display stayed locked", event.device)


def event_queue(dbname: str) -> EventQueue:
    """Return the event queue of ``dbname``, starting its drain thread when needed."""
    with _lock:
        _reset_after_fork()
        drain = _state["drains"].get(dbname)
        if drain is None:
            drain = EventDrainer(
                EventQueue(),
                lambda batch: _store_batch(dbname, batch),
                name=f"connection_conf-drain-{dbname}",
            )
            _state["drains"][dbname] = drain
        drain.start()
        return drain.events


def _sink(dbname: str) -> Callable[[Event], None]:
    """Where a session of ``dbname`` hands its events (paho's thread, never blocks): door
    requests straight to the doors' thread (a door waits for its answer, not for the
    status drain's settling), everything else to the event drain."""
    events = event_queue(dbname)

    def put(event: Event) -> None:
        if isinstance(event, ActionEvent):
            door_runtime.submit(dbname, [event])
        else:
            events.put(event)

    return put


def register(dbname: str, settings: BrokerSettings) -> BridgeClient:
    """Start (or return) the session of ``dbname`` with these settings."""
    return MqttConnectionManager().register(client_key(dbname, settings), settings, _sink(dbname))


def client_for_key(key: str, settings: BrokerSettings) -> BridgeClient:
    """Session factory of the change notifier."""
    return register(dbname_of(key), settings)


def existing_devices(key: str, devices: tuple[str, ...]) -> list[str]:
    """Return the ``devices`` that still exist as active displays in the key's database."""
    registry = Registry(dbname_of(key))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        found = env["room.rasp.connection"].search([("name", "in", list(devices))])
        return found.mapped("name")


def notifier() -> ChangeNotifier:
    """Return the process's change notifier (a lane per broker)."""
    with _lock:
        _reset_after_fork()
        if _state["notifier"] is None:
            _state["notifier"] = ChangeNotifier(client_for_key, existing=existing_devices)
        return _state["notifier"]


def connected_routes(dbname: str) -> set[str]:
    """Return the route keys (no secret, ``BrokerSettings.route_key``) of ``dbname``'s
    sessions that are connected now."""
    manager = MqttConnectionManager()
    routes = set()
    for key in manager.registered_keys():
        client = manager.get_client(key)
        if dbname_of(key) == dbname and client is not None and client.is_connected():
            routes.add(client.settings.route_key())
    return routes


def send_change_notices(dbname: str, devices: set[str]) -> None:
    """Postcommit hook: queue one ``_odoo/changed`` per broker for ``devices``.

    The committed transaction hands over device names only; the brokers and their
    secrets are read here, as the system, in a cursor of its own (one query), and the
    notices are queued for the notifier's threads.
    """
    if not devices:
        return
    try:
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            notices = env["room.rasp.connection"]._epaper_change_notices(sorted(devices))
        for key, (settings, names) in notices.items():
            notifier().notify(key, settings, names)
    except Exception:
        _logger.exception("change notice for %s not queued (%s)", sorted(devices), dbname)


PUBLISH_DATA_KEY = "connection_conf.publish"


def _plan(job: PublishJob) -> list[Outgoing]:
    """What is due for a job, read in a short transaction of its own."""
    registry = Registry(dbname_of(job.key)).check_signaling()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["room.rasp.connection"]._epaper_publish_plan(job)


def _done(job: PublishJob, published: list[Outgoing]) -> None:
    """Remember what the broker took, in a short transaction of its own."""
    registry = Registry(dbname_of(job.key))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["room.rasp.connection"]._epaper_publish_done(job, published)


def data_publisher() -> DataPublisher:
    """Return the process's ``/data`` publisher (a lane per broker)."""
    with _lock:
        _reset_after_fork()
        if _state["data"] is None:
            _state["data"] = DataPublisher(client_for_key, _plan, _done)
        return _state["data"]


@dataclasses.dataclass
class PendingPublish:
    """What a transaction asks to publish once it commits, without a secret: the ids of
    displays to bring up to date, and the retained topics to clear, each as
    ``(display id, its old broker id or 0, its old route (no secret), topic)``."""

    displays: set[int] = dataclasses.field(default_factory=set)
    clears: set[tuple[int, int, BrokerSettings, str]] = dataclasses.field(default_factory=set)


def route_settings(dbname: str, route: BrokerSettings) -> BrokerSettings | None:
    """The settings, with secrets, of a session of ``dbname`` this process holds to
    ``route`` (same ``route_key``), or None."""
    manager = MqttConnectionManager()
    for key in manager.registered_keys():
        client = manager.get_client(key)
        if (
            dbname_of(key) == dbname
            and client is not None
            and client.settings.route_key() == route.route_key()
        ):
            return client.settings
    return None


def submit_publish(dbname: str, pending: PendingPublish) -> None:
    """Postcommit hook: queue one ``/data`` job per broker; returns once queued.

    The committed transaction hands over ids and routes only; the brokers' secrets are
    read here, as the system, in a cursor of its own (``_epaper_publish_jobs``), as the
    change notices do, so whoever changed a booking never has a secret read for them.
    """
    if not pending.displays and not pending.clears:
        return
    try:
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            jobs = env["room.rasp.connection"]._epaper_publish_jobs(pending)
    except Exception:
        _logger.exception("/data of %s not queued (%s)", sorted(pending.displays), dbname)
        return
    for job in jobs:
        try:
            data_publisher().submit(job)
        except Exception:
            _logger.exception("/data of %s not queued (%s)", sorted(job.display_ids), dbname)
