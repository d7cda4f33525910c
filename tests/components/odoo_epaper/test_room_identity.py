"""A room's identity through the hub's client and payload builder against the Odoo test
server (which runs the addon's own schedule rules and emulates Odoo's multi-company and
renames): two companies with a "Boardroom" each (a hub user of company 1 never receives
company 2's meeting), and a renamed room keeping the bookings typed with its old name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from custom_components.odoo_epaper.const import PAYLOAD_LIFETIME
from custom_components.odoo_epaper.coordinator import build_display_data
from custom_components.odoo_epaper.odoo_client import OdooClient
from custom_components.odoo_epaper.options import EpaperOptions
from testbed.odoo_server import OdooTestServer

ADMIN, DEMO = 2, 6  # the fixture's users: admin organizes company 1's, demo company 2's


@pytest.fixture
def two_companies(socket_enabled: None) -> Iterator[OdooTestServer]:
    """The default fixture plus board-a (company 1) and board-b (company 2), both
    "Boardroom"; demo's "Beta layoffs" at "boardroom" next to admin's "Board meeting"."""
    server = OdooTestServer("default")
    server.enable_companies({ADMIN: [1], DEMO: [2]})
    for record in server.records["room.rasp.connection"].values():
        record["company_id"] = 1 if record["name"] != "boardroom" else 3  # keep "Boardroom" single
    for device, company in (("board-a", 1), ("board-b", 2)):
        server.add_record(
            "room.rasp.connection",
            {
                "name": device,
                "room_name": "Boardroom",
                "tz": "UTC",
                "active": True,
                "company_id": company,
            },
        )
    server.add_record(
        "calendar.event",
        {"name": "Beta layoffs", "location": " boardroom", "start": "{day} 11:00:00",
         "stop": "{day} 12:00:00", "allday": False, "start_date": False, "stop_date": False,
         "privacy": "public", "show_as": "busy", "user_id": DEMO, "active": True},
    )  # fmt: skip
    yield server.start()
    server.stop()


def doors(
    server: OdooTestServer, prefix: str = "board-"
) -> tuple[dict[str, list[tuple[str, Any]]], Any]:
    """(device -> [(title, organizer)] of its /data payload, for the devices starting with
    ``prefix``; the answer's collisions), as the hub's client reads them as admin."""
    client = OdooClient(server.url, "odoo", "admin", "admin-pw")
    client.connect()
    now = dt.datetime.now(dt.UTC)
    start = dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    update = client.fetch_schedule_update("calendar", start, start + dt.timedelta(days=5), "UTC")
    built = build_display_data(update.schedule, EpaperOptions(), now, PAYLOAD_LIFETIME)
    titles = {
        device: [(e["title"], e.get("organizer")) for e in item.payload["events"]]
        for device, item in built.items()
        if device.startswith(prefix)
    }
    return titles, update.collisions


def test_the_hub_of_one_company_never_gets_the_others_boardroom(
    two_companies: OdooTestServer,
) -> None:
    """Admin works for company 1 only: board-b is not in the answer at all, and board-a
    holds admin's meeting only, never demo's title or organizer."""
    titles, collisions = doors(two_companies)
    assert titles == {"board-a": [("Board meeting", "Mitchell Admin")]}
    assert collisions == {}


def test_a_hub_of_both_companies_gets_each_door_its_own_meeting(
    two_companies: OdooTestServer,
) -> None:
    """Admin works for both: each Boardroom gets its company's meeting; two companies'
    "Boardroom"s are no collision."""
    two_companies.records["res.users"][ADMIN]["company_ids"] = [1, 2]
    titles, collisions = doors(two_companies)
    assert titles == {
        "board-a": [("Board meeting", "Mitchell Admin")],
        "board-b": [("Beta layoffs", "Marc Demo")],
    }
    assert collisions == {}


def test_a_shared_name_within_one_company_is_a_collision(
    two_companies: OdooTestServer,
) -> None:
    """board-b moved to company 1: both doors of company 1 answer to "Boardroom"."""
    two_companies.update_record("room.rasp.connection", 6, {"company_id": 1})
    _titles, collisions = doors(two_companies)
    assert collisions == {"board-a": ("board-b",), "board-b": ("board-a",)}


@pytest.fixture
def odoo(socket_enabled: None) -> Iterator[OdooTestServer]:
    """The default fixture's Odoo (no companies)."""
    server = OdooTestServer("default").start()
    yield server
    server.stop()


def test_a_renamed_room_keeps_the_bookings_typed_with_its_old_name(
    odoo: OdooTestServer,
) -> None:
    """lab-door's room "Lab" renamed "Lab (2nd floor)": the all-day "Offsite" typed at
    "Lab" stays at the door, which shows the new name; the old name is an alias now."""
    titles, _collisions = doors(odoo, "lab-")
    assert titles == {"lab-door": [("Offsite", "Mitchell Admin")]}
    odoo.update_record("room.rasp.connection", 3, {"room_name": "Lab (2nd floor)"})
    assert odoo.records["room.rasp.connection"][3]["location_aliases"] == "Lab"
    titles, _collisions = doors(odoo, "lab-")
    assert titles == {"lab-door": [("Offsite", "Mitchell Admin")]}


def test_a_renamed_meeting_room_keeps_its_name_for_calendar_events(
    odoo: OdooTestServer,
) -> None:
    """The Meeting Rooms room of reception renamed: the linked display gets the old
    name "Reception" as alias, so events typed "Reception" keep reaching it."""
    odoo.update_record("room.room", 1, {"name": "Front Desk"})
    assert odoo.records["room.rasp.connection"][1]["location_aliases"] == "Reception"
    odoo.update_record("room.room", 1, {"name": "FRONT  desk"})  # still matches: nothing
    assert odoo.records["room.rasp.connection"][1]["location_aliases"] == "Reception"
