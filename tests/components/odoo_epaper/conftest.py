"""Fixtures: the Odoo test server, a real mosquitto, HA's real MQTT entry, an outside subscriber."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import DOMAIN
from custom_components.odoo_epaper.options import EpaperOptions
from testbed.broker import Broker
from testbed.ha_entry import entry_data, unique_id
from testbed.ha_mqtt import async_mqtt_synced
from testbed.mqtt_peer import Message, MqttPeer
from testbed.odoo_server import OdooTestServer
from testbed.pytest_hass import (  # noqa: F401  (fixtures and helpers the tests import)
    async_add_mqtt,
    async_unload,
    auto_enable_custom_integrations,
    mqtt_entry,
    wait_until,
)
from tests.components.odoo_epaper.entity_helpers import PREFIX


@pytest.fixture
def odoo_server(socket_enabled: None) -> Iterator[OdooTestServer]:
    """The JSON-RPC Odoo stand-in with the default fixture, stopped (thread joined) after."""
    server = OdooTestServer().start()
    yield server
    server.stop()


def add_rooms(server: OdooTestServer, count: int) -> None:
    """Add ``count`` rooms, each with a display ``room-N`` and one booking today."""
    for index in range(count):
        room_id = server.add_record("room.room", {"name": f"Room {index}", "active": True})
        server.add_record(
            "room.rasp.connection",
            {"name": f"room-{index}", "room_id": room_id, "active": True, "tz": False},
        )
        server.add_record(
            "room.booking",
            {
                "name": f"Meeting {index}",
                "room_id": room_id,
                "organizer_id": 2,
                "start_datetime": "{day} 10:00:00",
                "stop_datetime": "{day} 11:00:00",
            },
        )


@pytest.fixture
def config_entry(hass: HomeAssistant, odoo_server: OdooTestServer) -> MockConfigEntry:
    """An Odoo E-Paper entry with default options, added to hass (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"odoo on {odoo_server.url}",
        data=entry_data(odoo_server),
        options=EpaperOptions().as_dict(),
        unique_id=unique_id(odoo_server),
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The Odoo E-Paper entry set up against the test server and the real broker."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    yield config_entry
    if config_entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(config_entry.entry_id)
        await hass.async_block_till_done()


class OutsideSubscriber(MqttPeer):
    """A plain paho client on the broker, like a satellite would be."""

    def on(self, suffix: str, since: int = 0) -> list[Message]:  # type: ignore[override]
        """The messages whose topic ends with ``suffix`` (from index ``since`` on)."""
        return [m for m in self.snapshot(since) if m.topic.endswith(suffix)]

    async def sync(self, hass: HomeAssistant) -> int:
        """Publish a marker through Home Assistant and wait for it.

        Messages from one client arrive in order, so once the marker is here every
        message Home Assistant published before it is here too. Returns the count.
        """
        topic = f"odoo_epaper/_test/{uuid.uuid4().hex}"
        await mqtt.async_publish(hass, topic, "marker", 1, False)
        await self.wait_for(lambda messages: any(m.topic == topic for m in messages))
        return len(self.snapshot())

    async def wait_for(
        self, condition: Callable[[list[Message]], bool], within: float = 10.0
    ) -> list[Message]:
        """Wait (without blocking the event loop) until ``condition(messages)`` holds."""
        try:
            await wait_until(lambda: condition(self.snapshot()), within)
        except AssertionError:
            raise AssertionError(f"timed out; got {[m.topic for m in self.snapshot()]}") from None
        return self.snapshot()


@pytest.fixture
def subscriber_factory(mosquitto: Broker) -> Iterator[Callable[..., OutsideSubscriber]]:
    """Start outside subscribers; all are stopped at teardown."""
    started: list[OutsideSubscriber] = []

    def start(topic: str = "#", qos: int = 1) -> OutsideSubscriber:
        subscriber = OutsideSubscriber(mosquitto).start(topic, qos=qos)
        started.append(subscriber)
        return subscriber

    yield start
    for subscriber in started:
        subscriber.stop()


@pytest.fixture
def enable_all_entities() -> Iterator[None]:
    """Create the entities that are disabled by default enabled, to test them too.

    Not automatic: a test module that checks such entities takes it in with
    ``pytestmark = pytest.mark.usefixtures("enable_all_entities")``.
    """
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
async def sat(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> OutsideSubscriber:
    """An outside client standing in for the satellites, once the hub listens."""
    client = subscriber_factory(f"{PREFIX}+/cmd")
    await async_mqtt_synced(hass, client.client)
    return client


@pytest.fixture
async def watcher(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    subscriber_factory: Callable[..., OutsideSubscriber],
) -> OutsideSubscriber:
    """An outside client on every topic once the hub listens, its retained backlog dropped."""
    client = subscriber_factory("#")
    await client.wait_for(lambda ms: len([m for m in ms if m.topic.endswith("/data")]) == 3)
    await async_mqtt_synced(hass, client.client)
    client.messages.clear()
    return client


def commands(watcher: OutsideSubscriber) -> dict[str, list[Any]]:
    """Return the commands received per topic."""
    found: dict[str, list[Any]] = {}
    for message in watcher.snapshot():
        if message.topic.endswith("/cmd"):
            found.setdefault(message.topic, []).append(message.json())
    return found
