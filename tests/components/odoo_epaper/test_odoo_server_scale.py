"""The Odoo test server at fleet size: a page of a paged read costs that page's work."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest

from demo import data
from testbed.addon_code import load_plain_package
from testbed.odoo_server import OdooTestServer

DISPLAY = "room.rasp.connection"
EVENT = "calendar.event"


def fleet(count: int, per_room: int) -> OdooTestServer:
    """A server (not started) with ``count`` rooms of ``per_room`` bookings each today."""
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rooms = [(f"room-{index:04d}", f"Room {index:04d}") for index in range(count)]
    events = [
        data.event(
            index * per_room + slot + 1,
            f"Meeting {slot}",
            room,
            today + dt.timedelta(hours=8, minutes=10 * slot),
            10,
        )
        for index, (_, room) in enumerate(rooms)
        for slot in range(per_room)
    ]
    path = Path(tempfile.mkdtemp()) / "fleet.json"
    return OdooTestServer(data.write_fixture(path, data.fixture(today, rooms, events)))


def read_all(server: OdooTestServer, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Every display of a paged full read straight from the server; and the page count."""
    uid = next(iter(server.records["res.users"]))
    today = server.today
    first, last = today - dt.timedelta(days=1), today + dt.timedelta(days=2)
    window = (f"{first} 00:00:00", f"{last} 00:00:00")
    displays: list[dict[str, Any]] = []
    page, pages = None, 0
    while True:
        answer = server._epaper_schedule(
            DISPLAY, uid, *window, None, "UTC", [EVENT], None, page_size, page
        )
        pages += 1
        displays.extend(answer["displays"])
        page = answer.get("next_page")
        if not page:
            return displays, pages


@pytest.mark.parametrize(
    "domain",
    [
        [("location", "in", ["Room 0001", "Room 0003"])],
        [("location", "in", ["Room 0001"]), "|", ("name", "=", "Meeting 0"), ("name", "=", "x")],
        ["|", ("location", "in", ["Room 0001"]), ("name", "=", "Meeting 1")],
        ["!", ("location", "in", ["Room 0001"]), ("name", "=", "Meeting 1")],
        [("epaper_location_key", "in", ["room 0002"]), ("name", "!=", "Meeting 0")],
        [("location", "in", [])],
        [("user_id.name", "in", ["Admin"])],
    ],
)
def test_the_index_finds_what_a_full_scan_finds(domain: list[Any]) -> None:
    """Whatever the domain (an ``in`` leaf and-ed at the top, or under ``|`` / ``!``, on
    a stored computed field, on a path), the records found are those every record
    matched against the whole domain gives."""
    server = fleet(5, 3)
    everyone = list(server.records[EVENT].values())
    whole = [("active", "=", True), *domain]
    expected = [r["id"] for r in everyone if server._match(EVENT, r, whole)]
    found = [r["id"] for r in server._find(EVENT, domain, 0, None, "id")]
    assert found == sorted(expected)


def test_a_page_matches_only_its_own_bookings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paged full read of 300 rooms x 20 bookings matches each booking against the
    whole domain once, not once per page (what made 5000 displays never set up), and
    calls the addon's display_from_record once per display, not once per page."""
    server = fleet(300, 20)
    matched: list[str] = []
    built: list[str] = []
    real_match = server._match
    rules: Any = load_plain_package("epaper_schedule")
    real_build = rules.display_from_record

    def counting_match(model: str, record: dict[str, Any], domain: list[Any]) -> bool:
        matched.append(model)
        return bool(real_match(model, record, domain))

    def counting_build(record: dict[str, Any], **kwargs: Any) -> Any:
        built.append(record["name"])
        return real_build(record, **kwargs)

    monkeypatch.setattr(server, "_match", counting_match)
    monkeypatch.setattr(rules, "display_from_record", counting_build)
    displays, pages = read_all(server, 100)
    assert pages == 4  # 3 full pages, then an empty last one
    assert len(displays) == 300
    assert all(len(d["events"]) == 20 for d in displays)
    assert matched.count(EVENT) == 300 * 20
    assert len(built) == 300
