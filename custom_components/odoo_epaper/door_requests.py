"""Requests from the door (``{prefix}{device}/action``, DESIGN.md 3a), performed in Odoo.

A valid request of a known display, allowed by the options, goes to the addon's
``epaper_door_action`` as the hub's Odoo user. When Odoo accepted it the hub reads
Odoo again and republishes the display's ``/data``, then answers on ``/ack`` with the
request's ``id`` (``error``: a refusal code, see ``epaper_booking.rules`` and
:data:`HUB_REFUSALS`). Every performed or refused request fires the
``odoo_epaper_door_action`` event (device triggers listen to it).

A repeated request (same ``id`` from the same door: a QoS 1 redelivery or the door's own
resend) gets the first answer again and is not performed again; a door asking faster
than its bucket allows is refused with ``throttled`` (:mod:`.door_memory`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant, callback

from .const import EVENT_DOOR_ACTION, LOGGER
from .devices import async_get_entry_device, display_identifier
from .door_memory import BURST, MAX_DOORS, THROTTLED, DoorMemory
from .odoo_client import OdooError
from .wire import (
    ActionError,
    DoorAction,
    ack_payload,
    ack_topic,
    encode,
    every_display_topic,
    parse_action,
    topic_device,
)

if TYPE_CHECKING:
    from .data import OdooEpaperConfigEntry

# Refusals decided by the hub itself (the addon's codes come from its rules).
NOT_ALLOWED = "not_allowed"
TOO_LONG = "too_long"
UNKNOWN_DEVICE = "unknown_device"
ODOO_UNAVAILABLE = "odoo_unavailable"
INVALID_REQUEST = "invalid_request"
HUB_REFUSALS = (
    NOT_ALLOWED,
    TOO_LONG,
    UNKNOWN_DEVICE,
    ODOO_UNAVAILABLE,
    INVALID_REQUEST,
    THROTTLED,
)


class DoorRequests:
    """Follows ``{prefix}+/action`` under every prefix in use and answers each request."""

    def __init__(self, hass: HomeAssistant, entry: OdooEpaperConfigEntry) -> None:
        """Nothing is subscribed before :meth:`async_set_prefixes`."""
        self.hass = hass
        self.entry = entry
        self._unsubscribes: dict[str, Callable[[], None]] = {}
        self.memory = DoorMemory()
        self._throttled: set[tuple[str, str]] = set()  # doors whose throttling was logged

    async def async_set_prefixes(self, prefixes: Iterable[str]) -> None:
        """Subscribe under new prefixes and leave those no display uses any more."""
        wanted = set(prefixes)
        for prefix in set(self._unsubscribes) - wanted:
            self._unsubscribes.pop(prefix)()
        for prefix in sorted(wanted - set(self._unsubscribes)):
            self._unsubscribes[prefix] = await mqtt.async_subscribe(
                self.hass,
                every_display_topic(prefix, "action"),
                self._handler(prefix),
                1,
                encoding=None,
            )

    @callback
    def async_stop(self) -> None:
        """Drop every subscription."""
        for unsubscribe in self._unsubscribes.values():
            unsubscribe()
        self._unsubscribes.clear()

    def _handler(self, prefix: str) -> Callable[[mqtt.ReceiveMessage], None]:
        @callback
        def handle(message: mqtt.ReceiveMessage) -> None:
            device = topic_device(prefix, message.topic)
            payload = message.payload
            raw = payload if isinstance(payload, bytes) else str(payload).encode()
            self.entry.async_create_background_task(
                self.hass, self.async_handle(prefix, device, raw), f"odoo_epaper action {device}"
            )

        return handle

    async def async_handle(self, prefix: str, device: str, raw: bytes) -> None:
        """Validate, perform and answer one request of ``device`` seen under ``prefix``.

        An ``id`` the door used before is answered as the first time, whatever came with
        it; past the door's bucket the answer is ``throttled``; a request without a
        readable ``id`` gets no answer.
        """
        door = (prefix, device)
        if self._odoo_answers(prefix, device):
            return
        try:
            request = parse_action(raw)
        except ActionError as err:
            await self._async_refuse_invalid(door, err)
            return
        if await self._async_answer_repeat(door, request.id):
            return
        if not self._admit(door):
            await self._async_answer(prefix, device, request.id, THROTTLED)
            return
        outcome = self.memory.remember(door, request.id)
        error: str | None = ODOO_UNAVAILABLE
        try:
            error = self._refusal(prefix, device, request)
            if error is None:
                error = await self._async_perform(device, request)
            if error is None:
                await self.entry.runtime_data.coordinator.async_refresh()
        finally:
            outcome.set_result(error)
        await self._async_answer(prefix, device, request.id, error)
        self._fire(device, request, error)

    def _odoo_answers(self, prefix: str, device: str) -> bool:
        """Whether the addon answers this door itself (its broker's publisher is Odoo)."""
        data = self.entry.runtime_data.coordinator.data
        display = data.displays.get(device) if data is not None else None
        return (
            display is not None
            and display.topic_prefix == prefix
            and display.display.published_by_odoo
        )

    async def _async_refuse_invalid(self, door: tuple[str, str], err: ActionError) -> None:
        """Answer a request the contract refuses (``invalid_request``), if it has an id."""
        prefix, device = door
        if err.ack_id is not None and await self._async_answer_repeat(door, err.ack_id):
            return
        if not self._admit(door):
            if err.ack_id is not None:
                await self._async_answer(prefix, device, err.ack_id, THROTTLED)
            return
        LOGGER.warning("Refused /action of %s (%s): %s", device, err.reason, err)
        if err.ack_id is not None:
            self.memory.remember(door, err.ack_id).set_result(INVALID_REQUEST)
            await self._async_answer(prefix, device, err.ack_id, INVALID_REQUEST)

    async def _async_answer_repeat(self, door: tuple[str, str], request_id: str) -> bool:
        """Answer ``request_id`` again as the first time if the door used it; False if new."""
        first = self.memory.recall(door, request_id)
        if first is None:
            return False
        prefix, device = door
        LOGGER.info("Door %s sent request %s again: answered as before", device, request_id)
        await self._async_answer(prefix, device, request_id, await asyncio.shield(first))
        return True

    def _admit(self, door: tuple[str, str]) -> bool:
        """Take a token of ``door``'s bucket; log once per flood when there is none."""
        if self.memory.admit(door):
            self._throttled.discard(door)
            return True
        if door not in self._throttled:
            if len(self._throttled) >= MAX_DOORS:  # bounded, as the memory is
                self._throttled.clear()
            self._throttled.add(door)
            LOGGER.warning(
                "Door %s%s sends more than %s requests at once: refused (%s) until it slows",
                *door,
                BURST,
                THROTTLED,
            )
        return False

    def _refusal(self, prefix: str, device: str, request: DoorAction) -> str | None:
        """Return the hub's own refusal code (options, unknown display), or None."""
        coordinator = self.entry.runtime_data.coordinator
        data = coordinator.data
        display = data.displays.get(device) if data is not None else None
        if display is None or display.topic_prefix != prefix:
            return UNKNOWN_DEVICE
        options = coordinator.options
        if request.action not in options.door_actions:
            return NOT_ALLOWED
        if (request.minutes or 0) > options.max_booking_minutes:
            return TOO_LONG
        return None

    async def _async_perform(self, device: str, request: DoorAction) -> str | None:
        """Ask Odoo; return its refusal code, or None when it did it."""
        runtime = self.entry.runtime_data
        try:
            answer: Any = await self.hass.async_add_executor_job(
                runtime.client.door_action,
                device,
                request.action,
                request.minutes,
                runtime.coordinator.options.max_booking_minutes,
            )
        except OdooError as err:
            LOGGER.warning("Door action %s of %s failed in Odoo: %s", request.action, device, err)
            return ODOO_UNAVAILABLE
        if isinstance(answer, dict) and answer.get("ok") is True:
            LOGGER.info("Door %s: %s done (%s)", device, request.action, answer.get("ref"))
            return None
        code = answer.get("error") if isinstance(answer, dict) else None
        LOGGER.info("Door %s: %s refused by Odoo (%s)", device, request.action, code)
        return str(code) if code else ODOO_UNAVAILABLE

    async def _async_answer(
        self, prefix: str, device: str, action_id: str, error: str | None
    ) -> None:
        await mqtt.async_publish(
            self.hass,
            ack_topic(prefix, device),
            encode(ack_payload(action_id, ok=error is None, error=error)),
            1,
            False,
        )

    def _fire(self, device: str, request: DoorAction, error: str | None) -> None:
        identifier = display_identifier(self.entry, device)
        entry = async_get_entry_device(self.hass, self.entry, identifier)
        self.hass.bus.async_fire(
            EVENT_DOOR_ACTION,
            {
                "device_id": entry.id if entry is not None else None,
                "device": device,
                "action": request.action,
                "minutes": request.minutes,
                "ok": error is None,
                "error": error,
            },
        )
