"""What services and buttons do to displays: refresh, show a message, send a test."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from datetime import timedelta
from typing import Final

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .data import OdooEpaperConfigEntry
from .display_tracker import TestResult
from .wire import cmd_topic

CMD_QOS: Final = 1
REFRESH_COMMAND: Final = json.dumps({"cmd": "refresh"})
# The commands a display's buttons send as they are (docs/protocol.md "Commands").
COMMANDS: Final = ("identify", "full_refresh", "clear")


def ensure_mqtt_connected(hass: HomeAssistant) -> None:
    """Raise a translated error when the broker cannot be reached."""
    if not mqtt.is_connected(hass):
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="mqtt_not_connected")


def _prefix(entry: OdooEpaperConfigEntry, device: str) -> str:
    """Return the topic prefix a display listens under."""
    return entry.runtime_data.coordinator.data.displays[device].topic_prefix


async def async_refresh_displays(
    hass: HomeAssistant, entry: OdooEpaperConfigEntry, devices: Collection[str]
) -> None:
    """Read Odoo now, republish the displays' data and tell them to redraw."""
    ensure_mqtt_connected(hass)
    coordinator = entry.runtime_data.coordinator
    for device in devices:
        coordinator.publisher.forget(coordinator.data.displays[device].data_topic)
    await coordinator.async_refresh()
    if not coordinator.last_update_success:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="refresh_failed",
            translation_placeholders={"error": str(coordinator.last_exception)},
        )
    await asyncio.gather(
        *(
            mqtt.async_publish(
                hass, cmd_topic(_prefix(entry, device), device), REFRESH_COMMAND, CMD_QOS, False
            )
            for device in devices
            if device in coordinator.data.displays
        )
    )


async def async_send_command(
    hass: HomeAssistant, entry: OdooEpaperConfigEntry, device: str, command: str
) -> None:
    """Send ``{"cmd": command}`` (one of COMMANDS) to a display's ``/cmd`` (QoS 1, not
    retained); raise a translated error without a broker connection."""
    ensure_mqtt_connected(hass)
    payload = json.dumps({"cmd": command})
    topic = cmd_topic(_prefix(entry, device), device)
    await mqtt.async_publish(hass, topic, payload, CMD_QOS, False)


async def async_show_message(
    hass: HomeAssistant,
    entry: OdooEpaperConfigEntry,
    devices: Collection[str],
    text: str,
    duration: timedelta,
) -> None:
    """Show ``text`` on the displays for ``duration``; it disappears by itself."""
    ensure_mqtt_connected(hass)
    entry.runtime_data.coordinator.messages.async_post(devices, text, dt_util.utcnow() + duration)
    await entry.runtime_data.coordinator.async_republish()


async def async_send_test_messages(
    hass: HomeAssistant,
    entry: OdooEpaperConfigEntry,
    devices: Collection[str],
    text: str,
    wait: float,
) -> list[TestResult]:
    """Send ``/test`` to each display and wait for the acknowledgements."""
    ensure_mqtt_connected(hass)
    tracker = entry.runtime_data.tracker
    return list(
        await asyncio.gather(
            *(
                tracker.async_test_message(_prefix(entry, device), device, text, wait)
                for device in devices
            )
        )
    )
