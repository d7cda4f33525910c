"""Publishing retained room data and the hub's status through Home Assistant's MQTT."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from .const import DOMAIN, HUB_DEVICE, LOGGER, PAYLOAD_LIFETIME
from .wire import WirePayload, status_topic


@dataclass(frozen=True, kw_only=True)
class PublishedData:
    """What the broker holds for one ``/data`` topic, as far as this hub knows."""

    topic: str
    content_hash: str
    valid_until: dt.datetime
    published_at: dt.datetime  # when this content (hash) was first published, UTC


STORAGE_VERSION = 1
SAVE_DELAY = 10  # seconds: a burst of publishes is written to disk once
SEND_BATCH = 50  # payloads handed to the MQTT client between two turns of the event loop


class DataPublisher:
    """Publish each display's payload when its content changed or it nears its end of life;
    clear the retained ``/data`` of displays that are gone.

    The ``/data`` topics the entry ever left a retained payload on are remembered on disk
    (``.storage/odoo_epaper.<entry_id>.data_topics``), so a display archived, deleted or
    renamed while Home Assistant was down is still cleared after the next read.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        qos: int,
        lifetime: dt.timedelta = PAYLOAD_LIFETIME,
        entry_id: str | None = None,
    ) -> None:
        """Publish with ``qos``; payloads live ``lifetime`` after they are generated.

        Without ``entry_id`` the retained topics are remembered in memory only.
        """
        self.hass = hass
        self.qos = qos
        self.lifetime = lifetime
        self.published: dict[str, PublishedData] = {}
        self.retained_topics: set[str] = set()
        self._store: Store[list[str]] | None = (
            Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.data_topics")
            if entry_id is not None
            else None
        )

    async def async_load(self) -> None:
        """Read the topics this entry left retained payloads on in earlier runs."""
        if self._store is not None and (stored := await self._store.async_load()):
            self.retained_topics.update(topic for topic in stored if isinstance(topic, str))

    async def async_flush(self) -> None:
        """Write the remembered topics now (the entry unloads)."""
        if self._store is not None:
            await self._store.async_save(sorted(self.retained_topics))

    def _remember(self) -> None:
        if self._store is not None:
            self._store.async_delay_save(lambda: sorted(self.retained_topics), SAVE_DELAY)

    async def async_clear_data(self, keep: Iterable[str]) -> list[str]:
        """Clear (an empty retained message) every ``/data`` topic this entry published that
        is not in ``keep``; return the topics cleared.

        ``keep`` is every display's current topic: a display archived, deleted or renamed
        in Odoo, or moved to another prefix, loses its old topic's content within one
        refresh, and the sign under that name goes back to its setup screen. A failed
        clear is retried on the next refresh; nothing is sent while the broker is down.
        """
        gone = sorted(self.retained_topics - set(keep))
        if not gone or not mqtt.is_connected(self.hass):
            return []
        results = await asyncio.gather(
            *(mqtt.async_publish(self.hass, topic, b"", self.qos, True) for topic in gone),
            return_exceptions=True,
        )
        cleared = [
            topic
            for topic, result in zip(gone, results, strict=True)
            if not isinstance(result, BaseException)
        ]
        for topic in cleared:
            self.retained_topics.discard(topic)
            self.published.pop(topic, None)
        if cleared:
            LOGGER.info("Cleared the retained /data of displays that are gone: %s", cleared)
            self._remember()
        if len(cleared) < len(gone):
            LOGGER.warning(
                "Clearing %d retained /data topics failed, retrying next refresh",
                len(gone) - len(cleared),
            )
        return cleared

    def is_due(self, topic: str, content_hash: str, now: dt.datetime) -> bool:
        """Whether ``topic`` needs a publish: new, changed, or less than half its life left."""
        last = self.published.get(topic)
        return (
            last is None
            or last.content_hash != content_hash
            or last.valid_until - now < self.lifetime / 2
        )

    def forget(self, topic: str | None = None) -> None:
        """Republish ``topic`` (or every topic) on the next cycle, whatever its content."""
        if topic is None:
            self.published.clear()
        else:
            self.published.pop(topic, None)

    async def async_publish_data(
        self, items: Iterable[tuple[str, WirePayload]], now: dt.datetime
    ) -> list[str]:
        """Publish the due ``(topic, payload)`` items; return the topics sent.

        ``items`` may build each payload as it is taken (a generator): each due one is
        handed to the MQTT client at once (its bytes as built, no serialization here)
        and every SEND_BATCH items the event loop gets a turn, so the first doors'
        messages are on the wire while the last payloads are still being built, and
        nothing else on the loop waits for the whole fleet. All are then awaited.

        Nothing is sent while the broker is unreachable (the items are still taken);
        a failed publish is logged (one line per cycle) and retried on the next cycle.
        """
        connected = mqtt.is_connected(self.hass)
        due: list[tuple[str, WirePayload]] = []
        sending: list[asyncio.Task[None]] = []
        for topic, payload in items:
            if not self.is_due(topic, payload.content_hash, now):
                continue
            due.append((topic, payload))
            if not connected:
                continue
            sending.append(
                self.hass.async_create_task(
                    mqtt.async_publish(self.hass, topic, payload.data, self.qos, True),
                    f"{DOMAIN} publish {topic}",
                    eager_start=True,
                )
            )
            if len(sending) % SEND_BATCH == 0:
                await asyncio.sleep(0)  # the loop writes what is queued, then we go on
        if not due:
            return []
        if not connected:
            LOGGER.warning("MQTT broker not connected; %d displays wait for it", len(due))
            return []
        results = await asyncio.gather(*sending, return_exceptions=True)
        sent: list[str] = []
        failed: list[tuple[str, BaseException]] = []
        for (topic, payload), result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                failed.append((topic, result))
                continue
            last = self.published.get(topic)
            self.published[topic] = PublishedData(
                topic=topic,
                content_hash=payload.content_hash,
                valid_until=payload.valid_until,
                published_at=(
                    last.published_at
                    if last is not None and last.content_hash == payload.content_hash
                    else now
                ),
            )
            sent.append(topic)
        if not self.retained_topics.issuperset(sent):
            self.retained_topics.update(sent)
            self._remember()
        if failed:
            LOGGER.warning(
                "Publishing %d of %d displays failed, retrying next cycle: %s: %s",
                len(failed),
                len(due),
                failed[0][0],
                failed[0][1],
            )
        LOGGER.debug("Published %d displays: %s", len(sent), sent)
        return sent

    async def async_publish_hub_status(self, prefix: str, state: str) -> bool:
        """Publish the hub's retained status (``online`` / ``offline``); False when it failed."""
        topic = status_topic(prefix, HUB_DEVICE)
        try:
            await mqtt.async_publish(self.hass, topic, json.dumps({"state": state}), 1, True)
        except HomeAssistantError as err:
            LOGGER.warning("Publishing the hub status %s to %s failed: %s", state, topic, err)
            return False
        return True
