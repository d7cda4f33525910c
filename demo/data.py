"""The demo company: five rooms whose bookings are laid around the current time."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "odoo_epaper/"  # the demo's MQTT topic prefix (the integration's default)
DATABASE = "demo"
LOGIN = "admin"
PASSWORD = "demo-admin"  # noqa: S105 - the demo's own loopback Odoo
TIMEZONE = "Europe/Brussels"


@dataclass(frozen=True)
class Panel:
    """A satellite of the demo: which display it is and its panel size."""

    device: str
    width: int
    height: int
    colors: str = "bw"


# (device, room name) of the five displays; three of them get a satellite.
ROOMS = [
    ("reception", "Reception"),
    ("boardroom", "Boardroom"),
    ("lab", "Lab"),
    ("executive", "Executive Suite"),
    ("athina", "Αίθουσα Αθήνα"),
]
# Minutes after a start within which a door's meeting must be checked in at the door
# (the display's checkin_grace_minutes): the Reception's key has something to do, as its
# running meeting started half an hour before the demo.
CHECK_IN_GRACE = {"reception": 45}
PANELS = [
    Panel("reception", 800, 480),
    Panel("boardroom", 400, 300, "bwr"),
    Panel("athina", 296, 128),
]


def _odoo_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def event(
    event_id: int,
    name: str,
    room: str,
    start: dt.datetime,
    minutes: int,
    *,
    privacy: str = "public",
) -> dict[str, Any]:
    """A calendar.event record in ``room`` from ``start`` for ``minutes``."""
    return {
        "id": event_id,
        "name": name,
        "location": room,
        "start": _odoo_time(start),
        "stop": _odoo_time(start + dt.timedelta(minutes=minutes)),
        "allday": False,
        "start_date": False,
        "stop_date": False,
        "privacy": privacy,
        "show_as": "busy",
        "user_id": 2,
        "active": True,
    }


HALF_HOUR = dt.timedelta(minutes=30)


def events_around(now: dt.datetime) -> list[dict[str, Any]]:
    """Calendar events: one room busy now, one starting soon, one free, one private, one long."""
    now = now.replace(second=0, microsecond=0)
    return [
        event(1, "Quarterly planning", "Reception", now - dt.timedelta(minutes=30), 75),
        event(2, "Customer visit: ACME", "Reception", now + dt.timedelta(minutes=90), 60),
        event(3, "Board meeting", "Boardroom", now + dt.timedelta(minutes=10), 60),
        event(4, "Budget review", "Boardroom", now + dt.timedelta(minutes=75), 45),
        event(5, "Lab induction", "Lab", now + dt.timedelta(days=1, hours=2), 90),
        event(6, "Merger talks", "Executive Suite", now - HALF_HOUR / 2, 60, privacy="private"),
        event(
            7,
            "Совещание отдела продаж: квартальный обзор результатов и планирование "
            "следующего квартала вместе с офисом в Афинах",  # noqa: RUF001
            "Αίθουσα Αθήνα",
            now - dt.timedelta(minutes=5),
            50,
        ),
    ]


def fixture(
    now: dt.datetime,
    rooms: list[tuple[str, str]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The Odoo test server's fixture (Community: calendar.event + the addon).

    The demo's five rooms and events around ``now`` unless ``rooms`` (device,
    room name) and ``events`` (calendar.event records) are given.
    """
    rooms = ROOMS if rooms is None else rooms
    events = events_around(now) if events is None else events
    displays = [
        {
            "id": index,
            "name": device,
            "room_name": room,
            "topic_prefix": False,
            "tz": TIMEZONE,
            "qos": 1,
            "panel_model": False,
            "mqtt_connection_state": "unknown",
            "last_seen": False,
            "last_error": False,
            "active": True,
            "checkin_grace_minutes": CHECK_IN_GRACE.get(device, 0),
        }
        for index, (device, room) in enumerate(rooms, start=1)
    ]
    calendar_fields = {
        name: {"type": kind}
        for name, kind in [
            ("name", "char"),
            ("start", "datetime"),
            ("stop", "datetime"),
            ("allday", "boolean"),
            ("start_date", "date"),
            ("stop_date", "date"),
            ("location", "char"),
            ("privacy", "selection"),
            ("show_as", "selection"),
            ("active", "boolean"),
            ("epaper_checked_in", "boolean"),
        ]
    }
    calendar_fields["user_id"] = {"type": "many2one", "relation": "res.users"}
    display_fields = {
        name: {"type": kind}
        for name, kind in [
            ("name", "char"),
            ("room_name", "char"),
            ("topic_prefix", "char"),
            ("tz", "selection"),
            ("qos", "integer"),
            ("panel_model", "char"),
            ("mqtt_connection_state", "selection"),
            ("last_seen", "datetime"),
            ("last_error", "char"),
            ("active", "boolean"),
            ("checkin_grace_minutes", "integer"),
        ]
    }
    return {
        "description": "scripts/demo: five rooms, bookings around the time the demo started.",
        "databases": [DATABASE],
        "user_fields": {
            "name": {"type": "char"},
            "login": {"type": "char"},
            "tz": {"type": "selection"},
            "calendar_default_privacy": {"type": "selection"},
        },
        "users": [
            {
                "id": 2,
                "login": LOGIN,
                "password": PASSWORD,
                "name": "Demo Admin",
                "tz": TIMEZONE,
                "calendar_default_privacy": "public",
            }
        ],
        "models": {
            "calendar.event": {"fields": calendar_fields, "records": events},
            "room.rasp.connection": {"fields": display_fields, "records": displays},
        },
    }


def write_fixture(path: Path, content: dict[str, Any]) -> Path:
    """Write a fixture as JSON and return its path."""
    path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
