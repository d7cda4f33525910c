"""Replayed and flooding door requests against the real hub: the ``/action`` part of
``scripts/fuzz``.

Home Assistant's real core and ``mqtt`` integration with Odoo E-Paper, a real mosquitto and
the Odoo test server (running the addon's booking rules) in a child pytest process
(:mod:`bench.ha_harness`). One door sends seeded ``/action`` cases from
:class:`testbed.fuzz_inputs.Junk`: requests whose ids come from a pool of 24 (so most
are repeats of an earlier id, as QoS 1 redelivery and a door's resend make them), with
every action and odd minutes, and junk around them. Two phases:

- **replays**: the door's bucket opened wide (``BURST`` patched), so every request
  reaches the hub's decision: each message with a readable id gets exactly one answer,
  every answer to an id is its first answer, Odoo performs each id at most once (its
  ``epaper_door_action`` calls equal the ids the hub passed on), and no booking made at
  the door lasts longer than the longest booking;
- **flood**: the real bucket, the cases sent as fast as the broker takes them: the
  same, where a ``throttled`` answer is not one to hold an id to (it was not performed).

A crash is an error logged by the integration or Home Assistant (a traceback, a task
exception); lost good content is any broken rule above.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as paho
import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.ha_harness import PLUGINS, append_result, run
from custom_components.odoo_epaper import door_memory
from custom_components.odoo_epaper.const import DOMAIN
from custom_components.odoo_epaper.door_memory import THROTTLED
from custom_components.odoo_epaper.door_requests import (
    INVALID_REQUEST,
    NOT_ALLOWED,
    UNKNOWN_DEVICE,
)
from custom_components.odoo_epaper.options import EpaperOptions
from custom_components.odoo_epaper.wire import ActionError, parse_action
from testbed.broker import Broker
from testbed.fuzz_consumers import Tally
from testbed.fuzz_inputs import Junk
from testbed.ha_entry import entry_data
from testbed.ha_mqtt import async_mqtt_synced
from testbed.odoo_server import OdooTestServer

pytest_plugins = PLUGINS

CASES_ENV, SEED_ENV = "EPAPER_FUZZ_ACTION_CASES", "EPAPER_FUZZ_SEED"
DEVICE, PREFIX = "quiet-room", "odoo_epaper/"
POOL = 24  # ids per phase: fewer than the hub's 32 remembered ids per door
LONGEST = 60  # the hub's longest booking at the door in this run (minutes)
# Answers the hub gives without asking Odoo (its too_long is out of reach: door_case).
HUB_DECIDED = (NOT_ALLOWED, UNKNOWN_DEVICE, INVALID_REQUEST, THROTTLED)


@pytest.fixture
def odoo(socket_enabled: None) -> Iterator[OdooTestServer]:
    """The Odoo test server with one free room and its display."""
    server = OdooTestServer().start()
    room_id = server.add_record("room.room", {"name": "Quiet room", "active": True})
    server.add_record(
        "room.rasp.connection", {"name": DEVICE, "room_id": room_id, "active": True, "tz": "UTC"}
    )
    yield server
    server.stop()


def door_case(junk: Junk, phase: str) -> bytes:
    """A request with an id of the phase's pool (a repeat, mostly), or junk around one.

    A junk case's id, if the hub can read one, is of the pool too (a new id would push
    the pool's out of the hub's 32 remembered ones, which the contract allows), and no
    valid case asks for more than LONGEST minutes: every ``too_long`` then comes from
    Odoo's rule on the booking's total, so Odoo's calls can be counted per id.
    """
    rng = junk.rng
    pool = [f"{phase}-{n}" for n in range(POOL)]
    action = rng.choice(("book_now", "extend", "end_now", "check_in"))
    request: dict[str, Any] = {"id": rng.choice(pool), "action": action}
    if action in ("book_now", "extend"):
        request["minutes"] = rng.choice((5, 15, 30, 45, LONGEST))
    if rng.random() < 0.6:
        return json.dumps(request).encode()
    while True:
        raw = junk.payload([request])
        if readable_id(raw) in (None, *pool) and (minutes_of(raw) or 0) <= LONGEST:
            return raw


def minutes_of(raw: bytes) -> int | None:
    """The minutes of a valid request (None: invalid, or none asked)."""
    try:
        return parse_action(raw).minutes
    except ActionError:
        return None


def readable_id(raw: bytes) -> str | None:
    """The id the hub can answer, as its own parser reads it."""
    try:
        return parse_action(raw).id
    except ActionError as err:
        return err.ack_id


class Door:
    """The door's MQTT client: sends the cases, keeps every answer by id."""

    def __init__(self, port: int) -> None:
        self.answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.count = 0
        self.lock = threading.Lock()
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="fuzz-door")
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(f"{PREFIX}{DEVICE}/ack", qos=1)
        self.client.loop_start()

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        answer = json.loads(message.payload)
        with self.lock:
            self.answers[answer["id"]].append(answer)
            self.count += 1

    def send(self, cases: list[bytes]) -> None:
        """Publish every case (QoS 1), waiting for the broker to take each."""
        for raw in cases:
            self.client.publish(f"{PREFIX}{DEVICE}/action", raw, qos=1).wait_for_publish(5)

    def wait(self, expected: int, within: float) -> None:
        """Until ``expected`` answers came (or ``within`` seconds passed)."""
        deadline = time.monotonic() + within
        while self.count < expected and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)  # an answer too many would come now

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def judge(name: str, cases: list[bytes], door: Door, odoo: OdooTestServer) -> Tally:
    """Count the run: answers against the rules of the module text."""
    tally = Tally(name, cases=len(cases))
    sent: dict[str, int] = defaultdict(int)
    for raw in cases:
        request_id = readable_id(raw)
        if request_id is not None:
            sent[request_id] += 1
    passed_on = 0
    for request_id, answers in door.answers.items():
        held = [a for a in answers if a["error"] != THROTTLED]
        tally.accepted += sum(a["ok"] for a in answers)
        tally.refused += sum(not a["ok"] for a in answers)
        if any(a != held[0] for a in held):
            tally.lost += 1
            tally.note(f"answered two ways: {held}", request_id.encode())
        if len(answers) != sent[request_id]:
            tally.lost += 1
            tally.note(f"{len(answers)} answers, {sent[request_id]} requests", request_id.encode())
        if held and held[0]["error"] not in HUB_DECIDED:
            passed_on += 1
    calls = odoo.count(method="epaper_door_action")
    if calls != passed_on:
        tally.lost += 1
        tally.note(f"Odoo asked {calls} times for {passed_on} ids", b"")
    for record in odoo.records.get("room.booking", {}).values():
        start = dt.datetime.fromisoformat(record["start_datetime"])
        end = dt.datetime.fromisoformat(record["stop_datetime"])
        if record["name"] == "Booked at the door" and end - start > dt.timedelta(minutes=LONGEST):
            tally.lost += 1
            tally.note(f"a door booking of {end - start}", b"")
    return tally


async def test_door_requests(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    mosquitto: Broker,
    odoo: OdooTestServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both phases; each phase's tally goes to the harness."""
    total = int(os.environ.get(CASES_ENV, "200"))
    junk = Junk(int(os.environ.get(SEED_ENV, "2026")))
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="fuzz",
        data=entry_data(odoo),
        options=EpaperOptions(scan_interval=3600, max_booking_minutes=LONGEST).as_dict(),
        unique_id=f"{odoo.url}|fuzz",
    )
    entry.add_to_hass(hass)
    door = Door(mosquitto.port)
    caplog.set_level(logging.ERROR)
    tallies = []
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await async_mqtt_synced(hass, door.client)
        for phase, throttled in (("replays", False), ("flood", True)):
            cases = [door_case(junk, phase) for _ in range(total)]
            with monkeypatch.context() as patch:
                if not throttled:
                    patch.setattr(door_memory, "BURST", 10**9)
                odoo.reset_counts()
                door.answers.clear()
                door.count = 0
                expected = sum(readable_id(raw) is not None for raw in cases)
                await hass.async_add_executor_job(door.send, cases)
                await hass.async_add_executor_job(door.wait, expected, 120.0)
                await hass.async_block_till_done()
            tally = judge(f"hub /action, {phase}", cases, door, odoo)
            errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
            tally.crashes = len(errors)
            for record in errors[:3]:
                tally.note(f"logged {record.getMessage()[:160]}", b"")
            caplog.clear()
            tallies.append(tally)
    finally:
        door.stop()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    for tally in tallies:
        await hass.async_add_executor_job(append_result, tally.__dict__)


def door_request_slice(cases: int, seed: int) -> list[Tally]:
    """Run both phases with ``cases`` cases each in a child pytest; their tallies."""
    os.environ[CASES_ENV], os.environ[SEED_ENV] = str(cases), str(seed)
    code, results = run(__file__)
    tallies = [Tally(**result) for result in results]
    if code != 0 and not tallies:
        tallies = [Tally("hub /action", crashes=1, examples=[f"pytest exit {code}"])]
    return tallies
