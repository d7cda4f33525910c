"""Change an entry's options the way a user does: through its options flow."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.odoo_epaper.const import CONF_QOS
from custom_components.odoo_epaper.options import EpaperOptions


async def async_change_options(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> None:
    """Submit the options form with the entry's options and ``changes``; wait for the reload.

    The options flow reloads the entry when it saves (``OptionsFlowWithReload``).
    """
    answer = EpaperOptions.from_mapping(entry.options).as_dict() | changes
    answer[CONF_QOS] = str(answer[CONF_QOS])  # the form's select holds strings
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], answer)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
