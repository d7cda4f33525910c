"""Base entities: one device per display, one hub device per entry."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Hashable, Iterable
from datetime import datetime
from typing import Any

from homeassistant.components import mqtt
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .coordinator import OdooEpaperCoordinator
from .data import OdooEpaperConfigEntry
from .devices import display_identifier, hub_identifier
from .display_data import DisplayData
from .display_state import DisplayState
from .freshness import Freshness, freshness


class OdooEpaperEntity(CoordinatorEntity[OdooEpaperCoordinator]):
    """An entity of the hub (``device`` None) or of one display.

    A display's entity looks at its state after a refresh only when what it shows
    from the coordinator changed (:meth:`_coordinator_key`), and writes it only when
    the state or its attributes changed (:meth:`_async_update_state`), so a cycle in
    which one display changed writes that display's changed states, not every display's.
    """

    _attr_has_entity_name = True
    _written_key: Hashable | None = None

    def __init__(
        self,
        entry: OdooEpaperConfigEntry,
        description: EntityDescription,
        device: str | None = None,
    ) -> None:
        """Attach the entity to its device."""
        super().__init__(entry.runtime_data.coordinator)
        self.entry = entry
        self.entity_description = description
        self.device = device
        if device is None:
            self._attr_unique_id = f"{entry.entry_id}_{description.key}"
            self._attr_device_info = DeviceInfo(identifiers={hub_identifier(entry)})
        else:
            self._attr_unique_id = f"{entry.entry_id}_{device}_{description.key}"
            self._attr_device_info = DeviceInfo(identifiers={display_identifier(entry, device)})

    @property
    def display_data(self) -> DisplayData | None:
        """Return what the hub last read from Odoo for this display."""
        if self.device is None or self.coordinator.data is None:
            return None
        return self.coordinator.data.displays.get(self.device)

    @property
    def available(self) -> bool:
        """Return whether Odoo answered and still has this display."""
        return super().available and (self.device is None or self.display_data is not None)

    def _coordinator_key(self) -> Hashable | None:
        """What this entity shows from the coordinator's data; None: write on every update.

        A display's entity shows its availability and what its sign shows: the
        display's settings and the content hash of its payload (events, message).
        """
        if self.device is None:
            return None
        data = self.display_data
        return (self.available, None if data is None else (data.display, data.content_hash))

    async def async_added_to_hass(self) -> None:
        """Remember what the first state shows."""
        await super().async_added_to_hass()
        self._written_key = self._coordinator_key()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state if what this entity shows from the coordinator changed."""
        key = self._coordinator_key()
        if key is not None and key == self._written_key:
            return
        self._written_key = key
        self._async_coordinator_changed()

    @callback
    def _async_coordinator_changed(self) -> None:
        """What this entity shows from the coordinator changed: write its state."""
        self._async_update_state()

    @callback
    def _async_update_state(self) -> None:
        """Write the state when it or its attributes changed; the one place subclasses
        add work done on every update.

        The comparison is Home Assistant's own (the state and attributes a write would
        set against those in the state machine), so a refresh or a display's message
        that changes nothing this entity shows writes nothing: at thousands of displays
        a cycle's work is the states that changed (no state object, no event, no
        recorder row for the others).
        """
        current = self.hass.states.get(self.entity_id) if self.entity_id else None
        if current is not None:
            calculated = self._async_calculate_state()
            if calculated.state == current.state and calculated.attributes == current.attributes:
                return
        self.async_write_ha_state()


class OdooEpaperMqttEntity(OdooEpaperEntity):
    """A display entity that shows what the display says over MQTT.

    It listens to the display tracker too and writes its state when its own
    display's state changed (a new :class:`DisplayState` object).
    """

    _mqtt_connected = True
    _shown_key: tuple[DisplayState | None, bool] | None = None

    @property
    def display_state(self) -> DisplayState | None:
        """Return the display's last status and snapshot."""
        if self.device is None:
            return None
        return self.entry.runtime_data.tracker.displays.get(self.device)

    @property
    def listening(self) -> bool:
        """Return whether the hub got the retained statuses under this display's prefix
        (so a display without a status has never reported)."""
        data = self.display_data
        return data is not None and self.entry.runtime_data.tracker.listening(data.topic_prefix)

    @property
    def freshness(self) -> Freshness:
        """Compare the content the hub last published for this display with what it shows."""
        data = self.display_data
        published = None
        if data is not None:
            published = self.entry.runtime_data.publisher.published.get(data.data_topic)
        return freshness(published, self.display_state)

    @property
    def available(self) -> bool:
        """Return whether the broker is reachable; an offline display stays available."""
        known = self.device is None or (
            self.coordinator.data is not None and self.device in self.coordinator.data.displays
        )
        return self._mqtt_connected and known

    def _coordinator_key(self) -> Hashable | None:
        """From the coordinator, a display's MQTT entity shows its availability and settings."""
        if self.device is None:
            return None
        data = self.display_data
        return (self.available, None if data is None else data.display)

    async def async_added_to_hass(self) -> None:
        """Follow the display's messages and the broker connection."""
        await super().async_added_to_hass()
        self._mqtt_connected = mqtt.is_connected(self.hass)
        self._shown_key = (self.display_state, self.listening)
        tracker = self.entry.runtime_data.tracker
        self.async_on_remove(tracker.async_add_listener(self._handle_display_update))
        self.async_on_remove(
            mqtt.async_subscribe_connection_status(self.hass, self._handle_connection)
        )

    @callback
    def _handle_display_update(self) -> None:
        """Write the state when this entity's display said something new (or the hub got
        the retained statuses under its prefix)."""
        key = (self.display_state, self.listening)
        shown = self._shown_key
        if self.device is not None and shown and key[0] is shown[0] and key[1] == shown[1]:
            return
        self._shown_key = key
        self._async_update_state()

    @callback
    def _handle_connection(self, connected: bool) -> None:
        """Go unavailable while the broker connection is down."""
        self._mqtt_connected = connected
        self._async_update_state()


class OdooEpaperContentEntity(OdooEpaperMqttEntity):
    """A display entity whose state depends on the published content's freshness.

    A new publish changes what the door is compared with; while the door lags behind, a
    timer writes the state again when BEHIND_GRACE has passed, so a lagging door shows
    as behind without new messages.
    """

    _unsub_timer: CALLBACK_TYPE | None = None

    @property
    def follows_content(self) -> bool:
        """Return whether this entity follows the content (subclasses may say no)."""
        return True

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
        if not self.follows_content:
            return super()._coordinator_key()
        return (super()._coordinator_key(), self.freshness.published_hash)

    @callback
    def _async_update_state(self) -> None:
        """Write the state, and wait for the moment a lagging display counts as behind."""
        self._async_follow_grace()
        super()._async_update_state()

    @callback
    def _async_follow_grace(self) -> None:
        """Wake up when a lagging display's grace ends."""
        self._cancel_timer()
        lagging_from = self.freshness.lagging_from
        if self.follows_content and lagging_from is not None and dt_util.utcnow() < lagging_from:
            self._unsub_timer = async_track_point_in_utc_time(
                self.hass, self._grace_over, lagging_from
            )

    @callback
    def _grace_over(self, _now: datetime) -> None:
        self._unsub_timer = None
        self._async_update_state()


@callback
def async_add_display_entities(
    entry: OdooEpaperConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[str], Iterable[Entity]],
) -> None:
    """Add a display's entities now and whenever Odoo reports a new display."""
    coordinator = entry.runtime_data.coordinator
    known: set[str] = set()

    @callback
    def add_new_displays() -> None:
        current = set(coordinator.data.displays) if coordinator.data else set()
        known.intersection_update(current)
        if new := current - known:
            known.update(new)
            async_add_entities(entity for device in sorted(new) for entity in build(device))

    add_new_displays()
    entry.async_on_unload(coordinator.async_add_listener(add_new_displays))


def display_platform_setup(
    build: Callable[[HomeAssistant, OdooEpaperConfigEntry, str], Iterable[Entity]],
) -> Callable[
    [HomeAssistant, OdooEpaperConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """Return a platform's ``async_setup_entry`` that adds ``build(hass, entry, device)``'s
    entities for every display (:func:`async_add_display_entities`)."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: OdooEpaperConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add the entities of every display, now and when Odoo reports a new one."""
        async_add_display_entities(
            entry, async_add_entities, lambda device: build(hass, entry, device)
        )

    return async_setup_entry
