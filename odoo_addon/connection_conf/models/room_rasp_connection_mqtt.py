"""The MQTT side of the e-paper displays (OCA style: a second class of the same model).

Odoo's own sessions with the brokers (seed names: ``connect_mqtt``, ``_mqtt_loop_start``,
``_on_connect``, ``_on_disconnect``, ``_reconnect_mqtt``, the cron monitor), the test
buttons, the status mirror (``mqtt_status_report`` and the statuses the session reads)
and the change notices to the hub. The MQTT logic itself is in ``mqtt_bridge``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from typing import Any

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import mqtt_runtime
from ..mqtt_bridge import (
    BrokerSettings,
    ConnectionEvent,
    MqttConnectionManager,
    StatusEvent,
    is_valid_device_name,
    probe_connection,
)
from ..mqtt_bridge.status_record import RESOLUTION as LAST_SEEN_RESOLUTION
from ..mqtt_bridge.status_record import naive_utc, status_changes
from ..mqtt_bridge.wire import parse_timestamp, snapshot_problem, storable_text

_logger = logging.getLogger(__name__)

REPORT_STATES = ("online", "offline", "error")
PARAM_STALE = "connection_conf.stale_after_minutes"
PARAM_ACK_TIMEOUT = "connection_conf.ack_timeout_seconds"
SESSION_WAIT = 5.0
RETAINED_SETTLE = 1.0


class RoomRaspConnectionMqtt(models.Model):
    """The MQTT sessions, status mirror and test buttons of the e-paper displays."""

    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

    def _mqtt_settings(self) -> BrokerSettings:
        """Return the plain settings of this display's broker (secrets read as superuser)."""
        self.ensure_one()
        return BrokerSettings(
            **self._epaper_broker_values(),
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
        manager = MqttConnectionManager()
        for display in self:
            display.odoo_connected = bool(display.id) and manager.is_connected(display._mqtt_key())

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
        """Every minute: restart missing sessions, refresh live displays, expire silent ones."""
        # The monitor has to visit every active display, however many there are.
        displays = self.search([])  # pylint: disable=no-search-all
        if not displays:
            return
        displays._reconnect_mqtt()
        manager = MqttConnectionManager()
        groups = displays._group_by_broker()
        self._stop_unused_sessions(set(groups))
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
        self._mark_silent_displays_offline(now)

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

    # -- storing statuses ---------------------------------------------------------

    def _store_status(
        self,
        state: str,
        error: str | None,
        status_at: dt.datetime,
        last_seen: dt.datetime | None = None,
        panel: str | None = None,
    ) -> bool:
        """Write one status if it is news; return True when something changed (idempotent).

        ``status_at`` orders statuses; ``last_seen`` is when the display was last heard
        from per this status (default: ``status_at`` for an online or error status,
        unknown for an offline one). The rule is ``mqtt_bridge.status_record``.
        """
        self.ensure_one()
        if last_seen is None and state != "offline":
            last_seen = status_at
        stored = {
            name: self[name]
            for name in (
                "mqtt_connection_state",
                "last_error",
                "panel_model",
                "last_seen",
                "last_status_at",
            )
        }
        vals = status_changes(
            stored,
            state=state,
            error=error,
            status_at=status_at,
            last_seen=last_seen,
            panel=panel,
        )
        if vals:
            self.write(vals)
        return bool(vals)

    def _lock_displays(self, names: list[str]) -> Any:
        """Return the displays named ``names`` that this transaction could lock.

        Rows another worker is updating right now are skipped: it writes the same
        retained status (see README, "Several Odoo workers").
        """
        if not names:
            return self.browse()
        self.flush_model(["name", "active"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM room_rasp_connection WHERE name IN %s AND active "
                "FOR NO KEY UPDATE SKIP LOCKED",
                tuple(names),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _displays_of_session(self, key: str) -> Any:
        """Return the displays served by the MQTT session ``key``."""
        client = MqttConnectionManager().get_client(key)
        if client is None:
            return self.browse()
        candidates = self.search(
            [
                "|",
                ("mqtt_host", "=", client.settings.host),
                ("broker_id.host", "=", client.settings.host),
            ]
        )
        return candidates.filtered(lambda d: d._mqtt_key() == key)

    @api.model
    def _mqtt_apply_events(self, events: list[Any]) -> list[StatusEvent]:
        """Store a batch of events from the MQTT thread (the drain's own cursor).

        Returns the status events of displays another transaction had locked, for a retry.
        """
        latest: dict[str, StatusEvent] = {}
        for event in events:
            if isinstance(event, StatusEvent):
                known = latest.get(event.device)
                if known is None or event.received_at >= known.received_at:
                    latest[event.device] = event
            elif isinstance(event, ConnectionEvent):
                displays = self._displays_of_session(event.connection_key)
                if event.kind == "connected":
                    displays._on_connect(event)
                else:
                    displays._on_disconnect(event)
        names = sorted(latest)
        by_name = {d.name: d for d in self._lock_displays(names)}
        existing = set(self.search([("name", "in", names)]).mapped("name")) if names else set()
        skipped = []
        for name, event in latest.items():
            display = by_name.get(name)
            if display is not None:
                display._store_status(
                    event.state, event.error, event.received_at, panel=event.status.panel
                )
            elif name in existing:
                skipped.append(event)
            else:
                _logger.debug("MQTT status of %r: no such display", name)
        return skipped

    @api.model
    def mqtt_status_report(self, reports: list[dict[str, Any]]) -> dict[str, list[str]]:
        """Mirror statuses sent by the Home Assistant hub (one RPC per burst).

        ``reports`` is a list of ``{"device", "state", "last_seen", "error"}``; ``state`` is
        online, offline or error; ``last_seen`` an ISO 8601 or Odoo datetime text (UTC): the
        last time the display was heard from while online. An offline report keeps the
        stored ``last_seen`` or moves it to the time it carries, never to now.
        An optional ``"snapshot"`` key holds the door's newest picture (base64 PNG, at most
        2 MiB), stored on the display with the report's time. Needs write access on
        displays. Returns the names updated, unchanged, unknown and the invalid entries
        with the reason.
        """
        self.check_access("write")
        if not isinstance(reports, list):
            raise UserError(
                self.env._("reports must be a list of {device, state, last_seen, error}")
            )
        result: dict[str, list[str]] = {
            "updated": [],
            "unchanged": [],
            "unknown": [],
            "invalid": [],
        }
        valid: dict[str, tuple[str, str | None, dt.datetime, dt.datetime | None]] = {}
        snapshots: dict[str, str] = {}
        for report in reports:
            parsed = self._parse_report(report)
            if isinstance(parsed, str):
                result["invalid"].append(parsed)
                continue
            valid[parsed[0]] = parsed[1:]
            if report.get("snapshot") is not None:
                problem = snapshot_problem(report["snapshot"])
                if problem:
                    result["invalid"].append(f"{parsed[0]}: snapshot {problem}")
                else:
                    snapshots[parsed[0]] = report["snapshot"]
        displays = self.search([("name", "in", sorted(valid))])
        displays.check_access("write")
        by_name = {d.name: d for d in displays}
        for name, (state, error, status_at, last_seen) in valid.items():
            display = by_name.get(name)
            if display is None:
                result["unknown"].append(name)
                continue
            changed = display._store_status(state, error, status_at, last_seen)
            if name in snapshots:
                display.write({"snapshot": snapshots[name], "snapshot_at": naive_utc(status_at)})
                changed = True
            result["updated" if changed else "unchanged"].append(name)
        return result

    @api.model
    def _parse_report(
        self, report: Any
    ) -> tuple[str, str, str | None, dt.datetime, dt.datetime | None] | str:
        """Return ``(device, state, error, status_at, last_seen)`` or why it is invalid.

        ``last_seen`` absent means now for an online or error report, and "unknown" (the
        stored value stays) for an offline one; it is also the report's time.
        """
        if not isinstance(report, dict):
            return f"{report!r:.60}: not an object"
        device, state = report.get("device"), report.get("state")
        error, last_seen = report.get("error"), report.get("last_seen")
        if not is_valid_device_name(device):
            return f"{device!r:.60}: invalid device name"
        if state not in REPORT_STATES:
            return f"{device}: state {state!r:.30} is not online, offline or error"
        if error not in (None, False) and not isinstance(error, str):
            return f"{device}: error must be a text or null"
        seen_at = self._parse_last_seen(last_seen)
        if seen_at is None:
            return f"{device}: last_seen {last_seen!r:.40} is not an ISO 8601 or Odoo time"
        carried = seen_at if state != "offline" or last_seen not in (None, False) else None
        return device, state, (storable_text(error) if error else None), seen_at, carried

    @api.model
    def _parse_last_seen(self, last_seen: Any) -> dt.datetime | None:
        """Return the time of a report (now when absent), None when it is not a time."""
        if last_seen in (None, False):
            return fields.Datetime.now()
        if not isinstance(last_seen, str):
            return None
        try:
            return parse_timestamp(last_seen)
        except ValueError:
            return None

    def _epaper_queue_changed(self) -> None:
        """After commit, tell the hub these displays' schedules changed (one notice per broker)."""
        if not self:
            return
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.get(mqtt_runtime.CHANGED_DATA_KEY)
        if pending is None:
            pending = postcommit.data[mqtt_runtime.CHANGED_DATA_KEY] = {}
            postcommit.add(
                functools.partial(mqtt_runtime.send_change_notices, self.env.cr.dbname, pending)
            )
        for key, (settings, displays) in self.sudo()._group_by_broker().items():
            pending.setdefault(key, (settings, set()))[1].update(displays.mapped("name"))
