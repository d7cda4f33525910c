"""``last_seen`` and the other fields one status writes (the rule every status path uses)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mqtt_bridge.status_record import status_changes

T9 = dt.datetime(2026, 11, 27, 9, 0, 0)


def at(minutes: float) -> dt.datetime:
    """09:00 UTC plus ``minutes``, naive as Odoo stores it."""
    return T9 + dt.timedelta(minutes=minutes)


def apply(stored: dict[str, Any], **status: Any) -> dict[str, Any]:
    """Apply one status to ``stored`` and return what was written."""
    vals = status_changes(stored, **status)
    stored.update(vals)
    return vals


def test_offline_keeps_the_time_it_was_last_heard_from() -> None:
    """Online at 09:00, offline at 09:30 with nothing carried: last_seen stays 09:00."""
    record: dict[str, Any] = {}
    apply(record, state="online", error=None, status_at=at(0), last_seen=at(0))
    assert record["last_seen"] == at(0)
    vals = apply(record, state="offline", error=None, status_at=at(30), last_seen=None)
    assert vals == {"mqtt_connection_state": "offline", "last_status_at": at(30)}
    assert record["last_seen"] == at(0)


def test_an_offline_report_carries_a_newer_last_seen() -> None:
    """The hub heard the display at 09:00:40 (under the minute Odoo skips): offline takes it."""
    record: dict[str, Any] = {}
    apply(record, state="online", error=None, status_at=at(0), last_seen=at(0))
    assert apply(record, state="online", error=None, status_at=at(2 / 3), last_seen=at(2 / 3)) == {}
    apply(record, state="offline", error=None, status_at=at(2 / 3), last_seen=at(2 / 3))
    assert record["mqtt_connection_state"] == "offline"
    assert record["last_seen"] == at(2 / 3)


def test_last_seen_never_moves_back_and_older_statuses_change_nothing() -> None:
    """A late report is ignored; an offline one carrying an older time keeps the newer one."""
    record: dict[str, Any] = {}
    apply(record, state="online", error=None, status_at=at(10), last_seen=at(10))
    assert apply(record, state="offline", error=None, status_at=at(5), last_seen=at(5)) == {}
    record["last_status_at"] = at(0)  # e.g. the monitor refreshed last_seen only
    apply(record, state="offline", error=None, status_at=at(8), last_seen=at(8))
    assert record["last_seen"] == at(10)


def test_online_last_seen_is_written_once_a_minute() -> None:
    """A chatty online display moves last_seen only every minute; a change always writes."""
    record: dict[str, Any] = {}
    apply(record, state="online", error=None, status_at=at(0), last_seen=at(0))
    assert apply(record, state="online", error=None, status_at=at(0.5), last_seen=at(0.5)) == {}
    assert apply(record, state="online", error=None, status_at=at(1), last_seen=at(1)) == {
        "last_seen": at(1),
        "last_status_at": at(1),
    }
    vals = apply(record, state="error", error="data rejected", status_at=at(1.2), last_seen=at(1.2))
    assert vals["last_seen"] == at(1.2)
    assert vals["last_error"] == "data rejected"


def test_aware_times_are_stored_naive_utc() -> None:
    """Aware datetimes (any zone) become naive UTC whole seconds."""
    berlin = dt.timezone(dt.timedelta(hours=1))
    moment = dt.datetime(2026, 11, 27, 10, 0, 0, 500000, tzinfo=berlin)
    vals = status_changes({}, state="online", error=None, status_at=moment, last_seen=moment)
    assert vals["last_seen"] == vals["last_status_at"] == T9
