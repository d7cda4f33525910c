"""Diagnostics of a config entry and of one display, secrets redacted."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .data import OdooEpaperConfigEntry
from .devices import display_identifier
from .display_data import DisplayData
from .display_state import DisplayState

TO_REDACT: Final = {
    CONF_URL,
    CONF_USERNAME,
    CONF_PASSWORD,
    "server",
    "title",
    "unique_id",
    "token",
    "access_token",
    "api_key",
    "qr",
}


def _display(data: DisplayData | None, state: DisplayState | None) -> dict[str, Any]:
    """Return what the hub knows of one display."""
    return {
        "odoo": None
        if data is None
        else {
            "display": dataclasses.asdict(data.display),
            "topic_prefix": data.topic_prefix,
            "content_hash": data.content_hash,
            "payload": data.payload,
        },
        "mqtt": None
        if state is None
        else {
            "prefix": state.prefix,
            "status": dataclasses.asdict(state.status) if state.status else None,
            "status_at": state.status_at,
            "last_seen": state.last_seen,
            "snapshot": None
            if state.snapshot is None
            else {
                "bytes": len(state.snapshot.png),
                "width": state.snapshot.width,
                "height": state.snapshot.height,
                "received": state.snapshot_at,
            },
        },
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OdooEpaperConfigEntry
) -> dict[str, Any]:
    """Return the entry, the Odoo server facts and every display."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    displays = coordinator.data.displays if coordinator.data else {}
    tracker = runtime.tracker
    devices = sorted(set(displays) | set(tracker.displays))
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "odoo": {
                "server": runtime.info.server,
                "database": runtime.info.database,
                "uid": runtime.info.uid,
                "version": runtime.info.version,
                "user_tz": runtime.info.user_tz,
                "models": sorted(runtime.info.models),
                "transport": runtime.info.transport,
                "key_expiry": (
                    runtime.info.key_expiry.isoformat() if runtime.info.key_expiry else None
                ),
            },
            "last_update_success": coordinator.last_update_success,
            "subscribed_prefixes": sorted(tracker.prefixes),
            "status_mirror_pending": runtime.mirror.pending if runtime.mirror else None,
            "displays": {
                device: _display(displays.get(device), tracker.displays.get(device))
                for device in devices
            },
        },
        TO_REDACT,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: OdooEpaperConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return what the hub knows of the display behind ``device``."""
    runtime = entry.runtime_data
    displays = runtime.coordinator.data.displays if runtime.coordinator.data else {}
    for name in set(displays) | set(runtime.tracker.displays):
        if display_identifier(entry, name) in device.identifiers:
            return async_redact_data(
                {
                    "device": name,
                    **_display(displays.get(name), runtime.tracker.displays.get(name)),
                },
                TO_REDACT,
            )
    return {"device": None}
