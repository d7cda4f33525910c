"""Odoo as its broker's publisher (``room.rasp.broker.publisher == "odoo"``, DESIGN 3a).

After the transaction that changed a booking or a display commits, the displays concerned
are queued (a postcommit hook: nothing waits for the network inside a transaction, and
only ids cross it: the hook reads the brokers' secrets as the system); a
lane per broker (``mqtt_bridge.DataPublisher``) then reads what is due in a short
transaction of its own (``_epaper_publish_plan``), publishes it retained with QoS 1 and
stores the hashes (``_epaper_publish_done``). A cron renews payloads near their
``valid_until`` and follows the window's next day. The payload is ``epaper_publish``'s,
byte for byte the hub's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
from typing import Any

from odoo import api, fields, models

from .. import mqtt_runtime
from ..epaper_publish import Published, answer_payloads, data_topic, due_messages
from ..mqtt_bridge import BrokerSettings, Outgoing, PublishJob

_logger = logging.getLogger(__name__)

PARAM_HORIZON = "connection_conf.publish_horizon_days"
DEFAULT_HORIZON_DAYS = 7  # the hub's default
# Display fields that move a display to another broker or topic.
ROUTE_FIELDS = frozenset(
    {"name", "active", "broker_id", "topic_prefix", "mqtt_host", "mqtt_port", "mqtt_username",
     "mqtt_tls", "mqtt_password", "mqtt_ca_cert"}
)  # fmt: skip


class RoomRaspConnectionPublish(models.Model):
    """Publishing each door's ``/data`` from Odoo when its broker says so."""

    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    data_topic = fields.Char(
        string="Published Topic", readonly=True, copy=False,
        help="The topic Odoo last left this display's retained room data on.",
    )  # fmt: skip
    data_hash = fields.Char(string="Published Content Hash", readonly=True, copy=False)
    data_valid_until = fields.Datetime(
        string="Published Data Valid Until", readonly=True, copy=False
    )
    publisher = fields.Selection(related="broker_id.publisher", string="Room Data Publisher")

    def _epaper_odoo_published(self) -> Any:
        """The displays in ``self`` on a broker whose publisher is Odoo (no secret read)."""
        return self.sudo().filtered(lambda d: d.broker_id.publisher == "odoo")

    def _epaper_pending(self) -> mqtt_runtime.PendingPublish:
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.get(mqtt_runtime.PUBLISH_DATA_KEY)
        if pending is None:
            pending = postcommit.data[mqtt_runtime.PUBLISH_DATA_KEY] = mqtt_runtime.PendingPublish()
            postcommit.add(
                functools.partial(mqtt_runtime.submit_publish, self.env.cr.dbname, pending)
            )
        return pending

    def _epaper_queue_publish(self) -> None:
        """After commit, bring the ``/data`` of these displays up to date (Odoo-published
        ones only; the lane decides what changed). Only ids are queued: the hook reads
        the brokers and their secrets as the system (``mqtt_runtime.submit_publish``)."""
        displays = self._epaper_odoo_published()
        if displays:
            self._epaper_pending().displays.update(displays.ids)

    def _epaper_queue_clear(self) -> None:
        """After commit, clear the retained ``/data`` these displays left (before they are
        deleted or moved to another broker or topic). Queued: the display, its broker
        and its route, without a secret."""
        published = self.sudo().with_context(active_test=False).filtered("data_topic")
        if not published:
            return
        pending = self._epaper_pending()
        for display in published:
            pending.clears.add(
                (display.id, display.broker_id.id or 0, display._mqtt_route(), display.data_topic)
            )

    # -- in the postcommit hook, as the system ---------------------------------------

    @api.model
    def _epaper_publish_jobs(self, pending: mqtt_runtime.PendingPublish) -> list[PublishJob]:
        """Return one job per broker for what a committed transaction queued. Reads the
        secrets in this environment: the system's (``mqtt_runtime.submit_publish``)."""
        jobs: dict[str, PublishJob] = {}

        def add(job: PublishJob) -> None:
            jobs[job.key] = jobs[job.key].merged(job) if job.key in jobs else job

        displays = self.browse(sorted(pending.displays)).exists()._epaper_odoo_published()
        for key, (settings, group) in displays._group_by_broker().items():
            add(PublishJob(key, settings, frozenset(group.ids)))
        for display_id, broker_id, route, topic in sorted(
            pending.clears, key=lambda clear: clear[3]
        ):
            settings = self._epaper_clear_settings(display_id, broker_id, route)
            if settings is None:
                _logger.warning("retained %s not cleared: its broker's password is gone", topic)
                continue
            key = mqtt_runtime.client_key(self.env.cr.dbname, settings)
            add(PublishJob(key, settings, clear=frozenset({topic})))
        return list(jobs.values())

    @api.model
    def _epaper_clear_settings(
        self, display_id: int, broker_id: int, route: BrokerSettings
    ) -> BrokerSettings | None:
        """The settings, with secrets, of a display's old ``route``: a session this
        process holds there, else the display's own if it still goes there, else its old
        broker's secrets on that route (the display's own password, if any, first)."""
        held = mqtt_runtime.route_settings(self.env.cr.dbname, route)
        if held is not None:
            return held
        display = self.with_context(active_test=False).browse(display_id).exists()
        if display and display._mqtt_route().route_key() == route.route_key():
            return display._mqtt_settings()
        broker = self.env["room.rasp.broker"].browse(broker_id).exists()
        if not broker:
            return None
        return dataclasses.replace(
            route,
            password=(display.mqtt_password if display else None) or broker.password or None,
            ca_cert=(display.mqtt_ca_cert if display else None) or broker.ca_cert or None,
            answer_actions=broker.publisher == "odoo",  # the session says who publishes
        )

    def _epaper_queue_changed(self) -> Any:
        """A booking at these displays' rooms changed: publish their ``/data`` too."""
        result = super()._epaper_queue_changed()
        self._epaper_queue_publish()
        return result

    @api.model_create_multi
    def create(self, vals_list: list[dict[str, Any]]) -> Any:
        """Create displays and publish their first ``/data`` after commit."""
        displays = super().create(vals_list)
        displays._epaper_queue_publish()
        return displays

    def write(self, vals: dict[str, Any]) -> bool:
        """Write; a changed answer is republished, a changed route clears the old topic."""
        if ROUTE_FIELDS.intersection(vals):
            self._epaper_queue_clear()
            vals = dict(vals, data_topic=False, data_hash=False, data_valid_until=False)
        result = super().write(vals)
        if ROUTE_FIELDS.intersection(vals) or self._epaper_answer_fields().intersection(vals):
            self._epaper_queue_publish()
        return result

    def unlink(self) -> bool:
        """Delete displays; their retained ``/data`` is cleared after commit."""
        self._epaper_queue_clear()
        return super().unlink()

    # -- in the lane's own short transaction --------------------------------------

    @api.model
    def _epaper_publish_plan(self, job: PublishJob) -> list[Outgoing]:
        """Return what is due for ``job``: clears, then the payloads whose content changed
        or whose life is half gone (``epaper_publish.due_messages``)."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        displays = self.sudo().browse(sorted(job.display_ids)).exists()
        displays = displays.filtered(
            lambda d: d.active and d.broker_id.publisher == "odoo" and d._mqtt_key() == job.key
        )
        current: dict[int, Any] = {}
        if displays:
            start, end = self._epaper_publish_window(now)
            answer = self._epaper_schedule_full(start, end, displays.mapped("name"), None, None)
            built = answer_payloads(answer, now)
            for display in displays:
                entry = built.get(display.name)
                topic = data_topic(display._effective_prefix(), display.name)
                current[display.id] = (topic, entry[1]) if entry else None
        last = {
            display.id: Published(
                display.data_topic,
                display.data_hash or None,
                display.data_valid_until.replace(tzinfo=dt.UTC)
                if display.data_valid_until
                else None,
            )
            for display in displays
            if display.data_topic
        }
        due = due_messages(current, last, now)
        # A topic cleared and published again in one round (new settings, same topic)
        # only gets its payload: the door never sees an empty /data in between.
        clear = job.clear - {d.topic for d in due if d.payload}
        return [Outgoing(topic, b"") for topic in sorted(clear)] + [
            Outgoing(d.topic, d.payload, d.display, d.content_hash, d.valid_until) for d in due
        ]

    @api.model
    def _epaper_publish_window(self, now: dt.datetime) -> tuple[str, str]:
        """The hub's window: yesterday's UTC midnight to the horizon's next midnight."""
        days = int(
            self.env["ir.config_parameter"].sudo().get_param(PARAM_HORIZON, DEFAULT_HORIZON_DAYS)
            or DEFAULT_HORIZON_DAYS
        )
        midnight = dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC)
        start = midnight - dt.timedelta(days=1)
        end = midnight + dt.timedelta(days=days + 1)
        return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")

    @api.model
    def _epaper_publish_done(self, job: PublishJob, published: list[Outgoing]) -> None:  # pylint: disable=unused-argument
        """Store what the broker took of ``job``: topic, hash and end of life per display."""
        for item in published:
            if item.display_id is None:
                continue
            display = self.sudo().browse(item.display_id).exists()
            if not display:
                continue
            if item.content_hash is None:
                if display.data_topic == item.topic:
                    values: dict[str, Any] = {"data_topic": False, "data_hash": False}
                    display.with_context(tracking_disable=True).write(values)
                continue
            until = dt.datetime.fromisoformat((item.valid_until or "").replace("Z", "+00:00"))
            display.with_context(tracking_disable=True).write(
                {
                    "data_topic": item.topic,
                    "data_hash": item.content_hash,
                    "data_valid_until": until.replace(tzinfo=None),
                }
            )

    @api.model
    def _cron_epaper_publish(self) -> None:
        """Every few minutes: queue every Odoo-published display (renewals, the moving
        window); the lanes send only what is due."""
        brokers = self.env["room.rasp.broker"].sudo().search([("publisher", "=", "odoo")])
        displays = self.sudo().search([("broker_id", "in", brokers.ids)])
        displays._epaper_queue_publish()
