"""Schedule reads per refresh cycle: the addon's one RPC against the old two-RPC path.

Run with ``scripts/py314 .venv/bin/python -m bench.schedule_rpc``. For 10, 100 and 1000 displays
(each in its own room with one Meeting Rooms booking and one calendar event today)
on the Odoo test server over real HTTP with the real odoorpc client, it measures one
refresh cycle of

* the hub today: ``OdooClient.fetch_schedule`` -> ``room.rasp.connection.epaper_schedule``
  (one RPC; the addon's own rules, run by the test server);
* the baseline, measured in the same run: the hub's read before issue 10, kept here
  only (one ``web_search_read`` of the displays, one of the source's bookings, rooms
  matched in the hub).

Per row: RPCs per cycle, records returned (displays + bookings), answer bytes (the JSON
of the RPC results) and the median wall time of 5 cycles. Writes the ``schedule_rpc``
section of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import odoorpc

from bench.report import table, write_section
from custom_components.odoo_epaper.odoo_client import OdooClient
from custom_components.odoo_epaper.schedule import booking_window, format_time, to_odoo
from custom_components.odoo_epaper.schedule_pages import PAGE_SIZE
from testbed.odoo_server import OdooTestServer

SIZES = [10, 100, 1000]
ROUNDS = 5
SOURCES = {"auto": "room.booking", "calendar": "calendar.event"}
LOGIN = ("odoo", "admin", "admin-pw")


def add_rooms(server: OdooTestServer, count: int) -> None:
    """``count`` rooms, each with a display, a booking and a calendar event today."""
    for index in range(count):
        room_id = server.add_record("room.room", {"name": f"Room {index}", "active": True})
        server.add_record(
            "room.rasp.connection",
            {"name": f"room-{index}", "room_id": room_id, "active": True, "tz": False},
        )
        times = {"start": "{day} 10:00:00", "stop": "{day} 11:00:00"}
        server.add_record(
            "room.booking",
            {
                "name": f"Meeting {index}",
                "room_id": room_id,
                "organizer_id": 2,
                "start_datetime": times["start"],
                "stop_datetime": times["stop"],
            },
        )
        server.add_record(
            "calendar.event",
            {
                "name": f"Event {index}",
                "location": f"Room {index}",
                **times,
                "allday": False,
                "privacy": "public",
                "show_as": "busy",
                "user_id": 2,
                "active": True,
            },
        )


def two_rpc_baseline(
    odoo: odoorpc.ODOO, model: str, start: dt.datetime, end: dt.datetime
) -> list[Any]:
    """The hub's read before issue 10: displays, then every booking of their rooms."""
    spec: dict[str, Any] = {
        "name": {},
        "room_name": {},
        "topic_prefix": {},
        "tz": {},
        "panel_model": {},
        "room_id": {"fields": {"name": {}, "room_booking_url": {}}},
    }
    displays = odoo.execute_kw(
        "room.rasp.connection", "web_search_read", [[]], {"specification": spec, "order": "name"}
    )
    linked = sorted({d["room_id"]["id"] for d in displays["records"] if d.get("room_id")})
    unlinked = sorted({d["room_name"] for d in displays["records"] if not d.get("room_id")})
    if model == "room.booking":
        rooms: list[Any] = [("room_id", "in", linked)]
        if unlinked:
            rooms = ["|", *rooms, ("room_id.name", "in", unlinked)]
        domain: list[Any] = [
            *rooms,
            ("stop_datetime", ">", to_odoo(start)),
            ("start_datetime", "<", to_odoo(end)),
        ]
        source_spec: dict[str, Any] = {
            "name": {},
            "start_datetime": {},
            "stop_datetime": {},
            "room_id": {"fields": {"name": {}}},
            "organizer_id": {"fields": {"display_name": {}}},
        }
    else:
        names = {d["room_id"]["name"] for d in displays["records"] if d.get("room_id")}
        domain = [
            ("location", "in", sorted(names | set(unlinked))),
            ("stop", ">", to_odoo(start)),
            ("start", "<", to_odoo(end)),
        ]
        source_spec = {
            "name": {},
            "start": {},
            "stop": {},
            "allday": {},
            "start_date": {},
            "stop_date": {},
            "location": {},
            "privacy": {},
            "user_id": {"fields": {"display_name": {}, "calendar_default_privacy": {}}},
        }
    bookings = odoo.execute_kw(
        model, "web_search_read", [domain], {"specification": source_spec, "order": "id"}
    )
    return [displays, bookings]


def one_rpc(odoo: odoorpc.ODOO, model: str, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """The hub today: the one ``epaper_schedule`` RPC ``OdooClient.fetch_schedule`` sends."""
    answer = odoo.execute_kw(
        "room.rasp.connection",
        "epaper_schedule",
        [format_time(start), format_time(end), None, "Europe/Berlin"],
        {"sources": [model]},
    )
    return [answer]


def records_of(results: list[Any]) -> int:
    """Displays plus bookings in the RPC results of one cycle."""
    total = 0
    for result in results:
        if "displays" in result:
            total += len(result["displays"]) + sum(len(d["events"]) for d in result["displays"])
        else:
            total += len(result["records"])
    return total


def measure(server: OdooTestServer, cycle: Callable[[], list[Any]]) -> dict[str, float]:
    """RPCs, records, answer bytes and the median time of one cycle."""
    cycle()  # warm up
    server.reset_counts()
    results = cycle()
    rpcs = sum(server.counts().values())
    timings = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        cycle()
        timings.append((time.perf_counter() - began) * 1000)
    return {
        "rpcs": rpcs,
        "records": records_of(results),
        "bytes": sum(len(json.dumps(result)) for result in results),
        "ms": statistics.median(timings),
    }


def run_size(count: int) -> list[dict[str, Any]]:
    """Both paths for both sources at ``count`` displays (the fixture's own three too)."""
    rows = []
    with OdooTestServer() as server:
        add_rooms(server, count)
        now = dt.datetime.combine(server.today, dt.time(12), tzinfo=dt.UTC)
        start, end = booking_window(now, 7)
        odoo = odoorpc.ODOO("127.0.0.1", port=server.port)
        odoo.login(*LOGIN)
        client = OdooClient(server.url, *LOGIN)
        client.connect()
        for option, model in SOURCES.items():
            server.reset_counts()
            client.fetch_schedule(option, start, end, "Europe/Berlin")
            # One RPC per page of PAGE_SIZE displays (an exactly full last page: one more).
            pages = (count + 3) // PAGE_SIZE + 1
            assert server.counts() == {("room.rasp.connection", "epaper_schedule"): pages}
            old = measure(server, lambda m=model: two_rpc_baseline(odoo, m, start, end))
            new = measure(server, lambda m=model: one_rpc(odoo, m, start, end))
            rows.append({"displays": count + 3, "source": model, "old": old, "new": new})
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    """The Markdown of the section."""
    body = table(
        [
            "displays",
            "source",
            "RPCs per cycle: before / now",
            "records returned: before / now",
            "answer bytes: before / now",
            "cycle ms (median of 5): before / now",
        ],
        [
            [
                row["displays"],
                f"`{row['source']}`",
                f"{row['old']['rpcs']:.0f} / {row['new']['rpcs']:.0f}",
                f"{row['old']['records']:.0f} / {row['new']['records']:.0f}",
                f"{row['old']['bytes']:.0f} / {row['new']['bytes']:.0f}",
                f"{row['old']['ms']:.0f} / {row['new']['ms']:.0f}",
            ]
            for row in rows
        ],
    )
    return (
        "One refresh cycle's read of Odoo, on the Odoo test server over real HTTP with the "
        "real odoorpc client. *Before* is the hub's read until issue 10, kept in "
        "`bench/schedule_rpc.py` only as the baseline: one `web_search_read` of the "
        "displays and one of the bookings, rooms matched in the hub (which lost others' "
        "private events and the afternoon of Google-synced all-day events). *Now* is one "
        "`room.rasp.connection.epaper_schedule` RPC: the addon matches rooms, applies "
        "Odoo's privacy and all-day rules and returns only what a door shows. Records are "
        "displays plus bookings; answer bytes are the JSON of the RPC results. Each room "
        "holds one booking and one calendar event today, plus the fixture's three "
        "displays. The test server is Python over an in-memory store, so the times show "
        "the shape (one round trip instead of two, the rules moved to the Odoo side), "
        "not a PostgreSQL-backed Odoo's speed.\n\n" + body
    )


def main() -> int:
    """Measure every size and write the section."""
    rows = [row for count in SIZES for row in run_size(count)]
    for row in rows:
        assert row["new"]["rpcs"] == 1 and row["old"]["rpcs"] == 2, row
    write_section("schedule_rpc", "Schedule reads per refresh cycle", report(rows))
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
