"""Door signs Odoo does not know yet, found from their retained status, and their panels.

Two ways in, one flow: the manifest's ``mqtt`` key covers the default prefix
(``odoo_epaper/+/status``, HA's MQTT discovery), and the hub's own subscriptions cover
every configured prefix (an integration discovery from the display tracker). Both start
the config flow's ``discovery_confirm`` step with a :class:`DiscoveredSign`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Final

from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntry,
    signal_discovered_config_entry_removed,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .const import DOMAIN
from .devices import async_get_entry_device, display_identifier, panel_manufacturer
from .display_state import DisplayState
from .display_status import DisplayStatus, parse_status
from .display_tracker import DisplayTracker
from .wire import split_display_topic
from .wire_values import WireError

_INCHES = re.compile(r"epd(\d+)in(\d+)", re.IGNORECASE)
COLOR_WORDS: Final = {"bw": "black/white", "bwr": "black/white/red", "bwy": "black/white/yellow"}


def panel_label(status: DisplayStatus) -> str:
    """Describe a panel as people know it, e.g. ``7.5" 800x480, black/white/red``.

    The diagonal comes from a Waveshare model name (``epd7in5b_V2``); parts the status
    does not tell are left out; "unknown panel" when it tells nothing.
    """
    parts = []
    if status.panel and (match := _INCHES.search(status.panel)):
        parts.append(f'{match[1]}.{match[2]}"')
    elif status.panel:
        parts.append(status.panel)
    if status.width and status.height:
        parts.append(f"{status.width}x{status.height}")
    label = " ".join(parts)
    if status.colors:
        words = COLOR_WORDS.get(status.colors, status.colors)
        label = f"{label}, {words}" if label else words
    return label or "unknown panel"


def hardware_label(status: DisplayStatus) -> str | None:
    """The device registry's hardware version: size and colours (None when unknown)."""
    if not (status.width and status.height):
        return None
    colors = COLOR_WORDS.get(status.colors or "", status.colors or "")
    return f"{status.width}x{status.height} {colors}".strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscoveredSign:
    """A satellite seen on the broker: its device name, prefix and panel."""

    device: str
    prefix: str
    panel: str
    panel_model: str | None = None
    hardware: str | None = None
    online: bool = True
    assigned: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the flow's discovery data (JSON types only)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DiscoveredSign:
        """Rebuild from :meth:`as_dict`; raise KeyError or TypeError for other data."""
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})

    @classmethod
    def from_status(cls, prefix: str, device: str, status: DisplayStatus) -> DiscoveredSign:
        """Describe the sign ``device`` under ``prefix`` from its status."""
        return cls(
            device=device,
            prefix=prefix,
            panel=panel_label(status),
            panel_model=status.panel,
            hardware=hardware_label(status),
            online=status.online,
            assigned=status.assigned,
        )


def sign_from_message(topic: str, payload: str | bytes | bytearray) -> DiscoveredSign | None:
    """Return the sign a ``{prefix}{device}/status`` message describes, None when none."""
    if (place := split_display_topic(topic, "status")) is None:
        return None
    prefix, device = place
    try:
        status = parse_status(bytes(payload) if isinstance(payload, bytearray) else payload)
    except WireError:
        return None
    return DiscoveredSign.from_status(prefix, device, status)


@callback
def async_update_panel(hass: HomeAssistant, entry: ConfigEntry, sign: DiscoveredSign) -> bool:
    """Write a known sign's panel into its device of ``entry`` (discovery-update-info).

    Returns True when the device changed.
    """
    registry = dr.async_get(hass)
    device = async_get_entry_device(hass, entry, display_identifier(entry, sign.device))
    if device is None:
        return False
    changes: dict[str, Any] = {}
    if sign.panel_model and device.model != sign.panel_model:
        changes["model"] = sign.panel_model
        changes["manufacturer"] = panel_manufacturer(sign.panel_model)
    if sign.hardware and device.hw_version != sign.hardware:
        changes["hw_version"] = sign.hardware
    if changes:
        registry.async_update_device(device.id, **changes)
    return bool(changes)


@callback
def async_follow_new_signs(
    hass: HomeAssistant,
    entry: ConfigEntry,
    tracker: DisplayTracker,
    known: Callable[[str], bool],
) -> CALLBACK_TYPE:
    """Start a discovery flow for each online sign ``known(device)`` denies; update known ones.

    Known displays' devices belong to ``entry``. Each unknown
    sign starts one flow per Home Assistant run (the flow manager drops duplicates, and
    ignored signs by unique id); when the user removes an ignored sign's entry, the sign
    is offered again (the flows carry a discovery key of this domain, HA's rediscovery).
    """
    started: set[str] = set()
    handled: dict[str, DisplayState] = {}

    @callback
    def states_changed() -> None:
        for device, state in tracker.data.items():
            if handled.get(device) is not state:
                handled[device] = state
                status_seen(device, state)

    @callback
    def status_seen(device: str, state: DisplayState) -> None:
        status = state.status
        if status is None:
            return
        sign = DiscoveredSign.from_status(state.prefix, device, status)
        if known(device):
            async_update_panel(hass, entry, sign)
            return
        if not status.online or device in started:
            return
        started.add(device)
        discovery_flow.async_create_flow(
            hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data=sign.as_dict(),
            discovery_key=discovery_flow.DiscoveryKey(domain=DOMAIN, key=device, version=1),
        )

    @callback
    def ignored_entry_removed(entry: ConfigEntry) -> None:
        for key in entry.discovery_keys.get(DOMAIN, ()):
            if isinstance(key.key, str) and (state := tracker.data.get(key.key)):
                started.discard(key.key)
                status_seen(key.key, state)

    unsubscribes = [
        tracker.async_add_listener(states_changed),
        async_dispatcher_connect(
            hass, signal_discovered_config_entry_removed(DOMAIN), ignored_entry_removed
        ),
    ]

    @callback
    def stop() -> None:
        for unsubscribe in unsubscribes:
            unsubscribe()

    return stop
