"""The Odoo E-Paper integration: Odoo room schedules to e-paper door signs over MQTT."""

from __future__ import annotations

from homeassistant.components import mqtt
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    EVENT_HOMEASSISTANT_STOP,
    Platform,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady

from .const import CONF_DATABASE, DOMAIN
from .coordinator import (
    OdooEpaperConfigEntry,
    OdooEpaperCoordinator,
    OdooEpaperRuntimeData,
    async_connect,
)
from .devices import async_register_hub_device
from .odoo_client import OdooClient
from .options import EpaperOptions
from .publisher import DataPublisher

PLATFORMS: list[Platform] = []


async def async_setup_entry(hass: HomeAssistant, entry: OdooEpaperConfigEntry) -> bool:
    """Connect to Odoo, publish every display once, announce the hub online."""
    if not await mqtt.async_wait_for_mqtt_client(hass):
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="mqtt_unavailable")
    client = OdooClient(
        entry.data[CONF_URL],
        entry.data[CONF_DATABASE],
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
    )
    info = await async_connect(hass, client)
    options = EpaperOptions.from_mapping(entry.options)
    publisher = DataPublisher(hass, qos=options.qos)
    coordinator = OdooEpaperCoordinator(hass, entry, client, publisher)
    async_register_hub_device(hass, entry, info)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = OdooEpaperRuntimeData(
        client=client, info=info, publisher=publisher, coordinator=coordinator
    )
    await publisher.async_publish_hub_status(options.topic_prefix, "online")
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    entry.async_on_unload(
        mqtt.async_subscribe_connection_status(hass, coordinator.async_mqtt_connection_changed)
    )

    async def _async_hub_offline(_event: Event) -> None:
        """Leave the hub's offline status behind when Home Assistant stops."""
        await publisher.async_publish_hub_status(options.topic_prefix, "offline")

    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _async_hub_offline))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: OdooEpaperConfigEntry) -> bool:
    """Unload platforms, then leave the hub's retained offline status on the broker."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        runtime = entry.runtime_data
        # The options in force while loaded: an options change reloads after storing new ones.
        prefix = runtime.coordinator.options.topic_prefix
        await runtime.publisher.async_publish_hub_status(prefix, "offline")
    return unloaded


async def _async_options_updated(hass: HomeAssistant, entry: OdooEpaperConfigEntry) -> None:
    """Reload the entry so new options take effect."""
    await hass.config_entries.async_reload(entry.entry_id)
