"""Door actions end to end: a key press on a png satellite (gpiozero mock pins), the hub
performing it in the Odoo stand-in (the addon's own rules), /ack, the new /data on the
door, the HA event and device trigger; refusals, options, and the no-show release."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from epaper_satellite.config import load_config
from epaper_satellite.controller import MQTTDisplay
from epaper_satellite.door_actions import REASONS
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.odoo_epaper.const import (
    CONF_DOOR_ACTIONS,
    CONF_MAX_BOOKING_MINUTES,
    DOMAIN,
    EVENT_DOOR_ACTION,
)
from custom_components.odoo_epaper.devices import async_get_entry_device, display_identifier
from custom_components.odoo_epaper.door_memory import BURST, THROTTLED
from testbed.broker import Broker
from testbed.ha_mqtt import async_mqtt_synced
from testbed.odoo_server import OdooTestServer
from tests.components.odoo_epaper.conftest import OutsideSubscriber, wait_until
from tests.components.odoo_epaper.options_helpers import async_change_options
from tests.satellite.conftest import ThreadedSatellite, config_text

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
DEVICE, PREFIX = "quiet-room", "test/room/"  # a room with no bookings, its own topic prefix
KEY = {"book_now": 5, "extend": 6, "end_now": 13, "check_in": 19}  # the 2.7" HAT's keys


@pytest.fixture
def mock_pins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """gpiozero's mock pins for the satellite's keys."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    yield factory
    factory.reset()


@pytest.fixture
async def door(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    mock_pins: Any,
    tmp_path: Path,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> AsyncIterator[MQTTDisplay]:
    """The Lab's png satellite with the HAT's keys on mock pins, showing the hub's data,
    once the hub's subscriptions are active on the broker."""
    room_id = odoo_server.add_record("room.room", {"name": "Quiet room", "active": True})
    odoo_server.add_record(
        "room.rasp.connection",
        {"name": DEVICE, "room_id": room_id, "topic_prefix": PREFIX, "active": True, "tz": False},
    )
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    await async_mqtt_synced(hass, subscriber_factory("probe/#").client)
    text = config_text(
        mosquitto,
        tmp_path,
        mqtt={"topic_prefix": PREFIX},
        device={"name": DEVICE},
        display={"test_seconds": 600},
    )
    path = tmp_path / "door.toml"
    path.write_text(text + '[keys]\ndriver = "gpio"\nanswer_timeout = 20\n', "utf-8")
    display = MQTTDisplay(load_config(path, environ={}))
    satellite = ThreadedSatellite(display).start()
    yield display
    satellite.stop()


def press(pins: Any, action: str) -> None:
    """Press and release the key of ``action``."""
    pins.pin(KEY[action]).drive_low()
    pins.pin(KEY[action]).drive_high()


def door_bookings(server: OdooTestServer) -> list[dict[str, Any]]:
    """The room.booking records made at the door."""
    return [r for r in server.records["room.booking"].values() if r["name"] == "Booked at the door"]


def room_id(server: OdooTestServer) -> int:
    """The Quiet room's room.room id."""
    return next(i for i, r in server.records["room.room"].items() if r["name"] == "Quiet room")


def display_id(server: OdooTestServer) -> int:
    """The Quiet room display's record id."""
    records = server.records["room.rasp.connection"]
    return next(i for i, r in records.items() if r["name"] == DEVICE)


def shown(display: MQTTDisplay) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The events the door's sign holds."""
    data = display.sign.data
    return [] if data is None else [(e.title, e.start, e.end) for e in data.events]


async def test_each_door_action_from_key_to_new_data(
    hass: HomeAssistant,
    door: MQTTDisplay,
    mock_pins: Any,
    odoo_server: OdooTestServer,
    init_integration: MockConfigEntry,
) -> None:
    """book_now, extend, check_in, end_now: Odoo changes, the door shows it, events fire."""
    fired = async_capture_events(hass, EVENT_DOOR_ACTION)
    await wait_until(lambda: door.sign.data is not None)
    press(mock_pins, "book_now")
    await wait_until(lambda: len(door_bookings(odoo_server)) == 1)
    booking = door_bookings(odoo_server)[0]
    assert booking["organizer_id"] == 2
    await wait_until(lambda: any(t == "Booked at the door" for t, _s, _e in shown(door)))
    await wait_until(lambda: door.sign.overlay is None)
    start, end = next((s, e) for t, s, e in shown(door) if t == "Booked at the door")
    assert end - start <= dt.timedelta(minutes=15)

    press(mock_pins, "extend")
    await wait_until(lambda: (end + dt.timedelta(minutes=15)) in [e for _t, _s, e in shown(door)])
    press(mock_pins, "check_in")
    await wait_until(lambda: booking.get("epaper_checked_in") is True)
    await wait_until(lambda: len(fired) == 3)
    press(mock_pins, "end_now")
    await wait_until(
        lambda: all(e <= dt_util.utcnow() for t, _s, e in shown(door) if t == "Booked at the door")
    )
    await wait_until(lambda: len(fired) == 4)
    device = async_get_entry_device(
        hass, init_integration, display_identifier(init_integration, DEVICE)
    )
    assert device is not None
    assert [(e.data["action"], e.data["ok"], e.data["device_id"]) for e in fired] == [
        ("book_now", True, device.id),
        ("extend", True, device.id),
        ("check_in", True, device.id),
        ("end_now", True, device.id),
    ]


async def test_refusals_reach_the_door_in_words(
    hass: HomeAssistant, door: MQTTDisplay, mock_pins: Any
) -> None:
    """end_now in a free room: Odoo refuses (room_free); the door says why; the event says so."""
    fired = async_capture_events(hass, EVENT_DOOR_ACTION)
    await wait_until(lambda: door.sign.data is not None)
    press(mock_pins, "end_now")
    await wait_until(
        lambda: door.sign.overlay is not None and door.sign.overlay.text == REASONS["room_free"]
    )
    await wait_until(lambda: len(fired) == 1)
    assert (fired[0].data["ok"], fired[0].data["error"]) == (False, "room_free")


async def test_options_limit_what_doors_may_do(
    hass: HomeAssistant,
    door: MQTTDisplay,
    mock_pins: Any,
    odoo_server: OdooTestServer,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """With book_now switched off, the key is refused by the hub and Odoo is not asked."""
    await async_change_options(hass, init_integration, **{CONF_DOOR_ACTIONS: ["end_now"]})
    await wait_until(
        lambda: init_integration.runtime_data.coordinator.options.door_actions == ("end_now",)
    )
    await async_mqtt_synced(hass, subscriber_factory("probe/#").client)
    odoo_server.reset_counts()
    press(mock_pins, "book_now")
    await wait_until(
        lambda: door.sign.overlay is not None and door.sign.overlay.text == REASONS["not_allowed"]
    )
    assert odoo_server.count(method="epaper_door_action") == 0


async def test_a_booking_longer_than_the_option_is_refused(
    hass: HomeAssistant,
    door: MQTTDisplay,
    mock_pins: Any,
    odoo_server: OdooTestServer,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Longest booking 10 minutes: the 15-minute key is refused (too_long), Odoo not asked."""
    await async_change_options(hass, init_integration, **{CONF_MAX_BOOKING_MINUTES: 10})
    await wait_until(
        lambda: init_integration.runtime_data.coordinator.options.max_booking_minutes == 10
    )
    await async_mqtt_synced(hass, subscriber_factory("probe/#").client)
    odoo_server.reset_counts()
    press(mock_pins, "book_now")
    await wait_until(
        lambda: door.sign.overlay is not None and door.sign.overlay.text == REASONS["too_long"]
    )
    assert odoo_server.count(method="epaper_door_action") == 0


async def test_device_trigger_runs_an_automation(
    hass: HomeAssistant,
    door: MQTTDisplay,
    mock_pins: Any,
    init_integration: MockConfigEntry,
) -> None:
    """A device-trigger automation on "Room booked at the door" runs after book_now."""
    device = async_get_entry_device(
        hass, init_integration, display_identifier(init_integration, DEVICE)
    )
    assert device is not None
    ran = async_capture_events(hass, "booked_at_door")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "trigger": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": device.id,
                    "type": "book_now",
                },
                "action": {"event": "booked_at_door"},
            }
        },
    )
    await wait_until(lambda: door.sign.data is not None)
    press(mock_pins, "book_now")
    await wait_until(lambda: len(ran) == 1)


async def test_no_show_is_released_and_the_door_turns_free(
    hass: HomeAssistant,
    door: MQTTDisplay,
    odoo_server: OdooTestServer,
    init_integration: MockConfigEntry,
) -> None:
    """A booking nobody checked in to within 10 minutes ends at the release; the door no
    longer shows it running."""
    now = dt_util.utcnow().replace(microsecond=0)
    odoo_server.update_record(
        "room.rasp.connection", display_id(odoo_server), {"checkin_grace_minutes": 10}
    )
    odoo_server.add_record(
        "room.booking",
        {"name": "Forgotten", "room_id": room_id(odoo_server), "organizer_id": 6,
         "start_datetime": (now - dt.timedelta(minutes=15)).strftime("%Y-%m-%d %H:%M:%S"),
         "stop_datetime": (now + dt.timedelta(minutes=45)).strftime("%Y-%m-%d %H:%M:%S")},
    )  # fmt: skip
    await init_integration.runtime_data.coordinator.async_refresh()
    await wait_until(lambda: any(t == "Forgotten" and e > now for t, _s, e in shown(door)))
    assert door.sign.data is not None
    waiting = [e.check_in_until for e in door.sign.data.events if e.title == "Forgotten"]
    assert waiting == [now - dt.timedelta(minutes=5)]  # the door says "Check in by ..."
    assert odoo_server.bookings.release_no_shows(now) == [
        f"room.booking,{max(odoo_server.records['room.booking'])}"
    ]
    await init_integration.runtime_data.coordinator.async_refresh()
    await wait_until(lambda: [e for t, _s, e in shown(door) if t == "Forgotten"] == [now])


def acks(peer: OutsideSubscriber, request_id: str) -> list[dict[str, Any]]:
    """The hub's answers to ``request_id`` seen on the Quiet room's /ack."""
    return [m.json() for m in peer.on(f"{DEVICE}/ack") if (m.json() or {}).get("id") == request_id]


async def test_a_repeated_request_gets_the_first_answer_and_runs_once(
    hass: HomeAssistant,
    door: MQTTDisplay,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """The same id three times at once (QoS 1 redelivery, the door's resend), once more
    after the answer, then with another action and with an invalid one: one booking, one
    event, six equal answers."""
    fired = async_capture_events(hass, EVENT_DOOR_ACTION)
    peer = subscriber_factory(f"{PREFIX}{DEVICE}/ack")
    odoo_server.reset_counts()
    request = {"id": "k-replayed", "action": "book_now", "minutes": 15}
    for _ in range(3):
        peer.publish(f"{PREFIX}{DEVICE}/action", request)
    await wait_until(lambda: len(acks(peer, "k-replayed")) == 3)
    peer.publish(f"{PREFIX}{DEVICE}/action", request)
    await wait_until(lambda: len(acks(peer, "k-replayed")) == 4)
    peer.publish(f"{PREFIX}{DEVICE}/action", {"id": "k-replayed", "action": "end_now"})
    peer.publish(f"{PREFIX}{DEVICE}/action", {"id": "k-replayed", "action": "dance"})
    await wait_until(lambda: len(acks(peer, "k-replayed")) == 6)
    assert acks(peer, "k-replayed") == [{"id": "k-replayed", "ok": True, "error": None}] * 6
    assert odoo_server.count(method="epaper_door_action") == 1
    assert len(door_bookings(odoo_server)) == 1
    assert len(fired) == 1


async def test_a_flooding_door_is_throttled(
    hass: HomeAssistant,
    door: MQTTDisplay,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Twenty requests at once: past the door's burst they are refused (throttled) and
    Odoo is not asked; each gets exactly one answer."""
    peer = subscriber_factory(f"{PREFIX}{DEVICE}/ack")
    odoo_server.reset_counts()
    ids = [f"k-flood-{n}" for n in range(20)]
    for request_id in ids:
        peer.publish(f"{PREFIX}{DEVICE}/action", {"id": request_id, "action": "check_in"})
    await wait_until(lambda: all(len(acks(peer, request_id)) == 1 for request_id in ids))
    errors = [acks(peer, request_id)[0]["error"] for request_id in ids]
    throttled = errors.count(THROTTLED)
    assert set(errors) == {"nothing_to_check_in", THROTTLED}
    assert throttled >= len(ids) - BURST - 1  # a token may refill while they arrive
    assert odoo_server.count(method="epaper_door_action") == len(ids) - throttled


async def test_a_door_booking_never_exceeds_the_longest_booking_in_total(
    hass: HomeAssistant,
    door: MQTTDisplay,
    mock_pins: Any,
    odoo_server: OdooTestServer,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Longest booking 20 minutes: book_now 15, extend 15 ends 20 minutes after the start,
    the next extend is refused (too_long): never a day from the door (issue 22)."""
    await async_change_options(hass, init_integration, **{CONF_MAX_BOOKING_MINUTES: 20})
    await wait_until(
        lambda: init_integration.runtime_data.coordinator.options.max_booking_minutes == 20
    )
    await async_mqtt_synced(hass, subscriber_factory("probe/#").client)
    await wait_until(lambda: door.sign.data is not None)
    press(mock_pins, "book_now")
    await wait_until(lambda: len(door_bookings(odoo_server)) == 1)
    booking = door_bookings(odoo_server)[0]
    await wait_until(lambda: door.sign.overlay is None)
    press(mock_pins, "extend")
    start = dt.datetime.fromisoformat(booking["start_datetime"])
    await wait_until(
        lambda: (
            dt.datetime.fromisoformat(booking["stop_datetime"]) == start + dt.timedelta(minutes=20)
        )
    )
    await wait_until(lambda: door.sign.overlay is None)
    press(mock_pins, "extend")
    await wait_until(
        lambda: door.sign.overlay is not None and door.sign.overlay.text == REASONS["too_long"]
    )
    assert dt.datetime.fromisoformat(booking["stop_datetime"]) == start + dt.timedelta(minutes=20)


async def test_invalid_requests_count_against_the_bucket(
    hass: HomeAssistant,
    door: MQTTDisplay,
    odoo_server: OdooTestServer,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Invalid requests with an id are answered invalid_request, past the burst
    throttled; Odoo is never asked."""
    peer = subscriber_factory(f"{PREFIX}{DEVICE}/ack")
    odoo_server.reset_counts()
    ids = [f"k-junk-{n}" for n in range(BURST + 5)]
    for request_id in ids:
        peer.publish(f"{PREFIX}{DEVICE}/action", {"id": request_id, "action": "dance"})
    await wait_until(lambda: all(len(acks(peer, request_id)) == 1 for request_id in ids))
    errors = [acks(peer, request_id)[0]["error"] for request_id in ids]
    assert set(errors) == {"invalid_request", THROTTLED}
    assert errors.count(THROTTLED) >= len(ids) - BURST - 1
    assert odoo_server.count(method="epaper_door_action") == 0
