"""Deleting a device in Home Assistant (the device page's "Delete").

Odoo is where displays are made and retired. A display Odoo still lists is refused, with
a message saying to archive it in Odoo: Home Assistant would otherwise publish its
schedule again at the next refresh, and the device would come back. A device whose
display Odoo no longer lists (or any device while the entry is not loaded) is removable;
the entry then clears every retained ``/data`` it left for displays that are gone and
forgets the sign's status, so the sign under that name shows its setup screen and never
the old room. Displays Odoo drops leave Home Assistant on their own at the next refresh
(:func:`.devices.async_sync_display_devices`); this hook is for what is left over.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN, LOGGER
from .data import OdooEpaperConfigEntry
from .devices import display_identifier, hub_identifier


def display_of(entry: OdooEpaperConfigEntry, device_entry: dr.DeviceEntry) -> str | None:
    """Return the display name (the sign's device name) of one of ``entry``'s display
    devices, None for the hub device or a device this entry does not name."""
    for domain, value in device_entry.identifiers:
        if domain != DOMAIN or (domain, value) == hub_identifier(entry):
            continue
        name = value.removeprefix(f"{entry.entry_id}_")
        if (domain, value) == display_identifier(entry, name):
            return name
    return None


async def async_remove_device(
    hass: HomeAssistant, entry: OdooEpaperConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Allow the removal of ``device_entry`` (True) or refuse it.

    Raises :class:`HomeAssistantError` (translated, shown by the frontend) for the hub
    device (delete the integration entry instead) and for a display Odoo still lists
    (archive it in Odoo). A removable display's retained ``/data`` is cleared before
    True is returned, when the broker is reachable; otherwise the next refresh does it.
    """
    if hub_identifier(entry) in device_entry.identifiers:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="remove_hub_device")
    device = display_of(entry, device_entry)
    if device is None or entry.state is not ConfigEntryState.LOADED:
        return True  # not ours to keep; a display Odoo lists comes back when the entry loads
    runtime = entry.runtime_data
    displays = runtime.coordinator.data.displays if runtime.coordinator.data else {}
    if (display := displays.get(device)) is not None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="display_still_in_odoo",
            translation_placeholders={"device": device, "room": display.room},
        )
    cleared = await runtime.publisher.async_clear_data(
        item.data_topic for item in displays.values()
    )
    tracker = runtime.tracker
    if tracker.data.pop(device, None) is not None:  # the hub's view of the sign's status
        tracker.async_set_updated_data(tracker.data)
    LOGGER.info("Display %s removed from Home Assistant; cleared %s", device, cleared or "nothing")
    return True
