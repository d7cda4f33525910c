"""Buttons: refresh a display, send it a test message, identify, full refresh, clear."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .data import OdooEpaperConfigEntry
from .display_actions import (
    COMMANDS,
    async_refresh_displays,
    async_send_command,
    async_send_test_messages,
)
from .entity import OdooEpaperMqttEntity, display_platform_setup

PARALLEL_UPDATES = 0
TEST_TEXT: Final = "Test from Home Assistant"
TEST_WAIT: Final = 10.0


async def _async_test(hass: HomeAssistant, entry: OdooEpaperConfigEntry, device: str) -> None:
    """Send a test message; fail when the display does not acknowledge it."""
    (result,) = await async_send_test_messages(hass, entry, [device], TEST_TEXT, TEST_WAIT)
    if not result.acknowledged:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="test_not_acknowledged",
            translation_placeholders={"device": device, "seconds": f"{TEST_WAIT:g}"},
        )
    if not result.ok:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="test_rejected",
            translation_placeholders={"device": device, "error": result.error or ""},
        )


async def _async_refresh(hass: HomeAssistant, entry: OdooEpaperConfigEntry, device: str) -> None:
    """Refresh one display."""
    await async_refresh_displays(hass, entry, [device])


PressFn = Callable[[HomeAssistant, OdooEpaperConfigEntry, str], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class DisplayButtonDescription(ButtonEntityDescription):
    """A button that acts on one display."""

    press_fn: PressFn


def _command(command: str) -> PressFn:
    """Return a press that sends ``command`` to the display."""
    return lambda hass, entry, device: async_send_command(hass, entry, device, command)


# Disabled by default (the entity budget, docs/home-assistant.md): a fleet acts through
# the actions; a person enables the buttons of the signs they look after.
BUTTONS: tuple[DisplayButtonDescription, ...] = (
    DisplayButtonDescription(
        key="refresh",
        translation_key="refresh",
        entity_registry_enabled_default=False,
        press_fn=_async_refresh,
    ),
    DisplayButtonDescription(
        key="send_test_message",
        translation_key="send_test_message",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        press_fn=_async_test,
    ),
    *(
        DisplayButtonDescription(
            key=command,
            translation_key=command,
            device_class=ButtonDeviceClass.IDENTIFY if command == "identify" else None,
            entity_category=EntityCategory.DIAGNOSTIC,
            entity_registry_enabled_default=False,
            press_fn=_command(command),
        )
        for command in COMMANDS
    ),
)


# Add the buttons of every display.
async_setup_entry = display_platform_setup(
    lambda hass, entry, device: (
        DisplayButton(entry, description, device) for description in BUTTONS
    )
)


class DisplayButton(OdooEpaperMqttEntity, ButtonEntity):
    """A button of one display."""

    entity_description: DisplayButtonDescription

    async def async_press(self) -> None:
        """Act on the display."""
        assert self.device is not None
        await self.entity_description.press_fn(self.hass, self.entry, self.device)
