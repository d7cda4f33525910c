"""The full ``epaper_schedule`` read on a REAL Odoo 18 or 19, by hand (CI cannot run it).

Nothing imports this file; tests do not. Three steps, each run by hand:

1. Seed a fresh database with the addon installed (``connection_conf``,
   ``connection_conf_calendar``): 1000 displays, each with 7 days x 8 ``calendar.event``
   bookings at its room (56,000 events; 20 organizers, one with private events by
   default, every 9th event private, one all-day event per display), and an API key for
   the hub user (written to ``$BENCH_KEY_FILE``, for Odoo 19's JSON-2)::

       BENCH_STEP=seed BENCH_KEY_FILE=/tmp/bench.key \\
           odoo-bin shell -d DB ... < bench/odoo_real_read.py

2. Time the read in the shell (ORM cache cleared before each call, no HTTP): the
   unpaged full read (median of 5), every page of a paged read (100 displays a page:
   median of 5 totals, and the slowest page) and the incremental read of an unchanged
   schedule (median of 5)::

       BENCH_STEP=shell odoo-bin shell -d DB ... < bench/odoo_real_read.py

3. The same over HTTP with the hub's own client (``OdooClient``: JSON-RPC on 18,
   JSON-2 on 19), so the JSON encoding is counted; run with the project's venv::

       python -m bench.odoo_real_read URL DB LOGIN PASSWORD_OR_KEY

The baseline is the same database served by an older checkout of the addon (another
``--addons-path``): the code is Python, the schema the same.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

DISPLAYS = 1000
DAYS = 7
PER_DAY = 8
ORGANIZERS = 20
ROUNDS = 5
PAGE = 100
HUB_LOGIN = "bench-hub"


def window() -> tuple[str, str]:
    """Today 00:00 UTC to 7 days later, as the hub asks (ISO 8601 UTC)."""
    today = dt.datetime.now(dt.UTC).date()
    return f"{today}T00:00:00Z", f"{today + dt.timedelta(days=DAYS)}T00:00:00Z"


def seed(env: Any) -> None:
    """Create the fleet in ``env``'s database and commit (see the module docstring)."""
    quiet = {
        "tracking_disable": True,
        "mail_create_nolog": True,
        "mail_create_nosubscribe": True,
        "no_mail_to_attendees": True,
        "mail_notrack": True,
    }
    env = env(context=dict(env.context, **quiet))
    groups = [env.ref("base.group_user").id, env.ref("connection_conf.group_epaper_reporter").id]
    group_field = "group_ids" if "group_ids" in env["res.users"]._fields else "groups_id"
    hub = env["res.users"].create(
        {"name": "Bench hub", "login": HUB_LOGIN, "password": "bench-hub-pw",
         group_field: [(4, g) for g in groups]}
    )  # fmt: skip
    users = env["res.users"].create(
        [{"name": f"Organizer {i}", "login": f"bench-organizer-{i}"} for i in range(ORGANIZERS)]
    )
    # Only its user may change it (calendar's rule): the last organizer keeps it private.
    users[-1].with_user(users[-1]).calendar_default_privacy = "private"
    env["room.rasp.connection"].create(
        [
            {"name": f"door-{i:04d}", "room_name": f"Room {i:04d}",
             "tz": "Europe/Berlin" if i % 2 else False}
            for i in range(DISPLAYS)
        ]
    )  # fmt: skip
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    for first in range(0, DISPLAYS, 50):
        values = []
        for i in range(first, first + 50):
            for day in range(DAYS):
                for slot in range(PER_DAY):
                    n = (i * DAYS + day) * PER_DAY + slot
                    begin = today + dt.timedelta(days=day, hours=6 + slot)
                    event = {
                        "name": f"Meeting {n}",
                        "location": f"Room {i:04d}",
                        "user_id": users[n % ORGANIZERS].id,
                        "partner_ids": [],
                        "privacy": "private" if n % 9 == 0 else False,
                        "start": begin,
                        "stop": begin + dt.timedelta(minutes=50),
                    }
                    if day == 3 and slot == 0:
                        event |= {"allday": True, "start_date": begin.date(),
                                  "stop_date": begin.date()}  # fmt: skip
                    values.append(event)
        env["calendar.event"].create(values)
        env.cr.commit()
        print("seeded displays", first + 50, flush=True)
    key_file = os.environ.get("BENCH_KEY_FILE")
    if key_file and "res.users.apikeys" in env:
        apikeys = env["res.users.apikeys"].with_user(hub)
        expiry = dt.datetime.now() + dt.timedelta(days=30)
        try:
            key = apikeys._generate("rpc", "bench", expiry)
        except TypeError:  # 18.0: no expiry argument
            key = apikeys._generate("rpc", "bench")
        env.cr.commit()
        with open(key_file, "w", encoding="utf-8") as handle:
            handle.write(key)


def _median_of(rounds: int, call: Callable[[], float]) -> tuple[float, list[float]]:
    times = [call() for _ in range(rounds)]
    return statistics.median(times), times


def measure(read: Callable[..., dict[str, Any]], clear: Callable[[], None]) -> dict[str, Any]:
    """Time ``read(**kwargs)`` (the RPC's keyword arguments) as the module docstring says.

    Returns the figures in seconds and the answer's size; ``clear`` runs before each call.
    """
    start, end = window()
    base = {"start": start, "end": end, "sources": ["calendar"]}

    def timed(**kwargs: Any) -> tuple[float, dict[str, Any]]:
        clear()
        began = time.perf_counter()
        answer = read(**base, **kwargs)
        return time.perf_counter() - began, answer

    answer: dict[str, Any] = {}

    def full() -> float:
        nonlocal answer
        seconds, answer = timed()
        return seconds

    slowest: list[float] = []
    cursor: list[str] = []

    def paged() -> float:
        token, pages = None, []
        while True:
            seconds, page = timed(page_size=PAGE, page=token)
            pages.append(seconds)
            cursor[:] = cursor or [page["cursor"]]
            token = page.get("next_page")
            if not token:
                break
        slowest.append(max(pages))
        return sum(pages)

    full_s, full_all = _median_of(ROUNDS, full)
    paged_s, paged_all = _median_of(ROUNDS, paged)
    incremental_s, _ = _median_of(ROUNDS, lambda: timed(cursor=cursor[0], page_size=PAGE)[0])
    return {
        "displays": len(answer["displays"]),
        "events": sum(len(d["events"]) for d in answer["displays"]),
        "answer_mb": round(len(json.dumps(answer)) / 1e6, 1),
        "full_s": round(full_s, 3),
        "full_all": [round(x, 3) for x in full_all],
        "paged_total_s": round(paged_s, 3),
        "paged_all": [round(x, 3) for x in paged_all],
        "slowest_page_s": round(statistics.median(slowest), 3),
        "incremental_s": round(incremental_s, 4),
    }


def in_shell(env: Any) -> None:
    """Step 2: time the RPC's method in ``env`` (the shell's, as the hub user)."""
    hub = env["res.users"].search([("login", "=", HUB_LOGIN)])
    model = env["room.rasp.connection"].with_user(hub)

    def clear() -> None:
        env.invalidate_all()
        env.registry.clear_cache()

    print("RESULT", json.dumps(measure(model.epaper_schedule, clear)), flush=True)


def over_http(url: str, database: str, login: str, secret: str) -> None:
    """Step 3: time the RPC through the hub's own client (a fresh cache: nothing to clear)."""
    from custom_components.odoo_epaper.odoo_client import OdooClient

    client = OdooClient(url, database, login, secret, timeout=120)
    client.connect()

    def read(**kwargs: Any) -> dict[str, Any]:
        return dict(client._call("room.rasp.connection", "epaper_schedule", **kwargs))

    print("RESULT", json.dumps(measure(read, lambda: None)), flush=True)


if "env" in globals():  # odoo-bin shell feeds this file to its console
    {"seed": seed, "shell": in_shell}[os.environ["BENCH_STEP"]](globals()["env"])
elif __name__ == "__main__":
    over_http(*sys.argv[1:5])
