"""Odd records from Odoo through the hub: a bad booking never costs the room its schedule."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber
from tests.fixtures.vectors import load_vectors
from tests.reliability.case_counts import record

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
SCHEMA = load_vectors("data.schema")
MAX_EVENTS = 500
MAX_BYTES = 64 * 1024


def _at(server: OdooTestServer, hour: int, minute: int = 0, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    moment = dt.datetime.combine(server.today, dt.time(hour, minute))
    return moment.strftime(fmt)


def odd_bookings(server: OdooTestServer) -> dict[str, dict[str, Any]]:
    """Room bookings of the reception with one odd thing each (name -> record)."""
    base = {
        "room_id": 1,
        "start_datetime": _at(server, 14),
        "stop_datetime": _at(server, 15),
        "organizer_id": 2,
    }
    cases = {
        "name False": {"name": False},
        "name missing": {},
        "name a number": {"name": 42},
        "name with NUL and a lone surrogate": {"name": "Board\x00 \ud800meeting"},
        "name of 5000 characters": {"name": "N" * 5000},
        "organizer False": {"organizer_id": False},
        "start False": {"start_datetime": False},
        "stop missing": {"stop_datetime": None},
        "aware start": {"start_datetime": _at(server, 14) + "+02:00"},
        "ISO T start": {"start_datetime": _at(server, 14, fmt="%Y-%m-%dT%H:%M:%S")},
        "microseconds": {"start_datetime": _at(server, 14) + ".123456"},
        "date only": {"start_datetime": server.today.isoformat()},
        "end before start": {"start_datetime": _at(server, 16), "stop_datetime": _at(server, 15)},
        "zero length": {"stop_datetime": _at(server, 14)},
        "start in year 1": {"start_datetime": "0001-01-01 00:00:00"},
        "stop in year 9999": {"stop_datetime": "9999-12-31 23:59:59"},
        "overlapping the next": {
            "start_datetime": _at(server, 14, 30),
            "stop_datetime": _at(server, 17),
        },
        "room False": {"room_id": False},
    }
    return {name: {**base, "name": name, **change} for name, change in cases.items()}


async def test_odd_records_are_skipped_or_mended_one_by_one(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every odd booking at once: the cycle succeeds, the payload is valid, good ones stay."""
    coordinator = init_integration.runtime_data.coordinator
    subscriber = subscriber_factory("odoo_epaper/+/data")
    cases = odd_bookings(odoo_server)
    for values in cases.values():
        odoo_server.add_record("room.booking", values)
    odoo_server.add_record(
        "room.booking",
        {
            "name": "Good one",
            "room_id": 1,
            "start_datetime": _at(odoo_server, 18),
            "stop_datetime": _at(odoo_server, 19),
            "organizer_id": 2,
        },
    )
    seen = len(subscriber.snapshot())
    with caplog.at_level(logging.WARNING):
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    assert coordinator.last_update_success, coordinator.last_exception
    messages = await subscriber.wait_for(
        lambda ms: any(m.topic.endswith("reception/data") for m in ms[seen:])
    )
    data = [m for m in messages[seen:] if m.topic.endswith("reception/data")][-1]
    assert len(data.payload) <= MAX_BYTES
    payload = json.loads(data.payload)
    jsonschema.validate(payload, SCHEMA)
    titles = [event["title"] for event in payload["events"]]
    assert "Good one" in titles
    assert "name False" not in titles  # the title of a False name is empty, not "False"
    assert "" in titles
    assert "42" in titles
    assert "aware start" in titles  # 14:00+02:00 is 12:00 UTC
    assert all("\x00" not in title for title in titles)
    for title in titles:
        title.encode("utf-8")  # no lone surrogate left
    for event in payload["events"]:
        start = dt.datetime.fromisoformat(event["start"])
        end = dt.datetime.fromisoformat(event["end"])
        assert end > start
        assert start.year >= 1970 and end.year <= 9998
    assert [e["start"] for e in payload["events"]] == sorted(e["start"] for e in payload["events"])
    skipped = [r for r in caplog.records if "skipped" in r.getMessage().lower()]
    assert skipped, caplog.text
    assert "Traceback" not in caplog.text
    record("hub, Odoo records", "hand-written", len(cases))


@pytest.mark.slow
async def test_thousands_of_bookings_fit_the_contract(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """3000 bookings in one room today: one valid payload of at most 500 events and 64 KiB."""
    coordinator = init_integration.runtime_data.coordinator
    subscriber = subscriber_factory("odoo_epaper/+/data")
    start = dt.datetime.combine(odoo_server.today, dt.time(0))
    for index in range(3000):
        moment = start + dt.timedelta(seconds=28 * index)
        odoo_server.add_record(
            "room.booking",
            {
                "name": f"Slot {index} with a fairly long title to fill the payload",
                "room_id": 1,
                "start_datetime": moment.strftime("%Y-%m-%d %H:%M:%S"),
                "stop_datetime": (moment + dt.timedelta(seconds=28)).strftime("%Y-%m-%d %H:%M:%S"),
                "organizer_id": 2,
            },
        )
    seen = len(subscriber.snapshot())
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    messages = await subscriber.wait_for(
        lambda ms: any(m.topic.endswith("reception/data") for m in ms[seen:])
    )
    data = [m for m in messages[seen:] if m.topic.endswith("reception/data")][-1]
    assert len(data.payload) <= MAX_BYTES
    payload = json.loads(data.payload)
    jsonschema.validate(payload, SCHEMA)
    assert 0 < len(payload["events"]) <= MAX_EVENTS
    record("hub, Odoo records", "hand-written (3000 bookings)", 1)
