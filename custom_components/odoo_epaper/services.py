"""The integration's actions: refresh, show_message and send_test_message."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Final

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
    ENTITY_MATCH_ALL,
)
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids

from .const import DOMAIN
from .data import OdooEpaperConfigEntry
from .devices import display_identifier, hub_identifier
from .display_actions import (
    async_refresh_displays,
    async_send_test_messages,
    async_show_message,
)

SERVICE_REFRESH: Final = "refresh"
SERVICE_SHOW_MESSAGE: Final = "show_message"
SERVICE_SEND_TEST_MESSAGE: Final = "send_test_message"
ATTR_TEXT: Final = "text"
ATTR_DURATION: Final = "duration"
ATTR_WAIT: Final = "wait"
DEFAULT_DURATION: Final = timedelta(minutes=30)
DEFAULT_TEST_TEXT: Final = "Test from Home Assistant"
DEFAULT_WAIT: Final = 10.0

TARGET_SCHEMA: Final = {**cv.ENTITY_SERVICE_FIELDS}
TARGET_KEYS: Final = (ATTR_ENTITY_ID, ATTR_DEVICE_ID, ATTR_AREA_ID, ATTR_FLOOR_ID, ATTR_LABEL_ID)
REFRESH_SCHEMA: Final = vol.Schema(TARGET_SCHEMA)
SHOW_MESSAGE_SCHEMA: Final = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Required(ATTR_TEXT): vol.All(cv.string, vol.Length(min=1, max=500)),
        vol.Optional(ATTR_DURATION, default=DEFAULT_DURATION): vol.All(
            cv.time_period, vol.Range(min=timedelta(seconds=1), max=timedelta(days=7))
        ),
    }
)
SEND_TEST_SCHEMA: Final = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_TEXT, default=DEFAULT_TEST_TEXT): vol.All(cv.string, vol.Length(max=500)),
        vol.Optional(ATTR_WAIT, default=DEFAULT_WAIT): vol.All(
            vol.Coerce(float), vol.Range(min=0.1, max=60)
        ),
    }
)

Targets = dict[str, tuple[OdooEpaperConfigEntry, list[str]]]


def _loaded_entries(hass: HomeAssistant) -> list[OdooEpaperConfigEntry]:
    """Return the loaded entries of this integration."""
    entries: list[OdooEpaperConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    return [entry for entry in entries if entry.state is ConfigEntryState.LOADED]


def resolve_targets(hass: HomeAssistant, call: ServiceCall) -> Targets:
    """Map a call's targets to displays per entry; no target (or ``all``) means every one."""
    entries = _loaded_entries(hass)
    if not entries:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="not_loaded")
    targeted = any(key in call.data for key in TARGET_KEYS)
    if not targeted or call.data.get(ATTR_ENTITY_ID) == ENTITY_MATCH_ALL:
        return {
            entry.entry_id: (entry, sorted(entry.runtime_data.coordinator.data.displays))
            for entry in entries
        }
    selected = async_extract_referenced_entity_ids(
        hass, TargetSelection(call.data), expand_group=False
    )
    if selected.missing_devices:
        raise _unknown(sorted(selected.missing_devices))
    device_ids = set(selected.referenced_devices)
    entity_registry = er.async_get(hass)
    for entity_id in selected.referenced | selected.indirectly_referenced:
        entity = entity_registry.async_get(entity_id)
        if entity is not None and entity.device_id and entity.platform == DOMAIN:
            device_ids.add(entity.device_id)
        elif entity_id in selected.referenced:
            raise _unknown([entity_id])
    return _displays_of_devices(hass, entries, device_ids)


def _unknown(targets: list[str]) -> ServiceValidationError:
    """Return the error for targets that are no display of this integration."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_display",
        translation_placeholders={"target": ", ".join(targets) or "-"},
    )


def _displays_of_devices(
    hass: HomeAssistant, entries: list[OdooEpaperConfigEntry], device_ids: set[str]
) -> Targets:
    """Return the displays behind registry devices; a hub device means all of its displays."""
    lookup: dict[tuple[str, str], tuple[OdooEpaperConfigEntry, str | None]] = {}
    for entry in entries:
        lookup[hub_identifier(entry)] = (entry, None)
        for device in entry.runtime_data.coordinator.data.displays:
            lookup[display_identifier(entry, device)] = (entry, device)
    found: dict[str, set[str]] = defaultdict(set)
    by_id = {entry.entry_id: entry for entry in entries}
    device_registry = dr.async_get(hass)
    unknown: list[str] = []
    for device_id in sorted(device_ids):
        registry_device = device_registry.async_get(device_id)
        matches = [
            lookup[identifier]
            for identifier in (registry_device.identifiers if registry_device else ())
            if identifier in lookup
        ]
        if not matches:
            unknown.append(
                registry_device.name if registry_device and registry_device.name else device_id
            )
            continue
        for entry, display in matches:
            displays = entry.runtime_data.coordinator.data.displays
            found[entry.entry_id].update(displays if display is None else {display})
    if unknown or not found:
        raise _unknown(unknown)
    return {entry_id: (by_id[entry_id], sorted(devices)) for entry_id, devices in found.items()}


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, in ``async_setup``)."""

    async def refresh(call: ServiceCall) -> None:
        for entry, devices in resolve_targets(hass, call).values():
            await async_refresh_displays(hass, entry, devices)

    async def show_message(call: ServiceCall) -> None:
        for entry, devices in resolve_targets(hass, call).values():
            await async_show_message(
                hass, entry, devices, call.data[ATTR_TEXT], call.data[ATTR_DURATION]
            )

    async def send_test_message(call: ServiceCall) -> ServiceResponse:
        displays: dict[str, dict[str, str | int | bool | None]] = {}
        for entry, devices in resolve_targets(hass, call).values():
            results = await async_send_test_messages(
                hass, entry, devices, call.data[ATTR_TEXT], call.data[ATTR_WAIT]
            )
            for result in results:
                displays[result.device] = {
                    "acknowledged": result.acknowledged,
                    "ok": result.ok,
                    "error": result.error,
                    "milliseconds": result.milliseconds,
                }
        return {"displays": displays}  # type: ignore[dict-item]

    hass.services.async_register(DOMAIN, SERVICE_REFRESH, refresh, schema=REFRESH_SCHEMA)
    hass.services.async_register(
        DOMAIN, SERVICE_SHOW_MESSAGE, show_message, schema=SHOW_MESSAGE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_TEST_MESSAGE,
        send_test_message,
        schema=SEND_TEST_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
