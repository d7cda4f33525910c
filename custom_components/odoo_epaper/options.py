"""The options of a config entry, with their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_SCAN_INTERVAL

from .const import (
    CONF_DOOR_ACTIONS,
    CONF_HORIZON_DAYS,
    CONF_MAX_BOOKING_MINUTES,
    CONF_QOS,
    CONF_SOURCE,
    CONF_STATUS_MIRROR,
    CONF_TOPIC_PREFIX,
    DEFAULT_DOOR_ACTIONS,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_MAX_BOOKING_MINUTES,
    DEFAULT_QOS,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SOURCE,
    DEFAULT_STATUS_MIRROR,
    DEFAULT_TOPIC_PREFIX,
    DOOR_ACTIONS,
)


@dataclass(frozen=True, kw_only=True)
class EpaperOptions:
    """Typed view of ``entry.options``."""

    topic_prefix: str = DEFAULT_TOPIC_PREFIX
    qos: int = DEFAULT_QOS
    scan_interval: int = DEFAULT_SCAN_INTERVAL
    source: str = DEFAULT_SOURCE
    horizon_days: int = DEFAULT_HORIZON_DAYS
    status_mirror: bool = DEFAULT_STATUS_MIRROR
    door_actions: tuple[str, ...] = DEFAULT_DOOR_ACTIONS
    max_booking_minutes: int = DEFAULT_MAX_BOOKING_MINUTES

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> EpaperOptions:
        """Read options, filling in defaults for keys not set."""
        return cls(
            topic_prefix=str(options.get(CONF_TOPIC_PREFIX, DEFAULT_TOPIC_PREFIX)),
            qos=int(float(options.get(CONF_QOS, DEFAULT_QOS))),
            scan_interval=int(float(options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL))),
            source=str(options.get(CONF_SOURCE, DEFAULT_SOURCE)),
            horizon_days=int(float(options.get(CONF_HORIZON_DAYS, DEFAULT_HORIZON_DAYS))),
            status_mirror=bool(options.get(CONF_STATUS_MIRROR, DEFAULT_STATUS_MIRROR)),
            door_actions=tuple(
                action
                for action in DOOR_ACTIONS
                if action in options.get(CONF_DOOR_ACTIONS, DEFAULT_DOOR_ACTIONS)
            ),
            max_booking_minutes=int(
                float(options.get(CONF_MAX_BOOKING_MINUTES, DEFAULT_MAX_BOOKING_MINUTES))
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the options as stored in ``entry.options``."""
        return {
            CONF_TOPIC_PREFIX: self.topic_prefix,
            CONF_QOS: self.qos,
            CONF_SCAN_INTERVAL: self.scan_interval,
            CONF_SOURCE: self.source,
            CONF_HORIZON_DAYS: self.horizon_days,
            CONF_STATUS_MIRROR: self.status_mirror,
            CONF_DOOR_ACTIONS: list(self.door_actions),
            CONF_MAX_BOOKING_MINUTES: self.max_booking_minutes,
        }
