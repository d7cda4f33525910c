"""Warn before the Odoo API key of an entry expires.

Odoo 19 gives every non-administrator's API key an expiry; once past, every call is
refused and the entry needs a new key. When the client could tell the key's expiry
(``ServerInfo.key_expiry``, JSON-2 only), a repair issue ``api_key_expires`` shows
:data:`WARN_BEFORE` ahead of it and the reauth flow starts so the new key can be
entered while the old one still works. Setting the entry up again with a new key
(after reauth) clears the issue when the new key is not close to its expiry.
"""

from __future__ import annotations

import datetime as dt

from homeassistant.const import CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .data import OdooEpaperConfigEntry
from .odoo_server_info import ServerInfo

WARN_BEFORE = dt.timedelta(days=14)


def issue_id(entry: OdooEpaperConfigEntry) -> str:
    """The repair issue of this entry's key."""
    return f"api_key_expires_{entry.entry_id}"


@callback
def async_watch_key_expiry(
    hass: HomeAssistant, entry: OdooEpaperConfigEntry, info: ServerInfo
) -> None:
    """Raise the issue now or at ``key_expiry - WARN_BEFORE``; clear it when not due.

    The timer is cancelled when the entry unloads.
    """
    expiry = info.key_expiry
    if expiry is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry))
        return
    warn_at = expiry - WARN_BEFORE

    @callback
    def _async_warn(_now: dt.datetime | None = None) -> None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id(entry),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="api_key_expires",
            translation_placeholders={
                "username": entry.data.get(CONF_USERNAME, ""),
                "url": info.server,
                "expiry": dt_util.as_local(expiry).strftime("%Y-%m-%d %H:%M"),
            },
        )
        entry.async_start_reauth(hass)

    if warn_at <= dt_util.utcnow():
        _async_warn()
        return
    ir.async_delete_issue(hass, DOMAIN, issue_id(entry))
    entry.async_on_unload(async_track_point_in_utc_time(hass, _async_warn, warn_at))
