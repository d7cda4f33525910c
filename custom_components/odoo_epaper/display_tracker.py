"""What the displays say over MQTT: their status, snapshot and test acknowledgements.

The tracker is a push-driven DataUpdateCoordinator (it never polls): each message
replaces the display's :class:`DisplayState` and calls ``async_set_updated_data``, so
entities and the status mirror listen to one source.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Final, TypeVar

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .change_notice import parse_changed
from .const import LOGGER, ODOO_DEVICE
from .display_state import DisplayState
from .display_status import (
    DisplayStatus,
    Snapshot,
    decode_png,
    parse_ack,
    parse_command,
    parse_status,
    read_snapshot_header,
    snapshot_bound,
)
from .status_flaps import FlapDamper
from .two_publishers import async_check_publishers, odoo_publisher
from .wire import changed_topic, every_display_topic, test_topic, topic_device
from .wire_values import WireError, is_device_name

TEST_QOS: Final = 1
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class TestResult:
    """The outcome of one test message."""

    device: str
    id: str
    acknowledged: bool
    ok: bool | None = None
    error: str | None = None
    milliseconds: int | None = None


@dataclass(slots=True)
class _Subscription:
    """The unsubscribe callables of one topic prefix."""

    unsubscribes: list[CALLBACK_TYPE] = field(default_factory=list)


class DisplayTracker(DataUpdateCoordinator[dict[str, DisplayState]]):
    """Subscribe to every display's status, snapshot and ack under the topic prefixes.

    ``data`` maps device names to their last :class:`DisplayState`; a listener tells
    which displays changed by identity (a changed display gets a new object).
    """

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ConfigEntry | None,
        *,
        on_changed: Callable[[list[str]], None] | None = None,
    ) -> None:
        """Keep no subscription until :meth:`async_set_prefixes`; never poll."""
        super().__init__(hass, LOGGER, config_entry=config_entry, name="Odoo E-Paper displays")
        self.data = {}
        self._on_changed = on_changed
        self._subscriptions: dict[str, _Subscription] = {}
        self._waiters: dict[str, tuple[asyncio.Future[TestResult], float]] = {}
        self._warned: set[tuple[str, str]] = set()
        self._flaps = FlapDamper(hass, self._show_status)
        # Per display: the number of the latest snapshot received, and of the one shown;
        # the displays whose snapshot is being decoded, and the newest one waiting for it
        # (one decode per display at a time, however fast a door sends).
        self._snapshots_received: dict[str, int] = {}
        self._snapshots_shown: dict[str, int] = {}
        self._decoding: set[str] = set()
        self._waiting: dict[str, tuple[str, Snapshot, int]] = {}
        # The prefixes whose ``+/status`` subscription the broker confirmed: a display
        # under one of them without a status has never reported (not merely not yet read).
        self._listening: set[str] = set()
        self.odoo_publishers: dict[str, str] = {}  # prefix -> what ``_odoo/status`` says

    @callback
    def async_check_publishers(self) -> None:
        """Raise or clear the "two publishers" repair issue for the entry's displays."""
        entry = self.config_entry
        runtime = getattr(entry, "runtime_data", None) if entry is not None else None
        data = runtime.coordinator.data if runtime is not None else None
        if entry is not None and data is not None:
            async_check_publishers(self.hass, entry, data.displays, self.odoo_publishers)

    @property
    def displays(self) -> dict[str, DisplayState]:
        """Return every display heard of, by device name."""
        return self.data

    async def _async_update_data(self) -> dict[str, DisplayState]:
        """Nothing to fetch: the displays push their news."""
        return self.data

    @property
    def prefixes(self) -> set[str]:
        """Return the topic prefixes subscribed to now."""
        return set(self._subscriptions)

    def listening(self, prefix: str) -> bool:
        """Return whether the broker confirmed the status subscription under ``prefix``
        (its retained statuses have been sent to the hub)."""
        return prefix in self._listening

    def online_count(self, devices: Iterable[str]) -> int:
        """Return how many of ``devices`` say they are online."""
        return sum(1 for device in devices if (state := self.displays.get(device)) and state.online)

    async def async_set_prefixes(self, prefixes: Iterable[str]) -> None:
        """Subscribe under new prefixes and leave those no display uses any more."""
        wanted = set(prefixes)
        for prefix in set(self._subscriptions) - wanted:
            for unsubscribe in self._subscriptions.pop(prefix).unsubscribes:
                unsubscribe()
            self._listening.discard(prefix)
        for prefix in sorted(wanted - set(self._subscriptions)):
            subscription = self._subscriptions[prefix] = _Subscription()
            for topic, handler, qos in (
                (every_display_topic(prefix, "status"), self._handle_status, 1),
                (every_display_topic(prefix, "snapshot"), self._handle_snapshot, 0),
                (every_display_topic(prefix, "ack"), self._handle_ack, 1),
                (every_display_topic(prefix, "cmd"), self._handle_cmd, 1),
                (changed_topic(prefix), self._handle_changed, 1),
            ):
                subscription.unsubscribes.append(
                    await mqtt.async_subscribe(self.hass, topic, handler, qos, encoding=None)
                )
            status_topic = every_display_topic(prefix, "status")
            subscription.unsubscribes.append(
                mqtt.async_on_subscribe_done(
                    self.hass, status_topic, 1, partial(self._subscribed, prefix)
                )
            )
            LOGGER.debug("Following displays under %s", prefix)

    @callback
    def _subscribed(self, prefix: str) -> None:
        """The broker confirmed the status subscription: tell the entities, whose displays
        without a status now count as never connected."""
        if prefix in self._subscriptions and prefix not in self._listening:
            self._listening.add(prefix)
            self.async_update_listeners()

    @callback
    def async_follow_connection(self) -> CALLBACK_TYPE:
        """Log once when the broker connection drops and once when it is back."""
        connected = mqtt.is_connected(self.hass)

        @callback
        def on_change(now_connected: bool) -> None:
            nonlocal connected
            if now_connected == connected:
                return
            connected = now_connected
            if connected:
                LOGGER.info("The MQTT broker is reachable again; displays are available")
            else:
                LOGGER.warning("Lost the MQTT broker; display entities are unavailable")

        return mqtt.async_subscribe_connection_status(self.hass, on_change)

    @callback
    def async_stop(self) -> None:
        """Drop every subscription and fail every pending test message."""
        for subscription in self._subscriptions.values():
            for unsubscribe in subscription.unsubscribes:
                unsubscribe()
        self._subscriptions.clear()
        self._listening.clear()
        self._flaps.async_stop()
        for waiter, _started in self._waiters.values():
            waiter.cancel()
        self._waiters.clear()

    def _split(self, msg: mqtt.ReceiveMessage) -> tuple[str, str] | None:
        """Return the prefix and device of a message's topic, None for reserved names."""
        prefix = msg.subscribed_topic.rsplit("+/", 1)[0]
        device = topic_device(prefix, msg.topic)
        if not is_device_name(device):
            return None
        return prefix, device

    def _state(self, prefix: str, device: str) -> DisplayState:
        """Return the state of a display (new ones start empty) under its latest prefix."""
        state = self.data.get(device)
        if state is None:
            return DisplayState(prefix=prefix)
        return state if state.prefix == prefix else replace(state, prefix=prefix)

    def _warn(self, device: str, what: str, err: WireError) -> None:
        """Log a refused message, once per display and reason."""
        key = (device, f"{what}:{err.reason}")
        if key in self._warned:
            LOGGER.debug("Ignored %s of %s: %s", what, device, err)
            return
        self._warned.add(key)
        LOGGER.warning("Ignored %s of display %s: %s", what, device, err)

    @callback
    def _changed(self, device: str, state: DisplayState) -> None:
        """Make ``state`` the display's and tell every listener."""
        self.data[device] = state
        self.async_set_updated_data(self.data)

    def _read(
        self, msg: mqtt.ReceiveMessage, what: str, parse: Callable[[bytes], _T]
    ) -> tuple[str, str, _T] | None:
        """Return prefix, device and parsed payload of a display's message; None when refused."""
        if (where := self._split(msg)) is None:
            return None
        prefix, device = where
        payload = msg.payload.encode() if isinstance(msg.payload, str) else bytes(msg.payload)
        try:
            return prefix, device, parse(payload)
        except WireError as err:
            self._warn(device, what, err)
            return None

    @callback
    def _handle_status(self, msg: mqtt.ReceiveMessage) -> None:
        """Keep a display's last good status (and whom Odoo's status names as publisher)."""
        prefix = msg.subscribed_topic.rsplit("+/", 1)[0]
        if topic_device(prefix, msg.topic) == ODOO_DEVICE:
            raw = msg.payload.encode() if isinstance(msg.payload, str) else bytes(msg.payload)
            self.odoo_publishers[prefix] = odoo_publisher(raw) or "home_assistant"
            self.async_check_publishers()
            return
        if (read := self._read(msg, "status", parse_status)) is None:
            return
        prefix, device, status = read
        state = self._state(prefix, device)
        if self._flaps.hold(device, state.online, status):
            return
        self._show_status(device, status, state)

    @callback
    def _show_status(
        self, device: str, status: DisplayStatus, state: DisplayState | None = None
    ) -> None:
        """Make ``status`` the display's current one and tell everyone."""
        state = state or self.data[device]
        now = dt_util.utcnow()
        last_seen = now if status.online else state.last_seen
        online_since = (state.online_since if state.online else now) if status.online else None
        self._changed(
            device,
            replace(
                state,
                status=status,
                status_at=now,
                last_seen=last_seen,
                online_since=online_since,
                shown=status if status.online else state.shown,
                cleared=state.cleared and status.content_hash is None,
            ),
        )

    @callback
    def _handle_snapshot(self, msg: mqtt.ReceiveMessage) -> None:
        """Check a display's snapshot against its panel's size at once, decode its pixels
        in the executor; show it when it decodes (the last good one stays otherwise)."""
        if (where := self._split(msg)) is None:
            return
        prefix, device = where
        bound = snapshot_bound(self._state(prefix, device).status)
        read = self._read(msg, "snapshot", lambda payload: read_snapshot_header(payload, bound))
        if read is None:
            return
        snapshot = read[2]
        number = self._snapshots_received[device] = self._snapshots_received.get(device, 0) + 1
        if snapshot is None:  # an empty payload: the door cleared its snapshot
            self._show_snapshot(prefix, device, None, number)
            return
        if device in self._decoding:
            self._waiting[device] = (prefix, snapshot, number)  # replaces an older one
            return
        self._decoding.add(device)
        self.hass.async_create_background_task(
            self._async_decode_snapshots(device, (prefix, snapshot, number)),
            f"odoo_epaper snapshot {device}",
        )

    async def _async_decode_snapshots(
        self, device: str, item: tuple[str, Snapshot, int] | None
    ) -> None:
        """Decode ``device``'s snapshot, then the newest one that came meanwhile, and so
        on; show each that decodes, log and drop the others."""
        try:
            while item is not None:
                prefix, snapshot, number = item
                try:
                    await self.hass.async_add_executor_job(decode_png, snapshot.png)
                except WireError as err:
                    self._warn(device, "snapshot", err)
                else:
                    self._show_snapshot(prefix, device, snapshot, number)
                item = self._waiting.pop(device, None)
        finally:
            self._decoding.discard(device)

    @callback
    def _show_snapshot(
        self, prefix: str, device: str, snapshot: Snapshot | None, number: int
    ) -> None:
        """Make snapshot ``number`` the display's, unless a later one is shown already."""
        if number <= self._snapshots_shown.get(device, 0):
            return
        self._snapshots_shown[device] = number
        state = self._state(prefix, device)
        self._changed(device, replace(state, snapshot=snapshot, snapshot_at=dt_util.utcnow()))

    @callback
    def _handle_cmd(self, msg: mqtt.ReceiveMessage) -> None:
        """Note a ``clear`` command (from anyone): the door goes blank on purpose."""
        if (read := self._read(msg, "command", parse_command)) is None:
            return
        prefix, device, command = read
        state = self._state(prefix, device)
        if command == "clear" and not state.cleared:
            self._changed(device, replace(state, cleared=True))

    @callback
    def _handle_ack(self, msg: mqtt.ReceiveMessage) -> None:
        """Resolve the pending test message an ack answers."""
        if (read := self._read(msg, "ack", parse_ack)) is None:
            return
        _prefix, device, ack = read
        pending = self._waiters.get(ack.id)
        if pending is None or pending[0].done():
            LOGGER.debug("Ack %s of %s answers no pending test message", ack.id, device)
            return
        waiter, started = pending
        waiter.set_result(
            TestResult(
                device=device,
                id=ack.id,
                acknowledged=True,
                ok=ack.ok,
                error=ack.error,
                milliseconds=round((time.monotonic() - started) * 1000),
            )
        )

    @callback
    def _handle_changed(self, msg: mqtt.ReceiveMessage) -> None:
        """Pass the devices of a change notice on."""
        try:
            devices = parse_changed(msg.payload)
        except WireError as err:
            self._warn(ODOO_DEVICE, "change notice", err)
            return
        LOGGER.debug("Odoo reports changed schedules of %s", devices)
        if self._on_changed is not None and devices:
            self._on_changed(devices)

    async def async_test_message(
        self, prefix: str, device: str, text: str, wait: float
    ) -> TestResult:
        """Send ``/test`` with a fresh id and wait up to ``wait`` seconds for the ack."""
        test_id = uuid.uuid4().hex
        waiter: asyncio.Future[TestResult] = self.hass.loop.create_future()
        self._waiters[test_id] = (waiter, time.monotonic())
        payload = json.dumps({"id": test_id, "text": text}, ensure_ascii=False)
        try:
            await mqtt.async_publish(
                self.hass, test_topic(prefix, device), payload, TEST_QOS, False
            )
            async with asyncio.timeout(wait):
                return await waiter
        except TimeoutError:
            return TestResult(device=device, id=test_id, acknowledged=False)
        finally:
            self._waiters.pop(test_id, None)
