"""The Home Assistant path of ``bench.odoo_direct``: the same fleet and change through the
hub (Home Assistant core and this integration, under pytest with Home Assistant's test
plugin, via ``bench.ha_harness``), into a real mosquitto, to the last door's ``/data``.

Not run by itself: ``bench.odoo_direct``'s ``main()`` runs it in the same run as the
Odoo path and writes both rows. Per N it sets the hub up on the Odoo test server (a
process of its own) holding :func:`bench.odoo_direct.fleet`, waits for every door's first
``/data``, then changes every booking's title (the commit) and refreshes the hub at once
(what the change notice makes it do), timed from the commit to the last door's ``/data``
at an outside subscriber process (``bench.odoo_direct.DoorsProcess``); the hub process's
CPU time per display over that round; and a second refresh with nothing changed, which
must publish nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.ha_harness import PLUGINS, append_result, demo_entry
from bench.odoo_direct import CHANGED, FIRST, SIZES, DoorsProcess, fleet
from custom_components.odoo_epaper import publisher as publisher_module
from demo import data
from testbed.broker import Broker
from testbed.odoo_process import OdooServerProcess

pytest_plugins = PLUGINS


@pytest.fixture
def mosquitto(broker_factory: Callable[..., Broker]) -> Broker:
    """The broker, as the Odoo path's: no limit on what it queues for a slow subscriber
    (mosquitto's default of 1000 drops the rest of a 5000-door burst)."""
    return broker_factory(settings=["max_queued_messages 0"])


@pytest.fixture
def odoo(request: pytest.FixtureRequest, socket_enabled: None) -> Iterator[OdooServerProcess]:
    """The Odoo test server with the bench's fleet, in a process of its own."""
    count = request.param
    rooms, events = fleet(dt.datetime.now(dt.UTC), count, FIRST)
    folder = Path(tempfile.mkdtemp())
    content = data.fixture(dt.datetime.now(dt.UTC), rooms, events)
    server = OdooServerProcess(data.write_fixture(folder / "odoo_direct.json", content))
    server.bench_count = count  # type: ignore[attr-defined]
    server.bench_events = [event["id"] for event in events]  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.mark.timeout(1800)  # 5000 displays: the hub's setup alone takes minutes here
@pytest.mark.parametrize("odoo", SIZES, indirect=True)
async def test_home_assistant_path(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, mosquitto: Broker, odoo: OdooServerProcess
) -> None:
    """One row of the Home Assistant path (see the module text)."""
    count = odoo.bench_count  # type: ignore[attr-defined]
    hass.loop.set_debug(False)  # as in a running Home Assistant (the plugin turns it on)
    entry = demo_entry(odoo)  # type: ignore[arg-type]
    entry.add_to_hass(hass)
    published: list[str] = []
    real_publish = mqtt.async_publish

    async def counted(hass: HomeAssistant, topic: str, *args: Any, **kwargs: Any) -> None:
        if topic.endswith("/data"):
            published.append(topic)
        await real_publish(hass, topic, *args, **kwargs)

    first = DoorsProcess(mosquitto.host, mosquitto.port, count, FIRST)
    changed = DoorsProcess(mosquitto.host, mosquitto.port, count, CHANGED)
    try:
        with patch.object(publisher_module.mqtt, "async_publish", counted):
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            await hass.async_add_executor_job(first.last_arrival)
            coordinator = entry.runtime_data.coordinator
            changes = [(event_id, {"name": CHANGED}) for event_id in odoo.bench_events]  # type: ignore[attr-defined]
            await hass.async_add_executor_job(odoo.update_records, "calendar.event", changes)
            committed = time.time()
            cpu = time.process_time()
            published.clear()
            await coordinator.async_refresh()
            last = await hass.async_add_executor_job(changed.last_arrival)
            cpu_used = time.process_time() - cpu
            changed_published = len(published)
            published.clear()
            await coordinator.async_refresh()
            unchanged_published = len(published)
    finally:
        first.stop()
        changed.stop()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    await hass.async_add_executor_job(
        append_result,
        {
            "displays": count,
            "published": changed_published,
            "last_ms": (last - committed) * 1000,
            "cpu_per_display_ms": cpu_used / count * 1000,
            "unchanged": unchanged_published,
        },
    )
