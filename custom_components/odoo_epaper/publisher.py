"""Publishing retained room data and the hub's status through Home Assistant's MQTT."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import HUB_DEVICE, LOGGER, PAYLOAD_LIFETIME
from .wire import encode, status_topic


@dataclass(frozen=True, kw_only=True)
class PublishedData:
    """What the broker holds for one ``/data`` topic, as far as this hub knows."""

    topic: str
    content_hash: str
    valid_until: dt.datetime
    payload: dict[str, Any]
    published_at: dt.datetime  # when this content (hash) was first published, UTC


class DataPublisher:
    """Publish each display's payload when its content changed or it nears its end of life."""

    def __init__(
        self, hass: HomeAssistant, *, qos: int, lifetime: dt.timedelta = PAYLOAD_LIFETIME
    ) -> None:
        """Publish with ``qos``; payloads live ``lifetime`` after they are generated."""
        self.hass = hass
        self.qos = qos
        self.lifetime = lifetime
        self.published: dict[str, PublishedData] = {}

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
        self, items: Iterable[tuple[str, str, dict[str, Any]]], now: dt.datetime
    ) -> list[str]:
        """Publish the due ``(topic, content_hash, payload)`` items; return the topics sent.

        Nothing is sent while the broker is unreachable; a failed publish is logged
        (one line per cycle) and retried on the next cycle.
        """
        due = [item for item in items if self.is_due(item[0], item[1], now)]
        if not due:
            return []
        if not mqtt.is_connected(self.hass):
            LOGGER.warning("MQTT broker not connected; %d displays wait for it", len(due))
            return []
        results = await asyncio.gather(
            *(
                mqtt.async_publish(self.hass, topic, encode(payload), self.qos, True)
                for topic, _, payload in due
            ),
            return_exceptions=True,
        )
        sent: list[str] = []
        failed: list[tuple[str, BaseException]] = []
        for (topic, content_hash, payload), result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                failed.append((topic, result))
                continue
            last = self.published.get(topic)
            self.published[topic] = PublishedData(
                topic=topic,
                content_hash=content_hash,
                valid_until=dt.datetime.fromisoformat(payload["valid_until"]),
                payload=payload,
                published_at=(
                    last.published_at
                    if last is not None and last.content_hash == content_hash
                    else now
                ),
            )
            sent.append(topic)
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
