"""Constants of the Odoo E-Paper integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "odoo_epaper"
LOGGER = logging.getLogger(__package__)

CONF_DATABASE: Final = "database"
CONF_TOPIC_PREFIX: Final = "topic_prefix"
CONF_QOS: Final = "qos"
CONF_SOURCE: Final = "source"
CONF_HORIZON_DAYS: Final = "horizon_days"
CONF_STATUS_MIRROR: Final = "status_mirror"
CONF_DOOR_ACTIONS: Final = "door_actions"
CONF_MAX_BOOKING_MINUTES: Final = "max_booking_minutes"

# Schedule sources: "auto" (the addon's preferred one) or an id the addon lists
# (epaper_schedule_sources); these are the ids of its two bridge modules, offered
# before the first connection and given labels in strings.json.
SOURCE_AUTO: Final = "auto"
SOURCES: Final = ("room_booking", "calendar")

DEFAULT_TOPIC_PREFIX: Final = "odoo_epaper/"
DEFAULT_QOS: Final = 1
DEFAULT_SCAN_INTERVAL: Final = 60
MIN_SCAN_INTERVAL: Final = 15
MAX_SCAN_INTERVAL: Final = 3600
DEFAULT_SOURCE: Final = SOURCE_AUTO
DEFAULT_HORIZON_DAYS: Final = 7
DEFAULT_STATUS_MIRROR: Final = True
MAX_HORIZON_DAYS: Final = 31
# What people at the door may ask for (DESIGN.md 3a), and the longest booking they may make.
DOOR_ACTIONS: Final = ("book_now", "extend", "end_now", "check_in")
DEFAULT_DOOR_ACTIONS: Final = DOOR_ACTIONS
DEFAULT_MAX_BOOKING_MINUTES: Final = 120
MAX_BOOKING_MINUTES: Final = 24 * 60
EVENT_DOOR_ACTION: Final = "odoo_epaper_door_action"

# A published payload is valid for PAYLOAD_LIFETIME after it was generated; the
# hub republishes a display once less than half of that is left, so a sign whose
# hub is alive never turns stale, and one whose hub died shows "stale" after 12 h.
PAYLOAD_LIFETIME: Final = timedelta(hours=12)

HUB_DEVICE: Final = "_hub"
ODOO_DEVICE: Final = "_odoo"

# A burst of Odoo change notices within this many seconds costs one read of Odoo.
CHANGE_NOTICE_COOLDOWN: Final = 0.3
