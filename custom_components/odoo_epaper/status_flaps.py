"""Damping of displays whose status flaps between online and offline."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .const import LOGGER
from .display_status import DisplayStatus

FLAP_WINDOW: Final = 60.0
FLAP_CHANGES: Final = 2
FLAP_HOLD: Final = 30.0


class FlapDamper:
    """Hold back the offline status of a display that changed state often just now.

    A display that went offline and online again within ``FLAP_WINDOW`` seconds
    counts as flapping: its next offline status is shown only if no online status
    follows within ``FLAP_HOLD`` seconds. A single offline, and every online, is
    shown at once.
    """

    def __init__(self, hass: HomeAssistant, release: Callable[[str, DisplayStatus], None]) -> None:
        """Call ``release(device, status)`` when a held offline status is due."""
        self.hass = hass
        self._release = release
        self._changes: dict[str, deque[float]] = {}
        self._held: dict[str, tuple[DisplayStatus, CALLBACK_TYPE]] = {}
        self._flapping: set[str] = set()

    @callback
    def hold(self, device: str, shown_online: bool | None, status: DisplayStatus) -> bool:
        """Return True when ``status`` is held back; else note the change it makes."""
        held = self._held.get(device)
        if held is not None:
            if not status.online:
                self._held[device] = (status, held[1])
                return True
            held[1]()
            del self._held[device]
            LOGGER.debug("Display %s came back within %.0f s: offline not shown", device, FLAP_HOLD)
            return False
        if shown_online is None or shown_online == status.online:
            return False
        if not status.online and self._is_flapping(device):
            cancel = async_call_later(
                self.hass,
                FLAP_HOLD,
                HassJob(
                    partial(self._due, device), "odoo_epaper flap hold", cancel_on_shutdown=True
                ),
            )
            self._held[device] = (status, cancel)
            return True
        self._changes.setdefault(device, deque()).append(time.monotonic())
        return False

    def _is_flapping(self, device: str) -> bool:
        """Return whether the display changed state ``FLAP_CHANGES`` times within the window."""
        changes = self._changes.get(device, deque())
        while changes and changes[0] < time.monotonic() - FLAP_WINDOW:
            changes.popleft()
        flapping = len(changes) >= FLAP_CHANGES
        if flapping and device not in self._flapping:
            LOGGER.info(
                "Display %s is flapping (%d online/offline changes in %.0f s); "
                "an offline status is shown only when it lasts %.0f s",
                device,
                len(changes),
                FLAP_WINDOW,
                FLAP_HOLD,
            )
            self._flapping.add(device)
        elif not flapping:
            self._flapping.discard(device)
        return flapping

    @callback
    def _due(self, device: str, _now: object) -> None:
        """Show the held offline status: it lasted."""
        held = self._held.pop(device, None)
        if held is not None:
            self._changes.setdefault(device, deque()).append(time.monotonic())
            self._release(device, held[0])

    @callback
    def async_stop(self) -> None:
        """Drop every held status."""
        for _status, cancel in self._held.values():
            cancel()
        self._held.clear()
