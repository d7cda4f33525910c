"""The coordinator's cycles, seen from an outside subscriber on the real broker."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import patch

import jsonschema
import pytest
from homeassistant.components import mqtt
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper import coordinator as coordinator_module
from custom_components.odoo_epaper.const import CONF_QOS, DOMAIN
from custom_components.odoo_epaper.coordinator import OdooEpaperCoordinator
from testbed.broker import Broker
from testbed.ha_entry import ODOO_LOGIN
from testbed.odoo_server import OdooTestServer
from tests.fixtures.vectors import load_vectors

from .conftest import OutsideSubscriber, add_rooms

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
SCHEMA = load_vectors("data.schema")
DATA_TOPICS = {
    "odoo_epaper/reception/data",
    "odoo_epaper/boardroom/data",
    "test/room/lab-door/data",
}


def coordinator_of(entry: MockConfigEntry) -> OdooEpaperCoordinator:
    """The entry's coordinator."""
    return entry.runtime_data.coordinator


def clock_at(moment: dt.datetime) -> types.SimpleNamespace:
    """A stand-in for ``dt_util`` in the coordinator module only."""
    return types.SimpleNamespace(utcnow=lambda: moment)


async def test_retained_data_reaches_an_outside_subscriber(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """Each display's /data is on the broker, retained, QoS 1, valid by the schema."""
    subscriber = subscriber_factory("#", qos=2)
    messages = await subscriber.wait_for(
        lambda ms: {m.topic for m in ms if m.topic.endswith("/data")} == DATA_TOPICS
    )
    data = {m.topic: m for m in messages if m.topic.endswith("/data")}
    for message in data.values():
        assert message.retain
        assert message.qos == 1
        jsonschema.validate(message.json(), SCHEMA)
    reception = data["odoo_epaper/reception/data"].json()
    assert reception["device"] == "reception"
    assert reception["room"] == "Reception"
    assert reception["tz"] == "Europe/Berlin"
    assert reception["qr"] == "https://odoo.example.com/room/RCP/book"
    assert [e["title"] for e in reception["events"]] == ["Stand-up", "Interview"]
    generated = dt.datetime.fromisoformat(reception["generated_at"])
    assert dt.datetime.fromisoformat(reception["valid_until"]) - generated == dt.timedelta(hours=12)
    display = coordinator_of(init_integration).data.displays["reception"]
    assert display.data_topic == "odoo_epaper/reception/data"
    assert display.room == "Reception"
    assert display.payload == reception


async def test_configured_qos(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """The data QoS follows the option."""
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_QOS: 2}
    )
    subscriber = subscriber_factory("+/+/data", qos=2)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    messages = await subscriber.wait_for(lambda ms: len(ms) == 2)
    assert {m.qos for m in messages} == {2}
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_unchanged_cycle_publishes_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """A second cycle with the same data in Odoo sends nothing, at one RPC."""
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    odoo_server.reset_counts()
    await coordinator_of(init_integration).async_refresh()
    assert coordinator_of(init_integration).last_update_success
    assert odoo_server.counts() == {("room.rasp.connection", "epaper_schedule"): 1}
    await subscriber.sync(hass)
    assert subscriber.on("/data", since=seen) == []


async def test_changed_booking_republishes_that_display_alone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """Moving the board meeting republishes the boardroom and nothing else."""
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    odoo_server.update_record("room.booking", 1, {"stop_datetime": "{day} 10:30:00"})
    await coordinator_of(init_integration).async_refresh()
    await subscriber.sync(hass)
    changed = subscriber.on("/data", since=seen)
    assert [m.topic for m in changed] == ["odoo_epaper/boardroom/data"]
    assert changed[0].json()["events"][0]["end"].endswith("T10:30:00Z")
    late = subscriber_factory("odoo_epaper/boardroom/data")
    retained = await late.wait_for(lambda ms: len(ms) == 1)
    assert retained[0].retain
    assert retained[0].payload == changed[0].payload


async def test_new_booking_in_one_room(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """A booking added at runtime reaches its room's sign only."""
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    odoo_server.add_record(
        "room.booking",
        {
            "name": "Late call",
            "room_id": 3,
            "organizer_id": 2,
            "start_datetime": "{day+1} 17:00:00",
            "stop_datetime": "{day+1} 18:00:00",
        },
    )
    await coordinator_of(init_integration).async_refresh()
    await subscriber.sync(hass)
    changed = subscriber.on("/data", since=seen)
    assert [m.topic for m in changed] == ["test/room/lab-door/data"]
    assert [e["title"] for e in changed[0].json()["events"]] == ["Lab induction", "Late call"]


async def test_two_hundred_rooms_two_rpcs_per_cycle(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """200 more rooms: every sign gets its data, each cycle still costs one RPC."""
    add_rooms(odoo_server, 200)
    subscriber = subscriber_factory("+/+/data")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    messages = await subscriber.wait_for(lambda ms: len(ms) == 202)
    jsonschema.validate(next(m for m in messages if m.topic.endswith("room-7/data")).json(), SCHEMA)
    odoo_server.reset_counts()
    coordinator = coordinator_of(config_entry)
    odoo_server.update_record("room.booking", 6 + 2 * 3, {"name": "Renamed"})
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    assert odoo_server.counts() == {("room.rasp.connection", "epaper_schedule"): 2}
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_odoo_down_at_runtime(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """Update failed, nothing published, retained data stays; recovery publishes again."""
    coordinator = coordinator_of(init_integration)
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    odoo_server.go_down()
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert "Cannot reach" in str(coordinator.last_exception)
    await subscriber.sync(hass)
    assert subscriber.on("/data", since=seen) == []
    late = subscriber_factory("+/+/data")
    retained = await late.wait_for(lambda ms: len(ms) == 2)
    assert all(m.retain for m in retained)

    odoo_server.come_up()
    odoo_server.update_record("room.booking", 2, {"name": "Interview (moved)"})
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    await subscriber.sync(hass)
    changed = subscriber.on("/data", since=seen)
    assert [m.topic for m in changed] == ["odoo_epaper/reception/data"]
    assert "Interview (moved)" in [e["title"] for e in changed[0].json()["events"]]


async def test_long_outage_recovery_republishes_everything(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """Back after hours: every sign gets a fresh payload before its data turns stale."""
    coordinator = coordinator_of(init_integration)
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    later = dt_util.utcnow() + dt.timedelta(hours=7)
    with patch("custom_components.odoo_epaper.coordinator.dt_util", clock_at(later)):
        odoo_server.go_down("http_error")
        await coordinator.async_refresh()
        assert not coordinator.last_update_success
        odoo_server.come_up()
        await coordinator.async_refresh()
    assert coordinator.last_update_success
    await subscriber.sync(hass)
    republished = subscriber.on("/data", since=seen)
    assert {m.topic for m in republished} == DATA_TOPICS
    for message in republished:
        valid_until = dt.datetime.fromisoformat(message.json()["valid_until"])
        assert valid_until - later.replace(microsecond=0) == dt.timedelta(hours=12)


async def test_half_life_rule(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """Unchanged data is republished once less than half its lifetime (6 h) is left."""
    coordinator = coordinator_of(init_integration)
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    start = dt.datetime.fromisoformat(
        coordinator.data.displays["reception"].payload["generated_at"]
    )
    with patch(
        "custom_components.odoo_epaper.coordinator.dt_util",
        clock_at(start + dt.timedelta(hours=5, minutes=59)),
    ):
        await coordinator.async_refresh()
    seen = await subscriber.sync(hass)
    assert subscriber.on("/data", since=seen) == []
    first = coordinator.publisher.published["odoo_epaper/reception/data"].published_at
    with patch(
        "custom_components.odoo_epaper.coordinator.dt_util",
        clock_at(start + dt.timedelta(hours=6, minutes=1)),
    ):
        await coordinator.async_refresh()
    await subscriber.sync(hass)
    assert {m.topic for m in subscriber.on("/data", since=seen)} == DATA_TOPICS
    # The same content again: a door behind it has been behind since the first publish.
    assert coordinator.publisher.published["odoo_epaper/reception/data"].published_at == first


async def test_auth_failure_at_runtime_starts_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """The password changed in Odoo: nothing published, a reauth flow starts."""
    coordinator = coordinator_of(init_integration)
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    odoo_server.set_password(ODOO_LOGIN, "rotated")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    await subscriber.sync(hass)
    assert subscriber.on("/data", since=seen) == []


async def test_failed_publish_is_retried_next_cycle(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A publish that fails is logged and sent again on the next cycle."""
    coordinator = coordinator_of(init_integration)
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    odoo_server.update_record("room.booking", 1, {"name": "Board meeting (v2)"})
    with patch(
        "custom_components.odoo_epaper.publisher.mqtt.async_publish",
        side_effect=HomeAssistantError("broker gone"),
    ):
        await coordinator.async_refresh()
    assert (
        "Publishing 1 of 1 displays failed, retrying next cycle: "
        "odoo_epaper/boardroom/data: broker gone" in caplog.text
    )
    await coordinator.async_refresh()
    await subscriber.sync(hass)
    changed = subscriber.on("/data", since=seen)
    assert [m.topic for m in changed] == ["odoo_epaper/boardroom/data"]
    assert changed[0].json()["events"][0]["title"] == "Board meeting (v2)"


async def test_forget_republishes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """``forget`` makes a topic (or all) due again, for part 2's refresh commands."""
    runtime = init_integration.runtime_data
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    runtime.publisher.forget("odoo_epaper/reception/data")
    await runtime.coordinator.async_refresh()
    seen_after_one = await subscriber.sync(hass)
    assert [m.topic for m in subscriber.on("/data", since=seen)] == ["odoo_epaper/reception/data"]
    runtime.publisher.forget()
    await runtime.coordinator.async_refresh()
    await subscriber.sync(hass)
    assert {m.topic for m in subscriber.on("/data", since=seen_after_one)} == DATA_TOPICS


async def test_hub_status_publish_failure_is_logged(
    hass: HomeAssistant, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A hub status that cannot be published is a warning, not a crash."""
    publisher = init_integration.runtime_data.publisher
    with patch.object(mqtt, "async_publish", side_effect=HomeAssistantError("no broker")):
        assert not await publisher.async_publish_hub_status("odoo_epaper/", "online")
    assert "Publishing the hub status online to odoo_epaper/_hub/status failed" in caplog.text


async def test_nothing_sent_while_the_broker_is_away(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While HA's MQTT client is disconnected the cycle skips publishing, with one line."""
    coordinator = coordinator_of(init_integration)
    subscriber = subscriber_factory("#")
    seen = await subscriber.sync(hass)
    odoo_server.update_record("room.booking", 1, {"name": "Board meeting (v3)"})
    with patch("custom_components.odoo_epaper.publisher.mqtt.is_connected", return_value=False):
        await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert "MQTT broker not connected; 1 displays wait for it" in caplog.text
    await subscriber.sync(hass)
    assert subscriber.on("/data", since=seen) == []
    await coordinator.async_refresh()
    await subscriber.sync(hass)
    assert [m.topic for m in subscriber.on("/data", since=seen)] == ["odoo_epaper/boardroom/data"]


@pytest.fixture
def fast_mqtt_reconnect() -> Iterator[None]:
    """Let HA's MQTT client retry every 0.1 s instead of 10 s."""
    with patch("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.1):
        yield


async def test_broker_restart_restores_retained_data(
    fast_mqtt_reconnect: None,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mosquitto: Broker,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> None:
    """A broker that lost its retained messages gets every display again on reconnect."""
    mosquitto.restart()  # no persistence: the retained /data is gone
    expected = {"odoo_epaper/reception/data", "odoo_epaper/boardroom/data"}
    watcher = subscriber_factory("+/+/data")
    messages = await watcher.wait_for(lambda ms: len(ms) >= 2, within=20)
    assert {m.topic for m in messages} == expected
    late = subscriber_factory("odoo_epaper/+/+")
    retained = await late.wait_for(lambda ms: len(ms) == 3)
    assert {m.topic for m in retained} == {*expected, "odoo_epaper/_hub/status"}
    assert all(m.retain for m in retained)


async def _retained(
    subscriber_factory: Callable[..., OutsideSubscriber], hass: HomeAssistant, topic: str
) -> bytes | None:
    """What the broker holds retained on ``topic`` now (None: nothing): what a new
    subscriber gets before a marker published after it subscribed."""
    late = subscriber_factory("#")
    await late.sync(hass)
    retained = [m for m in late.snapshot() if m.topic == topic and m.retain]
    return retained[-1].payload if retained else None


@pytest.mark.parametrize(
    ("change", "values"),
    [
        ("archived", {"active": False}),
        ("renamed", {"name": "reception-eg"}),
        ("moved to another prefix", {"topic_prefix": "site-2/"}),
    ],
)
async def test_a_display_that_is_gone_has_its_retained_data_cleared(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
    change: str,
    values: dict[str, object],
) -> None:
    """Archive, rename or re-prefix a display in Odoo: within one refresh the broker holds
    no /data on its old topic (a sign that later takes the name never draws the old room);
    a renamed or moved display gets its data on its new topic."""
    old = "odoo_epaper/reception/data"
    assert await _retained(subscriber_factory, hass, old) is not None
    odoo_server.update_record("room.rasp.connection", 1, values)
    await coordinator_of(init_integration).async_refresh()
    assert await _retained(subscriber_factory, hass, old) is None, change
    new = {
        "renamed": "odoo_epaper/reception-eg/data",
        "moved to another prefix": "site-2/reception/data",
    }.get(change)
    if new is not None:
        payload = await _retained(subscriber_factory, hass, new)
        assert payload is not None and b'"room":"Reception"' in payload


async def test_a_display_deleted_while_home_assistant_was_down_is_cleared(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """The entry remembers on disk which /data topics it left retained payloads on: a
    display deleted in Odoo while the entry was unloaded is cleared after it loads."""
    old = "odoo_epaper/boardroom/data"
    assert await _retained(subscriber_factory, hass, old) is not None
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    odoo_server.delete_record("room.rasp.connection", 2)
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert await _retained(subscriber_factory, hass, old) is None
    assert await _retained(subscriber_factory, hass, "odoo_epaper/reception/data") is not None


async def test_payloads_are_sent_as_they_are_built(
    hass: HomeAssistant,
    mqtt_entry: MockConfigEntry,
    config_entry: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
    odoo_server: OdooTestServer,
) -> None:
    """200 more rooms: the first doors' payloads go to the MQTT client before the last
    ones are built (the loop is not held for the whole fleet), and every door gets its
    /data, byte for byte what was built."""
    add_rooms(odoo_server, 200)
    order: list[str] = []
    built: dict[str, bytes] = {}
    real_build = coordinator_module.build_wire_payload
    real_publish = mqtt.async_publish

    def build(**kwargs: Any) -> Any:
        wire = real_build(**kwargs)
        order.append("build")
        built[f"odoo_epaper/{kwargs['device']}/data"] = wire.data
        return wire

    async def publish(hass: HomeAssistant, topic: str, *args: Any, **kwargs: Any) -> None:
        order.append("publish")
        await real_publish(hass, topic, *args, **kwargs)

    subscriber = subscriber_factory("+/+/data")
    with (
        patch.object(coordinator_module, "build_wire_payload", build),
        patch("custom_components.odoo_epaper.publisher.mqtt.async_publish", publish),
    ):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    messages = await subscriber.wait_for(lambda ms: len(ms) == 202)
    assert order.count("build") == 203  # lab-door too, under test/room/ (not subscribed)
    assert order.index("publish") < len(order) - 1 - order[::-1].index("build")
    assert all(m.payload == built[m.topic] for m in messages)
    await hass.config_entries.async_unload(config_entry.entry_id)
