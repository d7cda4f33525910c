"""The device registry layout: one hub device per entry, one device per display."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .const import DOMAIN
from .display_data import DisplayData
from .odoo_client import ServerInfo


def hub_identifier(entry: ConfigEntry) -> tuple[str, str]:
    """Identify the hub device of an entry."""
    return (DOMAIN, entry.entry_id)


def display_identifier(entry: ConfigEntry, device: str) -> tuple[str, str]:
    """Identify the device of a display (unique per entry and device name)."""
    return (DOMAIN, f"{entry.entry_id}_{device}")


def hub_device_info(entry: ConfigEntry, info: ServerInfo) -> DeviceInfo:
    """Describe the hub: the Odoo connection."""
    return DeviceInfo(
        identifiers={hub_identifier(entry)},
        name=entry.title,
        manufacturer="Odoo",
        model=f"Odoo {info.version}",
        sw_version=info.version,
        configuration_url=info.server,
        entry_type=DeviceEntryType.SERVICE,
    )


def panel_manufacturer(model: str | None) -> str | None:
    """Return who makes a panel model: "Waveshare" for ``epd...`` models, else None.

    ``model`` is the satellite's ``panel`` (a Waveshare module such as ``epd7in5_V2``, or
    ``png`` for the image-file driver, which nobody manufactures).
    """
    return "Waveshare" if model and model.lower().startswith("epd") else None


def display_device_info(entry: ConfigEntry, display: DisplayData) -> DeviceInfo:
    """Describe a display, named after its room (the link to the hub is set by the sync).

    The panel (model, manufacturer) is given only when Odoo names it: otherwise what the
    sign's own status said (:func:`.discovery.async_update_panel`) stays on the device
    (a None here would erase it whenever the displays are synced again).
    """
    info = DeviceInfo(
        identifiers={display_identifier(entry, display.device)},
        name=display.room,
        serial_number=display.device,
    )
    if panel_model := display.display.panel_model:
        info["model"] = panel_model
        info["manufacturer"] = panel_manufacturer(panel_model)
    return info


@callback
def async_get_entry_device(
    hass: HomeAssistant, entry: ConfigEntry, identifier: tuple[str, str]
) -> dr.DeviceEntry | None:
    """Return the device of ``entry`` with ``identifier``, or None.

    Identifiers are unique per config entry since Home Assistant 2026.8, which added
    ``async_get_device_by_identifier`` and deprecated ``async_get_device``. The older
    releases of the support window (2026.6, 2026.7) lack the new call; there the entry's
    own devices are searched. Drop the fallback when the floor reaches 2026.8
    (docs/platforms.md).
    """
    registry = dr.async_get(hass)
    by_identifier = getattr(registry, "async_get_device_by_identifier", None)
    if by_identifier is not None:
        device: dr.DeviceEntry | None = by_identifier(identifier, entry.entry_id)
        return device
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if identifier in device.identifiers:
            return device
    return None


@callback
def async_register_hub_device(hass: HomeAssistant, entry: ConfigEntry, info: ServerInfo) -> None:
    """Create or update the hub device."""
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **hub_device_info(entry, info)
    )


@callback
def async_sync_display_devices(
    hass: HomeAssistant, entry: ConfigEntry, displays: Iterable[DisplayData]
) -> None:
    """Create a device per display, linked to the hub (``via_device_id``); detach devices of
    displays Odoo no longer has."""
    registry = dr.async_get(hass)
    hub = async_get_entry_device(hass, entry, hub_identifier(entry))
    current = set()
    for display in displays:
        device = registry.async_get_or_create(
            config_entry_id=entry.entry_id, **display_device_info(entry, display)
        )
        if hub is not None and device.via_device_id != hub.id:
            device = registry.async_update_device(device.id, via_device_id=hub.id) or device
        current.add(device.id)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if device.id not in current and (hub is None or device.id != hub.id):
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)


class DisplayDevices:
    """Keep the device registry in step with the displays, touching it only when they change."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Nothing is synced yet: the first :meth:`async_sync` syncs every display."""
        self.hass = hass
        self.entry = entry
        self._synced: frozenset[tuple[str, str, str | None]] | None = None

    @callback
    def async_sync(self, displays: Iterable[DisplayData]) -> None:
        """Sync the registry when the displays' names, rooms or panels changed since last time."""
        displays = list(displays)
        shown = frozenset(
            (display.device, display.room, display.display.panel_model) for display in displays
        )
        if shown != self._synced:
            async_sync_display_devices(self.hass, self.entry, displays)
            self._synced = shown
