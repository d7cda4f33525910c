"""Renames and removal end to end, to the drawn panel: Odoo test server -> hub (real Home
Assistant) -> real broker -> real satellite processes (png driver).

A room renamed in Odoo is drawn under its new name with the bookings typed with the old
one; a display renamed or deleted in Odoo has its retained /data cleared and the sign
under the old name goes back to its setup screen (status ``assigned`` false, nothing
shown). Two companies' "Boardroom" doors each draw only their company's meeting; a
display whose broker user is removed (``epaper-mosquitto-users --remove``) after the hub
is gone loses its retained /data and shows its setup screen."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.broker import Broker
from testbed.odoo_bookings import odoo_text
from testbed.odoo_server import OdooTestServer
from testbed.satellite_process import SATELLITE, SatelliteProcess
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.options_helpers import async_change_options

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.slow,
    pytest.mark.skipif(not SATELLITE.exists(), reason="epaper-satellite is not installed"),
]
PREFIX = "odoo_epaper/"
USERS_TOOL = Path(__file__).resolve().parents[3] / "deploy" / "mosquitto" / "epaper-mosquitto-users"


@pytest.fixture
def satellites(
    tmp_path: Path, mosquitto: Broker, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], SatelliteProcess]]:
    """Start a satellite per device name; all stopped at teardown, logs on failure."""
    started: list[SatelliteProcess] = []

    def start(device: str) -> SatelliteProcess:
        process = SatelliteProcess(tmp_path, mosquitto.port, device)
        started.append(process.start())
        return process

    yield start
    for process in started:
        process.stop()
        if getattr(getattr(request.node, "rep_call", None), "failed", False):
            request.node.add_report_section("teardown", f"{process.device} log", process.output())


def last_status(subscriber: OutsideSubscriber, device: str) -> dict[str, Any]:
    """The newest JSON status of ``device`` ({} before any)."""
    statuses = [m for m in subscriber.on(f"{PREFIX}{device}/status") if m.payload]
    return statuses[-1].json() if statuses else {}


async def drawn(
    subscriber: OutsideSubscriber, sign: SatelliteProcess, expected_hash: str | None
) -> bytes:
    """Wait until the sign reports drawing the payload of ``expected_hash`` (None: its
    setup screen, unassigned) and its panel file exists; return the panel's bytes."""

    def shown() -> bool:
        status = last_status(subscriber, sign.device)
        if expected_hash is None:
            return status.get("assigned") is False and status.get("content_hash") is None
        return status.get("content_hash") == expected_hash and status.get("assigned") is True

    await wait_until(shown, 30)
    await wait_until(sign.panel.exists, 10)
    return sign.panel.read_bytes()


def titles(payload: dict[str, Any]) -> list[str]:
    """The meeting titles of a /data payload, in order."""
    return [event["title"] for event in payload["events"]]


def slots(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The (start, end) of each meeting of a /data payload, in order."""
    return [(event["start"], event["end"]) for event in payload["events"]]


async def test_renamed_room_renamed_and_removed_displays_reach_the_panel(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    satellites: Callable[[str], SatelliteProcess],
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Reception's room renamed: its panel is redrawn with the payload naming the new
    room. The display renamed to front-desk and boardroom deleted: their old names'
    signs show their setup screens."""
    coordinator = init_integration.runtime_data.coordinator
    subscriber = subscriber_factory(f"{PREFIX}+/status")
    reception, boardroom = satellites("reception"), satellites("boardroom")

    def hash_of(device: str) -> str:
        return coordinator.data.displays[device].content_hash

    before = await drawn(subscriber, reception, hash_of("reception"))
    await drawn(subscriber, boardroom, hash_of("boardroom"))
    booked = titles(coordinator.data.displays["reception"].payload)
    assert booked  # Odoo's room bookings of the room (by its id)

    odoo_server.update_record("room.room", 1, {"name": "Reception (EG)"})
    await coordinator.async_refresh()
    assert coordinator.data.displays["reception"].payload["room"] == "Reception (EG)"
    # The bookings typed with the old name stay at the door (the old name is an alias).
    assert titles(coordinator.data.displays["reception"].payload) == booked
    after = await drawn(subscriber, reception, hash_of("reception"))
    assert after != before

    odoo_server.update_record("room.rasp.connection", 1, {"name": "front-desk"})
    odoo_server.delete_record("room.rasp.connection", 2)
    await coordinator.async_refresh()
    assert "reception" not in coordinator.data.displays
    assert "boardroom" not in coordinator.data.displays
    setup_screen = await drawn(subscriber, reception, None)
    assert setup_screen != after
    await drawn(subscriber, boardroom, None)


ADMIN, DEMO = 2, 6  # the fixture's users: admin organizes company 1's meetings, demo company 2's


def two_boardrooms(odoo_server: OdooTestServer) -> None:
    """Admin (the hub's user) works for companies 1 and 2, demo for 2; board-a (company 1)
    and board-b (company 2) are both "Boardroom"; demo books "Beta layoffs" there at the
    time of the fixture's board meeting, both moved to an hour from now (a door draws
    what is still to come, whatever the hour the test runs at)."""
    odoo_server.enable_companies({ADMIN: [1, 2], DEMO: [2]})
    for record_id, record in odoo_server.records["room.rasp.connection"].items():
        company = 1 if record["name"] != "boardroom" else 3  # keep the fixture's one aside
        odoo_server.update_record("room.rasp.connection", record_id, {"company_id": company})
    for device, company in (("board-a", 1), ("board-b", 2)):
        odoo_server.add_record(
            "room.rasp.connection",
            {"name": device, "room_name": "Boardroom", "tz": "UTC", "active": True,
             "company_id": company},
        )  # fmt: skip
    start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    when = {"start": odoo_text(start), "stop": odoo_text(start + dt.timedelta(hours=1))}
    events = odoo_server.records["calendar.event"]
    (board_meeting,) = [i for i, e in events.items() if e["name"] == "Board meeting"]
    odoo_server.update_record("calendar.event", board_meeting, when)
    odoo_server.add_record(
        "calendar.event",
        {"name": "Beta layoffs", "location": " boardroom", **when, "allday": False,
         "start_date": False, "stop_date": False, "privacy": "public", "show_as": "busy",
         "user_id": DEMO, "active": True},
    )  # fmt: skip


async def test_two_companies_boardrooms_and_a_removed_broker_user_reach_the_panel(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    mosquitto: Broker,
    satellites: Callable[[str], SatelliteProcess],
    subscriber_factory: Callable[..., OutsideSubscriber],
    tmp_path: Path,
) -> None:
    """Calendar events find their room by its typed name: the room renamed, the door
    keeps the events typed with the old name. Each company's "Boardroom" door draws its
    own company's meeting only. Then the hub is unloaded (the retained /data stays) and
    board-b's broker user is removed with the tool: board-b's sign shows its setup
    screen, board-a keeps its schedule."""
    await async_change_options(hass, init_integration, source="calendar")
    coordinator = init_integration.runtime_data.coordinator
    subscriber = subscriber_factory(f"{PREFIX}+/status")
    reception = satellites("reception")
    booked = slots(coordinator.data.displays["reception"].payload)
    assert len(booked) >= 2  # typed "Reception" in the calendar (private: no titles)
    before = await drawn(subscriber, reception, coordinator.data.displays["reception"].content_hash)
    odoo_server.update_record("room.room", 1, {"name": "Reception (EG)"})
    await coordinator.async_refresh()
    renamed = coordinator.data.displays["reception"]
    assert (renamed.payload["room"], slots(renamed.payload)) == ("Reception (EG)", booked)
    assert await drawn(subscriber, reception, renamed.content_hash) != before

    two_boardrooms(odoo_server)
    await coordinator.async_refresh()
    displays = coordinator.data.displays
    assert titles(displays["board-a"].payload) == ["Board meeting"]
    assert titles(displays["board-b"].payload) == ["Beta layoffs"]
    board_a, board_b = satellites("board-a"), satellites("board-b")
    drawn_a = await drawn(subscriber, board_a, displays["board-a"].content_hash)
    drawn_b = await drawn(subscriber, board_b, displays["board-b"].content_hash)
    assert drawn_a != drawn_b  # the same room name, each door its own meeting

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    tool = await hass.async_add_executor_job(
        partial(
            subprocess.run,
            [sys.executable, str(USERS_TOOL), "--out", str(tmp_path / "broker-users"),
             "--remove", "board-b", "--broker", f"127.0.0.1:{mosquitto.port}"],
            capture_output=True, text=True, timeout=60, check=False,
            env={**os.environ, "EPAPER_MQTT_PASSWORD": "unused-on-an-anonymous-broker"},
        )
    )  # fmt: skip
    assert tool.returncode == 0, tool.stderr
    assert "cleared the retained data, status, snapshot of board-b" in tool.stdout
    await drawn(subscriber, board_b, None)
    assert last_status(subscriber, "board-a")["content_hash"] == displays["board-a"].content_hash
