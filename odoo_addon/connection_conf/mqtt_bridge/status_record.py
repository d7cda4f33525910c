"""What one display status changes on its record: state, error, panel, ``last_seen``.

The one rule for every way a status reaches Odoo (the hub's ``mqtt_status_report``,
the addon's own MQTT session) and for the test server that stands in for Odoo:

- ``last_seen`` is the last time the display was heard from while online (UTC). An
  online or error status sets it to the time it was received. An offline status
  never sets it to the time of the offline: it keeps the stored value, or takes the
  ``last_seen`` the report carries (the hub sends the time it last heard from the
  display) when that is newer. ``last_seen`` never moves back.
- The time of a status (``status_at``) orders them: a status older than the newest
  one stored (a late or retried report) changes nothing.
- Within a state, ``last_seen`` is written at most once a minute (``RESOLUTION``),
  so a chatty display does not write its row at every message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

RESOLUTION = dt.timedelta(seconds=60)
OFFLINE = "offline"


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` as the naive UTC value Odoo stores (whole seconds)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)  # noqa: UP017
    return moment.replace(microsecond=0)


def status_changes(
    stored: Mapping[str, Any],
    *,
    state: str,
    error: str | None,
    status_at: dt.datetime,
    last_seen: dt.datetime | None,
    panel: str | None = None,
) -> dict[str, Any]:
    """Return the values to write for one status; empty when it brings nothing new.

    ``stored`` holds the record's ``mqtt_connection_state``, ``last_error``,
    ``panel_model``, ``last_seen`` and ``last_status_at`` (naive UTC datetimes, or
    False / None when unset). ``state`` is online, offline or error. ``status_at``
    is the time of the status; ``last_seen`` the time the display was last heard
    from according to it (for an offline status: the time it carries, or None).
    Datetimes may be aware or naive UTC; the values returned are naive UTC.
    """
    status_at = naive_utc(status_at)
    stored_at = stored.get("last_status_at") or None
    if stored_at and status_at < stored_at:
        return {}
    vals: dict[str, Any] = {}
    if state != stored.get("mqtt_connection_state"):
        vals["mqtt_connection_state"] = state
    if state != OFFLINE and (error or False) != (stored.get("last_error") or False):
        vals["last_error"] = error or False
    if panel and panel != stored.get("panel_model"):
        vals["panel_model"] = panel
    seen = naive_utc(last_seen) if last_seen is not None else None
    known = stored.get("last_seen") or None
    if seen is not None and (
        known is None or (seen > known and (vals or seen - known >= RESOLUTION))
    ):
        vals["last_seen"] = seen
    if vals:
        vals["last_status_at"] = status_at
    return vals
