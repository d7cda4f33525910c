"""The coordinator: read Odoo every ``scan_interval``, publish what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import partial

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import CHANGE_NOTICE_COOLDOWN, DOMAIN, LOGGER
from .devices import DisplayDevices
from .display_data import DisplayData, OdooEpaperData
from .message_board import BoardMessage, MessageBoard
from .odoo_client import (
    OdooAddonTooOldError,
    OdooAuthError,
    OdooClient,
    OdooError,
    ServerInfo,
)
from .options import EpaperOptions
from .publisher import DataPublisher
from .room_issues import async_report_collisions
from .schedule import Schedule, booking_window
from .schedule_sync import ScheduleSync
from .two_publishers import async_check_publishers
from .wire import WirePayload, build_wire_payload


def odoo_failure(
    err: OdooError, unreachable: type[UpdateFailed | ConfigEntryNotReady], key: str
) -> HomeAssistantError:
    """Map an Odoo error: a refused login to ConfigEntryAuthFailed, others to ``unreachable``.

    ``key`` is the translation key of ``unreachable`` (its ``error`` placeholder is filled).
    """
    if isinstance(err, OdooAuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
    return unreachable(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )


async def async_connect(hass: HomeAssistant, client: OdooClient) -> ServerInfo:
    """Log in at setup; map failures to ConfigEntryAuthFailed / ConfigEntryNotReady."""
    try:
        return await hass.async_add_executor_job(client.connect)
    except OdooError as err:
        raise odoo_failure(err, ConfigEntryNotReady, "cannot_connect") from err


def build_display_data(
    schedule: Schedule,
    options: EpaperOptions,
    now: dt.datetime,
    lifetime: dt.timedelta,
    messages: Mapping[str, BoardMessage] | None = None,
) -> dict[str, DisplayData]:
    """Build every display's payload in its wire form (once: the bytes published are those
    built here); a display's own prefix wins over the option."""
    return {
        item.device: item for item in iter_display_data(schedule, options, now, lifetime, messages)
    }


def iter_display_data(
    schedule: Schedule,
    options: EpaperOptions,
    now: dt.datetime,
    lifetime: dt.timedelta,
    messages: Mapping[str, BoardMessage] | None = None,
) -> Iterator[DisplayData]:
    """:func:`build_display_data`, one display at a time (as the publisher sends them)."""
    messages = messages or {}
    for display in schedule.displays:
        bookings = schedule.bookings.get(display.device, ())
        message = messages.get(display.device)
        yield DisplayData(
            display=display,
            topic_prefix=display.topic_prefix or options.topic_prefix,
            bookings=tuple(bookings),
            wire=build_wire_payload(
                device=display.device,
                room=display.room,
                tz=display.tz,
                bookings=bookings,
                now=now,
                lifetime=lifetime,
                qr=display.qr,
                locale=display.locale,
                message=None if message is None else message.as_payload(),
            ),
        )


class OdooEpaperCoordinator(DataUpdateCoordinator[OdooEpaperData]):
    """Refresh every display from Odoo in one RPC and publish the changed ones."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: OdooClient,
        publisher: DataPublisher,
    ) -> None:
        """Poll at the entry's ``scan_interval``."""
        self.client = client
        self.publisher = publisher
        self.options = EpaperOptions.from_mapping(entry.options)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"Odoo E-Paper {entry.title}",
            update_interval=dt.timedelta(seconds=self.options.scan_interval),
        )
        self.messages = MessageBoard(hass, self._async_messages_expired)
        self.devices = DisplayDevices(hass, entry)
        self.sync = ScheduleSync()
        self._changed_debouncer = Debouncer(
            hass,
            LOGGER,
            cooldown=CHANGE_NOTICE_COOLDOWN,
            immediate=False,
            function=self.async_refresh,
        )

    @callback
    def async_mqtt_connection_changed(self, connected: bool) -> None:
        """After the broker comes back, republish the hub status and every display.

        A broker without persistence has lost the retained messages.
        """
        if connected:
            LOGGER.info("MQTT broker connected again; republishing every display")
            self.publisher.forget()
            self.sync.request_full_read()
            self.config_entry.async_create_background_task(
                self.hass, self._async_republish_all(), "odoo_epaper republish"
            )

    async def _async_republish_all(self) -> None:
        """Announce the hub online again and refresh (every display is due)."""
        await self.publisher.async_publish_hub_status(self.options.topic_prefix, "online")
        await self.async_request_refresh()

    async def _async_update_data(self) -> OdooEpaperData:
        """Read Odoo, publish the displays that are due, keep the devices in step."""
        now = dt_util.utcnow()
        start, end = booking_window(now, self.options.horizon_days)
        plan = self.sync.plan(now)
        try:
            update = await self.hass.async_add_executor_job(
                partial(
                    self.client.fetch_schedule_update,
                    self.options.source,
                    start,
                    end,
                    self.hass.config.time_zone,
                    cursor=plan.cursor,
                    devices=plan.devices,
                )
            )
        except OdooError as err:
            self.sync.request_full_read()
            if isinstance(err, OdooAddonTooOldError):
                self._async_addon_too_old(str(err))
                raise odoo_failure(err, UpdateFailed, "addon_too_old") from err
            raise odoo_failure(err, UpdateFailed, "update_failed") from err
        ir.async_delete_issue(self.hass, DOMAIN, self._addon_issue_id)
        async_report_collisions(self.hass, self.config_entry.entry_id, update.collisions)
        changed = self.sync.apply(plan, update, now)
        displays = await self._async_build_and_publish_changed(changed, now)
        await self.publisher.async_clear_data(item.data_topic for item in displays.values())
        self.devices.async_sync(displays.values())
        runtime = getattr(self.config_entry, "runtime_data", None)
        if runtime is not None:  # set up: the tracker knows what Odoo's status says
            async_check_publishers(
                self.hass, self.config_entry, displays, runtime.tracker.odoo_publishers
            )
        return OdooEpaperData(displays=displays, refreshed_at=now)

    @property
    def _addon_issue_id(self) -> str:
        return f"addon_too_old_{self.config_entry.entry_id}"

    @callback
    def _async_addon_too_old(self, error: str) -> None:
        """Raise the repair issue: the Odoo side lacks ``epaper_schedule`` API 1."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._addon_issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="addon_too_old",
            translation_placeholders={"url": self.client.address.url, "error": error},
        )

    async def _async_build_and_publish(
        self, schedule: Schedule, now: dt.datetime
    ) -> dict[str, DisplayData]:
        """Build every payload (with the messages shown now) and publish the due ones,
        each sent as soon as it is built."""
        displays: dict[str, DisplayData] = {}

        def built() -> Iterator[tuple[str, WirePayload]]:
            for item in iter_display_data(
                schedule, self.options, now, self.publisher.lifetime, self.messages.active(now)
            ):
                displays[item.device] = item
                if not item.display.published_by_odoo:  # the addon publishes those
                    yield item.data_topic, item.wire

        await self.publisher.async_publish_data(built(), now)
        return displays

    async def _async_build_and_publish_changed(
        self, changed: set[str], now: dt.datetime
    ) -> dict[str, DisplayData]:
        """Rebuild the displays that changed or whose payload is due again; keep the others.

        A payload is due again when the broker does not hold it (a new display, a
        failed publish, the broker came back) or it has less than half its life left.
        """
        previous = self.data.displays if self.data is not None else {}
        rebuild = [
            device
            for device in self.sync.displays
            if device in changed
            or device not in previous
            or self.publisher.is_due(
                previous[device].data_topic, previous[device].content_hash, now
            )
        ]
        built = await self._async_build_and_publish(self.sync.schedule(rebuild), now)
        return {
            device: built[device] if device in built else previous[device]
            for device in self.sync.displays
        }

    async def async_republish(self) -> None:
        """Rebuild the payloads from the last schedule (messages changed) and publish them."""
        schedule = Schedule(
            displays=tuple(item.display for item in self.data.displays.values()),
            bookings={device: item.bookings for device, item in self.data.displays.items()},
        )
        displays = await self._async_build_and_publish(schedule, dt_util.utcnow())
        self.async_set_updated_data(
            OdooEpaperData(displays=displays, refreshed_at=self.data.refreshed_at)
        )

    async def _async_messages_expired(self, devices: set[str]) -> None:
        """Republish the displays whose message ran out."""
        LOGGER.debug("Messages expired on %s", sorted(devices))
        await self.async_republish()

    @callback
    def async_displays_changed(self, devices: list[str]) -> None:
        """Odoo announced changed schedules: read those displays soon, once per burst."""
        LOGGER.debug("Odoo announced changes of %s", devices)
        self.sync.request(devices)
        self._changed_debouncer.async_schedule_call()

    async def async_shutdown(self) -> None:
        """Stop the message timer and the change-notice debouncer too."""
        self.messages.async_stop()
        self._changed_debouncer.async_shutdown()
        await super().async_shutdown()
