"""Binary sensors: display online and problem, hub Odoo connection."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .data import OdooEpaperConfigEntry
from .display_tracker import DisplayState
from .entity import OdooEpaperEntity, OdooEpaperMqttEntity, async_add_display_entities
from .freshness import Freshness

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DisplayBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor computed from a display's MQTT state and its content's freshness."""

    is_on_fn: Callable[[DisplayState, Freshness, datetime], bool | None]
    attributes_fn: Callable[[DisplayState, Freshness], Mapping[str, Any] | None] = (
        lambda _state, _fresh: None
    )
    follows_content: bool = False  # the state depends on the published content's freshness


def _problem(state: DisplayState, fresh: Freshness, now: datetime) -> bool | None:
    """An error in the status, or content behind the hub's for BEHIND_GRACE while online."""
    if state.status is None:
        return None
    return state.error is not None or fresh.lagging(now)


DISPLAY_SENSORS: tuple[DisplayBinarySensorDescription, ...] = (
    DisplayBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        is_on_fn=lambda state, _fresh, _now: state.online,
    ),
    DisplayBinarySensorDescription(
        key="problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=_problem,
        follows_content=True,
        attributes_fn=lambda state, fresh: {
            "error": state.error,
            "behind_since": fresh.behind_since.isoformat() if fresh.behind_since else None,
        },
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
    """A display's online or problem state.

    While the display lags behind the published content, a timer writes the state
    again when BEHIND_GRACE has passed, so the problem shows without new messages.
    """

    entity_description: DisplayBinarySensorDescription
    _unsub_timer: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Wait for the first state's grace to end; stop the timer with the entity."""
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_timer)
        self._async_follow_grace()

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    def _coordinator_key(self) -> Hashable | None:
        """A new publish changes what the door is compared with."""
        if not self.entity_description.follows_content:
            return super()._coordinator_key()
        return (super()._coordinator_key(), self.freshness.published_hash)

    @callback
    def _async_update_state(self) -> None:
        """Write the state, and wait for the moment a lagging display becomes a problem."""
        self._async_follow_grace()
        super()._async_update_state()

    @callback
    def _async_follow_grace(self) -> None:
        """Wake up when a lagging display's grace ends (its content then counts as behind)."""
        self._cancel_timer()
        lagging_from = self.freshness.lagging_from
        if (
            self.entity_description.follows_content
            and lagging_from is not None
            and dt_util.utcnow() < lagging_from
        ):
            self._unsub_timer = async_track_point_in_utc_time(
                self.hass, self._grace_over, lagging_from
            )

    @callback
    def _grace_over(self, _now: datetime) -> None:
        self._unsub_timer = None
        self._async_update_state()

    @property
    def is_on(self) -> bool | None:
        """Return the state from the display's last status."""
        state = self.display_state
        if state is None:
            return None
        return self.entity_description.is_on_fn(state, self.freshness, dt_util.utcnow())

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return details of the state."""
        state = self.display_state
        return (
            None if state is None else self.entity_description.attributes_fn(state, self.freshness)
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
