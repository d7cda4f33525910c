"""How statuses reach a display record (OCA style: another class of the same model).

Both ways a status comes in, the hub's ``mqtt_status_report`` RPC and the events of
the addon's own MQTT session (``_mqtt_apply_events``), store it with one rule,
``mqtt_bridge.status_record`` (``last_seen`` is the last time the display was heard
from while online; older reports change nothing).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..mqtt_bridge import (
    ConnectionEvent,
    MqttConnectionManager,
    StatusEvent,
    is_valid_device_name,
)
from ..mqtt_bridge.status_record import naive_utc, status_changes
from ..mqtt_bridge.wire import parse_timestamp, snapshot_problem, storable_text

_logger = logging.getLogger(__name__)

REPORT_STATES = ("online", "offline", "error")


class RoomRaspConnectionStatus(models.Model):
    """Storing the statuses of the e-paper displays, from the hub and from MQTT."""

    _inherit = "room.rasp.connection"  # pylint: disable=consider-merging-classes-inherited

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
        1 MiB), stored on the display with the report's time. Needs write access on
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
                    _logger.warning("Refused the snapshot of %s: it %s", parsed[0], problem)
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
