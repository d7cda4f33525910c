"""The MQTT side of the e-paper displays (OCA style: a second class of the same model).

Odoo's own sessions with the brokers (seed names: ``connect_mqtt``, ``_mqtt_loop_start``,
``_on_connect``, ``_on_disconnect``, ``_reconnect_mqtt``, the cron monitor), the test
buttons and the change notices to the hub; storing statuses is in
``room_rasp_connection_status.py``. The MQTT logic itself is in ``mqtt_bridge``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from typing import Any

from odoo import api, fields, models

from .. import mqtt_runtime
from ..mqtt_bridge import (
    BrokerSettings,
    ConnectionEvent,
    MqttConnectionManager,
    probe_connection,
)
from ..mqtt_bridge.status_record import RESOLUTION as LAST_SEEN_RESOLUTION

_logger = logging.getLogger(__name__)

PARAM_STALE = "connection_conf.stale_after_minutes"
PARAM_ACK_TIMEOUT = "connection_conf.ack_timeout_seconds"
SESSION_WAIT = 5.0
RETAINED_SETTLE = 1.0


class RoomRaspConnectionMqtt(models.Model):
    """The MQTT sessions, status mirror and test buttons of the e-paper displays."""

    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    def _mqtt_settings(self) -> BrokerSettings:
        """Return the plain settings of this display's broker, secrets read as the caller
        (``_epaper_broker_values``: AccessError unless a manager or the system)."""
        self.ensure_one()
        return BrokerSettings(
            **self._epaper_broker_values(),
            topic_prefix=self._effective_prefix(),
            qos=self.qos,
            keepalive=self.keepalive,
            answer_actions=self.sudo().broker_id.publisher == "odoo",
        )

    def _mqtt_route(self) -> BrokerSettings:
        """Return where this display's session goes, without secrets (anyone may ask)."""
        self.ensure_one()
        return BrokerSettings(
            **self._epaper_route_values(),
            topic_prefix=self._effective_prefix(),
            qos=self.qos,
            keepalive=self.keepalive,
        )

    def _mqtt_key(self) -> str:
        self.ensure_one()
        return mqtt_runtime.client_key(self.env.cr.dbname, self._mqtt_settings())

    def _group_by_broker(self) -> dict[str, tuple[BrokerSettings, Any]]:
        """Return ``{key: (settings, displays)}`` for the displays in ``self``."""
        groups: dict[str, tuple[BrokerSettings, Any]] = {}
        for display in self:
            settings = display._mqtt_settings()
            if not settings.host:
                continue  # no broker: the hub alone talks to this sign
            key = mqtt_runtime.client_key(self.env.cr.dbname, settings)
            previous = groups.get(key, (settings, self.browse()))[1]
            groups[key] = (settings, previous | display)
        return groups

    def _compute_odoo_connected(self) -> None:
        # Matched by route (no secret), so that everyone who reads a display may see it.
        connected = mqtt_runtime.connected_routes(self.env.cr.dbname)
        for display in self:
            display.odoo_connected = (
                bool(display.id) and display._mqtt_route().route_key() in connected
            )

    # -- MQTT session (seed names) -------------------------------------------

    def _mqtt_loop_start(self) -> dict[str, Any]:
        """Start the MQTT session of each broker in ``self``; return ``{key: client}``."""
        clients = {}
        for key, (settings, displays) in self._group_by_broker().items():
            try:
                clients[key] = mqtt_runtime.register(self.env.cr.dbname, settings)
            except ValueError as exc:
                _logger.warning("MQTT settings of %s unusable: %s", displays.mapped("name"), exc)
                displays.sudo().write({"broker_message": str(exc)})
        return clients

    def connect_mqtt(self) -> dict[str, Any]:
        """Button "Connect": start the session and report whether it came up."""
        self.check_access("write")
        clients = self._mqtt_loop_start()
        connected = MqttConnectionManager().wait_connected(clients, SESSION_WAIT)
        lines, ok = [], bool(clients) and connected == set(clients)
        for client in clients.values():
            lines.append(client.last_message)
        if not clients:
            lines.append(self.env._("No usable broker settings."))
        return self._notify(self.env._("Connect"), "\n".join(lines), ok)

    def _reconnect_mqtt(self) -> None:
        """Restart the sessions of ``self`` that are missing or whose thread died."""
        manager = MqttConnectionManager()
        stale = self.browse()
        for key, (_settings, displays) in self._group_by_broker().items():
            client = manager.get_client(key)
            if client is None or not client.running:
                manager.unregister(key)
                stale |= displays
        if stale:
            _logger.info("MQTT: (re)starting sessions for %s", stale.mapped("name"))
            stale._mqtt_loop_start()

    def _on_connect(self, event: ConnectionEvent) -> None:
        """Odoo's session to these displays' broker is up."""
        message = self.env._("Connected: %(message)s", message=event.message)
        self.filtered(lambda d: d.broker_message != message).write({"broker_message": message})

    def _on_disconnect(self, event: ConnectionEvent) -> None:
        """Odoo's session is down or refused: say so once on each display."""
        message = self.env._(
            "%(kind)s: %(message)s", kind=event.kind.capitalize(), message=event.message
        )
        changed = self.filtered(lambda d: d.broker_message != message)
        changed.write({"broker_message": message})
        if event.kind == "failed":
            for display in changed:
                display.message_post(body=self.env._("MQTT connection failed: %s", event.message))

    @api.model
    def _cron_mqtt_connection_monitor(self) -> None:
        """Every minute: restart missing sessions, refresh live displays, expire silent ones.

        The system's own sessions: every display of the database and the brokers' secrets,
        whichever user the cron job names (README "Secrets and rights").
        """
        system = self.sudo()
        # The monitor has to visit every active display, however many there are.
        displays = system.search([])  # pylint: disable=no-search-all
        if not displays:
            return
        displays._reconnect_mqtt()
        manager = MqttConnectionManager()
        groups = displays._group_by_broker()
        system._stop_unused_sessions(set(groups))
        now = fields.Datetime.now()
        # One deadline for all brokers: unreachable ones do not add up.
        connected = manager.wait_connected(groups, SESSION_WAIT)
        clients = {key: manager.get_client(key) for key in connected}
        live_clients = {key: client for key, client in clients.items() if client is not None}
        if live_clients:
            # Sessions that have just come up get a moment for the retained statuses.
            youngest = min(client.connected_for() for client in live_clients.values())
            time.sleep(max(0.0, RETAINED_SETTLE - youngest))
        for key, client in live_clients.items():
            group = groups[key][1]
            client.publish_online()
            live = {name for name, event in client.statuses().items() if event.state != "offline"}
            group.filtered(
                lambda d, live=live: (
                    d.name in live
                    and (not d.last_seen or now - d.last_seen >= LAST_SEEN_RESOLUTION)
                )
            ).write({"last_seen": now})
        system._mark_silent_displays_offline(now)

    @api.model
    def _stop_unused_sessions(self, used: set[str]) -> None:
        """Stop this database's sessions no display needs any more (settings changed)."""
        manager = MqttConnectionManager()
        for key in manager.registered_keys():
            if mqtt_runtime.dbname_of(key) == self.env.cr.dbname and key not in used:
                _logger.info("MQTT: stopping the unused session %s", key)
                manager.unregister(key)

    def _mark_silent_displays_offline(self, now: dt.datetime) -> None:
        minutes = int(
            self.env["ir.config_parameter"].sudo().get_param(PARAM_STALE, default="10") or 0
        )
        if minutes <= 0:
            return
        silent = self.search(
            [
                ("mqtt_connection_state", "in", ("online", "error")),
                "|",
                ("last_seen", "=", False),
                ("last_seen", "<", now - dt.timedelta(minutes=minutes)),
            ]
        )
        if silent:
            _logger.info("MQTT: no status for %d min from %s", minutes, silent.mapped("name"))
            silent.write(
                {
                    "mqtt_connection_state": "offline",
                    "last_error": self.env._("No status for %(minutes)s minutes", minutes=minutes),
                }
            )

    # -- test buttons -------------------------------------------------------------

    def test_mqtt_connection(self) -> dict[str, Any]:
        """Button "Test connection": connect once and say what the broker answered."""
        self.ensure_one()
        self.check_access("write")
        result = probe_connection(self._mqtt_settings(), timeout=5.0)
        if result.rc is not None:
            text = self.env._(
                "Return code %(rc)s: %(message)s", rc=result.rc, message=result.message
            )
        else:
            text = result.message
        self.sudo().write({"broker_message": text})
        return self._notify(self.env._("Test connection"), text, result.ok)

    def publish_test_message(self) -> dict[str, Any]:
        """Button "Send test message": publish ``/test``, wait for ``/ack``, show the result."""
        self.ensure_one()
        self.check_access("write")
        timeout = float(
            self.env["ir.config_parameter"].sudo().get_param(PARAM_ACK_TIMEOUT, default="10") or 10
        )
        client = self._mqtt_loop_start().get(self._mqtt_key())
        if client is None:
            return self._notify(self.env._("Test message"), self.broker_message or "", False)
        text = self.env._("Test from Odoo (%(user)s)", user=self.env.user.name)
        result = client.send_test_message(self.name, text, timeout=timeout)
        self.message_post(body=result.summary())
        return self._notify(
            self.env._("Test message"), result.summary(), result.acked and result.ok
        )

    def _epaper_queue_changed(self) -> None:
        """After commit, tell the hub these displays' schedules changed (one notice per broker).

        Only the device names go into the transaction: the hook reads the brokers and
        their secrets as the system, in its own cursor (``mqtt_runtime.send_change_notices``),
        so whoever changed a booking never has a secret read on their behalf.
        """
        if not self:
            return
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.get(mqtt_runtime.CHANGED_DATA_KEY)
        if pending is None:
            pending = postcommit.data[mqtt_runtime.CHANGED_DATA_KEY] = set()
            postcommit.add(
                functools.partial(mqtt_runtime.send_change_notices, self.env.cr.dbname, pending)
            )
        pending.update(self.mapped("name"))

    @api.model
    def _epaper_change_notices(
        self, devices: list[str]
    ) -> dict[str, tuple[BrokerSettings, list[str]]]:
        """Return ``{key: (settings, device names)}``: the active displays named ``devices``
        grouped by broker (those without a broker left out). Secrets are read in this
        environment: the system's (``mqtt_runtime``), AccessError for other users."""
        displays = self.search([("name", "in", list(devices))])
        return {
            key: (settings, sorted(group.mapped("name")))
            for key, (settings, group) in displays._group_by_broker().items()
        }
