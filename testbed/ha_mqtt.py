"""Home Assistant's MQTT integration beside an outside paho client on the same real broker.

Needs Home Assistant (its ``mqtt`` integration set up in ``hass``); used by the tests under
``tests/components`` and by ``bench/``.
"""

from __future__ import annotations

import asyncio
import uuid

import paho.mqtt.client as paho
from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant, callback


def publish(
    client: paho.Client, topic: str, payload: bytes | str, *, retain: bool = False, qos: int = 1
) -> None:
    """Publish from an outside paho client and wait until the broker has it."""
    client.publish(topic, payload, qos=qos, retain=retain).wait_for_publish(5)


async def async_mqtt_synced(hass: HomeAssistant, client: paho.Client) -> None:
    """Return once every subscription Home Assistant made so far is active on the broker.

    Home Assistant batches subscriptions; a retained probe message reaching a new
    subscription proves that the batches before it went through too.
    """
    topic = f"probe/{uuid.uuid4().hex}"
    publish(client, topic, b"1", retain=True)
    arrived = asyncio.Event()

    @callback
    def on_probe(_msg: mqtt.ReceiveMessage) -> None:
        arrived.set()

    unsubscribe = await mqtt.async_subscribe(hass, topic, on_probe)
    try:
        async with asyncio.timeout(5):
            await arrived.wait()
    finally:
        unsubscribe()
        publish(client, topic, b"", retain=True)
