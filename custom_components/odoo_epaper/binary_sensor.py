"""Binary sensors: display online and problem, hub Odoo connection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import OdooEpaperConfigEntry
from .display_tracker import DisplayState
from .entity import OdooEpaperEntity, OdooEpaperMqttEntity, async_add_display_entities

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DisplayBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor computed from a display's MQTT state."""

    is_on_fn: Callable[[DisplayState], bool | None]
    attributes_fn: Callable[[DisplayState], Mapping[str, Any] | None] = lambda _state: None


DISPLAY_SENSORS: tuple[DisplayBinarySensorDescription, ...] = (
    DisplayBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        is_on_fn=lambda state: state.online,
    ),
    DisplayBinarySensorDescription(
        key="problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda state: None if state.status is None else state.error is not None,
        attributes_fn=lambda state: {"error": state.error},
    ),
)

ODOO_CONNECTION = BinarySensorEntityDescription(
    key="odoo_connection",
    translation_key="odoo_connection",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OdooEpaperConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's Odoo connection and every display's binary sensors."""
    async_add_entities([OdooConnectionBinarySensor(entry, ODOO_CONNECTION)])
    async_add_display_entities(
        entry,
        async_add_entities,
        lambda device: (
            DisplayBinarySensor(entry, description, device) for description in DISPLAY_SENSORS
        ),
    )


class DisplayBinarySensor(OdooEpaperMqttEntity, BinarySensorEntity):
    """A display's online or problem state."""

    entity_description: DisplayBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the state from the display's last status."""
        state = self.display_state
        return None if state is None else self.entity_description.is_on_fn(state)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return details of the state."""
        state = self.display_state
        return None if state is None else self.entity_description.attributes_fn(state)


class OdooConnectionBinarySensor(OdooEpaperEntity, BinarySensorEntity):
    """Whether the last read from Odoo worked."""

    @property
    def available(self) -> bool:
        """Always available: it reports the outage itself."""
        return True

    @property
    def is_on(self) -> bool:
        """Return whether the last refresh reached Odoo."""
        return self.coordinator.last_update_success
