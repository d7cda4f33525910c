"""Binary sensors: display online and problem, hub Odoo connection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .data import OdooEpaperConfigEntry
from .display_problem import ProblemReason, connected, problem_reason
from .display_state import DisplayState
from .entity import OdooEpaperContentEntity, OdooEpaperEntity, async_add_display_entities
from .freshness import Freshness

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DisplayBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor computed from a display's MQTT state and its content's freshness."""

    is_on_fn: Callable[[DisplayState | None, bool, Freshness, datetime], bool | None]
    attributes_fn: Callable[[DisplayState | None, bool, Freshness, datetime], Mapping[str, Any]] = (
        lambda _state, _listening, _fresh, _now: {}
    )
    follows_content: bool = False  # the state depends on the published content's freshness


def _problem(
    state: DisplayState | None, listening: bool, fresh: Freshness, now: datetime
) -> bool | None:
    """On for every reason of :func:`problem_reason`; None while unknown."""
    reason = problem_reason(state, listening, fresh, now)
    return None if reason is None else reason is not ProblemReason.NONE


def _problem_attributes(
    state: DisplayState | None, listening: bool, fresh: Freshness, now: datetime
) -> Mapping[str, Any]:
    """The reason (translated in the UI), the error text and since when content lags."""
    reason = problem_reason(state, listening, fresh, now)
    return {
        "reason": None if reason is None else reason.value,
        "error": None if state is None else state.error,
        "behind_since": fresh.behind_since.isoformat() if fresh.behind_since else None,
    }


# Enabled by default: Problem (what to alert on: every reason, offline included).
# Connectivity says the same for "offline" and "never connected", so it is a disabled
# diagnostic entity (the entity budget, docs/home-assistant.md).
DISPLAY_SENSORS: tuple[DisplayBinarySensorDescription, ...] = (
    DisplayBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        is_on_fn=lambda state, listening, _fresh, _now: connected(state, listening),
    ),
    DisplayBinarySensorDescription(
        key="problem",
        translation_key="problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=_problem,
        follows_content=True,
        attributes_fn=_problem_attributes,
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


class DisplayBinarySensor(OdooEpaperContentEntity, BinarySensorEntity):
    """A display's online or problem state (the problem shows when a lagging door's grace
    ends, without new messages)."""

    entity_description: DisplayBinarySensorDescription

    @property
    def follows_content(self) -> bool:
        """Only the problem depends on the published content."""
        return self.entity_description.follows_content

    @property
    def is_on(self) -> bool | None:
        """Return the state from the display's last status."""
        return self.entity_description.is_on_fn(
            self.display_state, self.listening, self.freshness, dt_util.utcnow()
        )

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return details of the state."""
        return (
            self.entity_description.attributes_fn(
                self.display_state, self.listening, self.freshness, dt_util.utcnow()
            )
            or None
        )


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
