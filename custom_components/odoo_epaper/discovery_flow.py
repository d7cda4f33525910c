"""The config flow's discovery steps: a new door sign is adopted into Odoo in one form.

``async_step_mqtt`` (the manifest's default-prefix subscription) and
``async_step_integration_discovery`` (the hub's own subscriptions) lead to
``discovery_confirm``: the card "New door sign lobby-2 (7.5" 800x480, black/white/red)"
asks for the room, time zone and language and creates the display through the addon's
``epaper_adopt_display``; the hub then refreshes at once, so the sign draws its room.
The unique id is the device name: an ignored sign is not offered again, and a sign Odoo
knows updates its device's panel data instead (discovery-update-info).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState, ConfigFlow, ConfigFlowResult
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
from homeassistant.helpers.typing import DiscoveryInfoType

from .const import DOMAIN, LOGGER
from .data import OdooEpaperConfigEntry
from .discovery import DiscoveredSign, async_update_panel, sign_from_message
from .odoo_client import AdoptionChoices, OdooAccessError, OdooError

CONF_ROOM = "room"
CONF_TIME_ZONE = "time_zone"
CONF_LANGUAGE = "language"


def hub_entry(flow: ConfigFlow) -> OdooEpaperConfigEntry | None:
    """Return the loaded Odoo E-Paper entry whose Odoo has the addon (the first one)."""
    for entry in flow.hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED and entry.runtime_data.client.info.has_addon:
            return entry
    return None


def _default_language(choices: AdoptionChoices, ha_language: str) -> str | None:
    """Odoo's installed language closest to Home Assistant's (``de`` -> ``de_DE``)."""
    codes = [code for code, _name in choices.languages]
    wanted = ha_language.replace("-", "_")
    for code in codes:
        if code == wanted or code.split("_")[0] == wanted.split("_")[0]:
            return code
    return codes[0] if codes else None


def _room_from_device(device: str, choices: AdoptionChoices) -> str:
    """Suggest a room for ``device``: a known room of that name, else the name in words."""
    words = device.replace("_", " ").replace("-", " ").strip()
    known = {room.casefold(): room for room in choices.rooms}
    return known.get(words.casefold(), words.title())


class SignDiscoverySteps(ConfigFlow):
    """Discovery steps of the Odoo E-Paper config flow (mixed into it)."""

    _sign: DiscoveredSign | None = None

    async def async_step_mqtt(self, discovery_info: MqttServiceInfo) -> ConfigFlowResult:
        """A retained status under the default prefix (the manifest's ``mqtt`` key)."""
        sign = sign_from_message(discovery_info.topic, discovery_info.payload)
        if sign is None:
            return self.async_abort(reason="not_a_sign")
        return await self._async_discovered(sign)

    async def async_step_integration_discovery(
        self, discovery_info: DiscoveryInfoType
    ) -> ConfigFlowResult:
        """A new sign under any configured prefix, seen by the hub's own subscription."""
        try:
            sign = DiscoveredSign.from_dict(dict(discovery_info))
        except (KeyError, TypeError):
            return self.async_abort(reason="not_a_sign")
        return await self._async_discovered(sign)

    async def _async_discovered(self, sign: DiscoveredSign) -> ConfigFlowResult:
        """Offer ``sign`` unless it is ignored, in progress, known to Odoo or offline."""
        await self.async_set_unique_id(sign.device)
        self._abort_if_unique_id_configured()
        entry = hub_entry(self)
        if entry is None:
            return self.async_abort(reason="no_hub")
        coordinator = entry.runtime_data.coordinator
        if coordinator.data is not None and sign.device in coordinator.data.displays:
            async_update_panel(self.hass, entry, sign)
            return self.async_abort(reason="already_configured")
        if not sign.online:
            return self.async_abort(reason="sign_offline")
        self._sign = sign
        self.context["title_placeholders"] = {"device": sign.device, "panel": sign.panel}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for room, time zone and language; create the display in Odoo."""
        sign, entry = self._sign, hub_entry(self)
        if sign is None or entry is None:
            return self.async_abort(reason="no_hub")
        client = entry.runtime_data.client
        errors: dict[str, str] = {}
        placeholders = {"device": sign.device, "panel": sign.panel, "error": ""}
        if user_input is not None:
            try:
                await self.hass.async_add_executor_job(
                    client.adopt_display,
                    sign.device,
                    str(user_input[CONF_ROOM]).strip(),
                    user_input.get(CONF_TIME_ZONE),
                    user_input.get(CONF_LANGUAGE),
                )
            except OdooAccessError:
                errors["base"] = "insufficient_rights"
            except OdooError as err:
                errors["base"] = "adopt_failed"
                placeholders["error"] = str(err)
            else:
                LOGGER.info("Adopted door sign %s into Odoo", sign.device)
                await entry.runtime_data.coordinator.async_refresh()
                return self.async_abort(reason="adopted", description_placeholders=placeholders)
        try:
            choices = await self.hass.async_add_executor_job(client.adoption_choices)
        except OdooError:
            return self.async_abort(reason="cannot_connect")
        zones = sorted(await self.hass.async_add_executor_job(available_timezones))
        schema = vol.Schema(
            {
                vol.Required(CONF_ROOM): SelectSelector(
                    SelectSelectorConfig(
                        options=list(choices.rooms),
                        custom_value=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(
                    CONF_TIME_ZONE, default=choices.tz or self.hass.config.time_zone
                ): SelectSelector(
                    SelectSelectorConfig(options=zones, mode=SelectSelectorMode.DROPDOWN)
                ),
                vol.Optional(
                    CONF_LANGUAGE,
                    default=_default_language(choices, self.hass.config.language) or vol.UNDEFINED,
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=code, label=name)
                            for code, name in choices.languages
                        ],
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or {CONF_ROOM: _room_from_device(sign.device, choices)}
            ),
            description_placeholders=placeholders,
            errors=errors,
        )
