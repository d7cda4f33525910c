"""The Odoo E-Paper integration: Odoo room schedules to e-paper door signs over MQTT."""

from __future__ import annotations

import asyncio
from typing import Any, Final

from awesomeversion import AwesomeVersion
from homeassistant.components import mqtt
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    EVENT_HOMEASSISTANT_STOP,
    Platform,
)
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import CONF_DATABASE, DOMAIN, LOGGER
from .coordinator import OdooEpaperCoordinator, async_connect
from .data import OdooEpaperConfigEntry, OdooEpaperRuntimeData
from .device_removal import async_remove_device
from .devices import async_register_hub_device
from .discovery import async_follow_new_signs
from .display_state import DisplayState
from .display_tracker import DisplayTracker
from .door_requests import DoorRequests
from .entity_budget import async_watch_entity_budget
from .key_expiry import async_watch_key_expiry
from .odoo_client import OdooClient, OdooError
from .options import EpaperOptions
from .publisher import DataPublisher
from .services import async_setup_services
from .status_mirror import StatusMirror

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.IMAGE,
    Platform.SENSOR,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# Home Assistant's MQTT client waits 0.1 s before it sends queued unsubscribes.
UNSUBSCRIBE_SETTLE: Final = 0.25  # seconds
RESUBSCRIBE_FIXED_IN: Final = AwesomeVersion("2026.10.0")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OdooEpaperConfigEntry) -> bool:
    """Connect to Odoo, publish every display once, follow the displays, announce the hub."""
    if not await mqtt.async_wait_for_mqtt_client(hass):
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="mqtt_unavailable")
    client = OdooClient(
        entry.data[CONF_URL],
        entry.data[CONF_DATABASE],
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
    )
    info = await async_connect(hass, client)
    async_watch_key_expiry(hass, entry, info)
    options = EpaperOptions.from_mapping(entry.options)
    publisher = DataPublisher(hass, qos=options.qos, entry_id=entry.entry_id)
    await publisher.async_load()
    coordinator = OdooEpaperCoordinator(hass, entry, client, publisher)
    async_register_hub_device(hass, entry, info)
    await coordinator.async_config_entry_first_refresh()
    tracker = DisplayTracker(hass, entry, on_changed=coordinator.async_displays_changed)
    entry.async_on_unload(tracker.async_stop)
    entry.runtime_data = OdooEpaperRuntimeData(
        client=client,
        info=info,
        publisher=publisher,
        coordinator=coordinator,
        tracker=tracker,
        mirror=await _async_status_mirror(hass, entry, coordinator, options),
    )
    await _async_settle_unsubscribes()
    # QoS 1: Home Assistant awaits the broker's PUBACK, which comes after the UNSUBACK of
    # any unsubscribe sent before it (one client's packets are answered in order).
    await publisher.async_publish_hub_status(options.topic_prefix, "online")
    await _async_follow_displays(hass, entry)
    entry.async_on_unload(
        mqtt.async_subscribe_connection_status(hass, coordinator.async_mqtt_connection_changed)
    )

    async def _async_hub_offline(_event: Event) -> None:
        """Leave the hub's offline status behind when Home Assistant stops."""
        await publisher.async_publish_hub_status(options.topic_prefix, "offline")

    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _async_hub_offline))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(async_watch_entity_budget(hass, entry, coordinator))
    return True


async def _async_settle_unsubscribes() -> None:
    """On Home Assistant before 2026.10, let the unsubscribes of a just-unloaded entry go
    out before this entry subscribes to the same topics.

    Those releases forget a wildcard topic's subscription id when its UNSUBSCRIBE is
    answered, even when the topic was subscribed again meanwhile; the queued subscribe
    then fails (``KeyError`` in ``_async_perform_subscriptions``) and the entry receives
    nothing on that topic. A reload (options change) unsubscribes and resubscribes the
    same topics within milliseconds. Fixed in 2026.10; drop this with a floor >= 2026.10.
    """
    if AwesomeVersion(HA_VERSION) < RESUBSCRIBE_FIXED_IN:
        await asyncio.sleep(UNSUBSCRIBE_SETTLE)


async def _async_status_mirror(
    hass: HomeAssistant,
    entry: OdooEpaperConfigEntry,
    coordinator: OdooEpaperCoordinator,
    options: EpaperOptions,
) -> StatusMirror | None:
    """Return the status mirror when it is wanted and Odoo lets the user write displays."""
    client = coordinator.client
    if not options.status_mirror or not client.info.has_addon:
        return None
    try:
        writable = await hass.async_add_executor_job(client.can_write_displays)
    except OdooError as err:
        LOGGER.warning("Not mirroring display status to Odoo: %s", err)
        return None
    if not writable:
        LOGGER.info("Not mirroring display status: %s may not write displays", client.username)
        return None

    async def send(reports: list[dict[str, Any]]) -> None:
        await hass.async_add_executor_job(client.report_status, reports)

    mirror = StatusMirror(hass, send, odoo_up=lambda: coordinator.last_update_success)
    entry.async_on_unload(mirror.async_stop)
    return mirror


async def _async_follow_displays(hass: HomeAssistant, entry: OdooEpaperConfigEntry) -> None:
    """Subscribe under every display's prefix and keep following Odoo's list."""
    runtime = entry.runtime_data
    coordinator, tracker, mirror = runtime.coordinator, runtime.tracker, runtime.mirror
    door_requests = DoorRequests(hass, entry)
    entry.async_on_unload(door_requests.async_stop)

    def wanted_prefixes() -> set[str]:
        prefixes = {coordinator.options.topic_prefix}
        if coordinator.data is not None:
            prefixes.update(item.topic_prefix for item in coordinator.data.displays.values())
        return prefixes

    @callback
    def displays_updated() -> None:
        if (prefixes := wanted_prefixes()) != tracker.prefixes:
            entry.async_create_background_task(
                hass, tracker.async_set_prefixes(prefixes), "odoo_epaper subscriptions"
            )
            entry.async_create_background_task(
                hass, door_requests.async_set_prefixes(prefixes), "odoo_epaper door requests"
            )

    if mirror is not None:
        mirrored: dict[str, DisplayState] = {}

        @callback
        def mirror_status() -> None:
            known = coordinator.data.displays if coordinator.data is not None else {}
            for device, state in tracker.data.items():
                if mirrored.get(device) is not state and device in known:
                    mirrored[device] = state
                    mirror.async_track(device, state)

        entry.async_on_unload(tracker.async_add_listener(mirror_status))

    def known(device: str) -> bool:
        return coordinator.data is None or device in coordinator.data.displays

    entry.async_on_unload(async_follow_new_signs(hass, entry, tracker, known))
    entry.async_on_unload(tracker.async_follow_connection())
    entry.async_on_unload(coordinator.async_add_listener(displays_updated))
    await tracker.async_set_prefixes(wanted_prefixes())
    await door_requests.async_set_prefixes(wanted_prefixes())


async def async_unload_entry(hass: HomeAssistant, entry: OdooEpaperConfigEntry) -> bool:
    """Unload platforms, then leave the hub's retained offline status on the broker."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        runtime = entry.runtime_data
        # The options in force while loaded: an options change reloads after storing new ones.
        prefix = runtime.coordinator.options.topic_prefix
        await runtime.publisher.async_publish_hub_status(prefix, "offline")
        await runtime.publisher.async_flush()
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: OdooEpaperConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Let the user delete a display Odoo no longer lists; refuse the others, saying why
    (:func:`.device_removal.async_remove_device`)."""
    return await async_remove_device(hass, entry, device_entry)
