"""The repair issue when two publishers are seen for one display (DESIGN 3a).

Exactly one publisher of ``/data`` per broker: the hub or the Odoo addon. The addon says
which in its retained ``{prefix}_odoo/status`` (``"publisher": "odoo"``); the schedule
the hub reads names each display's publisher too. When the addon announces itself as the
publisher under a prefix where the hub still publishes displays (the hub reads another
Odoo, or the broker's setting and the schedule disagree), both would publish: the user is
told with a repair issue naming the displays, and it goes away once they agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .display_data import DisplayData

PUBLISHERS = ("odoo", "home_assistant")
MAX_NAMED = 10


def odoo_publisher(payload: bytes) -> str | None:
    """Return the ``publisher`` of an ``_odoo/status`` payload, None when it names none."""
    try:
        status = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    publisher = status.get("publisher") if isinstance(status, dict) else None
    return publisher if publisher in PUBLISHERS else None


@callback
def async_check_publishers(
    hass: HomeAssistant,
    entry: ConfigEntry,
    displays: Mapping[str, DisplayData],
    odoo_publishers: Mapping[str, str],
) -> list[str]:
    """Raise or clear the entry's issue; return the displays with two publishers.

    ``odoo_publishers`` maps topic prefixes to what Odoo's status announced there.
    """
    both = sorted(
        device
        for device, item in displays.items()
        if not item.display.published_by_odoo and odoo_publishers.get(item.topic_prefix) == "odoo"
    )
    issue_id = f"two_publishers_{entry.entry_id}"
    if not both:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return both
    named = ", ".join(both[:MAX_NAMED]) + (
        f" (+{len(both) - MAX_NAMED})" if len(both) > MAX_NAMED else ""
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="two_publishers",
        translation_placeholders={"devices": named},
    )
    return both
