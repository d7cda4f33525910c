"""Sensors: room state and meetings from the schedule, render facts from the display."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .data import OdooEpaperConfigEntry
from .display_data import DisplayData
from .display_problem import ProblemReason, problem_reason
from .display_state import DisplayState
from .entity import (
    OdooEpaperContentEntity,
    OdooEpaperEntity,
    OdooEpaperMqttEntity,
    async_add_display_entities,
)
from .room_state import RoomState, RoomStatus, shown_title

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ScheduleSensorDescription(SensorEntityDescription):
    """A sensor computed from a display's schedule and the clock."""

    value_fn: Callable[[RoomStatus], StateType | datetime]
    attributes_fn: Callable[[RoomStatus], Mapping[str, Any] | None] = lambda _status: None


@dataclass(frozen=True, kw_only=True)
class DisplaySensorDescription(SensorEntityDescription):
    """A sensor computed from what a display says over MQTT."""

    value_fn: Callable[[DisplayState | None, DisplayData | None], StateType | datetime]


SCHEDULE_SENSORS: tuple[ScheduleSensorDescription, ...] = (
    ScheduleSensorDescription(
        key="room_state",
        translation_key="room_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in RoomState],
        value_fn=lambda status: status.state.value,
        attributes_fn=lambda status: {
            "until": status.until.isoformat() if status.until else None,
            "meeting": shown_title(status.current) if status.current else None,
        },
    ),
    ScheduleSensorDescription(
        key="current_meeting",
        translation_key="current_meeting",
        entity_registry_enabled_default=False,
        value_fn=lambda status: shown_title(status.current) if status.current else None,
        attributes_fn=lambda status: {
            "start": status.current.start.isoformat() if status.current else None,
            "end": status.current.end.isoformat() if status.current else None,
            "organizer": None
            if status.current is None or status.current.private
            else status.current.organizer,
        },
    ),
    ScheduleSensorDescription(
        key="next_meeting",
        translation_key="next_meeting",
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda status: status.next.start if status.next else None,
        attributes_fn=lambda status: {
            "title": shown_title(status.next) if status.next else None,
        },
    ),
)

DISPLAY_SENSORS: tuple[DisplaySensorDescription, ...] = (
    DisplaySensorDescription(
        key="last_render",
        translation_key="last_render",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda state, _data: state.shown.last_render if state and state.shown else None,
    ),
    DisplaySensorDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda state, _data: state.last_seen if state else None,
    ),
    DisplaySensorDescription(
        key="panel",
        translation_key="panel",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda state, data: (
            (state.shown.panel if state and state.shown else None)
            or (data.display.panel_model if data else None)
        ),
    ),
    DisplaySensorDescription(
        key="version",
        translation_key="version",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda state, _data: state.shown.version if state and state.shown else None,
    ),
)

CONTENT = SensorEntityDescription(
    key="content",
    translation_key="content",
    device_class=SensorDeviceClass.ENUM,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    options=["up_to_date", "behind", "cleared"],
)

PROBLEM_REASON = SensorEntityDescription(
    key="problem_reason",
    translation_key="problem_reason",
    device_class=SensorDeviceClass.ENUM,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    options=[reason.value for reason in ProblemReason],
)

DISPLAYS_ONLINE = SensorEntityDescription(
    key="displays_online",
    translation_key="displays_online",
    state_class=SensorStateClass.MEASUREMENT,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OdooEpaperConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's online count and every display's sensors."""
    async_add_entities([DisplaysOnlineSensor(entry, DISPLAYS_ONLINE)])

    def build(device: str) -> list[SensorEntity]:
        entities: list[SensorEntity] = [
            ScheduleSensor(entry, description, device) for description in SCHEDULE_SENSORS
        ]
        entities.extend(
            DisplaySensor(entry, description, device) for description in DISPLAY_SENSORS
        )
        entities.append(ContentSensor(entry, CONTENT, device))
        entities.append(ProblemReasonSensor(entry, PROBLEM_REASON, device))
        return entities

    async_add_display_entities(entry, async_add_entities, build)


class ScheduleSensor(OdooEpaperEntity, SensorEntity):
    """A sensor that follows the schedule and changes on time at event boundaries."""

    entity_description: ScheduleSensorDescription
    _status: RoomStatus | None = None
    _unsub_timer: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Compute the state now and at every boundary."""
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_timer)
        self._update_status()

    @callback
    def _cancel_timer(self) -> None:
        """Stop waiting for the next boundary."""
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    @callback
    def _update_status(self, now: datetime | None = None) -> None:
        """Take the room's status at ``now`` (computed once per display for all its
        entities: DisplayData.room_status_at) and wait for its next change."""
        self._cancel_timer()
        data = self.display_data
        if data is None:
            self._status = None
            return
        now = now or dt_util.utcnow()
        self._status, until = data.room_status_at(now, data.zone(dt_util.get_default_time_zone()))
        self._unsub_timer = async_track_point_in_utc_time(self.hass, self._handle_boundary, until)

    @callback
    def _handle_boundary(self, now: datetime) -> None:
        """A meeting starts, ends or is about to start: recompute (and write what changed)."""
        self._unsub_timer = None
        self._update_status(now)
        self._async_update_state()

    @callback
    def _async_coordinator_changed(self) -> None:
        """Recompute from the new schedule."""
        self._update_status()
        super()._async_coordinator_changed()

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value for the current status."""
        if self._status is None:
            return RoomState.UNKNOWN.value if self.entity_description.key == "room_state" else None
        return self.entity_description.value_fn(self._status)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the details of the current status."""
        if self._status is None:
            return None
        return self.entity_description.attributes_fn(self._status)


class DisplaySensor(OdooEpaperMqttEntity, SensorEntity):
    """A fact from the display's last status."""

    entity_description: DisplaySensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value from the display's last status."""
        return self.entity_description.value_fn(self.display_state, self.display_data)


class ContentSensor(OdooEpaperContentEntity, SensorEntity):
    """Whether the door shows the content the hub last published (by content_hash)."""

    @property
    def native_value(self) -> str | None:
        """Return up_to_date or behind; cleared for a door blanked with the ``clear``
        command that reports no content since; unknown before a publish and a status."""
        if self.freshness.cleared:
            return "cleared"
        up_to_date = self.freshness.up_to_date
        if up_to_date is None:
            return None
        return "up_to_date" if up_to_date else "behind"

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Return both hashes and since when an online door lags behind."""
        fresh = self.freshness
        return {
            "published_hash": fresh.published_hash,
            "shown_hash": fresh.shown_hash,
            "behind_since": fresh.behind_since.isoformat() if fresh.behind_since else None,
        }


class ProblemReasonSensor(OdooEpaperContentEntity, SensorEntity):
    """The Problem binary sensor's reason as a state (:func:`problem_reason`)."""

    @property
    def native_value(self) -> str | None:
        """Return ``none`` or the reason; unknown until the hub got the retained statuses."""
        reason = problem_reason(
            self.display_state, self.listening, self.freshness, dt_util.utcnow()
        )
        return None if reason is None else reason.value


class DisplaysOnlineSensor(OdooEpaperMqttEntity, SensorEntity):
    """How many of the entry's displays say they are online (state, a number to automate
    on: "fewer than N online"), out of how many Odoo has (attribute ``total``)."""

    @property
    def native_value(self) -> int:
        """Return the number of displays online."""
        displays = self.coordinator.data.displays if self.coordinator.data else {}
        return self.entry.runtime_data.tracker.online_count(displays)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Return ``total``: the displays Odoo has (the M of "N of M")."""
        return {"total": len(self.coordinator.data.displays) if self.coordinator.data else 0}
